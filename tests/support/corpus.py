"""Reusable pytest fixtures: `mini_corpus` ingests the tiny hand-written CNXML corpus for real.

Registered in the root conftest.py (`pytest_plugins`). The corpus
(`ingestion/tests/fixtures/mini/`: Physics, Chemistry 2e and Biology 2e, three to six modules each,
one malformed) is embedded with the real local MiniLM provider and indexed in pgvector once per
session; later tests only re-ingest if a transactional test flushed the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ingestion.models import Book, IndexVersion, Topic
from ingestion.pipeline import run_ingest

MINI_CORPUS_DIR = Path(__file__).resolve().parents[2] / "ingestion" / "tests" / "fixtures" / "mini"
MINI_MODULES = {
    "physics": ["m90100", "m90101", "m90102", "m90200", "m90201"],  # m90202 is malformed on purpose
    "chemistry-2e": ["m91100", "m91101", "m91102"],
    "biology-2e": ["m92100", "m92101", "m92102"],
}


@dataclass
class MiniCorpus:
    """What `mini_corpus` gives a test: the source folder, the last run and the catalogue rows."""

    path: Path
    run: object
    books: dict = field(default_factory=dict)   # slug → content.Book
    topics: dict = field(default_factory=dict)  # module_id → content.Topic

    def topic(self, module_id: str):
        return self.topics[module_id]


def _is_ingested() -> bool:
    expected = sum(len(v) for v in MINI_MODULES.values())
    return (Topic.objects.filter(module_id__in=[m for v in MINI_MODULES.values() for m in v]).count() == expected
            and IndexVersion.objects.filter(status=IndexVersion.Status.ACTIVE,
                                            book_slug__in=list(MINI_MODULES)).count() >= len(MINI_MODULES))


def ingest_mini_corpus(*, force: bool = False):
    """Ingest (idempotently) the mini corpus into the current database; returns the IngestionRun."""

    return run_ingest(book="all", source=str(MINI_CORPUS_DIR), force=force)


def _load(run) -> MiniCorpus:
    return MiniCorpus(
        path=MINI_CORPUS_DIR, run=run,
        books={b.slug: b for b in Book.objects.filter(slug__in=list(MINI_MODULES))},
        topics={t.module_id: t for t in Topic.objects.filter(
            module_id__in=[m for v in MINI_MODULES.values() for m in v]).select_related("chapter__book")},
    )


@pytest.fixture(scope="session")
def _mini_corpus_session(django_db_setup, django_db_blocker):
    """Commit the mini corpus once per session (embedding ~60 chunks takes a few seconds)."""
    with django_db_blocker.unblock():
        return ingest_mini_corpus()


@pytest.fixture
def mini_corpus(_mini_corpus_session, db) -> MiniCorpus:
    """The ingested mini corpus (Book/Chapter/Topic rows, chunks with real embeddings, practice items)."""
    run = _mini_corpus_session
    if not _is_ingested():  # a transactional test flushed the tables
        run = ingest_mini_corpus()
    return _load(run)
