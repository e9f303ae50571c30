"""Fixtures for accounts tests: a real local SMTP server (aiosmtpd) and a Celery worker that sends
through it on its own queue (so the suite-wide worker, which keeps the locmem backend, never
takes these tasks)."""

from __future__ import annotations

import email
import email.policy
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


class _Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def wait_for(self, count: int = 1, timeout: float = 30.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.05)
        raise AssertionError(f"expected {count} email(s), got {len(self.messages)}")

    def clear(self):
        self.messages.clear()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on 127.0.0.1; `.inbox.messages` holds parsed messages."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    controller.inbox = inbox
    yield controller
    controller.stop()


@pytest.fixture(scope="session")
def email_worker(smtp_server, django_db_setup, django_db_blocker, tmp_path_factory):
    """A real Celery worker on a private queue, sending email over SMTP to `smtp_server`."""
    from vividly.celery import app

    queue = f"accounts-email-{os.getpid()}"
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vividly.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "VIVIDLY_TEST_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
        "SITE_URL": settings.SITE_URL,
    }
    log_path = tmp_path_factory.mktemp("email-worker") / "worker.log"
    hostname = f"email-{os.getpid()}@%h"
    with log_path.open("w") as log:
        proc = subprocess.Popen(  # noqa: S603 - our own Celery worker, fixed arguments
            [sys.executable, "-m", "celery", "-A", "vividly", "worker", "--pool=solo", "-Q", queue,
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "--hostname", hostname],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"email worker exited early:\n{log_path.read_text()[-3000:]}")
        if app.control.ping(destination=[hostname.replace("%h", socket.gethostname())], timeout=0.5):
            break
    else:
        proc.terminate()
        raise RuntimeError(f"email worker did not become ready, see {log_path}")
    yield queue
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def email_via_smtp(email_worker, smtp_server, settings):
    """Route queue_email to the SMTP-sending worker for this test; yields the inbox."""
    settings.ACCOUNTS_EMAIL_QUEUE = email_worker
    smtp_server.inbox.clear()
    yield smtp_server.inbox
    smtp_server.inbox.clear()


def html_and_text(message) -> tuple[str, str]:
    """The HTML and plain-text parts of a parsed multipart/alternative message."""
    html = message.get_body(preferencelist=("html",)).get_content()
    text = message.get_body(preferencelist=("plain",)).get_content()
    return html, text
