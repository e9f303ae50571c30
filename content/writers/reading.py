"""Reading level: the grade a lesson aims at, how it is measured, and "Make it simpler".

The measure is Flesch–Kincaid grade (textstat's sentence count, pyphen syllables). A lesson aims
within two grades of its students' grade: the band's grade, or two grades lower for a "Make it
simpler" request. Such a request is recognised by `SIMPLER_PREFIX` on the question, which also makes
it a different lesson (the reuse key includes the question).
"""

from __future__ import annotations

import re

import pyphen
import textstat

#: The grade a band's lessons are written for (a 9-10 lesson must suit a 9th-grader too).
BAND_GRADE = {"6-8": 7.0, "9-10": 9.5, "11-12": 11.5}
#: How many grades lower a "Make it simpler" lesson aims.
SIMPLER_STEP = 2.5
SIMPLER_PREFIX = "Explain more simply: "
_SIMPLER = re.compile(r"^\s*explain (it )?more simply\s*:\s*", re.I)
_HYPHENATOR = pyphen.Pyphen(lang="en_US")


def flesch_kincaid_grade(text: str) -> float:
    """Flesch–Kincaid grade with textstat's word/sentence counts and pyphen syllables.

    textstat's own syllable counter fetches NLTK's cmudict over the network on first use, which
    is not allowed at run time here; pyphen's bundled English dictionary gives the same formula.
    """
    found = re.findall(r"[A-Za-z][A-Za-z']*", text)
    if not found:
        return 0.0
    sentences = max(1, textstat.sentence_count(text))
    syllables = sum(syllable_count(w) for w in found)
    return 0.39 * len(found) / sentences + 11.8 * syllables / len(found) - 15.59


def syllable_count(word: str) -> int:
    return max(1, len(_HYPHENATOR.positions(word.lower())) + 1)


def sentence_grade(text: str) -> float:
    """Flesch–Kincaid grade of one sentence (how hard it is on its own)."""
    return flesch_kincaid_grade(text)


def split_simpler(question: str) -> tuple[bool, str]:
    """(asked to make it simpler, the question without the prefix)."""
    match = _SIMPLER.match(question or "")
    if not match:
        return False, question
    return True, question[match.end():].strip()


def simpler_question(question: str) -> str:
    """The question of a "Make it simpler" request (idempotent)."""
    _simpler, plain = split_simpler(question)
    return f"{SIMPLER_PREFIX}{plain}"[:500]


def target_grade(grade_band: str, *, simpler: bool = False) -> float:
    grade = BAND_GRADE.get(grade_band, 9.5)
    return max(4.0, grade - SIMPLER_STEP) if simpler else grade
