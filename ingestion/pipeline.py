"""The five ingestion stages: Download → Process → Chunk → Embed → Index.

Each stage is a plain function (also wrapped as a Celery task in tasks.py) and is idempotent:
- Process re-parses a module only when its sha256 (or the parser version) changed.
- Chunk builds a new `IndexVersion` only when the book's fingerprint (module hashes + chunker +
  embedding model) differs from the active one; an interrupted build is resumed, module by module.
- Embed fills only chunks without a vector, reusing vectors of identical text from the same model.
- Index switches the active version atomically; until then searches keep reading the old one.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from ingestion.models import Book, Chapter, Topic
from vividly.providers import registry
from vividly.providers.base import ProviderError
from vividly.providers.onnx_embeddings import OnnxMiniLMEmbeddings

from . import chunking, cnxml, lexical, loading, retrieval
from .download import BookSource, discover_books, fetch
from .library_progress import report as report_library_progress
from .models import (
    EMBEDDING_COLUMNS,
    Chunk,
    IndexVersion,
    IngestionRun,
    PracticeItem,
    SourceDocument,
)
from .search import active_versions

logger = logging.getLogger(__name__)
STAGES = ("download", "process", "chunk", "embed", "index")
BOOK_ALIASES = {"physics": "physics", "chemistry": "chemistry", "biology": "biology"}
EMBED_BATCH = 128
EMBED_SLICE = 1024  # texts per encode call: progress is saved between slices
HNSW_REBUILD_MIN_ROWS = 1000  # loading at least this many rows drops the HNSW index; it is rebuilt after


def _progress(iterable: Iterable, *, total: int, desc: str, enabled: bool):
    if not enabled:
        return iterable
    from tqdm import tqdm  # noqa: PLC0415 - tqdm is loaded on first use (heavy or optional)

    return tqdm(iterable, total=total, desc=desc, unit="it", leave=False)


def record_error(run: IngestionRun, *, stage: str, book: str, module: str, error: str) -> None:
    """Append one error to the run (saved at once, so a crash keeps it)."""
    run.errors.append({"stage": stage, "book": book, "module": module, "error": str(error)[:500]})
    IngestionRun.objects.filter(pk=run.pk).update(errors=run.errors)


@contextmanager
def _stage(run: IngestionRun, name: str, book: str = ""):
    key = f"{book}:{name}" if book else name
    run.stage = name
    IngestionRun.objects.filter(pk=run.pk).update(stage=name)
    if book:
        report_library_progress(book, name)
    started = time.perf_counter()
    try:
        yield
    finally:
        run.timings[key] = round(run.timings.get(key, 0) + time.perf_counter() - started, 3)
        IngestionRun.objects.filter(pk=run.pk).update(timings=run.timings, counts=run.counts)


def _count(run: IngestionRun, key: str, n: int = 1) -> None:
    run.counts[key] = run.counts.get(key, 0) + n


def select_books(root: Path, book: str) -> list[BookSource]:
    """Books under root matching 'all' or a subject/slug."""
    books = discover_books(root)
    if book in {"all", ""}:
        return books
    return [b for b in books if b.slug == book or b.subject == BOOK_ALIASES.get(book, book)]


# --- stage 1: download --------------------------------------------------------------------------

def download_stage(*, run: IngestionRun, source: str | None, sha256: str = "") -> Path:
    """Resolve the source to a local folder (fetching and verifying an archive if it is a URL)."""
    with _stage(run, "download"):
        return fetch(source, sha256=sha256)


# --- stage 2: process ---------------------------------------------------------------------------

def process_book(*, run: IngestionRun, book: BookSource, force: bool = False, progress: bool = False) -> Book:
    """Parse the collection and changed modules; upsert Book/Chapter/Topic and practice items."""
    with _stage(run, "process", book.slug):
        meta = cnxml.read_meta(book.path)
        collection = cnxml.parse_collection(book.collection.read_bytes())
        book_row, _ = Book.objects.update_or_create(slug=book.slug, defaults={
            "title": meta.get("title") or collection.title or book.slug,
            "subject": book.subject,
            "attribution": meta.get("attribution", ""),
            "license_url": meta.get("license_url", ""),
            "source_commit": meta.get("source_commit", ""),
            "source_url": meta.get("book_url", ""),
        })
        chapters: dict[int, Chapter] = {}
        seen_modules: list[str] = []
        entries = [m for m in collection.modules if m.chapter_number is not None]
        _count(run, "front_back_matter_skipped", len(collection.modules) - len(entries))
        for entry in _progress(entries, total=len(entries), desc=f"process {book.slug}", enabled=progress):
            if entry.chapter_number not in chapters:
                chapters[entry.chapter_number], _ = Chapter.objects.update_or_create(
                    book=book_row, number=entry.chapter_number,
                    defaults={"title": entry.chapter_title, "unit_title": entry.unit_title})
            parsed = _parse_module(run=run, book=book, module_id=entry.module_id, force=force)
            if parsed is None:
                continue
            seen_modules.append(entry.module_id)
            _save_topic(run=run, chapter=chapters[entry.chapter_number], number=entry.section_number,
                        parsed=parsed)
        Topic.objects.filter(chapter__book=book_row).exclude(module_id__in=seen_modules).update(is_active=False)
        Chapter.objects.filter(book=book_row).exclude(number__in=list(chapters)).delete()
        return book_row


def _parse_module(*, run: IngestionRun, book: BookSource, module_id: str, force: bool) -> dict | None:
    path = book.path / "modules" / module_id / "index.cnxml"
    try:
        data = path.read_bytes()
    except OSError:
        record_error(run, stage="process", book=book.slug, module=module_id,
                     error=f"module {module_id} listed in the collection is missing ({path.name} not found)")
        _count(run, "modules_failed")
        return None
    digest = hashlib.sha256(data).hexdigest()
    doc = SourceDocument.objects.filter(book_slug=book.slug, module_id=module_id).first()
    if (doc and not force and doc.content_hash == digest and doc.parser_version == cnxml.PARSER_VERSION
            and doc.status == SourceDocument.Status.OK):
        _count(run, "modules_unchanged")
        return doc.parsed
    try:
        parsed = cnxml.parse_module(data, expected_id=module_id)
        if parsed["module_id"] != module_id:
            raise cnxml.CnxmlError(f"content-id {parsed['module_id']} does not match folder {module_id}")
    except cnxml.CnxmlError as exc:
        record_error(run, stage="process", book=book.slug, module=module_id, error=str(exc))
        SourceDocument.objects.update_or_create(book_slug=book.slug, module_id=module_id, defaults={
            "content_hash": digest, "parser_version": cnxml.PARSER_VERSION, "status": SourceDocument.Status.ERROR,
            "error": str(exc)[:2000]})
        _count(run, "modules_failed")
        # keep serving the last good parse of this module, if there is one
        return doc.parsed if doc and doc.status == SourceDocument.Status.OK else None
    SourceDocument.objects.update_or_create(book_slug=book.slug, module_id=module_id, defaults={
        "content_hash": digest, "parser_version": cnxml.PARSER_VERSION, "status": SourceDocument.Status.OK,
        "error": "", "parsed": parsed})
    _count(run, "modules_parsed")
    return parsed


@transaction.atomic
def _save_topic(*, run: IngestionRun, chapter: Chapter, number: int, parsed: dict) -> Topic:
    glossary = [{"term": g["term"], "meaning": g["meaning"]} for g in parsed["glossary"]]
    topic, _ = Topic.objects.update_or_create(module_id=parsed["module_id"], defaults={
        "chapter": chapter, "number": number, "title": parsed["title"][:300],
        "learning_objectives": parsed["objectives"], "key_terms": parsed["key_terms"],
        "glossary": glossary, "summary": parsed["summary"], "is_active": True})
    keep = []
    for item in parsed["practice"]:
        digest = hashlib.sha256(repr(sorted(item.items())).encode()).hexdigest()
        obj, _ = PracticeItem.objects.update_or_create(
            module_id=parsed["module_id"], element_id=item["element_id"][:120],
            defaults={"topic": topic, "section_class": item["section_class"][:80], "kind": item["kind"],
                      "problem": item["problem"], "choices": item["choices"], "solution": item["solution"],
                      "answer": item["answer"][:20], "content_hash": digest})
        keep.append(obj.pk)
    PracticeItem.objects.filter(module_id=parsed["module_id"]).exclude(pk__in=keep).delete()
    _count(run, "practice_items", len(keep))
    _count(run, "topics")
    return topic


# --- stage 3: chunk -----------------------------------------------------------------------------

def _fingerprint(book_slug: str, docs: list[SourceDocument], model: str) -> str:
    h = hashlib.sha256(f"{book_slug}|{cnxml.PARSER_VERSION}|{chunking.CHUNKER_VERSION}|{model}".encode())
    for doc in docs:
        h.update(f"|{doc.module_id}:{doc.content_hash}".encode())
    return h.hexdigest()


_MINILM = None


def _token_counter():
    """Word-piece counter: the provider's own, else MiniLM's (the tightest window we support)."""
    global _MINILM  # noqa: PLW0603 - a process-wide tokenizer cache
    provider = registry.get("embeddings")
    if hasattr(provider, "count_tokens"):
        return provider.count_tokens
    if _MINILM is None:

        _MINILM = OnnxMiniLMEmbeddings()  # only its tokenizer is used: no model is loaded
    return _MINILM.count_tokens


def chunk_book(*, run: IngestionRun, book_slug: str, force: bool = False, reembed: bool = False,
               progress: bool = False) -> IndexVersion | None:
    """Create the index version for the book's current content, embedded and loaded; None if up to date.

    Chunks are embedded as they are made (whole book, batched by length; vectors of unchanged text
    are reused unless `reembed`) and loaded with one COPY, so a version appears complete or not at
    all. A version left without vectors by an older run is finished by `embed_version`.
    """
    with _stage(run, "chunk", book_slug):
        provider = registry.get("embeddings")
        topics = {t.module_id: t for t in Topic.objects.filter(chapter__book__slug=book_slug, is_active=True)
                  .select_related("chapter__book")}
        docs = [d for d in SourceDocument.objects.filter(book_slug=book_slug, module_id__in=list(topics))
                .order_by("module_id") if d.parsed]
        fingerprint = _fingerprint(book_slug, docs, provider.model)
        active = IndexVersion.objects.filter(book_slug=book_slug, embedding_model=provider.model,
                                             status=IndexVersion.Status.ACTIVE).first()
        if active and active.fingerprint == fingerprint and not (force or reembed):
            _count(run, "books_up_to_date")
            return None
        if not force:
            resumable = IndexVersion.objects.filter(book_slug=book_slug, fingerprint=fingerprint,
                                                    embedding_model=provider.model,
                                                    status=IndexVersion.Status.BUILDING).first()
            if resumable and Chunk.objects.filter(version=resumable).exists():
                return resumable
        IndexVersion.objects.filter(book_slug=book_slug, embedding_model=provider.model,
                                    status=IndexVersion.Status.BUILDING).delete()  # abandoned builds
        version = IndexVersion.objects.create(book_slug=book_slug, fingerprint=fingerprint,
                                              embedding_model=provider.model, dimensions=provider.dimensions)
        count = _token_counter()
        rows: list[dict] = []
        for doc in _progress(docs, total=len(docs), desc=f"chunk {book_slug}", enabled=progress):
            topic = topics[doc.module_id]
            rows.extend({
                "version_id": version.pk, "topic_id": topic.pk, "module_id": doc.module_id,
                "book_slug": book_slug, "subject": topic.chapter.book.subject,
                "chapter_number": topic.chapter.number, "section_number": topic.number,
                "heading_path": d.heading_path, "anchor": d.anchor[:120], "ordinal": d.ordinal, "kind": d.kind,
                "text": d.text, "embed_text": d.embed_text, "text_hash": d.text_hash,
                "embedding_model": provider.model,
            } for d in chunking.chunk_module(doc.parsed, count=count, chapter_title=topic.chapter.title))
        _count(run, "chunks", len(rows))
    with _stage(run, "embed", book_slug):
        _embed_rows(run=run, rows=rows, provider=provider, dimensions=version.dimensions, reembed=reembed,
                    progress=progress, book_slug=book_slug)
    with _stage(run, "load", book_slug), transaction.atomic():
        if len(rows) >= HNSW_REBUILD_MIN_ROWS:  # one graph build after the load beats row-by-row inserts
            loading.drop_vector_index(version.dimensions)
        loading.copy_chunks(rows, dimensions=version.dimensions)
    return version


def _embed_rows(*, run: IngestionRun, rows: list[dict], provider, dimensions: int, reembed: bool,
                progress: bool, book_slug: str) -> None:
    """Attach a vector to every row: cached by text hash unless `reembed`, the rest embedded in slices."""
    cached = {} if reembed else loading.cached_vectors(sorted({r["text_hash"] for r in rows}),
                                                       model=provider.model, dimensions=dimensions)
    missing = sorted({r["text_hash"]: r["embed_text"] for r in rows if r["text_hash"] not in cached}.items())
    encode = getattr(provider, "encode", None) or (lambda texts: provider.embed_documents(texts).vectors)
    slices = range(0, len(missing), EMBED_SLICE)
    for start in _progress(slices, total=len(slices), desc=f"embed {book_slug}", enabled=progress):
        part = missing[start:start + EMBED_SLICE]
        vectors = encode([text for _, text in part])
        if len(vectors) != len(part) or any(len(v) != dimensions for v in vectors):
            raise ValueError("provider returned vectors of an unexpected dimension")
        cached.update({h: v for (h, _), v in zip(part, vectors, strict=True)})
        _count(run, "chunks_embedded", len(part))
        IngestionRun.objects.filter(pk=run.pk).update(counts=run.counts)  # progress, visible while it runs
        report_library_progress(book_slug, "embed", (start + len(part)) / len(missing))
    _count(run, "chunks_embedding_reused", len(rows) - len(missing))
    for row in rows:
        row["vector"] = cached[row["text_hash"]]


# --- stage 4: embed -----------------------------------------------------------------------------

def embed_version(*, run: IngestionRun, version: IndexVersion, reembed: bool = False,
                  progress: bool = False) -> int:
    """Give every chunk of the version a vector; batches commit as they go (resumable)."""
    with _stage(run, "embed", version.book_slug):
        provider = registry.get("embeddings")
        if provider.model != version.embedding_model:
            raise ValueError(f"version {version.pk} is for {version.embedding_model}, provider is {provider.model}")
        column = EMBEDDING_COLUMNS[version.dimensions]
        todo = list(Chunk.objects.filter(version=version, **{f"{column}__isnull": True})
                    .order_by("pk").values_list("pk", "embed_text", "text_hash"))
        embedded = 0
        batches = range(0, len(todo), EMBED_BATCH)
        for start in _progress(batches, total=len(batches), desc=f"embed {version.book_slug}", enabled=progress):
            batch = todo[start:start + EMBED_BATCH]
            cached: dict[str, list[float]] = {}
            if not reembed:
                cached = dict(Chunk.objects.filter(
                    text_hash__in=[h for _, _, h in batch], embedding_model=provider.model,
                    **{f"{column}__isnull": False}).values_list("text_hash", column))
            missing = [(pk, text, h) for pk, text, h in batch if h not in cached]
            if missing:
                result = provider.embed_documents([text for _, text, _ in missing])
                if result.dimensions != version.dimensions:
                    raise ValueError("provider returned vectors of an unexpected dimension")
                for (_, _, h), vector in zip(missing, result.vectors, strict=True):
                    cached[h] = vector
            rows = [Chunk(pk=pk, **{column: cached[h]}) for pk, _, h in batch]
            Chunk.objects.bulk_update(rows, [column])
            embedded += len(missing)
            _count(run, "chunks_embedded", len(missing))
            _count(run, "chunks_embedding_reused", len(batch) - len(missing))
        return embedded


# --- stage 5: index -----------------------------------------------------------------------------

def index_version(*, run: IngestionRun, version: IndexVersion, build_vector_index: bool = True) -> IndexVersion:
    """Fill full-text vectors and atomically make this version the one searches read.

    The book's other versions of the same model, and of superseded variants of it (the torch
    MiniLM before the ONNX export, fp32 before int8: same base name before '#'), are retired and
    deleted; versions of an unrelated model (Vertex AI) are kept for a switch back.
    """
    with _stage(run, "index", version.book_slug):
        column = EMBEDDING_COLUMNS[version.dimensions]
        missing = Chunk.objects.filter(version=version, **{f"{column}__isnull": True}).count()
        if missing:
            raise RuntimeError(f"{missing} chunks of version {version.pk} still have no embedding")
        loading.fill_search_vectors(version.pk)
        family = version.embedding_model.split("#", 1)[0]
        with transaction.atomic():
            IndexVersion.objects.select_for_update().filter(book_slug=version.book_slug)
            old = [v for v in IndexVersion.objects.filter(book_slug=version.book_slug).exclude(pk=version.pk)
                   if v.embedding_model.split("#", 1)[0] == family]
            IndexVersion.objects.filter(pk__in=[v.pk for v in old]).update(status=IndexVersion.Status.RETIRED)
            version.status = IndexVersion.Status.ACTIVE
            version.activated_at = timezone.now()
            version.save(update_fields=["status", "activated_at"])
        # the old rows are no longer read; drop them outside the switch transaction
        retired_chunks = list(Chunk.objects.filter(version_id__in=[v.pk for v in old]).values_list("pk", flat=True))
        IndexVersion.objects.filter(pk__in=[v.pk for v in old]).delete()
        _count(run, "versions_activated")
        _publish(run, version, retired_chunks)
    if build_vector_index:  # run_ingest builds them once, after its last book
        with _stage(run, "search_indexes", version.book_slug):
            prepare_search_indexes(version.dimensions)
    return version


def _publish(run: IngestionRun, version: IndexVersion, retired_chunks: list[int]) -> None:
    """Stream the version into Vertex AI Vector Search (RETRIEVAL_BACKEND); a failure is recorded on
    the run, searches fall back to pgvector, and `manage.py vector_index sync` publishes again."""
    try:
        sent = retrieval.publish_version(version.pk, retired_chunk_ids=retired_chunks)
    except ProviderError as exc:
        record_error(run, stage="vector_search", book=version.book_slug, module="", error=str(exc)[:300])
        return
    if sent:
        _count(run, "datapoints_upserted", sent)


def prepare_search_indexes(dimensions: int) -> None:
    """The HNSW index (if a load dropped it) and the saved BM25 index of the active versions."""

    loading.ensure_vector_index(dimensions)
    lexical.prepare_for(active_versions(model=registry.get("embeddings").model))


# --- orchestration ------------------------------------------------------------------------------

def start_run(*, book: str = "all", source: str | None = None, force: bool = False, reembed: bool = False,
              sha256: str = "") -> IngestionRun:
    """Create the IngestionRun row (the admin action does this, then enqueues `run_ingest`)."""
    return IngestionRun.objects.create(books=[book], source=source or "", options={
        "force": force, "reembed": reembed, "sha256": sha256})


def run_ingest(*, book: str = "all", source: str | None = None, force: bool = False, reembed: bool = False,
               sha256: str = "", run: IngestionRun | None = None, progress: bool = False,
               stop_after: str | None = None) -> IngestionRun:
    """Run all five stages for the selected books; errors are recorded, never half-indexed.

    The next book is parsed in a second thread while the current one embeds (ONNX Runtime releases
    the GIL), and the HNSW index is rebuilt once at the end when the run loaded many rows.
    """
    run = run or start_run(book=book, source=source, force=force, reembed=reembed, sha256=sha256)
    started = time.perf_counter()
    dimensions = registry.get("embeddings").dimensions
    try:
        root = download_stage(run=run, source=source, sha256=sha256)
        books = select_books(root, book)
        if not books:
            raise ValueError(f"no book matching {book!r} under {root}")
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-parse") as parser:
            parsing = parser.submit(_process_in_thread, run=run, book=books[0], force=force, progress=progress)
            for position, source_book in enumerate(books):
                parsing.result()
                if position + 1 < len(books):
                    parsing = parser.submit(_process_in_thread, run=run, book=books[position + 1], force=force,
                                            progress=progress)
                if stop_after == "process":
                    continue
                version = chunk_book(run=run, book_slug=source_book.slug, force=force, reembed=reembed,
                                     progress=progress)
                if version is None or stop_after == "chunk":
                    continue
                embed_version(run=run, version=version, reembed=reembed, progress=progress)
                if stop_after == "embed":
                    continue
                index_version(run=run, version=version, build_vector_index=False)
        run.status = IngestionRun.Status.PARTIAL if run.errors else IngestionRun.Status.SUCCEEDED
    except Exception as exc:
        logger.exception("ingestion run failed", extra={"run": run.pk})
        record_error(run, stage=run.stage or "download", book=book, module="", error=f"{exc.__class__.__name__}: {exc}")
        run.status = IngestionRun.Status.FAILED
    finally:
        with _stage(run, "search_indexes"):
            prepare_search_indexes(dimensions)
    run.timings["total"] = round(time.perf_counter() - started, 3)
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "timings", "counts", "finished_at", "stage"])
    return run


def _process_in_thread(*, run: IngestionRun, book: BookSource, force: bool, progress: bool) -> Book:
    try:
        return process_book(run=run, book=book, force=force, progress=progress)
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close()  # this thread's own connection
