"""Hybrid retrieval: pgvector HNSW (cosine) + PostgreSQL full text, fused by reciprocal rank fusion.

`search(query, k, filters)` is the one public entry point (lessons, the API and `manage.py search`
use it). Only *active* index versions built with the configured embedding model are read, so a
query vector is never compared with vectors of another model.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.db import connection, transaction

from ingestion.models import Book
from vividly.providers import registry

from .models import EMBEDDING_COLUMNS, Chunk, IndexVersion

RRF_K = 30
CANDIDATES = 60
VECTOR_WEIGHT = 1.0
TEXT_WEIGHT = 0.7
SECTION_WEIGHT = 0.3  # share of a section's other evidence added to each of its chunks
SECTION_TOP = 3
TERM_WEIGHT = 0.5  # bonus (in top-rank RRF units) when the query names a term the section defines
ALLOWED_FILTERS = {"subject", "book", "chapter", "module_id"}
_WORDS = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk with everything needed to cite it."""

    module_id: str
    topic_id: int
    book: str
    book_title: str
    subject: str
    chapter: int
    chapter_title: str
    section_title: str
    section_number: str
    heading_path: tuple[str, ...]
    anchor: str
    text: str
    score: float
    citation: str
    attribution: str
    kind: str = "text"
    source_url: str = ""

    def as_dict(self) -> dict:
        data = asdict(self)
        data["heading_path"] = list(self.heading_path)
        return data


def _where(filters: dict, versions: list[int]) -> tuple[str, list]:
    clauses, params = ["c.version_id = ANY(%s)"], [versions]
    if filters.get("subject"):
        clauses.append("c.subject = %s")
        params.append(filters["subject"])
    if filters.get("book"):
        clauses.append("c.book_slug = %s")
        params.append(filters["book"])
    if filters.get("chapter") not in (None, ""):
        clauses.append("c.chapter_number = %s")
        params.append(int(filters["chapter"]))
    if filters.get("module_id"):
        clauses.append("c.module_id = %s")
        params.append(filters["module_id"])
    return " AND ".join(clauses), params


def active_versions(*, model: str, book: str | None = None) -> list[int]:
    """Ids of the active index versions for an embedding model."""
    qs = IndexVersion.objects.filter(status=IndexVersion.Status.ACTIVE, embedding_model=model)
    if book:
        qs = qs.filter(book_slug=book)
    return list(qs.values_list("pk", flat=True))


