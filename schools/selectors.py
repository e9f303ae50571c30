"""Read side of the teacher tools, always scoped with `visible_to(user)`.

Pages fetch classes and students here so "another teacher's class" and "a student outside my
classes" answer 404, exactly like a missing row. The lesson pipeline calls `pinned_lesson_for`,
`is_pairing_blocked` and `blocked_interest_ids_for` before reusing or generating a lesson.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from content.models import Assignment, LessonBlock, PinnedLesson
from teaching.models import SignalDismissal

from .models import Classroom, Enrollment

if TYPE_CHECKING:
    from accounts.models import User


def classes_for(user: User, *, archived: bool = False) -> QuerySet[Classroom]:
    """The classes a user may see (a teacher: their own), with student counts; one query."""
    return (Classroom.objects.visible_to(user).filter(is_archived=archived)
            .select_related("school")
            .annotate(student_count=Count("enrollments", distinct=True))
            .order_by("name"))


def get_class_for(user: User, pk: int | str) -> Classroom:
    """One visible class (archived included) or Http404."""
    return Classroom.objects.select_related("school", "school__district").get_visible_or_404(user, pk=pk)


def teachers_of(classroom: Classroom) -> list[User]:
    return list(classroom.teachers.order_by("last_name", "first_name"))


def roster(classroom: Classroom) -> list[User]:
    """Enrolled students of a class, by name; one query."""
    from accounts.models import User

    return list(User.objects.filter(enrollments__classroom=classroom).order_by(
        "last_name", "first_name", "email"))


def pending_invitations(classroom: Classroom) -> QuerySet:
    """Open invitations (not accepted, revoked or expired) to this class."""
    from django.utils import timezone

    from accounts.models import Invitation

    return Invitation.objects.filter(classroom=classroom, accepted_at__isnull=True, revoked_at__isnull=True,
                                     expires_at__gt=timezone.now()).order_by("email")


def get_student_in_class(user: User, classroom: Classroom, student_pk: int | str) -> User:
    """A student enrolled in `classroom` (which `user` may see), or Http404."""
    from accounts.models import User

    try:
        return User.objects.visible_to(user).get(pk=student_pk, enrollments__classroom=classroom)
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No student matches the given query.") from exc


def assignments_for_class(classroom: Classroom) -> list[Assignment]:
    """Assignments with their topic and chosen students; two queries."""
    return list(Assignment.objects.filter(classroom=classroom)
                .select_related("topic", "topic__chapter", "topic__chapter__book")
                .prefetch_related(Prefetch("students", to_attr="chosen_students"))
                .order_by("due_at", "pk"))


def dismissed_fingerprints(classroom: Classroom) -> set[tuple[int, str, str]]:
    """{(student_pk, kind, fingerprint)} a teacher dismissed in this class; one query."""
    return set(SignalDismissal.objects.filter(classroom=classroom)
               .values_list("student_id", "kind", "fingerprint"))


def blocks_for_class(classroom: Classroom) -> QuerySet[LessonBlock]:
    return (LessonBlock.objects.filter(classroom=classroom)
            .select_related("topic", "interest", "created_by").order_by("-created_at"))


# --- for the lesson pipeline ---------------------------------------------------------------------

def pinned_lesson_for(classroom: Classroom, topic):
    """The lesson pinned for this class and topic, or None."""
    pin = (PinnedLesson.objects.filter(classroom=classroom, topic_id=getattr(topic, "pk", topic))
           .select_related("lesson").first())
    return pin.lesson if pin else None


def pinned_lesson_for_student(*, student: User, topic):
    """The pinned lesson a student should get for `topic` (from any live class of theirs), or None.

    When two classes pin different lessons the most recent pin wins.
    """
    pin = (PinnedLesson.objects.filter(classroom__enrollments__student=student, classroom__is_archived=False,
                                       topic_id=getattr(topic, "pk", topic), lesson__stage="ready")
           .select_related("lesson").order_by("-pinned_at").first())
    return pin.lesson if pin else None


def is_pairing_blocked(*, student: User, topic, interest) -> bool:
    """True when a class the student is enrolled in blocked this topic–interest pairing.

    `topic` and `interest` may be model instances or primary keys.
    """
    topic_pk = getattr(topic, "pk", topic)
    interest_pk = getattr(interest, "pk", interest)
    if topic_pk is None or interest_pk is None:
        return False
    return LessonBlock.objects.filter(
        classroom__enrollments__student=student, classroom__is_archived=False,
        topic_id=topic_pk, interest_id=interest_pk).exists()


def blocked_interest_ids_for(*, student: User, topic) -> set[int]:
    """Interests the student's classes blocked for this topic (pick the next-ranked interest)."""
    return set(LessonBlock.objects.filter(
        classroom__enrollments__student=student, classroom__is_archived=False,
        topic_id=getattr(topic, "pk", topic)).values_list("interest_id", flat=True))


