"""Transactional email: `queue_email(template=..., to=..., context=...)` → Celery → SMTP.

Each email is `templates/email/<template>.subject.txt`, `.txt` and `.html` (CSS inlined with
css-inline so mail clients that strip <style> still render it). Context values must be JSON
serialisable (they travel through the broker). Optional emails (`OPTIONAL_TEMPLATES`) carry a
one-click unsubscribe link and are skipped for recipients who opted out.
"""

from __future__ import annotations

import logging
from typing import Any

import css_inline
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from .models import User

logger = logging.getLogger(__name__)

TEMPLATES: frozenset[str] = frozenset({
    "student_invitation", "teacher_welcome", "admin_welcome", "password_reset", "content_ready",
})
#: Notifications a user may switch off; account emails (invitations, resets) always go out.
OPTIONAL_TEMPLATES: frozenset[str] = frozenset({"content_ready"})
UNSUBSCRIBE_SALT = "accounts.email.unsubscribe"

# Media queries (the responsive part) stay in a <style> tag; everything else is inlined.
_inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


class UnknownEmailTemplate(ValueError):
    pass


def queue_email(*, template: str, to: str, context: dict[str, Any]) -> None:
    """Send `template` to `to` from a Celery worker once the current transaction commits."""
    if template not in TEMPLATES:
        raise UnknownEmailTemplate(f"Unknown email template {template!r}.")
    from .tasks import send_email  # noqa: PLC0415 - import cycle: accounts.tasks → accounts.emails at module level

    payload = {"template": template, "to": to, "context": dict(context)}
    queue = getattr(settings, "ACCOUNTS_EMAIL_QUEUE", None)
    transaction.on_commit(lambda: send_email.apply_async(kwargs=payload, queue=queue))


def unsubscribe_url(email: str) -> str:
    """An absolute, signed, login-free link that switches off optional emails for `email`."""
    token = signing.dumps(email.lower(), salt=UNSUBSCRIBE_SALT, compress=True)
    return settings.SITE_URL.rstrip("/") + reverse("email-unsubscribe", args=[token])


def build_message(*, template: str, to: str, context: dict[str, Any]) -> EmailMultiAlternatives:
    """Render the subject, the plain-text and the inlined HTML part into one message."""
    if template not in TEMPLATES:
        raise UnknownEmailTemplate(f"Unknown email template {template!r}.")
    ctx = {"site_url": settings.SITE_URL.rstrip("/"), "brand": "Vividly", **context}
    headers = {}
    if template in OPTIONAL_TEMPLATES:
        ctx["unsubscribe_url"] = unsubscribe_url(to)
        headers["List-Unsubscribe"] = f"<{ctx['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    subject = " ".join(render_to_string(f"email/{template}.subject.txt", ctx).split())
    text = render_to_string(f"email/{template}.txt", ctx)
    html = _inliner.inline(render_to_string(f"email/{template}.html", ctx))
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL,
                                     to=[to], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def recipient_opted_out(*, template: str, to: str) -> bool:
    """True when `to` switched off this (optional) kind of email."""
    if template not in OPTIONAL_TEMPLATES:
        return False

    return User.objects.filter(email__iexact=to, notification_emails_enabled=False).exists()
