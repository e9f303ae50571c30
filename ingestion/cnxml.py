"""Safe CNXML parsing: collection files (table of contents) and modules (sections).

Parsing goes through defusedxml (no DTDs, no entity expansion, no network). A module becomes a plain,
JSON-serialisable dict (stored on SourceDocument.parsed so later stages can resume without re-parsing).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree as SafeET

PARSER_VERSION = 4  # 4: a paragraph's own title is set off by a colon
CNXML = "http://cnx.rice.edu/cnxml"
MATHML = "http://www.w3.org/1998/Math/MathML"
MDML = "http://cnx.rice.edu/mdml"
COLLXML = "http://cnx.rice.edu/collxml"


def _tag(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _ns(tag: object) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


class CnxmlError(ValueError):
    """A collection or module that cannot be used (malformed XML, missing parts)."""


# Stray C1 control characters are cp1252 bytes decoded as latin-1 (U+0092 is really ’).
_C1_MAP = {}
for _code in range(0x80, 0xA0):
    try:
        _C1_MAP[_code] = bytes([_code]).decode("cp1252")
    except UnicodeDecodeError:
        _C1_MAP[_code] = ""
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Map C1 mojibake to the intended characters and collapse whitespace."""
    return _SPACES.sub(" ", text.translate(_C1_MAP)).strip()


def parse_xml(data: bytes):
    """Parse bytes with entity/DTD expansion forbidden; raise CnxmlError on anything malformed."""
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except Exception as exc:
        raise CnxmlError(f"malformed XML: {exc.__class__.__name__}: {exc}") from exc


# --- collection -------------------------------------------------------------------------------

@dataclass
class CollectionModule:
    module_id: str
    chapter_number: int | None  # None for front/back matter
    chapter_title: str = ""
    unit_title: str = ""
    section_number: int = 0


@dataclass
class Collection:
    title: str
    slug: str
    modules: list[CollectionModule] = field(default_factory=list)


def parse_collection(data: bytes) -> Collection:
    """Table of contents: chapter = innermost subcollection holding a module (Biology has units)."""
    root = parse_xml(data)
    meta = root.find(_tag(COLLXML, "metadata"))
    if meta is None:
        meta = root.find(_tag(CNXML, "metadata"))
    title = clean(meta.findtext(_tag(MDML, "title"), "")) if meta is not None else ""
    slug = clean(meta.findtext(_tag(MDML, "slug"), "")) if meta is not None else ""
    content = root.find(_tag(COLLXML, "content"))
    if content is None:
        raise CnxmlError("collection has no col:content")
    result = Collection(title=title, slug=slug)
    counter = {"chapter": 0}

    def walk(node, unit: str, chapter: tuple[int, str] | None) -> None:
        position = 0
        for child in node:
            name = _local(child.tag)
            if name == "module":
                position += 1
                module_id = child.get("document", "")
                if chapter is None:
                    result.modules.append(CollectionModule(module_id, None))
                else:
                    result.modules.append(CollectionModule(module_id, chapter[0], chapter[1], unit, position - 1))
            elif name == "subcollection":
                sub_title = clean(child.findtext(_tag(MDML, "title"), ""))
                sub_content = child.find(_tag(COLLXML, "content"))
                if sub_content is None:
                    continue
                holds_modules = any(_local(c.tag) == "module" for c in sub_content)
                if holds_modules:
                    counter["chapter"] += 1
                    walk(sub_content, unit, (counter["chapter"], sub_title))
                else:
                    walk(sub_content, sub_title, chapter)

    walk(content, "", None)
    return result


# --- math and inline text -----------------------------------------------------------------------

_SPACED_OPS = set("=+−-×·÷<>≤≥≈≠→⟶⇌⇀↽±∝")


