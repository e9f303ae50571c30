"""Which textbook a question is probably about, from the catalogue alone (no embeddings needed).

While the library is being prepared, a book's sections (titles, key terms, learning objectives,
glossary terms, summary) are in the catalogue a minute or two after the start, but its passages
are searchable only minutes later. BM25 over one short "document" per section names the book the
friendly "not ready yet" answer talks about (`library_status.not_ready_answer`; whether to give it
at all is decided by the search over the ready books). On the 158 questions of bench/data it names
the right book for 109, the wrong one for 16, and none for 33 (best section per book; summing the
top three favoured the big Biology book). Built once per process per catalogue (well under a second).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import bm25s
import numpy as np
import Stemmer
from django.db.models import Count, Max

from ingestion.models import Topic

_LOCK = threading.Lock()
_CACHE: dict[tuple, _Index] = {}
MIN_SCORE = 2.0  # a section must match at least one telling word (BM25) for a guess
MARGIN = 1.15    # the best book must beat the runner-up by this factor


@dataclass
class _Index:
    books: np.ndarray  # book slug per section row
    retriever: object
    stemmer: object


def _signature() -> tuple:


    agg = Topic.objects.filter(is_active=True).aggregate(n=Count("pk"), last=Max("pk"))
    return agg["n"], agg["last"]


def _build() -> _Index:


    rows = Topic.objects.filter(is_active=True, number__gt=0).values_list(
        "chapter__book__slug", "title", "key_terms", "learning_objectives", "glossary", "chapter__title", "summary")
    books, docs = [], []
    for slug, title, key_terms, objectives, glossary, chapter, summary in rows:
        terms = " ".join(str(t) for t in key_terms or [])
        goals = " ".join(str(o) for o in objectives or [])
        words = " ".join(g.get("term", "") for g in glossary or [] if isinstance(g, dict))
        books.append(slug)
        docs.append(f"{title} {title} {chapter} {terms} {words} {goals} {summary or ''}")
    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25(k1=1.2, b=0.75)
    if docs:
        retriever.index(bm25s.tokenize(docs, stopwords="en", stemmer=stemmer, show_progress=False),
                        show_progress=False)
    return _Index(books=np.array(books, dtype=object), retriever=retriever, stemmer=stemmer)


def _index() -> _Index:
    key = _signature()
    with _LOCK:
        found = _CACHE.get(key)
        if found is None:
            found = _build()
            _CACHE.clear()
            _CACHE[key] = found
        return found


def guess_book(question: str) -> str | None:
    """The slug of the book whose sections best match the question's words, or None when no
    book clearly does (no telling word, or two books about as likely)."""

    index = _index()
    if not len(index.books):
        return None
    tokens = bm25s.tokenize([question], stopwords="en", stemmer=index.stemmer, show_progress=False,
                            return_ids=False)[0]
    known = [t for t in tokens if t in index.retriever.vocab_dict]
    if not known:
        return None
    scores = np.asarray(index.retriever.get_scores(known), dtype=np.float32)
    best: dict[str, float] = {}
    for slug in set(index.books):
        best[slug] = float(scores[index.books == slug].max())  # the book's best-matching section
    ranked = sorted(best.items(), key=lambda item: -item[1])
    if ranked[0][1] < MIN_SCORE:
        return None
    if len(ranked) > 1 and ranked[0][1] < MARGIN * ranked[1][1]:
        return None
    return ranked[0][0]

