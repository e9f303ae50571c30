"""Sessions read from Redis, written through to PostgreSQL (accounts/sessions.py, issue 17)."""

import socket

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.sessions import _cache_key_for, end_sessions
from accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

PAGE = "/accounts/sessions/"


def signed_in(user) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def session_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(PAGE).status_code == 200
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "django_session"')]


def test_a_signed_in_page_reads_the_session_from_the_cache(tenant_a):
    client = signed_in(tenant_a.student)
    assert session_queries(client) == []  # no SELECT on django_session
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()  # and the row is there (written through)


def test_a_session_missing_from_the_cache_is_read_from_the_database(tenant_a):
    client = signed_in(tenant_a.student)
    caches["default"].delete(_cache_key_for(client.cookies["sessionid"].value))
    assert len(session_queries(client)) == 1
    assert session_queries(client) == []  # cached again


def test_the_session_key_is_not_in_the_cache_key(tenant_a):
    """Cache keys reach tracing spans and logs; a raw session key there would be a usable cookie."""
    client = signed_in(tenant_a.student)
    session_key = client.cookies["sessionid"].value
    redis = caches["default"].client.get_client()
    stored = [key.decode() for key in redis.scan_iter(match="*session*")]
    assert stored, "the session was not cached"
    assert not [key for key in stored if session_key in key]


def test_ended_sessions_are_gone_from_the_cache_too(tenant_a, tenant_b):
    mine, theirs = signed_in(tenant_a.student), signed_in(tenant_b.student)
    assert mine.get(PAGE).status_code == theirs.get(PAGE).status_code == 200  # both cached
    deleted, _ = end_sessions([mine.cookies["sessionid"].value])
    assert deleted == 1
    assert mine.get(PAGE).status_code == 302  # signed out: not served from the cache
    assert theirs.get(PAGE).status_code == 200


def test_cache_entries_are_capped(tenant_a, settings):
    settings.SESSION_CACHE_SECONDS = 30
    client = signed_in(tenant_a.student)
    ttl = caches["default"].ttl(_cache_key_for(client.cookies["sessionid"].value))
    assert 0 < ttl <= 30


def test_redis_down_pages_read_sessions_from_the_database(tenant_a, settings):
    client = signed_in(tenant_a.student)
    with socket.socket() as sock:  # a loopback port nothing listens on
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{closed_port}/0"}}
    assert len(session_queries(client)) == 1
