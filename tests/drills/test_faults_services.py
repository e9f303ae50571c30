"""Drill 3a/3b: Redis stopped ~30 s during traffic, PostgreSQL restarted — on a SEPARATE embedded
Postgres + Redis (own ports under .var/drills/), never the shared dev services.

Vividly runs as `make run` would (local settings, CONN_MAX_AGE=60 + health checks, DEBUG off):
gunicorn with 2 workers and one Celery worker.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time

import httpx
import pytest
from django.conf import settings

from vividly import devservices

from ._support import ROOT, free_port, record, start_gunicorn, start_worker, stop

pytestmark = pytest.mark.drills
STUDENT = ("alex.martinez.9@student.hillsboro.edu", "Student123!")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    var = settings.VAR_DIR / "drills" / f"faults-{os.getpid()}"
    pg_port, redis_port, web_port = free_port(), free_port(), free_port()
    devservices.postgres_start(var, pg_port)
    devservices.redis_start(var, redis_port)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIVIDLY_TEST", "DJANGO_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "vividly.settings.local", "DEBUG": "false",
        "DATABASE_URL": f"postgres://{devservices.PG_USER}@127.0.0.1:{pg_port}/{devservices.PG_DB}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "BREAKER_NAMESPACE": "drill:breaker",
        "MEDIA_ROOT": str(var / "media"), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
        "RATE_LIMIT_AUTH_IP": "100000/15m", "RATE_LIMIT_API_MINUTE": "100000/m",
    })
    for args in (["migrate", "--noinput"], ["seed", "--force"]):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,  # noqa: S603 - our own manage.py with the test's arguments
                       capture_output=True, timeout=600)
    logs = tmp_path_factory.mktemp("faults")
    web = start_gunicorn(web_port, logs / "web.log", workers=2, threads=4, env=env)
    base = f"http://127.0.0.1:{web_port}"
    token = httpx.post(f"{base}/api/v1/auth/token/", json={"email": STUDENT[0], "password": STUDENT[1]},
                       timeout=10).json()["access"]
    yield {"var": var, "env": env, "base": base, "token": token, "logs": logs, "web": web,
           "pg_port": pg_port, "redis_port": redis_port}
    stop(web)
    devservices.redis_stop(var)
    devservices.postgres_stop(var)
    shutil.rmtree(var, ignore_errors=True)


def _probe(base: str, token: str) -> dict[str, tuple[int, float, str]]:
    """One round of the pages a student touches; (status, seconds, content-type) each."""
    out = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        for name, path, headers in (("login page", "/accounts/login/", {}),
                                    ("api me", "/api/v1/me/", {"Authorization": f"Bearer {token}"}),
                                    ("healthz", "/healthz", {}), ("readyz", "/readyz", {})):
            started = time.monotonic()
            try:
                response = client.get(path, headers=headers)
                out[name] = (response.status_code, time.monotonic() - started,
                             response.headers.get("content-type", ""))
            except httpx.HTTPError as exc:
                out[name] = (599, time.monotonic() - started, type(exc).__name__)
    return out


def _traffic(base: str, token: str, seconds: float) -> list[dict]:
    rounds, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        rounds.append(_probe(base, token))
        time.sleep(0.2)
    return rounds


def test_redis_down_30s_pages_keep_working_and_jobs_resume(stack):
    worker = start_worker(f"drill-redis-{os.getpid()}", stack["logs"] / "worker.log", env=stack["env"])
    try:
        devservices.redis_stop(stack["var"])
        down_started = time.monotonic()
        rounds = _traffic(stack["base"], stack["token"], 30)
        devservices.redis_start(stack["var"], stack["redis_port"])
        # jobs resume: a task sent after Redis is back completes on the same (never restarted) worker
        started = time.monotonic()
        ping = subprocess.run(
            [sys.executable, "-c", "import django\ndjango.setup()\nfrom vividly.celery import app\n"
             "print(app.send_task('vividly.debug_ping').get(timeout=60))"],
            cwd=ROOT, env=stack["env"], capture_output=True, text=True, timeout=120, check=False)
        resume_seconds = time.monotonic() - started
    finally:
        stop(worker)
    pages = [r[k] for r in rounds for k in ("login page", "api me", "healthz")]
    ok = sum(status < 500 for status, _, _ in pages)
    p95 = statistics.quantiles([s for _, s, _ in pages], n=20)[-1]
    record("faults", "Redis down 30 s: page/API requests OK", f"{ok}/{len(pages)} (p95 {p95 * 1000:.0f} ms)",
           "100%")
    record("faults", "Redis down: readyz", f"{rounds[0]['readyz'][0]} (reports cache/broker)", "503")
    record("faults", "Redis back: task round trip (s)",
           round(resume_seconds, 1) if ping.returncode == 0 else f"FAILED: {ping.stderr[-200:]}")
    assert time.monotonic() - down_started >= 30
    assert ok == len(pages), [r for r in rounds if any(v[0] >= 500 for k, v in r.items() if k != "readyz")][:3]
    assert ping.returncode == 0, ping.stdout + ping.stderr


def test_postgres_restart_fails_cleanly_and_recovers_without_restarting_vividly(stack):
    assert _probe(stack["base"], stack["token"])["api me"][0] == 200
    devservices.postgres_stop(stack["var"])
    down = _traffic(stack["base"], stack["token"], 5)
    devservices.postgres_start(stack["var"], stack["pg_port"])
    restarted = time.monotonic()
    recovered = None
    while time.monotonic() - restarted < 60:
        if _probe(stack["base"], stack["token"])["api me"][0] == 200:
            recovered = time.monotonic() - restarted
            break
        time.sleep(0.2)
    api = [r["api me"] for r in down]
    slowest = max(s for _, s, _ in api)
    json_share = sum("json" in ctype for _, _, ctype in api)
    record("faults", "Postgres down: API answers", f"{sorted({s for s, _, _ in api})}, slowest "
           f"{slowest:.1f} s, JSON {json_share}/{len(api)}", "503 JSON, < 10 s")
    record("faults", "Postgres down: healthz / readyz",
           f"{sorted({r['healthz'][0] for r in down})} / {sorted({r['readyz'][0] for r in down})}", "200 / 503")
    record("faults", "Postgres back: recovery without restart (s)",
           round(recovered, 1) if recovered is not None else "NOT RECOVERED", "< 10")
    assert stack["web"].poll() is None
    assert recovered is not None
    assert slowest < 10
    assert all(status == 503 for status, _, _ in api)  # vividly/errors.py: JSON 503 + Retry-After
    assert json_share == len(api)
