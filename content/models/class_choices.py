"""What a teacher chooses for a class (issue 9): assignments, and pins and blocks that steer which
lesson the class's students get (`content.selectors.class_choices`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from schools.tenancy import TenantManager, class_policy

from .lessons import Lesson


class Assignment(models.Model):
    """A topic (textbook section) set for a class, or for chosen students of it, with a due date."""

    classroom = models.ForeignKey("schools.Classroom", on_delete=models.CASCADE, related_name="assignments")
    topic = models.ForeignKey("ingestion.Topic", on_delete=models.PROTECT, related_name="assignments")
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assignments", db_table="schools_assignment_students",
        help_text="Leave empty to assign the whole class.")
    due_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()
    tenant_policy = class_policy(
        student=lambda u: Q(classroom__enrollments__student=u) & (Q(students=u) | Q(students__isnull=True)))

    class Meta:
        db_table = "schools_assignment"  # created by schools; moved here in issue 16
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["classroom", "due_at"])]

    def __str__(self) -> str:
        return f"{self.topic_id} for {self.classroom_id} due {self.due_at:%Y-%m-%d}"


class LessonBlock(models.Model):
    """A topic–interest pairing a teacher blocked for their class: no new lessons framed that way."""

    classroom = models.ForeignKey("schools.Classroom", on_delete=models.CASCADE, related_name="lesson_blocks")
    topic = models.ForeignKey("ingestion.Topic", on_delete=models.CASCADE, related_name="+")
    interest = models.ForeignKey("accounts.Interest", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()
    tenant_policy = class_policy(student=lambda u: Q(classroom__enrollments__student=u))

    class Meta:
        db_table = "schools_lessonblock"
        constraints = [models.UniqueConstraint(fields=["classroom", "topic", "interest"],
                                               name="unique_lesson_block")]

    def __str__(self) -> str:
        return f"block {self.topic_id}×{self.interest_id} in {self.classroom_id}"


class PinnedLesson(models.Model):
    """A lesson a teacher reviewed and pinned: the class reuses it for this topic."""

    classroom = models.ForeignKey("schools.Classroom", on_delete=models.CASCADE, related_name="pinned_lessons")
    topic = models.ForeignKey("ingestion.Topic", on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="pins")
    pinned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  related_name="+")
    note = models.CharField(max_length=300, blank=True)
    pinned_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()
    tenant_policy = class_policy(student=lambda u: Q(classroom__enrollments__student=u))

    class Meta:
        db_table = "schools_pinnedlesson"
        constraints = [models.UniqueConstraint(fields=["classroom", "topic"], name="one_pinned_lesson_per_topic")]

    def __str__(self) -> str:
        return f"lesson {self.lesson_id} pinned for {self.topic_id} in {self.classroom_id}"
