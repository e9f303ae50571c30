"""Alerting staff: one in-app notification per person plus an email after commit (issue 16: the one
implementation behind safety alerts, safety escalations and budget alerts)."""

from __future__ import annotations

from django.db import transaction

from content.models import Notification, SafetyEvent


def alert_staff(users, *, kind: str, title: str, body: str, safety_event: SafetyEvent | None = None,
                url: str = "") -> None:
    from content.tasks import send_staff_alert  # noqa: PLC0415 - import cycle: content.tasks → content.services → content.alerts at module level

    for user in users:
        Notification.objects.create(user=user, kind=kind, title=title[:200], body=body, url=url,
                                    safety_event=safety_event)
        email = user.email
        transaction.on_commit(lambda email=email: send_staff_alert.delay(to=email, subject=title, body=body))
