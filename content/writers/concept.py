"""Name the concept: a lesson names and states the idea its section teaches.

Sentences chosen only for their closeness to the question can explain around an idea without ever
naming it (a puck that glides on, never "inertia"; a population levelling off, never "carrying
capacity"), yet the name is what the student needs to recognise the idea again. Two concepts count:
the section title's (OpenStax titles name it: "Newton's First Law of Motion: Inertia", "Phase Change
and Latent Heat"; of several, the one nearest the question that some sentence states) and the
section's glossary term nearest the question. For each the lesson does not name, the section's best
sentence that does (a statement of the principle or a definition first) joins the why, in textbook
order; the first such statement is then said in the short answer when it fits (`name_it_early`).
Retrieval's choice of section is not always right: another retrieved section whose best passage is
closer to the question than all of the chosen section's (`closer_sections`) has its title concept
named first, from its own sentences (dev: answers 70%→72%, within 90 words 47%→49%). A statement
unrelated to the question (`UNRELATED`) names no concept: the next term is tried (dev: within 90
words 51%→53%). Last, a term the chosen section uses but another retrieved section defines
(`borrowed`: their glossary lines, which never open or explain by themselves) is named through that
definition when it is the nearest to the question and the lesson does not name it ("An atrium is a
chamber of the heart …" in a lesson on what the heart does; dev answers 75%→81%, within 90 words
47%→49%; the 115-question set 73%→72%; fresh40 68%→72%; an untouched set of 40 unchanged at 57%). Any
borrowed term near the question instead added off-topic definitions ("Flame cell is an excretory cell
found in flatworms." in why a candle needs oxygen) to about a third of the lessons. Borrowed glossary
lines weigh no word of the question and count as none of the lesson's prose; their terms do count among
the key concepts a sentence gains a little for naming (`score_candidates`; without that, dev 81%→79%).
"""

from __future__ import annotations

import re

from . import LessonBrief
from .answer import LAW, PRINCIPLE, Candidate, Embedder, Selection, cosine, key_concepts, repeats
from .question_forms import glossary_term
from .sentences import DEFINITION, says_term
from .stemming import stems

_GENERIC_TITLE = re.compile(r"^(introduction( to)?|overview( of)?|the|an?|some|more|basics of|applications? of|"
                            r"types of|properties of|structure of|further applications of)\s+", re.I)
MAX_TERM_WORDS = 5
#: Words a title joins to its concept that name no concept of their own ("Plant Sensory Systems and
#: Responses": any sentence saying "in response to" would name "Responses").
_NOT_CONCEPTS = frozenset({"introduction", "summary", "responses", "response", "properties", "applications", "uses",
                           "types", "functions", "function", "structure", "structures", "processes", "effects",
                           "factors", "systems", "methods", "changes", "characteristics", "examples", "behavior",
                           "regulation", "control", "organization"})
#: Similarity to the question below which a concept's statement is unrelated to it ("Kinematics of rotational
#: motion is the relationships between rotation angle, ..." for "Why is a door easier to open far from
#: its hinges?"): it would take the short answer's place and say nothing the student asked.
UNRELATED = 0.1
#: The least similarity to the question of another section's definition named in the lesson: at 0.3 (the bar for
#: the section's own terms) about 50 of 208 dev lessons gained a borrowed definition, many beside the point
#: ("Canopy means branches and foliage …" in why leaves change color); at 0.4, 25 did, with the same answer rates.
BORROWED_TERM_SIMILARITY = 0.4


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
            if piece and len(piece.split()) <= MAX_TERM_WORDS and piece.lower() not in _NOT_CONCEPTS:
                found.append(piece)
    return found


def names(text: str, term: str) -> bool:
    wanted = stems(term)
    return bool(wanted) and wanted <= stems(text)


def _statement(ranked: list[Candidate], term: str, exclude: set[int], module_id: str = "",
               said: tuple[Candidate, ...] = ()) -> Candidate | None:
    """The section's best sentence naming `term` (the chosen section's, or `module_id`'s) that the lesson
    (`said`) does not already say in other words: a principle or definition first, then by score."""
    naming = [c for c in ranked if id(c) not in exclude and names(c.text, term)
              and (c.passage.module_id == module_id if module_id else (c.main or c.passage.kind == "glossary"))
              and not repeats(c, said)]
    return max(naming, key=lambda c: (bool(PRINCIPLE.search(c.text) or DEFINITION.search(c.text)), c.score),
               default=None)


def _nearest_first(terms: list[str], question: str, embedder: Embedder) -> list[str]:
    """Terms ordered by the similarity of their embedding to the question's (as given, without embeddings)."""
    question_vector = embedder.query(question)
    vectors = embedder.documents(terms) if terms and question_vector else []
    if not vectors or any(v is None for v in vectors):
        return terms
    return [t for _, t in sorted(zip((cosine(question_vector, v) for v in vectors), terms, strict=True),
                                 key=lambda pair: -pair[0])]


