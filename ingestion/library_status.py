"""What people see while the library is prepared: per-book states, one summary line, and the
friendly answer to a question whose book is not searchable yet. Read-only (one small query)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils.translation import gettext as _

from .models import IndexVersion, LibraryBook

POLL_SECONDS = 5
CACHE_KEY = "ingestion:library-status:v1"
CACHE_SECONDS = 3
_FIELDS = ("id", "book_slug", "title", "subject", "position", "state", "stage", "percent", "error", "updated_at",
           "ready_at")


@dataclass
class LibraryStatus:
    books: list[LibraryBook] = field(default_factory=list)

    @property
    def preparing(self) -> bool:
        """True while any book is not ready (waiting, being prepared or failed)."""
        return any(b.state != LibraryBook.State.READY for b in self.books)

    @property
    def failed(self) -> list[LibraryBook]:
        return [b for b in self.books if b.state == LibraryBook.State.FAILED]

    def book(self, slug: str) -> LibraryBook | None:
        return next((b for b in self.books if b.book_slug == slug), None)

    @property
    def summary(self) -> str:
        """ "Preparing the library: Physics ready, Chemistry 40%, Biology waiting", or "" when all are ready."""
        if not self.preparing:
            return ""
        return _("Preparing the library: %(books)s") % {"books": ", ".join(_book_phrase(b) for b in self.books)}


def _book_phrase(book: LibraryBook) -> str:
    if book.state == LibraryBook.State.READY:
        return _("%(book)s ready") % {"book": book.label}
    if book.state == LibraryBook.State.PREPARING:
        return f"{book.label} {book.percent}%"
    if book.state == LibraryBook.State.FAILED:
        return _("%(book)s paused by a problem") % {"book": book.label}
    return _("%(book)s waiting") % {"book": book.label}


def _searchable(book_slug: str) -> bool:
    from vividly.providers import registry

    return IndexVersion.objects.filter(book_slug=book_slug, status=IndexVersion.Status.ACTIVE,
                                       embedding_model=registry.get("embeddings").model).exists()


def library_status() -> LibraryStatus:
    """The books' states in preparation order; no rows (tests, a library never planned) reads as ready.

    Shared by every page for CACHE_SECONDS (one cache read instead of a query per page view);
    every write in `ingestion.library` and `library_progress` drops the cached copy.
    """
    rows = cache.get(CACHE_KEY)
    if rows is None:
        rows = list(LibraryBook.objects.values(*_FIELDS))
        cache.set(CACHE_KEY, rows, CACHE_SECONDS)
    return LibraryStatus(books=[LibraryBook(**row) for row in rows])


def forget() -> None:
    cache.delete(CACHE_KEY)


def not_ready_answer(question: str) -> str:
    """A friendly explanation when the question is about a book that is not searchable yet, else "".

    Only asked while some book is still being prepared; the book is guessed from the catalogue's
    words (`book_guess`), which every book has within a minute or two of the start.
    """
    status = library_status()
    if not status.preparing:
        return ""
    from .book_guess import guess_book

    slug = guess_book(question)
    book = status.book(slug) if slug else None
    if book is None or book.state == LibraryBook.State.READY or _searchable(book.book_slug):
        return ""  # a changed book being prepared again keeps serving its previous version
    ready = [b.label for b in status.books if b.state == LibraryBook.State.READY]
    progress = _(" (%(percent)s%% done)") % {"percent": book.percent} \
        if book.state == LibraryBook.State.PREPARING else ""
    answer = _("That sounds like a %(book)s question. We're still adding the %(book)s textbook to the library"
               "%(progress)s, so please ask again in a few minutes.") % {"book": book.label, "progress": progress}
    if ready:
        answer += " " + _("You can already ask about %(ready)s.") % {"ready": " and ".join(ready)}
    return answer
