"""The local offline lesson writer: composes a script from retrieved passages, costs nothing.

Extractive by design, so nothing factual is invented: every factual sentence is a (lightly edited)
textbook sentence or glossary definition and cites its passage. The lesson opens with the direct
answer to the student's question (`answer.select`), then the why in textbook order, then a worked
example in the student's world — numbers computed from the section's own relationship
(`worked`) or, without one, the reviewed interest scenario (`scenarios`) — then a recap and a
check. Scenario and worked-example sentences are framing. The narration's reading grade is measured
and brought toward the target grade (`reading`) by swapping or dropping the hardest sentences.
"""

from __future__ import annotations

import re
from typing import Any

from vividly.providers.base import ProviderFatal, Usage

from . import MAX_WORDS, MIN_WORDS, LessonBrief, SourcePassage, narration_of, word_count
from .answer import (
    STATES_LAW,
    Candidate,
    Embedder,
    borrowable,
    defines_asked_idea,
    explains,
    leans_on_context,
    on_the_answer,
    repeats,
    score_candidates,
    select,
)
from .answer import candidates as find_candidates
from .concept import closer_sections, name_it_early, name_the_concept
from .families import family_for
from .question_forms import WHY_QUESTION, compared
from .quiz import build_quiz
from .reading import flesch_kincaid_grade, target_grade
from .scenarios import GENERIC, SCENARIOS
from .sentences import CONNECTIVES, Standalone, relation_between, with_connective
from .slide_keys import (
    NONE,
    family_sketch,
    find_reaction,
    key_idea,
    short_phrase,
    sketch_name,
    worked_sketch,
)
from .stemming import stems
from .worked import _BY_KEY, THINGS, WorkedExample, compact, find_relationships, worked_example
from .worlds import WorldMatch, match_world

#: Longest sentence (words) the writer picks, by grade band; "Make it simpler" takes 8 off.
_MAX_SENTENCE_WORDS = {"6-8": 22, "9-10": 28, "11-12": 34}
_HOW = re.compile(r"\bhow\b", re.I)


class LocalLessonWriter:
    """LLM-capability provider that writes lessons offline from the retrieved passages."""

    name = "local"

    def __init__(self, **_options: Any) -> None:
        pass

    def generate_json(self, *, system: str, prompt: str, schema: dict[str, Any]):
        """Free-form generation is not offered offline; lessons go through `write_lesson`."""

        raise ProviderFatal("the local writer only composes lessons (write_lesson)")

    def write_lesson(self, brief: LessonBrief) -> tuple[dict[str, Any], Usage]:
        """A complete script dict for the brief (see content.writers for its shape)."""
        return compose_script(brief), Usage(provider=self.name)


def _framing(text: str) -> dict[str, Any]:
    return {"text": text, "citation": None, "framing": True}


def _fact(text: str, passage: SourcePassage) -> dict[str, Any]:
    return {"text": text, "citation": passage.id, "framing": False}


def _facts(items: list[Candidate], previous: Candidate | None = None) -> list[dict[str, Any]]:
    """Factual sentences with a connective where the relation between neighbours calls for one.

    A causal or contrasting connective ("As a result, ...") is said only when the sentence follows the
    one it followed in the book: elsewhere it would claim a link the textbook never made."""
    out = []
    for item in items:
        follows = (previous is not None and previous.passage.id == item.passage.id
                   and item.position[1] == previous.position[1] + 1)
        relation = relation_between(previous.text, Standalone(item.text, relation=item.relation)) if previous else ""
        if relation in ("consequence", "contrast") and not follows:
            relation = ""
        out.append(_fact(with_connective(item.text, CONNECTIVES.get(relation, "")), item.passage))
        previous = item
    return out


def _phrase(text: str, limit: int = 8) -> str:
    """A slide phrase: the sentence's first clause, at most `limit` words."""
    clause = re.split(r"[,;:]\s|\s(?:which|because|so that|while|whereas)\s", text.rstrip("."), maxsplit=1)[0]
    chunk = clause.split()
    return " ".join(chunk[:limit]) + ("…" if len(chunk) > limit else "")


