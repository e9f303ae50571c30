"""Static rules for building HTML and CSV safely (issue 15), checked by test_html_safety.py.

Python (read with `ast`, so strings in comments or docstrings never count):
- `python-mark-safe`: no `mark_safe`, `SafeString(...)`, `SafeText(...)` calls and no `__html__`
  methods — HTML comes from templates or `format_html`, which escape their arguments.
- `python-format-html-literal`: `format_html`/`format_html_join` take a literal format string; a
  pre-formatted one (f-string, variable) would be trusted as markup.
- `python-html-fstring`, `python-html-percent`, `python-html-format`, `python-html-concat`: no
  HTML built by f-string, `%`, `.format()` or `+` around a literal containing a tag.
- `python-template-from-string`: no `Template(...)`/`from_string(...)` on non-literal text (a
  user string compiled as a template is template injection: `{{ 7|add:7 }}`).
- `python-csv-writer`: `csv.writer`/`csv.DictWriter` only in vividly/spreadsheets.py, whose
  writers escape spreadsheet formulas.

Templates (Django template text, tags treated as opaque):
- `template-safe-filter`: no `|safe`/`|safeseq`.
- `template-autoescape-off`: no `{% autoescape off %}`.
- `template-unquoted-attribute`: no `{{ }}` inside a tag outside quotes (`<a title={{ x }}>`,
  `<div {{ attrs }}>`): a space in the value would start a new attribute.
- `template-in-script`: no `{{ }}` inside `<script>` or `<style>` (escaping is for HTML, not JS/CSS).
- `template-hx-attribute-data`: no `{{ }}` inside `hx-on*`, `hx-vals` or `hx-headers` values.

Our JavaScript (static/js, not vendored libraries):
- `js-html-sink`: no `innerHTML`/`outerHTML` assignment, `insertAdjacentHTML`, `document.write`,
  `eval` or `new Function`: text goes in with `textContent`.
"""

from __future__ import annotations

import ast
import fnmatch
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^<>]*")
SAFE_CALLS = {"mark_safe", "SafeString", "SafeText", "mark_for_escaping"}
FORMAT_HTML = {"format_html": 0, "format_html_join": 1}
TEMPLATE_CALLS = {"Template", "from_string"}
CSV_HOME = "vividly/spreadsheets.py"


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    rule: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.text}"


