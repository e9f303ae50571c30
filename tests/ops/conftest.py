"""A local Sentry ingest endpoint: an HTTP server on 127.0.0.1 that records envelopes."""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

from vividly.observability.sentry import init_sentry


def parse_envelope(body: bytes) -> list[tuple[dict, bytes]]:
    """Split a Sentry envelope into (item header, payload bytes) pairs."""
    header_line, _, rest = body.partition(b"\n")
    json.loads(header_line)
    items = []
    while rest.strip():
        item_line, _, rest = rest.partition(b"\n")
        item_header = json.loads(item_line)
        length = item_header.get("length")
        if length is None:
            payload, _, rest = rest.partition(b"\n")
        else:
            payload, rest = rest[:length], rest[length + 1:]
        items.append((item_header, payload))
    return items


class SentryServer:
    def __init__(self):
        self.raw: list[bytes] = []
        self.items: list[tuple[dict, dict]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                encoding = self.headers.get("Content-Encoding")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "br":  # sentry-sdk prefers brotli when the module is installed
                    import brotli  # noqa: PLC0415 - brotli is loaded on first use (heavy or optional)

                    body = brotli.decompress(body)
                with server.lock:
                    server.raw.append(body)
                    for header, payload in parse_envelope(body):
                        try:
                            server.items.append((header, json.loads(payload)))
                        except ValueError:
                            server.items.append((header, {"_raw": payload.decode(errors="replace")}))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def dsn(self) -> str:
        return f"http://publickey@127.0.0.1:{self.httpd.server_address[1]}/42"

    def of_type(self, kind: str) -> list[dict]:
        with self.lock:
            return [payload for header, payload in self.items if header.get("type") == kind]

    def all_bytes(self) -> bytes:
        with self.lock:
            return b"\n".join(self.raw)

    def clear(self) -> None:
        with self.lock:
            self.raw.clear()
            self.items.clear()


@pytest.fixture
def sentry_server():
    server = SentryServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def sentry_enabled(sentry_server):
    """Sentry initialised exactly as settings do, pointed at the local server; off afterwards."""

    init_sentry(dsn=sentry_server.dsn, environment="development", release="vividly@test-1")
    yield sentry_server
    sentry_sdk.flush(timeout=5)
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: a disabled client for the rest of the session
