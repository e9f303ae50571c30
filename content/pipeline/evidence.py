"""The passages a lesson is written from: the chosen section's passages nearest the question (in
textbook order), the best passages of the next sections retrieval ranks for the question (the answer
is not always in the first section; only when the chosen section is retrieval's first), and the
glossaries of those sections (the chosen section's first; another section's entry only names a concept
the lesson would otherwise miss, see `content.writers.concept`).
"""

from __future__ import annotations

import logging
import re

from pgvector.django import CosineDistance

from content.writers import SourcePassage
from ingestion.models import EMBEDDING_COLUMNS, Chunk, Topic
from ingestion.search import active_versions, search_sections
from vividly.providers import registry
from vividly.providers.base import ProviderError

from .understand import section_passages

logger = logging.getLogger(__name__)

MAIN_PASSAGES = 14  # passages of the chosen section, nearest the question first
OTHER_SECTIONS = 3  # further sections among the question's retrieval results
OTHER_PASSAGES = 3  # passages from each of them
RUNNER_UP_PASSAGES = 5  # passages from the first of them
THIN_SECTION = 2  # passages a section needs to be taught without the others
SCIENCE_SUBJECTS = ("physics", "chemistry", "biology")
_SUMMARY = re.compile(r"^(section|sections|chapter)? ?summary$|^key concepts and summary$", re.I)


def is_summary(heading_path) -> bool:
    """Whether a passage sits under its section's own summary heading (the key ideas, briefly stated)."""
    return bool(heading_path) and bool(_SUMMARY.match(str(heading_path[-1]).strip()))


def _citation(topic: Topic) -> str:
    return f"{topic.chapter.book.title}, {topic.chapter.number}.{topic.number} {topic.title}"


def _chunks(question: str):
    """Active chunks of the configured embedding model, annotated with their distance to the question."""


    provider = registry.get("embeddings")
    column = EMBEDDING_COLUMNS.get(provider.dimensions)
    if column is None:
        return Chunk.objects.none()
    # the versions search uses: this model's, or the same weights under another runtime while re-embedding
    return (Chunk.objects.filter(version_id__in=active_versions(model=provider.model))
            .defer("embedding_384", "embedding_768", "search_vector", "embed_text")
            .annotate(distance=CosineDistance(column, provider.embed_query(question))))


def _main_chunks(topic: Topic, question: str) -> list:
    """The section's text chunks nearest the question (stored vectors), back in textbook order."""

    rows = _chunks(question).filter(module_id=topic.module_id, kind=Chunk.Kind.TEXT).order_by("distance")
    return sorted(rows[:MAIN_PASSAGES], key=lambda chunk: chunk.ordinal)


def _other_sections(topic: Topic, question: str, main_count: int) -> list:
    """The best text passages of the next sections retrieval ranks for the question (the runner-up
    gets RUNNER_UP_PASSAGES: a close second section often holds the answer's key concept).

    None when retrieval ranks another section first: the student picked this one over it (from the
    choice of sections, or "Not quite what you asked?" on a lesson), so the lesson teaches the section
    they picked. On the dev eval with each question's labelled section picked, lessons answering
    75 % → 85 %. A section of fewer than THIN_SECTION passages still gets the others: alone it cannot
    carry a lesson and three quiz questions (every section of the three books has four or more).
    """
    ranked = [h for h in search_sections(question, k=OTHER_SECTIONS + 1, passages_per_section=RUNNER_UP_PASSAGES)
              if h.subject in SCIENCE_SUBJECTS]
    if ranked and ranked[0].module_id != topic.module_id and main_count >= THIN_SECTION:
        return []
    hits = [h for h in ranked if h.module_id != topic.module_id][:OTHER_SECTIONS]
    return [p for rank, hit in enumerate(hits)
            for p in [p for p in hit.passages if p.kind == "text"][:RUNNER_UP_PASSAGES if rank == 0 else OTHER_PASSAGES]]


def lesson_passages(topic: Topic, question: str) -> list[SourcePassage]:
    """Numbered passages for the writer; falls back to the understand stage's section passages."""

    try:
        main = _main_chunks(topic, question)
        others = _other_sections(topic, question, len(main)) if main else []
    except ProviderError as exc:
        logger.warning("lesson passages fell back to section passages", extra={"error": str(exc)[:200]})
        main, others = [], []
    if not main:
        return section_passages(topic, question)
    book = topic.chapter.book
    passages: list[SourcePassage] = []

    def add(**fields) -> None:
        passages.append(SourcePassage(id=f"p{len(passages) + 1}", **fields))

    for chunk in main:
        add(topic_id=topic.pk, module_id=topic.module_id, text=chunk.text, book_title=book.title,
            section_title=topic.title, anchor=chunk.anchor, citation=_citation(topic), url=book.source_url,
            attribution=book.attribution, kind="text", order=chunk.ordinal, relevance=1.0 - float(chunk.distance),
            summary=is_summary(chunk.heading_path))
    distances: dict[str, float] = {}
    for row in _chunks(question).filter(anchor__in={p.anchor for p in others}).values("anchor", "distance"):
        distances[row["anchor"]] = min(distances.get(row["anchor"], 2.0), float(row["distance"]))
    for rank, passage in enumerate(others):
        add(topic_id=passage.topic_id, module_id=passage.module_id, text=passage.text, book_title=passage.book_title,
            section_title=passage.section_title, anchor=passage.anchor, citation=passage.citation,
            url=getattr(passage, "source_url", ""), attribution=passage.attribution, kind="text",
            order=100_000 + rank, relevance=1.0 - distances.get(passage.anchor, 1.0),
            summary=is_summary(passage.heading_path))
    # the chosen section's glossary, then the other sections' (their terms may name the answer's concept)
    ranked = list(dict.fromkeys(p.topic_id for p in others))
    borrowed = Topic.objects.select_related("chapter__book").in_bulk(ranked)
    seen: set[str] = set()
    for rank, section in enumerate([topic, *(borrowed[pk] for pk in ranked if pk in borrowed)]):
        for entry in section.glossary or []:
            term, meaning = entry.get("term", ""), entry.get("meaning", "")
            if term and meaning and term.lower() not in seen:
                seen.add(term.lower())
                add(topic_id=section.pk, module_id=section.module_id, text=f"{term}: {meaning}",
                    book_title=section.chapter.book.title, section_title=section.title,
                    anchor=f"{section.module_id}#glossary", citation=_citation(section),
                    url=section.chapter.book.source_url, attribution=section.chapter.book.attribution,
                    kind="glossary", order=200_000 + rank)
    return passages


def related_terms(topic: Topic, limit: int = 40) -> list[str]:
    """Key terms of nearby sections (same chapter first, then the rest of the book): quiz distractors
    that belong to the same idea family as the answer."""
    siblings = (Topic.objects.filter(chapter__book=topic.chapter.book).exclude(pk=topic.pk)
                .values_list("chapter_id", "number", "key_terms", "glossary"))
    ordered = sorted(siblings, key=lambda row: (row[0] != topic.chapter_id, abs((row[1] or 0) - (topic.number or 0))))
    terms: list[str] = []
    for _chapter, _number, key_terms, glossary in ordered:
        for term in [*(key_terms or []), *[g.get("term", "") for g in glossary or []]]:
            if term and term not in terms:
                terms.append(term)
        if len(terms) >= limit:
            break
    return terms[:limit]
