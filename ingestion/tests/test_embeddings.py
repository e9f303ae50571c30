"""Embedding providers: local MiniLM (ONNX) for real; --reembed onto Vertex AI (google-genai) against the fake
Google at the HTTP boundary (the provider itself: tests/google/test_embeddings.py)."""

from ingestion import pipeline
from ingestion.models import Chunk, IndexVersion
from ingestion.search import search
from tests.support.corpus import MINI_CORPUS_DIR
from vividly.providers import registry
from vividly.providers.base import EmbeddingProvider
from vividly.providers.onnx_embeddings import OnnxMiniLMEmbeddings


def _vertex_options(fake) -> dict:
    return {"project": "vividly-test", "location": "europe-west4", "endpoint": fake.url, "backoff_seconds": 0}


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


def test_reembed_switches_models_and_queries_never_mix(mini_corpus, fake_google_cloud, settings):
    # given the local index, when the provider is switched to Vertex AI and --reembed runs
    settings.VIVIDLY_PROVIDERS = {**settings.VIVIDLY_PROVIDERS, "embeddings": {
        "BACKEND": "vividly.providers.vertex_embeddings.VertexEmbeddings",
        "OPTIONS": _vertex_options(fake_google_cloud)}}
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
