"""Narration text shared by every voice (local and Google) and the captions: one sentence splitter."""

import re

SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Split narration into sentences (keeps abbreviations like 'e.g. the' together)."""
    text = " ".join((text or "").split())
    if not text:
        return []
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]
