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
