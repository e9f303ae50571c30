"""Pure analytics: progress, heatmap, assignment completion and needs-help signals from facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from schools import analytics as a
from teaching.models import SignalKind

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@dataclass
class Person:
    pk: int
    email: str = ""

    def get_full_name(self) -> str:
        return f"Student {self.pk}"


@dataclass
class T:
    pk: int
    title: str = "T"

    def __str__(self) -> str:
        return f"Topic {self.pk}"


def w(sid, lesson, topic, fraction, days_ago=1, seconds=60.0):  # noqa: PLR0917
    return a.WatchFact(student_id=sid, lesson_id=lesson, topic_id=topic, at=NOW - timedelta(days=days_ago),
                       seconds_watched=seconds, furthest_fraction=fraction, completed=fraction >= 0.9)


def q(sid, topic, score, requiz=False, days_ago=1):
    return a.QuizFact(student_id=sid, lesson_id=topic * 10, topic_id=topic, at=NOW - timedelta(days=days_ago),
                      score=score, is_requiz=requiz)


def kinds(signals, sid):
    return sorted(s.kind for s in signals if s.student_id == sid)


def test_progress_counts_lessons_minutes_and_scores():
    # given one student with two lessons (one finished) and a quiz + re-quiz
    facts = a.ClassFacts(watches=[w(1, 10, 1, 1.0, seconds=120), w(1, 20, 2, 0.5, seconds=60)],
                         quizzes=[q(1, 1, 0.5, days_ago=3), q(1, 1, 1.0, requiz=True)])
    # when
    [row] = a.student_progress([Person(1)], facts)
    # then
    assert (row.lessons_watched, row.lessons_completed, row.minutes) == (2, 1, 3)
    assert row.completion_percent == 75
    assert (row.quiz_percent, row.requiz_percent) == (50, 100)
    assert row.last_active == NOW - timedelta(days=1)


def test_progress_of_inactive_student_is_empty_not_zero():
    [row] = a.student_progress([Person(1)], a.ClassFacts())
    assert row.lessons_watched == 0
    assert row.quiz_percent is None
    assert row.last_active is None


@pytest.mark.parametrize(("quizzes", "watched", "status_case"), [
    ([q(1, 1, 0.8)], False, "passed"),
    ([q(1, 1, 0.4)], True, "failed"),
    ([q(1, 1, 0.4, days_ago=3), q(1, 1, 0.9, requiz=True)], True, "recovered"),
    ([q(1, 1, 0.4, days_ago=3), q(1, 1, 0.2, requiz=True)], True, "stuck"),
    ([], True, "watched"),
    ([], False, "none"),
])
def test_heatmap_cell_status(quizzes, watched, status_case):
    facts = a.ClassFacts(quizzes=quizzes, watches=[w(1, 10, 1, 0.5)] if watched else [])
    grid = a.heatmap([Person(1)], [T(1)], facts)
    assert grid.rows[0][1][0].status == status_case


def test_assignment_completion_counts_targets_and_late():
    @dataclass
    class A:
        pk: int
        topic_id: int
        due_at: datetime
        chosen_students: list

    on_time, late = A(1, 1, NOW - timedelta(days=2), []), A(2, 2, NOW - timedelta(days=5), [Person(2)])
    facts = a.ClassFacts(watches=[w(1, 10, 1, 1.0, days_ago=3), w(2, 20, 2, 1.0, days_ago=1)])
    statuses = a.assignment_completion([on_time, late], [1, 2, 3], facts)
    assert [(s.assigned, s.completed, s.late) for s in statuses] == [(3, 1, 0), (1, 1, 1)]
    assert statuses[0].percent == 33


def _signals(facts, students=(1, 2), dismissed=None, enrolled_days=30):
    people = [Person(i) for i in students]
    return a.needs_help_signals(students=people, facts=facts, now=NOW, topic_titles={1: "Inertia"},
                                enrolled_at={p.pk: NOW - timedelta(days=enrolled_days) for p in people},
                                dismissed=dismissed)


def test_signal_repeated_question_fires_at_three_asks_and_explains():
    asks = [a.RequestFact(student_id=1, topic_id=1, question="why?", at=NOW - timedelta(hours=i), status="ready")
            for i in range(3)]
    facts = a.ClassFacts(requests=asks, watches=[w(2, 10, 1, 1.0)])
    signals = _signals(facts)
    [signal] = [s for s in signals if s.kind == SignalKind.REPEATED_QUESTION]
    assert signal.student_id == 1
    assert "“Inertia” 3 times" in signal.reason
    assert not [s for s in _signals(a.ClassFacts(requests=asks[:2])) if s.kind == SignalKind.REPEATED_QUESTION]


def test_signal_stops_halfway_needs_most_videos_stopped():
    stopped = [w(1, 10 + i, 1, 0.4) for i in range(3)] + [w(1, 20, 1, 1.0)]
    assert SignalKind.STOPS_HALFWAY in kinds(_signals(a.ClassFacts(watches=stopped)), 1)
    mostly_finished = [w(1, 10, 1, 0.4)] + [w(1, 20 + i, 1, 1.0) for i in range(3)]
    assert SignalKind.STOPS_HALFWAY not in kinds(_signals(a.ClassFacts(watches=mostly_finished)), 1)


def test_signal_failed_quiz_then_failed_requiz():
    failed = a.ClassFacts(quizzes=[q(1, 1, 0.25)], watches=[w(1, 10, 1, 1.0), w(2, 10, 1, 1.0)])
    assert SignalKind.FAILED_QUIZ in kinds(_signals(failed), 1)
    both = a.ClassFacts(quizzes=[q(1, 1, 0.25, days_ago=3), q(1, 1, 0.5, requiz=True)],
                        watches=[w(1, 10, 1, 1.0), w(2, 10, 1, 1.0)])
    assert kinds(_signals(both), 1) == [SignalKind.FAILED_REQUIZ]
    recovered = a.ClassFacts(quizzes=[q(1, 1, 0.25, days_ago=3), q(1, 1, 1.0, requiz=True)],
                             watches=[w(1, 10, 1, 1.0), w(2, 10, 1, 1.0)])
    assert kinds(_signals(recovered), 1) == []


def test_signal_inactive_after_seven_days_but_not_for_new_students():
    facts = a.ClassFacts(watches=[w(1, 10, 1, 1.0, days_ago=8), w(2, 10, 1, 1.0, days_ago=1)])
    signals = _signals(facts)
    assert SignalKind.INACTIVE in kinds(signals, 1)
    assert "8 days" in next(s.reason for s in signals if s.kind == SignalKind.INACTIVE)
    assert SignalKind.INACTIVE not in kinds(_signals(a.ClassFacts(), enrolled_days=2), 1)
    assert SignalKind.INACTIVE in kinds(_signals(a.ClassFacts(), enrolled_days=9), 1)


def test_signal_low_engagement_relative_to_class_average():
    facts = a.ClassFacts(watches=[w(1, 10, 1, 1.0, seconds=60)] + [w(s, 10, 1, 1.0, seconds=1200) for s in (2, 3)])
    signals = _signals(facts, students=(1, 2, 3))
    assert SignalKind.LOW_ENGAGEMENT in kinds(signals, 1)
    assert SignalKind.LOW_ENGAGEMENT not in kinds(signals, 2)


def test_signal_reported_problem_and_dismissal_by_fingerprint():
    problem = a.ProblemFact(pk=7, student_id=1, lesson_id=10, topic_id=1, reason="Wrong — the graph", at=NOW)
    facts = a.ClassFacts(problems=[problem], watches=[w(1, 10, 1, 1.0), w(2, 10, 1, 1.0)])
    [signal] = _signals(facts)
    assert (signal.kind, signal.fingerprint) == (SignalKind.REPORTED_PROBLEM, "report:7")
    assert "the graph" in signal.reason
    assert _signals(facts, dismissed={(1, SignalKind.REPORTED_PROBLEM, "report:7")}) == []
    # a new report fires again despite the earlier dismissal
    second = a.ProblemFact(pk=8, student_id=1, lesson_id=10, topic_id=1, reason="Other", at=NOW)
    facts.problems.append(second)
    assert [s.fingerprint for s in _signals(facts, dismissed={(1, SignalKind.REPORTED_PROBLEM, "report:7")})] == [
        "report:8"]


def test_timeline_is_newest_first():
    facts = a.ClassFacts(watches=[w(1, 10, 1, 0.5, days_ago=2)], quizzes=[q(1, 1, 0.75, days_ago=1)])
    entries = a.timeline(facts, {1: "Inertia"})
    assert [e.kind for e in entries] == ["quiz", "watch"]
    assert "75%" in entries[0].text
