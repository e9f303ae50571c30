"""Celery app (cookiecutter style): config from Django settings, tasks autodiscovered per app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vividly.settings.local")

app = Celery("vividly")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="vividly.debug_ping", bind=True)
def debug_ping(self, payload: str = "ping") -> dict:
    """Round-trip proof that a real worker consumed the task and stored its result."""
    return {"pong": payload, "worker": self.request.hostname}
