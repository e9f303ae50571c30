"""Celery app (cookiecutter style): config from Django settings, tasks autodiscovered per app."""

import os

from celery import Celery
from celery.signals import worker_init

from vividly.cpu_priority import carry_nice_into_autogroup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vividly.settings.local")

app = Celery("vividly")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="vividly.debug_ping", bind=True)
def debug_ping(self, payload: str = "ping") -> dict:
    """Round-trip proof that a real worker consumed the task and stored its result."""
    return {"pong": payload, "worker": self.request.hostname}


@worker_init.connect
def _lower_session_priority(**_kwargs) -> None:
    """A worker started with `nice` (lesson rendering, the library) stays below the web server."""
    carry_nice_into_autogroup()
