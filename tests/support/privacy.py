"""Test builders for privacy tests: one student with every kind of record, lessons with stored media."""

from __future__ import annotations

import hashlib
import io
import uuid
import wave
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from accounts.models import Interest, SecurityEvent, StudentInterest
from accounts.privacy.models import ConsentRecord, StudentDataAccess
from content import moderation
from content.models import (
    Lesson,
    LessonProgress,
    LessonRequest,
    LessonScene,
    Notification,
    ProblemReport,
    ProgressEvent,
    QuizAttempt,
    QuizQuestion,
    ReQuiz,
    SafetyEvent,
)
from ingestion.models import Book, Chapter, Topic


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 9), (30, 90, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def _wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 800)
    return buffer.getvalue()


def make_topic():
    book, _ = Book.objects.get_or_create(slug="privacy-physics", defaults={"title": "Physics", "subject": "physics"})
    chapter, _ = Chapter.objects.get_or_create(book=book, number=1, defaults={"title": "Forces"})
    topic, _ = Topic.objects.get_or_create(module_id="mpriv1", defaults={"chapter": chapter, "number": 1,
                                                                        "title": "Newton's laws"})
    return topic


def make_lesson_with_media(topic, *, interest: str = "Basketball"):
    """A ready lesson whose scenes, narration, video and captions are real files in default_storage."""

    lesson = Lesson.objects.create(
        reuse_key=hashlib.sha256(uuid.uuid4().bytes).hexdigest(), topic=topic, module_ids=[topic.module_id],
        interest=interest, grade_band="9-10", generator_version="test", stage=Lesson.Stage.READY,
        title=f"{topic.title} with {interest}", transcript="An object at rest stays at rest.",
        ready_at=timezone.now(), duration_seconds=4)
    folder = f"lessons/{lesson.pk}"
    image = default_storage.save(f"{folder}/scene-01.png", ContentFile(_png()))
    audio = default_storage.save(f"{folder}/scene-01.wav", ContentFile(_wav()))
    video = default_storage.save(f"{folder}/lesson.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42fake-video"))
    default_storage.save(f"{folder}/captions.vtt", ContentFile(b"WEBVTT\n\n00:00.000 --> 00:04.000\nAt rest.\n"))
    lesson.video_path, lesson.video_url = video, default_storage.url(video)
    lesson.captions_url = default_storage.url(f"{folder}/captions.vtt")
    lesson.save()
    LessonScene.objects.create(lesson=lesson, index=1, kind="hook", title="A ball at rest",
                               narration="Imagine a basketball at rest.", image_path=image, audio_path=audio)
    QuizQuestion.objects.create(lesson=lesson, index=1, prompt="What keeps a ball at rest?",
                                choices=["Inertia", "Magic"], answer="Inertia", explanation="Inertia.")
    return lesson


@dataclass
class StudentRecords:
    student: object
    own_lesson: object
    shared_lesson: object
    question: str
    rows: dict = field(default_factory=dict)


def give_every_record(student, *, shared_lesson=None, tag: str = "") -> StudentRecords:
    """Create one row of every kind of data Vividly holds about a student (requests, progress, ...)."""

    topic = make_topic()
    interest, _ = Interest.objects.get_or_create(slug="basketball", defaults={"name": "Basketball",
                                                                             "category": "sports"})
    StudentInterest.objects.get_or_create(student=student, interest=interest, defaults={"rank": 1})
    own = make_lesson_with_media(topic)
    question = f"Why does my ball keep rolling {tag or uuid.uuid4().hex[:6]}?"
    request = LessonRequest.objects.create(student=student, question=question, topic=topic, lesson=own,
                                           status="ready", grade_band="9-10", interest_name="Basketball")
    if shared_lesson is not None:
        LessonRequest.objects.create(student=student, question=f"{question} (again)", topic=topic,
                                     lesson=shared_lesson, status="ready", grade_band="9-10")
    LessonProgress.objects.create(student=student, lesson=own, lesson_request=request, watched_seconds=3,
                                  watched_ranges=[[0, 3]])
    ProgressEvent.objects.create(student=student, lesson=own, client_event_id=uuid.uuid4(), session_id="s1",
                                 sequence=1, kind="play", position_seconds=0, client_time=timezone.now())
    QuizAttempt.objects.create(student=student, lesson=own, question=own.quiz_questions.first(), chosen="Inertia",
                               is_correct=True)
    ReQuiz.objects.create(student=student, lesson=own, due_at=timezone.now())
    ProblemReport.objects.create(student=student, lesson=own, reason="other", details=f"sound is off {tag}")
    Notification.objects.create(user=student, kind="lesson_ready", title="Your lesson is ready",
                                lesson_request=request)
    moderation.review_safety_event(event=SafetyEvent.objects.create(
        student=student, category="off_topic", excerpt="what is a good pizza"))
    SecurityEvent.objects.create(kind="login_success", target=student, district_id=student.district_id,
                                 ip_address="127.0.0.1", detail={"email": student.email})
    ConsentRecord.objects.create(student=student, district_id=student.district_id)
    StudentDataAccess.objects.create(student=student, what="profile", district_id=student.district_id,
                                     school_id=student.school_id, endpoint="teacher:student")
    return StudentRecords(student=student, own_lesson=own, shared_lesson=shared_lesson, question=question)
