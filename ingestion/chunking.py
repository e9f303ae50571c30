"""Section-aware chunking sized to MiniLM's 256 word-piece window.

A chunk never crosses a module (section) nor a subsection heading. Each embedded text is
"section title > subsection: body", so the heading is inside the window and boosts the match.
Long blocks are split by sentence (then by words) so nothing is silently truncated by the model.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

CHUNKER_VERSION = 2
MAX_TOKENS = 256          # model window incl. [CLS]/[SEP]
TARGET_TOKENS = 200       # body budget (the heading prefix takes the rest)
OVERLAP_TOKENS = 40       # carried from the end of the previous chunk
_SENTENCE = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9(\"“])")

TokenCounter = Callable[[list[str]], list[int]]


@dataclass
class ChunkDraft:
    ordinal: int
    kind: str
    heading_path: list[str]
    anchor: str
    text: str
    embed_text: str

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.embed_text.encode("utf-8")).hexdigest()


def _split_long(text: str, limit: int, count: TokenCounter) -> list[str]:
    """Split a block that exceeds `limit` word-pieces: sentences first, then word windows."""
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    pieces: list[str] = []
    for sentence, size in zip(sentences, count(sentences), strict=True):
        if size <= limit:
            pieces.append(sentence)
            continue
        words = sentence.split()
        step = max(1, int(len(words) * limit / size * 0.9))
        pieces += [" ".join(words[i:i + step]) for i in range(0, len(words), step)]
    return pieces


def _prefix(section_title: str, path: list[str]) -> str:
    return " > ".join([section_title, *path]) + ": "


def chunk_module(parsed: dict, *, count: TokenCounter, book_title: str = "",
                 chapter_title: str = "") -> list[ChunkDraft]:
    """Chunks for one parsed module: an overview chunk, body chunks, one chunk per glossary term."""
    module_id = parsed["module_id"]
    title = parsed["title"]
    drafts: list[ChunkDraft] = []

    def add(kind: str, path: list[str], anchor_id: str, text: str, embed_text: str) -> None:
        drafts.append(ChunkDraft(len(drafts), kind, path, f"{module_id}#{anchor_id}", text, embed_text))

    # Overview: title, objectives and key terms — a strong "what is this section about" unit.
    overview_parts = [title]
    if parsed.get("objectives"):
        overview_parts.append("Learning objectives: " + "; ".join(parsed["objectives"]))
    if parsed.get("key_terms"):
        overview_parts.append("Key terms: " + ", ".join(parsed["key_terms"][:30]))
    overview = ". ".join(overview_parts)
    first_id = parsed["blocks"][0]["id"] if parsed.get("blocks") else module_id
    for piece in _pack([overview], count, MAX_TOKENS - 20):
        add("overview", [title], first_id, piece, f"{chapter_title} > {piece}" if chapter_title else piece)

    # Body: consecutive blocks under the same heading path form a group; pack each group.
    groups: list[tuple[list[str], list[dict]]] = []
    for block in parsed.get("blocks", []):
        if groups and groups[-1][0] == block["path"]:
            groups[-1][1].append(block)
        else:
            groups.append((block["path"], [block]))
    for path, blocks in groups:
        prefix = _prefix(title, path)
        budget = max(64, MAX_TOKENS - 8 - count([prefix])[0])
        units: list[tuple[str, str]] = []  # (text, element id)
        sizes = count([b["text"] for b in blocks])
        for block, size in zip(blocks, sizes, strict=True):
            if size > budget:
                units += [(piece, block["id"]) for piece in _split_long(block["text"], budget, count)]
            else:
                units.append((block["text"], block["id"]))
        unit_sizes = count([u[0] for u in units])
        start = 0
        while start < len(units):
            total, end = 0, start
            while end < len(units) and (end == start or total + unit_sizes[end] <= min(budget, TARGET_TOKENS)):
                total += unit_sizes[end]
                end += 1
            text = " ".join(u[0] for u in units[start:end])
            add("text", [title, *path], units[start][1], text, prefix + text)
            if end >= len(units):
                break
            # overlap: step back over trailing units that fit the overlap budget (always progress)
            back, carried = end, 0
            while back - 1 > start and carried + unit_sizes[back - 1] <= OVERLAP_TOKENS:
                back -= 1
                carried += unit_sizes[back]
            start = back

    for definition in parsed.get("glossary", []):
        text = f"{definition['term']}: {definition['meaning']}"
        add("glossary", [title, "Glossary"], definition.get("id") or "glossary", text, f"{title} > Glossary: {text}")
    return drafts


def _pack(texts: list[str], count: TokenCounter, limit: int) -> list[str]:
    out: list[str] = []
    for text in texts:
        if count([text])[0] <= limit:
            out.append(text)
        else:
            out += _split_long(text, limit, count)
    return out
