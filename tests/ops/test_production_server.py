"""The production image's web process, for real: gunicorn + gunicorn.conf.py + production settings.

The test plays Cloud Run's front end (X-Forwarded-Proto, and the X-Forwarded-For entry the front end
appends) against a gunicorn subprocess on the test database, configured as terraform/run.tf does:
TRUSTED_PROXY_COUNT=1, a METRICS_TOKEN, LOG_LEVEL=INFO, and the access log switched on as well.
"""

from __future__ import annotations

import secrets
import subprocess
import sys

import httpx
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from tests.drills._support import ROOT, free_port, server_env, stop, wait_http

from .test_token_redaction import secrets_in, token_urls

pytestmark = pytest.mark.django_db(transaction=True)
METRICS_TOKEN = secrets.token_urlsafe(32)
FRONT_END = {"X-Forwarded-Proto": "https"}  # Cloud Run always sets it; the client never reaches us directly


@pytest.fixture
def production_server(tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = server_env(
        DJANGO_SETTINGS_MODULE="vividly.settings.production", VIVIDLY_ENV="production",
        SECRET_KEY=settings.SECRET_KEY,  # sessions made by the test are valid in the server
        ALLOWED_HOSTS="127.0.0.1", CSRF_TRUSTED_ORIGINS="https://127.0.0.1", SITE_URL="https://127.0.0.1",
        TRUSTED_PROXY_COUNT="1", METRICS_TOKEN=METRICS_TOKEN, LOG_LEVEL="INFO", SENTRY_DSN="",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [sys.executable, "-m", "gunicorn", "vividly.wsgi:application", "-c", str(ROOT / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2", "--access-logfile", "-"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", proc=proc, log=log)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=FRONT_END, timeout=30) as http:
            yield http, log
    finally:
        stop(proc)


def _session_cookie(user) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {"sessionid": client.cookies["sessionid"].value}


def test_metrics_answer_only_to_the_token(production_server):
    http, _log = production_server
    # loopback is where the old allow-list opened /metrics; a forged header claims it too
    assert http.get("/metrics").status_code == 403
    assert http.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1, 127.0.0.1"}).status_code == 403
    assert http.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    scrape = http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert scrape.status_code == 200
    assert "django_http_requests_total_by_method_total" in scrape.text


def test_api_schema_and_docs_are_for_staff_only(production_server, tenant_a):
    http, _log = production_server
    for url in ("/api/schema/", "/api/docs/"):
        assert http.get(url).status_code in {401, 403}
        assert http.get(url, cookies=_session_cookie(tenant_a.student)).status_code == 403
    teacher = _session_cookie(tenant_a.teacher)
    assert http.get("/api/schema/", cookies=teacher).status_code == 200
    assert "/api/v1/" in http.get("/api/schema/", cookies=teacher).text


def test_the_client_address_is_what_the_front_end_appended(production_server):
    http, _log = production_server
    operator = get_user_model().objects.create_superuser("ops@vividly.example", "x")
    answer = http.get("/ops/client-ip", cookies=_session_cookie(operator),
                      headers={"X-Forwarded-For": "127.0.0.1, 198.51.100.20"}).json()
    assert answer["client_ip"] == "198.51.100.20"
    assert answer["x_forwarded_for"] == ["127.0.0.1", "198.51.100.20"]
    assert answer["trusted_proxy_count"] == 1
    assert answer["peer_address"] == "127.0.0.1"


def test_client_sent_script_name_does_not_rewrite_our_urls(production_server):
    """gunicorn's default forwarder_headers would take SCRIPT_NAME from any trusted peer (all of them)."""
    http, _log = production_server
    response = http.get("/evil/accounts/login/", headers={"SCRIPT_NAME": "/evil"})
    assert response.status_code == 404
    assert "/evil/" not in response.headers.get("Location", "")


def test_no_token_in_the_server_output(production_server, tenant_a):
    http, log = production_server
    urls = token_urls(tenant_a)
    statuses = {name: http.get(url).status_code for name, url in urls.items()}
    assert statuses["invitation"] == 200
    assert statuses["invitation (unknown token)"] == 400
    assert statuses["export download (no slash)"] == 301
    http.get("/healthz")  # flush ordering: the last line is written before we read
    output = log.read_text()
    assert '"route": "accounts/invitations/<str:token>/"' in output  # the JSON access line
    assert "/accounts/invitations/<token>/" in output                # Django's "Bad Request" line
    assert '"GET" 400' in output                                      # gunicorn's access line
    for name, url in urls.items():
        for secret in secrets_in(url):
            assert secret not in output, f"{name}: {secret} in the server output"
