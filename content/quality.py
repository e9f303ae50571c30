"""Measured quality record of a lesson (shown to teachers and admins, asserted by tests)."""

from __future__ import annotations

import difflib
import re
from typing import Any

from .writers import narration_of, word_count
from .writers.reading import flesch_kincaid_grade, target_grade


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def mentions(text: str, phrase: str) -> bool:
    return bool(phrase) and phrase.lower() in text.lower()


def measure(*, script: dict[str, Any], interest: str, grade_band: str, key_terms: list[str],
            caption_text: str | None = None, student_grade: int | None = None, simpler: bool = False) -> dict[str, Any]:
    """Reading level vs target grade, citation share, key-term coverage, interest presence (hook and
    beyond), caption agreement. The target is the band's grade, lower for "Make it simpler"."""
    scenes = script.get("scenes", [])
    narration = " ".join(narration_of(scene) for scene in scenes)
    sentences = [s for scene in scenes for s in scene.get("sentences", [])]
    factual = [s for s in sentences if not s.get("framing")]
    cited = [s for s in factual if s.get("citation")]
    grade = student_grade or target_grade(grade_band, simpler=simpler)
    reading_grade = round(flesch_kincaid_grade(narration), 1) if narration else 0.0
    terms = [t for t in key_terms if t][:12]
    covered = [t for t in terms if mentions(narration, t)]
    hook = " ".join(narration_of(s) for s in scenes if s.get("kind") == "hook")
    example = " ".join(narration_of(s) for s in scenes if s.get("kind") == "example")
    record: dict[str, Any] = {
        "narration_words": word_count(narration),
        "scene_count": len(scenes),
        "factual_sentences": len(factual),
        "framing_sentences": len(sentences) - len(factual),
        "cited_share": round(len(cited) / len(factual), 3) if factual else 0.0,
        "reading_grade": reading_grade,
        "student_grade": grade,
        "reading_grade_gap": round(reading_grade - grade, 1),
        "reading_level_ok": abs(reading_grade - grade) <= 2,
        "simpler": simpler,
        "key_term_coverage": round(len(covered) / len(terms), 3) if terms else None,
        "key_terms_covered": covered,
        "interest_in_hook": mentions(hook, interest),
        "interest_in_example": mentions(example, interest),
        "interest_beyond_hook": any(mentions(narration_of(s), interest) for s in scenes if s.get("kind") != "hook"),
        "quiz_questions": len(script.get("quiz", [])),
    }
    if caption_text is not None:
        matcher = difflib.SequenceMatcher(a=_words(narration), b=_words(caption_text), autojunk=False)
        record["caption_agreement"] = round(matcher.ratio(), 3)
    return record
