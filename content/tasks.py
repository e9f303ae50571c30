"""Celery tasks for lesson generation: thin wrappers, one per stage, on the lesson generation queue
(`LESSON_GENERATION_QUEUE`, "generation").

Transient provider errors retry with exponential backoff and jitter; fatal ones never retry (the
stage falls back to a local provider or fails the lesson with a plain-words message). Tasks are
acks_late and every stage is idempotent, so a redelivered or resumed task is harmless.
"""

from __future__ import annotations

import logging
import threading

from celery import current_app, shared_task
from celery.signals import worker_process_init, worker_ready
from django.conf import settings
from django.core.mail import send_mail

from content.media.compose import ComposeError
from content.models import Lesson, LessonRequest
from content.pipeline import stages, state
from content.pipeline.understand import understand
from content.services import progress
from content.services import sweep_stuck_lessons as sweep
from ingestion.search import warm_up
from vividly.providers import registry, residency
from vividly.providers.base import ProviderFatal, ProviderRetryable

logger = logging.getLogger(__name__)

RETRY = {"bind": True, "acks_late": True, "autoretry_for": (ProviderRetryable,), "retry_backoff": 2,
         "retry_backoff_max": 60, "retry_jitter": True, "max_retries": 4,
         "queue": settings.LESSON_GENERATION_QUEUE}
OTHER_ERROR_RETRIES = 2


def _lesson_district(lesson_id: int) -> int | None:

    lesson = Lesson.objects.filter(pk=lesson_id).first()
    return stages.paying_district_id(lesson) if lesson else None


def _run_stage(task, runner, lesson_id: int) -> None:
    final_attempt = task.request.retries >= task.max_retries
    try:
        # issue 19: every Google call of the job honours the paying district's data residency
        with residency.district_scope(_lesson_district(lesson_id)):
            runner(lesson_id, final_attempt=final_attempt)
    except ProviderRetryable:
        raise
    except ProviderFatal as exc:
        state.fail_lesson(lesson_id, "media" if runner is not stages.run_script else "writer", detail=str(exc))
    except ComposeError as exc:
        if exc.reason in ("no_space", "bad_input") or task.request.retries >= OTHER_ERROR_RETRIES:
            state.fail_lesson(lesson_id, "no_space" if exc.reason == "no_space" else "compose", detail=str(exc))
            return
        raise task.retry(exc=exc, countdown=2 ** task.request.retries) from exc
    except OSError as exc:
        if task.request.retries >= OTHER_ERROR_RETRIES:
            state.fail_lesson(lesson_id, "internal", detail=repr(exc))
            return
        raise task.retry(exc=exc, countdown=2 ** task.request.retries) from exc


def makes_lessons(consumed_queues) -> bool:
    """Does a worker consuming these queues take lesson stages? One on other queues (mail, beacons, the
    library) would spend seconds of CPU and hundreds of MB loading models it never uses, in the pages' time."""
    return settings.LESSON_GENERATION_QUEUE in (consumed_queues or ())


def _warm_up_in_background() -> None:
    """Load the embedding model, the neural voice and the equation typesetter now, not inside the
    first student's request."""
    if not getattr(settings, "LESSON_WARM_UP_WORKERS", True) or not makes_lessons(current_app.amqp.queues.consume_from):
        return

    def warm() -> None:
        try:
            warm_up()
        except Exception:  # a cold model is slower, never fatal
            logger.warning("embedding warm-up failed", exc_info=True)
        warmed: set[str] = set()
        for capability in ("tts", "tts_local"):
            try:
                provider = registry.get(capability)
                if hasattr(provider, "warm_up") and provider.name not in warmed:
                    warmed.add(provider.name)
                    provider.warm_up()
            except Exception:  # a voice that cannot load falls back to espeak-ng at narration time
                logger.warning("voice warm-up failed", exc_info=True)
        try:
            from content.media.mathtext import typeset  # noqa: PLC0415 - matplotlib loads in the warm-up thread only

            typeset("F_net = m × a", 48, (0, 0, 0))  # matplotlib's fonts and parser, for the first slides
        except Exception:  # slower first slides, never fatal
            logger.warning("slide warm-up failed", exc_info=True)

    # in the background, so the worker answers pings and takes tasks at once
    threading.Thread(target=warm, name="lesson-warm-up", daemon=True).start()


@worker_process_init.connect
def warm_up_pool_process(**_kwargs) -> None:
    """Prefork pool children (and the solo pool) warm up in the process that runs the tasks."""
    _warm_up_in_background()


@worker_ready.connect
def warm_up_providers(sender=None, **_kwargs) -> None:
    """Thread-pool workers warm up in the main process, which runs their tasks.

    Never in a prefork parent: a replacement child forked while the parent's warm-up thread held
    the model's lock (or OpenMP's) inherits it held and hangs on its first lesson.
    """
    pool = getattr(sender, "pool", None)
    if pool is not None and type(pool).__module__.endswith((".prefork", ".solo")):
        return
    _warm_up_in_background()


@shared_task(name="content.understand_request", **RETRY)
def understand_request(self, request_id: int) -> None:
    """Screen and resolve a request, then reuse, join or start its lesson job."""

    district_id = LessonRequest.objects.filter(pk=request_id).values_list("student__district_id", flat=True).first()
    with residency.district_scope(district_id):  # the question's embedding stays local under residency
        understand(request_id)


@shared_task(name="content.write_script", **RETRY)
def write_script(self, lesson_id: int) -> None:
    """Scripting stage."""
    _run_stage(self, stages.run_script, lesson_id)


@shared_task(name="content.render_visuals", **RETRY)
def render_visuals(self, lesson_id: int) -> None:
    """Rendering stage (one image per scene)."""
    _run_stage(self, stages.run_visuals, lesson_id)


@shared_task(name="content.narrate_lesson", **RETRY)
def narrate_lesson(self, lesson_id: int) -> None:
    """Narrating stage (one audio clip per scene)."""
    _run_stage(self, stages.run_narration, lesson_id)


@shared_task(name="content.compose_lesson", **RETRY)
def compose_lesson(self, lesson_id: int) -> None:
    """Composing stage (MP4, captions, poster, transcript) and delivery."""
    _run_stage(self, stages.run_compose, lesson_id)


@shared_task(name="content.sweep_stuck_lessons", acks_late=True)
def sweep_stuck_lessons(stuck_after: int | None = None) -> dict:
    """Periodic: resume or fail lesson jobs stuck longer than LESSON_STUCK_AFTER_SECONDS."""

    return sweep(stuck_after=stuck_after)


@shared_task(name="content.send_staff_alert", bind=True, acks_late=True, autoretry_for=(OSError,),
             retry_backoff=True, max_retries=5)
def send_staff_alert(self, *, to: str, subject: str, body: str) -> None:
    """Plain-text alert to a teacher or admin (safety alerts, budget thresholds)."""
    send_mail(subject=f"[Vividly] {subject}", message=body, from_email=settings.DEFAULT_FROM_EMAIL,
              recipient_list=[to])


@shared_task(name="content.release_due_requizzes", acks_late=True)
def release_due_requizzes() -> int:
    """Beat: release re-quizzes that have come due (they appear on the student dashboard)."""
    return progress.release_due_requizzes()