#: Framing lines in two registers: plain (grades 6-8 and "Make it simpler") and full (grades 9-12),
#: so the narration's reading grade suits the students (framing states no facts either way).
FRAMES = {
    "plain": {
        "why": "Here is why, in short.", "how": "Here is how it works, in short.", "what": "Here is the short answer.",
        "why_more": "So what is going on?", "how_more": "Let's go step by step.", "what_more": "Let's look closer.",
        "bring": "Now let's bring it into {interest}.",
        "numbers": "Let's put numbers on it.", "example": "The textbook gives an example too.",
        "recap": "To sum up, here is the big idea.", "check": "Now it's your turn: try the three questions below.",
        "watch": "Next time you're {place}, look for this idea.",
    },
    "full": {
        "why": "Here is the short answer to why that happens.",
        "how": "Here is the short answer to how it works.",
        "what": "Here is the short answer to your question, straight from the textbook.",
        "why_more": "So what is going on underneath?",
        "how_more": "Let's walk through it step by step.",
        "what_more": "Let's look more closely.",
        "bring": "Now let's bring the idea into {interest}.",
        "numbers": "Let's put some real numbers on it, using the relationship from the textbook.",
        "example": "The textbook also gives an example of the idea.",
        "recap": "To sum up, here is the big idea once more.",
        "check": "Now it's your turn: answer the three questions below the video.",
        "watch": "Next time you're {place}, watch for this idea in action.",
    },
}


def _joined(*lines: str, plain: bool) -> list[str]:
    """Framing lines as said: one by one in the plain register; in the full register (grades 9-12)
    joined into one sentence ("Now let's bring the idea into dance: picture a dancer ..., and notice
    how ..."), so the framing does not read years below the textbook sentences around it."""
    if plain or len(lines) < 2:
        return list(lines)
    head, *rest = (line.rstrip(".!") for line in lines)
    tail = [_lower_first(line) for line in rest]
    return [head + (", and " if ":" in head else ": ") + ", and ".join(tail) + "."]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _kind(question: str) -> str:
    return "why" if WHY_QUESTION.search(question) else "how" if _HOW.search(question) else "what"


def scenario_sentences(family: str, match: WorldMatch) -> tuple[str, str]:
    """(picture sentence, notice sentence) for the family in the student's world (framing)."""
    world = match.world
    if world.generic or world.slug not in SCENARIOS.get(family, {}):
        who, what, notice = GENERIC[family]
        what = what.format(interest=match.interest)
    else:
        who, what, notice = SCENARIOS[family][world.slug]
    return f"Picture {who} {what}.", f"Notice {notice}."


def _relationship_fact(selection, worked: WorkedExample, used: set[int]) -> Candidate | None:
    """The textbook's own statement of the relationship: the main-section sentence naming most of its terms;
    none when the answer or the why already states the law by name ("Charles's law states that ...")."""
    said = " ".join(c.text for c in [*selection.answer, *selection.why]).lower().replace("’", "'")
    if worked.title.lower() in said:
        return None
    best, best_hits = None, 0
    for c in selection.ranked:
        if id(c) in used or not c.main or c.passage.kind == "glossary" or re.search(r"\d", c.text):
            continue
        hits = sum(1 for term in worked.terms if all(s in stems(c.text) for s in stems(term)))
        if hits > best_hits or (hits == best_hits and best is not None and hits and c.score > best.score):
            best, best_hits = c, hits
    return best if best_hits >= 2 else None


def _example_sentence(pool: list[Candidate], used: set[int], sections: set[str]) -> Candidate | None:
    """A concrete textbook example close to the question, from a section the lesson already teaches
    (`sections`: another section's example shares the question's words, not its idea: a polished spoon's
    curvature in a lesson on why a spoon looks bent). Framing alone when there is none."""
    for c in pool[:25]:
        if (id(c) not in used and c.passage.kind != "glossary" and c.passage.module_id in sections
                and re.search(r"\b(for example|for instance|such as|example)\b", c.text, re.I)
                and c.similarity > 0.3 and not leans_on_context(c)):  # not "A device such as this ..."
            return c
    return None


def _total_words(scenes: list[dict[str, Any]]) -> int:
    return sum(word_count(narration_of(scene)) for scene in scenes)


