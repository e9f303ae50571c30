"""Section-aware chunking sized to MiniLM's 256 word-piece window: fewer, better chunks.

A chunk never crosses a module (section) nor a subsection heading. Each embedded text is
"section title > subsection: body", so the heading is inside the window and boosts the match.
Long blocks are split by sentence (then by words) so nothing is silently truncated by the model.

What is indexed (chosen on the dev questions of bench/section_eval.py; CHUNKER_VERSION 3):
- body text and tables packed up to the window, without overlap (overlap cost a fifth more
  embedding for no retrieval gain); figures (caption + alt-text descriptions of images: a fifth of
  the corpus' word-pieces) are left out: with them, dev MRR 0.786 vs 0.783 without;
- one overview per section (title, objectives, key terms) and the glossary packed per section
  (was: one chunk per term — the same words in a sixth of the rows);
- the section's own review questions ("practice" chunks, kind PRACTICE): student questions look like
  them far more than like expository text. They rank sections but are never returned as passages
  (they are questions, not facts). Questions in the evaluation splits (`practice_split`) are never
  indexed, so bench/section_eval.py measures questions the index has not seen.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

CHUNKER_VERSION = 3
MAX_TOKENS = 256          # model window incl. [CLS]/[SEP]
_SENTENCE = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9(\"“])")
PRACTICE = "practice"

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
    """Chunks for one parsed module: overview, body, packed glossary and indexable review questions."""
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
        if block.get("kind") == "figure":
            continue
        if groups and groups[-1][0] == block["path"]:
            groups[-1][1].append(block)
        else:
            groups.append((block["path"], [block]))
    for path, blocks in groups:
        prefix = _prefix(title, path)
        budget = max(64, MAX_TOKENS - 4 - count([prefix])[0])
        texts = [b["text"] for b in blocks]
        units: list[tuple[str, str]] = []  # (text, element id)
        for block, text, size in zip(blocks, texts, count(texts), strict=True):
            if size > budget:
                units += [(piece, block["id"]) for piece in _split_long(text, budget, count)]
            elif text:
                units.append((text, block["id"]))
        for piece_units in _pack_units(units, count, budget):
            text = " ".join(u[0] for u in piece_units)
            add("text", [title, *path], piece_units[0][1], text, prefix + text)

    glossary = [(f"{d['term']}: {d['meaning']}", d.get("id") or "glossary") for d in parsed.get("glossary", [])]
    prefix = f"{title} > Glossary: "
    for piece_units in _pack_units(glossary, count, MAX_TOKENS - 4 - count([prefix])[0]):
        text = "; ".join(u[0] for u in piece_units)
        add("glossary", [title, "Glossary"], piece_units[0][1], text, prefix + text)

    for item in parsed.get("practice", []):
        if item.get("section_class") != "in-text" and practice_split(module_id, item["element_id"]) != "index":
            continue
        question = " ".join([item["problem"], *item.get("choices", [])]).strip()
        if len(question) >= 15:
            add(PRACTICE, [title, "Review question"], item["element_id"], question,
                f"{title} > Review question: {question}")
    return drafts


def practice_split(module_id: str, element_id: str) -> str:
    """Stable three-way split of the books' review questions: 'heldout' 30%, 'dev' 20%, 'index' 50%.

    In-text exercises (worked examples) are never evaluation questions, so they are always indexed.
    """
    value = int(hashlib.sha256(f"{module_id}#{element_id}".encode()).hexdigest(), 16) % 10
    return "heldout" if value < 3 else "dev" if value < 5 else "index"


def _pack_units(units: list[tuple[str, str]], count: TokenCounter, budget: int) -> list[list[tuple[str, str]]]:
    """Consecutive units grouped greedily so each group stays within `budget` word-pieces."""
    groups: list[list[tuple[str, str]]] = []
    total = 0
    for unit, size in zip(units, count([u[0] for u in units]) if units else [], strict=True):
        if groups and total + size <= budget:
            groups[-1].append(unit)
            total += size
        else:
            groups.append([unit])
            total = size
    return groups


def _pack(texts: list[str], count: TokenCounter, limit: int) -> list[str]:
    out: list[str] = []
    for text in texts:
        if count([text])[0] <= limit:
            out.append(text)
        else:
            out += _split_long(text, limit, count)
    return out
