"""BM25 over the active chunks, in process (bm25s: sparse matrices, Snowball stemming).

PostgreSQL's `ts_rank_cd` has no inverse document frequency, so a long question ranks by its
commonest words; BM25 weighs rare, telling words. The index covers the active versions of one
embedding model (~10,000 chunks, a few MB) — `index_for(version_ids)`. The ingest builds it and saves
it under settings.SEARCH_INDEX_DIR; a web or worker process memory-maps the saved copy (milliseconds)
and keeps it until the set of active versions changes. A process that finds no saved copy builds
one (seconds) and saves it for the others.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)
INDEX_FORMAT = 1  # bump when the tokenisation or the saved layout changes
_LOCK = threading.Lock()
_CACHE: dict[tuple[int, ...], LexicalIndex] = {}


def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@dataclass
class LexicalIndex:
    ids: np.ndarray          # chunk ids, row order of the BM25 matrix
    module_ids: np.ndarray   # per row
    books: np.ndarray
    subjects: np.ndarray
    chapters: np.ndarray
    retriever: object
    stemmer: object

    @classmethod
    def build(cls, version_ids: tuple[int, ...]) -> LexicalIndex:
        import bm25s

        from .models import Chunk

        rows = list(Chunk.objects.filter(version_id__in=version_ids).order_by("pk")
                    .values_list("pk", "module_id", "book_slug", "subject", "chapter_number", "embed_text"))
        stemmer = _stemmer()
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        if rows:
            tokens = bm25s.tokenize([r[5] for r in rows], stopwords="en", stemmer=stemmer, show_progress=False)
            retriever.index(tokens, show_progress=False)
        columns = list(zip(*rows, strict=True)) if rows else [()] * 6
        return cls(ids=np.array(columns[0], dtype=np.int64), module_ids=np.array(columns[1], dtype=object),
                   books=np.array(columns[2], dtype=object), subjects=np.array(columns[3], dtype=object),
                   chapters=np.array(columns[4], dtype=np.int64), retriever=retriever, stemmer=stemmer)

    def save(self, directory: Path) -> None:
        """Write the index atomically (a temporary folder renamed into place)."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(dir=directory.parent, prefix=".building-"))
        try:
            if len(self.ids):
                self.retriever.save(str(scratch / "bm25"), show_progress=False)
            np.savez(scratch / "rows.npz", ids=self.ids, chapters=self.chapters,
                     module_ids=self.module_ids.astype(str), books=self.books.astype(str),
                     subjects=self.subjects.astype(str))
            os.replace(scratch, directory)
        except OSError:  # another process saved the same index first
            logger.debug("lexical index already saved", exc_info=True)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        import bm25s

        rows = np.load(directory / "rows.npz")
        retriever = (bm25s.BM25.load(str(directory / "bm25"), mmap=True, show_progress=False, verbosity=0)
                     if (directory / "bm25").exists() else bm25s.BM25(k1=1.2, b=0.75))
        return cls(ids=rows["ids"], chapters=rows["chapters"], module_ids=rows["module_ids"].astype(object),
                   books=rows["books"].astype(object), subjects=rows["subjects"].astype(object),
                   retriever=retriever, stemmer=_stemmer())

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for the query (zeros when no query word is indexed)."""
        import bm25s

        if not len(self.ids):
            return np.zeros(0, dtype=np.float32)
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=self.stemmer, show_progress=False,
                                return_ids=False)[0]
        known = [t for t in tokens if t in self.retriever.vocab_dict]
        if not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)

    def mask(self, filters: dict) -> np.ndarray | None:
        """Rows allowed by search filters (None: all)."""
        keep = None
        for key, column in (("subject", self.subjects), ("book", self.books), ("module_id", self.module_ids)):
            if filters.get(key):
                match = column == filters[key]
                keep = match if keep is None else keep & match
        if filters.get("chapter") not in (None, ""):
            match = self.chapters == int(filters["chapter"])
            keep = match if keep is None else keep & match
        return keep

    def top(self, query: str, *, limit: int, filters: dict | None = None) -> list[tuple[int, float]]:
        """Best (chunk id, BM25 score) pairs, best first, only rows with a positive score."""
        scores = self.scores(query)
        if not len(scores):
            return []
        allowed = self.mask(filters or {})
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        limit = min(limit, len(scores))
        best = np.argpartition(-scores, limit - 1)[:limit]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(self.ids[i]), float(scores[i])) for i in best if scores[i] > 0]


def _directory(key: tuple[int, ...]) -> Path:
    """Where the index of these versions is saved: named by database, version ids and fingerprints."""
    from django.conf import settings
    from django.db import connection

    from .models import IndexVersion

    fingerprints = sorted(IndexVersion.objects.filter(pk__in=key).values_list("pk", "fingerprint"))
    database = hashlib.sha256(str(connection.settings_dict["NAME"]).encode()).hexdigest()[:8]
    versions = hashlib.sha256(f"{INDEX_FORMAT}|{fingerprints}".encode()).hexdigest()[:24]
    return Path(settings.SEARCH_INDEX_DIR) / f"bm25-{database}-{versions}"


def index_for(version_ids: list[int]) -> LexicalIndex:
    """The process's BM25 index for exactly these active versions (loaded or built once, then reused)."""
    key = tuple(sorted(version_ids))
    found = _CACHE.get(key)
    if found is not None:
        return found
    with _LOCK:
        found = _CACHE.get(key)
        if found is None:
            found = _load_or_build(key)
            _CACHE.clear()  # only the current set of versions is ever searched
            _CACHE[key] = found
        return found


def _load_or_build(key: tuple[int, ...]) -> LexicalIndex:
    directory = _directory(key)
    if (directory / "rows.npz").exists():
        try:
            return LexicalIndex.load(directory)
        except (OSError, ValueError, KeyError):
            logger.warning("saved lexical index unreadable; rebuilding", exc_info=True)
    index = LexicalIndex.build(key)
    index.save(directory)
    return index


def prepare_for(version_ids: list[int]) -> None:
    """Build and save the index of these versions now (the ingest calls this after activating),
    and delete this database's saved indexes of older version sets."""
    keep = _directory(tuple(sorted(version_ids)))
    index_for(version_ids)
    for path in keep.parent.glob(keep.name.rsplit("-", 1)[0] + "-*"):
        if path != keep:
            shutil.rmtree(path, ignore_errors=True)


def reset() -> None:
    """Forget built indexes (tests that rebuild the corpus call this)."""
    with _LOCK:
        _CACHE.clear()
