"""Celery workers and gunicorn servers that tests and drills start on the test database.

One place for how they start (own process group, and they die with the pytest process, so an
aborted run leaves nothing behind), how we know a worker has finished what a test gave it, and how
they stop. A test must never end while a worker still holds a transaction: the next flush of a
TransactionTestCase (`TRUNCATE …`) would deadlock with it.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from celery import Celery
from django.conf import settings

from vividly.celery import app

ROOT = Path(__file__).resolve().parents[2]
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """preexec_fn: own process group, and SIGTERM when the pytest process dies (even by SIGKILL).

    Hand-written (prctl through ctypes) because no maintained library does just this on Linux;
    `start_new_session` alone would orphan the child when pytest is killed.
    """
    os.setsid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for a subprocess on this run's test database, Redis DB, media and breakers."""
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env = {
        **os.environ,
        # the very settings this test process runs on (pytest-django exports --ds; `settings.SETTINGS_MODULE`
        # is None while a test overrides settings)
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "BREAKER_NAMESPACE": settings.BREAKER_NAMESPACE,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def spawn(args: list[str], *, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `args` in its own process group, output to `log`, killed when pytest dies."""
    with log.open("a") as out:
        return subprocess.Popen(args, cwd=ROOT, env=env or subprocess_env(), stdout=out,  # noqa: S603 - commands built here
                                stderr=subprocess.STDOUT, preexec_fn=die_with_parent)  # noqa: PLW1509


def stop(proc: subprocess.Popen | Worker | None, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    """Signal the whole process group, then SIGKILL it if it has not exited within `timeout`."""
    if isinstance(proc, Worker):
        proc = proc.proc
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, *, proc: subprocess.Popen | None = None, log: Path | None = None,
              timeout: float = 120, headers: dict | None = None) -> None:
    """Poll `url` until it answers below 500 (a slow, loaded machine gets a generous deadline)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited: {log.read_text()[-3000:] if log else ''}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=5, headers=headers).status_code < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout}s: {log.read_text()[-3000:] if log else ''}")


def start_gunicorn(port: int, log: Path, *, workers: int = 2, threads: int = 4, env: dict | None = None,
                   extra_args: tuple[str, ...] = ()) -> subprocess.Popen:
    """gunicorn (gthread, as in production) on 127.0.0.1:port, answering /healthz before it returns."""
    proc = spawn([sys.executable, "-m", "gunicorn", "vividly.wsgi:application", "-c", str(ROOT / "gunicorn.conf.py"),
                  "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
                  "--timeout", "120", *extra_args], log=log, env=env)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", proc=proc, log=log)
    except RuntimeError:
        stop(proc)
        raise
    return proc


@dataclass
class Worker:
    """A real `celery worker` subprocess and the queues it consumes."""

    proc: subprocess.Popen
    hostname: str
    queues: tuple[str, ...]
    log: Path
    broker_url: str
    paused: bool = field(default=False)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _control(self, command: str) -> None:
        for queue in self.queues:
            replies = getattr(control_for(self.broker_url), command)(queue, destination=[self.hostname],
                                                                      reply=True, timeout=10)
            if not replies:
                raise RuntimeError(f"worker {self.hostname} did not answer {command}({queue}): "
                                   f"{self.log.read_text()[-2000:]}")

    def pause(self) -> None:
        """Stop consuming (what is queued meanwhile waits; `purge` drops it)."""
        if not self.paused:
            self._control("cancel_consumer")
            self.paused = True

    def resume(self) -> None:
        if self.paused:
            self._control("add_consumer")
            self.paused = False

    def busy(self) -> list[str]:
        """What the worker still has to do: messages waiting in its queues, or held or run by it.

        Held messages are asked of the worker itself, not read from the broker's unacknowledged set,
        which also holds the messages of a worker that was SIGKILLed (redelivered only after the
        visibility timeout).
        """
        return waiting_messages(self.queues, self.broker_url) + held_tasks(self.hostname, self.broker_url)

    def wait_idle(self, timeout: float = 300) -> None:
        """Return once nothing is queued or running for this worker, twice in a row 0.3 s apart.

        A stage enqueues the next one (on commit) before it finishes, so "queue empty and nothing
        running" cannot be seen in the middle of a chain; the second look guards the instant a
        message moves from the queue to the worker.
        """
        deadline = time.monotonic() + timeout
        quiet = 0
        while quiet < 2:
            if self.proc.poll() is not None:
                return
            quiet = quiet + 1 if not self.busy() else 0
            if time.monotonic() > deadline:
                raise AssertionError(f"worker {self.hostname} still busy after {timeout:.0f} s: {self.busy()}")
            time.sleep(0.3)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        stop(self.proc, sig)


