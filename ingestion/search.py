"""Section retrieval: which textbook sections answer a question, with their best passages.

`search_sections(question, k)` is the entry point for anything that needs *the section that
answers* (the understand stage, `/api/v1/search/`, the lesson writer): distinct sections, best
first, each with its best passages and a 0–1 confidence. `search(query, k)` returns passages (the
best chunks, e.g. of one section via `filters={"module_id": ...}`).

How a question is scored (chosen on the dev questions of bench/section_eval.py, never on held-out):
- the question is prepared (`ingestion.query`): a pasted problem keeps its stem for the embedding
  and its stem + options for BM25;
- dense: cosine similarity of the query vector to every chunk (pgvector, or Vertex AI Vector Search
  with RETRIEVAL_BACKEND=vertex_vector_search, see `ingestion.retrieval`; only active versions of
  the configured model, so a query is never compared with another model's vectors); candidates are
  hydrated from Postgres, which computes their exact similarity;
- lexical: BM25 over the same chunks (`ingestion.lexical`);
- a section's score is its best chunk's cosine plus LEXICAL_WEIGHT × its best chunk's BM25 (scaled
  by the query's best BM25). Its chunks include its own review questions (kind "practice"), which
  rank the section but are never returned as passages. Chapter introductions (section x.0) are not
  ranked: "Introduction" answers no question by itself (dev student MRR 0.734 → 0.748);
- the best RERANK_SECTIONS are then scored as a whole (`_whole_section_scores`): the mean cosine of
  its TOP_CHUNKS best text chunks (a section *about* the question's phenomenon has several close
  passages; one that merely shares its words has one) and of its overview (title, objectives, key
  terms), from the stored vectors. On the dev student questions (bench/data/student_questions.json
  and lesson_eval.json dev) section R@1 0.50 → 0.59, MRR 0.65 → 0.71; review dev questions unchanged
  (MRR 0.780 → 0.781). The mean cosine of its TOP_PRACTICE nearest indexed review questions joins the whole-section
  score (questions about a section read like a student's): student dev MRR 0.828 → 0.839, lesson_eval
  dev section R@1 0.53 → 0.60 (MRR 0.675 → 0.719), review dev MRR 0.798 → 0.799, classic 0.993 → 0.986
  (one question from rank 1 to 2).
  Measured on the same dev sets and left out (none moved review/student/lesson-eval R@1 by more than one
  or two questions): a wider pool (8–40 sections), the best glossary chunk, section-level BM25, the
  section summary or title or objectives or single glossary terms embedded apart, and sentence-level
  evidence (the best single sentence of a section, for the whole pool or its best 2–5). Also left out
  (issue 18, stop 25; none moved lesson-eval dev R@1 0.60 by more than one question or held on the other
  sets): a linear query adapter fitted on the indexed review questions, pseudo-relevance feedback, the
  lesson writer's own best-answer score per candidate section, a chapter prior and a book prior.
The confidence is the best chunk's cosine similarity, so thresholds keep one meaning.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.db import connection, transaction

from ingestion.models import Book
from vividly.providers import registry
from vividly.providers.base import ProviderError

from . import lexical, retrieval
from .chunking import PRACTICE
from .loading import vector_literal
from .models import EMBEDDING_COLUMNS, Chunk, IndexVersion
from .query import PreparedQuery, prepare

logger = logging.getLogger(__name__)
DENSE_CANDIDATES = 150
LEXICAL_CANDIDATES = 150
LEXICAL_WEIGHT = 0.3  # BM25 (as a share of the query's best) against cosine similarity
RERANK_SECTIONS = 12  # sections scored as a whole (their best passages and overview)
TOP_CHUNKS = 3  # a section's best text chunks averaged for its whole-section score
TOP_CHUNKS_WEIGHT = 0.75
OVERVIEW_WEIGHT = 0.5
TOP_PRACTICE = 2  # a section's review questions nearest the question, averaged
PRACTICE_WEIGHT = 0.25
ALLOWED_FILTERS = {"subject", "book", "chapter", "module_id"}


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
    similarity: float = 0.0  # cosine similarity to the question (0 when only BM25 found it)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["heading_path"] = list(self.heading_path)
        return data


@dataclass(frozen=True)
class SectionHit:
    """One textbook section (a Topic) that may answer the question, with its best passages."""

    topic_id: int
    module_id: str
    book: str
    book_title: str
    subject: str
    chapter: int
    chapter_title: str
    section_number: str
    section_title: str
    citation: str
    attribution: str
    source_url: str
    score: float
    confidence: float  # cosine similarity of the question to the section's best passage (0–1)
    passages: tuple[Passage, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["passages"] = [p.as_dict() for p in self.passages]
        return data


@dataclass
class _Candidates:
    similarity: dict[int, float]        # chunk id → cosine similarity
    bm25: dict[int, float]              # chunk id → BM25 / the query's best BM25 (0–1)
    meta: dict[int, tuple[str, str]]    # chunk id → (module_id, kind)
    versions: list[int]
    intros: set[int]                    # chunk ids of chapter introductions (section x.0)
    vector: list[float] | None = None   # the query's embedding (None: lexical search only)
    column: str = ""                    # the embedding column of the configured model


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
    """Ids of the active index versions to search with this embedding model, one per book.

    A book without a version of exactly this model falls back to its active version of the same
    MiniLM weights under another runtime ("…all-MiniLM-L6-v2" built by torch before the ONNX export:
    same weights, cosine ≈ 0.995 to int8), so an upgrade keeps search working while it re-embeds.
    Another model's vectors (Vertex AI) are never compared with this model's queries.
    """
    qs = IndexVersion.objects.filter(status=IndexVersion.Status.ACTIVE)
    if book:
        qs = qs.filter(book_slug=book)
    family = model.split("#", 1)[0]
    exact: dict[str, int] = {}
    related: dict[str, int] = {}
    for pk, slug, name in qs.order_by("pk").values_list("pk", "book_slug", "embedding_model"):
        if name == model:
            exact[slug] = pk
        elif name.split("#", 1)[0] == family:
            related[slug] = pk
    return sorted({**related, **exact}.values())


def vector_candidates(vector: list[float], *, column: str, where: str, params: list,
                      limit: int = DENSE_CANDIDATES, exact: bool = False) -> list[tuple[int, float]]:
    """Nearest chunks by cosine distance; HNSW unless exact=True (used to measure recall)."""
    literal = vector_literal(vector)
    sql = (f"SELECT c.id, c.{column} <=> %s::vector AS distance FROM ingestion_chunk c "  # noqa: S608 - column is ours
           f"WHERE {where} AND c.{column} IS NOT NULL ORDER BY c.{column} <=> %s::vector LIMIT %s")
    with transaction.atomic(), connection.cursor() as cursor:
        if exact:
            cursor.execute("SET LOCAL enable_indexscan = off")
        else:
            cursor.execute("SET LOCAL hnsw.ef_search = 200")
            cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute(sql, [literal, *params, literal, limit])
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def _clean_filters(filters: dict | None) -> dict:
    return {key: value for key, value in (filters or {}).items() if key in ALLOWED_FILTERS and value not in (None, "")}


def _candidates(query: PreparedQuery, filters: dict) -> _Candidates | None:
    provider = registry.get("embeddings")
    all_versions = active_versions(model=provider.model)
    versions = active_versions(model=provider.model, book=filters["book"]) if filters.get("book") else all_versions
    if not versions or not query.raw:
        return None
    where, params = _where(filters, versions)
    column = EMBEDDING_COLUMNS[provider.dimensions]
    try:
        vector = provider.embed_query(query.dense)
    except ProviderError:  # saturated or failing embedder: words alone still find sections
        logger.warning("query embedding unavailable; lexical search only", exc_info=True)
        vector = None
    dense = retrieval.dense_ids(  # pgvector, or Vertex AI Vector Search (falls back to pgvector)
        vector, versions=versions, filters=filters, limit=DENSE_CANDIDATES,
        pgvector=lambda: [cid for cid, _ in vector_candidates(vector, column=column, where=where, params=params)],
    ) if vector else []
    hits = lexical.index_for(all_versions).top(query.lexical, limit=LEXICAL_CANDIDATES, filters=filters)
    best = hits[0][1] if hits else 1.0
    bm25 = {cid: score / best for cid, score in hits}
    # one round trip: section and kind of every candidate, and its exact similarity (BM25-only ones too)
    similarity, meta = {}, {}
    with connection.cursor() as cursor:
        if vector:
            literal = vector_literal(vector)
            cursor.execute(f"SELECT id, module_id, kind, section_number, 1 - ({column} <=> %s::vector) "  # noqa: S608 - column from EMBEDDING_COLUMNS; values are %s params
                           f"FROM ingestion_chunk WHERE id = ANY(%s) AND version_id = ANY(%s)",
                           [literal, list({*dense, *bm25}), versions])
        else:
            cursor.execute("SELECT id, module_id, kind, section_number, 0 FROM ingestion_chunk WHERE id = ANY(%s)",
                           [list(bm25)])
        intros = set()
        for cid, module_id, kind, section_number, value in cursor.fetchall():
            meta[cid] = (module_id, kind)
            similarity[cid] = float(value)
            if section_number == 0:
                intros.add(cid)
    return _Candidates(similarity=similarity, bm25=bm25, meta=meta, versions=versions, intros=intros,
                       vector=vector, column=column)


def _whole_section_scores(candidates: _Candidates, module_ids: list[str]) -> dict[str, float]:
    """module id → TOP_CHUNKS_WEIGHT × mean cosine of its TOP_CHUNKS best text chunks + OVERVIEW_WEIGHT ×
    its overview's cosine + PRACTICE_WEIGHT × mean cosine of its TOP_PRACTICE nearest indexed review
    questions (questions about the section read like a student's), over every chunk of the section
    (one query; stored vectors)."""
    if not candidates.vector or not module_ids:
        return {}
    literal = vector_literal(candidates.vector)
    column = candidates.column
    text: dict[str, list[float]] = defaultdict(list)
    practice: dict[str, list[float]] = defaultdict(list)
    overview: dict[str, float] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT module_id, kind, 1 - ({column} <=> %s::vector) FROM ingestion_chunk "  # noqa: S608 - column from EMBEDDING_COLUMNS; values are %s params
                       f"WHERE module_id = ANY(%s) AND version_id = ANY(%s) AND kind IN ('text', 'overview', 'practice') "
                       f"AND {column} IS NOT NULL", [literal, module_ids, candidates.versions])
        for module_id, kind, value in cursor.fetchall():
            if kind == "overview":
                overview[module_id] = max(overview.get(module_id, 0.0), float(value))
            elif kind == PRACTICE:
                practice[module_id].append(float(value))
            else:
                text[module_id].append(float(value))
    scores = {}
    for module_id in module_ids:
        best = sorted(text.get(module_id, []), reverse=True)[:TOP_CHUNKS]
        mean = sum(best) / TOP_CHUNKS if best else 0.0
        asked = sum(sorted(practice.get(module_id, []), reverse=True)[:TOP_PRACTICE]) / TOP_PRACTICE
        scores[module_id] = (TOP_CHUNKS_WEIGHT * mean + OVERVIEW_WEIGHT * overview.get(module_id, 0.0)
                             + PRACTICE_WEIGHT * asked)
    return scores


def _rows(ids: list[int]) -> dict[int, Chunk]:
    """Chunks with just what a Passage needs (no vectors, no section JSON)."""
    return {c.pk: c for c in Chunk.objects.filter(pk__in=ids).select_related("topic__chapter__book").only(
        "module_id", "heading_path", "anchor", "text", "kind", "topic__title", "topic__number",
        "topic__chapter__number", "topic__chapter__title", "topic__chapter__book__slug",
        "topic__chapter__book__title", "topic__chapter__book__subject", "topic__chapter__book__attribution",
        "topic__chapter__book__source_url")}


def _chunk_score(candidates: _Candidates, chunk_id: int) -> float:
    return candidates.similarity.get(chunk_id, 0.0) + LEXICAL_WEIGHT * candidates.bm25.get(chunk_id, 0.0)


def search_sections(question: str, k: int = 5, filters: dict | None = None,
                    passages_per_section: int = 3) -> list[SectionHit]:
    """Distinct sections that best answer the question, best first, each with its best passages.

    `question` may be a one-word topic or a pasted homework problem (up to
    `ingestion.query.MAX_INPUT_CHARS`; options and long stems are handled by `prepare`).
    Passages are the section's best-scoring text chunks for this question (never its review
    questions). Returns [] for an empty question, k <= 0 or an empty index.
    """
    filters = _clean_filters(filters)
    if k <= 0:
        return []
    candidates = _candidates(prepare(question), filters)
    if candidates is None:
        return []
    by_section: dict[str, list[int]] = defaultdict(list)
    for chunk_id, (module_id, _) in candidates.meta.items():
        if chunk_id not in candidates.intros:  # a chapter's "Introduction" answers no question itself
            by_section[module_id].append(chunk_id)
    scored = []
    for module_id, ids in by_section.items():
        dense = max(candidates.similarity.get(cid, 0.0) for cid in ids)
        words = max(candidates.bm25.get(cid, 0.0) for cid in ids)
        scored.append((dense + LEXICAL_WEIGHT * words, dense, module_id))
    scored.sort(key=lambda item: (-item[0], item[2]))
    head = scored[:max(k, RERANK_SECTIONS)]
    whole = _whole_section_scores(candidates, [module_id for _, _, module_id in head])
    head = [(score + whole.get(module_id, 0.0), dense, module_id) for score, dense, module_id in head]
    scored = sorted(head, key=lambda item: (-item[0], item[2])) + scored[len(head):]
    chosen = {module_id: sorted((cid for cid in by_section[module_id] if candidates.meta[cid][1] != PRACTICE),
                                key=lambda cid: (-_chunk_score(candidates, cid), cid))[:passages_per_section]
              for _, _, module_id in scored[:k]}
    # a section found only through its review questions is shown by its overview
    for module_id in [m for m, ids in chosen.items() if not ids]:
        chosen[module_id] = list(Chunk.objects.filter(version_id__in=candidates.versions, module_id=module_id)
                                 .exclude(kind=PRACTICE).order_by("ordinal").values_list("pk", flat=True)[:1])
    rows = _rows([cid for ids in chosen.values() for cid in ids])
    hits = []
    for score, confidence, module_id in scored[:k]:
        passages = tuple(_passage(rows[cid], _chunk_score(candidates, cid), candidates.similarity.get(cid, 0.0))
                         for cid in chosen[module_id] if cid in rows)
        if passages:
            hits.append(_section(passages[0], score=score, confidence=confidence, passages=passages))
    return hits


def search(query: str, k: int = 10, filters: dict | None = None) -> list[Passage]:
    """Best passages (text, overview, glossary) for a question, best first, with citations.

    [] for an empty query or index. Review-question chunks only rank sections; they are not passages.
    """
    filters = _clean_filters(filters)
    if k <= 0:
        return []
    candidates = _candidates(prepare(query), filters)
    if candidates is None:
        return []
    ranked = sorted((cid for cid, (_, kind) in candidates.meta.items() if kind != PRACTICE),
                    key=lambda cid: (-_chunk_score(candidates, cid), cid))[:k]
    rows = _rows(ranked)
    return [_passage(rows[cid], _chunk_score(candidates, cid), candidates.similarity.get(cid, 0.0))
            for cid in ranked]


def warm_up() -> None:
    """Load the query model and the BM25 index now (process start), not in a student's first search."""

    provider = registry.get("embeddings")
    if hasattr(provider, "warm_up"):
        provider.warm_up()
    try:
        versions = active_versions(model=provider.model)
        if versions:
            lexical.index_for(versions)
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close()  # a warm-up thread's own connection must not linger


