"""Bulk loading of chunk rows (COPY) and the vector index built after the load.

A full ingest writes ~7,000 rows with their vectors: one COPY per book instead of per-row INSERTs and
UPDATEs, and the HNSW index is dropped for the load and built once at the end (building a graph in
one pass is several times cheaper than inserting into it row by row). While the index is being
rebuilt, searches still work: the planner falls back to an exact scan, which is correct (and at
this corpus size takes milliseconds).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import numpy as np
from django.db import connection

from .models import EMBEDDING_COLUMNS

# Mirrors Chunk.Meta.indexes (the migration creates the same index): name, column.
HNSW_INDEXES = {384: "chunk_emb384_hnsw", 768: "chunk_emb768_hnsw"}
COPY_COLUMNS = ("version_id", "topic_id", "module_id", "book_slug", "subject", "chapter_number", "section_number",
                "heading_path", "anchor", "ordinal", "kind", "text", "embed_text", "text_hash", "embedding_model")


def vector_literal(vector: Sequence[float] | np.ndarray) -> str:
    """pgvector's text form, '[x,y,...]', float32 precision."""
    return "[" + ",".join(f"{float(x):.7g}" for x in vector) + "]"


def copy_chunks(rows: Iterable[dict], *, dimensions: int) -> int:
    """COPY chunk rows (dicts keyed by COPY_COLUMNS plus "vector") into ingestion_chunk."""
    column = EMBEDDING_COLUMNS[dimensions]
    columns = ", ".join((*COPY_COLUMNS, column))
    count = 0
    connection.ensure_connection()
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY ingestion_chunk ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([*(json.dumps(row[c]) if c == "heading_path" else row[c] for c in COPY_COLUMNS),
                            vector_literal(row["vector"])])
            count += 1
    return count


def fill_search_vectors(version_id: int) -> None:
    """Full-text vectors for a version's rows: heading path weighs A, the body B."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ingestion_chunk SET search_vector = "
            "setweight(to_tsvector('english', array_to_string(ARRAY(SELECT jsonb_array_elements_text("
            "heading_path)), ' ')), 'A') || setweight(to_tsvector('english', text), 'B') "
            "WHERE version_id = %s AND search_vector IS NULL", [version_id])


def _fire_deferred_checks(cursor) -> None:
    """Inside a transaction with deferred FK checks pending, PostgreSQL refuses index DDL: run them now."""
    if connection.in_atomic_block:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def drop_vector_index(dimensions: int) -> None:
    """Drop the HNSW index before a large load (`ensure_vector_index` puts it back)."""
    with connection.cursor() as cursor:
        _fire_deferred_checks(cursor)
        cursor.execute(f"DROP INDEX IF EXISTS {HNSW_INDEXES[dimensions]}")


def ensure_vector_index(dimensions: int) -> bool:
    """(Re)build the HNSW index if it is missing; True when it had to be built."""
    name, column = HNSW_INDEXES[dimensions], EMBEDDING_COLUMNS[dimensions]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
        if cursor.fetchone():
            return False
        _fire_deferred_checks(cursor)
        # a one-pass build in memory is fastest; the session setting lasts for this build only
        cursor.execute("SET maintenance_work_mem = '256MB'")
        try:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON ingestion_chunk USING hnsw "
                           f"({column} vector_cosine_ops) WITH (m = 16, ef_construction = 64)")
        finally:
            cursor.execute("RESET maintenance_work_mem")
    return True


def cached_vectors(text_hashes: list[str], *, model: str, dimensions: int) -> dict[str, np.ndarray]:
    """Vectors already computed for these texts with this model (any version), by text hash."""
    if not text_hashes:
        return {}
    column = EMBEDDING_COLUMNS[dimensions]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT ON (text_hash) text_hash, {column}::text FROM ingestion_chunk "  # noqa: S608 - column from EMBEDDING_COLUMNS; values are %s params
            f"WHERE embedding_model = %s AND text_hash = ANY(%s) AND {column} IS NOT NULL",
            [model, text_hashes])
        return {h: np.array(json.loads(v), dtype=np.float32) for h, v in cursor.fetchall()}
