"""Data fixes for issue 15:

* link existing safety-alert notifications to their safety event (erasure now deletes alerts through
  that link, never by matching names): district escalations through the moderation review their URL
  names; teacher alerts to the one flagged event of a student of the same district, created within a
  minute, whose name the alert's title carries exactly;
* watch time becomes the merged coverage of the played ranges, capped at the lesson's length.
"""

from datetime import timedelta

from django.db import migrations

REVIEW_URL = "/admin/accounts/moderationreview/{}/change/"


def link_alerts(apps, schema_editor):
    notification_model = apps.get_model("content", "Notification")
    safety_event_model = apps.get_model("content", "SafetyEvent")
    review_model = apps.get_model("accounts", "ModerationReview")
    reviews = {REVIEW_URL.format(pk): event_id for pk, event_id in review_model.objects.values_list("pk", "safety_event_id")}
    alerts = notification_model.objects.filter(kind="safety_alert", safety_event__isnull=True).select_related("user")
    for alert in alerts:
        event_id = reviews.get(alert.url)
        if event_id is None:
            window = (alert.created_at - timedelta(minutes=1), alert.created_at + timedelta(minutes=1))
            candidates = [
                event.pk for event in safety_event_model.objects.filter(
                    teacher_notified=True, created_at__range=window,
                    student__district_id=alert.user.district_id).select_related("student")
                if alert.title == f"Please check in with {_name(event.student)}"[:200]]
            event_id = candidates[0] if len(candidates) == 1 else None
        if event_id is not None:
            notification_model.objects.filter(pk=alert.pk).update(safety_event_id=event_id)


def _name(student) -> str:
    return f"{student.first_name} {student.last_name}".strip() or student.email


def cap_watch_time(apps, schema_editor):
    progress_model = apps.get_model("content", "LessonProgress")
    for row in progress_model.objects.select_related("lesson").only(
            "pk", "watched_seconds", "watched_ranges", "lesson__duration_seconds"):
        covered = sum(end - start for start, end in row.watched_ranges or [])
        duration = row.lesson.duration_seconds or 0
        capped = round(min(covered, duration) if duration else covered, 2)
        if capped != row.watched_seconds:
            progress_model.objects.filter(pk=row.pk).update(watched_seconds=capped)


class Migration(migrations.Migration):

    dependencies = [
        ("content", "0004_regeneration_billing_safety_alert_links"),
        ("accounts", "0004_privacy_audit_consent_exports_deletion"),
    ]

    operations = [
        migrations.RunPython(link_alerts, migrations.RunPython.noop),
        migrations.RunPython(cap_watch_time, migrations.RunPython.noop),
    ]
