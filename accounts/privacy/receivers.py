"""Signal receivers (connected at import from models.py): each request or task starts with no PII terms."""

from __future__ import annotations

from celery.signals import task_prerun
from django.core.signals import request_started

from . import tasks  # noqa: F401  (registers the Celery tasks with the worker)
from .logging import reset_pii_terms


def _reset_pii_terms(**kwargs) -> None:
    """Each request/task starts with no registered names (threads are reused between requests)."""

    reset_pii_terms()


request_started.connect(_reset_pii_terms, dispatch_uid="privacy_reset_pii_terms")
task_prerun.connect(_reset_pii_terms, dispatch_uid="privacy_reset_pii_terms_task", weak=False)
