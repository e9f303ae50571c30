"""Operator diagnostics: a task proving that logs, request ids and metrics flow through workers."""

import logging

from celery import shared_task
from django_guid import get_guid

logger = logging.getLogger(__name__)


@shared_task(name="vividly.observability.log_probe")
def log_probe(note: str = "probe") -> dict:
    """Log one line in the worker and return the request id it ran under (see docs/operations.md)."""
    request_id = get_guid()
    logger.info("log probe ran", extra={"note": note})
    return {"request_id": request_id, "note": note}