def _narration(scenes: list[dict[str, Any]]) -> str:
    return " ".join(narration_of(scene) for scene in scenes)


def compose_script(brief: LessonBrief) -> dict[str, Any]:
    """Answer → why → worked example → recap → check, in the student's world and reading level."""
    question = brief.question.strip() or f"What is {brief.topic_title}?"
    goal = target_grade(brief.grade_band, simpler=brief.simpler)
    max_words = _MAX_SENTENCE_WORDS.get(brief.grade_band, 26) - (8 if brief.simpler else 0)
    match = match_world(brief.interest)
    world, interest = match.world, match.interest
    embedder = Embedder()

    pool = find_candidates(brief, max_words=max_words, tolerance=0 if brief.simpler else 8)
    pool = score_candidates(pool, brief, question, embedder, target_grade=goal)
    borrowed = [c for c in pool if c.borrowed]  # they only name a concept the lesson misses (`name_the_concept`)
    pool = [c for c in pool if not c.borrowed]
    selection = select(pool, question, answer_words=40 if brief.simpler else 50,
                       why_words=60 if brief.simpler else 130 if brief.grade_band == "11-12" else 115,
                       why_max=3 if brief.simpler else 6, glossary=borrowed)
    concepts = name_the_concept(selection, brief, question, embedder, borrowed=borrowed)
    if compared(question) is None:  # a comparison's short answer says what the two things are, nothing else
        name_it_early(selection, concepts, answer_words=60 if brief.simpler else 75,
                      titles=[brief.topic_title, *(title for _, title in closer_sections(brief))])
    used = {id(c) for c in [*selection.answer, *selection.why]}
    main_texts = [p.text for p in brief.passages if p.topic_id == brief.topic_id and p.kind != "glossary"]
    family = family_for(brief.topic_title, brief.key_terms, " ".join(main_texts)[:20000], subject=brief.subject,
                        question=question)
    picture, notice = scenario_sentences(family, match)

    worked: WorkedExample | None = None
    relationship: Candidate | None = None
    for key in find_relationships(main_texts, focus=question, family=family)[:1]:
        worked = worked_example(key, world_slug=world.slug, who=world.actor, place=world.place, interest=interest)
        relationship = _relationship_fact(selection, worked, used)
        if relationship is not None:
            used.add(id(relationship))

    title = brief.topic_title
    plain = brief.simpler or brief.grade_band == "6-8"
    frame = FRAMES["plain" if plain else "full"]
    kind = _kind(question)
    scenes: list[dict[str, Any]] = []
    answer_facts = _facts(selection.answer)
    scenes.append({
        "kind": "hook", "title": "The short answer",
        "sentences": [_framing(frame[kind]), *answer_facts],
        "bullets": [*[_phrase(c.text) for c in selection.answer][:2], interest.title()],
        "equation": None,
        "visual_description": f"The answer in a few words beside a {interest} scene: {picture}",
    })
    if not selection.why:  # a thin section: the next-best sentences, whatever their relevance
        selection.why.extend(sorted([c for c in selection.ranked if id(c) not in used][:2], key=lambda c: c.position))
        used.update(id(c) for c in selection.why)
    why_facts = _facts(selection.why, selection.answer[-1] if selection.answer else None)
    scenes.append({"kind": "explanation", "title": f"Why: {title}" if len(title) < 60 else "Why it happens",
                   "sentences": [_framing(frame[f"{kind}_more"]), *why_facts],
                   "bullets": [_phrase(c.text) for c in selection.why][:4], "equation": None,
                   "visual_description": "The causal chain, one short phrase per step, with arrows between."})

    if worked is not None:
        example = [*map(_framing, _joined(frame["bring"].format(interest=interest), picture, plain=plain)),
                   _framing(frame["numbers"])]
        if relationship is not None:
            example.append(_fact(relationship.text, relationship.passage))
        example += [_framing(worked.setup), _framing(worked.working)]
        scenes.append({"kind": "example", "title": f"{worked.title} in {interest}", "sentences": example,
                       "bullets": [*worked.givens, worked.result][:4], "equation": worked.equation,
                       "worked_example": worked.slide(),
                       "visual_description": f"The equation {worked.equation} with the numbers of the {interest} "
                                             f"example: {'; '.join(worked.givens)}; {worked.result}."})
    else:
        concrete = _example_sentence(selection.ranked, used,
                                     {c.passage.module_id for c in [*selection.answer, *selection.why]})
        example = list(map(_framing, _joined(frame["bring"].format(interest=interest), picture, notice, plain=plain)))
        if concrete is not None:
            used.add(id(concrete))
            example += [_framing(frame["example"]), _fact(concrete.text, concrete.passage)]
        scenes.append({"kind": "example", "title": f"{title} in {interest}", "sentences": example,
                       "bullets": [_phrase(notice.removeprefix("Notice ")), *([_phrase(concrete.text)] if concrete else [])],
                       "equation": None,
                       "visual_description": f"A {interest} scene showing the idea: {picture} {notice}"})

    recap = _recap(selection, used, brief.question)
    scenes.append({"kind": "recap", "title": "Recap", "sentences": [_framing(frame["recap"]),
                                                                     *_facts(recap)],
                   "bullets": [_phrase(c.text) for c in recap], "equation": None,
                   "visual_description": "A checklist of the big ideas."})
    closing = frame["watch"].format(place=world.place) if worked is None else notice
    check_sentences = list(map(_framing, _joined(frame["check"], closing, plain=plain)))
    scenes.append({"kind": "check", "title": "Check your understanding", "sentences": check_sentences,
                   "bullets": ["Three quick questions", "Answers explained after you try"], "equation": None,
                   "visual_description": "A question mark and the words 'Check your understanding'."})

    keep = {c.text for c in concepts}
    _fit_length(scenes, selection, used, keep=keep)
    _fit_reading_level(scenes, selection, used, goal=goal if brief.simpler else goal + 1.0, keep=keep)
    _add_slide_keys(scenes, brief, selection, family=family, worked=worked, obj=_object(world.slug, interest),
                    notice=notice)
    quiz = build_quiz(brief, selection, embedder, question=question, worked=worked,
                      worked_passage=(relationship.passage if relationship else _equation_passage(brief, worked)))
    return {"title": title, "scenes": scenes, "quiz": quiz,
            "writer": {"family": family, "world": world.slug or "generic", "interest": interest,
                       "target_grade": goal, "simpler": brief.simpler,
                       "relationship": worked.key if worked else None}}


