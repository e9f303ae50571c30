"""Shared pytest fixtures for lesson generation: a fake Gemini REST API on loopback.

Registered in the root conftest (`pytest_plugins`), so any app's tests can ask for `fake_gemini`.
Google is faked at the HTTP boundary; our own provider code runs unchanged.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vividly.providers import breakers, registry


class FakeGemini:
    """Replays queued (status, body) responses and records every request body."""

    def __init__(self) -> None:
        self.responses: list[tuple[int, str]] = []
        self.default: tuple[int, str] = (503, '{"error": "unavailable"}')
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.requests.append({"path": self.path, "body": json.loads(body),
                                      "key": self.headers.get("x-goog-api-key")})
                status, text = fake.responses.pop(0) if fake.responses else fake.default
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def reply(payload_text: str) -> str:
        return json.dumps({"candidates": [{"content": {"parts": [{"text": payload_text}]}, "finishReason": "STOP"}],
                           "usageMetadata": {"promptTokenCount": 2400, "candidatesTokenCount": 900}})


@pytest.fixture
def fake_gemini(settings, cloud_providers_on):
    fake = FakeGemini()
    settings.VIVIDLY_PROVIDERS = {**settings.VIVIDLY_PROVIDERS, "llm": {
        "BACKEND": "vividly.providers.gemini.GeminiLLM", "FALLBACK": "llm_local",
        "OPTIONS": {"api_key": "test-key", "model": "gemini-test", "endpoint": fake.url, "timeout": 5}}}
    settings.BREAKERS = {"default": {"fail_max": 20, "reset_timeout": 60}}
    registry.reset()
    breakers.breaker.cache_clear()
    breakers.reset_all()
    yield fake
    fake.server.shutdown()
    breakers.breaker.cache_clear()
    registry.reset()
