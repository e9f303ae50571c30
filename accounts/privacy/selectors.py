"""Read side of privacy: ages, consent, residency, retention windows and a student's records."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from schools.tenancy import Role

from .models import ConsentRecord, DistrictPrivacySettings

COPPA_AGE = 13


def age_of(student, *, today: date | None = None) -> int | None:
    """Age in years from date_of_birth, else estimated as grade + 5; None when neither is known."""
    today = today or timezone.localdate()
    if student.date_of_birth:
        dob = student.date_of_birth
        return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
    if student.grade_level:
        return student.grade_level + 5
    return None


def is_under_13(student) -> bool:
    """Under-13 by date of birth, else by grade + 5; an unknown age is treated as under 13 (safer)."""
    age = age_of(student)
    return age is None or age < COPPA_AGE


def has_consent(student) -> bool:
    return ConsentRecord.objects.filter(student=student, revoked_at__isnull=True).exists()


def privacy_settings_for(district_id: int | None) -> DistrictPrivacySettings | None:
    if not district_id:
        return None
    return DistrictPrivacySettings.objects.filter(district_id=district_id).first()


def must_use_local_providers(district) -> bool:
    """True when the district (object or id) chose AI data residency: generation stays on local providers."""
    district_id = getattr(district, "pk", district)
    if not district_id:
        return False
    return DistrictPrivacySettings.objects.filter(district_id=district_id, ai_data_residency=True).exists()


def retention_days(key: str, district_id: int | None = None) -> int | None:
    """Days a kind of record is kept (RETENTION_SCHEDULE, shortened by a district override)."""
    entry = settings.RETENTION_SCHEDULE[key]
    days = entry.get("days")
    settings_row = privacy_settings_for(district_id)
    if settings_row and key in (settings_row.retention_overrides or {}):
        override = int(settings_row.retention_overrides[key])
        days = override if days is None else min(days, override)
    return days


def progress_cutoff(district_id: int) -> date | None:
    """Progress of a district is purged once its contract ended + the schedule's grace days."""
    row = privacy_settings_for(district_id)
    if row is None or row.contract_ends_on is None:
        return None
    return row.contract_ends_on + timedelta(days=retention_days("progress", district_id) or 0)


def pseudonym_for(user_id: int) -> str:
    """A stable pseudonymous id for a (deleted) user: HMAC-SHA256 of the id with the secret key."""
    return hmac.new(settings.SECRET_KEY.encode(), f"user:{user_id}".encode(), hashlib.sha256).hexdigest()


def soft_deleted_students(*, older_than_days: int | None = None):
    from accounts.models import User

    rows = User.objects.filter(deleted_at__isnull=False, role=Role.STUDENT)
    if older_than_days is not None:
        rows = rows.filter(deleted_at__lte=timezone.now() - timedelta(days=older_than_days))
    return rows


def lessons_only_for(student) -> tuple[list[int], list[int]]:
    """(lesson ids only this student received, lesson ids shared with others/pinned) for the student."""
    from content.models import Lesson, LessonProgress, LessonRequest, PinnedLesson

    mine = set(LessonRequest.objects.filter(student=student, lesson__isnull=False).values_list("lesson_id", flat=True))
    mine |= set(LessonProgress.objects.filter(student=student).values_list("lesson_id", flat=True))
    shared = set(LessonRequest.objects.filter(lesson_id__in=mine).exclude(student=student)
                 .values_list("lesson_id", flat=True))
    shared |= set(LessonProgress.objects.filter(lesson_id__in=mine).exclude(student=student)
                  .values_list("lesson_id", flat=True))
    shared |= set(PinnedLesson.objects.filter(lesson_id__in=mine).values_list("lesson_id", flat=True))
    existing = set(Lesson.objects.filter(pk__in=mine).values_list("pk", flat=True))
    return sorted(existing - shared), sorted(existing & shared)
