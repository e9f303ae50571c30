"""Vertex AI text embeddings (768 dims) over REST through vividly.http, batched, retried, behind
the shared "vertex_ai" circuit breaker. Tests point `base_url` at a local fake server.
"""

from __future__ import annotations

import time

from django.conf import settings

from vividly import http

from . import breakers
from .base import EmbeddingBatch, ProviderFatal, ProviderRetryable, Usage


class VertexEmbeddings:
    """`publishers/google/models/<model>:predict` with outputDimensionality=768."""

    name = "vertex-ai"
    dimensions = 768
    max_tokens = 2048

    def __init__(self, *, model: str = "text-embedding-005", project: str = "", location: str = "us-central1",
                 base_url: str = "", access_token: str = "", batch_size: int = 32, max_attempts: int = 4,
                 backoff_seconds: float = 0.5) -> None:
        self.model = model
        self.project = project or getattr(settings, "GOOGLE_CLOUD_PROJECT", "")
        self.location = location
        self.base_url = (base_url or getattr(settings, "VERTEX_AI_BASE_URL", "")
                         or f"https://{location}-aiplatform.googleapis.com").rstrip("/")
        self.access_token = access_token
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds

    @property
    def url(self) -> str:
        return (f"{self.base_url}/v1/projects/{self.project}/locations/{self.location}"
                f"/publishers/google/models/{self.model}:predict")

    def _token(self) -> str:
        if self.access_token:
            return self.access_token
        try:  # production: Workload Identity / ADC
            import google.auth  # noqa: PLC0415 - google-auth loads only when Google is configured
            import google.auth.transport.requests  # noqa: PLC0415 - google-auth loads only when Google is configured
        except ImportError as exc:
            raise ProviderFatal("no Vertex AI access token configured") from exc
        credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
        credentials.refresh(google.auth.transport.requests.Request())
        return credentials.token

    def _predict(self, texts: list[str], task_type: str) -> tuple[list[list[float]], int]:
        payload = {"instances": [{"content": t, "task_type": task_type} for t in texts],
                   "parameters": {"outputDimensionality": self.dimensions, "autoTruncate": True}}
        response = http.request("POST", self.url, json=payload,
                                headers={"Authorization": f"Bearer {self._token()}"})
        try:
            predictions = response.json()["predictions"]
            vectors = [p["embeddings"]["values"] for p in predictions]
            tokens = sum(int(p["embeddings"].get("statistics", {}).get("token_count", 0)) for p in predictions)
        except (ValueError, KeyError, TypeError) as exc:
            raise ProviderFatal(f"malformed Vertex AI response: {exc}") from exc
        if len(vectors) != len(texts) or any(len(v) != self.dimensions for v in vectors):
            raise ProviderFatal("Vertex AI returned the wrong number or size of vectors")
        return vectors, tokens

    def _call(self, texts: list[str], task_type: str) -> tuple[list[list[float]], int]:
        for attempt in range(1, self.max_attempts + 1):
            try:
                return breakers.call("vertex_ai", self._predict, texts, task_type)
            except ProviderRetryable:
                if attempt == self.max_attempts:
                    raise
                time.sleep(self.backoff_seconds * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def embed_documents(self, texts: list[str]) -> EmbeddingBatch:
        """Embed passages in batches of `batch_size`."""
        vectors: list[list[float]] = []
        tokens = 0
        for start in range(0, len(texts), self.batch_size):
            batch_vectors, batch_tokens = self._call(texts[start:start + self.batch_size], "RETRIEVAL_DOCUMENT")
            vectors += batch_vectors
            tokens += batch_tokens
        return EmbeddingBatch(model=self.model, dimensions=self.dimensions, vectors=vectors,
                              usage=Usage(provider=self.name, input_tokens=tokens, texts=len(texts),
                                          characters=sum(len(t) for t in texts)))

    def embed_query(self, text: str) -> list[float]:
        """Embed one search query."""
        return self._call([text], "RETRIEVAL_QUERY")[0][0]
