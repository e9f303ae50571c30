"""A fake Google Cloud on loopback that speaks the REST shapes Google's SDKs call (issue 19).

One real HTTP server (a thread, real sockets) answers what `google-genai` (Vertex AI and API-key
mode), `google-cloud-texttospeech` (v1beta1, REST transport), `google-cloud-aiplatform`'s
IndexService/MatchService (REST transport) and the OAuth token endpoint send. Our provider code and
the SDKs run unchanged; the SDKs are pointed here through their documented endpoint options
(`http_options.base_url`, `client_options.api_endpoint`) and ADC through an `authorized_user` file
whose `token_uri` is this server.

Tests queue replies per route (`fake.queue("generate", Reply(status=429, ...))`) to exercise
safety blocks, rate limits with retry info, 5xx, malformed JSON and partial batches; otherwise each
route answers with a realistic payload. Every request is recorded (method, path, query, headers,
parsed JSON) for contract tests.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import queue
import re
import threading
import time
import wave
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from PIL import Image

from vividly.providers import breakers, google_cloud, registry

FAKE_ACCESS_TOKEN = "ya29.fake-access-token-for-tests"


@dataclass
class Reply:
    status: int = 200
    body: bytes | dict | list = b"{}"
    delay: float = 0.0
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)


ROUTES = [  # (name, method, path pattern)
    ("token", "POST", r"^/token$"),
    ("generate", "POST", r"/models/(?P<model>[^/:]+):generateContent$"),
    ("predict", "POST", r"/models/(?P<model>[^/:]+):predict$"),
    ("embed", "POST", r"/models/(?P<model>[^/:]+):(?:embedContent|batchEmbedContents)$"),
    ("tts", "POST", r"^/v1beta1/text:synthesize$"),
    ("voices", "GET", r"^/v1beta1/voices$"),
    ("upsert", "POST", r"/indexes/(?P<index>[^/:]+):upsertDatapoints$"),
    ("remove", "POST", r"/indexes/(?P<index>[^/:]+):removeDatapoints$"),
    ("get_index", "GET", r"/indexes/(?P<index>[^/:]+)$"),
    ("find_neighbors", "POST", r"/indexEndpoints/(?P<endpoint>[^/:]+):findNeighbors$"),
    ("get_model", "GET", r"/models/(?P<model>[^/:]+)$"),
]


def hash_vector(text: str, dims: int = 768) -> list[float]:
    """Bag-of-words hashing: similar texts get similar vectors (enough for a fake embedder)."""
    vector = [0.0] * dims
    for word in re.findall(r"[a-z]+", text.lower()):
        vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % dims] += 1.0  # noqa: S324 - a bucket index for a fake embedding, not security
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


def wav_bytes(seconds: float, rate: int = 24000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\x01\x00" * int(seconds * rate))
    return buffer.getvalue()


def png_bytes(size=(1344, 768), colour=(200, 40, 40)) -> bytes:

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def gemini_text_reply(text: str, *, prompt_tokens: int = 2400, output_tokens: int = 900) -> dict:
    return {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": prompt_tokens, "candidatesTokenCount": output_tokens,
                              "totalTokenCount": prompt_tokens + output_tokens}}


def gemini_image_reply(png: bytes | None = None) -> dict:
    return {"candidates": [{"content": {"role": "model", "parts": [
        {"text": "Here is your image"},
        {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(png or png_bytes()).decode()}}]},
        "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 120, "candidatesTokenCount": 1290, "totalTokenCount": 1410}}


def rate_limited(retry_seconds: int = 1) -> Reply:
    """429 RESOURCE_EXHAUSTED with RetryInfo, as Google sends it."""
    return Reply(status=429, body={"error": {
        "code": 429, "message": "Resource has been exhausted (e.g. check quota).", "status": "RESOURCE_EXHAUSTED",
        "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{retry_seconds}s"}]}})


def server_error(code: int = 503) -> Reply:
    status = {500: "INTERNAL", 502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}.get(code, "UNKNOWN")
    return Reply(status=code, body={"error": {"code": code, "message": "The service is unavailable.",
                                              "status": status}})


def _is_text_request(route: str, body) -> bool:
    config = (body or {}).get("generationConfig") or {} if isinstance(body, dict) else {}
    return route != "generate" or "IMAGE" not in (config.get("responseModalities") or [])


def _speak_marks(ssml: str) -> list[str]:
    return re.findall(r'<mark name="([^"]+)"\s*/>', ssml)


class FakeGoogle:
    """The server's state: queued replies per route, recorded requests, datapoints of each index."""

    def __init__(self) -> None:
        self.replies: dict[str, deque] = defaultdict(deque)
        self.requests: list[dict] = []
        self.datapoints: dict[str, dict[str, dict]] = defaultdict(dict)  # index id → datapoint id → datapoint
        self.seconds_per_sentence = 0.8
        self.held: dict[str, queue.Queue] = {}  # route → replies the test hands over while a request waits
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self, method: str) -> None:
                parts = urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = parse_qs(raw.decode()) if raw else None
                route, match = fake._route(method, parts.path)
                record = {"route": route, "method": method, "path": parts.path, "query": parse_qs(parts.query),
                          "headers": {k.lower(): v for k, v in self.headers.items()}, "json": body}
                with fake.lock:
                    fake.requests.append(record)
                    queued = fake.replies[route].popleft() if fake.replies[route] else None
                    held = fake.held.pop(route, None) if queued is None and _is_text_request(route, body) else None
                if held is not None:  # the test answers this request itself (see `hold`)
                    queued = held.get(timeout=120)
                reply = queued or fake._default(route, match, body)
                if reply.delay:
                    time.sleep(reply.delay)
                payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def do_POST(self):
                self._handle("POST")

            def do_GET(self):
                self._handle("GET")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    # --- scripting -----------------------------------------------------------------------------
    def queue(self, route: str, *replies: Reply | dict) -> None:
        """Queue replies for a route (dicts are 200 JSON bodies), served before the default."""
        self.replies[route].extend(r if isinstance(r, Reply) else Reply(body=r) for r in replies)

    def hold(self, route: str) -> queue.Queue:
        """The next text request on `route` waits until the test puts its Reply in the returned queue
        (so a reply can be built from what the worker is doing at that moment)."""
        box: queue.Queue = queue.Queue()
        with self.lock:
            self.held[route] = box
        return box

    def calls(self, route: str | None = None) -> list[dict]:
        """Recorded requests (of one route), without token refreshes unless asked for."""
        return [r for r in self.requests if (r["route"] == route if route else r["route"] != "token")]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- routing and realistic default answers ---------------------------------------------------
    @staticmethod
    def _route(method: str, path: str):
        for name, verb, pattern in ROUTES:
            match = re.search(pattern, path)
            if verb == method and match:
                return name, match
        return "unknown", None

    def _default(self, route: str, match, body) -> Reply:
        handler = getattr(self, f"_answer_{route}", None)
        if handler is None:
            return Reply(status=404, body={"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}})
        return handler(match, body or {})

    def _answer_token(self, match, body) -> Reply:
        return Reply(body={"access_token": FAKE_ACCESS_TOKEN, "expires_in": 3599, "token_type": "Bearer",
                           "scope": "https://www.googleapis.com/auth/cloud-platform"})

    def _answer_generate(self, match, body) -> Reply:
        if "IMAGE" in ((body.get("generationConfig") or {}).get("responseModalities") or []):
            return Reply(body=gemini_image_reply())
        return Reply(body=gemini_text_reply('{"title": "fake"}'))

    def _answer_predict(self, match, body) -> Reply:
        instances = body.get("instances") or []
        return Reply(body={
            "predictions": [{"embeddings": {"values": hash_vector(i.get("content", "")),
                                            "statistics": {"token_count": len(i.get("content", "").split()),
                                                           "truncated": False}}} for i in instances],
            "metadata": {"billableCharacterCount": sum(len(i.get("content", "")) for i in instances)}})

    def _answer_embed(self, match, body) -> Reply:
        requests = body.get("requests") or [body]
        embeddings = [{"values": hash_vector(" ".join(p.get("text", "") for p in (r.get("content") or {})
                                                      .get("parts", [])))} for r in requests]
        if "requests" in body:
            return Reply(body={"embeddings": embeddings})
        return Reply(body={"embedding": embeddings[0]})

    def _answer_tts(self, match, body) -> Reply:
        ssml = (body.get("input") or {}).get("ssml") or ""
        marks = _speak_marks(ssml)
        count = max(len(marks), 1)
        rate = (body.get("audioConfig") or {}).get("sampleRateHertz") or 24000
        audio = wav_bytes(count * self.seconds_per_sentence, rate)
        reply = {"audioContent": base64.b64encode(audio).decode(), "audioConfig": body.get("audioConfig", {})}
        if "SSML_MARK" in (body.get("enableTimePointing") or []):
            reply["timepoints"] = [{"markName": name, "timeSeconds": i * self.seconds_per_sentence}
                                   for i, name in enumerate(marks)]
        return Reply(body=reply)

    def _answer_voices(self, match, body) -> Reply:
        return Reply(body={"voices": [{"name": "en-US-Neural2-F", "languageCodes": ["en-US"],
                                       "ssmlGender": "FEMALE", "naturalSampleRateHertz": 24000}]})

    def _answer_upsert(self, match, body) -> Reply:
        with self.lock:
            for point in body.get("datapoints") or []:
                self.datapoints[match["index"]][point["datapointId"]] = point
        return Reply(body={})

    def _answer_remove(self, match, body) -> Reply:
        with self.lock:
            for point_id in body.get("datapointIds") or []:
                self.datapoints[match["index"]].pop(point_id, None)
        return Reply(body={})

    def _answer_get_index(self, match, body) -> Reply:
        count = len(self.datapoints.get(match["index"], {}))
        return Reply(body={"name": f"projects/p/locations/l/indexes/{match['index']}", "displayName": "chunks",
                           "indexStats": {"vectorsCount": str(count)}, "indexUpdateMethod": "STREAM_UPDATE"})

    def _answer_get_model(self, match, body) -> Reply:
        return Reply(body={"name": f"publishers/google/models/{match['model']}"})

    def _answer_find_neighbors(self, match, body) -> Reply:
        """Exact cosine over every upserted datapoint, honouring restricts and crowding like the service."""
        points = [p for index in self.datapoints.values() for p in index.values()]
        results = []
        for query in body.get("queries") or []:
            datapoint = query.get("datapoint") or {}
            vector = datapoint.get("featureVector") or []
            allowed = [p for p in points if _passes(p, datapoint.get("restricts") or [])]
            scored = sorted(allowed, key=lambda p: -sum(a * b for a, b in zip(vector, p["featureVector"], strict=False)))
            per_crowd = int(query.get("perCrowdingAttributeNeighborCount") or 0)
            crowds: dict[str, int] = defaultdict(int)
            neighbors = []
            for point in scored:
                tag = (point.get("crowdingTag") or {}).get("crowdingAttribute", "")
                if per_crowd and tag and crowds[tag] >= per_crowd:
                    continue
                crowds[tag] += 1
                similarity = sum(a * b for a, b in zip(vector, point["featureVector"], strict=False))
                neighbors.append({"datapoint": {"datapointId": point["datapointId"]}, "distance": similarity})
                if len(neighbors) >= int(query.get("neighborCount") or 10):
                    break
            results.append({"id": datapoint.get("datapointId", ""), "neighbors": neighbors})
        return Reply(body={"nearestNeighbors": results})


def _passes(point: dict, restricts: list[dict]) -> bool:
    tokens = {r["namespace"]: set(r.get("allowList") or []) for r in point.get("restricts") or []}
    for restrict in restricts:
        allowed = set(restrict.get("allowList") or [])
        denied = set(restrict.get("denyList") or [])
        have = tokens.get(restrict["namespace"], set())
        if allowed and not (have & allowed):
            return False
        if denied and have & denied:
            return False
    return True


def write_adc_file(directory, token_uri: str) -> str:
    """A service-account key file for ADC (GOOGLE_APPLICATION_CREDENTIALS) whose token endpoint is the
    fake: google-auth signs a JWT grant with the test's throw-away key and exchanges it there (or, in
    the Cloud client libraries, sends a self-signed JWT). Nothing reaches Google."""

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path = directory / "service-account.json"
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "vividly-test", "private_key_id": "fake-key-id",
        "private_key": pem, "client_email": "vividly-worker@vividly-test.iam.gserviceaccount.com",
        "client_id": "1234567890", "token_uri": token_uri}))
    return str(path)