def closer_sections(brief: LessonBrief) -> list[tuple[str, str]]:
    """(module id, title) of the other retrieved sections whose best passage is closer to the question
    than any of the chosen section's: the answer may be theirs, so the lesson names their concept too."""
    main = max((p.relevance for p in brief.passages if p.topic_id == brief.topic_id and p.kind != "glossary"),
               default=0.0)
    best: dict[tuple[str, str], float] = {}
    for p in brief.passages:
        if p.topic_id != brief.topic_id and p.kind != "glossary" and p.section_title:
            key = (p.module_id, p.section_title)
            best[key] = max(best.get(key, 0.0), p.relevance)
    return [key for key, relevance in sorted(best.items(), key=lambda kv: -kv[1]) if relevance > main]


def _said_in_section(glossary: list[Candidate], brief: LessonBrief) -> list[Candidate]:
    """The glossary lines whose term (or its plural) the chosen section's passages use as a phrase."""
    used = " ".join(p.text for p in brief.passages if p.kind != "glossary" and p.topic_id == brief.topic_id)
    return [c for c in glossary if says_term(used, glossary_term(c))]


def name_the_concept(selection: Selection, brief: LessonBrief, question: str, embedder: Embedder,
                     borrowed: list[Candidate] = ()) -> list[Candidate]:
    """Add to the why, for the title concept nearest the question and the glossary term nearest it, the
    sentence that names it when the lesson does not; returns the added sentences."""
    definitions = [c for c in selection.ranked if c.passage.kind == "glossary" and c.main]
    ranked = selection.ranked
    groups = [(_nearest_first(title_concepts(title), question, embedder), module_id, ranked)
              for module_id, title in closer_sections(brief)]
    groups += [(_nearest_first(title_concepts(brief.topic_title), question, embedder), "", ranked),
               (key_concepts(definitions, embedder.query(question), limit=1), "", ranked)]
    # a borrowed glossary line states only its own term, and only a term the chosen section says: a definition
    # near the question in words but not in idea ("Flame cell is an excretory cell …" for a candle) is not named
    for term in key_concepts(_said_in_section(borrowed, brief), embedder.query(question), limit=1,
                             least=BORROWED_TERM_SIMILARITY):
        module_id = next(c.passage.module_id for c in borrowed if glossary_term(c) == term)
        groups.append(([term], module_id, [*ranked, *borrowed]))
    added: list[Candidate] = []
    for terms, module_id, pool in groups:
        chosen = [*selection.answer, *selection.why]
        said = " ".join(c.text for c in chosen)
        exclude = {id(c) for c in chosen}
        for term in terms:
            if names(said, term):
                break  # the lesson names this concept already
            statement = _statement(pool, term, exclude, module_id, tuple(chosen))
            if statement is not None and statement.vector and statement.similarity < UNRELATED:
                continue  # its only statement says nothing about the question: name no concept through it
            if statement is not None:
                selection.why.append(statement)
                added.append(statement)
                break
    selection.why.sort(key=lambda c: c.position)
    return added


def worth_saying_early(statement: Candidate, titles: list[str]) -> bool:
    """Whether a concept's statement belongs in the short answer: it states a law or principle, or names
    the idea a section title names (`titles`: the chosen section's and the closer sections'). The nearest
    glossary term of a section is often a side concept ("Adhesion is ..." for floating ice, "... are known
    as stipules" for green leaves): its statement stays in the why."""
    if LAW.search(statement.text):
        return True
    concepts = [concept for title in titles for concept in title_concepts(title)]
    named = glossary_term(statement) if statement.passage.kind == "glossary" else statement.text
    return any(names(named, concept) for concept in concepts)


def name_it_early(selection: Selection, added: list[Candidate], *, answer_words: int,
                  titles: list[str]) -> Candidate | None:
    """Say the concept's statement in the short answer, right after the best sentence, so the student
    hears the idea's name in the first seconds rather than at the end of the why. It takes the place of
    a second answer sentence (which joins the why, in textbook order) when the two fit in `answer_words`
    and the statement is `worth_saying_early`; returns the statement moved, if any."""
    early = [c for c in added if worth_saying_early(c, titles)]
    if not selection.answer or not early:
        return None
    best, statement = selection.answer[0], early[0]
    if best.words + statement.words > answer_words:
        return None
    selection.why.remove(statement)
    selection.why.extend(selection.answer[1:])
    selection.why.sort(key=lambda c: c.position)
    selection.answer[:] = [best, statement]
    return statement
