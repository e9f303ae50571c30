"""State transitions shared by the stages: request/lesson status, stage log, outcomes, enqueueing."""

from __future__ import annotations

import contextvars
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.emails import queue_email
from accounts.ratelimits import refund_lesson_quota
from content.models import (
    ACTIVE_REQUEST_STATUSES,
    Lesson,
    LessonRequest,
    Notification,
    RequestStatus,
)

from . import NEXT_STAGE, PROGRESS

logger = logging.getLogger(__name__)
#: True while `services.run_request_inline` drives the stages itself (no Celery enqueueing).
INLINE: contextvars.ContextVar[bool] = contextvars.ContextVar("lesson_pipeline_inline", default=False)

FAILURE_MESSAGES = {
    "no_material": "We couldn't find enough about this in our textbooks to make a good lesson yet. "
                   "Try asking in a different way, or pick a topic from the catalogue.",
    "writer": "Our lesson writer ran into a problem putting your lesson together.",
    "media": "We couldn't finish the pictures or the narration for your lesson.",
    "compose": "We couldn't put the video together this time.",
    "no_space": "Our servers ran out of room to save your video.",
    "stuck": "Your lesson took far too long, so we stopped it.",
    "paused": "Your district has paused new lessons for the rest of this month.",
    "internal": "Something went wrong on our side while making your lesson.",
}
RETRY_HINT = " Please try again in a few minutes — this one didn't count against your hourly limit."


def plain_failure(code: str) -> str:
    """The student-facing explanation for a failure code."""
    return FAILURE_MESSAGES.get(code, FAILURE_MESSAGES["internal"]) + RETRY_HINT


def now_iso() -> str:
    return timezone.now().isoformat()


def note_stage(log: dict[str, Any], stage: str, **fields: Any) -> dict[str, Any]:
    """Merge started/finished/provider for one stage into a stage log (returns the log)."""
    entry = dict(log.get(stage) or {})
    for key, value in fields.items():
        if key == "started" and entry.get("started"):
            continue  # a resumed stage keeps its first start time
        entry[key] = value
    log[stage] = entry
    return log


def set_request_status(request: LessonRequest, status: str, *, message: str | None = None,
                       extra_fields: tuple[str, ...] = ()) -> None:
    """Move a request to `status`, stamping its stage log and progress."""
    previous = request.status
    if previous != status and previous in PROGRESS:
        note_stage(request.stage_log, previous, finished=now_iso())
    request.status = status
    request.stage = status
    request.progress = PROGRESS.get(status, request.progress)
    note_stage(request.stage_log, status, started=now_iso())
    if message is not None:
        request.message = message
    fields = ["status", "stage", "progress", "stage_log", "message", "updated_at", *extra_fields]
    if request.is_final:
        request.finished_at = timezone.now()
        note_stage(request.stage_log, status, finished=now_iso())
        fields.append("finished_at")
    request.save(update_fields=list(dict.fromkeys(fields)))


def sync_requests(lesson: Lesson) -> None:
    """Mirror the lesson's stage, stage log and providers onto every active attached request."""
    status = lesson.stage
    for request in lesson.requests.select_for_update().filter(status__in=ACTIVE_REQUEST_STATUSES):
        for stage, entry in lesson.stage_log.items():
            note_stage(request.stage_log, stage, **entry)
        request.providers = {**request.providers, **lesson.providers}
        if status in (Lesson.Stage.READY, Lesson.Stage.FAILED):
            continue
        set_request_status(request, status, message=RequestStatus(status).label + "…",
                           extra_fields=("providers",))


def bump_progress(lesson_id: int, stage: str, done: int, total: int) -> None:
    """Within-stage progress (per scene) for the live progress bar; also marks the job alive."""

    low = PROGRESS[stage]
    high = PROGRESS.get(NEXT_STAGE.get(stage, stage), low)
    value = low + int((high - low) * done / max(total, 1))
    Lesson.objects.filter(pk=lesson_id).update(updated_at=timezone.now())
    LessonRequest.objects.filter(lesson_id=lesson_id, status=stage).update(progress=value, updated_at=timezone.now())


