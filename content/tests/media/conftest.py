"""A fake Google API at the HTTP boundary: a real HTTP server on 127.0.0.1 in a thread."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vividly.providers import breakers, registry


@dataclass
class Reply:
    status: int = 200
    body: bytes | dict = b"{}"
    delay: float = 0.0
    content_type: str = "application/json"


@dataclass
class FakeGoogle:
    url: str
    replies: deque = field(default_factory=deque)
    default: Reply = field(default_factory=Reply)
    requests: list[dict] = field(default_factory=list)

    def queue(self, *replies: Reply) -> None:
        self.replies.extend(replies)


@pytest.fixture
def fake_google():
    """Serves queued replies in order (then `default`) and records every request."""
    state: FakeGoogle

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = None
            state.requests.append({"path": self.path, "headers": dict(self.headers), "json": body})
            reply = state.replies.popleft() if state.replies else state.default
            if reply.delay:
                time.sleep(reply.delay)
            payload = json.dumps(reply.body).encode() if isinstance(reply.body, dict) else reply.body
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state = FakeGoogle(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def fresh_breakers(settings):
    """Breakers rebuilt from the test's settings (fail_max=3), closed, and closed again afterwards."""
    settings.BREAKERS = {"default": {"fail_max": 3, "reset_timeout": 60}}
    breakers.breaker.cache_clear()
    breakers.reset_all()
    registry.reset()
    yield breakers
    breakers.reset_all()
    breakers.breaker.cache_clear()
    registry.reset()