def tracked_files(*patterns: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", *patterns],  # noqa: S603, S607 - git lists our own files
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return sorted({p for p in out.splitlines() if (ROOT / p).exists()})


def python_sources() -> list[str]:
    """Application code: everything but tests, migrations and vendored files."""
    return [p for p in tracked_files("*.py")
            if "/migrations/" not in p and not p.startswith("tests/") and "/tests/" not in p
            and p != "conftest.py"]


def template_sources() -> list[str]:
    return [p for p in tracked_files("*.html", "*.txt")
            if "/templates/" in f"/{p}" and not p.startswith("static/")]


def _has_tag(text: str) -> bool:
    return bool(TAG.search(text))


def _literal_str(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


class _PythonScan(ast.NodeVisitor):
    def __init__(self, path: str, source: str):
        self.path, self.lines, self.found = path, source.splitlines(), []

    def add(self, node: ast.AST, rule: str) -> None:
        line = getattr(node, "lineno", 0)
        self.found.append(Finding(self.path, line, rule, self.lines[line - 1].strip()[:120] if line else ""))

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        if name in SAFE_CALLS:
            self.add(node, "python-mark-safe")
        if name in FORMAT_HTML:
            index = FORMAT_HTML[name]
            if len(node.args) <= index or _literal_str(node.args[index]) is None:
                self.add(node, "python-format-html-literal")
        if name in TEMPLATE_CALLS and node.args and _literal_str(node.args[0]) is None:
            self.add(node, "python-template-from-string")
        if (name == "format" and isinstance(node.func, ast.Attribute)
                and _has_tag(_literal_str(node.func.value) or "")):
            self.add(node, "python-html-format")
        if (isinstance(node.func, ast.Attribute) and node.func.attr in {"writer", "DictWriter"}
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "csv"
                and self.path != CSV_HOME):
            self.add(node, "python-csv-writer")
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module == "csv" and {a.name for a in node.names} & {"writer", "DictWriter"} \
                and self.path != CSV_HOME:
            self.add(node, "python-csv-writer")
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if node.name == "__html__":
            self.add(node, "python-mark-safe")
        self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        text = "".join(_literal_str(v) or "\x00" for v in node.values)
        if any(isinstance(v, ast.FormattedValue) for v in node.values) and _has_tag(text):
            self.add(node, "python-html-fstring")
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        left, right = _literal_str(node.left), _literal_str(node.right)
        if isinstance(node.op, ast.Mod) and _has_tag(left or ""):
            self.add(node, "python-html-percent")
        if isinstance(node.op, ast.Add) and (
                (_has_tag(left or "") and right is None) or (_has_tag(right or "") and left is None)):
            self.add(node, "python-html-concat")
        self.generic_visit(node)


def scan_python(path: str) -> list[Finding]:
    source = (ROOT / path).read_text(encoding="utf-8")
    scanner = _PythonScan(path, source)
    scanner.visit(ast.parse(source, filename=path))
    return scanner.found


_DJANGO_TOKEN = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_HX_DATA_ATTR = re.compile(r"^(hx-on[\w:.-]*|hx-vals|hx-headers)$", re.I)
_ATTR_BEFORE_QUOTE = re.compile(r"([^\s\"'=<>/]+)\s*=\s*$")


def scan_template(path: str) -> list[Finding]:
    text = (ROOT / path).read_text(encoding="utf-8")
    found: list[Finding] = []

    def add(pos: int, rule: str) -> None:
        line = text.count("\n", 0, pos) + 1
        found.append(Finding(path, line, rule, text.splitlines()[line - 1].strip()[:120]))

    for match in re.finditer(r"\|\s*safe(seq)?\b", text):
        add(match.start(), "template-safe-filter")
    for match in re.finditer(r"\{%\s*autoescape\s+off\s*%\}", text):
        add(match.start(), "template-autoescape-off")
    # A small HTML tokenizer that treats Django tags as opaque: where does each {{ }} land?
    state, quote, attr, raw_until, tag_start, pos = "text", "", "", "", 0, 0
    while pos < len(text):
        token = _DJANGO_TOKEN.match(text, pos)
        if token:
            if token.group().startswith("{{"):
                if state == "raw":
                    add(pos, "template-in-script")
                elif state == "tag" and not quote:
                    add(pos, "template-unquoted-attribute")
                elif state == "tag" and _HX_DATA_ATTR.match(attr):
                    add(pos, "template-hx-attribute-data")
            pos = token.end()
            continue
        char = text[pos]
        if state == "text" and re.match(r"</?[a-zA-Z]", text[pos:pos + 2]):
            state, tag_start = "tag", pos
            name = re.match(r"</?([a-zA-Z][\w-]*)", text[pos:]).group(1).lower()
            raw_until = name if name in {"script", "style"} and text[pos + 1] != "/" else ""
        elif state == "tag":
            if quote:
                if char == quote:
                    quote = ""
            elif char in "\"'":
                quote = char
                before = _ATTR_BEFORE_QUOTE.search(_DJANGO_TOKEN.sub("", text[tag_start:pos]))
                attr = before.group(1) if before else ""
            elif char == ">":
                state = "raw" if raw_until else "text"
        elif state == "raw" and text.lower().startswith(f"</{raw_until}", pos):
            state, raw_until, tag_start = "tag", "", pos
        pos += 1
    return found


_JS_SINK = re.compile(r"\.(?:inner|outer)HTML\s*\+?=(?!=)|insertAdjacentHTML|document\.write|\beval\s*\(|new\s+Function\b")


def scan_script(path: str) -> list[Finding]:
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    return [Finding(path, n, "js-html-sink", line.strip()[:120])
            for n, line in enumerate(lines, start=1) if _JS_SINK.search(line)]


def script_sources() -> list[str]:
    return tracked_files("static/js/*.js")


def scan_all() -> list[Finding]:
    findings = [f for p in python_sources() for f in scan_python(p)]
    findings += [f for p in template_sources() for f in scan_template(p)]
    findings += [f for p in script_sources() for f in scan_script(p)]
    return findings


def allowed(finding: Finding, allowlist: dict[tuple[str, str], str]) -> tuple[str, str] | None:
    for glob, rule in allowlist:
        if rule == finding.rule and fnmatch.fnmatch(finding.path, glob):
            return glob, rule
    return None
