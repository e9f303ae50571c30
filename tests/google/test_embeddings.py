"""Vertex AI text embeddings through google-genai against the fake Google (issue 19): the request
contract (`:predict` with task_type and outputDimensionality), batching within the API's limits,
retries, the breaker, partial batches and the cost ledger from the usage metadata."""

from __future__ import annotations

from decimal import Decimal

import pytest

from content.models import ProviderCall
from tests.support.fake_google import (
    FAKE_ACCESS_TOKEN,
    Reply,
    hash_vector,
    rate_limited,
    server_error,
)
from vividly.providers import breakers, residency
from vividly.providers.base import ProviderFatal, ProviderRetryable, ProviderUnavailable
from vividly.providers.vertex_embeddings import MAX_BATCH_CHARS, VertexEmbeddings, batches

pytestmark = pytest.mark.django_db


def _vertex(fake, **options) -> VertexEmbeddings:
    return VertexEmbeddings(project="vividly-test", location="europe-west4", endpoint=fake.url,
                            backoff_seconds=0, **options)


def test_documents_and_questions_use_their_task_types_and_768_dimensions(google):
    provider = _vertex(google)
    batch = provider.embed_documents(["Weight is the force of gravity.", "Mass is the amount of matter."])
    vector = provider.embed_query("why am I lighter on the moon")
    assert (batch.model, batch.dimensions, len(batch.vectors), len(vector)) == ("text-embedding-005", 768, 2, 768)
    first, second = google.calls("predict")
    assert first["path"] == ("/v1/projects/vividly-test/locations/europe-west4/publishers/google/models/"
                             "text-embedding-005:predict")
    assert first["headers"]["authorization"] == f"Bearer {FAKE_ACCESS_TOKEN}"
    assert first["json"]["instances"] == [
        {"content": "Weight is the force of gravity.", "task_type": "RETRIEVAL_DOCUMENT"},
        {"content": "Mass is the amount of matter.", "task_type": "RETRIEVAL_DOCUMENT"}]
    assert first["json"]["parameters"] == {"outputDimensionality": 768, "autoTruncate": True}
    assert second["json"]["instances"] == [{"content": "why am I lighter on the moon", "task_type": "RETRIEVAL_QUERY"}]
    assert vector == pytest.approx(hash_vector("why am I lighter on the moon"))


def test_batches_stay_within_the_request_limits(google):
    texts = [f"text number {i}" for i in range(300)]
    batch = _vertex(google, batch_size=1000).embed_documents(texts)  # asks for more than the API takes
    assert [len(c["json"]["instances"]) for c in google.calls("predict")] == [250, 50]
    assert len(batch.vectors) == 300
    long_texts = ["x" * 25_000] * 5
    assert [len(b) for b in batches(long_texts, 250)] == [2, 2, 1]  # 60,000 characters at most
    assert all(sum(map(len, b)) <= MAX_BATCH_CHARS for b in batches(long_texts, 250))


def test_gemini_embedding_sends_one_text_a_request(google):
    provider = _vertex(google, model="gemini-embedding-001")
    provider.embed_documents(["one", "two", "three"])
    calls = google.calls("predict") or google.calls("embed")
    assert len(calls) == 3
    assert "gemini-embedding-001" in calls[0]["path"]


def test_transient_errors_are_retried_then_succeed(google):
    google.queue("predict", server_error(503), rate_limited(1))
    assert len(_vertex(google).embed_query("hello")) == 768
    assert len(google.calls("predict")) == 3


def test_gives_up_after_max_attempts(google):
    google.queue("predict", *[server_error(503)] * 2)
    with pytest.raises(ProviderRetryable):
        _vertex(google, max_attempts=2).embed_query("hello")
    assert len(google.calls("predict")) == 2


@pytest.mark.parametrize(("case", "reply"), [
    ("bad_request", Reply(status=400, body={"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT"}})),
    ("partial_batch", {"predictions": [{"embeddings": {"values": [0.1] * 768}}]}),  # 1 vector for 2 texts
    ("wrong_size", {"predictions": [{"embeddings": {"values": [0.1] * 384}}] * 2}),
    ("malformed", Reply(body=b"{not json", content_type="application/json")),
])
def test_unusable_answers_are_fatal_and_not_retried(google, case, reply):
    google.queue("predict", reply)
    with pytest.raises(ProviderFatal):
        _vertex(google).embed_documents(["a", "b"])
    assert len(google.calls("predict")) == 1


def test_breaker_opens_and_short_cuts(google):
    google.queue("predict", *[server_error(500)] * 10)
    provider = _vertex(google, max_attempts=1)
    for _ in range(3):
        with pytest.raises((ProviderRetryable, ProviderUnavailable)):
            provider.embed_query("hello")
    sent = len(google.calls("predict"))
    with pytest.raises(ProviderUnavailable):
        provider.embed_query("hello")
    assert len(google.calls("predict")) == sent == 3
    assert breakers.breaker("vertex_ai").current_state == "open"


def test_every_call_is_in_the_cost_ledger_charged_to_the_district(google, settings, tenant_a):
    # given a question embedded while working for district A
    settings.PROVIDER_UNIT_PRICES = {**settings.PROVIDER_UNIT_PRICES, "vertex-ai": {"characters": 0.001}}
    google.queue("predict", server_error(503))  # one failed attempt first
    with residency.district_scope(tenant_a.district.pk):
        _vertex(google).embed_query("why is the sky blue")
    # then both attempts are in the ledger, the successful one priced from Google's billable characters
    rows = list(ProviderCall.objects.filter(capability="embeddings").order_by("pk"))
    assert [(r.provider, r.succeeded, r.district_id) for r in rows] == [
        ("vertex-ai", False, tenant_a.district.pk), ("vertex-ai", True, tenant_a.district.pk)]
    assert rows[1].characters == len("why is the sky blue")  # metadata.billableCharacterCount
    assert rows[1].input_tokens == 5  # statistics.token_count
    assert rows[1].estimated_cost == Decimal("0.019000")
    assert rows[0].estimated_cost == 0
