"""The retrieval backend's part of `manage.py check_providers` (issue 19)."""

from __future__ import annotations

from django.conf import settings

from vividly.providers.checks import Check, timed

from . import retrieval, vector_search


def check_retrieval() -> Check:
    """The retrieval backend: pgvector is local; Vertex AI Vector Search answers `find_neighbors`."""
    if settings.RETRIEVAL_BACKEND != retrieval.VERTEX:
        return Check("retrieval", "pgvector", True, "local provider (PostgreSQL + pgvector)")
    if not vector_search.configured():
        return Check("retrieval", retrieval.VERTEX, False,
                     "not configured: set VECTOR_SEARCH_INDEX_ID, _INDEX_ENDPOINT_ID and _DEPLOYED_INDEX_ID")

    def call() -> str:
        stats = vector_search.index_stats()
        ids = vector_search.find_neighbors([0.0] * 767 + [1.0], versions=[], filters={}, limit=1)
        return f"{stats['vectors']} datapoints ({stats['update_method']}), find_neighbors answered ({len(ids)})"

    where = f"Vector Search {settings.VECTOR_SEARCH.get('LOCATION')}, index {settings.VECTOR_SEARCH.get('INDEX_ID')}"
    return timed("retrieval", retrieval.VERTEX, where, call)
