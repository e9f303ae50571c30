"""District/school usage figures for admins, aggregated in SQL and scoped with `visible_to`.

A district admin sees their district, a school admin only their school (generation cost is
ledgered per district, so it is shown to district admins only). A fixed number of GROUP BY
queries, whatever the district's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from accounts.models import User
from content.models import DistrictBudget, LessonProgress, LessonRequest, ProviderCall, SafetyEvent
from schools.models import Classroom, School, Subject
from schools.tenancy import Role

ACTIVE_DAYS = 30


@dataclass
class SchoolRow:
    school_id: int
    name: str
    teachers: int = 0
    adopted_teachers: int = 0
    students: int = 0
    activated_students: int = 0
    active_students: int = 0
    requests: int = 0
    watched: int = 0
    safety_events: int = 0

    @property
    def lessons_per_active_student(self) -> float:
        return round(self.watched / self.active_students, 1) if self.active_students else 0.0


@dataclass
class WeekRow:
    week: date
    requests: int = 0
    watched: int = 0
    active_students: int = 0
    safety_events: int = 0
    cost: Decimal = Decimal(0)


@dataclass
class Usage:
    scope_label: str
    since: datetime
    weeks: int
    schools: list[SchoolRow]
    subjects: list[dict]
    trend: list[WeekRow]
    safety_by_category: list[tuple[str, int]]
    school_subjects: list[dict]
    resolved_requests: int
    reused_requests: int
    cost_this_month: Decimal | None
    budget: Decimal | None
    show_cost: bool
    totals: SchoolRow = field(init=False)

    def __post_init__(self) -> None:
        total = SchoolRow(school_id=0, name="All schools")
        for row in self.schools:
            for attr in ("teachers", "adopted_teachers", "students", "activated_students", "active_students",
                         "requests", "watched", "safety_events"):
                setattr(total, attr, getattr(total, attr) + getattr(row, attr))
        self.totals = total

    @property
    def reuse_percent(self) -> int | None:
        return round(100 * self.reused_requests / self.resolved_requests) if self.resolved_requests else None

    @property
    def teacher_adoption_percent(self) -> int | None:
        t = self.totals
        return round(100 * t.adopted_teachers / t.teachers) if t.teachers else None

    @property
    def student_activation_percent(self) -> int | None:
        t = self.totals
        return round(100 * t.activated_students / t.students) if t.students else None

    @property
    def budget_percent(self) -> int | None:
        if not self.show_cost or not self.budget:
            return None
        return round(100 * (self.cost_this_month or 0) / self.budget)

    @property
    def is_empty(self) -> bool:
        return not self.schools


def _scope_label(user) -> str:
    if user.is_superuser:
        return "All districts"
    if user.role == Role.SCHOOL_ADMIN and user.school_id:
        return user.school.name
    return user.district.name if user.district_id else ""


def usage_for(user, *, weeks: int = 8, now: datetime | None = None) -> Usage:
    """Usage figures for the admin's district or school over the last `weeks` weeks."""

    now = now or timezone.now()
    since = now - timedelta(weeks=weeks)
    active_since = now - timedelta(days=ACTIVE_DAYS)
    users = User.objects.visible_to(user).filter(is_active=True)
    requests = LessonRequest.objects.visible_to(user)
    progress = LessonProgress.objects.visible_to(user)
    safety = SafetyEvent.objects.visible_to(user)

    rows = {s.pk: SchoolRow(school_id=s.pk, name=s.name)
            for s in School.objects.visible_to(user).only("pk", "name").order_by("name")}

    def fill(qs, attr: str) -> None:
        for school_id, count in qs:
            if school_id in rows:
                setattr(rows[school_id], attr, count)

    by_school = users.values("school_id").order_by()
    fill(by_school.filter(role=Role.TEACHER).annotate(n=Count("pk")).values_list("school_id", "n"), "teachers")
    fill(by_school.filter(role=Role.STUDENT).annotate(n=Count("pk")).values_list("school_id", "n"), "students")
    # adopted: a teacher with at least one live class that has students
    fill(Classroom.objects.visible_to(user).filter(is_archived=False, enrollments__isnull=False,
                                                  teachers__is_active=True)
         .values("school_id").order_by().annotate(n=Count("teachers", distinct=True))
         .values_list("school_id", "n"), "adopted_teachers")
    # activated: a student who ever asked for a lesson
    fill(requests.values("student__school_id").order_by()
         .annotate(n=Count("student_id", distinct=True)).values_list("student__school_id", "n"),
         "activated_students")
    fill(progress.filter(last_event_at__gte=active_since).values("student__school_id").order_by()
         .annotate(n=Count("student_id", distinct=True)).values_list("student__school_id", "n"), "active_students")

    weeks_map: dict[date, WeekRow] = {}
    local_since = timezone.localtime(since)
    first_week = (local_since - timedelta(days=local_since.weekday())).date()
    for i in range(weeks + 1):
        day = first_week + timedelta(weeks=i)
        weeks_map[day] = WeekRow(week=day)

    def week_of(value) -> date:
        return value.date() if isinstance(value, datetime) else value

    subject_counts: dict[str, dict] = {value: {"subject": label, "requests": 0, "watched": 0}
                                       for value, label in Subject.choices}

    def subject_row(subject: str | None) -> dict | None:
        if subject is None:
            return None
        return subject_counts.setdefault(subject, {"subject": subject, "requests": 0, "watched": 0})

    # One pass per table over the period: a school × subject × week cube, summed three ways in Python.
    resolved = {"total": 0, "reused": 0}
    subject_labels = dict(Subject.choices)
    cross: dict[tuple[int, str], dict] = {}

    def cross_row(school_id: int, subject: str | None) -> dict | None:
        if school_id not in rows or subject is None:
            return None
        return cross.setdefault((school_id, subject), {
            "school": rows[school_id].name, "subject": subject_labels.get(subject, subject),
            "requests": 0, "watched": 0})

    for school_id, subject, week, n, with_lesson, reused in (
            requests.filter(created_at__gte=since).annotate(w=TruncWeek("created_at"))
            .values("student__school_id", "topic__chapter__book__subject", "w").order_by()
            .annotate(n=Count("pk"), with_lesson=Count("pk", filter=Q(lesson__isnull=False)),
                      reused=Count("pk", filter=Q(lesson__isnull=False, was_reused=True)))
            .values_list("student__school_id", "topic__chapter__book__subject", "w", "n", "with_lesson", "reused")):
        if school_id in rows:
            rows[school_id].requests += n
        if (row := subject_row(subject)) is not None:
            row["requests"] += n
        if (pair := cross_row(school_id, subject)) is not None:
            pair["requests"] += n
        if (week_row := weeks_map.get(week_of(week))) is not None:
            week_row.requests += n
        resolved["total"] += with_lesson
        resolved["reused"] += reused
    for school_id, subject, week, n in (
            progress.filter(started_at__gte=since).annotate(w=TruncWeek("started_at"))
            .values("student__school_id", "lesson__topic__chapter__book__subject", "w").order_by()
            .annotate(n=Count("pk"))
            .values_list("student__school_id", "lesson__topic__chapter__book__subject", "w", "n")):
        if school_id in rows:
            rows[school_id].watched += n
        if (row := subject_row(subject)) is not None:
            row["watched"] += n
        if (pair := cross_row(school_id, subject)) is not None:
            pair["watched"] += n
        if (week_row := weeks_map.get(week_of(week))) is not None:
            week_row.watched += n
    categories = dict(SafetyEvent.Category.choices)
    by_category: dict[str, int] = {}
    for school_id, category, week, n in (
            safety.filter(created_at__gte=since).annotate(w=TruncWeek("created_at"))
            .values("student__school_id", "category", "w").order_by().annotate(n=Count("pk"))
            .values_list("student__school_id", "category", "w", "n")):
        if school_id in rows:
            rows[school_id].safety_events += n
        label = categories.get(category, category)
        by_category[label] = by_category.get(label, 0) + n
        if (week_row := weeks_map.get(week_of(week))) is not None:
            week_row.safety_events += n
    safety_by_category = sorted(by_category.items())

    def weekly(qs, date_field: str, attr: str, value) -> None:
        for week, n in (qs.filter(**{f"{date_field}__gte": since}).annotate(w=TruncWeek(date_field))
                        .values("w").order_by().annotate(n=value).values_list("w", "n")):
            if (week_row := weeks_map.get(week_of(week))) is not None:
                setattr(week_row, attr, n or 0)

    weekly(progress, "started_at", "active_students", Count("student_id", distinct=True))

    show_cost = user.is_superuser or user.role == Role.DISTRICT_ADMIN
    cost = budget = None
    if show_cost:
        calls = ProviderCall.objects.visible_to(user)
        weekly(calls, "created_at", "cost", Sum("estimated_cost"))
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        cost = calls.filter(created_at__gte=month_start).aggregate(s=Sum("estimated_cost"))["s"] or Decimal(0)
        budget = DistrictBudget.objects.visible_to(user).aggregate(s=Sum("monthly_budget"))["s"]

    return Usage(
        scope_label=_scope_label(user), since=since, weeks=weeks, schools=list(rows.values()),
        subjects=list(subject_counts.values()),
        trend=[weeks_map[k] for k in sorted(weeks_map)],
        safety_by_category=safety_by_category,
        school_subjects=sorted(cross.values(), key=lambda r: (r["school"], r["subject"])),
        resolved_requests=resolved["total"], reused_requests=resolved["reused"],
        cost_this_month=cost, budget=budget, show_cost=show_cost)


