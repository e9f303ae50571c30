"""Write side of lesson generation: requests, topic choice, safety events, cost ledger, budgets,
the stuck-job sweeper and the inline (synchronous) pipeline runner."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import Interest, StudentInterest, User
from content import safety
from content.models import (
    DistrictBudget,
    Lesson,
    LessonRequest,
    Notification,
    ProviderCall,
    RequestStatus,
    SafetyEvent,
)
from content.pipeline import LESSON_STAGES, state
from content.pipeline.understand import reuse_key
from ingestion.models import Topic
from schools.tenancy import Role
from vividly.providers.base import Usage

logger = logging.getLogger(__name__)

QUESTION_MIN, QUESTION_MAX = 5, 2000  # a pasted homework problem with its options fits (issue 18)
INTEREST_MAX = 40
#: A typed interest: letters (any script), digits, spaces and a few joiners ("k-pop", "R&B", "rock 'n' roll").
_INTEREST_TEXT = re.compile(r"^[^\W_][\w &'+.!-]*$")


class LessonRequestError(Exception):
    """A request the service will not accept; `code` is stable, `message` is for the student."""

    code = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidQuestion(LessonRequestError):
    code = "invalid_question"


class GenerationDisabled(LessonRequestError):
    code = "generation_disabled"


class QuotaExceeded(LessonRequestError):
    code = "quota_exceeded"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# --- requests ----------------------------------------------------------------------------------------

def resolve_interest(*, student: User, interest: str | None) -> tuple[Interest | None, str]:
    """The catalogue interest named by the student, else any interest they type (checked for length,
    characters and safety; the writer maps it to the nearest known world or frames the lesson
    around its name), else their top-ranked one, else none."""
    name = " ".join((interest or "").split())
    if name:
        found = Interest.objects.filter(Q(slug__iexact=name) | Q(name__iexact=name)).first()
        if found is not None:
            return found, found.name
        return None, clean_typed_interest(name)
    ranked = StudentInterest.objects.filter(student=student).select_related("interest").order_by("rank").first()
    if ranked:
        return ranked.interest, ranked.interest.name
    return None, "everyday life"


def clean_typed_interest(name: str) -> str:
    """A typed interest as the lesson will name it; InvalidQuestion when it is too long, has odd
    characters or fails the safety screen."""
    name = " ".join(name.split())
    if len(name) > INTEREST_MAX:
        raise InvalidQuestion(f"Please keep your interest under {INTEREST_MAX} characters.")
    if len(name) < 2 or not _INTEREST_TEXT.match(name):
        raise InvalidQuestion("Type your interest using letters and numbers, like “skateboarding” or “k-pop”.")
    if safety.screen_interest(name) is not None:
        raise InvalidQuestion("We can't make a lesson around that. Try another interest, like a sport, a hobby or "
                              "a kind of music.")
    return name


def _check_flag(student: User) -> None:
    from flags.evaluation import flag_is_active

    if not settings.VIDEO_GENERATION_ENABLED or not flag_is_active("video_generation", student):
        raise GenerationDisabled("Video lessons are switched off for your school right now.")


def _find_reusable_lesson(*, question: str, topic: Topic | None, interest: str, grade_band: str) -> Lesson | None:
    """A ready lesson that answers this request without any generation (the <100 ms path)."""
    if topic is not None:
        key = reuse_key(module_ids=[topic.module_id], interest=interest, grade_band=grade_band, question=question)
        return Lesson.objects.filter(reuse_key=key, stage=Lesson.Stage.READY).first()
    previous = (LessonRequest.objects.filter(question__iexact=question, status=RequestStatus.READY,
                                             interest_name=interest, grade_band=grade_band,
                                             lesson__stage=Lesson.Stage.READY,
                                             lesson__generator_version=settings.LESSON_GENERATOR_VERSION)
                .order_by("-created_at").values_list("lesson_id", flat=True).first())
    return Lesson.objects.filter(pk=previous).first() if previous else None


def _honour_class_choices(*, student: User, topic: Topic | None, interest: Interest | None,
                          reusable: Lesson | None) -> Lesson | None:
    """A class-pinned lesson wins; a lesson for a blocked topic–interest pairing is never reused."""
    from schools.selectors import is_pairing_blocked, pinned_lesson_for_student

    if topic is not None:
        pinned = pinned_lesson_for_student(student=student, topic=topic)
        if pinned is not None:
            return pinned
    if reusable is not None and interest is not None and is_pairing_blocked(
            student=student, topic=reusable.topic_id, interest=interest):
        return None  # the understand stage picks another interest
    return reusable


def create_lesson_request(*, student: User, question: str = "", interest: str | None = None,
                          topic_id: int | None = None, idempotency_key: str = "",
                          enforce_quota: bool = True, enqueue: bool = True) -> tuple[LessonRequest, bool]:
    """Accept a student's question (or picked topic): (request, created). Replays return the original.

    `enqueue=False` leaves the job to the caller (`run_request_inline`, e.g. `manage.py generate_lesson`).
    """
    if student.role != Role.STUDENT:
        raise PermissionDenied("Only students can request lessons.")
    # privacy hook (issue 5): under-13 students need a recorded school consent
    from accounts.privacy.services import ensure_can_request_lessons

    ensure_can_request_lessons(student)
    _check_flag(student)
    idempotency_key = (idempotency_key or "").strip()[:128]
    if idempotency_key:
        existing = LessonRequest.objects.filter(student=student, idempotency_key=idempotency_key).first()
        if existing:
            return existing, False
    topic = None
    if topic_id is not None:
        topic = Topic.objects.select_related("chapter__book").filter(pk=topic_id, is_active=True).first()
        if topic is None:
            raise InvalidQuestion("That topic doesn't exist.")
    question = " ".join((question or "").split())
    if not question and topic is not None:
        question = f"Teach me about {topic.title}"
    if len(question) < QUESTION_MIN:
        raise InvalidQuestion(f"Please ask a question of at least {QUESTION_MIN} characters.")
    if len(question) > QUESTION_MAX:
        raise InvalidQuestion(f"Please keep your question under {QUESTION_MAX} characters.")
    interest_row, interest_name = resolve_interest(student=student, interest=interest)
    if enforce_quota:
        from accounts.ratelimits import check_lesson_quota, refund_lesson_quota

        allowed, retry_after = check_lesson_quota(student)
        if not allowed:
            refund_lesson_quota(student)  # a refused attempt must not use up a slot itself
            raise QuotaExceeded("You've asked for a lot of lessons this hour. Take a break and try again soon.",
                                retry_after)
    grade_band = student.grade_band
    reusable = _find_reusable_lesson(question=question, topic=topic, interest=interest_name, grade_band=grade_band)
    reusable = _honour_class_choices(student=student, topic=topic, interest=interest_row, reusable=reusable)
    try:
        with transaction.atomic():
            request = LessonRequest.objects.create(
                student=student, question=question, topic=topic, interest=interest_row,
                interest_name=interest_name, grade_level=student.grade_level, grade_band=grade_band,
                idempotency_key=idempotency_key, counts_against_quota=enforce_quota,
                message="Your request is in the queue…")
            state.note_stage(request.stage_log, RequestStatus.QUEUED, started=state.now_iso())
            if reusable is not None:
                request.topic = reusable.topic
                request.module_ids = reusable.module_ids
                request.confidence = 1.0
                request.save(update_fields=["topic", "module_ids", "confidence", "stage_log"])
                state.mark_request_ready(request, reusable, reused=True, notify=False)
            else:
                request.save(update_fields=["stage_log"])
                if enqueue:
                    state.enqueue_understand(request.pk)
    except IntegrityError:  # a concurrent double submit with the same key won the race
        if enforce_quota:
            from accounts.ratelimits import refund_lesson_quota

            refund_lesson_quota(student)
        return LessonRequest.objects.get(student=student, idempotency_key=idempotency_key), False
    return request, True


class RegenerationRefused(ValidationError):
    """A regeneration the service will not start; the message is for the teacher."""


def _check_regeneration_allowed(actor: User) -> None:
    from flags.evaluation import flag_is_active

    if actor.role not in (Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN) or not actor.district_id:
        raise PermissionDenied("Only a district's staff can regenerate lessons.")
    if not settings.VIDEO_GENERATION_ENABLED or not flag_is_active("video_generation", actor):
        raise RegenerationRefused("Lesson generation is switched off for your school right now.")
    if generation_paused(district_id=actor.district_id):
        raise RegenerationRefused("Your district has used its lesson budget for this month, so new lessons are "
                                  "paused until next month.")


def regenerate_lesson(*, actor: User, lesson: Lesson) -> tuple[Lesson, bool]:
    """Retire a finished lesson a teacher flagged and start a fresh one with the same framing:
    (fresh lesson, created). While one regeneration of the lesson is running, asking again returns it.

    The job is charged to the teacher's district (`Lesson.paying_district`: its budget, its pause at
    100 % and its data-residency choice apply) and counts against the teacher's hourly regeneration
    limit. Students who already received the old lesson keep it; new requests get the fresh one.
    """
    _check_regeneration_allowed(actor)
    from accounts.ratelimits import check_regeneration_quota, refund_regeneration_quota

    with transaction.atomic():
        lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
        pending = lesson.regenerations.filter(stage__in=LESSON_STAGES).first()
        if pending is not None:
            return pending, False
        if lesson.stage != Lesson.Stage.READY:
            raise RegenerationRefused("Only a finished lesson can be regenerated.")
        if lesson.regenerations.filter(stage=Lesson.Stage.READY).exists():
            raise RegenerationRefused("This lesson was already replaced by a fresh version; new requests get that one.")
        allowed, retry_after = check_regeneration_quota(actor)
        if not allowed:
            refund_regeneration_quota(actor)  # a refused attempt must not use up a slot itself
            raise RegenerationRefused(f"You've regenerated several lessons this hour. Please try again in "
                                      f"{max(1, retry_after // 60)} minutes.")
        failed = lesson.regenerations.filter(stage=Lesson.Stage.FAILED).order_by("-created_at").first()
        if failed is not None:  # it holds the reuse key already: run it again
            fresh = failed
            fresh.stage, fresh.error, fresh.resume_count, fresh.stage_log = Lesson.Stage.SCRIPTING, "", 0, {}
            fresh.paying_district_id, fresh.regenerated_by = actor.district_id, actor
            fresh.save(update_fields=["stage", "error", "resume_count", "stage_log", "paying_district",
                                      "regenerated_by", "updated_at"])
        else:
            key = lesson.reuse_key
            lesson.reuse_key = hashlib.sha256(f"retired:{lesson.pk}:{key}".encode()).hexdigest()
            lesson.save(update_fields=["reuse_key", "updated_at"])
            fresh = Lesson.objects.create(
                reuse_key=key, topic=lesson.topic, module_ids=lesson.module_ids, interest=lesson.interest,
                grade_band=lesson.grade_band, generator_version=settings.LESSON_GENERATOR_VERSION,
                title=lesson.title, paying_district_id=actor.district_id, regenerated_from=lesson,
                regenerated_by=actor)
        logger.info("lesson regenerated", extra={"actor_id": actor.pk, "old_lesson": lesson.pk, "lesson": fresh.pk,
                                                 "district_id": actor.district_id})
        state.enqueue_stage(fresh.pk, Lesson.Stage.SCRIPTING)
    return fresh, True


def choose_topic(*, student: User, lesson_request: LessonRequest, topic_id: int) -> LessonRequest:
    """The student picks one of the offered topics for a request waiting in needs_choice."""
    with transaction.atomic():
        request = LessonRequest.objects.select_for_update().get(pk=lesson_request.pk, student=student)
        if request.status != RequestStatus.NEEDS_CHOICE:
            raise InvalidQuestion("This request is not waiting for a topic choice.")
        offered = {choice["topic_id"] for choice in request.choices}
        if topic_id not in offered:
            raise InvalidQuestion("Please pick one of the topics we offered.")
        request.topic = Topic.objects.get(pk=topic_id)
        request.confidence = 1.0
        request.save(update_fields=["topic", "confidence", "updated_at"])
        state.set_request_status(request, RequestStatus.QUEUED, message="Got it — making your lesson…")
        state.enqueue_understand(request.pk)
    return request


def mark_notifications_read(*, user: User, pks: list[int] | None = None) -> int:
    """Mark the user's notifications (all, or the given ones) as read; returns how many changed."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if pks is not None:
        rows = rows.filter(pk__in=pks)
    return rows.update(read_at=timezone.now())