def enqueue_stage(lesson_id: int, stage: str) -> None:
    """Queue the task for a lesson stage once the current transaction commits."""
    if INLINE.get():
        return
    from content import tasks  # noqa: PLC0415 - import cycle: content.tasks → content.pipeline.state at module level

    task = {
        Lesson.Stage.SCRIPTING: tasks.write_script, Lesson.Stage.RENDERING: tasks.render_visuals,
        Lesson.Stage.NARRATING: tasks.narrate_lesson, Lesson.Stage.COMPOSING: tasks.compose_lesson,
    }[stage]
    transaction.on_commit(lambda: task.apply_async(args=[lesson_id], queue=settings.LESSON_GENERATION_QUEUE))


def enqueue_understand(request_id: int) -> None:
    if INLINE.get():
        return
    from content import tasks  # noqa: PLC0415 - import cycle: content.tasks → content.pipeline.state at module level

    transaction.on_commit(lambda: tasks.understand_request.apply_async(
        args=[request_id], queue=settings.LESSON_GENERATION_QUEUE))


def lesson_page_url(lesson_id: int) -> str:
    try:
        path = reverse("lesson-page", args=[lesson_id])
    except NoReverseMatch:
        path = f"/lessons/{lesson_id}/"
    return settings.SITE_URL.rstrip("/") + path


def _notify(request: LessonRequest, kind: str, title: str, body: str, url: str = "") -> bool:
    _, created = Notification.objects.get_or_create(
        user=request.student, kind=kind, lesson_request=request,
        defaults={"title": title[:200], "body": body, "url": url})
    return created


def mark_request_ready(request: LessonRequest, lesson: Lesson, *, reused: bool = False, notify: bool = True) -> None:
    """Deliver a ready lesson to one request: status, in-app notification and email (once)."""
    request.lesson = lesson
    request.was_reused = reused or request.was_reused
    request.providers = {**request.providers, **lesson.providers}
    for stage, entry in lesson.stage_log.items():
        note_stage(request.stage_log, stage, **entry)
    set_request_status(request, RequestStatus.READY, message="Your lesson is ready!",
                       extra_fields=("lesson", "was_reused", "providers"))
    if not notify:
        return
    url = lesson_page_url(lesson.pk)
    if _notify(request, Notification.Kind.LESSON_READY, f"Your lesson “{lesson.title}” is ready",
               "Watch it now — captions and a transcript are included.", url):
        _email_content_ready(request, lesson, url)


def _email_content_ready(request: LessonRequest, lesson: Lesson, url: str) -> None:
    queue_email(template="content_ready", to=request.student.email, context={
        "student_first_name": request.student.first_name, "lesson_title": lesson.title, "lesson_url": url})


def refund_quota(request: LessonRequest) -> None:
    """Give the student back the hourly-limit slot this request used (failed lessons are free)."""
    if not request.counts_against_quota:
        return
    request.counts_against_quota = False
    request.save(update_fields=["counts_against_quota", "updated_at"])

    student = request.student
    transaction.on_commit(lambda: refund_lesson_quota(student))


def mark_request_failed(request: LessonRequest, code: str, *, detail: str = "") -> None:
    """Fail one request with a plain-words message, refund its quota and tell the student."""
    request.error_code = code
    request.error = detail[:2000]
    set_request_status(request, RequestStatus.FAILED, message=plain_failure(code),
                       extra_fields=("error_code", "error"))
    refund_quota(request)
    _notify(request, Notification.Kind.LESSON_FAILED, "We couldn't make your lesson", plain_failure(code))


def fail_lesson(lesson_id: int, code: str, *, detail: str = "") -> None:
    """Fail a lesson job and every request waiting on it."""
    with transaction.atomic():
        lesson = Lesson.objects.select_for_update().get(pk=lesson_id)
        if lesson.stage in (Lesson.Stage.READY, Lesson.Stage.FAILED):
            return
        note_stage(lesson.stage_log, lesson.stage, finished=now_iso(), error=code)
        lesson.stage = Lesson.Stage.FAILED
        lesson.error = f"{code}: {detail}"[:4000]
        lesson.save(update_fields=["stage", "stage_log", "error", "updated_at"])
        for request in lesson.requests.select_for_update().filter(status__in=ACTIVE_REQUEST_STATUSES):
            mark_request_failed(request, code, detail=detail)
    logger.warning("lesson failed", extra={"lesson": lesson_id, "code": code, "detail": detail[:300]})
