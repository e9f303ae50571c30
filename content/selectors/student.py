"""Read side of the student pages. Every function is scoped to the student and issues a fixed
number of queries whatever the number of lessons (asserted in content/tests/test_student_queries.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts.models import StudentInterest, User
from content.models import (
    Assignment,
    LessonProgress,
    LessonRequest,
    QuizAttempt,
    RequestStatus,
    ReQuiz,
    lesson_bulk,
)
from ingestion.models import Book, Chapter, Topic
from schools.models import Subject

LIVE_STATUSES = (
    RequestStatus.QUEUED, RequestStatus.UNDERSTANDING, RequestStatus.NEEDS_CHOICE, RequestStatus.SCRIPTING,
    RequestStatus.RENDERING, RequestStatus.NARRATING, RequestStatus.COMPOSING,
)
# The stages a student sees, in order, for the "being made" tracker.
STAGES = [
    (RequestStatus.UNDERSTANDING, "Understanding your question"),
    (RequestStatus.SCRIPTING, "Writing the script"),
    (RequestStatus.NARRATING, "Recording the narration"),
    (RequestStatus.RENDERING, "Drawing the visuals"),
    (RequestStatus.COMPOSING, "Putting the video together"),
]
RECENT_LESSONS = 12
# What lesson cards and panels never show (a lesson's bulky columns, a section's study aids, the
# request's logs): deferred in the list selectors; the lesson page and the API read full rows.
TOPIC_BULK = ("learning_objectives", "key_terms", "glossary", "summary")
CARD_DEFERRED = (*lesson_bulk(), *(f"topic__{name}" for name in TOPIC_BULK),
                 "stage_log", "providers", "module_ids")


def requests_for(student: User) -> QuerySet[LessonRequest]:
    """The student's own lesson requests with what the cards need joined in.

    `filter(student=student)` is exactly the student branch of LessonRequest's tenant policy; it is
    used directly because `visible_to()` adds a DISTINCT that costs a sort on every dashboard query.
    """
    return LessonRequest.objects.filter(student=student).select_related("lesson", "topic__chapter__book")


def cards_for(student: User) -> QuerySet[LessonRequest]:
    """`requests_for` without the columns cards and panels never show (CARD_DEFERRED)."""
    return requests_for(student).defer(*CARD_DEFERRED)


def live_for(student: User) -> QuerySet[LessonRequest]:
    """The student's requests for the "being made" panel: the lesson's card columns, no catalogue joins."""
    return (LessonRequest.objects.filter(student=student).select_related("lesson")
            .defer("stage_log", "providers", "module_ids", *lesson_bulk()))


def _progress_with_lesson(student: User) -> QuerySet[LessonProgress]:
    """The student's progress rows with the lesson's card columns (the student branch of its policy)."""
    return LessonProgress.objects.filter(student=student).select_related("lesson").defer(
        *lesson_bulk())


def get_request_for(student: User, pk: int) -> LessonRequest:
    """The student's request, else 404 (other students' requests included)."""
    return requests_for(student).get_visible_or_404(student, pk=pk)


def stage_steps(request: LessonRequest) -> list[dict]:
    """The tracker steps with done/current/pending state for a live request."""
    order = [s for s, _ in STAGES]
    current = request.status if request.status in order else None
    current_index = order.index(current) if current else (-1 if request.status == RequestStatus.QUEUED else 0)
    steps = []
    for index, (status, label) in enumerate(STAGES):
        state = "done" if index < current_index else "current" if index == current_index else "pending"
        steps.append({"status": status, "label": label, "state": state})
    return steps


@dataclass
class Dashboard:
    live: list = field(default_factory=list)
    recent_problems: list = field(default_factory=list)
    just_ready: list = field(default_factory=list)
    continue_watching: list = field(default_factory=list)
    lessons: list = field(default_factory=list)
    lessons_total: int = 0
    assignments: list = field(default_factory=list)
    subjects: list = field(default_factory=list)
    requizzes: list = field(default_factory=list)
    interests: list = field(default_factory=list)
    streak_days: int = 0
    completed_total: int = 0


def dashboard_for(student: User) -> Dashboard:
    """Everything the dashboard shows, in a fixed number of queries."""
    now = timezone.now()
    board = Dashboard()
    recent = list(live_for(student).filter(
        Q(status__in=LIVE_STATUSES) | Q(status__in=[RequestStatus.FAILED, RequestStatus.REFUSED],
                                        updated_at__gte=now - timezone.timedelta(days=2))
    ).order_by("-created_at")[:10])
    board.live = [r for r in recent if r.status in LIVE_STATUSES]
    board.recent_problems = [r for r in recent if r.status not in LIVE_STATUSES][:3]

    board.lessons = list(cards_for(student).filter(status=RequestStatus.READY, lesson__isnull=False)
                         .order_by("-created_at")[:RECENT_LESSONS])
    board.continue_watching = list(_progress_with_lesson(student).filter(
        completed_at__isnull=True, position_seconds__gt=1, lesson_request__isnull=False).order_by("-last_event_at")[:3])
    progress_by_lesson = {p.lesson_id: p for p in _progress_with_lesson(student).filter(
        lesson_id__in=[r.lesson_id for r in board.lessons])}
    for r in board.lessons:
        r.progress_row = progress_by_lesson.get(r.lesson_id)
    _add_figures(board, student, now)

    board.requizzes = list(ReQuiz.objects.filter(
        student=student, completed_at__isnull=True, due_at__lte=now).select_related("lesson", "lesson_request")
        .defer(*lesson_bulk(), "lesson_request__stage_log",
               "lesson_request__providers")[:3])
    board.assignments = assignments_for(student)
    board.interests = list(StudentInterest.objects.filter(student=student).select_related("interest"))
    return board


def _add_figures(board: Dashboard, student: User, now) -> None:
    """Lessons made, progress by subject, lessons finished and the streak, from two small queries of the
    student's own rows (an aggregate joining the lessons' progress would scan every classmate sharing a lesson)."""
    made = list(LessonRequest.objects.filter(student=student, status=RequestStatus.READY)  # the student's branch
                .values_list("topic_id", "topic__chapter__book__subject", "lesson_id"))
    since = now - timezone.timedelta(days=60)
    progress = list(LessonProgress.objects.filter(student=student)
                    .filter(Q(completed_at__isnull=False) | Q(last_event_at__gte=since))
                    .values_list("lesson_id", "completed_at", "last_event_at"))
    finished = {lesson_id for lesson_id, completed_at, _ in progress if completed_at is not None}
    board.lessons_total = sum(1 for _, _, lesson_id in made if lesson_id is not None)
    board.completed_total = len(finished)
    board.streak_days = _streak([timezone.localdate(at) for _, _, at in progress if at and at >= since], now)
    # Progress per subject: completed lessons / lessons made, by the topic's book subject.
    lessons_by_subject: dict[str, set] = {}
    for topic_id, subject, lesson_id in made:
        if topic_id is not None:
            lessons_by_subject.setdefault(subject, set()).update({lesson_id} - {None})
    labels = dict(Subject.choices)
    order = {key: i for i, key in enumerate(labels)}
    board.subjects = []
    for subject in sorted(lessons_by_subject, key=lambda key: (order.get(key, len(order)), str(key))):
        lessons, done = len(lessons_by_subject[subject]), len(lessons_by_subject[subject] & finished)
        board.subjects.append({"subject": labels.get(subject, "Other"), "made": lessons, "done": done,
                               "percent": round(100 * done / lessons) if lessons else 0})


def _streak(day_list: list, now) -> int:
    """Consecutive days (ending today or yesterday) with any lesson activity."""
    days = set(day_list)
    day = now.date()
    if day not in days:
        day -= timezone.timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timezone.timedelta(days=1)
    return streak


def assignments_for(student: User) -> list:
    """Upcoming assignments of the student's classes."""
    now = timezone.now()
    # The student branch of Assignment's tenant policy, written out so the planner can use the due_at index.
    return list(Assignment.objects
                .filter(classroom__enrollments__student=student, due_at__gte=now - timezone.timedelta(days=7))
                .filter(Q(students=student) | Q(students__isnull=True))
                .select_related("topic__chapter__book", "classroom").distinct().order_by("due_at")[:6])