def classes_of_student(student: User) -> QuerySet[Classroom]:
    return Classroom.objects.filter(enrollments__student=student, is_archived=False)


def enrolled_student_ids(classroom: Classroom) -> list[int]:
    return list(Enrollment.objects.filter(classroom=classroom).values_list("student_id", flat=True))


def student_visible_q(user: User) -> Q:
    """Q over `student` for rows about students this user may see (for content rows)."""
    from accounts.models import User

    return Q(student__in=User.objects.visible_to(user).values("pk"))


# --- the class page ------------------------------------------------------------------------------

@dataclass
class ClassReport:
    """Everything the class page (and its CSV export) shows, built in a fixed number of queries."""

    classroom: Classroom
    students: list
    progress: list
    heatmap: object
    assignments: list
    signals: list
    signals_by_student: dict = field(default_factory=dict)
    topic_titles: dict = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.students


def class_report(classroom: Classroom, *, now: datetime | None = None) -> ClassReport:
    """Roster, per-student progress, heatmap, assignment completion and needs-help signals."""
    from ingestion.models import Topic

    from . import analytics
    from .activity import load_facts

    now = now or timezone.now()
    enrollments = list(Enrollment.objects.filter(classroom=classroom).select_related("student")
                       .order_by("student__last_name", "student__first_name", "student__email"))
    students = [e.student for e in enrollments]
    facts = load_facts([s.pk for s in students], classroom=classroom)
    assignments = assignments_for_class(classroom)
    heat_ids = analytics.heatmap_topic_ids(facts, [a.topic_id for a in assignments])
    other_ids = {r.topic_id for r in facts.requests} | {p.topic_id for p in facts.problems}
    topics = {t.pk: t for t in Topic.objects.filter(pk__in={*heat_ids, *other_ids} - {None})
              .select_related("chapter")}
    titles = {pk: t.title for pk, t in topics.items()}
    signals = analytics.needs_help_signals(
        students=students, facts=facts, now=now, topic_titles=titles,
        enrolled_at={e.student_id: e.joined_at for e in enrollments},
        dismissed=dismissed_fingerprints(classroom))
    by_student: dict[int, list] = {}
    for signal in signals:
        by_student.setdefault(signal.student_id, []).append(signal)
    return ClassReport(
        classroom=classroom, students=students,
        progress=analytics.student_progress(students, facts),
        heatmap=analytics.heatmap(students, [topics[pk] for pk in heat_ids if pk in topics], facts),
        assignments=analytics.assignment_completion(assignments, [s.pk for s in students], facts),
        signals=signals, signals_by_student=by_student, topic_titles=titles)


def roster_queryset(classroom: Classroom) -> QuerySet:
    from accounts.models import User

    return User.objects.filter(enrollments__classroom=classroom).order_by("last_name", "first_name", "email")


def pins_for_class(classroom: Classroom) -> QuerySet[PinnedLesson]:
    return (PinnedLesson.objects.filter(classroom=classroom)
            .select_related("topic", "lesson", "pinned_by").order_by("-pinned_at"))


# --- safety events and lesson oversight -----------------------------------------------------------

def safety_events_for_teacher(user: User) -> QuerySet:
    """Refused or flagged requests by students in the teacher's classes, newest first."""
    from content.models import SafetyEvent

    return SafetyEvent.objects.visible_to(user).select_related("student").order_by("-created_at")


def safety_events_for_class(classroom: Classroom) -> QuerySet:
    """Safety events of the class's students while in it (the caller fetched it through `get_class_for`)."""
    from content.models import SafetyEvent

    from .activity import while_enrolled

    return (SafetyEvent.objects.filter(while_enrolled(classroom, "created_at"))
            .select_related("student").order_by("-created_at"))


def lessons_received(classroom: Classroom) -> QuerySet:
    """Lesson requests this class's students made while in it that resolved to a lesson, newest first."""
    from content.models import LessonRequest

    from .activity import while_enrolled

    return (LessonRequest.objects.filter(while_enrolled(classroom, "created_at"), lesson__isnull=False)
            .select_related("student", "lesson", "topic").order_by("-created_at"))


