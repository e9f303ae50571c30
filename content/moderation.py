"""The moderation queue (issue 5): one review per refused request, escalated to district admins
for self-harm. Called explicitly by `content.services.record_safety_event` (issue 16: no signal)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from accounts.privacy import selectors as privacy_selectors
from content.alerts import alert_staff
from content.models import ModerationReview, Notification, SafetyEvent
from schools.tenancy import Role


def review_safety_event(*, event: SafetyEvent) -> ModerationReview:
    """Keep the review queue in step with a SafetyEvent and escalate self-harm (tier 3) once."""
    student = event.student
    review, _ = ModerationReview.objects.get_or_create(
        safety_event=event, defaults={"district_id": student.district_id, "school_id": student.school_id})
    tier = ModerationReview.Tier.TEACHER if event.teacher_notified else ModerationReview.Tier.BLOCKED
    fields = []
    if event.category == SafetyEvent.Category.SELF_HARM and review.tier < ModerationReview.Tier.DISTRICT:
        row = privacy_selectors.privacy_settings_for(student.district_id)
        admins = list(row.safety_escalation_admins.filter(role=Role.DISTRICT_ADMIN, district_id=student.district_id,
                                                          is_active=True)) if row else []
        if admins:
            alert_staff(admins, kind=Notification.Kind.SAFETY_ALERT, safety_event=event,
                        title="Safety escalation: a student may be at risk of self-harm",
                        body=(f"A lesson request at school #{student.school_id} was flagged for self-harm. The "
                              "student's teacher was alerted. Review it in the moderation queue (admin → "
                              "Moderation reviews)."),
                        url=reverse("admin:content_moderationreview_change", args=[review.pk]))
            review.escalated_to = len(admins)
            tier = ModerationReview.Tier.DISTRICT
            fields.append("escalated_to")
    if tier > review.tier:
        review.tier = tier
        fields.append("tier")
    if fields:
        review.save(update_fields=fields)
    return review


def mark_reviewed(*, review: ModerationReview, actor, notes: str = "") -> ModerationReview:
    review.status, review.reviewed_by, review.reviewed_at = ModerationReview.Status.REVIEWED, actor, timezone.now()
    if notes:
        review.notes = notes
    review.save(update_fields=["status", "reviewed_by", "reviewed_at", "notes"])
    return review