# --- safety ----------------------------------------------------------------------------------------

ABUSE_CATEGORIES = (SafetyEvent.Category.VIOLENCE, SafetyEvent.Category.SEXUAL, SafetyEvent.Category.INJECTION)


def teachers_of(student: User):
    teachers = User.objects.filter(role=Role.TEACHER, taught_classrooms__enrollments__student=student,
                                   is_active=True).distinct()
    if teachers.exists():
        return teachers
    return User.objects.filter(role=Role.SCHOOL_ADMIN, school_id=student.school_id, is_active=True)


def _alert_staff(users, *, kind: str, title: str, body: str, safety_event: SafetyEvent | None = None) -> None:
    from content.tasks import send_staff_alert

    for user in users:
        Notification.objects.create(user=user, kind=kind, title=title[:200], body=body, safety_event=safety_event)
        email = user.email
        transaction.on_commit(lambda email=email: send_staff_alert.delay(to=email, subject=title, body=body))


def record_safety_event(*, student: User, category: str, question: str,
                        lesson_request: LessonRequest | None = None) -> SafetyEvent:
    """Record a refused request; alert the student's teachers for self-harm or repeated abuse."""
    event = SafetyEvent.objects.create(student=student, lesson_request=lesson_request, category=category,
                                       excerpt=safety.redact(question))
    alert = category in safety.ALERT_CATEGORIES
    reason = "may be at risk of self-harm"
    if not alert and category in ABUSE_CATEGORIES:
        since = timezone.now() - timedelta(hours=safety.ABUSE_WINDOW_HOURS)
        recent = SafetyEvent.objects.filter(student=student, category__in=ABUSE_CATEGORIES, created_at__gte=since)
        already = recent.filter(teacher_notified=True).exists()
        alert = recent.count() >= safety.REPEATED_ABUSE_COUNT and not already
        reason = "has repeatedly asked for unsafe content"
    if alert:
        name = student.get_full_name() or student.email
        _alert_staff(teachers_of(student), kind=Notification.Kind.SAFETY_ALERT,
                     title=f"Please check in with {name}",
                     body=(f"A lesson request from {name} {reason} ({event.get_category_display()}). "
                           "The request was refused with a supportive message. Please follow your school's "
                           "safeguarding procedure."), safety_event=event)
        event.teacher_notified = True
        event.save(update_fields=["teacher_notified"])
    return event


