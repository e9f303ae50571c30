"""Minimal exposure: no student name or email in logs, Sentry envelopes or AI-provider requests;
AI data residency keeps generation on local providers."""

from __future__ import annotations

import io
import json
import logging

import pytest
import sentry_sdk
from django.test import Client
from django.urls import reverse

from accounts.models import Interest, StudentInterest
from accounts.privacy.models import DistrictPrivacySettings
from accounts.privacy.selectors import must_use_local_providers
from accounts.privacy.services import record_student_access
from content import services as content_services
from content.models import Lesson
from content.pipeline.stages import build_brief
from content.pipeline.understand import understand
from content.tasks import write_script
from content.writers.local import compose_script
from tests.ops.conftest import SentryServer
from tests.support.fake_gemini import FakeGemini

pytestmark = pytest.mark.django_db

FIRST, LAST = "Marigoldina", "Thistlewaite"
EMAIL = "marigoldina.thistlewaite@student.school-a.edu"
log = logging.getLogger("vividly.privacy.test")


@pytest.fixture
def named_student(tenant_a):
    student = tenant_a.student
    student.first_name, student.last_name, student.email = FIRST, LAST, EMAIL
    student.save()
    interest, _ = Interest.objects.get_or_create(slug="basketball", defaults={"name": "Basketball",
                                                                             "category": "sports"})
    StudentInterest.objects.get_or_create(student=student, interest=interest, defaults={"rank": 1})
    return student


@pytest.fixture
def captured_logs():
    """The real console handler configured by settings.LOGGING (with its filters), writing to a buffer."""
    root = logging.getLogger()
    handler = next(h for h in root.handlers if isinstance(h, logging.StreamHandler)
                   and any(type(f).__name__ == "PIIScrubFilter" for f in h.filters))
    buffer = io.StringIO()
    old_stream, old_level = handler.setStream(buffer), root.level
    root.setLevel(logging.INFO)
    yield buffer
    root.setLevel(old_level)
    handler.setStream(old_stream)


def _assert_clean(text: str) -> None:
    for secret in (EMAIL, FIRST, LAST, "thistlewaite"):
        assert secret.lower() not in text.lower(), f"{secret!r} leaked"


def test_log_lines_never_carry_student_names_or_emails(named_student, tenant_a, captured_logs):
    client = Client()
    client.force_login(tenant_a.teacher)
    response = client.get(reverse("teacher:student", args=[tenant_a.classroom.pk, named_student.pk]))
    assert response.status_code == 200
    assert FIRST in response.content.decode()
    # careless log calls after the page: a User argument, an f-string with name and email, an extra field
    log.warning("opening lesson for %s", named_student)
    log.warning(f"{named_student.get_full_name()} <{named_student.email}> asked again")  # noqa: G004
    log.info("lookup", extra={"who": f"{FIRST} {LAST}"})
    client.get(f"/teacher/classes/{tenant_a.classroom.pk}/students/999999/")  # a 404 is logged
    text = captured_logs.getvalue()
    assert f"user:{named_student.pk}" in text
    assert "[Filtered] <[Filtered]> asked again" in text
    _assert_clean(text)


def test_emails_are_scrubbed_even_without_a_registered_name(captured_logs):
    log.warning("invite failed for someone.else@example.org")
    assert "someone.else@example.org" not in captured_logs.getvalue()
    assert "[Filtered]" in captured_logs.getvalue()


@pytest.fixture
def sentry():
    from vividly.observability.sentry import init_sentry

    server = SentryServer()
    server.thread.start()
    init_sentry(dsn=server.dsn, environment="development", release="vividly@privacy-test")
    yield server
    sentry_sdk.flush(timeout=5)
    sentry_sdk.get_client().close()
    sentry_sdk.init()
    server.httpd.shutdown()
    server.httpd.server_close()


def test_sentry_envelopes_carry_no_student_name_or_email(named_student, tenant_a, rf, sentry):
    request = rf.get("/teacher/")
    request.user = tenant_a.teacher
    record_student_access(request, named_student, "profile")  # what the teacher pages do
    log.error("could not render progress for %s (%s)", named_student.get_full_name(), named_student.email)
    try:
        raise RuntimeError(f"bad data for {FIRST} {LAST} <{EMAIL}>")
    except RuntimeError as exc:
        sentry_sdk.capture_exception(exc)
    sentry_sdk.flush(timeout=10)
    assert len(sentry.of_type("event")) == 2
    _assert_clean(sentry.all_bytes().decode("utf-8", "replace"))


def _lesson_for(student, topic) -> Lesson:
    request, _ = content_services.create_lesson_request(student=student, topic_id=topic.pk, enforce_quota=False)
    understand(request.pk)
    request.refresh_from_db()
    return request.lesson


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_provider_requests_carry_grade_band_and_interest_only(mini_corpus, named_student, fake_gemini,
                                                              captured_logs):
    lesson = _lesson_for(named_student, mini_corpus.topic("m90101"))
    script = compose_script(build_brief(lesson))
    for question in script["quiz"]:
        question.pop("practice_item_id")
    fake_gemini.responses.append((200, FakeGemini.reply(json.dumps(script))))
    write_script.apply(args=[lesson.pk])
    lesson.refresh_from_db()
    assert lesson.providers["scripting"] == "gemini"
    assert len(fake_gemini.requests) == 1
    payload = json.dumps(fake_gemini.requests[0])
    _assert_clean(payload)
    assert not _keys(fake_gemini.requests[0]["body"]) & {"student", "student_id", "user", "user_id", "email"}
    assert "Basketball" in payload
    assert lesson.grade_band in payload
    _assert_clean(captured_logs.getvalue())


def test_ai_data_residency_keeps_generation_local(mini_corpus, named_student, tenant_a, fake_gemini):
    assert not must_use_local_providers(tenant_a.district)
    DistrictPrivacySettings.objects.create(district=tenant_a.district, ai_data_residency=True)
    assert must_use_local_providers(tenant_a.district)
    assert must_use_local_providers(tenant_a.district.pk)
    lesson = _lesson_for(named_student, mini_corpus.topic("m90101"))
    write_script.apply(args=[lesson.pk])
    lesson.refresh_from_db()
    assert fake_gemini.requests == []  # nothing left the building
    assert lesson.stage == Lesson.Stage.NARRATING  # the stage after scripting
    assert lesson.providers["scripting"] == "local"
    assert lesson.providers["scripting_fallback"] == "district data residency"
