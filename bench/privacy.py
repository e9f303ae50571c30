"""Privacy: export ZIP build time/size for a school, erase time per student, daily retention purge time.

A school of 30 students, each with the full set of records (tests/support/privacy.py) plus
200 player events. Creates and drops its own throwaway database on the embedded Postgres:

    VIVIDLY_TEST_DB=bench_privacy VIVIDLY_TEST_REDIS_DB=11 DJANGO_SETTINGS_MODULE=vividly.settings.test \
        .venv/bin/python bench/privacy.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vividly.settings.test")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

STUDENTS = 30
EVENTS = 200


def build():
    from accounts.models import User  # noqa: PLC0415 - the script sets Django up first
    from content.models import ProgressEvent  # noqa: PLC0415 - the script sets Django up first
    from schools.models import District, School  # noqa: PLC0415 - the script sets Django up first
    from tests.support.privacy import give_every_record  # noqa: PLC0415 - the script sets Django up first

    district = District.objects.create(name="Bench District", slug="bench-district", domain="bench.org")
    school = School.objects.create(district=district, name="Bench High", slug="bench-high", domain="bench.edu")
    students = []
    for n in range(STUDENTS):
        student = User.objects.create_user(f"s{n}@student.bench.edu", "x", role="student", school=school,
                                           grade_level=10, first_name=f"Bench{n}")
        records = give_every_record(student, tag=str(n))
        ProgressEvent.objects.bulk_create([ProgressEvent(
            student=student, lesson=records.own_lesson, client_event_id=uuid.uuid4(), session_id="bench",
            sequence=i + 2, kind="heartbeat", position_seconds=i, client_time=timezone.now()) for i in range(EVENTS)])
        students.append(student)
    return district, school, students


def main() -> None:
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-privacy-media-")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from accounts.privacy import services  # noqa: PLC0415 - the script sets Django up first
        from accounts.privacy.models import DataExport  # noqa: PLC0415 - the script sets Django up first

        district, school, students = build()
        export = DataExport.objects.create(district=district, school=school)
        started = time.perf_counter()
        services.run_export(export_id=export.pk)
        export.refresh_from_db()
        print(f"school export: {STUDENTS} students, {time.perf_counter() - started:.2f} s, "
              f"{export.size_bytes / 1024:.0f} KiB")
        export = DataExport.objects.create(district=district, student=students[0], include_media=True)
        started = time.perf_counter()
        services.run_export(export_id=export.pk)
        export.refresh_from_db()
        print(f"student export with media: {(time.perf_counter() - started) * 1000:.0f} ms, "
              f"{export.size_bytes / 1024:.0f} KiB")
        timings = []
        for student in students[:10]:
            services.soft_delete_student(student=student)
            started = time.perf_counter()
            services.erase_student(student=student)
            timings.append(time.perf_counter() - started)
        timings.sort()
        print(f"erase one student: median {timings[len(timings) // 2] * 1000:.0f} ms, "
              f"max {timings[-1] * 1000:.0f} ms")
        started = time.perf_counter()
        services.purge_daily()
        services.purge_hourly()
        print(f"retention purge (daily + hourly, nothing due): {(time.perf_counter() - started) * 1000:.0f} ms")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