# --- cost ledger and budgets ----------------------------------------------------------------------

def estimate_cost(usage: Usage) -> Decimal:
    """Estimated USD cost of one call from settings.PROVIDER_UNIT_PRICES (unknown/local: 0)."""
    prices = settings.PROVIDER_UNIT_PRICES.get(usage.provider, {})
    total = sum(Decimal(str(price)) * Decimal(getattr(usage, unit, 0) or 0) for unit, price in prices.items())
    return Decimal(total).quantize(Decimal("0.000001"))


def record_provider_call(*, capability: str, usage: Usage, lesson: Lesson | None = None,
                         district_id: int | None = None, succeeded: bool = True, is_fallback: bool = False,
                         detail: str = "", seconds: float = 0.0) -> ProviderCall:
    """Add one row to the cost ledger and send any budget alert it triggers."""
    call = ProviderCall.objects.create(
        district_id=district_id, lesson=lesson, capability=capability, provider=usage.provider,
        succeeded=succeeded, is_fallback=is_fallback, input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens, images=usage.images, characters=usage.characters,
        estimated_cost=estimate_cost(usage) if succeeded else Decimal(0), seconds=round(seconds, 4),
        detail=detail[:300])
    if district_id and call.estimated_cost > 0:
        check_budget_alerts(district_id=district_id)
    return call