def received_lessons(student: User) -> list[LessonRequest]:
    """All the student's ready lessons, newest first, with their progress row attached."""
    lessons = list(cards_for(student).filter(status=RequestStatus.READY, lesson__isnull=False)
                   .order_by("-created_at"))
    progress = {p.lesson_id: p for p in LessonProgress.objects.visible_to(student).filter(student=student)
                .select_related("lesson").defer(*lesson_bulk())}
    for r in lessons:
        r.progress_row = progress.get(r.lesson_id)
    return lessons


# --- catalogue -------------------------------------------------------------------------------------

def catalogue_subjects() -> list[dict]:
    """Subjects with their books and active section counts."""
    books = Book.objects.annotate(sections=Count("chapters__topics", filter=Q(chapters__topics__is_active=True)))
    labels = dict(Subject.choices)
    by_subject: dict[str, list] = {}
    for book in books:
        by_subject.setdefault(book.subject, []).append(book)
    return [{"key": key, "label": labels.get(key, key), "books": by_subject[key]}
            for key, _ in Subject.choices if key in by_subject]


def book_with_chapters(slug: str) -> Book:
    book = Book.objects.filter(slug=slug).prefetch_related(
        Prefetch("chapters", queryset=Chapter.objects.annotate(
            sections=Count("topics", filter=Q(topics__is_active=True))))).first()
    if book is None:
        raise Http404("No such book")
    return book


