"""Root fixtures: real embedded services, two districts (Kolibri/Zulip style), a real Celery worker.

Run in parallel with other checkouts by giving each run its own `VIVIDLY_TEST_DB` and
`VIVIDLY_TEST_REDIS_DB` (see vividly/settings/test.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from accounts.tests.factories import (
    DEFAULT_PASSWORD,
    DistrictAdminFactory,
    SchoolAdminFactory,
    StudentFactory,
    TeacherFactory,
)
from schools.tests.factories import (
    ClassroomFactory,
    DistrictFactory,
    EnrollmentFactory,
    SchoolFactory,
)

ROOT = Path(__file__).resolve().parent

# `mini_corpus`: a tiny hand-written CNXML corpus, really ingested (issue 10).
pytest_plugins = ["ingestion.testing", "content.testing"]  # + `fake_gemini`


def pytest_configure(config):
    """Start the embedded Postgres/Redis before pytest-django creates the test database."""
    from vividly import devservices

    devservices.start_all(settings)


@pytest.fixture(scope="session", autouse=True)
def _clean_redis_db():
    """Each run starts from an empty Redis DB (cache, broker queues, rate-limit counters)."""
    import redis

    redis.Redis.from_url(settings.REDIS_URL).flushdb()


@pytest.fixture(autouse=True)
def _clear_cache_between_tests():
    from django.core.cache import cache

    yield
    cache.clear()


@dataclass
class Tenant:
    """One district with a school, a class and one user of each role."""

    district: object
    school: object
    classroom: object
    student: object
    teacher: object
    school_admin: object
    district_admin: object
    password: str = DEFAULT_PASSWORD


def _make_tenant(label: str) -> Tenant:
    district = DistrictFactory(name=f"District {label.upper()}", slug=f"district-{label}",
                               domain=f"district-{label}.org")
    school = SchoolFactory(district=district, name=f"School {label.upper()}", domain=f"school-{label}.edu")
    teacher = TeacherFactory(school=school, email=f"teacher@school-{label}.edu")
    classroom = ClassroomFactory(school=school, name=f"Physics {label.upper()}", teachers=[teacher])
    student = StudentFactory(school=school, email=f"student@student.school-{label}.edu")
    EnrollmentFactory(classroom=classroom, student=student)
    return Tenant(
        district=district, school=school, classroom=classroom, student=student, teacher=teacher,
        school_admin=SchoolAdminFactory(school=school, email=f"admin@school-{label}.edu"),
        district_admin=DistrictAdminFactory(district=district, email=f"admin@district-{label}.org"),
    )


@pytest.fixture
def tenant_a(db) -> Tenant:
    return _make_tenant("a")


@pytest.fixture
def tenant_b(db) -> Tenant:
    return _make_tenant("b")


@pytest.fixture
def district_a(tenant_a):
    return tenant_a.district


@pytest.fixture
def district_b(tenant_b):
    return tenant_b.district


@pytest.fixture
def api_client_for():
    """`api_client_for(user)` → a DRF client authenticated with a real JWT access token."""
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    def make(user):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
        return client

    return make


@pytest.fixture
def cloud_providers_on(db):
    """Switch the `cloud_providers` flag on globally, so configured Google providers are used."""
    from flags.models import Flag

    Flag.objects.update_or_create(name="cloud_providers", defaults={"everyone": True})


def _worker_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vividly.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` subprocess on the test database and Redis DB.

    Tests using it need `transactional_db` so the worker sees their committed rows.
    """
    from vividly.celery import app

    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    queues = os.environ.get("VIVIDLY_WORKER_QUEUES", "default,generation,ingestion")
    with log_path.open("w") as log:
        proc = subprocess.Popen(  # noqa: S603 - our own Celery worker, fixed arguments
            [sys.executable, "-m", "celery", "-A", "vividly", "worker", "--pool=threads", "--concurrency=2",
             "-Q", queues, "--loglevel=INFO", "--without-gossip", "--without-mingle",
             "--hostname", f"test-{os.getpid()}@%h"],
            cwd=ROOT, env=_worker_env(), stdout=log, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited early, see {log_path}:\n{log_path.read_text()[-3000:]}")
        if app.control.ping(timeout=0.5):
            break
    else:
        proc.terminate()
        raise RuntimeError(f"celery worker did not become ready, see {log_path}")
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