def month_spend(*, district_id: int, now=None) -> Decimal:
    now = now or timezone.now()
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    total = ProviderCall.objects.filter(district_id=district_id, created_at__gte=start).aggregate(
        total=Sum("estimated_cost"))["total"]
    return total or Decimal(0)


def budget_used_percent(*, district_id: int | None) -> float | None:
    """Share of this month's budget spent (None without a budget)."""
    if not district_id:
        return None
    budget = DistrictBudget.objects.filter(district_id=district_id).first()
    if budget is None or budget.monthly_budget <= 0:
        return None
    return float(month_spend(district_id=district_id) / budget.monthly_budget * 100)


def paid_providers_allowed(*, district_id: int | None) -> bool:
    """False once the district has spent its monthly budget (then local providers are used)."""
    used = budget_used_percent(district_id=district_id)
    return used is None or used < 100


def generation_paused(*, district_id: int | None) -> bool:
    """True when the budget is spent and the district chose to pause rather than go local."""
    if paid_providers_allowed(district_id=district_id):
        return False
    return DistrictBudget.objects.filter(district_id=district_id, action_at_limit=DistrictBudget.Action.PAUSE).exists()


def check_budget_alerts(*, district_id: int) -> list[int]:
    """Alert district admins once per threshold (50/75/90/100 %) per month; returns thresholds sent."""
    used = budget_used_percent(district_id=district_id)
    if used is None:
        return []
    month = timezone.now().strftime("%Y-%m")
    with transaction.atomic():
        budget = DistrictBudget.objects.select_for_update().get(district_id=district_id)
        sent = set(budget.alerts_sent.get(month, []))
        due = [t for t in settings.BUDGET_ALERT_THRESHOLDS if used >= t and t not in sent]
        if not due:
            return []
        budget.alerts_sent = {month: sorted(sent | set(due))}
        budget.save(update_fields=["alerts_sent", "updated_at"])
        top = max(due)
        action = ("new lessons now use the free local providers" if budget.action_at_limit == DistrictBudget.Action.LOCAL
                  else "new lessons are paused until next month")
        body = (f"Your district has used {used:.0f}% of its ${budget.monthly_budget} monthly lesson-generation "
                "budget." + (f" At 100% {action}." if top >= 100 else ""))
        admins = User.objects.filter(role=Role.DISTRICT_ADMIN, district_id=district_id, is_active=True)
        _alert_staff(admins, kind=Notification.Kind.BUDGET_ALERT, title=f"Lesson budget {top}% used", body=body)
    return due