def _math(el) -> str:
    """Flatten presentation MathML to readable text: x^2, (a)/(b), sqrt(x), H2O."""
    name = _local(el.tag)
    kids = [c for c in el if _ns(c.tag) == MATHML]
    if name in {"mi", "mn", "mtext", "ms"}:
        return clean("".join(el.itertext()))
    if name == "mo":
        op = clean("".join(el.itertext()))
        return f" {op} " if op in _SPACED_OPS else op
    if name == "mspace":
        return " "
    if name == "mfrac" and len(kids) == 2:
        return f"({_math(kids[0]).strip()})/({_math(kids[1]).strip()})"
    if name == "msqrt":
        return f"sqrt({''.join(_math(k) for k in kids).strip()})"
    if name == "mroot" and len(kids) == 2:
        return f"root{_math(kids[1]).strip()}({_math(kids[0]).strip()})"
    if name in {"msub", "msup", "msubsup"} and len(kids) >= 2:
        base = _math(kids[0])
        sub = _math(kids[1]).strip() if name != "msup" else ""
        sup = _math(kids[-1]).strip() if name != "msub" else ""
        out = base + (sub if re.fullmatch(r"[0-9]+", sub) else (f"_{sub}" if sub else ""))
        return out + (f"^{sup}" if sup else "")
    if name in {"mover", "munder", "munderover"} and kids:
        return "".join(_math(k) for k in kids[:1]) + "".join(
            f" {_math(k).strip()}" for k in kids[1:] if _math(k).strip() not in {"→", "¯", "^", "˙", "⇀"})
    if name == "mtable":
        return "; ".join(_math(row).strip() for row in kids)
    if name == "mtr":
        return " ".join(_math(cell).strip() for cell in kids)
    if name == "mfenced":
        return "(" + ", ".join(_math(k).strip() for k in kids) + ")"
    return "".join(_math(k) for k in kids)


def inline_text(el, *, skip=frozenset()) -> str:
    """Readable text of an element: math flattened, sup as ^, os-embed placeholders dropped."""
    parts: list[str] = []

    def visit(node) -> None:
        name, ns = _local(node.tag), _ns(node.tag)
        if ns == MATHML and name == "math":
            parts.append(" " + _math(node).strip() + " ")
            if node.tail:
                parts.append(node.tail)
            return
        if name in skip or (name == "link" and node.get("class") == "os-embed"):
            if node.tail:
                parts.append(node.tail)
            return
        if name == "newline":
            parts.append(" ")
        if node.text:
            parts.append(("^" if name == "sup" else "") + node.text)
        for child in node:
            visit(child)
        if name in {"item", "entry", "title", "para", "label"}:
            parts.append(" ")
        if node.tail:
            parts.append(node.tail)

    if el.text:
        parts.append(el.text)
    for child in el:
        visit(child)
    return clean("".join(parts))


# --- modules ------------------------------------------------------------------------------------

EXERCISE_SECTIONS = {
    "multiple-choice", "critical-thinking", "visual-exercise", "exercises", "check-understanding",
    "practice-problems", "concept", "problems", "performance", "short-answer", "extended-response",
    "review-questions", "free-response", "section-quiz",
}
OPEN_KINDS = {"critical-thinking", "short-answer", "extended-response", "concept", "free-response",
              "visual-exercise", "check-understanding"}
SKIPPED_NOTES = {"os-teacher"}
BLOCK_TEXT = {"para", "equation", "quote", "code", "preformat", "definition", "rule", "statement", "proof"}


def _title_of(el) -> str:
    """The element's own <title> as text ("" without one)."""
    title_el = el.find(_tag(CNXML, "title"))
    return inline_text(title_el) if title_el is not None else ""


def titled(title: str, text: str) -> str:
    """A title set off from its text ("A Boiling Point at Reduced Pressure: A typical ...", "Solution: The
    graph ...", "Watch Physics: A short video ..."), so it never reads as the start of the first sentence."""
    title = clean(title)
    if not title:
        return text
    return f"{title} {text}" if title.endswith((".", "?", "!", ":")) else f"{title}: {text}"


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


