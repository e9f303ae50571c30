"""Student progress (issue 8): watch progress from batched player events, quiz attempts, the
re-quiz schedule and problem reports.

All rows belong to one student, so they are tenant-owned and scoped like LessonRequest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from schools.tenancy import TenantManager

from .lessons import Lesson, QuizQuestion
from .policies import student_rows_policy
from .requests import LessonRequest


class LessonProgress(models.Model):
    """One student's progress through one lesson, derived on the server from ProgressEvents."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    lesson_request = models.ForeignKey(LessonRequest, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+")
    position_seconds = models.FloatField(default=0, help_text="Last known playhead (resume point)")
    watched_seconds = models.FloatField(default=0, help_text="Seconds of video actually played (server-computed)")
    watched_ranges = models.JSONField(default=list, blank=True, help_text="Merged [[start, end], ...] played")
    max_milestone = models.PositiveSmallIntegerField(default=0, help_text="Highest of 25/50/75/100 reached")
    events_count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.CharField(max_length=10, blank=True, help_text="watched | marked")

    objects = TenantManager()
    tenant_policy = student_rows_policy("started_at")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["student", "lesson"], name="unique_lesson_progress")]
        indexes = [models.Index(fields=["student", "last_event_at"])]

    def __str__(self) -> str:
        return f"{self.student_id} on lesson {self.lesson_id}: {self.watched_seconds:.0f}s"

    @property
    def percent(self) -> int:
        duration = self.lesson.duration_seconds or 0
        if self.completed_at:
            return 100
        covered = sum(end - start for start, end in self.watched_ranges)
        return min(100, round(100 * covered / duration)) if duration else 0


class ProgressEvent(models.Model):
    """One player event as sent by the browser; (student, client_event_id) de-duplicates replays."""

    class Kind(models.TextChoices):
        PLAY = "play", "Play"
        PAUSE = "pause", "Pause"
        SEEK = "seek", "Seek"
        HEARTBEAT = "heartbeat", "Playing (heartbeat)"
        MILESTONE = "milestone", "Milestone"
        ENDED = "ended", "Ended"

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    client_event_id = models.UUIDField()
    session_id = models.CharField(max_length=64, help_text="One page view of the player")
    sequence = models.PositiveIntegerField(help_text="Order within the session (client counter)")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    position_seconds = models.FloatField()
    from_seconds = models.FloatField(null=True, blank=True, help_text="Seek origin")
    milestone = models.PositiveSmallIntegerField(null=True, blank=True)
    playback_rate = models.FloatField(default=1)
    client_time = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()
    tenant_policy = student_rows_policy("received_at")

    class Meta:
        ordering = ["session_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["student", "client_event_id"], name="unique_progress_event_id"),
            # a replayed batch with fresh ids cannot re-use a session's sequence numbers
            models.UniqueConstraint(fields=["student", "lesson", "session_id", "sequence"],
                                    name="unique_progress_event_sequence"),
        ]
        indexes = [models.Index(fields=["student", "lesson", "session_id", "sequence"])]

    def __str__(self) -> str:
        return f"{self.kind}@{self.position_seconds:.1f}"


class QuizAttempt(models.Model):
    """One answer to one quiz question; immediate quiz and later re-quiz are kept apart by `kind`."""

    class Kind(models.TextChoices):
        IMMEDIATE = "immediate", "Straight after the lesson"
        REQUIZ = "requiz", "Re-quiz a few days later"

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(QuizQuestion, on_delete=models.CASCADE, related_name="attempts")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.IMMEDIATE)
    chosen = models.TextField()
    is_correct = models.BooleanField()
    client_event_id = models.UUIDField(null=True, blank=True)
    answered_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()
    tenant_policy = student_rows_policy("answered_at")

    class Meta:
        ordering = ["answered_at"]
        constraints = [
            # the first answer counts; a second click on the same question is not a second attempt
            models.UniqueConstraint(fields=["student", "question", "kind"], name="one_quiz_attempt_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} q{self.question_id} {'✓' if self.is_correct else '✗'}"


class ReQuiz(models.Model):
    """A short retention check on the same lesson, released by Celery beat a few days later."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="requizzes")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    lesson_request = models.ForeignKey(LessonRequest, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+")
    due_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True, help_text="Set by the beat task")
    completed_at = models.DateTimeField(null=True, blank=True)
    correct = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveSmallIntegerField(default=0)

    objects = TenantManager()
    tenant_policy = student_rows_policy("due_at")

    class Meta:
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["student", "lesson"], name="one_requiz_per_lesson")]
        indexes = [models.Index(fields=["released_at", "due_at"])]

    def __str__(self) -> str:
        return f"Re-quiz {self.lesson_id} for {self.student_id} due {self.due_at:%Y-%m-%d}"


class ProblemReport(models.Model):
    """"Report a problem" on a lesson; visible to the student's teachers."""

    class Reason(models.TextChoices):
        WRONG = "wrong", "Something is wrong or confusing"
        VIDEO = "video", "The video or sound doesn't work"
        INAPPROPRIATE = "inappropriate", "Something is inappropriate"
        OTHER = "other", "Something else"

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="problem_reports")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="problem_reports")
    lesson_request = models.ForeignKey(LessonRequest, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    details = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()
    tenant_policy = student_rows_policy("created_at")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on lesson {self.lesson_id}"
