"""Lesson script writers: the brief they receive and the script shape they return.

A writer gets a `LessonBrief` (topic, retrieved passages with ids, interest, grade band, practice
items) and returns a script dict: {"title", "scenes": [{"kind", "title", "sentences": [{"text",
"citation", "framing"}], "bullets", "equation", "visual_description"}], "quiz": [{"prompt",
"choices", "answer", "explanation", "citation", "practice_item_id"}]}. Factual sentences cite a
passage id ("p1"...); interest-framing sentences (scenarios, worked-example numbers) carry
`framing: true` and no citation. The lesson opens with the direct answer to the student's question.
Quiz items are multiple choice (or open) with the answer among the choices and an explanation
citing a passage; true/false items are refused (a copied textbook statement is always "True").
`validate_script` is applied to every writer's output, local or remote.

Optional scene keys for the slide (issue 18; read by content/pipeline/slide_specs.py, meaning as in
`vividly.providers.base.SlideSpec`): "key_idea" (the narration's one idea, ≤ ~12 words),
"example_lines" (the worked example's numbers, one step a line: ["m = 0.62 kg", "F_net = 12 N",
"a = F_net / m = 19.4 m/s^2"]), "sketch" ("forces" | "wave" | "cell" | "atom" | "reaction" | "none"),
"sketch_labels" (e.g. ["right: Push 12 N", "left: Friction 3 N", "basketball"]) and "reaction"
("2H2 + O2 -> 2H2O"). "equation" takes the ingested plain form ("a = (F_net)/(m)") or "$mathtext$".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SCENE_KINDS = ("hook", "explanation", "example", "recap", "check")
MIN_SCENES, MAX_SCENES = 5, 8
MIN_WORDS, MAX_WORDS = 150, 300
QUIZ_SIZE = 3

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_STOP = frozenset(
    ["the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "by", "at", "as", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these", "those", "from", "into", "than", "then", "so", "such", "can", "may", "will", "would", "could", "should", "has", "have", "had", "not", "no", "but", "if", "when", "which", "what", "who", "how", "why", "there", "their", "they", "them", "we", "you", "your", "our", "also", "more", "most", "other", "some", "any", "each"])


@dataclass(frozen=True)
class SourcePassage:
    """One retrieved textbook passage, addressable by `id` in citations."""

    id: str
    topic_id: int | None
    module_id: str
    text: str
    book_title: str = ""
    section_title: str = ""
    anchor: str = ""
    citation: str = ""
    url: str = ""
    attribution: str = ""
    kind: str = "text"
    order: int = 0  # position in its section (textbook order); other sections' passages come after
    relevance: float = 0.0  # cosine similarity of the passage to the student's question (0 when unknown)
    summary: bool = False  # from the section's own summary ("Section Summary", "Key Concepts and Summary")

    def as_citation(self) -> dict[str, Any]:
        return {"id": self.id, "module_id": self.module_id, "anchor": self.anchor, "book": self.book_title,
                "section": self.section_title, "citation": self.citation, "url": self.url,
                "attribution": self.attribution, "excerpt": self.text[:280]}


@dataclass(frozen=True)
class PracticeSource:
    pk: int
    kind: str
    problem: str
    choices: list[str]
    answer: str
    solution: str


@dataclass(frozen=True)
class LessonBrief:
    topic_id: int
    topic_title: str
    subject: str
    question: str
    interest: str
    grade_band: str
    passages: list[SourcePassage]
    key_terms: list[str] = field(default_factory=list)
    glossary: list[dict[str, str]] = field(default_factory=list)
    learning_objectives: list[str] = field(default_factory=list)
    practice: list[PracticeSource] = field(default_factory=list)
    related_terms: list[str] = field(default_factory=list)
    simpler: bool = False  # "Make it simpler": aim lower than the grade band


class ScriptInvalid(ValueError):
    """A writer's script breaks the contract (scene count, citations, quiz)."""


def content_words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 2}


def word_count(text: str) -> int:
    return len(re.findall(r"\S+", text))


def narration_of(scene: dict[str, Any]) -> str:
    return " ".join(s["text"].strip() for s in scene.get("sentences", []))


def supports(sentence: str, passage_text: str, *, threshold: float = 0.6) -> bool:
    """Whether most content words of `sentence` occur in the passage (grounding check)."""
    words = content_words(sentence)
    if not words:
        return False
    source = content_words(passage_text)
    return len(words & source) / len(words) >= threshold


def validate_script(script: dict[str, Any], passages: list[SourcePassage]) -> dict[str, Any]:
    """Check and normalise a script; raise ScriptInvalid when it cannot be used."""
    by_id = {p.id: p for p in passages}
    scenes = script.get("scenes") or []
    if not MIN_SCENES <= len(scenes) <= MAX_SCENES:
        raise ScriptInvalid(f"{len(scenes)} scenes (need {MIN_SCENES}-{MAX_SCENES})")
    kinds = [s.get("kind") for s in scenes]
    for required in ("hook", "explanation", "example", "recap"):
        if required not in kinds:
            raise ScriptInvalid(f"no {required} scene")
    factual = 0
    for scene in scenes:
        if scene.get("kind") not in SCENE_KINDS:
            raise ScriptInvalid(f"unknown scene kind {scene.get('kind')!r}")
        sentences = scene.get("sentences") or []
        if not sentences:
            raise ScriptInvalid("a scene without narration")
        for sentence in sentences:
            text = " ".join(str(sentence.get("text", "")).split())
            sentence["text"] = text
            sentence["framing"] = bool(sentence.get("framing"))
            citation = sentence.get("citation") or None
            if sentence["framing"]:
                sentence["citation"] = None
                continue
            factual += 1
            if citation not in by_id or not supports(text, by_id[citation].text, threshold=0.5):
                raise ScriptInvalid(f"factual sentence not grounded in its citation: {text[:80]!r}")
            sentence["citation"] = citation
        scene.setdefault("bullets", [])
        scene.setdefault("equation", None)
        scene.setdefault("visual_description", "")
        scene["title"] = str(scene.get("title") or scene["kind"].title())[:300]
    if factual == 0:
        raise ScriptInvalid("no factual sentences")
    words = sum(word_count(narration_of(s)) for s in scenes)
    if not MIN_WORDS * 0.9 <= words <= MAX_WORDS * 1.1:
        raise ScriptInvalid(f"{words} words of narration (need {MIN_WORDS}-{MAX_WORDS})")
    quiz = script.get("quiz") or []
    if len(quiz) != QUIZ_SIZE:
        raise ScriptInvalid(f"{len(quiz)} quiz questions (need {QUIZ_SIZE})")
    for question in quiz:
        if not question.get("prompt") or not question.get("answer") or not question.get("explanation"):
            raise ScriptInvalid("quiz question without prompt, answer or explanation")
        choices = question.get("choices") or []
        if choices and question["answer"] not in choices:
            raise ScriptInvalid("quiz answer is not one of its choices")
        if is_true_false(question):
            raise ScriptInvalid("true/false quiz question (a copied textbook statement is always true)")
        if choices and len(set(choices)) != len(choices):
            raise ScriptInvalid("quiz question with repeated choices")
        if question.get("citation") not in by_id:
            raise ScriptInvalid("quiz explanation does not cite a passage")
    return script


def is_true_false(question: dict[str, Any]) -> bool:
    choices = {str(c).strip().lower() for c in question.get("choices") or []}
    prompt = str(question.get("prompt", "")).strip().lower()
    return bool(choices and choices <= {"true", "false"}) or prompt.startswith("true or false")
