"""Turning what a student typed or pasted into the two texts search needs.

A pasted homework problem ("A 5-kg box... Which of the following... a) 1 N b) 10 N ...") is
accepted whole: BM25 reads the stem and the options (their words name the topic); the embedding
gets the stem — its question sentences first when it is long — then the options, within
DENSE_MAX_CHARS, so a long paste costs one short embedding (measured on the dev questions: the
options help the embedding too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_INPUT_CHARS = 4000     # what the API and the understand stage accept
LEXICAL_MAX_CHARS = 1500   # BM25 query text
DENSE_MAX_CHARS = 700      # ≈ 160 word-pieces: inside MiniLM's window with room to spare

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
# "a) ...", "(b) ...", "C. ...", "d: ..." at a line start or after whitespace, in order a, b, c...
_OPTION = re.compile(r"(?:^|\s)\(?([a-hA-H])[).:]\s+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"“])")


@dataclass(frozen=True)
class PreparedQuery:
    raw: str          # cleaned, whitespace collapsed, capped at MAX_INPUT_CHARS
    dense: str        # what is embedded
    lexical: str      # what BM25 reads
    options: tuple[str, ...] = ()

    @property
    def words(self) -> int:
        return len(self.raw.split())


def _split_options(text: str) -> tuple[str, list[str]]:
    """Stem and answer options, when the text lists options lettered a, b, c... in order."""
    marks = list(_OPTION.finditer(text))
    for start in range(len(marks)):
        run = [marks[start]]
        for mark in marks[start + 1:]:
            if ord(mark.group(1).lower()) == ord(run[-1].group(1).lower()) + 1:
                run.append(mark)
        if run[0].group(1).lower() == "a" and len(run) >= 2:
            stem = text[:run[0].start()].strip()
            bounds = [m.end() for m in run]
            ends = [m.start() for m in run[1:]] + [len(text)]
            return stem, [text[b:e].strip() for b, e in zip(bounds, ends, strict=True)]
    return text, []


def _dense_text(stem: str, options: list[str]) -> str:
    """Stem and options within DENSE_MAX_CHARS; a long stem keeps its question sentences first."""
    full = " ".join([stem, *options])
    if len(full) <= DENSE_MAX_CHARS:
        return full
    if len(stem) <= DENSE_MAX_CHARS:
        return full[:DENSE_MAX_CHARS].rsplit(" ", 1)[0]
    sentences = [s for s in _SENTENCE.split(stem) if s.strip()]
    chosen: set[int] = set()
    total = 0
    priority = [i for i, s in enumerate(sentences) if s.rstrip().endswith("?")]
    priority += [i for i in range(len(sentences)) if i not in priority]
    for i in priority:
        if total + len(sentences[i]) > DENSE_MAX_CHARS and chosen:
            continue
        chosen.add(i)
        total += len(sentences[i]) + 1
    text = " ".join(sentences[i] for i in sorted(chosen))
    return text[:DENSE_MAX_CHARS]


def prepare(text: str) -> PreparedQuery:
    """Clean and trim a question for search (never raises; an empty result means nothing to search)."""
    cleaned = _SPACES.sub(" ", _CONTROL.sub(" ", text or "")).strip()[:MAX_INPUT_CHARS]
    stem, options = _split_options(cleaned)
    stem = stem or cleaned
    lexical = " ".join([stem, *options])[:LEXICAL_MAX_CHARS]
    return PreparedQuery(raw=cleaned, dense=_dense_text(stem, options), lexical=lexical, options=tuple(options))
