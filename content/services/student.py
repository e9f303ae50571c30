"""Write side of the student experience: onboarding (interests, grade, class join)."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Interest, StudentInterest, User
from accounts.privacy import selectors as privacy
from content.models import LessonRequest
from content.selectors.student import other_sections
from content.services import requests as pipeline
from content.writers.reading import simpler_question
from schools.models import Classroom, Enrollment


class JoinClassError(ValueError):
    """A class code that cannot be used (unknown, archived, other district, already joined)."""


def normalise_join_code(raw: str) -> str:
    """`phys 4kq 7zd` / `phys4kq7zd` → `PHYS-4KQ-7ZD` (the stored format)."""
    compact = "".join(ch for ch in raw.upper() if ch.isalnum())
    if len(compact) < 7:
        return raw.strip().upper()
    return f"{compact[:-6]}-{compact[-6:-3]}-{compact[-3:]}"


class GradeChangeRefused(ValueError):
    """A grade a student may not give themselves (it would lift the under-13 consent requirement)."""


def _lifts_consent_requirement(student: User, grade_level: int) -> bool:
    """True when the school's recorded grade makes the student under 13 without consent and the new
    grade would not: the age estimate from a grade is the school's to change, not the student's."""

    if student.grade_level is None or student.date_of_birth or not privacy.is_under_13(student):
        return False
    if privacy.has_consent(student):
        return False
    recorded = student.grade_level
    student.grade_level = grade_level
    try:
        return not privacy.is_under_13(student)
    finally:
        student.grade_level = recorded


@transaction.atomic
def save_interests(*, student: User, interests: list[Interest], grade_level: int) -> None:
    """Replace the student's ranked interests (first = favourite) and confirm their grade."""
    if student.grade_level != grade_level and _lifts_consent_requirement(student, grade_level):
        raise GradeChangeRefused(f"Your school has you in grade {student.grade_level}. "
                                 "Ask your teacher if that's wrong.")
    StudentInterest.objects.filter(student=student).delete()
    StudentInterest.objects.bulk_create(
        StudentInterest(student=student, interest=interest, rank=rank)
        for rank, interest in enumerate(interests, start=1)
    )
    if student.grade_level != grade_level:
        student.grade_level = grade_level
        student.save(update_fields=["grade_level", "updated_at"])


@transaction.atomic
def join_class(*, student: User, code: str) -> Classroom:
    """Enrol the student in the class with this join code (same district only; case-insensitive)."""
    normalised = normalise_join_code(code)
    classroom = (Classroom.objects.select_related("school")
                 .filter(join_code__iexact=normalised, is_archived=False,
                         school__district_id=student.district_id).first())
    if classroom is None:
        # Same answer for unknown, archived and other-district codes: codes are not a directory.
        raise JoinClassError("We couldn't find a class with that code. Check it with your teacher.")
    _, created = Enrollment.objects.get_or_create(classroom=classroom, student=student)
    if not created:
        raise JoinClassError(f"You're already in {classroom.name}.")
    return classroom


# --- asking for lessons (delegates to the lesson pipeline's services) ------------------------------

def ask_vividly(*, student: User, question: str, interest: Interest | None = None,
                topic_id: int | None = None, interest_text: str = "") -> LessonRequest:
    """Start (or reuse) a lesson through the pipeline, which enqueues generation on commit.

    `interest_text` is an interest the student typed (used when no catalogue `interest` is given)."""

    lesson_request, _ = pipeline.create_lesson_request(
        student=student, question=question, interest=interest.slug if interest else (interest_text or None),
        topic_id=topic_id)
    return lesson_request


def _typed_interest(lesson_request: LessonRequest) -> str:
    """The interest the student typed for a request (none when it was a catalogue interest)."""
    return "" if lesson_request.interest_id else lesson_request.interest_name


def retry_request(*, student: User, lesson_request: LessonRequest) -> LessonRequest:
    """A fresh request with the same question, interest and topic as a failed one."""
    return ask_vividly(student=student, question=lesson_request.question, interest=lesson_request.interest,
                       topic_id=lesson_request.topic_id, interest_text=_typed_interest(lesson_request))


def make_simpler(*, student: User, lesson_request: LessonRequest) -> LessonRequest:
    """The same question and section as a new lesson written for a lower reading grade (the writer
    aims `reading.SIMPLER_STEP` grades lower when the question carries `reading.SIMPLER_PREFIX`)."""

    return ask_vividly(student=student, question=simpler_question(lesson_request.question),
                       interest=lesson_request.interest, topic_id=lesson_request.topic_id,
                       interest_text=_typed_interest(lesson_request))


def try_other_section(*, student: User, lesson_request: LessonRequest, topic_id: int) -> LessonRequest:
    """The same question answered from another section offered for it: the student's pick, which the
    lesson then teaches on its own (`content.pipeline.evidence`). Only offered sections are accepted."""
    if topic_id not in {c.get("topic_id") for c in other_sections(lesson_request)}:
        raise pipeline.InvalidQuestion("Pick one of the sections offered for this question.")
    return ask_vividly(student=student, question=lesson_request.question, interest=lesson_request.interest,
                       topic_id=topic_id, interest_text=_typed_interest(lesson_request))


def try_another_interest(*, student: User, lesson_request: LessonRequest, interest: Interest) -> LessonRequest:
    """The same section framed with another of the student's interests (a new or reused lesson)."""
    return ask_vividly(student=student, question=lesson_request.question, interest=interest,
                       topic_id=lesson_request.topic_id)