#: A lesson shorter than this takes the next-best relevant why sentences that fit (dev: answers 62%→66%).
FILL_WORDS = 270


#: The example slide also shows the equation and three or four number lines: its idea stays shorter.
EXAMPLE_IDEA_WORDS = 8


def _object(world_slug: str, interest: str) -> str:
    """What moves in the student's world, for a sketch's label ("basketball"; the interest itself)."""
    things = THINGS.get(world_slug)
    return sketch_name(things.obj if things else interest)


def _scene_candidates(scene: dict[str, Any], ranked: list[Candidate]) -> list[Candidate]:
    """The candidates a scene's factual sentences came from (a connective may lead each sentence)."""
    facts = [s["text"] for s in scene["sentences"] if not s["framing"]]
    return [c for c in ranked if any(c.text[1:] and c.text[1:] in text for text in facts)]


def _add_slide_keys(scenes: list[dict[str, Any]], brief: LessonBrief, selection, *, family: str,
                    worked: WorkedExample | None, obj: str, notice: str) -> None:
    """The slide keys (content/writers/slide_keys.py): each explanation and the recap get their one
    idea; the example its computed numbers; explanation and example a sketch by idea family."""
    passages = {p.id: p for p in brief.passages}
    cited = [passages[s["citation"]] for scene in scenes for s in scene["sentences"]
             if s.get("citation") in passages]
    section = sorted((p for p in brief.passages if p.topic_id == brief.topic_id), key=lambda p: p.order)
    reaction = find_reaction(cited, section)
    for scene in scenes:
        narration = narration_of(scene)
        if scene["kind"] in ("explanation", "recap"):
            idea = key_idea(_scene_candidates(scene, selection.ranked))
            if idea:
                scene["key_idea"] = idea
        if scene["kind"] == "explanation":
            scene.update(family_sketch(family, f"{brief.topic_title}. {narration}", obj=obj,
                                       reaction=reaction).keys())
        elif scene["kind"] == "example":
            if worked is not None:
                scene["example_lines"] = [*worked.givens, worked.result]
                idea = short_phrase(worked.spoken_rule, limit=EXAMPLE_IDEA_WORDS)
                sketch = worked_sketch(worked, obj) or NONE
            else:
                concrete = _scene_candidates(scene, selection.ranked)
                idea = key_idea(concrete) if concrete else short_phrase(re.sub(r"^Notice (how |that )?", "", notice))
                sketch = family_sketch(family, f"{brief.topic_title}. {narration}", obj=obj)
            if idea:
                scene["key_idea"] = idea
            scene.update(sketch.keys())


