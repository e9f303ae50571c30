"""Class progress analytics and needs-help signals, computed from activity facts.

Nothing here is stored: `schools.activity` loads a class's facts in a fixed number of queries,
and these pure functions turn them into per-student progress, the topic × student heatmap,
assignment completion, timelines and the needs-help signals (only dismissals are stored).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from teaching.models import SignalKind

PASS_MARK = 0.7
COMPLETE_FRACTION = 0.9
HALFWAY_FRACTION = 0.6
INACTIVE_DAYS = 7
ENGAGEMENT_WINDOW_DAYS = 14
LOW_ENGAGEMENT_RATIO = 0.3
REPEAT_ASKS = 3
MIN_VIDEOS_FOR_HALFWAY = 3


# --- facts (what students did), loaded by schools.activity -------------------------------------

@dataclass(frozen=True)
class WatchFact:
    """How far a student got in one lesson, and when they last watched it."""

    student_id: int
    lesson_id: int
    topic_id: int
    at: datetime  # last time the student watched it
    seconds_watched: float
    furthest_fraction: float  # 0..1 of the video reached
    completed: bool


@dataclass(frozen=True)
class QuizFact:
    student_id: int
    lesson_id: int | None
    topic_id: int
    at: datetime
    score: float  # 0..1
    is_requiz: bool

    @property
    def passed(self) -> bool:
        return self.score >= PASS_MARK


@dataclass(frozen=True)
class RequestFact:
    student_id: int
    topic_id: int | None
    question: str
    at: datetime
    status: str
    lesson_id: int | None = None


@dataclass(frozen=True)
class ProblemFact:
    pk: int
    student_id: int
    lesson_id: int | None
    topic_id: int | None
    reason: str
    at: datetime


@dataclass
class ClassFacts:
    watches: list[WatchFact] = field(default_factory=list)
    quizzes: list[QuizFact] = field(default_factory=list)
    requests: list[RequestFact] = field(default_factory=list)
    problems: list[ProblemFact] = field(default_factory=list)

    def by_student(self) -> dict[int, ClassFacts]:
        grouped: dict[int, ClassFacts] = defaultdict(ClassFacts)
        for w in self.watches:
            grouped[w.student_id].watches.append(w)
        for q in self.quizzes:
            grouped[q.student_id].quizzes.append(q)
        for r in self.requests:
            grouped[r.student_id].requests.append(r)
        for p in self.problems:
            grouped[p.student_id].problems.append(p)
        return grouped

    def last_active(self) -> datetime | None:
        times = [w.at for w in self.watches] + [q.at for q in self.quizzes] + [r.at for r in self.requests]
        return max(times) if times else None


# --- per-student progress ----------------------------------------------------------------------

@dataclass(frozen=True)
class StudentProgress:
    student_id: int
    name: str
    email: str
    lessons_watched: int
    lessons_completed: int
    completion_percent: int | None  # mean furthest point reached across lessons, 0..100
    minutes: int
    quiz_percent: int | None  # mean of first quiz attempts per topic
    requiz_percent: int | None  # mean of latest re-quiz per topic
    last_active: datetime | None


def _percent(values: Sequence[float]) -> int | None:
    return round(100 * sum(values) / len(values)) if values else None


def _furthest_by_lesson(watches: Iterable[WatchFact]) -> dict[int, float]:
    furthest: dict[int, float] = {}
    for w in watches:
        reached = 1.0 if w.completed else w.furthest_fraction
        furthest[w.lesson_id] = max(furthest.get(w.lesson_id, 0.0), reached)
    return furthest


def first_and_latest_requiz(quizzes: Iterable[QuizFact]) -> tuple[dict[int, QuizFact], dict[int, QuizFact]]:
    """Per topic: the first quiz attempt and the latest re-quiz."""
    first: dict[int, QuizFact] = {}
    requiz: dict[int, QuizFact] = {}
    for q in sorted(quizzes, key=lambda q: q.at):
        if q.is_requiz:
            requiz[q.topic_id] = q
        else:
            first.setdefault(q.topic_id, q)
    return first, requiz


def student_progress(students: Sequence, facts: ClassFacts) -> list[StudentProgress]:
    """One row per student (in the order given), students without activity included."""
    grouped = facts.by_student()
    rows = []
    for student in students:
        mine = grouped.get(student.pk, ClassFacts())
        furthest = _furthest_by_lesson(mine.watches)
        first, requiz = first_and_latest_requiz(mine.quizzes)
        rows.append(StudentProgress(
            student_id=student.pk, name=student.get_full_name() or student.email, email=student.email,
            lessons_watched=len(furthest),
            lessons_completed=sum(1 for f in furthest.values() if f >= COMPLETE_FRACTION),
            completion_percent=_percent(list(furthest.values())),
            minutes=round(sum(w.seconds_watched for w in mine.watches) / 60),
            quiz_percent=_percent([q.score for q in first.values()]),
            requiz_percent=_percent([q.score for q in requiz.values()]),
            last_active=mine.last_active(),
        ))
    return rows


# --- heatmap -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class HeatCell:
    status: str  # "passed", "recovered", "stuck", "failed", "watched", "none"
    label: str
    score: int | None = None


HEAT_LEGEND = [
    ("passed", "Passed the quiz"),
    ("recovered", "Passed on the re-quiz"),
    ("failed", "Failed the quiz, no re-quiz yet"),
    ("stuck", "Failed the re-quiz too"),
    ("watched", "Watched, no quiz yet"),
    ("none", "Not started"),
]


def _cell(first: QuizFact | None, requiz: QuizFact | None, watched: bool) -> HeatCell:
    if requiz is not None:
        score = round(requiz.score * 100)
        if requiz.passed:
            return HeatCell("recovered" if first and not first.passed else "passed",
                            f"Re-quiz {score}%", score)
        return HeatCell("stuck", f"Re-quiz {score}% (quiz {round(first.score * 100)}%)" if first
                        else f"Re-quiz {score}%", score)
    if first is not None:
        score = round(first.score * 100)
        return HeatCell("passed" if first.passed else "failed", f"Quiz {score}%", score)
    if watched:
        return HeatCell("watched", "Watched, no quiz")
    return HeatCell("none", "Not started")


@dataclass
class Heatmap:
    topics: list  # content.Topic rows, columns
    rows: list[tuple[object, list[HeatCell]]]  # (student, cells per topic)

    @property
    def is_empty(self) -> bool:
        return not self.topics or not self.rows


def heatmap(students: Sequence, topics: Sequence, facts: ClassFacts) -> Heatmap:
    """Topic × student grid of quiz outcomes: who is stuck on what."""
    grouped = facts.by_student()
    rows = []
    for student in students:
        mine = grouped.get(student.pk, ClassFacts())
        first, requiz = first_and_latest_requiz(mine.quizzes)
        watched = {w.topic_id for w in mine.watches}
        rows.append((student, [_cell(first.get(t.pk), requiz.get(t.pk), t.pk in watched) for t in topics]))
    return Heatmap(topics=list(topics), rows=rows)


def heatmap_topic_ids(facts: ClassFacts, assignment_topic_ids: Iterable[int]) -> list[int]:
    """Columns: assigned topics first, then any other topic a student quizzed or watched."""
    ordered = list(dict.fromkeys(assignment_topic_ids))
    seen = set(ordered)
    for topic_id in [q.topic_id for q in facts.quizzes] + [w.topic_id for w in facts.watches]:
        if topic_id not in seen:
            seen.add(topic_id)
            ordered.append(topic_id)
    return ordered


# --- assignments -------------------------------------------------------------------------------

@dataclass(frozen=True)
class AssignmentStatus:
    assignment: object
    assigned: int
    completed: int
    late: int
    completed_ids: frozenset[int]

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.assigned) if self.assigned else 0


def assignment_completion(assignments: Sequence, enrolled_ids: Sequence[int],
                          facts: ClassFacts) -> list[AssignmentStatus]:
    """Completed = finished a lesson on the topic or took its quiz; late = only after the due date."""
    done_at: dict[tuple[int, int], datetime] = {}
    for w in facts.watches:
        if w.completed or w.furthest_fraction >= COMPLETE_FRACTION:
            key = (w.student_id, w.topic_id)
            done_at[key] = min(done_at.get(key, w.at), w.at)
    for q in facts.quizzes:
        key = (q.student_id, q.topic_id)
        done_at[key] = min(done_at.get(key, q.at), q.at)
    enrolled = set(enrolled_ids)
    result = []
    for a in assignments:
        chosen = getattr(a, "chosen_students", None)
        targets = {s.pk for s in chosen} & enrolled if chosen else enrolled
        completed = {sid for sid in targets if (sid, a.topic_id) in done_at}
        late = sum(1 for sid in completed if done_at[(sid, a.topic_id)] > a.due_at)
        result.append(AssignmentStatus(assignment=a, assigned=len(targets), completed=len(completed),
                                       late=late, completed_ids=frozenset(completed)))
    return result


# --- needs-help signals ------------------------------------------------------------------------

@dataclass(frozen=True)
class Signal:
    student_id: int
    kind: str
    fingerprint: str
    reason: str

    @property
    def title(self) -> str:
        return SignalKind(self.kind).label


def _engagement_minutes(mine: ClassFacts, since: datetime) -> float:
    return sum(w.seconds_watched for w in mine.watches if w.at >= since) / 60


def needs_help_signals(*, students: Sequence, facts: ClassFacts, now: datetime, topic_titles: dict[int, str],
                       enrolled_at: dict[int, datetime] | None = None,
                       dismissed: set[tuple[int, str, str]] | None = None) -> list[Signal]:
    """Every signal that fires for the class, each explaining why; dismissed ones left out."""
    grouped = facts.by_student()
    enrolled_at = enrolled_at or {}
    dismissed = dismissed or set()
    since = now - timedelta(days=ENGAGEMENT_WINDOW_DAYS)
    engagement = {s.pk: _engagement_minutes(grouped.get(s.pk, ClassFacts()), since) for s in students}
    average = sum(engagement.values()) / len(engagement) if engagement else 0.0

    def title(topic_id: int | None) -> str:
        return topic_titles.get(topic_id, "a topic") if topic_id else "a topic"

    signals: list[Signal] = []
    for student in students:
        mine = grouped.get(student.pk, ClassFacts())
        found: list[Signal] = []
        # 1. asked about one concept three times
        asks: dict[int, list[RequestFact]] = defaultdict(list)
        for r in mine.requests:
            if r.topic_id:
                asks[r.topic_id].append(r)
        for topic_id, items in asks.items():
            if len(items) >= REPEAT_ASKS:
                found.append(Signal(student.pk, SignalKind.REPEATED_QUESTION,
                                    f"topic:{topic_id}:{len(items) // REPEAT_ASKS}",
                                    f"Asked about “{title(topic_id)}” {len(items)} times "
                                    f"(last on {max(i.at for i in items):%b %d})."))
        # 2. stops most videos halfway
        furthest = _furthest_by_lesson(mine.watches)
        if len(furthest) >= MIN_VIDEOS_FOR_HALFWAY:
            stopped = [f for f in furthest.values() if f < HALFWAY_FRACTION]
            if len(stopped) * 2 > len(furthest):
                found.append(Signal(student.pk, SignalKind.STOPS_HALFWAY, f"videos:{len(furthest)}",
                                    f"Stopped {len(stopped)} of {len(furthest)} videos before the end "
                                    f"(typically at {round(100 * median(stopped))}%)."))
        # 3. failed the quiz / the re-quiz (latest outcome per topic)
        first, requiz = first_and_latest_requiz(mine.quizzes)
        for topic_id, q in requiz.items():
            if not q.passed:
                found.append(Signal(student.pk, SignalKind.FAILED_REQUIZ, f"topic:{topic_id}:{q.at:%Y%m%d%H%M}",
                                    f"Scored {round(q.score * 100)}% on the re-quiz for “{title(topic_id)}” "
                                    f"(pass mark {round(PASS_MARK * 100)}%)."))
        for topic_id, q in first.items():
            if not q.passed and topic_id not in requiz:
                found.append(Signal(student.pk, SignalKind.FAILED_QUIZ, f"topic:{topic_id}",
                                    f"Scored {round(q.score * 100)}% on the quiz for “{title(topic_id)}” "
                                    f"and hasn't retaken it (pass mark {round(PASS_MARK * 100)}%)."))
        # 4. no activity for 7 days
        last = mine.last_active()
        joined = enrolled_at.get(student.pk)
        if last is None and (joined is None or now - joined >= timedelta(days=INACTIVE_DAYS)):
            found.append(Signal(student.pk, SignalKind.INACTIVE, "never",
                                "Hasn't watched a lesson or asked a question since joining the class."))
        elif last is not None and now - last >= timedelta(days=INACTIVE_DAYS):
            found.append(Signal(student.pk, SignalKind.INACTIVE, f"{last:%Y%m%d}",
                                f"No activity for {(now - last).days} days (last active {last:%b %d})."))
        # 5. engagement under 30 % of the class average
        if average > 0 and engagement[student.pk] < LOW_ENGAGEMENT_RATIO * average:
            found.append(Signal(student.pk, SignalKind.LOW_ENGAGEMENT, f"{now:%G-W%V}",
                                f"Watched {engagement[student.pk]:.0f} min in the last {ENGAGEMENT_WINDOW_DAYS} "
                                f"days; the class average is {average:.0f} min."))
        # 6. reported a problem
        found.extend(Signal(student.pk, SignalKind.REPORTED_PROBLEM, f"report:{p.pk}",
                            f"Reported a problem on {p.at:%b %d}"
                            + (f" with a lesson on “{title(p.topic_id)}”" if p.topic_id else "")
                            + (f": “{p.reason}”" if p.reason else "."))
                     for p in mine.problems)
        signals += [s for s in found if (s.student_id, s.kind, s.fingerprint) not in dismissed]
    return signals


# --- timeline ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # request, watch, quiz, problem
    text: str
    lesson_id: int | None = None


def timeline(facts: ClassFacts, topic_titles: dict[int, str], limit: int = 200) -> list[TimelineEntry]:
    """A student's activity, newest first."""
    def title(topic_id: int | None) -> str:
        return topic_titles.get(topic_id, "a topic") if topic_id else "an unmatched topic"

    entries = [TimelineEntry(r.at, "request", f"Asked “{r.question[:120]}” → {title(r.topic_id)} ({r.status})",
                             r.lesson_id) for r in facts.requests]
    entries += [TimelineEntry(w.at, "watch",
                              f"Watched {title(w.topic_id)}: {round(w.seconds_watched / 60, 1)} min, reached "
                              f"{round(100 * (1.0 if w.completed else w.furthest_fraction))}%", w.lesson_id)
                for w in facts.watches]
    entries += [TimelineEntry(q.at, "quiz", f"{'Re-quiz' if q.is_requiz else 'Quiz'} on {title(q.topic_id)}: "
                              f"{round(q.score * 100)}% ({'passed' if q.passed else 'not passed'})", q.lesson_id)
                for q in facts.quizzes]
    entries += [TimelineEntry(p.at, "problem", f"Reported a problem: {p.reason or 'no details'}", p.lesson_id)
                for p in facts.problems]
    return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]