# --- charts and tables (shared by the page and the CSV) -----------------------------------------

@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str
    y: int
    width: int


def bars(items: list[tuple[str, float, str]], *, max_width: int = 360, row_height: int = 26) -> list[Bar]:
    """Horizontal bar geometry for a server-rendered SVG (label, value, value text)."""
    top = max((v for _, v, _ in items), default=0) or 1
    return [Bar(label=label, value=value, text=text, y=i * row_height,
                width=max(1, round(max_width * float(value) / float(top))) if value else 0)
            for i, (label, value, text) in enumerate(items)]


SCHOOL_HEADERS = ["School", "Teachers", "Teachers using Vividly", "Students", "Students activated",
                  "Active students (30 days)", "Lessons requested", "Lessons watched",
                  "Lessons per active student", "Safety events"]


def school_table(usage: Usage) -> list[list[str]]:
    rows = [*usage.schools, usage.totals] if len(usage.schools) > 1 else usage.schools
    return [[r.name, str(r.teachers), str(r.adopted_teachers), str(r.students), str(r.activated_students),
             str(r.active_students), str(r.requests), str(r.watched), f"{r.lessons_per_active_student:.1f}",
             str(r.safety_events)] for r in rows]


TREND_HEADERS = ["Week of", "Lessons requested", "Lessons watched", "Active students", "Safety events",
                 "Generation cost (USD)"]


def trend_table(usage: Usage) -> list[list[str]]:
    return [[f"{w.week:%Y-%m-%d}", str(w.requests), str(w.watched), str(w.active_students), str(w.safety_events),
             f"{w.cost:.2f}" if usage.show_cost else "—"] for w in usage.trend]


SUBJECT_HEADERS = ["Subject", "Lessons requested", "Lessons watched"]


def subject_table(usage: Usage) -> list[list[str]]:
    return [[s["subject"], str(s["requests"]), str(s["watched"])] for s in usage.subjects]


SCHOOL_SUBJECT_HEADERS = ["School", "Subject", "Lessons requested", "Lessons watched"]


def school_subject_table(usage: Usage) -> list[list[str]]:
    return [[r["school"], r["subject"], str(r["requests"]), str(r["watched"])] for r in usage.school_subjects]
