"""Fixtures for accounts tests: a real local SMTP server (aiosmtpd) and a Celery worker that sends
through it on its own queue (so the suite-wide worker, which keeps the locmem backend, never
takes these tasks)."""

from __future__ import annotations

import email
import email.policy
import os
import socket
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from tests.support.processes import start_worker, subprocess_env

ROOT = Path(__file__).resolve().parents[2]


class _Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def wait_for(self, count: int = 1, timeout: float = 120.0) -> list:
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

    queue = f"accounts-email-{os.getpid()}"
    env = subprocess_env(VIVIDLY_TEST_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                         EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp_server.port), SITE_URL=settings.SITE_URL)
    worker = start_worker(f"email-{os.getpid()}", tmp_path_factory.mktemp("email-worker") / "worker.log",
                          queues=(queue,), pool="solo", env=env)
    yield worker
    worker.stop()


@pytest.fixture
def email_via_smtp(email_worker, smtp_server, settings, transactional_db):
    """Route queue_email to the SMTP-sending worker for this test; yields the inbox.

    Afterwards the worker has sent everything the test queued, before the database is flushed.
    """
    settings.ACCOUNTS_EMAIL_QUEUE = email_worker.queues[0]
    smtp_server.inbox.clear()
    yield smtp_server.inbox
    email_worker.wait_idle()
    smtp_server.inbox.clear()


def html_and_text(message) -> tuple[str, str]:
    """The HTML and plain-text parts of a parsed multipart/alternative message."""
    html = message.get_body(preferencelist=("html",)).get_content()
    text = message.get_body(preferencelist=("plain",)).get_content()
    return html, text
