"""Builders for student-experience tests: a small catalogue, interests and ready lessons with real media."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from accounts.models import Interest, StudentInterest
from content.models import Lesson, LessonRequest, LessonScene, QuizQuestion, RequestStatus
from ingestion.models import Book, Chapter, Topic

VIDEO_SECONDS = 8.0


def make_catalogue() -> dict[str, Topic]:
    """Two books, a few sections each (enough for browsing and suggestions)."""
    # get_or_create: the session-wide `mini_corpus` (ingestion) may already have committed these books.
    physics, _ = Book.objects.get_or_create(slug="physics", defaults={
        "title": "Physics", "subject": "physics", "source_url": "https://openstax.org/books/physics",
        "attribution": "Physics by OpenStax, CC BY 4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/"})
    biology, _ = Book.objects.get_or_create(slug="biology-2e", defaults={"title": "Biology 2e",
                                                                         "subject": "biology"})
    ch_forces, _ = Chapter.objects.get_or_create(book=physics, number=14, defaults={
        "title": "Forces and Newton's Laws of Motion"})
    ch_cells, _ = Chapter.objects.get_or_create(book=biology, number=14, defaults={"title": "Cell Structure"})
    return {
        "newton1": Topic.objects.create(chapter=ch_forces, module_id="m9001", number=2,
                                        title="Newton's First Law of Motion: Inertia",
                                        key_terms=["inertia", "mass"],
                                        learning_objectives=["Describe Newton's first law and inertia."]),
        "newton2": Topic.objects.create(chapter=ch_forces, module_id="m9002", number=3,
                                        title="Newton's Second Law of Motion", key_terms=["net force"]),
        "buoyancy": Topic.objects.create(chapter=ch_forces, module_id="m9003", number=4,
                                         title="Buoyancy: why things float", key_terms=["buoyant force"]),
        "cells": Topic.objects.create(chapter=ch_cells, module_id="m9101", number=1,
                                      title="Studying Cells", key_terms=["microscope"]),
    }


def make_interests(student=None, names=("Basketball", "Music", "Gaming")) -> list[Interest]:
    interests = []
    for name in names:
        interest, _ = Interest.objects.get_or_create(
            slug=name.lower(), defaults={"name": name, "category": Interest.Category.SPORTS})
        interests.append(interest)
    if student is not None:
        for rank, interest in enumerate(interests, start=1):
            StudentInterest.objects.get_or_create(student=student, interest=interest, defaults={"rank": rank})
    return interests


def make_video(name: str = "test-lesson.mp4", seconds: float = VIDEO_SECONDS) -> tuple[str, str]:
    """A real small H.264 MP4 + WebVTT under MEDIA_ROOT (made once with ffmpeg); returns (path, url)."""
    root = Path(settings.MEDIA_ROOT) / "test-student"
    root.mkdir(parents=True, exist_ok=True)
    video = root / name
    if not video.exists():
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",  # noqa: S603, S607 - ffmpeg from PATH, fixed arguments, writes a test clip
                        f"testsrc=size=320x180:rate=15:duration={seconds}", "-f", "lavfi", "-i",
                        f"sine=frequency=440:duration={seconds}", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                        "-c:a", "aac", "-shortest", "-movflags", "+faststart", str(video)], check=True)
    captions = root / "test-lesson.vtt"
    if not captions.exists():
        captions.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:04.000\nImagine a basketball at rest.\n\n"
                            "00:00:04.000 --> 00:00:08.000\nIt stays at rest until a force acts.\n")
    return f"test-student/{name}", f"{settings.MEDIA_URL}test-student/{name}"


def make_lesson(topic: Topic, *, interest: str = "Basketball", ready: bool = True, video: bool = True,
                key: str | None = None) -> Lesson:
    """A lesson with two scenes, citations and a two-question quiz."""
    path, url = make_video() if video else ("", "")
    lesson = Lesson.objects.create(
        reuse_key=key or hashlib.sha256(f"{topic.pk}-{interest}-{timezone.now().timestamp()}".encode()).hexdigest(),
        topic=topic, module_ids=[topic.module_id], interest=interest, grade_band="9-10", generator_version="test",
        stage=Lesson.Stage.READY if ready else Lesson.Stage.NARRATING, title=f"{topic.title} with {interest}",
        transcript="Imagine a basketball at rest. It stays at rest until a force acts.",
        citations=[{"id": "p1", "module_id": topic.module_id, "book": topic.chapter.book.title,
                    "section": topic.title, "citation": f"{topic.chapter.book.title}, {topic}",
                    "url": f"https://openstax.org/books/physics/pages/{topic.module_id}",
                    "attribution": "Physics by OpenStax, CC BY 4.0", "excerpt": "An object at rest stays at rest."}],
        video_path=path if ready else "", video_url=url if ready else "",
        captions_url=f"{settings.MEDIA_URL}test-student/test-lesson.vtt" if ready and video else "",
        duration_seconds=VIDEO_SECONDS, ready_at=timezone.now() if ready else None)
    LessonScene.objects.create(lesson=lesson, index=0, kind="hook", title="A ball at rest",
                               narration="Imagine a basketball at rest on the court.",
                               sentences=[{"text": "Imagine a basketball at rest on the court.", "framing": True}])
    LessonScene.objects.create(lesson=lesson, index=1, kind="explanation", title="Inertia",
                               narration="An object at rest stays at rest unless a net force acts on it.",
                               sentences=[{"text": "An object at rest stays at rest unless a net force acts on it.",
                                           "citation": "p1"}])
    QuizQuestion.objects.create(lesson=lesson, index=0, prompt="What keeps a resting ball at rest?",
                                choices=["Inertia", "Friction only", "Gravity pushing up", "Magnetism"],
                                answer="Inertia", explanation="Inertia: objects keep their state of motion.",
                                citation="p1")
    QuizQuestion.objects.create(lesson=lesson, index=1, prompt="What changes an object's motion?",
                                choices=["A net force", "Nothing", "Its colour", "Time"],
                                answer="A net force", explanation="Only a net force changes motion.",
                                citation="p1")
    return lesson


def make_request(student, lesson: Lesson | None, *, status: str = RequestStatus.READY, question: str = "Why do things keep moving?",
                 **extra) -> LessonRequest:
    topic = lesson.topic if lesson else extra.pop("topic", None)
    extra.setdefault("progress", 100 if lesson else 10)
    return LessonRequest.objects.create(
        student=student, question=question, topic=topic, lesson=lesson, status=status,
        grade_band="9-10", interest_name=lesson.interest if lesson else "", **extra)
