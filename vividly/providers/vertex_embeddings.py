"""Vertex AI text embeddings through `google-genai` (Vertex AI with ADC, or an explicit API key).

768 dimensions; `task_type` RETRIEVAL_DOCUMENT for passages and RETRIEVAL_QUERY for questions;
batched within the API's limits (text-embedding-005: up to 250 texts and 20,000 tokens a request,
so at most `batch_size` texts and MAX_BATCH_CHARS characters; gemini-embedding-001: one text a
request on Vertex AI). Transient errors are retried with backoff behind the shared "vertex_ai"
breaker. Every request is recorded in the cost ledger from the usage metadata Google returns
(billable characters, token counts), charged to the district the work runs for.
"""

from __future__ import annotations

import time

from . import breakers, google_cloud, ledger
from .base import EmbeddingBatch, ProviderFatal, ProviderRetryable, Usage

MAX_BATCH_TEXTS = 250
MAX_BATCH_CHARS = 60_000  # ≈ 15,000 tokens of English: under the 20,000-token request limit


def batches(texts: list[str], size: int, max_chars: int = MAX_BATCH_CHARS) -> list[list[str]]:
    """Consecutive batches of at most `size` texts and `max_chars` characters (one text may exceed it:
    the API truncates it, auto_truncate)."""
    out: list[list[str]] = []
    chars = 0
    for text in texts:
        if out and len(out[-1]) < size and chars + len(text) <= max_chars:
            out[-1].append(text)
            chars += len(text)
        else:
            out.append([text])
            chars = len(text)
    return out


class VertexEmbeddings:
    """EmbeddingProvider on Vertex AI (`models.embed_content`)."""

    name = "vertex-ai"
    dimensions = 768
    max_tokens = 2048

    def __init__(self, *, model: str = "text-embedding-005", project: str = "", location: str = "",
                 api_key: str = "", endpoint: str = "", timeout: float = 30.0, batch_size: int = 64,
                 max_attempts: int = 4, backoff_seconds: float = 0.5) -> None:
        self.model = model
        self.project = project
        self.location = location
        self.api_key = api_key
        self.endpoint = endpoint
        self.timeout = timeout
        one_per_request = model.startswith("gemini-embedding")
        self.batch_size = 1 if one_per_request else max(1, min(batch_size, MAX_BATCH_TEXTS))
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds

    def _embed(self, texts: list[str], task_type: str) -> tuple[list[list[float]], Usage]:
        from google.genai import types  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured

        google_cloud.guard(self.name)
        client = google_cloud.genai_client(project=self.project, location=self.location, api_key=self.api_key,
                                           endpoint=self.endpoint, timeout=self.timeout)
        config = types.EmbedContentConfig(task_type=task_type, output_dimensionality=self.dimensions,
                                          auto_truncate=True if not self.api_key else None)
        try:
            response = client.models.embed_content(model=self.model, contents=texts, config=config)
        except Exception as exc:
            raise google_cloud.map_genai_error(exc, "Vertex AI embeddings") from exc
        vectors = [list(e.values or []) for e in response.embeddings or []]
        if len(vectors) != len(texts) or any(len(v) != self.dimensions for v in vectors):
            raise ProviderFatal(f"Vertex AI returned {len(vectors)} vectors for {len(texts)} texts, or the wrong size")
        tokens = sum(int(getattr(e.statistics, "token_count", 0) or 0) for e in response.embeddings)
        billed = getattr(response.metadata, "billable_character_count", None) if response.metadata else None
        usage = Usage(provider=self.name, input_tokens=tokens, texts=len(texts),
                      characters=int(billed) if billed is not None else sum(len(t) for t in texts))
        return vectors, usage

    def _call(self, texts: list[str], task_type: str) -> tuple[list[list[float]], Usage]:
        for attempt in range(1, self.max_attempts + 1):
            started = time.perf_counter()
            try:
                vectors, usage = breakers.call("vertex_ai", self._embed, texts, task_type)
            except ProviderRetryable as exc:
                ledger.record(capability="embeddings", usage=Usage(provider=self.name), succeeded=False,
                              detail=str(exc), seconds=time.perf_counter() - started)
                if attempt == self.max_attempts:
                    raise
                time.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            else:
                ledger.record(capability="embeddings", usage=usage, seconds=time.perf_counter() - started)
                return vectors, usage
        raise AssertionError("unreachable")

    def embed_documents(self, texts: list[str]) -> EmbeddingBatch:
        """Embed passages (RETRIEVAL_DOCUMENT) in batches within the API's limits."""
        vectors: list[list[float]] = []
        tokens = characters = 0
        for batch in batches(texts, self.batch_size):
            batch_vectors, usage = self._call(batch, "RETRIEVAL_DOCUMENT")
            vectors += batch_vectors
            tokens += usage.input_tokens
            characters += usage.characters
        return EmbeddingBatch(model=self.model, dimensions=self.dimensions, vectors=vectors,
                              usage=Usage(provider=self.name, input_tokens=tokens, texts=len(texts),
                                          characters=characters))

    def embed_query(self, text: str) -> list[float]:
        """Embed one question (RETRIEVAL_QUERY)."""
        return self._call([text], "RETRIEVAL_QUERY")[0][0]
