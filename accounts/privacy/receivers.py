"""Signal receivers (connected at import from models.py): the moderation queue follows SafetyEvents."""

from __future__ import annotations

from celery.signals import task_prerun
from django.core.signals import request_started
from django.db.models.signals import post_save

from . import tasks  # noqa: F401  (registers the Celery tasks with the worker)


def _safety_event_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    from .services import review_safety_event

    review_safety_event(event=instance)


post_save.connect(_safety_event_saved, sender="content.SafetyEvent", dispatch_uid="privacy_moderation_review")


def _reset_pii_terms(**kwargs) -> None:
    """Each request/task starts with no registered names (threads are reused between requests)."""
    from .logging import reset_pii_terms

    reset_pii_terms()


request_started.connect(_reset_pii_terms, dispatch_uid="privacy_reset_pii_terms")
task_prerun.connect(_reset_pii_terms, dispatch_uid="privacy_reset_pii_terms_task", weak=False)