@dataclass
class LessonOversight:
    lesson: object
    scenes: list
    quiz: list
    receivers: list  # LessonRequest rows of this class's students that got the lesson
    interests: list  # Interest rows the lesson was framed around for these students
    pin: PinnedLesson | None
    blocks: list

    @property
    def citations(self) -> list[dict]:
        """Citations as {"text", "url", "ref"} whatever shape the pipeline stored them in."""
        out = []
        for item in self.lesson.citations or []:
            if isinstance(item, dict):
                text = item.get("citation") or item.get("title") or item.get("section") or item.get("url") or ""
                out.append({"text": str(text), "url": item.get("url") or "", "ref": item.get("id") or ""})
            else:
                out.append({"text": str(item), "url": "", "ref": ""})
        return out

    @property
    def quality_items(self) -> list[tuple[str, object]]:
        """Quality scores as (readable name, value) pairs."""
        quality = self.lesson.quality if isinstance(self.lesson.quality, dict) else {}
        return [(str(k).replace("_", " ").capitalize(), v) for k, v in quality.items()]


def lesson_for_class(classroom: Classroom, lesson_pk: int | str) -> LessonOversight:
    """A lesson one of the class's students received, with everything the teacher reviews; else 404."""
    from accounts.models import Interest
    from content.models import Lesson, LessonRequest

    from .activity import while_enrolled

    try:
        lesson = (Lesson.objects.select_related("topic", "topic__chapter", "topic__chapter__book")
                  .prefetch_related("scenes", "quiz_questions").get(pk=lesson_pk))
    except (Lesson.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No lesson matches the given query.") from exc
    receivers = list(LessonRequest.objects.filter(while_enrolled(classroom, "created_at"), lesson=lesson)
                     .select_related("student", "interest").order_by("-created_at"))
    pin = PinnedLesson.objects.filter(classroom=classroom, topic_id=lesson.topic_id).first()
    if not receivers and (pin is None or pin.lesson_id != lesson.pk):
        raise Http404("No lesson matches the given query.")
    interests = {r.interest.pk: r.interest for r in receivers if r.interest is not None}
    if not interests and lesson.interest:
        interests = {i.pk: i for i in Interest.objects.filter(name__iexact=lesson.interest)}
    blocks = list(LessonBlock.objects.filter(classroom=classroom, topic_id=lesson.topic_id)
                  .select_related("interest"))
    return LessonOversight(lesson=lesson, scenes=list(lesson.scenes.all()), quiz=list(lesson.quiz_questions.all()),
                           receivers=receivers, interests=list(interests.values()), pin=pin, blocks=blocks)


@dataclass
class StudentReport:
    progress: object
    timeline: list
    signals: list
    heat_cells: list
    topics: list


def student_report(classroom: Classroom, student: User, *, now: datetime | None = None) -> StudentReport:
    """One student's progress row, needs-help signals and activity timeline (for the detail page)."""
    from ingestion.models import Topic

    from . import analytics
    from .activity import load_facts

    now = now or timezone.now()
    facts = load_facts([student.pk], classroom=classroom)
    topic_ids = {w.topic_id for w in facts.watches} | {q.topic_id for q in facts.quizzes} | {
        r.topic_id for r in facts.requests} | {p.topic_id for p in facts.problems}
    topics = {t.pk: t for t in Topic.objects.filter(pk__in=topic_ids - {None}).select_related("chapter")}
    titles = {pk: t.title for pk, t in topics.items()}
    joined = Enrollment.objects.filter(classroom=classroom, student=student).values_list("joined_at", flat=True)
    heat_ids = analytics.heatmap_topic_ids(facts, [])
    grid = analytics.heatmap([student], [topics[pk] for pk in heat_ids if pk in topics], facts)
    return StudentReport(
        progress=analytics.student_progress([student], facts)[0],
        timeline=analytics.timeline(facts, titles),
        signals=analytics.needs_help_signals(students=[student], facts=facts, now=now, topic_titles=titles,
                                             enrolled_at={student.pk: joined.first()},
                                             dismissed=dismissed_fingerprints(classroom)),
        heat_cells=list(zip(grid.topics, grid.rows[0][1], strict=True)) if grid.rows else [],
        topics=grid.topics)