class _ModuleWalker:
    def __init__(self, module_id: str) -> None:
        self.module_id = module_id
        self.blocks: list[dict] = []
        self.practice: list[dict] = []
        self.key_terms: list[str] = []
        self.summary: list[str] = []
        self.objectives_from_note: list[str] = []
        self.skipped_placeholders = 0

    def add_block(self, text: str, path: list[str], element_id: str, kind: str = "text") -> None:
        if text:
            self.blocks.append({"text": text, "path": list(path), "id": element_id, "kind": kind})

    def walk(self, node, path: list[str], anchor: str) -> None:
        for child in node:
            if _ns(child.tag) != CNXML:
                continue
            self.element(child, path, anchor)

    def element(self, el, path: list[str], anchor: str) -> None:
        name, classes = _local(el.tag), _classes(el)
        element_id = el.get("id") or anchor
        if name in {"title", "label"}:
            return
        if name == "section":
            title = _title_of(el)
            if classes & EXERCISE_SECTIONS:
                for exercise in el.iter(_tag(CNXML, "exercise")):
                    self.exercise(exercise, (classes & EXERCISE_SECTIONS).pop())
                return
            if "keyterms" in classes or (el.get("id") == "keyterms"):
                self.key_terms += [inline_text(e) for e in el.iter(_tag(CNXML, "entry")) if inline_text(e)]
                return
            if "summary" in classes:
                self.summary.append(inline_text(el, skip={"title"}))
            self.walk(el, [*path, title] if title else path, element_id)
            return
        if name == "note":
            if classes & SKIPPED_NOTES:
                return
            if "learning-objectives" in classes:
                self.objectives_from_note += [inline_text(i) for i in el.iter(_tag(CNXML, "item"))]
                return
            start = len(self.blocks)
            self.walk(el, path, element_id)
            if len(self.blocks) > start:
                self.blocks[start]["text"] = titled(_title_of(el), self.blocks[start]["text"])
            return
        if name == "exercise":
            self.exercise(el, "in-text")
            return
        if name in {"example", "content"}:
            self.walk(el, path, element_id)
            return
        if name == "list":
            items = [inline_text(i) for i in el.findall(_tag(CNXML, "item"))]
            self.add_block(titled(_title_of(el), "; ".join(i for i in items if i)), path, element_id)
            return
        if name == "figure":
            self.add_block(self.figure(el), path, element_id, "figure")
            return
        if name == "table":
            rows = []
            for row in el.iter(_tag(CNXML, "row")):
                cells = [inline_text(e) for e in row.findall(_tag(CNXML, "entry"))]
                rows.append(" | ".join(c for c in cells))
            lead = f"{title}. " if (title := _title_of(el)) else ""
            self.add_block(clean(lead + " ; ".join(r for r in rows if r.strip(" |"))), path, element_id, "table")
            return
        if name in BLOCK_TEXT or name in {"media", "span", "emphasis", "term"}:
            text = inline_text(el, skip={"exercise", "note", "title"} if name == "para" else frozenset())
            if name == "para":
                text = titled(_title_of(el), text)
            self.add_block(text, path, element_id)
            if name == "para":
                # notes/exercises nested in a paragraph still count
                for nested in el:
                    if _local(nested.tag) in {"note", "exercise"}:
                        self.element(nested, path, element_id)
            return
        self.walk(el, path, element_id)

    @staticmethod
    def figure(el) -> str:
        parts = [inline_text(found) for tag in ("title", "caption") for found in el.iter(_tag(CNXML, tag))]
        parts += [clean(media.get("alt")) for media in el.iter(_tag(CNXML, "media")) if media.get("alt")]
        text = " ".join(p for p in parts if p)
        return f"Figure: {text}" if text else ""

    def exercise(self, el, section_class: str) -> None:
        problem = el.find(_tag(CNXML, "problem"))
        if problem is None:
            return
        choices: list[str] = []
        for lst in problem.iter(_tag(CNXML, "list")):
            if lst.get("number-style") == "lower-alpha" or lst.get("list-type") == "enumerated":
                choices = [inline_text(i) for i in lst.findall(_tag(CNXML, "item"))]
                break
        problem_text = inline_text(problem, skip={"list"} if choices else frozenset())
        if not problem_text and not choices:
            self.skipped_placeholders += 1
            return
        solutions = [inline_text(s) for s in el.findall(_tag(CNXML, "solution"))]
        solution = " ".join(s for s in solutions if s)
        answer = ""
        if choices:
            match = re.fullmatch(r"\(?([a-hA-H])\)?\.?", solution.strip())
            if match:
                answer = match.group(1).lower()
        kind = "multiple_choice" if choices else ("open" if section_class in OPEN_KINDS else "problem")
        self.practice.append({
            "element_id": el.get("id") or f"exercise-{len(self.practice) + 1}",
            "section_class": section_class, "kind": kind, "problem": problem_text,
            "choices": choices, "solution": solution, "answer": answer,
        })


