"""The local offline lesson writer: composes a script from retrieved passages, costs nothing.

Extractive by design, so nothing factual is invented: every factual sentence is a (lightly
joined) textbook sentence or glossary definition and cites its passage. Around them it builds a
lesson arc — an interest hook, the explanation in source order with transitions, the key
relationship if the section has one, a worked example set in the interest's world, a recap and a
check — choosing shorter sentences for younger grade bands.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from typing import Any

from vividly.providers.base import Usage

from . import (
    MAX_WORDS,
    MIN_WORDS,
    LessonBrief,
    PracticeSource,
    SourcePassage,
    content_words,
    word_count,
)
from .worlds import world_for

_SENTENCE_SPLIT = re.compile(r"(?<=[.!])\s+(?=[A-Z0-9(\[])")
_SKIP = re.compile(r"\b(figure|table|click|http|www\.|link to learning|this (section|chapter|module)|"
                   r"you will|learning objectives?|see (the )?(figure|table|example)|credit|shown|pictured|"
                   r"arrows? (show|point)|video|watch \w+|teacher support|"
                   r"in (the )?(next|previous|following) (section|chapter))\b", re.I)
_EXAMPLE = re.compile(r"\b(for example|for instance|such as|e\.g\.|consider)\b", re.I)
_DEFINITION = re.compile(r"\b(is called|are called|is defined as|refers to|is known as|means)\b|"
                         r"^[A-Z][\w -]{2,40} (is|are) (a|an|the)\b")
# "a = (F_net)/(m)": a symbol, "=", then symbols up to the next capitalised word or the end.
_EQUATION = re.compile(r"(?<![\w=])([A-Za-z](?:_\w+)?\s*=\s*[^\s.=][^=]*?)(?=\s+[A-Z][a-z]|\s*$|\.\s)")
_PRONOUN_START = re.compile(r"^(It|This|These|They|That|Those|Here|He|She|Its|Their)\b")
_MAX_SENTENCE_WORDS = {"6-8": 24, "9-10": 30, "11-12": 36}
TRANSITIONS = ("First, ", "Also, ", "In addition, ", "On top of that, ", "Finally, ")


@dataclass
class _Sentence:
    text: str
    passage: SourcePassage
    order: tuple[int, int]
    score: float = 0.0
    used: bool = False

    @property
    def words(self) -> int:
        return word_count(self.text)


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return re.sub(r"\s+([,.;:!?])", r"\1", text)


def _sentences(passages: list[SourcePassage], max_words: int) -> list[_Sentence]:
    found: list[_Sentence] = []
    seen: set[str] = set()
    for p_index, passage in enumerate(passages):
        if passage.kind == "glossary":
            continue
        for s_index, raw in enumerate(_SENTENCE_SPLIT.split(_split_equations(_clean(passage.text)))):
            text = raw.strip()
            key = text.lower()
            words = word_count(text)
            if key.rstrip(".") == passage.section_title.lower():
                continue  # a heading that happens to end a line, not a statement
            if (key in seen or not 6 <= words <= max_words + 6 or not text[0].isupper()
                    or not text.endswith((".", "!")) or _SKIP.search(text) or text.count("(") != text.count(")")
                    or "?" in text or re.search(r"[\^_=]|\w:\s", text)):
                continue
            seen.add(key)
            found.append(_Sentence(text, passage, (p_index, s_index)))
    return found


def _score(sentence: _Sentence, terms: list[str], question_words: set[str], max_words: int) -> float:
    lower = sentence.text.lower()
    score = sum(3.0 for term in terms if term and term.lower() in lower)
    score += 2.0 * len(content_words(sentence.text) & question_words)
    if _DEFINITION.search(sentence.text):
        score += 2.5
    if _PRONOUN_START.match(sentence.text):
        score -= 2.5  # reads like a fragment out of its paragraph
    if sentence.words > max_words:
        score -= 3.0
    score -= 0.15 * sentence.order[0] + 0.05 * sentence.order[1]  # earlier text introduces the idea
    return score


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    # keep acronyms and proper-looking words ("DNA", "Newton's") capitalised
    if len(first) > 1 and (first.isupper() or first[1:].lower() != first[1:] or first.endswith("'s")):
        return text
    return text[:1].lower() + text[1:]


def _definition_sentence(term: str, meaning: str) -> str:
    meaning = _clean(meaning).rstrip(".")
    if re.match(r"^(a|an|the|one|any)\b", meaning, re.I):
        return f"{term[:1].upper()}{term[1:]} is {_lower_first(meaning)}."
    return f"{term[:1].upper()}{term[1:]} means {_lower_first(meaning)}."


def _framing(text: str) -> dict[str, Any]:
    return {"text": text, "citation": None, "framing": True}


def _fact(text: str, passage: SourcePassage) -> dict[str, Any]:
    return {"text": text, "citation": passage.id, "framing": False}


def _bullet(text: str, limit: int = 9) -> str:
    words = re.sub(r"^(First|Also|In addition|On top of that|Finally), ", "", text).split()
    short = " ".join(words[:limit]).rstrip(",;:")
    return short + ("…" if len(words) > limit else "")


def _split_equations(text: str) -> str:
    """Set display equations apart as their own 'sentences' so prose sentences stay clean."""
    return _EQUATION.sub(lambda m: f" [[EQ {m.group(1).strip()}]]. ", text)


def _equations(passages: list[SourcePassage]) -> list[tuple[str, SourcePassage, str]]:
    """(equation, passage, the prose sentence right after it) for each display equation."""
    found = []
    for passage in passages:
        if passage.kind == "glossary":
            continue
        parts = [p.strip() for p in _SENTENCE_SPLIT.split(_split_equations(_clean(passage.text)))]
        for i, part in enumerate(parts):
            match = re.match(r"^\[\[EQ (.+?)\]\]\.?$", part)
            if not match or len(match.group(1)) > 60:
                continue
            following = next((p for p in parts[i + 1:] if not p.startswith("[[EQ")), "")
            preceding = next((p for p in reversed(parts[:i]) if not p.startswith("[[EQ")), "")
            explanation = following if 6 <= word_count(following) <= 36 else preceding
            if explanation and not re.search(r"[\^_=]", explanation):
                found.append((match.group(1), passage, explanation))
    return found


class LocalLessonWriter:
    """LLM-capability provider that writes lessons offline from the retrieved passages."""

    name = "local"

    def __init__(self, **_options: Any) -> None:
        pass

    def generate_json(self, *, system: str, prompt: str, schema: dict[str, Any]):
        """Free-form generation is not offered offline; lessons go through `write_lesson`."""
        from vividly.providers.base import ProviderFatal

        raise ProviderFatal("the local writer only composes lessons (write_lesson)")

    def write_lesson(self, brief: LessonBrief) -> tuple[dict[str, Any], Usage]:
        """A complete script dict for the brief (see content.writers for its shape)."""
        return compose_script(brief), Usage(provider=self.name)


def compose_script(brief: LessonBrief) -> dict[str, Any]:
    """Build the hook → explanation → [relationship] → example → recap → check arc."""
    world = world_for(brief.interest)
    interest = world.name if world.name.lower() == (brief.interest or "").strip().lower() else (
        brief.interest.strip() or world.name)
    max_words = _MAX_SENTENCE_WORDS.get(brief.grade_band, 30)
    terms = [t for t in (brief.key_terms or [g.get("term", "") for g in brief.glossary]) if t]
    question_words = content_words(brief.question) | content_words(brief.topic_title)
    sentences = _sentences(brief.passages, max_words)
    for sentence in sentences:
        sentence.score = _score(sentence, terms, question_words, max_words)
    ranked = sorted(sentences, key=lambda s: s.score, reverse=True)
    glossary_passages = {p.text.split(":", 1)[0].strip().lower(): p for p in brief.passages if p.kind == "glossary"}
    title = brief.topic_title
    topic_phrase = _lower_first(title)

    def take(predicate=lambda s: True, *, limit_words: int = max_words) -> _Sentence | None:
        for sentence in ranked:
            if not sentence.used and sentence.words <= limit_words and predicate(sentence):
                sentence.used = True
                return sentence
        return None

    # Hook: the interest scene, then the single most defining sentence of the section.
    opener = take(lambda s: bool(_DEFINITION.search(s.text)) and not _PRONOUN_START.match(s.text)) or take(
        lambda s: not _PRONOUN_START.match(s.text))
    hook = [_framing(f"You love {interest}, so picture {world.scene}."),
            _framing(f"Keep that picture in mind, because today we explore {topic_phrase}.")]
    if opener:
        hook.append(_fact(opener.text, opener.passage))

    # Explanation: best sentences, told in textbook order with transitions.
    relationship = None
    for equation, passage, explanation in _equations(brief.passages):
        match = next((s for s in sentences if s.text == explanation), None)
        if match is None or not match.used:
            relationship = (equation, match or _Sentence(explanation, passage, (0, 0)))
            relationship[1].used = True
            break
    # the worked example: a textbook example if there is one, else the next-best concrete statement
    example_source = take(lambda s: bool(_EXAMPLE.search(s.text))) or take(
        lambda s: not _PRONOUN_START.match(s.text) and not _DEFINITION.search(s.text)) or take()
    core: list[_Sentence] = []
    budget = 185 - (relationship[1].words if relationship else 0) - (example_source.words if example_source else 0)
    used_words = opener.words if opener else 0
    while used_words < budget and len(core) < 7:
        nxt = take(lambda s: not _PRONOUN_START.match(s.text)) or take()
        if nxt is None:
            break
        core.append(nxt)
        used_words += nxt.words
    core.sort(key=lambda s: s.order)
    first_half, second_half = core[: (len(core) + 1) // 2], core[(len(core) + 1) // 2:]

    def with_transitions(items: list[_Sentence], offset: int) -> list[dict[str, Any]]:
        out = []
        for i, sentence in enumerate(items):
            prefix = TRANSITIONS[min(i + offset, len(TRANSITIONS) - 2)] if len(items) > 1 or offset else ""
            out.append(_fact(prefix + _lower_first(sentence.text) if prefix else sentence.text, sentence.passage))
        return out

    scenes: list[dict[str, Any]] = [{
        "kind": "hook", "title": title, "sentences": hook,
        "bullets": [brief.interest.strip() or interest.title(), title],
        "equation": None,
        "visual_description": f"The title '{title}' over a {interest} themed background.",
    }]
    explanation_1 = [_framing("Here is what the textbook tells us."), *with_transitions(first_half, 0)]
    scenes.append({"kind": "explanation", "title": f"What is {title}?" if len(title) < 40 else title,
                   "sentences": explanation_1, "bullets": [_bullet(s.text) for s in first_half],
                   "equation": None, "visual_description": "Key points from the textbook, one per line."})

    # Key terms: glossary definitions (cited to the module's glossary) plus the rest of the explanation.
    definitions = []
    for term in terms:
        passage = glossary_passages.get(term.lower())
        if passage and len(definitions) < 2:
            meaning = passage.text.split(":", 1)[1] if ":" in passage.text else passage.text
            definitions.append(_fact(_definition_sentence(term, meaning), passage))
    second = with_transitions(second_half, 1) + definitions
    if second:
        scenes.append({"kind": "explanation", "title": "Key ideas and terms",
                       "sentences": [_framing("Let's add a few more pieces."), *second],
                       "bullets": [_bullet(s["text"]) for s in second], "equation": None,
                       "visual_description": "The key terms of the section with short definitions."})
    if relationship:
        equation, source = relationship
        scenes.append({"kind": "explanation", "title": "The key relationship",
                       "sentences": [_framing("On screen is the key relationship, written as an equation."),
                                     _fact(source.text, source.passage)],
                       "bullets": [], "equation": equation,
                       "visual_description": f"The equation {equation}, large and centred."})

    focus = terms[0] if terms else topic_phrase
    example = [_framing(f"Back to {interest}: picture {world.actor} {world.place} who {world.moment}.")]
    if example_source:
        example.append(_fact(example_source.text, example_source.passage))
    example.append(_framing(f"Next time {world.actor} {world.moment}, ask yourself where {focus} fits into "
                            "what you see."))
    scenes.append({"kind": "example", "title": f"{title} in {interest}", "sentences": example,
                   "bullets": [_bullet(s["text"]) for s in example if not s["framing"]],
                   "equation": None,
                   "visual_description": f"A {interest} scene next to the textbook example."})

    recap_pool = sorted([s for s in ([opener] if opener else []) + core if s.words <= 26],
                        key=lambda s: s.score, reverse=True)[:2]
    recap = [_framing("Let's recap the big ideas.")] + [_fact(s.text, s.passage) for s in recap_pool]
    scenes.append({"kind": "recap", "title": "Recap", "sentences": recap,
                   "bullets": [_bullet(s.text) for s in recap_pool], "equation": None,
                   "visual_description": "A checklist of the big ideas."})
    scenes.append({"kind": "check", "title": "Check your understanding", "sentences": [
        _framing("Now it's your turn."),
        _framing("Answer the three questions below the video to check your understanding."),
        _framing(f"Take your time, just like {world.actor} {world.place}."),
    ], "bullets": ["Three quick questions", "Answers explained"], "equation": None,
        "visual_description": "A question mark and the words 'Check your understanding'."})

    _pad_to_minimum(scenes, brief, world=world, focus=focus, used_terms={d["text"] for d in definitions})
    _trim_to_limit(scenes)
    quiz = build_quiz(brief, sentences, terms)
    return {"title": title, "scenes": scenes, "quiz": quiz}


def _pad_to_minimum(scenes: list[dict[str, Any]], brief: LessonBrief, *, world, focus: str,
                    used_terms: set[str]) -> None:
    """Short sections: add the remaining glossary definitions, the section's goals and a
    reflection prompt (framing, never new facts) until the narration reaches MIN_WORDS."""
    def total() -> int:
        return sum(word_count(s["text"]) for scene in scenes for s in scene["sentences"])

    by_kind = {scene["kind"]: scene for scene in reversed(scenes)}
    explanation = by_kind.get("explanation", scenes[0])
    for passage in [p for p in brief.passages if p.kind == "glossary"]:
        if total() >= MIN_WORDS + 25:
            return
        term, _, meaning = passage.text.partition(":")
        sentence = _definition_sentence(term.strip(), meaning) if meaning else ""
        if sentence and sentence not in used_terms:
            explanation["sentences"].append(_fact(sentence, passage))
            used_terms.add(sentence)
    extras = [(scenes[0], _framing(f"By the end, you should be able to {_lower_first(goal.rstrip('.'))}."))
              for goal in brief.learning_objectives[:2] if 3 <= word_count(goal) <= 20]
    extras += [
        (by_kind.get("example", scenes[-1]), _framing(f"Try to describe what you would see if {world.actor} "
                                                      f"{world.moment} in slow motion.")),
        (by_kind.get("recap", scenes[-1]), _framing(f"Say each idea out loud, and connect it to {focus}.")),
        (scenes[-1], _framing(f"Then explain {focus} to a friend in your own words, using {world.name} as your "
                              "example.")),
        (scenes[-1], _framing("If a question feels tricky, replay the part of the video that covers it.")),
    ]
    for scene, sentence in extras:
        if total() >= MIN_WORDS + 25:
            return
        scene["sentences"].insert(2 if scene is scenes[0] else len(scene["sentences"]), sentence)


def _trim_to_limit(scenes: list[dict[str, Any]]) -> None:
    """Drop the longest explanation sentences until the narration fits MAX_WORDS."""
    def total() -> int:
        return sum(word_count(s["text"]) for scene in scenes for s in scene["sentences"])

    while total() > MAX_WORDS:
        candidates = [(word_count(s["text"]), scene, s) for scene in scenes if scene["kind"] == "explanation"
                      for s in scene["sentences"] if not s["framing"] and len(scene["sentences"]) > 2]
        if not candidates:
            break
        _words, scene, sentence = max(candidates, key=lambda c: c[0])
        scene["sentences"].remove(sentence)


# --- quiz -----------------------------------------------------------------------------------------

def _choices(answer: str, pool: list[str], rng: random.Random, size: int = 4) -> list[str]:
    distractors = [t for t in dict.fromkeys(pool) if t.lower() != answer.lower()]
    rng.shuffle(distractors)
    options = [answer, *distractors[: size - 1]]
    rng.shuffle(options)
    return options


def _tidy_problem(text: str) -> str:
    """A worked example's question without its worked strategy, and without dangling figure refs."""
    text = re.split(r"\bStrategy\b", text, maxsplit=1)[0]
    text = re.sub(r"\s*\bSee\s*\.", "", text)  # "See <figure>." — figures are not in the corpus
    return _clean(text)


