"""Load what a set of students did (content app rows) as analytics facts, in four queries.

The content app owns the rows (LessonRequest, LessonProgress, QuizAttempt, ProblemReport);
this module only reads them, aggregated in SQL, so the cost does not grow with the number of
progress events per student.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce

from content.models import LessonProgress, LessonRequest, ProblemReport, QuizAttempt
from content.models.progress import watched_share
from teaching.analytics import ClassFacts, ProblemFact, QuizFact, RequestFact, WatchFact

if TYPE_CHECKING:
    from schools.models import Classroom


def while_enrolled(classroom: Classroom, time_field: str, prefix: str = "student__") -> Q:
    """Rows made while their student was in `classroom` (at or after joining it): what the class's
    teachers may see of a student, not their history elsewhere (issue 15, finding 9). Use it in one
    filter() call so both conditions apply to the same enrolment."""
    return Q(**{f"{prefix}enrollments__classroom": classroom,
                f"{time_field}__gte": F(f"{prefix}enrollments__joined_at")})


def load_facts(student_ids: Sequence[int], *, since: datetime | None = None,
               classroom: Classroom | None = None) -> ClassFacts:
    """Facts for these students; four queries. `since`: only activity after it; `classroom`: only
    activity while each student was enrolled in that class (what its teachers may see)."""

    ids = list(student_ids)
    if not ids:
        return ClassFacts()
    progress = LessonProgress.objects.filter(student_id__in=ids).annotate(
        at=Coalesce("last_event_at", "started_at"))
    requests = LessonRequest.objects.filter(student_id__in=ids)
    attempts = QuizAttempt.objects.filter(student_id__in=ids)
    problems = ProblemReport.objects.filter(student_id__in=ids, resolved_at__isnull=True)
    if classroom is not None:
        progress = progress.filter(while_enrolled(classroom, "started_at"))
        requests = requests.filter(while_enrolled(classroom, "created_at"))
        attempts = attempts.filter(while_enrolled(classroom, "answered_at"))
        problems = problems.filter(while_enrolled(classroom, "created_at"))
    if since is not None:
        progress = progress.filter(at__gte=since)
        requests = requests.filter(created_at__gte=since)
        attempts = attempts.filter(answered_at__gte=since)
        problems = problems.filter(created_at__gte=since)

    watches = []
    for row in progress.values("student_id", "lesson_id", "lesson__topic_id", "at", "watched_seconds",
                               "watched_ranges", "max_milestone", "completed_at", "lesson__duration_seconds"):
        duration = row["lesson__duration_seconds"] or 0
        fraction = watched_share(row["watched_ranges"], duration) if duration else row["max_milestone"] / 100
        watches.append(WatchFact(
            student_id=row["student_id"], lesson_id=row["lesson_id"], topic_id=row["lesson__topic_id"],
            at=row["at"], seconds_watched=row["watched_seconds"],
            furthest_fraction=max(fraction, row["max_milestone"] / 100),
            completed=row["completed_at"] is not None))

    quizzes = [
        QuizFact(student_id=row["student_id"], lesson_id=row["lesson_id"], topic_id=row["topic_id"],
                 at=row["at"], score=row["correct"] / row["total"], is_requiz=row["kind"] == "requiz")
        for row in attempts.values("student_id", "lesson_id", "kind")
        .annotate(topic_id=F("lesson__topic_id"), at=Max("answered_at"), total=Count("pk"),
                  correct=Count("pk", filter=Q(is_correct=True)))
        .order_by()
    ]

    request_facts = [
        RequestFact(student_id=row["student_id"], topic_id=row["topic_id"], question=row["question"],
                    at=row["created_at"], status=row["status"], lesson_id=row["lesson_id"])
        for row in requests.values("student_id", "topic_id", "question", "created_at", "status", "lesson_id")
    ]

    reasons = dict(ProblemReport.Reason.choices)
    problem_facts = [
        ProblemFact(pk=row["pk"], student_id=row["student_id"], lesson_id=row["lesson_id"],
                    topic_id=row["lesson__topic_id"], at=row["created_at"],
                    reason=(reasons.get(row["reason"], row["reason"])
                            + (f" — {row['details'][:200]}" if row["details"] else "")))
        for row in problems.values("pk", "student_id", "lesson_id", "lesson__topic_id", "reason", "details",
                                   "created_at")
    ]
    return ClassFacts(watches=watches, quizzes=quizzes, requests=request_facts, problems=problem_facts)
