"""Tenant policies shared by the student-owned rows of the content app."""

from __future__ import annotations

from django.db.models import F, Q

from schools.tenancy import TenantPolicy


def teacher_sees_student_rows(prefix: str, since: str):
    """Q for rows a student made while enrolled in a class the teacher teaches: not what they did
    before joining it (issue 15, finding 9). One filter() call, so both conditions use one enrolment."""
    return lambda user: Q(**{f"{prefix}enrollments__classroom__teachers": user,
                             f"{since}__gte": F(f"{prefix}enrollments__joined_at")})


def student_rows_policy(since: str) -> TenantPolicy:
    """A student's own rows; their teachers see only what was done while in the teacher's class
    (`since` is the row's time field, compared with that enrolment's joined_at)."""
    return TenantPolicy(
        district="student__district", school="student__school",
        teacher=teacher_sees_student_rows("student__", since),
        student=lambda user: Q(student=user),
    )
