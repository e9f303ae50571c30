"""Write side of student progress: batched player events → server-computed watch time and completion,
quiz answers with instant feedback, completion, re-quiz scheduling and problem reports."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from content.models import (
    LessonProgress,
    LessonRequest,
    ProblemReport,
    ProgressEvent,
    QuizAttempt,
    QuizQuestion,
    ReQuiz,
    lesson_bulk,
)
from content.models.progress import COMPLETE_SHARE, watched_share

MILESTONES = (25, 50, 75, 100)
MAX_RATE = 2.0  # the player's fastest speed; faster "progress" is not real watching
JITTER_SECONDS = 1.5
MAX_EVENT_AGE = dt.timedelta(hours=24)
#: Wall-clock time a session may have played before its first batch reached the server (the player
#: flushes every 10 s; see static/js/lesson.js).
BATCH_GRACE = dt.timedelta(seconds=12)
MAX_CLOCK_SKEW = dt.timedelta(minutes=5)
REQUIZ_AFTER = dt.timedelta(days=getattr(settings, "VIVIDLY_REQUIZ_AFTER_DAYS", 3))


@dataclass
class BatchResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)
    lessons: dict[int, LessonProgress] = field(default_factory=dict)


def _reject(result: BatchResult, event: dict, reason: str) -> None:
    result.rejected.append({"id": str(event.get("id", "")), "reason": reason})


def _in_range(event: dict, duration: float, now: dt.datetime) -> bool:
    limit = duration + JITTER_SECONDS
    positions = [event["position"]] + ([event["from_position"]] if event.get("from_position") is not None else [])
    if any(p < 0 or p > limit for p in positions):
        return False
    if not (now - MAX_EVENT_AGE <= event["client_time"] <= now + MAX_CLOCK_SKEW):
        return False
    if event["kind"] == ProgressEvent.Kind.MILESTONE and event.get("milestone") not in MILESTONES:
        return False
    return 0.25 <= event.get("rate", 1.0) <= MAX_RATE


@transaction.atomic
def record_events(*, student: User, events: list[dict]) -> BatchResult:
    """Store a batch of validated player events; reject foreign/out-of-range/replayed ones; recompute progress.

    Each event: {id (uuid), request (LessonRequest pk), session, seq, kind, position, from_position?,
    milestone?, rate?, client_time}.
    """
    result = BatchResult()
    now = timezone.now()
    # `filter(student=student)` is exactly the student branch of LessonRequest's tenant policy (no DISTINCT);
    # the lesson's script and logs are not needed here.
    requests = {r.pk: r for r in LessonRequest.objects.filter(
        student=student, pk__in={e["request"] for e in events}).select_related("lesson").defer(
        "stage_log", "providers", *lesson_bulk())}
    ids = [e["id"] for e in events]
    lesson_ids = {r.lesson_id for r in requests.values() if r.lesson_id}
    seen_ids, seen_sequences = set(), set()
    # One query for both checks: events already stored under these ids, and under these sessions' sequences.
    for event_id, lesson_id, session_id, sequence in ProgressEvent.objects.filter(student=student).filter(
            Q(client_event_id__in=ids)
            | Q(lesson_id__in=lesson_ids, session_id__in={e["session"] for e in events})).values_list(
            "client_event_id", "lesson_id", "session_id", "sequence"):
        seen_ids.add(event_id)
        seen_sequences.add((lesson_id, session_id, sequence))
    rows, touched = [], {}
    for event in sorted(events, key=lambda e: (e["session"], e["seq"])):
        lesson_request = requests.get(event["request"])
        if lesson_request is None or lesson_request.lesson is None or not lesson_request.lesson.is_ready:
            _reject(result, event, "unknown_lesson")
            continue
        lesson = lesson_request.lesson
        if event["id"] in seen_ids:
            result.duplicates += 1
            continue
        sequence_key = (lesson.pk, event["session"], event["seq"])
        if sequence_key in seen_sequences:
            _reject(result, event, "replayed")
            continue
        if not _in_range(event, lesson.duration_seconds, now):
            _reject(result, event, "out_of_range")
            continue
        seen_ids.add(event["id"])
        seen_sequences.add(sequence_key)
        rows.append(ProgressEvent(
            student=student, lesson=lesson, client_event_id=event["id"], session_id=event["session"],
            sequence=event["seq"], kind=event["kind"], position_seconds=event["position"],
            from_seconds=event.get("from_position"), milestone=event.get("milestone"),
            playback_rate=event.get("rate", 1.0), client_time=event["client_time"]))
        touched[lesson.pk] = lesson_request
    ProgressEvent.objects.bulk_create(rows, ignore_conflicts=True)
    result.accepted = len(rows)
    for lesson_request in touched.values():
        result.lessons[lesson_request.lesson_id] = recompute_progress(student=student, lesson_request=lesson_request)
    return result


def _merge(ranges: list[list[float]]) -> list[list[float]]:
    merged: list[list[float]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 0.5:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [[round(s, 2), round(e, 2)] for s, e in merged]


def _union_seconds(spans: list[tuple[dt.datetime, dt.datetime]]) -> float:
    """Seconds covered by the union of wall-clock spans."""
    total, reach = 0.0, None
    for start, end in sorted(spans):
        begin = start if reach is None else max(start, reach)
        if end > begin:
            total += (end - begin).total_seconds()
            reach = end
    return total


def _known_by(session_events: list[ProgressEvent]) -> list[dt.datetime]:
    """For each event (in sequence order), the server time by which it had certainly happened: the
    earliest `received_at` of it or any later event of the session (batches may arrive out of order)."""
    known, earliest = [], None
    for event in reversed(session_events):
        earliest = event.received_at if earliest is None else min(earliest, event.received_at)
        known.append(earliest)
    return known[::-1]


def played_segments(events: list[ProgressEvent]) -> list[list[float]]:
    """Segments of video really played, from one student's events for one lesson.

    A segment counts only while playing, and the pace is set by the server's clock: everything the
    student's sessions played together can be at most 2× the wall-clock time they were open (from
    `received_at`, with one batch interval of grace; parallel sessions share that time). The
    browser's `client_time` can only lower the credit (a jump between two events a second apart),
    never raise it, so a forged clock cannot claim a video that was not watched in real time.
    """
    by_session: dict[str, list[ProgressEvent]] = defaultdict(list)
    for event in events:
        by_session[event.session_id].append(event)
    timeline = []
    for session_id, session_events in by_session.items():
        ordered = sorted(session_events, key=lambda e: e.sequence)
        timeline += [(known, session_id, event) for known, event in zip(_known_by(ordered), ordered, strict=True)]
    timeline.sort(key=lambda item: (item[0], item[1], item[2].sequence))
    segments: list[list[float]] = []
    spans: dict[str, list[dt.datetime]] = {}
    state: dict[str, tuple[bool, float, dt.datetime | None]] = {}
    credited = 0.0
    for known, session_id, event in timeline:
        span = spans.setdefault(session_id, [known - BATCH_GRACE, known])
        span[1] = known
        playing, last_pos, last_time = state.get(session_id, (False, 0.0, None))
        reached = event.from_seconds if event.kind == ProgressEvent.Kind.SEEK else event.position_seconds
        if playing and last_time is not None and reached is not None:
            advance = reached - last_pos
            wall = (event.client_time - last_time).total_seconds()
            budget = MAX_RATE * _union_seconds([tuple(s) for s in spans.values()]) + JITTER_SECONDS - credited
            if 0 < advance <= wall * MAX_RATE + JITTER_SECONDS and budget > 0:
                end = last_pos + min(advance, budget)
                segments.append([last_pos, end])
                credited += end - last_pos
        if event.kind in (ProgressEvent.Kind.PAUSE, ProgressEvent.Kind.ENDED):
            playing = False
        elif event.kind in (ProgressEvent.Kind.PLAY, ProgressEvent.Kind.HEARTBEAT, ProgressEvent.Kind.MILESTONE):
            playing = True
        state[session_id] = (playing, event.position_seconds, event.client_time)
    return segments


def recompute_progress(*, student: User, lesson_request: LessonRequest) -> LessonProgress:
    """Derive watch time, coverage, milestone, resume point and completion from all stored events.

    Watch time is the merged coverage of the played segments, capped at the lesson's length: replaying
    a part, or sending it again under new session ids, adds nothing.
    """
    lesson = lesson_request.lesson
    events = list(ProgressEvent.objects.filter(student=student, lesson=lesson))
    ranges = _merge(played_segments(events))
    duration = lesson.duration_seconds or 0
    covered = sum(end - start for start, end in ranges)
    if duration:
        covered = min(covered, duration)
    share = watched_share(ranges, duration)
    progress, _ = LessonProgress.objects.get_or_create(student=student, lesson=lesson,
                                                      defaults={"lesson_request": lesson_request})
    last = max(events, key=lambda e: (e.received_at, e.sequence)) if events else None
    if progress.lesson_request_id is None:  # the id: reading the relation would load the row
        progress.lesson_request = lesson_request
    progress.watched_seconds = round(covered, 2)
    progress.watched_ranges = ranges
    progress.max_milestone = max([m for m in MILESTONES if share >= m / 100 - 0.02] or [0])
    progress.events_count = len(events)
    if last is not None:
        at_end = last.kind == ProgressEvent.Kind.ENDED or (duration and last.position_seconds >= max(duration - 1, duration * 0.98))
        progress.position_seconds = 0 if at_end else last.position_seconds
        progress.last_event_at = last.received_at
    if share >= COMPLETE_SHARE and not progress.completed_at:
        progress.completed_at = timezone.now()
        progress.completed_by = "watched"
    progress.save()
    return progress


@transaction.atomic
def mark_complete(*, student: User, lesson_request: LessonRequest) -> LessonProgress:
    """The student says they are done with the lesson."""
    progress, _ = LessonProgress.objects.get_or_create(
        student=student, lesson_id=lesson_request.lesson_id, defaults={"lesson_request": lesson_request})
    if not progress.completed_at:
        progress.completed_at = timezone.now()
        progress.completed_by = "marked"
        progress.last_event_at = progress.last_event_at or progress.completed_at
        progress.save(update_fields=["completed_at", "completed_by", "last_event_at"])
    return progress


def _choice_texts(question: QuizQuestion) -> list[str]:
    return [c.get("text", "") if isinstance(c, dict) else str(c) for c in question.choices]


def _matches(chosen: str, answer: str) -> bool:
    """Exact for multiple choice; for open questions, case and punctuation do not matter."""
    def norm(text: str) -> str:
        return " ".join("".join(ch for ch in text.lower() if ch.isalnum() or ch.isspace()).split())

    return norm(chosen) == norm(answer)


def answer_question(*, student: User, lesson_request: LessonRequest, question: QuizQuestion, chosen: str,
                    kind: str = QuizAttempt.Kind.IMMEDIATE) -> tuple[QuizAttempt | None, str]:
    """Record the first answer to a question (immediate quiz or re-quiz); returns (attempt, error)."""
    choices = _choice_texts(question)
    chosen = chosen.strip()[:1000]
    if choices and chosen not in choices:
        return None, "Pick one of the answers first."
    if not chosen:
        return None, "Write your answer first."
    if kind not in QuizAttempt.Kind.values:
        return None, "Unknown quiz."
    if kind == QuizAttempt.Kind.REQUIZ and not ReQuiz.objects.filter(
            student=student, lesson_id=question.lesson_id, due_at__lte=timezone.now()).exists():
        return None, "This check-in isn't open yet."
    try:
        with transaction.atomic():
            attempt, _ = QuizAttempt.objects.get_or_create(
                student=student, question=question, kind=kind,
                defaults={"lesson_id": question.lesson_id, "chosen": chosen,
                          "is_correct": _matches(chosen, question.answer)})
    except IntegrityError:
        attempt = QuizAttempt.objects.get(student=student, question=question, kind=kind)
    _after_answer(student=student, lesson_request=lesson_request, kind=kind)
    return attempt, ""


def _after_answer(*, student: User, lesson_request: LessonRequest, kind: str) -> None:
    lesson = lesson_request.lesson
    total = lesson.quiz_questions.count()
    answered = QuizAttempt.objects.filter(student=student, lesson=lesson, kind=kind)
    if kind == QuizAttempt.Kind.IMMEDIATE and answered.count() >= total:
        ReQuiz.objects.get_or_create(student=student, lesson=lesson, defaults={
            "lesson_request": lesson_request, "due_at": timezone.now() + REQUIZ_AFTER})
    elif kind == QuizAttempt.Kind.REQUIZ:
        requiz_total = min(total, 3)
        rows = list(answered.values_list("is_correct", flat=True))
        if len(rows) >= requiz_total:
            ReQuiz.objects.filter(student=student, lesson=lesson, completed_at__isnull=True).update(
                completed_at=timezone.now(), correct=sum(rows), total=requiz_total)


def report_problem(*, student: User, lesson_request: LessonRequest, reason: str, details: str) -> ProblemReport:
    """Record a problem report; the student's teachers see it through ProblemReport.visible_to."""
    return ProblemReport.objects.create(student=student, lesson_id=lesson_request.lesson_id,
                                        lesson_request=lesson_request, reason=reason, details=details.strip())


def release_due_requizzes(*, now: dt.datetime | None = None) -> int:
    """Beat: mark due re-quizzes released (shown on the dashboard); returns how many."""
    now = now or timezone.now()
    return ReQuiz.objects.filter(released_at__isnull=True, completed_at__isnull=True, due_at__lte=now).update(
        released_at=now)
