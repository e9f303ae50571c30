"""Thin Celery wrappers (queue "ingestion"): one per stage plus the whole run (the admin uses it)."""

from __future__ import annotations

from pathlib import Path

from celery import shared_task

from vividly.providers.base import ProviderRetryable

from . import library, pipeline
from .download import discover_books
from .models import IndexVersion, IngestionRun, LibraryBook

TASK_OPTIONS = {"bind": True, "acks_late": True, "autoretry_for": (ProviderRetryable,), "retry_backoff": True,
                "retry_jitter": True, "max_retries": 5}
# routed to the "ingestion" queue by settings.CELERY_TASK_ROUTES ("ingestion.*")


@shared_task(name="ingestion.run_ingest", **TASK_OPTIONS)
def run_ingest_task(self, run_id: int) -> str:
    """Run every stage for an IngestionRun created by `pipeline.start_run`."""
    run = IngestionRun.objects.get(pk=run_id)
    options = run.options or {}
    pipeline.run_ingest(book=(run.books or ["all"])[0], source=run.source or None, run=run,
                        force=options.get("force", False), reembed=options.get("reembed", False),
                        sha256=options.get("sha256", ""))
    return IngestionRun.objects.get(pk=run_id).status


@shared_task(name="ingestion.download_source", **TASK_OPTIONS)
def download_task(self, run_id: int, source: str | None = None, sha256: str = "") -> str:
    """Stage 1: resolve the source to a local folder."""
    return str(pipeline.download_stage(run=IngestionRun.objects.get(pk=run_id), source=source, sha256=sha256))


@shared_task(name="ingestion.process_book", **TASK_OPTIONS)
def process_task(self, run_id: int, root: str, book_slug: str, force: bool = False) -> str:
    """Stage 2: parse a book's modules and fill the catalogue."""

    book = next(b for b in discover_books(Path(root)) if b.slug == book_slug)
    return pipeline.process_book(run=IngestionRun.objects.get(pk=run_id), book=book, force=force).slug


@shared_task(name="ingestion.chunk_book", **TASK_OPTIONS)
def chunk_task(self, run_id: int, book_slug: str, force: bool = False, reembed: bool = False) -> int | None:
    """Stage 3: build (or resume) the book's next index version."""
    version = pipeline.chunk_book(run=IngestionRun.objects.get(pk=run_id), book_slug=book_slug,
                                  force=force, reembed=reembed)
    return version.pk if version else None


@shared_task(name="ingestion.embed_version", **TASK_OPTIONS)
def embed_task(self, run_id: int, version_id: int, reembed: bool = False) -> int:
    """Stage 4: embed the version's chunks that have no vector yet."""
    return pipeline.embed_version(run=IngestionRun.objects.get(pk=run_id),
                                  version=IndexVersion.objects.get(pk=version_id), reembed=reembed)


@shared_task(name="ingestion.index_version", **TASK_OPTIONS)
def index_task(self, run_id: int, version_id: int) -> int:
    """Stage 5: full-text vectors and the atomic switch to the new version."""
    return pipeline.index_version(run=IngestionRun.objects.get(pk=run_id),
                                  version=IndexVersion.objects.get(pk=version_id)).pk


@shared_task(name="ingestion.prepare_library", bind=True, acks_late=True)
def prepare_library_task(self, source: str | None = None) -> list[str]:
    """Prepare the WAITING books of the library in order (Physics first); see `ingestion.library`.

    No autoretry: a failed book is marked FAILED (visible in the admin, with its error) and retried
    from the admin or by the next `make run`, resuming what the pipeline already finished.
    """

    library.prepare(source=source)
    return list(LibraryBook.objects.filter(state=LibraryBook.State.READY).values_list("book_slug", flat=True))
