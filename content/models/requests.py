"""A student's lesson request with its persisted state machine, and in-app notifications.

Requests and notifications are tenant-owned and scoped with `visible_to(user)`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from schools.tenancy import TenantManager, TenantPolicy

from .lessons import Lesson
from .policies import teacher_sees_student_rows


class RequestStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    UNDERSTANDING = "understanding", "Understanding your question"
    NEEDS_CHOICE = "needs_choice", "Waiting for you to pick a topic"
    SCRIPTING = "scripting", "Writing the script"
    RENDERING = "rendering", "Drawing the visuals"
    NARRATING = "narrating", "Recording the narration"
    COMPOSING = "composing", "Putting the video together"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    REFUSED = "refused", "Refused"


ACTIVE_REQUEST_STATUSES = (
    RequestStatus.QUEUED, RequestStatus.UNDERSTANDING, RequestStatus.SCRIPTING,
    RequestStatus.RENDERING, RequestStatus.NARRATING, RequestStatus.COMPOSING,
)
FINAL_REQUEST_STATUSES = (RequestStatus.READY, RequestStatus.FAILED, RequestStatus.REFUSED)


class LessonRequest(models.Model):
    """One student's ask, with its persisted state machine and the lesson it resolved to."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="lesson_requests")
    question = models.TextField()
    topic = models.ForeignKey("ingestion.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              help_text="Picked by the student or resolved by retrieval")
    interest = models.ForeignKey("accounts.Interest", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    interest_name = models.CharField(max_length=60, blank=True)
    grade_level = models.PositiveSmallIntegerField(null=True, blank=True)
    grade_band = models.CharField(max_length=8)
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.QUEUED)
    stage = models.CharField(max_length=16, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    stage_log = models.JSONField(default=dict, blank=True)
    providers = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True, help_text="Plain-words status for the student")
    choices = models.JSONField(default=list, blank=True, help_text='[{"topic_id", "title", "book", "score"}]')
    module_ids = models.JSONField(default=list, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=128, blank=True)
    lesson = models.ForeignKey(Lesson, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="requests")
    was_reused = models.BooleanField(default=False)
    counts_against_quota = models.BooleanField(default=True)
    error_code = models.CharField(max_length=40, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(
        district="student__district", school="student__school",
        teacher=teacher_sees_student_rows("student__", "created_at"),
        student=lambda user: Q(student=user),
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["student", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="unique_lesson_request_idempotency_key"),
        ]
        indexes = [models.Index(fields=["student", "created_at"]), models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"Request {self.pk} by {self.student_id}: {self.question[:40]}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_REQUEST_STATUSES


class Notification(models.Model):
    """An in-app notification (lesson ready, lesson failed, student safety alert, budget alert)."""

    class Kind(models.TextChoices):
        LESSON_READY = "lesson_ready", "Lesson ready"
        LESSON_FAILED = "lesson_failed", "Lesson failed"
        SAFETY_ALERT = "safety_alert", "Student safety alert"
        BUDGET_ALERT = "budget_alert", "Budget alert"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    lesson_request = models.ForeignKey(LessonRequest, on_delete=models.CASCADE, null=True, blank=True,
                                       related_name="notifications")
    #: the safety event a staff alert is about: erasing the student removes the alert with it.
    safety_event = models.ForeignKey("content.SafetyEvent", on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="notifications")
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(
        district="user__district", school="user__school",
        teacher=lambda user: Q(user=user), student=lambda user: Q(user=user),
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # a lesson request announces its outcome once, however often a stage is re-run
            models.UniqueConstraint(fields=["user", "kind", "lesson_request"],
                                    condition=Q(lesson_request__isnull=False),
                                    name="one_notification_per_request_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"