# --- tables shared by the pages and their CSV exports ------------------------------------------

PROGRESS_HEADERS = ["Student", "Email", "Lessons watched", "Lessons completed", "Completion",
                    "Minutes watched", "Quiz score", "Re-quiz score", "Last active", "Needs help"]


def _pct(value: int | None) -> str:
    return "—" if value is None else f"{value}%"


def progress_table(rows: Sequence[StudentProgress], signals_by_student: dict[int, list]) -> list[list[str]]:
    """The per-student progress table exactly as the class page shows it (one list per row)."""
    return [[r.name, r.email, str(r.lessons_watched), str(r.lessons_completed), _pct(r.completion_percent),
             str(r.minutes), _pct(r.quiz_percent), _pct(r.requiz_percent),
             f"{r.last_active:%Y-%m-%d}" if r.last_active else "Never",
             str(len(signals_by_student.get(r.student_id, [])))] for r in rows]


def heatmap_table(grid: Heatmap) -> tuple[list[str], list[list[str]]]:
    """The heatmap as text: a header row of topic titles and one row of cell labels per student."""
    headers = ["Student"] + [str(t) for t in grid.topics]
    return headers, [[s.get_full_name() or s.email] + [c.label for c in cells] for s, cells in grid.rows]


ASSIGNMENT_HEADERS = ["Topic", "Due", "Assigned to", "Completed", "Completed late", "Completion"]


def assignment_table(statuses: Sequence[AssignmentStatus]) -> list[list[str]]:
    """Assignment completion exactly as the class page shows it."""
    return [[str(s.assignment.topic), f"{s.assignment.due_at:%Y-%m-%d %H:%M}",
             "Whole class" if not getattr(s.assignment, "chosen_students", None)
             else f"{s.assigned} chosen students",
             f"{s.completed} of {s.assigned}", str(s.late), f"{s.percent}%"] for s in statuses]