def parse_module(data: bytes, *, expected_id: str = "") -> dict:
    """Parse one module's bytes into a dict (title, objectives, blocks, practice, glossary, ...)."""
    root = parse_xml(data)
    if _local(root.tag) != "document" or _ns(root.tag) != CNXML:
        raise CnxmlError(f"root element is {root.tag!r}, expected cnxml document")
    meta = root.find(_tag(CNXML, "metadata"))
    module_id = clean(meta.findtext(_tag(MDML, "content-id"), "")) if meta is not None else ""
    module_id = module_id or expected_id
    title = _title_of(root)
    if not title and meta is not None:
        title = clean(meta.findtext(_tag(MDML, "title"), ""))
    if not title:
        raise CnxmlError("module has no title")
    content = root.find(_tag(CNXML, "content"))
    if content is None:
        raise CnxmlError("module has no <content>")

    objectives: list[str] = []
    abstract = meta.find(_tag(MDML, "abstract")) if meta is not None else None
    if abstract is not None:
        objectives = [inline_text(i) for i in abstract.iter(_tag(CNXML, "item"))]
        if not objectives:
            objectives = [p for p in (inline_text(x) for x in abstract.iter(_tag(CNXML, "para")))
                          if p and not p.lower().startswith("by the end of this section")]

    walker = _ModuleWalker(module_id)
    walker.walk(content, [], module_id)
    key_terms = walker.key_terms + [inline_text(t) for t in content.iter(_tag(CNXML, "term"))]
    seen: set[str] = set()
    unique_terms = []
    for term in key_terms:
        if term and term.lower() not in seen and len(term) <= 120:
            seen.add(term.lower())
            unique_terms.append(term)

    glossary = []
    glossary_el = root.find(_tag(CNXML, "glossary"))
    if glossary_el is not None:
        for definition in glossary_el.iter(_tag(CNXML, "definition")):
            term_el = definition.find(_tag(CNXML, "term"))
            meaning_el = definition.find(_tag(CNXML, "meaning"))
            term = inline_text(term_el) if term_el is not None else ""
            meaning = inline_text(meaning_el) if meaning_el is not None else ""
            if term and meaning:
                glossary.append({"term": term, "meaning": meaning, "id": definition.get("id", "")})

    return {
        "module_id": module_id,
        "title": title,
        "doc_class": root.get("class", ""),
        "objectives": [o for o in (objectives or walker.objectives_from_note) if o],
        "key_terms": unique_terms,
        "glossary": glossary,
        "summary": clean(" ".join(walker.summary)),
        "blocks": walker.blocks,
        "practice": walker.practice,
        "skipped_placeholders": walker.skipped_placeholders,
    }


def read_meta(book_dir: Path) -> dict:
    path = book_dir / "META.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else {}