def vector_candidates(vector: list[float], *, column: str, where: str, params: list,
                      limit: int = CANDIDATES, exact: bool = False) -> list[tuple[int, float]]:
    """Nearest chunks by cosine distance; HNSW unless exact=True (used to measure recall)."""
    literal = "[" + ",".join(f"{x:.7f}" for x in vector) + "]"
    sql = (f"SELECT c.id, c.{column} <=> %s::vector AS distance FROM ingestion_chunk c "  # noqa: S608 - column is ours
           f"WHERE {where} AND c.{column} IS NOT NULL ORDER BY c.{column} <=> %s::vector LIMIT %s")
    with transaction.atomic(), connection.cursor() as cursor:
        if exact:
            cursor.execute("SET LOCAL enable_indexscan = off")
        else:
            cursor.execute("SET LOCAL hnsw.ef_search = 100")
            cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute(sql, [literal, *params, literal, limit])
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def text_candidates(query: str, *, where: str, params: list, limit: int = CANDIDATES) -> list[tuple[int, float]]:
    """Full-text matches (any query word, ranked by cover density with headings weighted A)."""
    sql = (
        "WITH q AS (SELECT to_tsquery('english', coalesce(nullif(replace("  # noqa: S608 - `where` is _where()'s fixed clauses; values are %s params
        "plainto_tsquery('english', %s)::text, ' & ', ' | '), ''), 'zzzznomatch')) AS query) "
        f"SELECT c.id, ts_rank_cd(c.search_vector, q.query, 1) AS rank FROM ingestion_chunk c, q "
        f"WHERE {where} AND c.search_vector @@ q.query ORDER BY rank DESC LIMIT %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [query, *params, limit])
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def fuse(ranked_lists: list[tuple[float, list[int]]], section_of: dict[int, str]) -> dict[int, float]:
    """Weighted reciprocal rank fusion, then section-level evidence sharing."""
    scores: dict[int, float] = defaultdict(float)
    for weight, ids in ranked_lists:
        for rank, chunk_id in enumerate(ids, start=1):
            scores[chunk_id] += weight / (RRF_K + rank)
    by_section: dict[str, list[float]] = defaultdict(list)
    for chunk_id, score in scores.items():
        by_section[section_of[chunk_id]].append(score)
    section_total = {s: sum(sorted(v, reverse=True)[:SECTION_TOP]) for s, v in by_section.items()}
    return {cid: score + SECTION_WEIGHT * (section_total[section_of[cid]] - score) for cid, score in scores.items()}


def search(query: str, k: int = 10, filters: dict | None = None) -> list[Passage]:
    """Best passages for a question, best first, with citations; [] for an empty query or index."""
    query = (query or "").strip()[:1000]
    filters = {key: value for key, value in (filters or {}).items() if key in ALLOWED_FILTERS and value}
    if not query or k <= 0:
        return []
    provider = registry.get("embeddings")
    versions = active_versions(model=provider.model, book=filters.get("book"))
    if not versions:
        return []
    where, params = _where(filters, versions)
    column = EMBEDDING_COLUMNS[provider.dimensions]
    vector_hits = vector_candidates(provider.embed_query(query), column=column, where=where, params=params)
    text_hits = text_candidates(query, where=where, params=params)
    ids = {cid for cid, _ in vector_hits} | {cid for cid, _ in text_hits}
    # Vectors and tsvectors are not needed to build passages; parsing 100+ of them costs ~15 ms.
    rows = {c.pk: c for c in Chunk.objects.filter(pk__in=ids).select_related("topic__chapter__book")
            .defer("embedding_384", "embedding_768", "search_vector", "embed_text")}
    section_of = {cid: rows[cid].module_id for cid in rows}
    scores = fuse([(VECTOR_WEIGHT, [cid for cid, _ in vector_hits if cid in rows]),
                   (TEXT_WEIGHT, [cid for cid, _ in text_hits if cid in rows])], section_of)
    _boost_defined_terms(query, scores, rows)
    best = sorted(scores, key=lambda cid: (-scores[cid], cid))[:k]
    return [_passage(rows[cid], scores[cid]) for cid in best]


def _boost_defined_terms(query: str, scores: dict[int, float], rows: dict[int, Chunk]) -> None:
    """Favour sections whose glossary or bold key terms the query names (longer terms weigh more)."""
    words = " " + " ".join(_WORDS.findall(query.lower())) + " "
    bonus_by_topic: dict[int, float] = {}
    for chunk in rows.values():
        topic = chunk.topic
        if topic.pk in bonus_by_topic:
            continue
        best = 0.0
        defined = {g["term"] for g in topic.glossary}
        for term in defined | set(topic.key_terms):
            normal = " ".join(_WORDS.findall(term.lower()))
            if len(normal) >= 4 and f" {normal} " in words:
                weight = min(len(normal.split()), 3) / 3 * (1.0 if term in defined else 0.5)
                best = max(best, weight)
        bonus_by_topic[topic.pk] = best * TERM_WEIGHT / (RRF_K + 1)
    for chunk_id in scores:
        scores[chunk_id] += bonus_by_topic.get(rows[chunk_id].topic_id, 0.0)


def _passage(chunk: Chunk, score: float) -> Passage:
    topic = chunk.topic
    chapter = topic.chapter
    book: Book = chapter.book
    number = f"{chapter.number}.{topic.number}"
    return Passage(
        module_id=chunk.module_id, topic_id=topic.pk, book=book.slug, book_title=book.title,
        subject=book.subject, chapter=chapter.number, chapter_title=chapter.title, section_title=topic.title,
        section_number=number, heading_path=tuple(chunk.heading_path), anchor=chunk.anchor, text=chunk.text,
        score=round(score, 6), citation=f"{book.title}, {number} {topic.title}", attribution=book.attribution,
        kind=chunk.kind, source_url=book.source_url,
    )
