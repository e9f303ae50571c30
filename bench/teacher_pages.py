"""Teacher class page and district usage page: render time (p50/p95) and SQL query count.

1. A class of 40 students × 200 progress events each (plus lesson progress, quiz answers and
   requests) → the class page's p95 (target < 100 ms) and its query count.
2. A district of 50 schools / 2,000 teachers / 40,000 students with activity → the usage page's
   time (target < 500 ms) and query count.

Creates and drops its own throwaway database on the embedded Postgres:

    VIVIDLY_TEST_DB=bench_teacher VIVIDLY_TEST_REDIS_DB=9 DJANGO_SETTINGS_MODULE=vividly.settings.test \
        .venv/bin/python bench/teacher_pages.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vividly.settings.test")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from content.models import (  # noqa: E402
    Assignment,
    DistrictBudget,
    Lesson,
    LessonProgress,
    LessonRequest,
    ProgressEvent,
    ProviderCall,
    QuizAttempt,
    QuizQuestion,
    SafetyEvent,
)
from ingestion.models import Book, Chapter, Topic  # noqa: E402
from schools.models import Classroom, District, Enrollment, School  # noqa: E402
from schools.tenancy import Role  # noqa: E402

RNG = random.Random(9)  # noqa: S311 - repeatable synthetic data, not security
BATCH = 5000


def _topics_and_lessons(n_topics: int = 10) -> tuple[list[Topic], list[Lesson], dict[int, list[QuizQuestion]]]:
    book = Book.objects.create(slug="bench-physics", title="Physics", subject="physics")
    chapter = Chapter.objects.create(book=book, number=1, title="Motion")
    topics = Topic.objects.bulk_create(
        Topic(chapter=chapter, module_id=f"mb{i:04d}", number=i + 1, title=f"Section {i + 1}") for i in range(n_topics))
    lessons = Lesson.objects.bulk_create(
        Lesson(reuse_key=f"bench-{t.pk}", topic=t, interest="Basketball", grade_band="9-10", generator_version="b",
               stage="ready", title=f"{t.title} lesson", duration_seconds=240) for t in topics)
    questions = QuizQuestion.objects.bulk_create(
        QuizQuestion(lesson=lesson, index=q, prompt=f"Q{q}", choices=["A", "B"], answer="A", explanation="-")
        for lesson in lessons for q in range(4))
    by_lesson: dict[int, list[QuizQuestion]] = {}
    for q in questions:
        by_lesson.setdefault(q.lesson_id, []).append(q)
    return topics, lessons, by_lesson


def _users(school: School, role: str, n: int, prefix: str) -> list[User]:
    return User.objects.bulk_create(
        (User(email=f"{prefix}{i}@{school.domain}", first_name=prefix.title(), last_name=f"{i:05d}", role=role,
              district_id=school.district_id, school=school, password="!"  # noqa: S106 - "!" is Django's unusable password
             , grade_level=10 if role == "student"
              else None) for i in range(n)), batch_size=BATCH)


def seed_class(events_per_student: int = 200, n_students: int = 40):
    district = District.objects.create(name="Bench class district", slug="bench-class", domain="bench-class.org")
    school = School.objects.create(district=district, name="Bench High", slug="bench-high", domain="bench-high.edu")
    teacher = User.objects.create_user(email="teacher@bench-high.edu", role=Role.TEACHER, school=school)
    classroom = Classroom.objects.create(school=school, name="Physics P1", subject="physics")
    classroom.teachers.add(teacher)
    students = _users(school, Role.STUDENT, n_students, "student")
    Enrollment.objects.bulk_create(Enrollment(classroom=classroom, student=s) for s in students)
    topics, lessons, questions = _topics_and_lessons()
    now = timezone.now()
    Assignment.objects.bulk_create(Assignment(classroom=classroom, topic=t, due_at=now + timedelta(days=i))
                                   for i, t in enumerate(topics[:5]))
    progress, events, attempts, requests = [], [], [], []
    for s in students:
        for j, lesson in enumerate(lessons):
            fraction = RNG.choice([0.3, 0.5, 1.0, 1.0])
            at = now - timedelta(days=RNG.randint(0, 20), minutes=j)
            progress.append(LessonProgress(student=s, lesson=lesson, watched_seconds=240 * fraction,
                                           watched_ranges=[[0, 240 * fraction]], max_milestone=int(fraction * 4) * 25,
                                           last_event_at=at, completed_at=at if fraction == 1.0 else None))
            requests.append(LessonRequest(student=s, question=f"Why {j}?", topic=lesson.topic, lesson=lesson,
                                          grade_band="9-10", status="ready", was_reused=j % 2 == 0))
            attempts += [QuizAttempt(student=s, lesson=lesson, question=q, kind="immediate", chosen="A",
                                     is_correct=RNG.random() < 0.7) for q in questions[lesson.pk]]
        for k in range(events_per_student):
            lesson = lessons[k % len(lessons)]
            events.append(ProgressEvent(student=s, lesson=lesson, client_event_id=uuid.uuid4(), session_id=f"s{k // 20}",
                                        sequence=k, kind="heartbeat", position_seconds=k % 240, client_time=now))
    for model, rows in ((LessonProgress, progress), (ProgressEvent, events), (QuizAttempt, attempts),
                        (LessonRequest, requests)):
        model.objects.bulk_create(rows, batch_size=BATCH)
    return teacher, classroom, len(events)


def seed_district(n_schools: int = 50, n_teachers: int = 2000, n_students: int = 40_000):
    district = District.objects.create(name="Bench district", slug="bench-district", domain="bench-district.org")
    admin = User.objects.create_user(email="admin@bench-district.org", role=Role.DISTRICT_ADMIN, district=district)
    schools = School.objects.bulk_create(
        School(district=district, name=f"School {i:02d}", slug=f"school-{i:02d}", domain=f"s{i:02d}.bench.edu")
        for i in range(n_schools))
    _topics, lessons, _ = _topics_and_lessons_for_district()
    teachers, students = [], []
    for school in schools:
        teachers += _users(school, Role.TEACHER, n_teachers // n_schools, "teacher")
        students += _users(school, Role.STUDENT, n_students // n_schools, "student")
    classrooms = Classroom.objects.bulk_create(
        (Classroom(school_id=t.school_id, name=f"Class {t.pk}", subject="physics", join_code=f"B{t.pk:07d}")
         for t in teachers), batch_size=BATCH)
    Classroom.teachers.through.objects.bulk_create(
        (Classroom.teachers.through(classroom_id=c.pk, user_id=t.pk) for c, t in zip(classrooms, teachers, strict=True)),
        batch_size=BATCH)
    by_school: dict[int, list[Classroom]] = {}
    for c in classrooms:
        by_school.setdefault(c.school_id, []).append(c)
    Enrollment.objects.bulk_create(
        (Enrollment(classroom=by_school[s.school_id][i % len(by_school[s.school_id])], student=s)
         for i, s in enumerate(students)), batch_size=BATCH)
    now = timezone.now()
    active = RNG.sample(students, len(students) // 3)
    requests = [LessonRequest(student=s, question="Why?", topic=lessons[i % 10].topic, lesson=lessons[i % 10],
                              grade_band="9-10", status="ready", was_reused=i % 3 != 0)
                for i, s in enumerate(active) for _ in range(2)]
    LessonRequest.objects.bulk_create(requests, batch_size=BATCH)
    LessonProgress.objects.bulk_create(
        (LessonProgress(student=s, lesson=lessons[i % 10], watched_seconds=200, last_event_at=now - timedelta(days=i % 40))
         for i, s in enumerate(active)), batch_size=BATCH)
    SafetyEvent.objects.bulk_create(SafetyEvent(student=s, category="off_topic") for s in active[:500])
    ProviderCall.objects.bulk_create(ProviderCall(district=district, lesson=lessons[i % 10], capability="llm",
                                                  provider="gemini", estimated_cost=Decimal("0.02"))
                                     for i in range(2000))
    DistrictBudget.objects.create(district=district, monthly_budget=Decimal("100"))
    return admin, len(requests)


def _topics_and_lessons_for_district():
    book = Book.objects.create(slug="bench-district-physics", title="Physics", subject="physics")
    chapter = Chapter.objects.create(book=book, number=1, title="Motion")
    topics = Topic.objects.bulk_create(
        Topic(chapter=chapter, module_id=f"md{i:04d}", number=i + 1, title=f"Section {i + 1}") for i in range(10))
    lessons = Lesson.objects.bulk_create(
        Lesson(reuse_key=f"bench-d-{t.pk}", topic=t, interest="Music", grade_band="9-10", generator_version="b",
               stage="ready", duration_seconds=240) for t in topics)
    return topics, lessons, None


def measure(client: Client, url: str, runs: int) -> tuple[float, float, float, int]:
    """(p50 ms, p95 ms, mean CPU ms of this process, SQL queries) for `runs` GETs of `url`."""
    client.get(url)  # warm up (session bookkeeping, template caches)
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append(1000 * (time.perf_counter() - start))
        cpu.append(1000 * (time.process_time() - start_cpu))
        if response.status_code != 200:  # a benchmark of an error page would be meaningless
            raise RuntimeError(f"HTTP {response.status_code}")
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    times.sort()
    return (statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)], statistics.mean(cpu),
            len(ctx.captured_queries))


def main() -> None:
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    out = sys.stdout.write
    out(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n")
    try:
        start = time.perf_counter()
        teacher, classroom, n_events = seed_class()
        out(f"seeded class: 40 students, {n_events} progress events in {time.perf_counter() - start:.1f} s\n")
        client = Client()
        client.force_login(teacher)
        for name, url in (("class page", reverse("teacher:class", args=[classroom.pk])),
                          ("class CSV export", reverse("teacher:class_export", args=[classroom.pk])),
                          ("student detail", reverse("teacher:student",
                                                     args=[classroom.pk, classroom.enrollments.first().student_id]))):
            p50, p95, cpu, queries = measure(client, url, 60)
            out(f"{name:<22} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   cpu {cpu:6.1f} ms   {queries} SQL queries\n")

        start = time.perf_counter()
        admin, n_requests = seed_district()
        out(f"seeded district: 50 schools, 2,000 teachers, 40,000 students, {n_requests} requests "
            f"in {time.perf_counter() - start:.1f} s\n")
        connection.cursor().execute("ANALYZE")
        client = Client()
        client.force_login(admin)
        for name, url in (("usage page", reverse("district:usage")),
                          ("usage CSV (schools)", reverse("district:usage_export") + "?table=schools")):
            p50, p95, cpu, queries = measure(client, url, 15)
            out(f"{name:<22} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   cpu {cpu:6.1f} ms   {queries} SQL queries\n")
        out(f"load average at end: {os.getloadavg()[0]:.1f}\n")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
