"""Rate limits on the shared Redis: exact limits, Retry-After, time travel, refunds, Redis down."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from accounts.ratelimits import check_lesson_quota, refund_lesson_quota
from accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def test_tenth_lesson_request_is_accepted_eleventh_refused_then_accepted_after_the_window(tenant_a):
    student = tenant_a.student
    with time_machine.travel("2026-11-25 09:00:00+00:00", tick=False) as traveller:
        results = [check_lesson_quota(student) for _ in range(10)]
        assert all(allowed for allowed, _ in results)
        allowed, retry_after = check_lesson_quota(student)
        assert allowed is False
        assert 0 < retry_after <= 3600
        # another student has their own quota
        assert check_lesson_quota(tenant_a.teacher)[0] is True
        traveller.shift(timedelta(seconds=retry_after + 1))
        assert check_lesson_quota(student) == (True, 0)


def test_refund_gives_back_a_failed_lesson(tenant_a):
    student = tenant_a.student
    with time_machine.travel("2026-11-25 09:00:00+00:00", tick=False):
        for _ in range(10):
            check_lesson_quota(student)
        refund_lesson_quota(student)
        assert check_lesson_quota(student)[0] is True
        assert check_lesson_quota(student)[0] is False


def test_api_allows_60_requests_a_minute_then_429_with_retry_after(api_client_for, tenant_a):
    # frozen clock: the 61 requests cannot straddle a window edge
    with time_machine.travel(timedelta(hours=1), tick=False):
        client = api_client_for(tenant_a.teacher)
        for n in range(60):
            assert client.get("/api/v1/me/").status_code == 200, n
        limited = client.get("/api/v1/me/")
        assert limited.status_code == 429
        assert int(limited["Retry-After"]) > 0
        assert "detail" in limited.json()
        # limits are per user: a colleague is unaffected
        assert api_client_for(tenant_a.school_admin).get("/api/v1/me/").status_code == 200


def test_hourly_api_limit_applies_too(api_client_for, tenant_a, settings):
    settings.VIVIDLY_RATE_LIMITS = {**settings.VIVIDLY_RATE_LIMITS, "api_user_hour": "5/h"}
    client = api_client_for(tenant_a.student)
    for _ in range(5):
        assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 429


def test_auth_endpoints_have_a_per_ip_ceiling_with_friendly_429(tenant_a, settings):
    settings.VIVIDLY_RATE_LIMITS = {**settings.VIVIDLY_RATE_LIMITS, "auth_ip": "3/15m"}
    ip = "203.0.113.77"
    for _ in range(3):
        response = Client(REMOTE_ADDR=ip).post("/accounts/login/", {"username": tenant_a.student.email,
                                                                   "password": DEFAULT_PASSWORD})
        assert response.status_code == 302
    page = Client(REMOTE_ADDR=ip).post("/accounts/login/", {"username": "x@y.org", "password": "z"})
    assert page.status_code == 429
    assert int(page["Retry-After"]) > 0
    assert "Too many requests" in page.content.decode()
    api = APIClient(REMOTE_ADDR=ip).post("/api/v1/auth/token/", {"email": "x@y.org", "password": "z"},
                                         format="json")
    assert api.status_code == 429
    assert int(api["Retry-After"]) > 0
    # other addresses are unaffected
    assert Client(REMOTE_ADDR="198.51.100.1").post(
        "/accounts/login/", {"username": tenant_a.student.email, "password": DEFAULT_PASSWORD}).status_code == 302


def test_default_auth_ceiling_fits_a_whole_school():
    assert settings.VIVIDLY_RATE_LIMITS["auth_ip"] == "300/15m"
    assert settings.VIVIDLY_RATE_LIMITS["lesson_request"] == "10/h"


def test_redis_down_fails_open_and_logs(tenant_a, settings, caplog):
    # given the cache pointing at a port where nothing listens
    caches = {**settings.CACHES}
    caches["default"] = {**caches["default"], "LOCATION": "redis://127.0.0.1:9/0"}
    settings.CACHES = caches
    with caplog.at_level(logging.ERROR, logger="accounts.ratelimits"):
        # then sign-in still works and lesson quota is not enforced
        response = Client().post("/accounts/login/", {"username": tenant_a.student.email,
                                                      "password": DEFAULT_PASSWORD})
        assert response.status_code == 302
        assert check_lesson_quota(tenant_a.student) == (True, 0)
    assert any("failed open" in record.getMessage() for record in caplog.records)


def test_admin_login_shares_the_auth_ceiling(tenant_a, settings):
    settings.VIVIDLY_RATE_LIMITS = {**settings.VIVIDLY_RATE_LIMITS, "auth_ip": "2/15m"}
    ip = "203.0.113.99"
    for _ in range(2):
        assert Client(REMOTE_ADDR=ip).post("/admin/login/", {"username": "x@y.org", "password": "z"}).status_code == 200
    assert Client(REMOTE_ADDR=ip).post("/admin/login/", {"username": "x@y.org", "password": "z"}).status_code == 429
