"""What people see while the library is prepared: per-book states, one summary line, and the
friendly answer to a question whose book is not searchable yet. Read-only (one small query)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from vividly.providers import registry

from .book_guess import guess_book
from .models import IndexVersion, LibraryBook
from .search import search_sections

POLL_SECONDS = 5
CACHE_KEY = "ingestion:library-status:v1"
CACHE_SECONDS = 600  # a safety net only: every write drops the shared copy (`forget`)
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


def library_status() -> LibraryStatus:
    """The books' states in preparation order; no rows (tests, a library never planned) reads as ready.

    Shared by every page (one cache read instead of a query per page view); every write in
    `ingestion.library` and `library_progress` drops the shared copy, so it is never stale.
    """
    rows = cache.get(CACHE_KEY)
    if rows is None:
        rows = list(LibraryBook.objects.values(*_FIELDS))
        cache.set(CACHE_KEY, rows, CACHE_SECONDS)
    return LibraryStatus(books=[LibraryBook(**row) for row in rows])


def forget() -> None:
    """Drop the shared copy now and again after the current transaction commits (a page viewed in
    between could have cached the rows as they were before the commit)."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def _searchable_books() -> set[str]:

    return set(IndexVersion.objects.filter(status=IndexVersion.Status.ACTIVE,
                                           embedding_model=registry.get("embeddings").model)
               .values_list("book_slug", flat=True))


def _best_ready_confidence(question: str) -> float:
    """How well the books searchable now answer the question (the lesson pipeline's own confidence)."""

    hits = search_sections(question, k=1)
    return hits[0].confidence if hits else 0.0


def not_ready_answer(question: str) -> str:
    """A friendly explanation when the question needs a book that is not searchable yet, else "".

    Asked only while some book is still being prepared. If the searchable books answer the question
    as confidently as a lesson needs (LESSON_CONFIDENCE_THRESHOLD), it goes through as usual. Otherwise
    the answer names the book the question is probably about (`book_guess`) when that book is not
    ready, or lists the books still being added. On bench/data's 158 questions with only Physics
    ready: 50 of 55 biology and 37 of 53 chemistry questions get it, and 5 of 50 physics ones (whose
    best physics match is too weak for a lesson: they would be asked to pick a section).
    """
    status = library_status()
    if not status.preparing:
        return ""
    searchable = _searchable_books()
    pending = [b for b in status.books if b.state != LibraryBook.State.READY and b.book_slug not in searchable]
    if not pending:  # books being prepared again keep serving their previous version
        return ""
    if searchable and _best_ready_confidence(question) >= settings.LESSON_CONFIDENCE_THRESHOLD:
        return ""

    guessed = status.book(guess_book(question) or "")
    ready = [b.label for b in status.books if b.book_slug in searchable]
    if guessed in pending:
        progress = _(" (%(percent)s%% done)") % {"percent": guessed.percent} \
            if guessed.state == LibraryBook.State.PREPARING else ""
        answer = _("This looks like a %(book)s question, and we're still adding the %(book)s textbook to the "
                   "library%(progress)s. Please ask again in a few minutes.") % {
            "book": guessed.label, "progress": progress}
    else:
        answer = _("We're still adding some textbooks to the library (%(books)s). If your question is about "
                   "one of them, please ask again in a few minutes.") % {
            "books": ", ".join(_book_phrase(b) for b in pending)}
    if ready:
        answer += " " + _("You can already ask about %(ready)s.") % {"ready": " and ".join(ready)}
    return answer
