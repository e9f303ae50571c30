"""content's rows in the privacy registry (issue 16): what a student's export holds, what erasure
deletes (lessons only they received, with their media) and the daily retention purge.
Registered in ContentConfig.ready()."""

from __future__ import annotations

import contextlib

from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.privacy import selectors as privacy_selectors
from accounts.privacy.models import DistrictPrivacySettings
from accounts.privacy.registry import STAFF, DataOwner, Erasure, PurgeByAge, Section, register
from content.models import (
    Lesson,
    LessonProgress,
    LessonRequest,
    LessonScene,
    Notification,
    PinnedLesson,
    ProblemReport,
    ProgressEvent,
    QuizAttempt,
    ReQuiz,
    SafetyEvent,
)

SECTIONS = (
    Section("assignments", "Assignments given to the student by name", "content.Assignment", "students",
            {"class": "classroom.name", "topic": "topic.title", "due_at": "due_at", "note": "note",
             "created_at": "created_at"}),
    Section("lesson_requests", "Questions asked and lessons requested", "content.LessonRequest", "student",
            {"id": "pk", "question": "question", "topic": "topic.title", "interest": "interest_name",
             "grade_level": "grade_level", "grade_band": "grade_band", "status": "status", "message": "message",
             "lesson_id": "lesson_id", "was_reused": "was_reused", "created_at": "created_at",
             "finished_at": "finished_at"}, ("created_at", "pk")),
    Section("lesson_progress", "Progress through each lesson", "content.LessonProgress", "student",
            {"lesson_id": "lesson_id", "lesson": "lesson.title", "position_seconds": "position_seconds",
             "watched_seconds": "watched_seconds", "watched_ranges": "watched_ranges",
             "max_milestone": "max_milestone", "started_at": "started_at", "last_event_at": "last_event_at",
             "completed_at": "completed_at", "completed_by": "completed_by"}),
    Section("player_events", "Video player events (play, pause, seek...)", "content.ProgressEvent", "student",
            {"lesson_id": "lesson_id", "kind": "kind", "position_seconds": "position_seconds",
             "from_seconds": "from_seconds", "milestone": "milestone", "playback_rate": "playback_rate",
             "client_time": "client_time", "received_at": "received_at"}, ("received_at", "pk")),
    Section("quiz_answers", "Quiz answers", "content.QuizAttempt", "student",
            {"lesson_id": "lesson_id", "question": "question.prompt", "kind": "kind", "chosen": "chosen",
             "is_correct": "is_correct", "answered_at": "answered_at"}, ("answered_at", "pk")),
    Section("requizzes", "Retention check-ins a few days after a lesson", "content.ReQuiz", "student",
            {"lesson_id": "lesson_id", "due_at": "due_at", "released_at": "released_at",
             "completed_at": "completed_at", "correct": "correct", "total": "total"}),
    Section("problem_reports", "Problems the student reported", "content.ProblemReport", "student",
            {"lesson_id": "lesson_id", "reason": "reason", "details": "details", "created_at": "created_at",
             "resolved_at": "resolved_at"}),
    Section("notifications", "Notifications sent to the student", "content.Notification", "user",
            {"kind": "kind", "title": "title", "body": "body", "url": "url", "read_at": "read_at",
             "created_at": "created_at"}),
    Section("safety_events", "Requests refused by the safety check", "content.SafetyEvent", "student",
            {"category": "category", "excerpt": "excerpt", "teacher_notified": "teacher_notified",
             "created_at": "created_at"}),
)

NOT_EXPORTED = {
    "content.ModerationReview.reviewed_by": STAFF,
    "content.Assignment.created_by": STAFF,
    "content.Assignment_students.user": "the through table of Assignment.students (exported)",
    "content.LessonBlock.created_by": STAFF,
    "content.PinnedLesson.pinned_by": STAFF,
    "content.Lesson.regenerated_by": STAFF,
}


def _lesson_ids(student) -> set[int]:
    """Lessons the student asked for or watched."""
    ids = set(LessonRequest.objects.filter(student=student, lesson__isnull=False).values_list("lesson_id", flat=True))
    return ids | set(LessonProgress.objects.filter(student=student).values_list("lesson_id", flat=True))