def _tidy_solution(text: str) -> str:
    return _clean(re.sub(r"^\s*Solution\b\s*", "", text or ""))


def _from_practice(item: PracticeSource, passage_id: str) -> dict[str, Any] | None:
    item = replace(item, problem=_tidy_problem(item.problem), solution=_tidy_solution(item.solution))
    if item.kind == "multiple_choice" and item.choices and item.answer:
        index = ord(item.answer.strip().lower()[:1] or "a") - ord("a")
        if 0 <= index < len(item.choices):
            answer = item.choices[index]
            explanation = item.solution or f"The correct answer is: {answer}."
            return {"prompt": item.problem, "choices": list(item.choices), "answer": answer,
                    "explanation": explanation, "citation": passage_id, "practice_item_id": item.pk}
    if item.solution:
        return {"prompt": item.problem, "choices": [], "answer": item.solution,
                "explanation": item.solution, "citation": passage_id, "practice_item_id": item.pk}
    return None


def build_quiz(brief: LessonBrief, sentences: list[_Sentence], terms: list[str]) -> list[dict[str, Any]]:
    """Three check-for-understanding questions: practice items first, then built from terms/statements."""
    rng = random.Random(brief.topic_id)  # noqa: S311 - deterministic shuffling, not security
    default_passage = brief.passages[0].id if brief.passages else ""
    quiz = [q for q in (_from_practice(item, default_passage) for item in brief.practice) if q][:3]
    pool = list(dict.fromkeys(terms + brief.related_terms))
    glossary = {g.get("term", "").lower(): g for g in brief.glossary}
    glossary_passages = {p.text.split(":", 1)[0].strip().lower(): p for p in brief.passages if p.kind == "glossary"}
    ranked = sorted(sentences, key=lambda s: s.score, reverse=True)
    kinds: dict[str, list[dict[str, Any]]] = {"term": [], "blank": [], "true_false": []}
    for term in terms:  # term ↔ meaning
        entry, passage = glossary.get(term.lower()), glossary_passages.get(term.lower())
        if entry and passage and entry.get("meaning") and len(pool) >= 2:
            meaning = _clean(entry["meaning"]).rstrip(".")
            kinds["term"].append({"prompt": f"Which term matches this description: {meaning}?",
                                  "choices": _choices(term, pool, rng), "answer": term,
                                  "explanation": _definition_sentence(term, meaning), "citation": passage.id,
                                  "practice_item_id": None})
            kinds["true_false"].append({"prompt": f"True or false: {_definition_sentence(term, meaning)}",
                                        "choices": ["True", "False"], "answer": "True",
                                        "explanation": f"True. {_definition_sentence(term, meaning)}",
                                        "citation": passage.id, "practice_item_id": None})
    for sentence in ranked:  # fill in the blank, and true/false on key statements
        term = next((t for t in terms if re.search(rf"\b{re.escape(t)}\b", sentence.text, re.I)), None)
        if term and len(pool) >= 2:
            blanked = re.sub(rf"\b{re.escape(term)}\b", "_____", sentence.text, count=1, flags=re.I)
            kinds["blank"].append({"prompt": f"Fill in the blank: {blanked}", "choices": _choices(term, pool, rng),
                                   "answer": term, "explanation": f"The textbook says: {sentence.text}",
                                   "citation": sentence.passage.id, "practice_item_id": None})
        kinds["true_false"].insert(len(kinds["true_false"]) // 2, {
            "prompt": f"True or false: {sentence.text}", "choices": ["True", "False"], "answer": "True",
            "explanation": f"True. The textbook says: {sentence.text}", "citation": sentence.passage.id,
            "practice_item_id": None})
    # one of each kind first (variety), then whatever is left
    queues = [list(kinds["term"]), list(kinds["blank"]), list(kinds["true_false"])]
    seen = {q["prompt"] for q in quiz}
    while len(quiz) < 3 and any(queues):
        for queue in queues:
            while queue and len(quiz) < 3:
                question = queue.pop(0)
                if question["prompt"] not in seen:
                    seen.add(question["prompt"])
                    quiz.append(question)
                    break
    return quiz[:3]
