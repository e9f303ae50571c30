"""District → School → Classroom → Enrollment: the tenant tree every other app hangs off."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import slugify

from .tenancy import Role, TenantManager, TenantPolicy


class Subject(models.TextChoices):
    PHYSICS = "physics", "Physics"
    CHEMISTRY = "chemistry", "Chemistry"
    BIOLOGY = "biology", "Biology"
    COMPUTER_SCIENCE = "computer_science", "Computer Science"


class GradeBand(models.TextChoices):
    MIDDLE = "6-8", "Grades 6–8"
    LOWER_HIGH = "9-10", "Grades 9–10"
    UPPER_HIGH = "11-12", "Grades 11–12"


def grade_band_for(grade: int | None) -> str:
    if grade is None or grade >= 11:
        return GradeBand.UPPER_HIGH
    if grade >= 9:
        return GradeBand.LOWER_HIGH
    return GradeBand.MIDDLE


class District(models.Model):
    """The organization (tenant): a school district that signs the contract."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    domain = models.CharField(max_length=200, unique=True, help_text="Staff email domain, e.g. davidsonschools.org")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(district="pk", school="schools", teacher=lambda u: Q(), student=lambda u: Q())

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    domain = models.CharField(max_length=200, unique=True, help_text="Email domain, e.g. hillsboro.edu")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(
        district="district", school="pk",
        teacher=lambda u: Q(pk=u.school_id), student=lambda u: Q(pk=u.school_id),
    )

    class Meta:
        ordering = ["district__name", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "slug"], name="unique_school_slug_per_district")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:80]
        super().save(*args, **kwargs)


JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: codes are read aloud


def make_join_code(prefix: str) -> str:
    """A class join code such as PHYS-4KQ-7ZD."""
    part = lambda: "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(3))  # noqa: E731
    return f"{prefix[:4].upper()}-{part()}-{part()}"


class Classroom(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="classrooms")
    name = models.CharField(max_length=200)
    subject = models.CharField(max_length=32, choices=Subject.choices)
    grade_band = models.CharField(max_length=8, choices=GradeBand.choices, default=GradeBand.LOWER_HIGH)
    period = models.CharField(max_length=40, blank=True)
    teachers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="taught_classrooms", blank=True)
    join_code = models.CharField(max_length=16, unique=True)
    is_archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(
        district="school__district", school="school",
        teacher=lambda u: Q(teachers=u),
        student=lambda u: Q(enrollments__student=u),
    )

    class Meta:
        ordering = ["school__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.school.name})"

    def save(self, *args, **kwargs) -> None:
        if not self.join_code:
            prefix = {"computer_science": "CSCI"}.get(self.subject, self.subject[:4])
            self.join_code = make_join_code(prefix)
        super().save(*args, **kwargs)


class Enrollment(models.Model):
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="enrollments")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(
        district="classroom__school__district", school="classroom__school",
        teacher=lambda u: Q(classroom__teachers=u),
        student=lambda u: Q(student=u),
    )

    class Meta:
        ordering = ["classroom", "student__last_name"]
        constraints = [models.UniqueConstraint(fields=["classroom", "student"], name="unique_enrollment")]

    def __str__(self) -> str:
        return f"{self.student} in {self.classroom.name}"

    def clean(self) -> None:
        super().clean()
        # Only students sit in a class: an admin or teacher on a roster would be in its teachers' reach.
        if self.student_id is not None and self.student.role != Role.STUDENT:
            raise ValidationError({"student": "Only students can be enrolled in a class."})


# --- Teacher tools (issue 9): assignments, needs-help dismissals, lesson oversight -----------------

_CLASS_POLICY = {"district": "classroom__school__district", "school": "classroom__school"}


def _teacher_of_class(user) -> Q:
    return Q(classroom__teachers=user)


class Assignment(models.Model):
    """A topic (textbook section) set for a class, or for chosen students of it, with a due date."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="assignments")
    topic = models.ForeignKey("ingestion.Topic", on_delete=models.PROTECT, related_name="assignments")
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assignments",
        help_text="Leave empty to assign the whole class.")
    due_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(
        **_CLASS_POLICY, teacher=_teacher_of_class,
        student=lambda u: Q(classroom__enrollments__student=u) & (Q(students=u) | Q(students__isnull=True)),
    )

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["classroom", "due_at"])]

    def __str__(self) -> str:
        return f"{self.topic_id} for {self.classroom_id} due {self.due_at:%Y-%m-%d}"


class SignalKind(models.TextChoices):
    REPEATED_QUESTION = "repeated_question", "Asked about the same concept 3 times"
    STOPS_HALFWAY = "stops_halfway", "Stops most videos halfway"
    FAILED_QUIZ = "failed_quiz", "Failed the quiz"
    FAILED_REQUIZ = "failed_requiz", "Failed the re-quiz"
    INACTIVE = "inactive", "No activity for 7 days"
    LOW_ENGAGEMENT = "low_engagement", "Engagement under 30% of the class average"
    REPORTED_PROBLEM = "reported_problem", "Reported a problem"


class SignalDismissal(models.Model):
    """A teacher dismissed one needs-help signal. Signals are computed; only dismissals are stored.

    `fingerprint` names the evidence (e.g. the topic or the latest event time), so a new
    occurrence of the same kind fires again after a dismissal.
    """

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="signal_dismissals")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=SignalKind.choices)
    fingerprint = models.CharField(max_length=120)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    dismissed_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(**_CLASS_POLICY, teacher=_teacher_of_class)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["classroom", "student", "kind", "fingerprint"],
                                               name="unique_signal_dismissal")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.student_id} dismissed"


class LessonBlock(models.Model):
    """A topic–interest pairing a teacher blocked for their class: no new lessons framed that way."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="lesson_blocks")
    topic = models.ForeignKey("ingestion.Topic", on_delete=models.CASCADE, related_name="+")
    interest = models.ForeignKey("accounts.Interest", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(**_CLASS_POLICY, teacher=_teacher_of_class,
                                 student=lambda u: Q(classroom__enrollments__student=u))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["classroom", "topic", "interest"],
                                               name="unique_lesson_block")]

    def __str__(self) -> str:
        return f"block {self.topic_id}×{self.interest_id} in {self.classroom_id}"


class PinnedLesson(models.Model):
    """A lesson a teacher reviewed and pinned: the class reuses it for this topic."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="pinned_lessons")
    topic = models.ForeignKey("ingestion.Topic", on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey("content.Lesson", on_delete=models.CASCADE, related_name="pins")
    pinned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  related_name="+")
    note = models.CharField(max_length=300, blank=True)
    pinned_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(**_CLASS_POLICY, teacher=_teacher_of_class,
                                 student=lambda u: Q(classroom__enrollments__student=u))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["classroom", "topic"], name="one_pinned_lesson_per_topic")]

    def __str__(self) -> str:
        return f"lesson {self.lesson_id} pinned for {self.topic_id} in {self.classroom_id}"
