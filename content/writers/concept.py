"""Name the concept: a lesson names and states the idea its section teaches.

Sentences chosen only for their closeness to the question can explain around an idea without ever
naming it (a puck that glides on, never "inertia"; a population levelling off, never "carrying
capacity"), yet the name is what the student needs to recognise the idea again. The concept is the
section title's own (OpenStax titles name it: "Newton's First Law of Motion: Inertia", "Phase Change
and Latent Heat") or the section's glossary term nearest the question. When neither the answer nor
the why names one of them, the section's best sentence that does (a statement of the principle or a
definition first) joins the why, in textbook order.
"""

from __future__ import annotations

import re

from . import LessonBrief
from .answer import PRINCIPLE, Candidate, Embedder, Selection, key_concepts, stems
from .sentences import DEFINITION

_GENERIC_TITLE = re.compile(r"^(introduction( to)?|overview( of)?|the|an?|some|more|basics of|applications? of|"
                            r"types of|properties of|structure of|further applications of)\s+", re.I)
MAX_TERM_WORDS = 5


def title_concepts(title: str) -> list[str]:
    """Concept phrases a section title names, the part after a colon first ("Inertia", then
    "Newton's First Law of Motion"); both sides of "and" ("Phase Change", "Latent Heat")."""
    parts = [p.strip() for p in title.split(":")]
    parts = parts[1:] + parts[:1] if len(parts) > 1 else parts
    found: list[str] = []
    for part in parts:
        for raw in re.split(r",\s*|\s+and\s+", part):
            piece = raw.strip()
            while _GENERIC_TITLE.match(piece):
                piece = _GENERIC_TITLE.sub("", piece, count=1)
            if piece and len(piece.split()) <= MAX_TERM_WORDS and piece.lower() not in ("introduction", "summary"):
                found.append(piece)
    return found


def names(text: str, term: str) -> bool:
    wanted = stems(term)
    return bool(wanted) and wanted <= stems(text)


def _statement(ranked: list[Candidate], term: str, exclude: set[int]) -> Candidate | None:
    """The section's best sentence naming `term`: a principle or definition first, then by score."""
    naming = [c for c in ranked if id(c) not in exclude and (c.main or c.passage.kind == "glossary")
              and names(c.text, term)]
    return max(naming, key=lambda c: (bool(PRINCIPLE.search(c.text) or DEFINITION.search(c.text)), c.score),
               default=None)


def name_the_concept(selection: Selection, brief: LessonBrief, question: str, embedder: Embedder) -> Candidate | None:
    """Add to the why the sentence that names the section's concept when the lesson does not; returns it."""
    chosen = [*selection.answer, *selection.why]
    said = " ".join(c.text for c in chosen)
    definitions = [c for c in selection.ranked if c.passage.kind == "glossary" and c.main]
    terms = title_concepts(brief.topic_title) + key_concepts(definitions, embedder.query(question), limit=1)
    exclude = {id(c) for c in chosen}
    for term in dict.fromkeys(terms):
        if names(said, term):
            continue  # already named
        statement = _statement(selection.ranked, term, exclude)
        if statement is not None:
            selection.why.append(statement)
            selection.why.sort(key=lambda c: c.position)
            return statement
    return None
