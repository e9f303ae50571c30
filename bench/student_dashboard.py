"""Student dashboard render time for a student with 200 lessons (target p95 < 100 ms) and its query count.

Creates and drops its own throwaway database on the embedded Postgres:

    VIVIDLY_TEST_DB=bench_student VIVIDLY_TEST_REDIS_DB=8 DJANGO_SETTINGS_MODULE=vividly.settings.test \
        .venv/bin/python bench/student_dashboard.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vividly.settings.test")
os.environ.setdefault("VIVIDLY_TEST_DB", "bench_student")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

LESSONS = 200
RUNS = 60


def build():
    from accounts.models import Interest, StudentInterest, User  # noqa: PLC0415 - the script sets Django up first
    from content.models import (  # noqa: PLC0415 - the script sets Django up first
        Lesson,
        LessonProgress,
        LessonRequest,
        QuizAttempt,
        QuizQuestion,
        RequestStatus,
        ReQuiz,
    )
    from ingestion.models import Book, Chapter, Topic  # noqa: PLC0415 - the script sets Django up first
    from schools.models import Classroom, District, Enrollment, School  # noqa: PLC0415 - the script sets Django up first

    district = District.objects.create(name="Bench", slug="bench", domain="bench.org")
    school = School.objects.create(district=district, name="Bench High", domain="bench.edu")
    classroom = Classroom.objects.create(school=school, name="Physics 1", subject="physics")
    student = User.objects.create_user("student@bench.edu", "pw", role="student", school=school, grade_level=9,
                                       first_name="Bench")
    Enrollment.objects.create(classroom=classroom, student=student)
    for rank, name in enumerate(["Basketball", "Music", "Gaming"], start=1):
        interest = Interest.objects.create(name=name, slug=name.lower(), category="sports")
        StudentInterest.objects.create(student=student, interest=interest, rank=rank)
    topics = []
    for subject in ("physics", "chemistry", "biology"):
        book = Book.objects.create(slug=subject, title=subject.title(), subject=subject)
        chapter = Chapter.objects.create(book=book, number=1, title="Chapter")
        topics += [Topic.objects.create(chapter=chapter, module_id=f"{subject[:3]}{i}", number=i + 1,
                                        title=f"{subject} section {i}") for i in range(10)]
    now = timezone.now()
    for i in range(LESSONS):
        topic = topics[i % len(topics)]
        lesson = Lesson.objects.create(reuse_key=f"bench-{i}", topic=topic, interest="Basketball", grade_band="9-10",
                                       generator_version="bench", stage=Lesson.Stage.READY, title=f"Lesson {i}",
                                       video_url=f"/media/bench/{i}.mp4", duration_seconds=120)
        request = LessonRequest.objects.create(student=student, question=f"Question {i}", topic=topic, lesson=lesson,
                                               status=RequestStatus.READY, grade_band="9-10", progress=100)
        LessonProgress.objects.create(student=student, lesson=lesson, lesson_request=request,
                                      position_seconds=30 if i % 3 else 0, watched_seconds=60,
                                      watched_ranges=[[0, 60]], last_event_at=now - timedelta(hours=i),
                                      completed_at=now if i % 3 == 0 else None)
        question = QuizQuestion.objects.create(lesson=lesson, index=0, prompt="?", choices=["a", "b"], answer="a",
                                               explanation="because")
        QuizAttempt.objects.create(student=student, lesson=lesson, question=question, chosen="a", is_correct=True)
        if i % 50 == 0:
            ReQuiz.objects.create(student=student, lesson=lesson, lesson_request=request, due_at=now)
    for i in range(3):  # a few in progress
        LessonRequest.objects.create(student=student, question=f"Live {i}", topic=topics[i], grade_band="9-10",
                                     status=RequestStatus.RENDERING, progress=50)
    return student


def _expect_ok(response) -> None:
    """A benchmark of an error page would be meaningless: stop (an assert would vanish under -O)."""
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}")


def main() -> None:
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        student = build()
        client = Client()
        client.force_login(student)
        url = reverse("student:dashboard")
        for _ in range(5):  # warm-up (template loading, caches)
            _expect_ok(client.get(url))
        timings = []
        for _ in range(RUNS):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            _expect_ok(response)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        timings.sort()
        p95 = timings[int(0.95 * len(timings)) - 1]
        print(f"student dashboard, {LESSONS} lessons: p50 {statistics.median(timings):.1f} ms, "
              f"p95 {p95:.1f} ms (target < 100 ms), {len(ctx.captured_queries)} SQL queries, {RUNS} runs")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
