"""Shared drill plumbing: real server/worker subprocesses on the test DB and the figures file."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
FIGURES = Path(os.environ.get("DRILLS_FIGURES", ROOT / ".var" / "drills" / "figures.json"))
NIGHTLY = os.environ.get("DRILLS_NIGHTLY") == "1"


def record(drill: str, figure: str, value, target: str = "") -> None:
    """Append one figure to the figures file that `drills/report.py` prints as a table."""
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    data.setdefault(drill, {})[figure] = {"value": value, "target": target, "at": time.time()}
    FIGURES.write_text(json.dumps(data, indent=2, sort_keys=True))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(**extra: str) -> dict[str, str]:
    """Environment for subprocesses on this run's test DB / Redis DB, with API limits raised."""
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vividly.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "BREAKER_NAMESPACE": settings.BREAKER_NAMESPACE,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "RATE_LIMIT_API_MINUTE": "100000/m",
        "RATE_LIMIT_API_HOUR": "1000000/h",
        "RATE_LIMIT_AUTH_IP": "100000/15m",
    }
    env.update(extra)
    return env


def wait_http(url: str, timeout: float = 60, proc: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited: {log.read_text()[-3000:] if log else ''}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout}s")


def start_gunicorn(port: int, log: Path, *, workers: int = 2, threads: int = 4, env: dict | None = None):
    """gunicorn (gthread, like production) on 127.0.0.1:port; returns the Popen (own process group)."""
    proc = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [sys.executable, "-m", "gunicorn", "vividly.wsgi:application", "-c", str(ROOT / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--timeout", "60"],
        cwd=ROOT, env=env or server_env(), stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True)
    wait_http(f"http://127.0.0.1:{port}/healthz", proc=proc, log=log)
    return proc


def start_worker(name: str, log: Path, *, queues: str = "default,generation,ingestion", concurrency: int = 2,
                 pool: str = "threads", env: dict | None = None) -> subprocess.Popen:
    from vividly.celery import app

    env = env or server_env()
    proc = subprocess.Popen(  # noqa: S603 - our own Celery worker, fixed arguments
        [sys.executable, "-m", "celery", "-A", "vividly", "worker", f"--pool={pool}",
         f"--concurrency={concurrency}", "-Q", queues, "--loglevel=INFO", "--without-gossip",
         "--without-mingle", "--hostname", f"{name}@%h"],
        cwd=ROOT, env={**env, "PYTHONUNBUFFERED": "1"}, stdout=log.open("w"),
        stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(log.read_text()[-3000:])
        if f"{name}@" in log.read_text() and " ready." in log.read_text():  # INFO logging (local settings)
            return proc
        with app.connection_for_write(url=env["REDIS_URL"]) as conn:
            replies = app.control.ping(timeout=0.5, connection=conn) or []
        if any(name in key for reply in replies for key in reply):
            return proc
    stop(proc)
    raise RuntimeError(f"worker {name} did not start: {log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def jwt_for(user) -> str:
    from rest_framework_simplejwt.tokens import RefreshToken

    return str(RefreshToken.for_user(user).access_token)
