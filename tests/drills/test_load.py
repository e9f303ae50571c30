"""Drill 2: a Monday morning with locust against gunicorn (3 workers) + two Celery workers."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import time

import httpx
import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import call_command

from accounts.models import Interest, StudentInterest, User
from content.models import Lesson, LessonRequest
from schools.models import Classroom, Enrollment

from ._support import (
    NIGHTLY,
    ROOT,
    free_port,
    record,
    server_env,
    start_gunicorn,
    start_worker,
    stop,
)

pytestmark = [pytest.mark.drills, pytest.mark.django_db(transaction=True)]
USERS = int(os.environ.get("DRILLS_LOAD_USERS", "1000" if NIGHTLY else "500"))
SECONDS = int(os.environ.get("DRILLS_LOAD_SECONDS", "300" if NIGHTLY else "75"))
PASSWORD = "Monday-Morning-42"


def _population(mini_corpus) -> dict:
    """~USERS students (seed + bulk) enrolled in the seeded classes, each with an interest."""


    call_command("seed", force=True)
    classes = list(Classroom.objects.select_related("school").prefetch_related("teachers"))
    interest = Interest.objects.order_by("pk").first()
    hashed = make_password(PASSWORD)
    students = User.objects.bulk_create([
        User(email=f"load{i}@student.load.edu", first_name="Load", last_name=f"Student{i}", role="student",
             school=classes[i % len(classes)].school, district=classes[i % len(classes)].school.district,
             grade_level=10, password=hashed) for i in range(USERS)])
    Enrollment.objects.bulk_create([Enrollment(classroom=classes[i % len(classes)], student=s)
                                    for i, s in enumerate(students)])
    StudentInterest.objects.bulk_create([StudentInterest(student=s, interest=interest, rank=1) for s in students])
    teachers = []
    for classroom in classes:
        teacher = classroom.teachers.first()
        teacher.set_password(PASSWORD)
        teacher.save(update_fields=["password"])
        teachers.append([teacher.email, PASSWORD, classroom.pk])
    return {"students": [[s.email, PASSWORD] for s in students], "teachers": teachers,
            "topics": [t.pk for t in mini_corpus.topics.values()][:4]}


def _quota_holds_across_processes(base: str, email: str) -> tuple[int, int]:
    """12 lesson requests on fresh connections (spread over the gunicorn workers): 10 allowed, 2 × 429.

    Run with the workers stopped and by a student who asked nothing yet: a lesson that fails is
    refunded (it does not count), so a worker failing one of these mid-check would free a slot.
    """
    token = httpx.post(f"{base}/api/v1/auth/token/", json={"email": email, "password": PASSWORD},
                       timeout=30).json()["access"]
    codes = [httpx.post(f"{base}/api/v1/lessons/requests/", json={"question": f"What is force number {i}?"},
                        headers={"Authorization": f"Bearer {token}", "Connection": "close"},
                        timeout=30).status_code for i in range(12)]
    return sum(c in (200, 201, 202) for c in codes), codes.count(429)


def _fresh_student() -> str:
    """A student of a seeded class with no lesson requests yet; returns the email."""

    classroom = Classroom.objects.select_related("school__district").order_by("pk").first()
    student = User.objects.create_user(email="quota@student.load.edu", password=PASSWORD, role="student",
                                       first_name="Quota", last_name="Check", school=classroom.school,
                                       district=classroom.school.district, grade_level=10)
    Enrollment.objects.create(classroom=classroom, student=student)
    StudentInterest.objects.create(student=student, interest=Interest.objects.order_by("pk").first(), rank=1)
    return student.email


def test_monday_morning(mini_corpus, tmp_path):
    data = _population(mini_corpus)
    users_file = tmp_path / "users.json"
    users_file.write_text(json.dumps(data))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # a school behind one NAT address: sign-ins per IP raised; per-user API and lesson limits stay real
    env = server_env(RATE_LIMIT_API_MINUTE="60/m", RATE_LIMIT_API_HOUR="1000/h", RATE_LIMIT_LESSON="10/h")
    web = start_gunicorn(port, tmp_path / "web.log", workers=3, threads=4, env=env)
    workers = [start_worker(f"load{i}-{os.getpid()}", tmp_path / f"worker{i}.log", concurrency=1, env=env)
               for i in range(2)]
    started = time.monotonic()
    try:
        out = subprocess.run(  # noqa: S603 - locust from our venv against our own server
            [str(ROOT / ".venv" / "bin" / "locust"), "-f", str(ROOT / "drills" / "locustfile.py"), "--headless",
             "-u", str(USERS), "-r", str(max(10, USERS // 20)), "-t", f"{SECONDS}s", "--host", base,
             "--csv", str(tmp_path / "load"), "--only-summary", "--stop-timeout", "5"],
            cwd=ROOT, env={**os.environ, "LOAD_USERS_FILE": str(users_file)}, capture_output=True, text=True,
            timeout=SECONDS + 240, check=False)
        minutes = (time.monotonic() - started) / 60
        ready = LessonRequest.objects.filter(status="ready").count()
        lessons = Lesson.objects.exclude(video_path="").count()
        refunded = LessonRequest.objects.filter(status="failed", counts_against_quota=False).count()
        for worker in workers:
            stop(worker)
        allowed, limited = _quota_holds_across_processes(base, _fresh_student())
    finally:
        for proc in (web, *workers):
            stop(proc)
    (ROOT / ".var" / "drills" / "load").mkdir(parents=True, exist_ok=True)
    (ROOT / ".var" / "drills" / "load" / "locust.txt").write_text(out.stdout + out.stderr)
    with (tmp_path / "load_stats.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    with (tmp_path / "load_failures.csv").open() as handle:
        failures = list(csv.DictReader(handle))
    server_errors = sum(int(f["Occurrences"]) for f in failures if "50" in f["Error"] or "Server" in f["Error"])
    requests = int(total["Request Count"])
    record("load", "users x duration", f"{USERS} users x {SECONDS} s (think 3-10 s), gunicorn 3x4 + 2 workers")
    record("load", "throughput (req/s)", round(float(total["Requests/s"]), 1))
    record("load", "requests / failures", f"{requests} / {total['Failure Count']}")
    record("load", "5xx rate", f"{100 * server_errors / max(requests, 1):.2f}%", "0%")
    record("load", "all p50/p95/p99 (ms)", f"{total['50%']}/{total['95%']}/{total['99%']}")
    for row in rows:
        if row["Name"] != "Aggregated":
            record("load", f"{row['Type']} {row['Name'].split(' ', 1)[-1]} p50/p95/p99 ms",
                   f"{row['50%']}/{row['95%']}/{row['99%']} (n={row['Request Count']})",
                   "p95<300 (pages)" if not row["Name"].split(" ", 1)[-1].startswith("/api") else "")
    record("load", "lesson requests served per minute (ready)", round(ready / minutes, 1))
    record("load", "new lessons generated per minute (distinct videos)", round(lessons / minutes, 2))
    record("load", "lesson quota across 3 web processes", f"{allowed} allowed, {limited} x 429", "10 + 2x429")
    record("load", "failed lessons refunded (do not count against the quota)", refunded)
    (ROOT / ".var" / "drills" / "load" / "failures.json").write_text(json.dumps(failures, indent=2))
    assert requests > 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert (allowed, limited) == (10, 2)
    assert server_errors == 0, failures[:10]