def lessons_received(student) -> list[dict]:
    """Every lesson the student asked for or watched, with script, transcript, captions and media links.

    Quiz answers and explanations are included only for questions the student has answered (as on
    the lesson page and in the API).
    """
    ids = _lesson_ids(student)
    answered = set(QuizAttempt.objects.filter(student=student).values_list("question_id", flat=True))
    return [{
            "id": lesson.pk, "title": lesson.title, "topic": lesson.topic.title, "interest": lesson.interest,
            "grade_band": lesson.grade_band, "transcript": lesson.transcript,
            "citations": lesson.citations, "video_url": lesson.video_url, "captions_url": lesson.captions_url,
            "poster_url": lesson.poster_url, "transcript_url": lesson.transcript_url,
            "scenes": [{"index": s.index, "title": s.title, "narration": s.narration, "image_url": s.image_url,
                        "audio_url": s.audio_url} for s in lesson.scenes.all()],
            "quiz": [{"index": q.index, "prompt": q.prompt, "choices": q.choices,
                      "answer": q.answer if q.pk in answered else None,
                      "explanation": q.explanation if q.pk in answered else None}
                     for q in lesson.quiz_questions.all()],
    } for lesson in Lesson.objects.filter(pk__in=ids).select_related("topic")
        .prefetch_related("scenes", "quiz_questions").order_by("pk")]


def _stored_files(lesson_id: int) -> list[str]:
    """The files in a lesson's media folder (lessons/<id>/)."""
    folder = f"lessons/{lesson_id}"
    with contextlib.suppress(FileNotFoundError, NotImplementedError, OSError):
        _dirs, files = default_storage.listdir(folder)
        return [f"{folder}/{name}" for name in files]
    return []


def lesson_media(student) -> list[tuple[str, str]]:
    """(path in the export's media/, storage name) of the lessons the student received."""
    return [(f"lesson-{lesson_id}/{name.rsplit('/', 1)[-1]}", name)
            for lesson_id in sorted(_lesson_ids(student)) for name in _stored_files(lesson_id)]


def lessons_only_for(student) -> tuple[list[int], list[int]]:
    """(lesson ids only this student received, lesson ids shared with others/pinned) for the student."""
    mine = _lesson_ids(student)
    shared = set(LessonRequest.objects.filter(lesson_id__in=mine).exclude(student=student)
                 .values_list("lesson_id", flat=True))
    shared |= set(LessonProgress.objects.filter(lesson_id__in=mine).exclude(student=student)
                  .values_list("lesson_id", flat=True))
    shared |= set(PinnedLesson.objects.filter(lesson_id__in=mine).values_list("lesson_id", flat=True))
    existing = set(Lesson.objects.filter(pk__in=mine).values_list("pk", flat=True))
    return sorted(existing - shared), sorted(existing & shared)


def _lesson_files(lesson_ids: list[int]) -> list[str]:
    """Every stored media file of these lessons (the lessons/<id>/ folders plus recorded paths)."""
    names: set[str] = set()
    for lesson_id in lesson_ids:
        names.update(_stored_files(lesson_id))
    names.update(p for p in Lesson.objects.filter(pk__in=lesson_ids).values_list("video_path", flat=True) if p)
    for image, audio in LessonScene.objects.filter(lesson_id__in=lesson_ids).values_list("image_path", "audio_path"):
        names.update(p for p in (image, audio) if p)
    return sorted(names)


def erase(student) -> Erasure:
    """Delete the lessons only this student received (and, after commit, their media); lessons others
    received or a teacher pinned are kept. The student's own rows go with the account (cascade)."""
    own, shared = lessons_only_for(student)
    files = _lesson_files(own)
    return Erasure(rows=Lesson.objects.filter(pk__in=own).delete()[1], files=files, kept=len(shared))


def _purge_progress(now) -> int:
    """Progress of districts whose contract ended (RETENTION_SCHEDULE's progress cutoff)."""
    total = 0
    today = timezone.localdate(now)
    for row in DistrictPrivacySettings.objects.filter(contract_ends_on__isnull=False):
        cutoff = privacy_selectors.progress_cutoff(row.district_id)
        if cutoff is None or cutoff >= today:
            continue
        for model in (ProgressEvent, QuizAttempt, ReQuiz, ProblemReport, LessonProgress):
            total += model.objects.filter(student__district_id=row.district_id).delete()[0]
    return total


def purge_daily(now, purge_by_age: PurgeByAge) -> dict[str, int]:
    return {
        "lesson_requests": purge_by_age(LessonRequest.objects.all(), "created_at", "lesson_requests",
                                        "student__district_id", now),
        "progress_events": purge_by_age(ProgressEvent.objects.all(), "received_at", "progress_events",
                                        "student__district_id", now),
        "notifications": purge_by_age(Notification.objects.all(), "created_at", "notifications",
                                      "user__district_id", now),
        "safety_events": purge_by_age(SafetyEvent.objects.all(), "created_at", "safety_events",
                                      "student__district_id", now),
        "progress": _purge_progress(now),
    }


def register_content() -> None:
    register(DataOwner(
        app_label="content", sections=SECTIONS, not_exported=NOT_EXPORTED,
        files={"lessons_received": ("lessons asked for or watched (transcript, scenes, quiz, media links)",
                                    lessons_received)},
        media=lesson_media, erase=erase, purge_daily=purge_daily))
