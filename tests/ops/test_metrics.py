"""/metrics: protection, our custom series, and several processes sharing counters."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

from vividly.celery import app as celery_app
from vividly.observability.metrics import observe_stage
from vividly.providers import breakers

ROOT = Path(__file__).resolve().parents[2]


def _samples(text: str) -> dict:
    """{(sample name, frozenset(labels)): value} from an exposition."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _value(text, name, **labels):
    return _samples(text).get((name, frozenset(labels.items())), 0.0)


@pytest.mark.parametrize(("remote_addr", "auth", "status"), [
    ("203.0.113.9", None, 403),            # the public
    ("203.0.113.9", "Bearer wrong", 403),  # a wrong token
    ("203.0.113.9", "Bearer s3cret-scrape-token", 200),
    ("127.0.0.1", None, 200),              # loopback (sidecar / local Prometheus)
    ("10.8.0.7", None, 200),               # a configured CIDR
])
def test_metrics_endpoint_is_protected(client, settings, remote_addr, auth, status):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1", "::1", "10.8.0.0/28"]
    headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
    response = client.get("/metrics", REMOTE_ADDR=remote_addr, **headers)
    assert response.status_code == status
    if status == 200:
        assert b"django_http_requests_total_by_method_total" in response.content
    else:
        assert b"vividly_" not in response.content


def test_no_token_configured_means_token_never_matches(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 403


def test_disabled_metrics_answer_404_even_to_the_token(client, settings):
    settings.METRICS_ENABLED = False
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    assert response.status_code == 404


def test_stage_durations_and_breaker_states_are_exposed(client):
    before = client.get("/metrics").content.decode()
    observe_stage("tts", "espeak", 1.5)
    observe_stage("tts", "espeak", 0.5)
    breakers.breaker("gemini").open()
    try:
        after = client.get("/metrics").content.decode()
    finally:
        breakers.reset_all()
    labels = {"stage": "tts", "provider": "espeak"}
    assert _value(after, "vividly_lesson_stage_seconds_count", **labels) - \
        _value(before, "vividly_lesson_stage_seconds_count", **labels) == 2
    assert _value(after, "vividly_lesson_stage_seconds_sum", **labels) - \
        _value(before, "vividly_lesson_stage_seconds_sum", **labels) == pytest.approx(2.0)
    assert _value(after, "vividly_breaker_state", breaker="gemini", state="open") == 1
    assert _value(after, "vividly_breaker_state", breaker="gemini", state="closed") == 0
    assert _value(after, "vividly_breaker_state", breaker="tts", state="closed") == 1
    assert _value(after, "vividly_breaker_scrape_ok") == 1
    final = client.get("/metrics").content.decode()
    assert _value(final, "vividly_breaker_state", breaker="gemini", state="closed") == 1


# --- several processes: gunicorn (2 workers) + a Celery worker share PROMETHEUS_MULTIPROC_DIR ---


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(multiproc_dir: Path, port: int) -> dict:
    db = settings.DATABASES["default"]
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "vividly.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL, "PROMETHEUS_MULTIPROC_DIR": str(multiproc_dir),
            "PORT": str(port), "WEB_CONCURRENCY": "2", "METRICS_TOKEN": "multi-token"}


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_task_outcomes_from_a_worker_show_up_in_gunicorn_metrics(tmp_path):
    multiproc, port, queue = tmp_path / "prom", _free_port(), f"ops-metrics-{uuid.uuid4().hex[:8]}"
    env = _env(multiproc, port)
    log = (tmp_path / "procs.log").open("w")
    web = subprocess.Popen([shutil.which("gunicorn", path=str(Path(sys.executable).parent)),  # noqa: S603 - gunicorn from our venv, fixed arguments
                            "-c", "gunicorn.conf.py", "vividly.wsgi:application"],
                           cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    worker = None
    try:
        url = f"http://127.0.0.1:{port}/metrics"
        auth = {"Authorization": "Bearer multi-token"}
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url, headers=auth, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "procs.log").read_text()[-3000:]
            time.sleep(0.3)
        worker = subprocess.Popen(  # noqa: S603 - our own Celery worker, fixed arguments
            [sys.executable, "-m", "celery", "-A", "vividly", "worker", "--pool=prefork",
             "--concurrency=1", "-Q", queue, "--without-gossip", "--without-mingle",
             "--hostname", f"ops-{queue}@%h"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        result = celery_app.send_task("vividly.debug_ping", args=["metrics"], queue=queue)
        assert result.get(timeout=180)["pong"] == "metrics"
        failing = celery_app.send_task("vividly.debug_ping", kwargs={"bogus": 1}, queue=queue)
        with pytest.raises(TypeError):
            failing.get(timeout=180)

        # several requests, served by whichever gunicorn worker; counts are merged across them
        for _ in range(6):
            assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        deadline = time.monotonic() + 60
        while True:
            text = httpx.get(url, headers=auth, timeout=5).text
            if _value(text, "vividly_celery_tasks_total", task="vividly.debug_ping", outcome="success") == 1:
                break
            assert time.monotonic() < deadline, text[-4000:]
            time.sleep(0.5)
        assert _value(text, "vividly_celery_tasks_total", task="vividly.debug_ping", outcome="failure") == 1
        assert _value(text, "vividly_celery_task_seconds_count", task="vividly.debug_ping") == 2
        assert _value(text, "django_http_responses_total_by_status_total", status="200") >= 6
        assert len(list(multiproc.glob("*.db"))) >= 3  # two gunicorn workers and the task process
        assert httpx.get(url, timeout=5).status_code == 200  # loopback is allowed by default
    finally:
        if worker:
            _stop(worker)
        _stop(web)
        log.close()
