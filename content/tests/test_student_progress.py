"""Progress events: de-duplication, ordering, server-computed watch time/completion, rejections."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from content import student_progress
from content.models import LessonProgress, ProgressEvent, QuizAttempt, ReQuiz
from content.tests.student_fixtures import make_catalogue, make_lesson, make_request

T0 = None


def _events(req, steps, session="s1", start_seq=1):
    """steps: [(kind, position, seconds_after_t0, extra)] → API-shaped events."""
    base = timezone.now() - dt.timedelta(minutes=5)
    out = []
    for i, (kind, position, after, *extra) in enumerate(steps):
        event = {"id": uuid.uuid4(), "request": req.pk, "session": session, "seq": start_seq + i, "kind": kind,
                 "position": position, "client_time": base + dt.timedelta(seconds=after), "rate": 1.0}
        event.update(extra[0] if extra else {})
        out.append(event)
    return out


@pytest.fixture
def ready(tenant_a):
    topics = make_catalogue()
    lesson = make_lesson(topics["newton1"])
    return make_request(tenant_a.student, lesson)


def test_watch_time_and_completion_are_computed_from_events(ready, tenant_a):
    # given a student who plays the whole 8 s video with heartbeats
    events = _events(ready, [("play", 0, 0), ("heartbeat", 4, 4), ("milestone", 6, 6, {"milestone": 75}),
                             ("ended", 8, 8)])
    # when the batch arrives (shuffled: the server orders by session/seq)
    result = student_progress.record_events(student=tenant_a.student, events=list(reversed(events)))
    # then watch time, coverage, milestone and completion come from the server's calculation
    progress = LessonProgress.objects.get(student=tenant_a.student, lesson=ready.lesson)
    assert result.accepted == 4
    assert progress.watched_seconds == pytest.approx(8.0)
    assert progress.watched_ranges == [[0.0, 8.0]]
    assert progress.max_milestone == 100
    assert progress.completed_at is not None
    assert progress.completed_by == "watched"
    assert progress.position_seconds == 0  # ended → resume from the start


def test_a_jump_to_the_end_is_not_watching(ready, tenant_a):
    # given a client that claims to reach the end one second after pressing play
    events = _events(ready, [("play", 0, 0), ("milestone", 8, 1, {"milestone": 100}), ("ended", 8, 1.2)])
    student_progress.record_events(student=tenant_a.student, events=events)
    progress = LessonProgress.objects.get(student=tenant_a.student, lesson=ready.lesson)
    # then nothing counts as watched and the lesson is not complete
    assert progress.watched_seconds == 0
    assert progress.completed_at is None
    assert progress.max_milestone == 0


def test_seek_splits_segments_and_sets_resume_point(ready, tenant_a):
    events = _events(ready, [("play", 0, 0), ("seek", 6, 2, {"from_position": 2}), ("pause", 7, 3)])
    student_progress.record_events(student=tenant_a.student, events=events)
    progress = LessonProgress.objects.get(student=tenant_a.student, lesson=ready.lesson)
    assert progress.watched_ranges == [[0.0, 2.0], [6.0, 7.0]]
    assert progress.position_seconds == 7
    assert progress.completed_at is None


def test_duplicates_and_replays_are_rejected(ready, tenant_a):
    events = _events(ready, [("play", 0, 0), ("pause", 3, 3)])
    student_progress.record_events(student=tenant_a.student, events=events)
    # the same batch again (same ids) → duplicates, not new rows
    again = student_progress.record_events(student=tenant_a.student, events=events)
    assert (again.accepted, again.duplicates) == (0, 2)
    # the same session/sequence with fresh ids → replayed
    replay = _events(ready, [("play", 0, 0), ("pause", 3, 3)])
    replayed = student_progress.record_events(student=tenant_a.student, events=replay)
    assert replayed.accepted == 0
    assert {r["reason"] for r in replayed.rejected} == {"replayed"}
    assert ProgressEvent.objects.filter(student=tenant_a.student).count() == 2


@pytest.mark.parametrize(("case", "step"), [
    ("negative", ("play", -1, 0)),
    ("past_end", ("play", 60, 0)),
    ("bad_milestone", ("milestone", 2, 0, {"milestone": 33})),
    ("too_fast", ("play", 1, 0, {"rate": 16})),
])
def test_out_of_range_events_are_rejected(ready, tenant_a, case, step):
    result = student_progress.record_events(student=tenant_a.student, events=_events(ready, [step]))
    assert result.accepted == 0
    assert result.rejected[0]["reason"] == "out_of_range"


def test_events_for_someone_elses_lesson_are_rejected(ready, tenant_a, tenant_b):
    result = student_progress.record_events(student=tenant_b.student, events=_events(ready, [("play", 0, 0)]))
    assert result.accepted == 0
    assert result.rejected[0]["reason"] == "unknown_lesson"
    assert not LessonProgress.objects.filter(student=tenant_b.student).exists()


def test_quiz_first_answer_counts_and_schedules_requiz(ready, tenant_a):
    q1, q2 = ready.lesson.quiz_questions.all()
    attempt, error = student_progress.answer_question(student=tenant_a.student, lesson_request=ready,
                                                      question=q1, chosen="Friction only")
    assert not error
    assert attempt.is_correct is False
    # a second answer to the same question doesn't replace the first
    again, _ = student_progress.answer_question(student=tenant_a.student, lesson_request=ready,
                                                question=q1, chosen="Inertia")
    assert again.pk == attempt.pk
    assert again.is_correct is False
    assert not ReQuiz.objects.filter(student=tenant_a.student).exists()
    student_progress.answer_question(student=tenant_a.student, lesson_request=ready, question=q2,
                                     chosen="A net force")
    requiz = ReQuiz.objects.get(student=tenant_a.student, lesson=ready.lesson)
    assert requiz.due_at > timezone.now() + dt.timedelta(days=2)
    # the re-quiz is not open yet
    _, error = student_progress.answer_question(student=tenant_a.student, lesson_request=ready, question=q1,
                                                chosen="Inertia", kind="requiz")
    assert error


def test_requiz_is_scored_apart(ready, tenant_a):
    q1, q2 = ready.lesson.quiz_questions.all()
    for q, chosen in ((q1, "Magnetism"), (q2, "Nothing")):
        student_progress.answer_question(student=tenant_a.student, lesson_request=ready, question=q, chosen=chosen)
    ReQuiz.objects.filter(student=tenant_a.student).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    assert student_progress.release_due_requizzes() == 1
    for q, chosen in ((q1, "Inertia"), (q2, "A net force")):
        student_progress.answer_question(student=tenant_a.student, lesson_request=ready, question=q,
                                         chosen=chosen, kind="requiz")
    requiz = ReQuiz.objects.get(student=tenant_a.student)
    assert (requiz.correct, requiz.total) == (2, 2)
    assert requiz.completed_at
    immediate = QuizAttempt.objects.filter(student=tenant_a.student, kind="immediate")
    assert not any(a.is_correct for a in immediate)


def test_invalid_choice_is_refused(ready, tenant_a):
    q1 = ready.lesson.quiz_questions.first()
    attempt, error = student_progress.answer_question(student=tenant_a.student, lesson_request=ready,
                                                      question=q1, chosen="<script>")
    assert attempt is None
    assert error


def test_requiz_release_task_is_registered_and_scheduled(ready, tenant_a, settings):
    from vividly.celery import app

    app.loader.import_default_modules()
    assert "content.release_due_requizzes" in app.tasks
    assert settings.CELERY_BEAT_SCHEDULE["content-release-due-requizzes"]["task"] == "content.release_due_requizzes"
    ReQuiz.objects.create(student=tenant_a.student, lesson=ready.lesson, due_at=timezone.now())
    assert app.tasks["content.release_due_requizzes"].apply().get() == 1
    assert ReQuiz.objects.get().released_at is not None


# --- forged clocks and replays (issue 15, finding 6) ---------------------------------------------

def _play(req, steps, *, session, client_start):
    """steps: [(kind, position, client seconds after client_start)] → one session's events."""
    return [{"id": uuid.uuid4(), "request": req.pk, "session": session, "seq": i + 1, "kind": kind,
             "position": position, "client_time": client_start + dt.timedelta(seconds=after), "rate": 1.0}
            for i, (kind, position, after) in enumerate(steps)]


