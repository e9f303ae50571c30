"""Per-book progress written by the pipeline's stages while `ingestion.library` prepares a book."""

from __future__ import annotations

from django.utils import timezone

from .library_status import forget
from .models import LibraryBook

# share of the progress bar per stage, (start, end) in percent: embedding is most of the work
STAGE_SPAN = {"process": (0, 10), "chunk": (10, 15), "embed": (15, 90), "load": (90, 94), "index": (94, 97),
              "search_indexes": (97, 99)}


def report(book_slug: str, stage: str, fraction: float = 0.0) -> None:
    """Record the stage and percent; a no-op unless the book is PREPARING (a plain `manage.py ingest`
    leaves the library rows alone)."""
    if stage not in STAGE_SPAN:
        return
    start, end = STAGE_SPAN[stage]
    percent = int(start + max(0.0, min(1.0, fraction)) * (end - start))
    # never backwards: a resumed version's embed stage runs again after the load, with nothing to do
    LibraryBook.objects.filter(book_slug=book_slug, state=LibraryBook.State.PREPARING,
                               percent__lte=percent).update(
        stage=stage, percent=percent, updated_at=timezone.now())
    forget()
