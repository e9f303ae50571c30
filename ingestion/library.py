"""Prepare the library in the background, book by book (Physics first), with progress people can see.

`make run` calls `plan()` (via `manage.py prepare_library`) right after the seed: it compares each
book's source fingerprint with the one recorded when the book was last prepared and enqueues
`ingestion.prepare_library` only if something changed, so a second start serves at once. The task
runs on the "ingestion" queue (a niced, one-process worker in the Procfile): all books are parsed
one after the other in a side thread (the catalogue fills within a minute or two) while the main
thread chunks, embeds and indexes each book in order. A book is marked READY only after its new
index version is active and the search indexes are saved; a crash leaves it PREPARING or FAILED
(never READY) and `retry()` or the next start picks it up where the pipeline left off.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from vividly.providers import registry

from . import chunking, cnxml, pipeline
from .download import BookSource, discover_books, fetch
from .library_status import forget
from .models import IndexVersion, IngestionRun, LibraryBook

logger = logging.getLogger(__name__)
ORDER = ("physics", "chemistry", "biology")  # the first lessons most people ask for come first


def _position(book: BookSource) -> int:
    return ORDER.index(book.subject) if book.subject in ORDER else len(ORDER)


def ordered_books(root: Path) -> list[BookSource]:
    return sorted(discover_books(root), key=lambda b: (_position(b), b.slug))


def source_fingerprint(book: BookSource, model: str) -> str:
    """sha256 of the book's metadata, collection and module files, plus parser, chunker and model
    versions: equal to the recorded one means preparing the book again would change nothing."""
    digest = hashlib.sha256(f"{cnxml.PARSER_VERSION}|{chunking.CHUNKER_VERSION}|{model}".encode())
    files = [book.path / "META.json", book.collection, *sorted(book.path.glob("modules/*/index.cnxml"))]
    for path in files:
        if path.exists():
            digest.update(f"|{path.relative_to(book.path)}|".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _is_searchable(book_slug: str, model: str) -> bool:
    return IndexVersion.objects.filter(book_slug=book_slug, embedding_model=model,
                                       status=IndexVersion.Status.ACTIVE).exists()


def plan(*, source: str | None = None) -> list[LibraryBook]:
    """Record every book of the corpus with its state; return those that need preparing.

    A book whose recorded fingerprint matches and that has an active index version stays READY;
    every other one (new, changed, failed, or left PREPARING by a crashed worker) becomes WAITING.
    """
    root = fetch(source)
    model = registry.get("embeddings").model
    todo = []
    for position, book in enumerate(ordered_books(root)):
        fingerprint = source_fingerprint(book, model)
        row, _ = LibraryBook.objects.get_or_create(book_slug=book.slug, defaults={
            "subject": book.subject, "title": cnxml.read_meta(book.path).get("title", "") or book.slug})
        row.position, row.subject = position, book.subject
        if row.state == LibraryBook.State.READY and row.source_fingerprint == fingerprint \
                and _is_searchable(book.slug, model):
            row.save(update_fields=["position", "subject", "updated_at"])
            continue
        row.state, row.stage, row.percent = LibraryBook.State.WAITING, "", 0
        row.save(update_fields=["position", "subject", "state", "stage", "percent", "updated_at"])
        todo.append(row)
    LibraryBook.objects.exclude(book_slug__in=[b.slug for b in discover_books(root)]).delete()
    forget()
    return todo


def start(*, source: str | None = None) -> list[LibraryBook]:
    """Plan, and enqueue the background preparation if any book needs it (after commit)."""
    from .tasks import prepare_library_task  # noqa: PLC0415 - tasks imports this module

    todo = plan(source=source)
    if todo:
        transaction.on_commit(lambda: prepare_library_task.delay(source))
    return todo


def retry(book_slugs: list[str]) -> int:
    """Put failed (or stuck) books back in the queue; the pipeline resumes what is already done."""
    from .tasks import prepare_library_task  # noqa: PLC0415 - tasks imports this module

    count = (LibraryBook.objects.filter(book_slug__in=book_slugs).exclude(state=LibraryBook.State.READY)
             .update(state=LibraryBook.State.WAITING, stage="", percent=0, error=""))
    forget()
    if count:
        transaction.on_commit(lambda: prepare_library_task.delay(None))
    return count


def prepare(*, source: str | None = None) -> None:
    """Prepare every WAITING book in order (the Celery task's body)."""
    root = fetch(source)
    rows = {r.book_slug: r for r in LibraryBook.objects.filter(state=LibraryBook.State.WAITING)}
    books = [b for b in ordered_books(root) if b.slug in rows]
    if not books:
        return
    model = registry.get("embeddings").model
    runs = {b.slug: pipeline.start_run(book=b.slug, source=str(root)) for b in books}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="library-parse") as parser:
        # one side thread parses every book in order; the main thread embeds as soon as one is parsed
        parsing = {b.slug: parser.submit(_process_in_thread, run=runs[b.slug], book=b) for b in books}
        for book in books:
            _prepare_book(book, run=runs[book.slug], parsing=parsing[book.slug], model=model)


def _process_in_thread(*, run: IngestionRun, book: BookSource):
    try:
        return pipeline.process_book(run=run, book=book)
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close()


def _prepare_book(book: BookSource, *, run: IngestionRun, parsing: Future, model: str) -> None:
    claimed = LibraryBook.objects.filter(book_slug=book.slug, state=LibraryBook.State.WAITING).update(
        state=LibraryBook.State.PREPARING, stage="process", percent=0, error="", updated_at=timezone.now())
    forget()
    if not claimed:  # another worker took it, or an admin removed it meanwhile
        return
    started = time.perf_counter()
    try:
        parsing.result()
        version = pipeline.chunk_book(run=run, book_slug=book.slug)
        if version is not None:
            pipeline.embed_version(run=run, version=version)  # finishes a resumed version's missing vectors
            pipeline.index_version(run=run, version=version)  # the switch, then the HNSW and BM25 indexes
        else:
            pipeline.prepare_search_indexes(registry.get("embeddings").dimensions)
        if not _is_searchable(book.slug, model):
            raise RuntimeError("no active index version after preparing the book")
    except Exception as exc:
        logger.exception("preparing a book failed", extra={"book": book.slug, "run": run.pk})
        pipeline.record_error(run, stage=run.stage or "process", book=book.slug, module="",
                              error=f"{exc.__class__.__name__}: {exc}")
        _finish_run(run, IngestionRun.Status.FAILED, started)
        LibraryBook.objects.filter(book_slug=book.slug).update(
            state=LibraryBook.State.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:500],
            updated_at=timezone.now())
        forget()
        return
    _finish_run(run, IngestionRun.Status.PARTIAL if run.errors else IngestionRun.Status.SUCCEEDED, started)
    LibraryBook.objects.filter(book_slug=book.slug).update(
        state=LibraryBook.State.READY, stage="", percent=100, error="", ready_at=timezone.now(),
        source_fingerprint=source_fingerprint(book, model), updated_at=timezone.now())
    forget()


def _finish_run(run: IngestionRun, status: str, started: float) -> None:
    run.status = status
    run.timings["total"] = round(time.perf_counter() - started, 3)
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "timings", "counts", "finished_at", "stage"])