def test_a_forged_client_clock_cannot_claim_unwatched_minutes(ready, tenant_a):
    # given a 2-minute lesson, and a client that says it pressed play ten minutes ago
    ready.lesson.duration_seconds = 120
    ready.lesson.save()
    ten_minutes_ago = timezone.now() - dt.timedelta(minutes=10)
    events = _play(ready, [("play", 0, 0), ("heartbeat", 60, 300), ("ended", 120, 600)], session="forged",
                   client_start=ten_minutes_ago)
    # when the whole "viewing" arrives in one batch, a second after the page opened
    student_progress.record_events(student=tenant_a.student, events=events)
    progress = LessonProgress.objects.get(student=tenant_a.student, lesson=ready.lesson)
    # then only what 2x speed allows in the server's time (one batch interval) counts
    grace = student_progress.BATCH_GRACE.total_seconds()
    assert progress.watched_seconds <= 2 * grace + student_progress.JITTER_SECONDS
    assert progress.completed_at is None
    assert progress.max_milestone <= 25
    # and "last watched" is when the server heard of it, not what the client claimed
    assert progress.last_event_at > timezone.now() - dt.timedelta(minutes=1)


def test_real_time_watching_is_credited_in_full(ready, tenant_a):
    import time_machine

    ready.lesson.duration_seconds = 120
    ready.lesson.save()
    start = timezone.now()
    events = _play(ready, [("play", 0, 0), ("heartbeat", 10, 10), ("heartbeat", 60, 60), ("heartbeat", 110, 110),
                           ("ended", 120, 120)], session="real", client_start=start)
    batches = [(events[:2], 10), (events[2:3], 60), (events[3:], 120)]  # flushed as the video plays
    for batch, at in batches:
        with time_machine.travel(start + dt.timedelta(seconds=at), tick=False):
            student_progress.record_events(student=tenant_a.student, events=batch)
    progress = LessonProgress.objects.get(student=tenant_a.student, lesson=ready.lesson)
    assert progress.watched_ranges == [[0.0, 120.0]]
    assert progress.watched_seconds == pytest.approx(120.0)
    assert progress.completed_by == "watched"