def chapter_with_sections(slug: str, number: int) -> Chapter:
    chapter = (Chapter.objects.select_related("book").filter(book__slug=slug, number=number)
               .prefetch_related(Prefetch("topics", queryset=Topic.objects.filter(is_active=True))).first())
    if chapter is None:
        raise Http404("No such chapter")
    return chapter


def suggest_topics(query: str, limit: int = 6) -> list[Topic]:
    """Catalogue sections matching what the student is typing (title, key terms, objectives)."""
    words = [w for w in query.split() if len(w) > 2][:6]
    if not words:
        return []
    condition = Q()
    for word in words:
        condition |= Q(title__icontains=word) | Q(key_terms__icontains=word)
    matches = (Topic.objects.filter(condition, is_active=True, number__gt=0)
               .select_related("chapter__book")[: limit * 4])
    scored = sorted(matches, key=lambda t: -sum(w.lower() in t.title.lower() for w in words))
    return scored[:limit]


def get_topic(topic_id: int) -> Topic:
    topic = Topic.objects.filter(pk=topic_id, is_active=True).select_related("chapter__book").first()
    if topic is None:
        raise Http404("No such section")
    return topic


def dashboard_for_live(student: User) -> Dashboard:
    """Just the live part of the dashboard (polled by htmx)."""
    now = timezone.now()
    board = Dashboard()
    recent = list(live_for(student).filter(
        Q(status__in=LIVE_STATUSES) | Q(updated_at__gte=now - timezone.timedelta(minutes=10))
    ).order_by("-created_at")[:10])
    board.live = [r for r in recent if r.status in LIVE_STATUSES]
    board.recent_problems = [r for r in recent if r.status in (RequestStatus.FAILED, RequestStatus.REFUSED)][:3]
    board.just_ready = [r for r in recent if r.status == RequestStatus.READY][:3]
    return board


def get_request_or_reused(student: User, pk: int) -> LessonRequest:
    """The student's own request; for another student's request whose lesson this student also has
    (shared through reuse) → the student's own copy; otherwise 404."""
    own = requests_for(student).filter(pk=pk).first()
    if own is not None:
        return own
    lesson_id = LessonRequest.objects.filter(pk=pk).values_list("lesson_id", flat=True).first()
    if lesson_id:
        mine = requests_for(student).filter(lesson_id=lesson_id).order_by("-created_at").first()
        if mine is not None:
            return mine
    raise Http404("No such lesson")


def other_sections(lesson_request: LessonRequest, limit: int = 2) -> list[dict]:
    """The sections retrieval offered for the request's question besides the one its lesson teaches
    ("Not quite what you asked?"); none for a section the student chose from the catalogue."""
    return [c for c in lesson_request.choices or [] if c.get("topic_id") != lesson_request.topic_id][:limit]


