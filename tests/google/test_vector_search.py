"""Vertex AI Vector Search as the retrieval backend (google-cloud-aiplatform, REST) against the fake
Google: ingestion streams datapoints, search asks `findNeighbors` and hydrates from Postgres, and an
index that is building or unreachable falls back to pgvector, recorded (issue 19)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from ingestion import pipeline, retrieval
from ingestion.models import Chunk, IndexVersion, IngestionRun
from ingestion.search import search_sections
from tests.support.corpus import MINI_CORPUS_DIR
from tests.support.fake_google import Reply, configure_google, server_error
from vividly.providers import breakers

QUESTION = "what is the difference between mass and weight"
INDEX_PATH = "/v1/projects/vividly-test/locations/europe-west4/indexes/chunks-index"
ENDPOINT_PATH = "/v1/projects/vividly-test/locations/europe-west4/indexEndpoints/chunks-endpoint"


@pytest.fixture
def vertex_index(mini_corpus, google, settings):
    """Physics re-embedded with Vertex AI (the fake) and published to the fake index."""
    configure_google(settings, google, retrieval="vertex_vector_search", llm=False, image=False, tts=False,
                     embeddings=True)
    settings.BREAKERS = {**settings.BREAKERS, "vertex_vector_search": {"fail_max": 2, "reset_timeout": 60}}
    breakers.breaker.cache_clear()
    run = pipeline.run_ingest(book="physics", source=str(MINI_CORPUS_DIR), reembed=True)
    version = IndexVersion.objects.get(book_slug="physics", embedding_model="text-embedding-005", status="active")
    return run, version


def _fallbacks() -> float:
    return sum(retrieval.FALLBACKS.labels(reason=r)._value.get() for r in ("error", "breaker_open"))


def test_ingestion_streams_one_datapoint_per_chunk_with_restricts_and_crowding(vertex_index, google):
    run, version = vertex_index
    chunks = {str(c.pk): c for c in Chunk.objects.filter(version=version)}
    assert run.counts["datapoints_upserted"] == len(chunks)
    upserts = google.calls("upsert")
    assert upserts
    assert {u["path"] for u in upserts} == {f"{INDEX_PATH}:upsertDatapoints"}
    stored = google.datapoints["chunks-index"]
    assert set(stored) == set(chunks)
    some_id, chunk = next(iter(chunks.items()))
    point = stored[some_id]
    assert len(point["featureVector"]) == 768
    assert {r["namespace"]: r["allowList"] for r in point["restricts"]} == {
        "version": [str(version.pk)], "book": ["physics"], "subject": [chunk.subject],
        "chapter": [str(chunk.chapter_number)], "module": [chunk.module_id]}
    assert point["crowdingTag"] == {"crowdingAttribute": chunk.module_id}  # one section cannot fill the top-k


def test_search_asks_the_index_then_hydrates_from_postgres(vertex_index, google, settings):
    _, version = vertex_index
    google.requests.clear()
    hits = search_sections(QUESTION, k=3, filters={"book": "physics"})
    # the index was asked, for the active version only, with crowding per section
    (call,) = google.calls("find_neighbors")
    assert call["path"] == f"{ENDPOINT_PATH}:findNeighbors"
    body = call["json"]
    assert body["deployedIndexId"] == "chunks_deployed"
    query = body["queries"][0]
    assert query["neighborCount"] == 150
    assert query["perCrowdingAttributeNeighborCount"] == 4
    assert {r["namespace"]: r["allowList"] for r in query["datapoint"]["restricts"]} == {
        "version": [str(version.pk)], "book": ["physics"]}
    assert len(query["datapoint"]["featureVector"]) == 768
    # the question was embedded as a query (RETRIEVAL_QUERY), and the answer is the right section
    assert google.calls("predict")[-1]["json"]["instances"][0]["task_type"] == "RETRIEVAL_QUERY"
    assert hits[0].module_id == "m90102"
    assert hits[0].passages[0].similarity > 0  # exact similarity computed in Postgres
    # and pgvector ranks the same sections (the index is a stand-in for the same vectors)
    settings.RETRIEVAL_BACKEND = "pgvector"
    assert [h.module_id for h in search_sections(QUESTION, k=3, filters={"book": "physics"})] == [
        h.module_id for h in hits]


@pytest.mark.parametrize("reply", [
    server_error(503),
    Reply(status=400, body={"error": {"code": 400, "status": "FAILED_PRECONDITION",
                                      "message": "The deployed index is still being built."}}),
    Reply(status=404, body={"error": {"code": 404, "status": "NOT_FOUND", "message": "DeployedIndex not found"}}),
], ids=["unavailable", "building", "not_deployed"])
def test_an_index_that_is_not_serving_falls_back_to_pgvector_and_is_recorded(vertex_index, google, reply, caplog):
    google.queue("find_neighbors", reply)
    before = _fallbacks()
    hits = search_sections(QUESTION, k=3, filters={"book": "physics"})
    assert hits[0].module_id == "m90102"  # answered by pgvector
    assert _fallbacks() == before + 1
    assert "vector search unavailable" in caplog.text


def test_the_breaker_opens_and_searches_stop_asking_the_index(vertex_index, google):
    google.queue("find_neighbors", server_error(503), server_error(503))
    for _ in range(2):
        assert search_sections(QUESTION, k=3, filters={"book": "physics"})
    assert breakers.breaker("vertex_vector_search").current_state == "open"
    asked = len(google.calls("find_neighbors"))
    assert search_sections(QUESTION, k=3, filters={"book": "physics"})[0].module_id == "m90102"
    assert len(google.calls("find_neighbors")) == asked == 2
    assert retrieval.FALLBACKS.labels(reason="breaker_open")._value.get() >= 1


def test_an_unreachable_index_during_ingest_is_recorded_and_sync_publishes_later(mini_corpus, google, settings):
    configure_google(settings, google, retrieval="vertex_vector_search", llm=False, image=False, tts=False,
                     embeddings=True)
    google.queue("upsert", server_error(503))
    run = pipeline.run_ingest(book="physics", source=str(MINI_CORPUS_DIR), reembed=True)
    run = IngestionRun.objects.get(pk=run.pk)
    assert run.status == IngestionRun.Status.PARTIAL
    assert [e["stage"] for e in run.errors].count("vector_search") == 1  # (the mini corpus has a broken module too)
    version = IndexVersion.objects.get(book_slug="physics", embedding_model="text-embedding-005", status="active")
    assert not google.datapoints["chunks-index"]  # nothing arrived
    out = StringIO()
    call_command("vector_index", "sync", stdout=out)
    assert set(google.datapoints["chunks-index"]) == {str(pk) for pk in Chunk.objects.filter(version=version)
                                                      .values_list("pk", flat=True)}


def test_reingest_removes_the_retired_versions_datapoints(vertex_index, google):
    _, first = vertex_index
    old_ids = {str(pk) for pk in Chunk.objects.filter(version=first).values_list("pk", flat=True)}
    pipeline.run_ingest(book="physics", source=str(MINI_CORPUS_DIR), reembed=True)
    assert google.calls("remove")
    assert not old_ids & set(google.datapoints["chunks-index"])
