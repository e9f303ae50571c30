"""Measured quality record of a lesson (shown to teachers and admins, asserted by tests)."""

from __future__ import annotations

import difflib
import re
from typing import Any

import pyphen
import textstat

from .writers import narration_of, word_count

_BAND_GRADE = {"6-8": 7, "9-10": 10, "11-12": 12}


_HYPHENATOR = pyphen.Pyphen(lang="en_US")


def flesch_kincaid_grade(text: str) -> float:
    """Flesch–Kincaid grade with textstat's word/sentence counts and pyphen syllables.

    textstat's own syllable counter fetches NLTK's cmudict over the network on first use, which
    is not allowed at run time here; pyphen's bundled English dictionary gives the same formula.
    """
    words = re.findall(r"[A-Za-z][A-Za-z']*", text)
    if not words:
        return 0.0
    sentences = max(1, textstat.sentence_count(text))
    syllables = sum(max(1, len(_HYPHENATOR.positions(w.lower())) + 1) for w in words)
    return 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def mentions(text: str, phrase: str) -> bool:
    return bool(phrase) and phrase.lower() in text.lower()


def measure(*, script: dict[str, Any], interest: str, grade_band: str, key_terms: list[str],
            caption_text: str | None = None, student_grade: int | None = None) -> dict[str, Any]:
    """Reading level vs grade, citation share, key-term coverage, interest presence, caption agreement."""
    scenes = script.get("scenes", [])
    narration = " ".join(narration_of(scene) for scene in scenes)
    sentences = [s for scene in scenes for s in scene.get("sentences", [])]
    factual = [s for s in sentences if not s.get("framing")]
    cited = [s for s in factual if s.get("citation")]
    grade = student_grade or _BAND_GRADE.get(grade_band, 10)
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
        "reading_level_ok": reading_grade <= grade + 2,
        "key_term_coverage": round(len(covered) / len(terms), 3) if terms else None,
        "key_terms_covered": covered,
        "interest_in_hook": mentions(hook, interest),
        "interest_in_example": mentions(example, interest),
        "quiz_questions": len(script.get("quiz", [])),
    }
    if caption_text is not None:
        matcher = difflib.SequenceMatcher(a=_words(narration), b=_words(caption_text), autojunk=False)
        record["caption_agreement"] = round(matcher.ratio(), 3)
    return record