def _equation_passage(brief: LessonBrief, worked: WorkedExample | None) -> SourcePassage | None:
    """The main-section passage that states the worked example's equation (for the quiz citation)."""
    if worked is None:
        return None

    pattern = _BY_KEY[worked.key].pattern
    return next((p for p in brief.passages if p.topic_id == brief.topic_id and p.kind != "glossary"
                 and re.search(pattern, compact(p.text))), None)


RECAP_WORDS = 30  # a direct answer short enough to say again as the recap


def _recap(selection, used: set[int], question: str) -> list[Candidate]:
    """One or two short sentences that restate the answer: a close runner-up if there is one."""
    best = selection.answer[0] if selection.answer else None
    if best is None:
        return []
    glossary = best.passage.kind == "glossary"  # a definition answered "what is"; otherwise no glossary line
    for c in selection.ranked[:12]:
        if (c is not best and id(c) not in used and explains(c) and c.score >= best.score - 0.06 and c.words <= 26
                and (glossary or c.passage.kind != "glossary")):
            used.add(id(c))
            return [c]
    # else an answer sentence, not a side concept's definition ("Adhesion is ..." for floating ice): the law
    # it states, else the short one nearest the question, else the shorter one
    said = [c for c in selection.answer
            if glossary or c.passage.kind != "glossary" or defines_asked_idea(c, question)] or selection.answer
    law = next((c for c in said if STATES_LAW.search(c.text)), None)
    if law is not None:
        return [law]
    short = [c for c in said if c.words <= RECAP_WORDS]
    return [max(short, key=lambda c: c.similarity) if short else min(said, key=lambda c: c.words)]


def _is(sentence: dict[str, Any], texts: set[str]) -> bool:
    """Whether a lesson sentence is one of `texts` (maybe led by a connective)."""
    return any(text and sentence["text"].endswith(text[1:]) for text in texts)


def _taught(selection) -> set[str]:
    """The sections the short answer and the why draw on: a sentence added later comes from one of them
    ("Cells can only survive freezing if ..." from a section on water is no step in why a balloon shrinks)."""
    return {c.passage.module_id for c in [*selection.answer, *selection.why]}


