"""Root fixtures: real embedded services, two districts (Kolibri/Zulip style), a real Celery worker.

Run in parallel with other checkouts by giving each run its own `VIVIDLY_TEST_DB` and
`VIVIDLY_TEST_REDIS_DB` (see vividly/settings/test.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

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

# `mini_corpus`: a tiny hand-written CNXML corpus, really ingested (issue 10).
pytest_plugins = ["tests.support.corpus", "tests.support.fake_gemini",  # + `fake_gemini`
                  "tests.support.fake_google"]  # + `fake_google_cloud` (issue 19)


def pytest_configure(config):
    """Start the embedded Postgres/Redis before pytest-django creates the test database."""
    from vividly import devservices  # noqa: PLC0415 - the root conftest loads before Django is set up

    devservices.start_all(settings)


_MARKER_BY_FIXTURE = {"celery_worker_process": "worker", "email_via_smtp": "worker", "page": "browser",
                      "browser": "browser"}


def pytest_collection_modifyitems(items):
    """Mark tests by what they use, so `-m worker/browser/isolation` (make test-repeat) finds new ones too."""
    for item in items:
        for name in {_MARKER_BY_FIXTURE[f] for f in getattr(item, "fixturenames", ()) if f in _MARKER_BY_FIXTURE}:
            item.add_marker(name)
        if item.nodeid.startswith("tests/isolation/"):
            item.add_marker("isolation")


@pytest.fixture(scope="session", autouse=True)
def _clean_redis_db():
    """Each run starts from an empty Redis DB (cache, broker queues, rate-limit counters)."""
    import redis  # noqa: PLC0415 - the root conftest loads before Django is set up

    redis.Redis.from_url(settings.REDIS_URL).flushdb()


@pytest.fixture(autouse=True)
def _clear_cache_between_tests():
    from django.core.cache import cache  # noqa: PLC0415 - the root conftest loads before Django is set up

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
    from rest_framework.test import APIClient  # noqa: PLC0415 - the root conftest loads before Django is set up
    from rest_framework_simplejwt.tokens import RefreshToken  # noqa: PLC0415 - the root conftest loads before Django is set up

    def make(user):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
        return client

    return make


@pytest.fixture
def cloud_providers_on(db):
    """Switch the `cloud_providers` flag on globally, so configured Google providers are used."""
    from flags.models import Flag  # noqa: PLC0415 - the root conftest loads before Django is set up

    Flag.objects.update_or_create(name="cloud_providers", defaults={"everyone": True})


def _is_transactional(request) -> bool:
    """As pytest-django decides: TransactionTestCase semantics (committed rows, a flush afterwards)."""
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _nothing_open_before_the_flush(request):
    """Transactional tests: before the flush, every other connection has finished its transaction."""
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so it is torn down (flushed) last
    yield
    from tests.support.database import wait_until_no_open_transactions  # noqa: PLC0415 - the root conftest loads before Django is set up

    wait_until_no_open_transactions()


@pytest.fixture(scope="session")
def session_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """One real `celery worker` for the session, consuming only while a test asks for it."""
    from tests.support.processes import start_worker  # noqa: PLC0415 - the root conftest loads before Django is set up

    queues = os.environ.get("VIVIDLY_WORKER_QUEUES", "default,generation,ingestion")
    worker = start_worker(f"test-{os.getpid()}", tmp_path_factory.mktemp("celery") / "worker.log",
                          queues=queues, concurrency=2)
    worker.pause()
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker_process(session_worker, transactional_db):
    """The session's real Celery worker, working for this test only (it needs committed rows).

    Before: queues emptied of what earlier tests left, then the worker consumes. After: the test's
    work (and every stage it chained) has finished, then it stops consuming, so no task of this test
    is still running when the database is flushed, and no later test's task runs unasked.
    """
    from tests.support.processes import purge  # noqa: PLC0415 - the root conftest loads before Django is set up

    purge(session_worker.queues)
    session_worker.resume()
    yield session_worker
    try:
        session_worker.wait_idle()
    finally:
        session_worker.pause()
        purge(session_worker.queues)
