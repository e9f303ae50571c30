"""Requests refused by the safety screen, and the moderation queue that reviews them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from schools.tenancy import TenantManager, TenantPolicy

from .policies import teacher_sees_student_rows
from .requests import LessonRequest


class SafetyEvent(models.Model):
    class Category(models.TextChoices):
        SELF_HARM = "self_harm", "Self-harm"
        VIOLENCE = "violence", "Violence"
        SEXUAL = "sexual", "Sexual content"
        PERSONAL_DATA = "personal_data", "Personal data"
        INJECTION = "injection", "Prompt injection"
        OFF_TOPIC = "off_topic", "Off-topic"
        NON_ENGLISH = "non_english", "Not in English"

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety_events")
    lesson_request = models.ForeignKey(LessonRequest, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="safety_events")
    category = models.CharField(max_length=20, choices=Category.choices)
    excerpt = models.CharField(max_length=200, blank=True, help_text="Redacted start of the question")
    teacher_notified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(
        district="student__district", school="student__school",
        teacher=teacher_sees_student_rows("student__", "created_at"),
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.category} by {self.student_id}"


class ModerationReview(models.Model):
    """The review-queue entry for one safety-flagged request, with its escalation tier."""

    class Tier(models.IntegerChoices):
        BLOCKED = 1, "Blocked with a kind message"
        TEACHER = 2, "Teacher notified"
        DISTRICT = 3, "Escalated to district admins"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        REVIEWED = "reviewed", "Reviewed"

    safety_event = models.OneToOneField("content.SafetyEvent", on_delete=models.CASCADE, related_name="review")
    district = models.ForeignKey("schools.District", on_delete=models.CASCADE, null=True, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.BLOCKED)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    escalated_to = models.PositiveSmallIntegerField(default=0, help_text="District admins alerted")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True, help_text="Staff notes (do not write the student's name)")
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager()
    tenant_policy = TenantPolicy(district="district", school="school")

    class Meta:
        db_table = "accounts_moderationreview"  # created by accounts (privacy); moved here in issue 16
        ordering = ["status", "-tier", "-created_at"]

    def __str__(self) -> str:
        return f"Review of safety event {self.safety_event_id} (tier {self.tier}, {self.status})"
