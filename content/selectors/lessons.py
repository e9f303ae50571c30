"""Read side of lesson generation, always tenant-scoped (404 for other people's rows)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from content.models import (
    Lesson,
    LessonRequest,
    Notification,
    ProviderCall,
    QuizAttempt,
    RequestStatus,
    SafetyEvent,
    lesson_bulk,
)
from schools.tenancy import Role
from vividly.providers import breakers

FAST_PATH_STAGES = (Lesson.Stage.NARRATING, Lesson.Stage.RENDERING, Lesson.Stage.COMPOSING, Lesson.Stage.READY)


def lesson_requests_for(user) -> QuerySet[LessonRequest]:
    """Requests the user may see: own (student), their students' (teacher), tenant's (admins)."""
    return LessonRequest.objects.visible_to(user).select_related("lesson", "topic")


def get_lesson_request_for(user, pk: Any) -> LessonRequest:
    return LessonRequest.objects.select_related("lesson", "topic", "student").get_visible_or_404(user, pk=pk)


def get_request_status_for(user, pk: Any) -> LessonRequest:
    """The request for its status poll (`request_payload`): the lesson without what the payload never reads."""
    return (LessonRequest.objects.select_related("lesson")
            .defer(*lesson_bulk(keep=("transcript",)))
            .get_visible_or_404(user, pk=pk))


def lessons_for(user) -> QuerySet[Lesson]:
    """Lessons reachable through a request the user may see (lessons themselves hold no tenant)."""
    visible = LessonRequest.objects.visible_to(user).filter(lesson__isnull=False).values("lesson_id")
    return Lesson.objects.filter(pk__in=visible)


def get_lesson_for(user, pk: Any) -> Lesson:
    try:
        return lessons_for(user).prefetch_related("scenes", "quiz_questions").get(pk=pk)
    except (Lesson.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No lesson matches the given query.") from exc


def notifications_for(user) -> QuerySet[Notification]:
    return Notification.objects.visible_to(user).filter(user=user)


def unread_notification_count(user) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


def safety_events_for(user) -> QuerySet[SafetyEvent]:
    return SafetyEvent.objects.visible_to(user).select_related("student")


def provider_calls_for(user) -> QuerySet[ProviderCall]:
    return ProviderCall.objects.visible_to(user)


def vivid_now(lesson: Lesson | None) -> dict[str, Any] | None:
    """Script text and narration audio before the video ("Vivid Now"): from the moment the first
    scene's audio exists; scenes still being voiced have no `audio_url` yet (null)."""
    if lesson is None or lesson.stage not in FAST_PATH_STAGES:
        return None
    scenes = list(lesson.scenes.all())
    if not scenes or not scenes[0].audio_url:
        return None
    return {"title": lesson.title, "transcript": lesson.transcript,
            "scenes": [{"index": s.index, "title": s.title, "narration": s.narration, "audio_url": s.audio_url or None,
                        "audio_seconds": s.audio_seconds if s.audio_url else None, "image_url": s.image_url}
                       for s in scenes]}


def request_payload(request: LessonRequest) -> dict[str, Any]:
    """What the student's progress view shows for one request."""
    data: dict[str, Any] = {
        "id": request.pk, "status": request.status, "stage": request.stage or request.status,
        "progress": request.progress, "message": request.message, "question": request.question,
        "interest": request.interest_name, "created_at": request.created_at,
        "stage_log": request.stage_log, "providers": request.providers,
        "lesson_id": request.lesson_id if request.status == RequestStatus.READY else None,
        "choices": request.choices if request.status == RequestStatus.NEEDS_CHOICE else None,
        "confidence": request.confidence, "was_reused": request.was_reused,
    }
    data["vivid_now"] = vivid_now(request.lesson) if request.status in (
        RequestStatus.NARRATING, RequestStatus.RENDERING, RequestStatus.COMPOSING, RequestStatus.READY) else None
    return data


def revealed_question_ids(user, lesson: Lesson) -> set[int] | None:
    """Questions whose answer and explanation `user` may see: a student only those they have
    answered (in the quiz or the re-quiz); staff every one (None)."""
    if getattr(user, "role", None) != Role.STUDENT or user.is_superuser:
        return None

    return set(QuizAttempt.objects.filter(student=user, lesson=lesson).values_list("question_id", flat=True))


def lesson_payload(lesson: Lesson, *, reveal: set[int] | None = None) -> dict[str, Any]:
    """The lesson with media URLs, transcript, scenes, citations, quiz, quality and providers.

    Quiz answers and explanations are given for the questions in `reveal` (every one when None).
    """
    scenes = [{"index": s.index, "kind": s.kind, "title": s.title, "narration": s.narration,
               "sentences": s.sentences, "bullets": s.bullets, "equation": s.equation or None,
               "visual_description": s.visual_description, "image_url": s.image_url, "audio_url": s.audio_url,
               "audio_seconds": s.audio_seconds} for s in lesson.scenes.all()]
    quiz = [{"id": q.pk, "index": q.index, "prompt": q.prompt, "choices": q.choices,
             "answer": q.answer if reveal is None or q.pk in reveal else None,
             "explanation": q.explanation if reveal is None or q.pk in reveal else None,
             "citation": q.citation, "practice_item_id": q.practice_item_id}
            for q in lesson.quiz_questions.all()]
    return {
        "id": lesson.pk, "title": lesson.title, "status": lesson.stage, "topic_id": lesson.topic_id,
        "interest": lesson.interest, "grade_band": lesson.grade_band,
        "video_url": lesson.video_url or None, "captions_url": lesson.captions_url or None,
        "poster_url": lesson.poster_url or None, "transcript_url": lesson.transcript_url or None,
        "duration_seconds": lesson.duration_seconds, "transcript": lesson.transcript, "scenes": scenes,
        "citations": lesson.citations, "quiz": quiz, "quality": lesson.quality, "providers": lesson.providers,
        "ready_at": lesson.ready_at,
    }


def breaker_states() -> dict[str, dict[str, Any]]:
    """Circuit breaker state and failure counts (admin view); empty if Redis is unreachable."""

    try:
        return breakers.states()
    except Exception:  # noqa: BLE001 - the admin page must render even when Redis is down
        return {}
