"""Finding 10: invitation, password-reset, unsubscribe and export tokens never reach logs or Sentry.

Real requests to every token URL (valid, invalid, missing slash); the captured records, formatted by
the configured console handler exactly as written to stderr, must not contain a token — nor may
anything that reaches the (local) Sentry server. The real gunicorn process is covered in
test_production_server.py.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta

import httpx
import pytest
import sentry_sdk
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.emails import unsubscribe_url
from accounts.models import Invitation
from accounts.privacy.models import DataExport
from accounts.privacy.services import download_token
from accounts.services import hash_token
from schools.tenancy import Role
from vividly.observability.redaction import SECRET_URL_KWARGS, redact_text

# Route parameters reviewed as not secret (ids, slugs, admin names, media paths, flag keys).
PUBLIC_URL_KWARGS = {"action", "app", "app_label", "assignment_pk", "block_pk", "content_type_id", "id",
                     "invitation_pk", "key", "lesson_pk", "number", "object_id", "path", "pin_pk", "pk",
                     "model", "question_pk", "rest", "slug", "student_pk", "topic_id", "url"}  # app, model, rest: the moved-admin redirect (issue 16)


def token_urls(tenant) -> dict[str, str]:
    """One real, working URL per token route (plus the secrets each contains)."""
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(email="new.student@school-a.edu", role=Role.STUDENT, district=tenant.district,
                              school=tenant.school, invited_by=tenant.teacher, token_hash=hash_token(token),
                              expires_at=timezone.now() + timedelta(days=7))
    user = tenant.teacher
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    reset_token = default_token_generator.make_token(user)
    export = DataExport.objects.create(district=tenant.district, student=tenant.student,
                                       status=DataExport.Status.READY, file_name="none.zip",
                                       expires_at=timezone.now() + timedelta(days=1))
    export_token = download_token(export)
    unsubscribe = unsubscribe_url(tenant.student.email).split("://", 1)[1].split("/", 1)[1]
    return {
        "invitation": f"/accounts/invitations/{token}/",
        "invitation (unknown token)": f"/accounts/invitations/{secrets.token_urlsafe(32)}/",
        "password reset": f"/accounts/password/reset/{uidb64}/{reset_token}/",
        "unsubscribe": "/" + unsubscribe,
        "unsubscribe (tampered)": "/" + unsubscribe.rstrip("/") + "x/",
        "export download": f"/privacy/exports/{export_token}/",
        "export download (no slash)": f"/privacy/exports/{export_token}",
    }


def secrets_in(path: str) -> list[str]:
    """The token of a token URL (what must never be logged; uidb64 is redacted too, but it is only
    the user id and too short to search for without false alarms)."""
    return [[p for p in path.split("/") if p][-1]]


def _console_lines(records) -> str:
    (handler,) = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    lines = []
    for record in records:
        for log_filter in handler.filters:  # what the handler does before writing the line
            log_filter.filter(record)
        lines.append(handler.format(record))
    return "\n".join(lines)


@pytest.mark.django_db
def test_token_urls_leave_no_token_in_any_log_line(tenant_a, caplog):
    urls = token_urls(tenant_a)
    with caplog.at_level(logging.INFO):
        statuses = {}
        for name, url in urls.items():
            statuses[name] = Client().get(url).status_code
            # and the form posts (CSRF failures and 400s are logged by Django with the path)
            Client(enforce_csrf_checks=True).post(url, {"password1": "x", "password2": "x"})
    assert statuses["invitation"] == 200
    assert statuses["invitation (unknown token)"] == 400
    assert statuses["password reset"] == 302  # Django moves the token into the session
    assert statuses["unsubscribe"] == 200
    assert statuses["unsubscribe (tampered)"] == 400
    assert statuses["export download"] == 302  # to the sign-in page
    assert statuses["export download (no slash)"] == 301

    text = caplog.text + "\n" + _console_lines(caplog.records)
    assert "request finished" in text  # the access log ran ...
    assert "Bad Request" in text       # ... and Django's own 4xx lines
    assert "Forbidden (CSRF" in text
    assert "/accounts/invitations/<token>/" in text  # the path is logged, with the token redacted
    for name, url in urls.items():
        for secret in secrets_in(url):
            assert secret not in text, f"{name}: {secret} in the logs"
            for record in caplog.records:
                assert secret not in str(vars(record)), f"{name}: {secret} in a record ({record.name})"


@pytest.mark.django_db
def test_token_pages_send_no_referer_and_are_not_cached(tenant_a):
    urls = token_urls(tenant_a)
    for name in ("invitation", "unsubscribe", "password reset"):
        response = Client().get(urls[name])
        assert response["Referrer-Policy"] == "no-referrer", name
        assert response["Cache-Control"] == "no-store", name
    assert Client().get("/accounts/login/").get("Referrer-Policy") != "no-referrer"


def test_redact_text_keeps_public_routes_and_other_text():
    text = ("GET /accounts/invitations/new/ then /accounts/invitations/abc-DEF_123/ and "
            "'/accounts/password/reset/MQ/c1a2-3b4/' /accounts/password/reset/done/ "
            "/privacy/exports/7:1s2:x-y?x=1 /teacher/classes/12/ /accounts/email/unsubscribe/eJx:1:a/")
    assert redact_text(text) == (
        "GET /accounts/invitations/new/ then /accounts/invitations/<token>/ and "
        "'/accounts/password/reset/<uidb64>/<token>/' /accounts/password/reset/done/ "
        "/privacy/exports/<token>?x=1 /teacher/classes/12/ /accounts/email/unsubscribe/<token>/")


def _route_kwargs(patterns) -> set[str]:
    names = set()
    for entry in patterns:
        names |= set(re.findall(r"\(\?P<(\w+)>", entry.pattern.regex.pattern))
        if isinstance(entry, URLResolver):
            names |= _route_kwargs(entry.url_patterns)
        else:
            assert isinstance(entry, URLPattern)
    return names


def test_every_route_parameter_is_classified_secret_or_public():
    """A new route parameter must be reviewed: a bearer token goes in SECRET_URL_KWARGS."""
    names = _route_kwargs(get_resolver().url_patterns)
    unreviewed = names - SECRET_URL_KWARGS - PUBLIC_URL_KWARGS
    assert not unreviewed, f"classify these route parameters: {sorted(unreviewed)}"
    assert names >= SECRET_URL_KWARGS


@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("tests.ops.urls")
def test_nothing_sent_to_sentry_contains_a_token(sentry_enabled, live_server, tenant_a):
    urls = token_urls(tenant_a)
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        for url in urls.values():
            http.get(url)
        # an error on a page reached from an invitation link: the Referer header carries the token
        client = Client()
        client.force_login(tenant_a.student)
        http.get("/ops-test/boom/", cookies={"sessionid": client.cookies["sessionid"].value},
                 headers={"Referer": f"{live_server.url}{urls['invitation']}"})
    sentry_sdk.flush(timeout=10)
    transactions = sentry_enabled.of_type("transaction")
    assert len(transactions) >= len(urls) - 2, transactions  # 404s are dropped; the rest are sent
    (event,) = sentry_enabled.of_type("event")
    assert "/accounts/invitations/<token>/" in str(event["request"]["headers"])
    raw = sentry_enabled.all_bytes().decode(errors="replace")
    assert "/accounts/invitations/<token>/" in raw
    for name, url in urls.items():
        for secret in secrets_in(url):
            assert secret not in raw, f"{name}: {secret} sent to Sentry"