def section_chunks(module_id: str) -> list[Passage]:
    """Every indexed passage of one section, in reading order (for writers that need it all)."""
    provider = registry.get("embeddings")
    versions = active_versions(model=provider.model)
    ids = list(Chunk.objects.filter(version_id__in=versions, module_id=module_id).exclude(kind=PRACTICE)
               .order_by("ordinal").values_list("pk", flat=True))
    rows = _rows(ids)
    return [_passage(rows[cid], 0.0, 0.0) for cid in ids]


def _passage(chunk: Chunk, score: float, similarity: float) -> Passage:
    topic = chunk.topic
    chapter = topic.chapter
    book: Book = chapter.book
    number = f"{chapter.number}.{topic.number}"
    return Passage(
        module_id=chunk.module_id, topic_id=topic.pk, book=book.slug, book_title=book.title,
        subject=book.subject, chapter=chapter.number, chapter_title=chapter.title, section_title=topic.title,
        section_number=number, heading_path=tuple(chunk.heading_path), anchor=chunk.anchor, text=chunk.text,
        score=round(score, 6), citation=f"{book.title}, {number} {topic.title}", attribution=book.attribution,
        kind=chunk.kind, source_url=book.source_url, similarity=round(similarity, 6),
    )


def _section(top: Passage, *, score: float, confidence: float, passages: tuple[Passage, ...]) -> SectionHit:
    return SectionHit(
        topic_id=top.topic_id, module_id=top.module_id, book=top.book, book_title=top.book_title,
        subject=top.subject, chapter=top.chapter, chapter_title=top.chapter_title,
        section_number=top.section_number, section_title=top.section_title, citation=top.citation,
        attribution=top.attribution, source_url=top.source_url, score=round(score, 6),
        confidence=round(confidence, 4), passages=passages)