def _fit_length(scenes: list[dict[str, Any]], selection, used: set[int], *, keep: set[str] = frozenset()) -> None:
    """Bring the narration within MIN_WORDS..MAX_WORDS: add the next-best why sentences while it is
    shorter than FILL_WORDS (each that still fits: more of the section's explanation, not filler);
    drop the least relevant why sentences when long (not the longest: that was often the one saying why)."""
    explanation = next((s for s in scenes if s["kind"] == "explanation"), None)
    best = selection.ranked[0].similarity if selection.ranked else 0.0

    def relevance(sentence: dict[str, Any]) -> float:
        return next((c.similarity for c in selection.ranked if _is(sentence, {c.text})), 0.0)

    taught = _taught(selection)
    spare = [c for c in selection.ranked if id(c) not in used and explains(c)
             and (c.main or (c.passage.module_id in taught and borrowable(c, best - 0.1)
                             and on_the_answer(c, selection.answer)))][:12]
    added: list[Candidate] = []
    said = [c for c in selection.ranked if id(c) in used]
    while _total_words(scenes) < FILL_WORDS and spare:
        candidate = spare.pop(0)
        if _total_words(scenes) + candidate.words > MAX_WORDS or repeats(candidate, said):
            continue
        said.append(candidate)
        if explanation is None:
            explanation = {"kind": "explanation", "title": "Why it happens", "sentences": [_framing("Let's unpack that.")],
                           "bullets": [], "equation": None, "visual_description": "The key ideas, one per line."}
            scenes.insert(1, explanation)
        used.add(id(candidate))
        added.append(candidate)
        explanation["sentences"].append(_fact(candidate.text, candidate.passage))
    if added:  # after the why, more of the section's explanation: in the book's order among themselves
        chain = [*selection.answer, *selection.why]
        _said_in_order(explanation, added, chain[-1] if chain else None)
    for text in ("Try explaining the idea to a friend in your own words.",
                 "If a question feels tricky, replay the part of the video that covers it.",
                 "Then check each answer's explanation to see where the idea comes from in the textbook."):
        if _total_words(scenes) >= MIN_WORDS:
            break
        scenes[-1]["sentences"].append(_framing(text))
    while _total_words(scenes) > MAX_WORDS and explanation is not None:
        facts = [s for s in explanation["sentences"] if not s["framing"] and not _is(s, keep)]
        if len(facts) <= 1:
            break
        explanation["sentences"].remove(min(facts, key=relevance))


def _said_in_order(explanation: dict[str, Any], added: list[Candidate], previous: Candidate | None) -> None:
    """The explanation's last `added` sentences re-said in the book's order, each with the connective
    its new neighbour calls for. (Sorting them into the why itself read better but pushed the why's best
    sentences out of the first 90 words: 57% → 49% of dev lessons answered there.)"""
    kept = explanation["sentences"][:-len(added)]
    ordered = sorted(added, key=lambda c: c.position)
    explanation["sentences"] = [*kept, *_facts(ordered, previous)]
    explanation["bullets"] = (explanation["bullets"] + [_phrase(c.text) for c in ordered])[:4]


def _fit_reading_level(scenes: list[dict[str, Any]], selection, used: set[int], *, goal: float,
                       keep: set[str] = frozenset()) -> None:
    """Swap the hardest why sentences for easier ones of similar relevance (or drop them while the
    lesson stays long enough) until the narration's grade is within reach of the goal."""
    explanation = next((s for s in scenes if s["kind"] == "explanation"), None)
    if explanation is None:
        return
    by_text = {c.text: c for c in selection.ranked}
    taught = _taught(selection)
    swappable = [c for c in selection.ranked[:30] if explains(c) and c.passage.kind != "glossary"
                 and (c.main or c.passage.module_id in taught)]
    for _ in range(6):
        grade = flesch_kincaid_grade(_narration(scenes))
        facts = [s for s in explanation["sentences"] if not s["framing"] and s["text"] in by_text
                 and not _is(s, keep)]
        said = [c for c in selection.ranked if id(c) in used]
        if grade < goal - 1.5 and facts:  # too plain for the grade: trade the plainest for a fuller one
            plainest = min(facts, key=lambda s: by_text[s["text"]].grade)
            current = by_text[plainest["text"]]
            fuller = next((c for c in swappable if id(c) not in used and c.grade > current.grade + 2
                           and not repeats(c, said)
                           and c.score >= current.score - 0.05
                           and _total_words(scenes) + c.words - current.words <= MAX_WORDS), None)
            if fuller is None:
                return
            used.add(id(fuller))
            explanation["sentences"][explanation["sentences"].index(plainest)] = _fact(fuller.text, fuller.passage)
            continue
        if grade <= goal or not facts:
            return
        hardest = max(facts, key=lambda s: by_text[s["text"]].grade)
        current = by_text[hardest["text"]]
        easier = next((c for c in swappable if id(c) not in used and c.grade < current.grade - 2
                       and not repeats(c, said)
                       and c.score >= current.score - 0.1), None)
        index = explanation["sentences"].index(hardest)
        if easier is not None:
            used.add(id(easier))
            explanation["sentences"][index] = _fact(easier.text, easier.passage)
        elif _total_words(scenes) - current.words >= MIN_WORDS + 5 and len(facts) > 1:
            explanation["sentences"].pop(index)
        else:
            return
