"""Embedding providers: local MiniLM (ONNX) for real; Vertex AI against a fake at the HTTP boundary; --reembed."""

import hashlib
import json
import math
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ingestion import pipeline
from ingestion.models import Chunk, IndexVersion
from ingestion.search import search
from tests.support.corpus import MINI_CORPUS_DIR
from vividly.providers import breakers, registry
from vividly.providers.base import (
    EmbeddingProvider,
    ProviderFatal,
    ProviderRetryable,
    ProviderUnavailable,
)
from vividly.providers.onnx_embeddings import OnnxMiniLMEmbeddings
from vividly.providers.vertex_embeddings import VertexEmbeddings


def _hash_vector(text: str) -> list[float]:
    """Bag-of-words hashing into 768 dims: similar texts get similar vectors (enough for a fake)."""
    vector = [0.0] * 768
    for word in re.findall(r"[a-z]+", text.lower()):
        vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % 768] += 1.0  # noqa: S324 - a bucket index for a fake embedding, not security
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


class FakeVertex:
    """Speaks the Vertex AI `:predict` embeddings REST shape on 127.0.0.1."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.fail_next = 0
        self.status_on_fail = 503
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                if outer.fail_next:
                    outer.fail_next -= 1
                    self.send_response(outer.status_on_fail)
                    self.end_headers()
                    return
                predictions = [{"embeddings": {"values": _hash_vector(i["content"]),
                                               "statistics": {"token_count": len(i["content"].split())}}}
                               for i in body["instances"]]
                data = json.dumps({"predictions": predictions}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def fake_vertex():
    server = FakeVertex()
    breakers.reset_all()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
    breakers.reset_all()


def _vertex(fake, **options) -> VertexEmbeddings:
    return VertexEmbeddings(base_url=fake.base_url, project="demo", access_token="test-token",
                            backoff_seconds=0, **options)


def test_local_provider_is_real_and_offline():
    provider = OnnxMiniLMEmbeddings()
    assert isinstance(provider, EmbeddingProvider)
    batch = provider.embed_documents(["Weight is the force of gravity.", "Mass is the amount of matter."])
    assert (batch.model, batch.dimensions, len(batch.vectors[0])) == (
        "sentence-transformers/all-MiniLM-L6-v2#onnx-int8", 384, 384)
    query = provider.embed_query("how heavy is something because of gravity")
    similarity = [sum(a * b for a, b in zip(query, v, strict=True)) for v in batch.vectors]
    assert similarity[0] > similarity[1]
    assert abs(sum(x * x for x in batch.vectors[0]) - 1) < 1e-4


def test_vertex_batches_and_authenticates(fake_vertex):
    provider = _vertex(fake_vertex, batch_size=32)
    batch = provider.embed_documents([f"text number {i}" for i in range(70)])
    assert (batch.dimensions, len(batch.vectors), len(batch.vectors[0])) == (768, 70, 768)
    assert [len(r["body"]["instances"]) for r in fake_vertex.requests] == [32, 32, 6]
    first = fake_vertex.requests[0]
    assert first["path"] == "/v1/projects/demo/locations/us-central1/publishers/google/models/text-embedding-005:predict"
    assert first["auth"] == "Bearer test-token"
    assert first["body"]["parameters"]["outputDimensionality"] == 768
    assert first["body"]["instances"][0]["task_type"] == "RETRIEVAL_DOCUMENT"
    assert batch.usage.input_tokens == 210
    provider.embed_query("q")
    assert fake_vertex.requests[-1]["body"]["instances"][0]["task_type"] == "RETRIEVAL_QUERY"


def test_vertex_retries_transient_errors(fake_vertex):
    fake_vertex.fail_next = 2
    assert len(_vertex(fake_vertex).embed_query("hello")) == 768
    assert len(fake_vertex.requests) == 3


def test_vertex_gives_up_after_max_attempts(fake_vertex):
    fake_vertex.fail_next = 10
    with pytest.raises(ProviderRetryable):
        _vertex(fake_vertex, max_attempts=2).embed_query("hello")
    assert len(fake_vertex.requests) == 2


def test_vertex_bad_request_is_fatal_and_not_retried(fake_vertex):
    fake_vertex.fail_next, fake_vertex.status_on_fail = 1, 400
    with pytest.raises(ProviderFatal):
        _vertex(fake_vertex).embed_query("hello")
    assert len(fake_vertex.requests) == 1


def test_vertex_breaker_opens(fake_vertex, settings):
    settings.BREAKERS = {**settings.BREAKERS, "vertex_ai": {"fail_max": 2, "reset_timeout": 60}}
    breakers.breaker.cache_clear()
    fake_vertex.fail_next = 100
    provider = _vertex(fake_vertex, max_attempts=1)
    for _ in range(2):
        with pytest.raises((ProviderRetryable, ProviderUnavailable)):
            provider.embed_query("hello")
    sent = len(fake_vertex.requests)
    with pytest.raises(ProviderUnavailable):
        provider.embed_query("hello")
    assert len(fake_vertex.requests) == sent  # open circuit: no request at all
    breakers.breaker.cache_clear()


def test_reembed_switches_models_and_queries_never_mix(mini_corpus, fake_vertex, settings):
    # given the local index, when the provider is switched to Vertex AI and --reembed runs
    settings.VIVIDLY_PROVIDERS = {**settings.VIVIDLY_PROVIDERS, "embeddings": {
        "BACKEND": "vividly.providers.vertex_embeddings.VertexEmbeddings",
        "OPTIONS": {"base_url": fake_vertex.base_url, "project": "demo", "access_token": "t",
                    "backoff_seconds": 0}}}
    registry.reset()
    try:
        run = pipeline.run_ingest(book="physics", source=str(MINI_CORPUS_DIR), reembed=True)
        vertex_version = IndexVersion.objects.get(book_slug="physics", embedding_model="text-embedding-005")
        assert (vertex_version.status, vertex_version.dimensions) == ("active", 768)
        chunks = Chunk.objects.filter(version=vertex_version)
        assert run.counts["chunks_embedded"] == chunks.count()
        assert not chunks.filter(embedding_768__isnull=True).exists()
        assert not chunks.filter(embedding_384__isnull=False).exists()
        # then search reads only the Vertex index (physics only: other books have no Vertex index yet)
        passages = search("difference between mass and weight", k=10)
        assert passages
        assert {p.book for p in passages} == {"physics"}
        assert passages[0].module_id == "m90102"
    finally:
        registry.reset()
    # and the local MiniLM index is untouched and still served with the local provider
    settings.VIVIDLY_PROVIDERS = {**settings.VIVIDLY_PROVIDERS, "embeddings": {
        "BACKEND": "vividly.providers.onnx_embeddings.OnnxMiniLMEmbeddings", "OPTIONS": {}}}
    registry.reset()
    assert IndexVersion.objects.filter(book_slug="physics", status="active").count() == 2
    assert {p.book for p in search("energy", k=30)} >= {"physics", "chemistry-2e", "biology-2e"}