@pytest.fixture
def fake_google_cloud(tmp_path, monkeypatch):
    """The fake Google, and ADC pointing at it (GOOGLE_APPLICATION_CREDENTIALS: a test-only env var)."""
    fake = FakeGoogle()
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", write_adc_file(tmp_path, f"{fake.url}/token"))
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)

    google_cloud.reset()
    yield fake
    fake.stop()
    google_cloud.reset()


def google_options(fake: FakeGoogle, **extra) -> dict:
    """Provider OPTIONS for Vertex AI mode against the fake."""
    return {"project": "vividly-test", "location": "europe-west4", "endpoint": fake.url, **extra}


def configure_google(settings, fake: FakeGoogle, *, retrieval: str = "pgvector", llm: bool = True,
                     image: bool = True, tts: bool = True, embeddings: bool = False) -> None:
    """Switch the chosen capabilities to the Google backends, aimed at the fake (Vertex AI + ADC)."""

    providers = dict(settings.VIVIDLY_PROVIDERS)
    options = google_options(fake)
    if llm:
        providers["llm"] = {"BACKEND": "vividly.providers.gemini.GeminiLLM", "FALLBACK": "llm_local",
                            "OPTIONS": {**options, "model": "gemini-2.5-flash", "timeout": 5}}
    if image:
        providers["image"] = {"BACKEND": "vividly.providers.nano_banana.NanoBananaImage", "FALLBACK": "image_local",
                              "OPTIONS": {**options, "model": "gemini-2.5-flash-image", "timeout": 5}}
    if tts:
        providers["tts"] = {"BACKEND": "vividly.providers.google_tts.GoogleTTS", "FALLBACK": "tts_local",
                            "OPTIONS": {**options, "timeout": 5}}
    if embeddings:
        providers["embeddings"] = {"BACKEND": "vividly.providers.vertex_embeddings.VertexEmbeddings",
                                   "OPTIONS": {**options, "model": "text-embedding-005", "backoff_seconds": 0}}
    settings.VIVIDLY_PROVIDERS = providers
    settings.RETRIEVAL_BACKEND = retrieval
    settings.VECTOR_SEARCH = {**settings.VECTOR_SEARCH, "PROJECT": "vividly-test", "LOCATION": "europe-west4",
                              "INDEX_ID": "chunks-index", "INDEX_ENDPOINT_ID": "chunks-endpoint",
                              "DEPLOYED_INDEX_ID": "chunks_deployed", "API_ENDPOINT": fake.url,
                              "PUBLIC_ENDPOINT": fake.url, "TIMEOUT": 5}
    registry.reset()
    breakers.breaker.cache_clear()
    breakers.reset_all()