# --- sweeper and inline runner --------------------------------------------------------------------

def sweep_stuck_lessons(*, stuck_after: int | None = None) -> dict[str, list[int]]:
    """Resume (or, after too many resumes, fail) jobs whose stage made no progress for a while."""
    seconds = settings.LESSON_STUCK_AFTER_SECONDS if stuck_after is None else stuck_after
    cutoff = timezone.now() - timedelta(seconds=seconds)
    report: dict[str, list[int]] = {"resumed": [], "failed": [], "requests_resumed": [], "requests_failed": []}
    for lesson_id in Lesson.objects.filter(stage__in=LESSON_STAGES, updated_at__lte=cutoff).values_list("pk", flat=True):
        with transaction.atomic():
            lesson = Lesson.objects.select_for_update().get(pk=lesson_id)
            if lesson.stage not in LESSON_STAGES or lesson.updated_at > cutoff:
                continue
            if lesson.resume_count >= settings.LESSON_MAX_RESUMES:
                report["failed"].append(lesson_id)
            else:
                lesson.resume_count += 1
                lesson.save(update_fields=["resume_count", "updated_at"])
                state.enqueue_stage(lesson.pk, lesson.stage)
                report["resumed"].append(lesson_id)
    for lesson_id in report["failed"]:
        state.fail_lesson(lesson_id, "stuck", detail="no progress after repeated resumes")
    waiting = LessonRequest.objects.filter(status__in=[RequestStatus.QUEUED, RequestStatus.UNDERSTANDING],
                                           lesson__isnull=True, updated_at__lte=cutoff)
    for request_id in waiting.values_list("pk", flat=True):
        with transaction.atomic():
            request = LessonRequest.objects.select_for_update().get(pk=request_id)
            if request.is_final or request.lesson_id:
                continue
            resumes = int(request.stage_log.get("resumes", 0))
            if resumes >= settings.LESSON_MAX_RESUMES:
                state.mark_request_failed(request, "stuck", detail="understanding never finished")
                report["requests_failed"].append(request_id)
                continue
            request.stage_log["resumes"] = resumes + 1
            request.status = RequestStatus.QUEUED
            request.save(update_fields=["stage_log", "status", "updated_at"])
            state.enqueue_understand(request.pk)
            report["requests_resumed"].append(request_id)
    return report


def run_request_inline(*, request_id: int) -> LessonRequest:
    """Drive one request through every stage in this process (management command, benchmarks)."""
    from content.pipeline.stages import STAGE_RUNNERS
    from content.pipeline.understand import understand

    token = state.INLINE.set(True)
    try:
        understand(request_id)
        request = LessonRequest.objects.get(pk=request_id)
        while request.lesson_id:
            lesson = Lesson.objects.get(pk=request.lesson_id)
            runner = STAGE_RUNNERS.get(lesson.stage)
            if runner is None:
                break
            runner(lesson.pk, final_attempt=True)
            request.refresh_from_db()
        return LessonRequest.objects.get(pk=request_id)
    finally:
        state.INLINE.reset(token)


def lesson_summary(lesson: Lesson) -> dict[str, Any]:
    """The lesson as the API returns it (also printed by `generate_lesson --json`)."""
    from content.selectors import lesson_payload

    return lesson_payload(lesson)