def test_replaying_under_new_session_ids_adds_no_watch_time(ready, tenant_a):
    # given a student who "watches" the 8 s lesson five times over, each time as a new player session
    for n in range(5):
        events = _play(ready, [("play", 0, 0), ("heartbeat", 4, 4), ("ended", 8, 8)], session=f"again-{n}",
                       client_start=timezone.now() - dt.timedelta(seconds=9))
        student_progress.record_events(student=tenant_a.student, events=events)
    progress = LessonProgress.objects.get(student=tenant_a.student, lesson=ready.lesson)
    # then watch time is the merged coverage, never more than the lesson
    assert progress.watched_ranges == [[0.0, 8.0]]
    assert progress.watched_seconds == pytest.approx(8.0)


def test_a_classmate_replaying_a_lesson_does_not_flag_others_as_low_engagement(ready, tenant_a):
    from accounts.tests.factories import StudentFactory
    from schools.selectors import class_report
    from schools.tests.factories import EnrollmentFactory

    # given two classmates who both watched the whole lesson, one of them 20 times over in new sessions
    inflater = StudentFactory(school=tenant_a.school)
    EnrollmentFactory(classroom=tenant_a.classroom, student=inflater)
    theirs = make_request(inflater, ready.lesson)
    watch = [("play", 0, 0), ("heartbeat", 4, 4), ("ended", 8, 8)]
    student_progress.record_events(student=tenant_a.student, events=_play(
        ready, watch, session="once", client_start=timezone.now() - dt.timedelta(seconds=9)))
    for n in range(20):
        student_progress.record_events(student=inflater, events=_play(
            theirs, watch, session=f"loop-{n}", client_start=timezone.now() - dt.timedelta(seconds=9)))
    # then both count the same watch time and neither is flagged for low engagement
    report = class_report(tenant_a.classroom)
    minutes = {row.student_id: row for row in report.progress}
    assert LessonProgress.objects.get(student=inflater).watched_seconds == pytest.approx(8.0)
    assert minutes[tenant_a.student.pk].minutes == minutes[inflater.pk].minutes
    assert not [s for s in report.signals if s.kind == "low_engagement"]
