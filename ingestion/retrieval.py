"""The dense-retrieval backend, chosen by settings.RETRIEVAL_BACKEND (issue 19).

- "pgvector" (default; local runs and small deployments): HNSW over the chunks in Postgres.
- "vertex_vector_search": Vertex AI Vector Search (`ingestion.vector_search`). Ingestion publishes a
  version's datapoints when it becomes active; searches ask the index for neighbours, then
  `ingestion.search` hydrates them from Postgres and fuses them with BM25 as for pgvector.

The index is behind the "vertex_vector_search" circuit breaker. While it is building, undeployed,
unreachable or the breaker is open, searches use pgvector instead and the fallback is recorded
(a warning log and `vividly_retrieval_fallbacks_total{reason}`), so search never goes dark.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from prometheus_client import Counter

from vividly.providers import breakers
from vividly.providers.base import ProviderError, ProviderUnavailable

from . import vector_search
from .models import Chunk

logger = logging.getLogger(__name__)
PGVECTOR, VERTEX = "pgvector", "vertex_vector_search"
FALLBACKS = Counter("vividly_retrieval_fallbacks", "Searches answered by pgvector because Vector Search was not.",
                    ["reason"])


def backend() -> str:
    return VERTEX if settings.RETRIEVAL_BACKEND == VERTEX and vector_search.configured() else PGVECTOR


def record_fallback(exc: Exception) -> None:
    reason = "breaker_open" if isinstance(exc, ProviderUnavailable) else "error"
    FALLBACKS.labels(reason=reason).inc()
    logger.warning("vector search unavailable; searched with pgvector",
                   extra={"reason": reason, "error": str(exc)[:200]})


def dense_ids(vector: list[float], *, versions: list[int], filters: dict, limit: int,
              pgvector: Callable[[], list[int]]) -> list[int]:
    """Chunk ids nearest the vector from the configured backend; `pgvector()` answers otherwise."""
    if backend() == VERTEX and len(vector) == 768:
        try:
            return breakers.call(VERTEX, vector_search.find_neighbors, vector, versions=versions, filters=filters,
                                 limit=limit)
        except ProviderError as exc:
            record_fallback(exc)
    return pgvector()


def publish_version(version_id: int, *, retired_chunk_ids: list[int]) -> int:
    """Stream an activated version's chunks into Vector Search and remove the retired versions' ones.

    A no-op on pgvector. Raises ProviderError when the index cannot take them (the ingest run records
    it; searches fall back to pgvector meanwhile; `manage.py vector_index sync` publishes again)."""
    if backend() != VERTEX:
        return 0

    rows = [{"id": pk, "version_id": version, "book_slug": book, "subject": subject, "chapter_number": chapter,
             "module_id": module, "vector": vector}
            for pk, version, book, subject, chapter, module, vector in
            Chunk.objects.filter(version_id=version_id, embedding_768__isnull=False).order_by("pk").values_list(
                "pk", "version_id", "book_slug", "subject", "chapter_number", "module_id", "embedding_768")]
    sent = breakers.call(VERTEX, vector_search.upsert, rows)
    if retired_chunk_ids:
        breakers.call(VERTEX, vector_search.remove, retired_chunk_ids)
    return sent
