"""Sentry: what reaches a (local) ingest server, what is filtered, and that no student PII leaves."""

import json
import os
import re
import subprocess
import sys

import httpx
import pytest
import sentry_sdk
from django.test import Client
from rest_framework_simplejwt.tokens import RefreshToken

from vividly.observability.sentry import (
    capture_exception_with_context,
    traces_sample_rate_for,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.ops.urls")]

FIRST, LAST = "Zebulonia", "Quixotewright"


def _logged_in_student(tenant):
    student = tenant.student
    student.first_name, student.last_name = FIRST, LAST
    student.save()
    client = Client()
    client.force_login(student)
    return student, {"sessionid": client.cookies["sessionid"].value}


def test_real_view_error_is_reported_without_student_name_or_email(sentry_enabled, live_server,
                                                                   tenant_a):
    student, cookies = _logged_in_student(tenant_a)
    with httpx.Client(base_url=live_server.url, cookies=cookies, timeout=10) as http:
        response = http.get("/ops-test/boom/")
    assert response.status_code == 500
    sentry_sdk.flush(timeout=10)

    events = sentry_enabled.of_type("event")
    assert len(events) == 1, events
    event = events[0]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["environment"] == "development"
    assert event["release"] == "vividly@test-1"
    assert event["tags"]["request_id"] == response.headers["X-Request-ID"]  # links to the logs
    assert event["user"] == {"id": str(student.pk), "role": "student",
                             "district_id": tenant_a.district.pk}
    # breadcrumbs are kept (the log line before the crash), but scrubbed
    messages = [crumb.get("message") or "" for crumb in event["breadcrumbs"]["values"]]
    # (scrubbed by us "[Filtered]", or already by the accounts PII log filter "[redacted]")
    assert any(re.search(r"opening lesson for \[(Filtered|redacted)\]", m) for m in messages), messages
    assert "[Filtered]" in event["exception"]["values"][-1]["value"]

    raw = sentry_enabled.all_bytes()
    for secret in (student.email, FIRST, LAST, cookies["sessionid"]):
        assert secret.encode() not in raw, f"{secret!r} left the process"
    # the transaction for the failed request is sent too (development samples 100%)
    transactions = sentry_enabled.of_type("transaction")
    assert any(t["transaction"] == "/ops-test/boom/" for t in transactions), transactions


def test_jwt_api_error_carries_the_user_context(sentry_enabled, live_server, tenant_a):
    teacher = tenant_a.teacher
    token = str(RefreshToken.for_user(teacher).access_token)
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        response = http.get("/ops-test/api-boom/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500
    sentry_sdk.flush(timeout=10)
    (event,) = sentry_enabled.of_type("event")
    assert event["user"] == {"id": str(teacher.pk), "role": "teacher",
                             "district_id": tenant_a.district.pk}
    raw = sentry_enabled.all_bytes()
    assert teacher.email.encode() not in raw
    assert token.encode() not in raw


def test_health_checks_metrics_and_404s_are_filtered(sentry_enabled, live_server, tenant_a):
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        assert http.get("/healthz").status_code == 200
        assert http.get("/readyz").status_code == 200
        assert http.get("/metrics").status_code == 200
        assert http.get("/no-such-page/").status_code == 404
        http.get("/accounts/login/")  # any page that is not a probe
    sentry_sdk.flush(timeout=10)

    names = [t["transaction"] for t in sentry_enabled.of_type("transaction")]
    assert "/accounts/login/" in names  # proves transactions are being sent at all
    assert not {"/healthz", "/readyz", "/metrics"} & set(names), names
    assert not any("no-such-page" in json.dumps(t) for t in sentry_enabled.of_type("transaction"))
    assert sentry_enabled.of_type("event") == []


def test_capture_exception_with_context_sends_scrubbed_context(sentry_enabled):
    try:
        raise ValueError("tts provider rejected the script")
    except ValueError as exc:
        event_id = capture_exception_with_context(
            exc, lesson_id=17, stage="tts", provider="gemini", note="parent is mom@example.org")
    sentry_sdk.flush(timeout=10)
    (event,) = sentry_enabled.of_type("event")
    assert event["event_id"] == event_id
    assert event["contexts"]["vividly"]["lesson_id"] == 17
    assert event["contexts"]["vividly"]["note"] == "parent is [Filtered]"
    assert event["tags"]["stage"] == "tts"
    assert event["tags"]["provider"] == "gemini"
    assert b"mom@example.org" not in sentry_enabled.all_bytes()


def test_sample_rates_by_environment():
    assert traces_sample_rate_for("development") == 1.0
    assert traces_sample_rate_for("staging") == 0.5
    assert traces_sample_rate_for("production") == 0.1


@pytest.mark.parametrize(("dsn", "expected"), [("", "False"), ("http://k@127.0.0.1:9/1", "True 0.5")])
def test_settings_initialise_sentry_only_when_dsn_is_set(dsn, expected):
    code = ("import django; django.setup(); import sentry_sdk; c = sentry_sdk.get_client();"
            "o = c.options; assert not c.is_active() or not (o['send_default_pii'] or"
            " o['data_collection']['user_info'] or o['include_local_variables']);"
            "print(c.is_active(), o['traces_sample_rate'] if c.is_active() else '')")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vividly.settings.test", "SENTRY_DSN": dsn,
           "VIVIDLY_ENV": "staging"}
    env.pop("SENTRY_TRACES_SAMPLE_RATE", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,  # noqa: S603 - this interpreter running the test's own snippet
                         timeout=120, check=True)
    assert out.stdout.strip() == expected
