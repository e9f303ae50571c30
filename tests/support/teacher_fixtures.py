"""Builders for teacher-tool tests: a catalogue, lessons and student activity rows (no media)."""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Interest
from content import moderation
from content.models import (
    Lesson,
    LessonProgress,
    LessonRequest,
    LessonScene,
    ProblemReport,
    QuizAttempt,
    QuizQuestion,
    RequestStatus,
    SafetyEvent,
)
from ingestion.models import Book, Chapter, Topic

_seq = itertools.count(1)


def make_topics(n: int = 3, subject: str = "physics") -> list[Topic]:
    i = next(_seq)
    book = Book.objects.create(slug=f"book-{i}", title=f"Book {i}", subject=subject)
    chapter = Chapter.objects.create(book=book, number=1, title="Motion")
    return [Topic.objects.create(chapter=chapter, module_id=f"m{i}{k:03d}", number=k + 1, title=f"Topic {i}.{k + 1}")
            for k in range(n)]


def make_interest(name: str = "Basketball") -> Interest:
    slug = name.lower().replace(" ", "-")
    return Interest.objects.get_or_create(slug=slug, defaults={"name": name, "category": "sports"})[0]


def make_lesson(topic: Topic, *, interest: str = "Basketball", questions: int = 4, ready: bool = True) -> Lesson:
    key = hashlib.sha256(f"{topic.pk}-{interest}-{next(_seq)}".encode()).hexdigest()
    lesson = Lesson.objects.create(
        reuse_key=key, topic=topic, interest=interest, grade_band="9-10", generator_version="test",
        stage=Lesson.Stage.READY if ready else Lesson.Stage.SCRIPTING, title=f"{topic.title} with {interest}",
        script={"scenes": [{"title": "Hook"}]}, transcript="Inertia keeps the ball rolling.",
        citations=[{"id": "c1", "title": "Physics 4.2", "url": "https://openstax.org/books/physics"}],
        quality={"grounding": 0.92, "readability_grade": 9.1}, duration_seconds=100,
        captions_url="/media/test/lesson.vtt", ready_at=timezone.now() if ready else None)
    LessonScene.objects.create(lesson=lesson, index=0, kind="hook", title="Hook", narration="Picture a free throw.",
                               bullets=["Objects keep moving"], image_url="/media/test/slide.png")
    for q in range(questions):
        QuizQuestion.objects.create(lesson=lesson, index=q, prompt=f"Question {q + 1}?", choices=["A", "B", "C"],
                                    answer="A", explanation="Because.", citation="c1")
    return lesson


def make_request(student, lesson: Lesson | None, *, topic: Topic | None = None, at: datetime | None = None,
                 question: str = "Why do things keep moving?", interest: Interest | None = None,
                 status: str = RequestStatus.READY, reused: bool = False) -> LessonRequest:
    request = LessonRequest.objects.create(
        student=student, question=question, topic=topic or (lesson.topic if lesson else None), lesson=lesson,
        interest=interest, interest_name=interest.name if interest else "", grade_band="9-10", status=status,
        was_reused=reused)
    if at is not None:
        LessonRequest.objects.filter(pk=request.pk).update(created_at=at)
    return request


def watch(student, lesson: Lesson, *, fraction: float, at: datetime | None = None) -> LessonProgress:
    """A progress row as the player would leave it: `fraction` of the video covered."""
    at = at or timezone.now()
    seconds = lesson.duration_seconds * fraction
    progress = LessonProgress.objects.create(
        student=student, lesson=lesson, position_seconds=seconds, watched_seconds=seconds,
        watched_ranges=[[0, seconds]], max_milestone=int(fraction * 4) * 25, events_count=10, last_event_at=at,
        completed_at=at if fraction >= 0.9 else None, completed_by="watched" if fraction >= 0.9 else "")
    LessonProgress.objects.filter(pk=progress.pk).update(started_at=at - timedelta(minutes=5))
    return progress


def answer_quiz(student, lesson: Lesson, *, correct: int, kind: str = "immediate",
                at: datetime | None = None) -> None:
    """Answer every question of the lesson's quiz, the first `correct` of them right."""
    questions = list(lesson.quiz_questions.all())
    for i, q in enumerate(questions):
        QuizAttempt.objects.create(student=student, lesson=lesson, question=q, kind=kind,
                                   chosen="A" if i < correct else "B", is_correct=i < correct)
    if at is not None:
        QuizAttempt.objects.filter(student=student, lesson=lesson, kind=kind).update(answered_at=at)


def report_problem(student, lesson: Lesson, reason: str = "wrong", details: str = "") -> ProblemReport:
    return ProblemReport.objects.create(student=student, lesson=lesson, reason=reason, details=details)


def safety_event(student, category: str = "violence") -> SafetyEvent:
    event = SafetyEvent.objects.create(student=student, category=category, excerpt="how to [redacted]")
    moderation.review_safety_event(event=event)  # as content.services.record_safety_event does
    return event
