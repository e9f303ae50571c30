"""Web CPU per request for each page of the browsing drill's mix (issue 17), with query counts.

The load drill (tests/drills/test_load_pages.py) offers ~80 req/s on 2 cores, so what matters is the
CPU one click costs Django: this runs each page of the mix in-process (full middleware stack, real
Postgres and Redis, warm caches) at district volume and reports CPU ms (this thread: Django, the
drivers and serializers; not the database server) and SQL queries per request, and the drill's
weighted average per click. Creates and drops its own throwaway database:

    VIVIDLY_TEST_DB=bench_page_cpu VIVIDLY_TEST_REDIS_DB=14 DJANGO_SETTINGS_MODULE=vividly.settings.test \
        .venv/bin/python bench/page_cpu.py [--runs 40] [--profile dashboard]

`--profile NAME` prints the cProfile top functions of one page (names as in the table).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vividly.settings.test")
os.environ.setdefault("VIVIDLY_TEST_DB", "bench_page_cpu")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# the drill's server limits (tests/drills/_support.py server_env): a bench is not a rate-limit test
os.environ.setdefault("RATE_LIMIT_API_MINUTE", "100000/m")
os.environ.setdefault("RATE_LIMIT_API_HOUR", "1000000/h")
os.environ.setdefault("DB_CONN_MAX_AGE", "60")  # persistent connections, as the drill and production serve

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

STUDENTS = 500  # one district's worth of other students' rows in every table the pages read
LESSONS = 20  # the measured student's own lessons, each with progress (as content/tests/test_page_budgets.py)
# Drill weights (drills/locust_pages.py): the status-poll task sends two requests.
MIX = {"dashboard": 3, "lesson": 3, "catalogue": 2, "catalogue book": 1, "catalogue chapter": 1, "search API": 1,
       "lesson status API": 3, "live panel (htmx)": 3, "progress beacon": 3}


def _realistic(lessons) -> None:
    """Lesson rows as the pipeline leaves them (the fixtures' are tiny): an 8-scene script, its logs,
    transcript and citations, so a page that loads whole lessons pays what it pays in production."""
    from content.models import Lesson  # noqa: PLC0415 - the script sets Django up first

    sentence = "A basketball keeps rolling across the court until friction and the floor slow it down. "
    scenes = [{"kind": "explanation", "title": f"Scene {i}", "narration": sentence * 5, "key_idea": sentence,
               "sentences": [{"text": sentence, "citation": "p1"} for _ in range(5)],
               "bullets": [sentence[:60]] * 3, "visual": {"type": "diagram", "labels": ["force", "mass"] * 4}}
              for i in range(8)]
    Lesson.objects.filter(pk__in=[lesson.pk for lesson in lessons]).update(
        script={"title": "Inertia", "scenes": scenes}, transcript=sentence * 40,
        citations=[{"id": f"p{i}", "excerpt": sentence * 3, "citation": "Physics, 2.1", "url": "https://x"}
                   for i in range(6)],
        stage_log={stage: {"seconds": 12.5, "provider": "local", "attempts": 1}
                   for stage in ("understand", "script", "narrate", "render", "compose", "quality")},
        quality={"score": 0.91, "checks": {f"check{i}": {"ok": True, "note": sentence} for i in range(8)}},
        providers={"script": "gemini", "tts": "piper", "render": "local"})


def build() -> dict:
    """The mini corpus, STUDENTS classmates with two lessons and a pending request each, the measured student."""
    from django.contrib.auth.hashers import make_password  # noqa: PLC0415 - the script sets Django up first
    from rest_framework_simplejwt.tokens import RefreshToken  # noqa: PLC0415 - the script sets Django up first

    from accounts.models import StudentInterest, User  # noqa: PLC0415 - the script sets Django up first
    from content.models import LessonProgress, LessonRequest, RequestStatus  # noqa: PLC0415 - the script sets Django up first
    from content.tests.student_fixtures import make_interests, make_lesson, make_request  # noqa: PLC0415 - the script sets Django up first
    from schools.models import Classroom, District, Enrollment, School  # noqa: PLC0415 - the script sets Django up first
    from tests.support.corpus import _load, ingest_mini_corpus  # noqa: PLC0415 - the script sets Django up first

    corpus = _load(ingest_mini_corpus())
    topics = list(corpus.topics.values())
    district = District.objects.create(name="Bench District", slug="bench-district", domain="bench.org")
    school = School.objects.create(district=district, name="Bench High", domain="bench.edu")
    classes = [Classroom.objects.create(school=school, name=f"Period {i}") for i in range(1, 8)]
    interests = make_interests()
    lessons = [make_lesson(topics[i % len(topics)], video=i == 0) for i in range(LESSONS)]
    _realistic(lessons)
    others = User.objects.bulk_create([
        User(email=f"s{i}@bench.edu", first_name="S", last_name=f"{i}", role="student", school=school,
             district=district, grade_level=10, password=make_password(None)) for i in range(STUDENTS)])
    Enrollment.objects.bulk_create([Enrollment(classroom=classes[i % 7], student=s) for i, s in enumerate(others)])
    StudentInterest.objects.bulk_create([StudentInterest(student=s, interest=interests[0], rank=1) for s in others])
    requests = LessonRequest.objects.bulk_create([
        LessonRequest(student=s, question=f"q{j}", topic=lessons[(i + j) % 8].topic, lesson=lessons[(i + j) % 8],
                      status=RequestStatus.READY, grade_band="9-10", progress=100, interest_name="Basketball")
        for i, s in enumerate(others) for j in range(2)])
    LessonProgress.objects.bulk_create([LessonProgress(student=r.student, lesson=r.lesson, lesson_request=r,
                                                       position_seconds=3) for r in requests])
    LessonRequest.objects.bulk_create([
        LessonRequest(student=s, question="pending", topic=topics[0], status=RequestStatus.QUEUED, grade_band="9-10",
                      progress=10, interest_name="Basketball") for s in others])

    student = User.objects.create_user("me@bench.edu", "pw", role="student", school=school, district=district,
                                       grade_level=10, first_name="Bench")
    Enrollment.objects.create(classroom=classes[0], student=student)
    make_interests(student)
    ready = [make_request(student, lesson, question=f"mine {i}") for i, lesson in enumerate(lessons)]
    for req in ready:
        LessonProgress.objects.create(student=student, lesson=req.lesson, lesson_request=req, position_seconds=3)
    pending = make_request(student, None, status=RequestStatus.QUEUED, topic=topics[1], question="pending")
    return {"student": student, "token": str(RefreshToken.for_user(student).access_token), "ready": ready[0].pk,
            "pending": pending.pk, "book": topics[0].chapter.book.slug, "chapter": topics[0].chapter.number}


def pages(data: dict) -> dict:
    """Each page of the mix as a zero-argument request (session client for pages, JWT for the API)."""
    web = Client()
    web.force_login(data["student"])
    api = Client(HTTP_AUTHORIZATION=f"Bearer {data['token']}")

    def beacon():
        event = {"id": str(uuid.uuid4()), "request": data["ready"], "session": uuid.uuid4().hex, "seq": 1,
                 "kind": "heartbeat", "position": 5.0, "client_time": datetime.now(UTC).isoformat()}
        return api.post("/api/v1/progress/events/", {"events": [event]}, content_type="application/json")

    return {
        "dashboard": lambda: web.get("/student/"),
        "lesson": lambda: web.get(f"/student/lessons/{data['ready']}/"),
        "catalogue": lambda: web.get("/student/topics/"),
        "catalogue book": lambda: web.get(f"/student/topics/{data['book']}/"),
        "catalogue chapter": lambda: web.get(f"/student/topics/{data['book']}/{data['chapter']}/"),
        "search API": lambda: api.get("/api/v1/search/", {"q": "What is inertia?"}),
        "lesson status API": lambda: api.get(f"/api/v1/lessons/requests/{data['pending']}/"),
        "live panel (htmx)": lambda: web.get("/student/live/", HTTP_HX_REQUEST="true"),
        "progress beacon": beacon,
        "floor: /healthz": lambda: web.get("/healthz"),  # the middleware stack alone (not in the mix)
    }


def _checked(response):
    """A benchmark of an error page would be meaningless: stop (an assert would vanish under -O)."""
    if response.status_code not in (200, 204):
        raise RuntimeError(f"HTTP {response.status_code}: {response.content[:300]!r}")
    return response


def measure(fetch, runs: int) -> tuple[float, float, int]:
    """(median CPU ms, median wall ms, SQL queries) of one page, after a warm-up."""
    for _ in range(5):
        _checked(fetch())
    cpu, wall = [], []
    for _ in range(runs):
        c0, w0 = time.thread_time(), time.perf_counter()
        _checked(fetch())
        cpu.append((time.thread_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        _checked(fetch())
    return statistics.median(cpu), statistics.median(wall), len(ctx.captured_queries)


def profile(fetch, runs: int) -> None:
    for _ in range(5):
        _checked(fetch())
    profiler = cProfile.Profile(time.thread_time)  # CPU, not waits on the database
    profiler.enable()
    for _ in range(runs):
        fetch()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--profile", help="a page name as in the table")
    parser.add_argument("--queries", help="print the SQL of one request of this page (a name as in the table)")
    args = parser.parse_args()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    cache.clear()
    try:
        fetchers = pages(build())
        if args.queries:
            fetchers[args.queries]()
            with CaptureQueriesContext(connection) as ctx:
                _checked(fetchers[args.queries]())
            for query in ctx.captured_queries:
                print(query["sql"][:400], "\n")
            return
        if args.profile:
            profile(fetchers[args.profile], args.runs)
            return
        print(f"{'page':<20} {'CPU ms':>7} {'wall ms':>8} {'queries':>8}   ({STUDENTS} classmates, {LESSONS} own lessons, "
              f"median of {args.runs})")
        results = {name: measure(fetch, args.runs) for name, fetch in fetchers.items()}
        for name, (cpu, wall, queries) in results.items():
            print(f"{name:<20} {cpu:7.1f} {wall:8.1f} {queries:8d}")
        weight = sum(MIX.values())
        average = sum(results[name][0] * w for name, w in MIX.items()) / weight
        print(f"drill mix: {average:.1f} CPU ms per request (weighted as drills/locust_pages.py); 500 students "
              f"clicking every 3-10 s (~80 req/s) need ~{average * 80 / 1000:.2f} cores of Django")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
