"""Celery wrappers for accounts (thin: load, call, retry)."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task

from . import emails

logger = logging.getLogger(__name__)


@shared_task(name="accounts.send_email", bind=True, acks_late=True,
             autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=True, retry_backoff_max=600,
             retry_jitter=True, max_retries=8)
def send_email(self, *, template: str, to: str, context: dict) -> str:
    """Render and send one transactional email; SMTP/network errors retry with backoff."""
    if emails.recipient_opted_out(template=template, to=to):
        logger.info("email skipped: recipient opted out", extra={"template": template})
        return "skipped"
    emails.build_message(template=template, to=to, context=context).send(fail_silently=False)
    return "sent"