def lesson_page(student: User, lesson_request: LessonRequest) -> dict:
    """Scenes, quiz with this student's immediate answers, progress and interests for the lesson page."""

    lesson = lesson_request.lesson
    questions = list(lesson.quiz_questions.all())
    attempts = {a.question_id: a for a in QuizAttempt.objects.visible_to(student).filter(
        student=student, lesson=lesson, kind=QuizAttempt.Kind.IMMEDIATE)}
    for q in questions:
        q.attempt = attempts.get(q.pk)
    progress = LessonProgress.objects.visible_to(student).filter(student=student, lesson=lesson).first()
    book = lesson_request.topic.chapter.book if lesson_request.topic_id else None
    # Built only if rendered: the lesson page caches its rendered transcript (templates/student/lesson.html).
    transcript = SimpleLazyObject(lambda: _transcript(lesson, book))
    return {
        "scenes": SimpleLazyObject(lambda: transcript["scenes"]),
        "questions": questions,
        "quiz_done": bool(questions) and len(attempts) == len(questions),
        "quiz_score": sum(1 for a in attempts.values() if a.is_correct),
        "progress": progress,
        "interests": list(student.interests.exclude(name=lesson.interest)),
        "other_sections": other_sections(lesson_request),
        "book": book,
        "citations": SimpleLazyObject(lambda: transcript["citations"]),
    }


def _transcript(lesson, book) -> dict:
    """The lesson's scenes with their sentences linked to the numbered citations (shared by every student)."""
    citations = _citations(lesson, book)
    by_key = {}
    for c in citations:
        for key in (c["key"], c.get("module_id"), str(c["n"])):
            if key:
                by_key.setdefault(str(key), c["n"])
    scenes = list(lesson.scenes.all())
    for scene in scenes:
        scene.lines = [{"text": line.get("text", "") if isinstance(line, dict) else str(line),
                        "cite": by_key.get(str(line.get("citation", ""))) if isinstance(line, dict) else None}
                       for line in (scene.sentences or [])] or [{"text": scene.narration, "cite": None}]
    return {"scenes": scenes, "citations": citations}


def _citations(lesson, book) -> list[dict]:
    """Citations as links to the textbook passage (OpenStax module pages under the book URL)."""
    topics = {t.module_id: t for t in Topic.objects.filter(
        module_id__in=[c.get("module_id") for c in lesson.citations if isinstance(c, dict)]
    ).select_related("chapter__book")}
    out = []
    for index, raw in enumerate(lesson.citations, start=1):
        citation = raw if isinstance(raw, dict) else {"label": str(raw)}
        topic = topics.get(citation.get("module_id"))
        source = topic.chapter.book if topic else book
        url = citation.get("url") or (f"{source.source_url.rstrip('/')}/pages/{topic.module_id}"
                                      if topic and source and source.source_url else "")
        out.append({
            "n": index, "key": citation.get("id") or citation.get("key") or f"c{index}",
            "module_id": citation.get("module_id", ""),
            "title": citation.get("section") or (topic.title if topic else citation.get("label", "Textbook passage")),
            "label": citation.get("citation", ""),
            "quote": citation.get("excerpt") or citation.get("quote", ""),
            "url": url,
            "book": citation.get("book") or (source.title if source else "OpenStax"),
            "attribution": citation.get("attribution") or (source.attribution if source and source.attribution
                                                           else "Content from OpenStax, licensed under CC BY 4.0."),
            "license_url": (source.license_url if source and source.license_url
                            else "https://creativecommons.org/licenses/by/4.0/"),
        })
    return out


def get_question(lesson_request: LessonRequest, question_pk: int):
    question = lesson_request.lesson.quiz_questions.filter(pk=question_pk).first() if lesson_request.lesson else None
    if question is None:
        raise Http404("No such question")
    return question


def requiz_page(student: User, lesson_request: LessonRequest) -> dict:
    """The re-quiz: up to three of the lesson's questions with this student's re-quiz answers."""

    if lesson_request.lesson_id is None:
        raise Http404("No lesson")
    schedule = ReQuiz.objects.visible_to(student).filter(student=student, lesson_id=lesson_request.lesson_id).first()
    if schedule is None or schedule.due_at > timezone.now():
        raise Http404("No re-quiz due")
    questions = list(lesson_request.lesson.quiz_questions.all()[:3])
    attempts = {a.question_id: a for a in QuizAttempt.objects.visible_to(student).filter(
        student=student, lesson_id=lesson_request.lesson_id, kind=QuizAttempt.Kind.REQUIZ)}
    for q in questions:
        q.attempt = attempts.get(q.pk)
    return {"schedule": schedule, "questions": questions}