def _connection(broker_url: str | None = None):
    return app.connection_for_write(url=broker_url or settings.CELERY_BROKER_URL)


@functools.cache
def _app_for(broker_url: str) -> Celery:
    return Celery("vividly-test-control", broker=broker_url, set_as_current=False)


def control_for(broker_url: str | None = None):
    """Remote control of the workers on this broker.

    Not `app.control.ping(connection=...)`: Celery's control mailbox still *publishes* through the
    app's own producer pool (the default broker) and only listens for replies on the connection given,
    so a worker on another Redis (the fault drills' own stack) never heard the ping.
    """
    url = broker_url or settings.CELERY_BROKER_URL
    return app.control if url == settings.CELERY_BROKER_URL else _app_for(url).control


def waiting_messages(queues: tuple[str, ...], broker_url: str | None = None) -> list[str]:
    """Messages waiting in these queues (Redis broker, every priority level)."""
    with _connection(broker_url) as conn:
        channel = conn.default_channel
        return [f"{queue}: {size} waiting" for queue in queues if (size := channel._size(queue))]


def purge(queues: tuple[str, ...], broker_url: str | None = None) -> None:
    """Drop queued messages and stale unacknowledged ones (e.g. a SIGKILLed worker's) of these queues."""
    with _connection(broker_url) as conn:
        channel = conn.default_channel
        for queue in queues:
            channel._purge(queue)
        with channel.conn_or_acquire() as client:
            for tag, raw in client.hgetall(channel.unacked_key).items():
                if json.loads(raw)[2] in queues:
                    client.hdel(channel.unacked_key, tag)
                    client.zrem(channel.unacked_index_key, tag)


def held_tasks(hostname: str, broker_url: str | None = None) -> list[str]:
    """Tasks the worker is running, has prefetched, or holds for a later retry (eta/countdown)."""

    held = []
    inspect = control_for(broker_url).inspect(destination=[hostname], timeout=5)
    for kind in ("active", "reserved", "scheduled"):
        replies = getattr(inspect, kind)() or {}
        if hostname not in replies:  # a worker too busy to answer is not idle
            return [f"no answer to inspect {kind}"]
        held += [f"{(task.get('request') or task).get('name')} {kind}" for task in replies[hostname]]
    return held


def start_worker(name: str, log: Path, *, queues: tuple[str, ...] | str = ("default", "generation", "ingestion"),
                 pool: str = "threads", concurrency: int = 2, env: dict | None = None,
                 timeout: float = 180, nice: int = 0) -> Worker:
    """Start a worker consuming `queues` and wait until it answers a ping (generous on a busy machine).

    `nice` starts it as the Procfile starts the heavy and library workers (`nice -n 10 celery …`).
    """

    queues = tuple(queues.split(",")) if isinstance(queues, str) else tuple(queues)
    hostname = f"{name}@{socket.gethostname()}"
    env = env or subprocess_env()
    broker_url = env.get("CELERY_BROKER_URL") or env["REDIS_URL"]
    niced = ["nice", "-n", str(nice)] if nice else []
    proc = spawn([*niced, sys.executable, "-m", "celery", "-A", "vividly", "worker", f"--pool={pool}",
                  f"--concurrency={concurrency}", "-Q", ",".join(queues), "--loglevel=INFO", "--without-gossip",
                  "--without-mingle", "--hostname", hostname], log=log, env=env)
    worker = Worker(proc=proc, hostname=hostname, queues=queues, log=log, broker_url=broker_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker {name} exited early: {log.read_text()[-3000:]}")
        if control_for(broker_url).ping(destination=[hostname], timeout=1):
            return worker
    stop(proc)
    raise RuntimeError(f"worker {name} did not answer a ping in {timeout:.0f} s: {log.read_text()[-3000:]}")
