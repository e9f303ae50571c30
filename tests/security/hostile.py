"""Hostile data and an inertness oracle for the render sweep (tests/security/test_hostile_render.py).

- `PAYLOADS`: markup, attribute break-outs, htmx attributes, template syntax and a spreadsheet formula.
- `taint_database(payload)`: every free-text field of every row of our apps (names, questions,
  titles, feedback, class names, user agents...) becomes the payload; URL fields become a
  `javascript:` URL. Generic on purpose: a field added tomorrow is tainted without editing this file.
  The taint is a function of the original value, so rows that refer to each other by text
  (a quiz answer and its choices, an interest and a lesson's interest) stay consistent.
- `inspect(response, payload)`: what in a response is live rather than inert.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote_plus

from django.apps import apps
from django.db import models

from vividly.spreadsheets import FORMULA_PREFIXES

#: id → payload. Each carries a marker ("xss1"...) so it can be found again in any response.
PAYLOADS: dict[str, str] = {
    "script": "<script>alert('xss1')</script>",
    "img-onerror": "\"><img src=x onerror=alert('xss2')>",
    "htmx": "<i hx-post=\"settings/\" hx-vals='{\"action\":\"archive\"}' hx-trigger=\"load\">xss3</i>",
    "template": "xss4{{7*7}}${7*7}{% now 'Y' %}",
    "formula": "=cmd|' /C calc'!A0 xss5",
    "quote-breakout": "' onmouseover='alert(6)' data-xss6='",
}
MARKERS = {key: f"xss{i}" for i, key in enumerate(PAYLOADS, start=1)}
URL_PAYLOAD = "javascript:alert('xss-url')"

TAINT_APPS = {"accounts", "schools", "content", "flags", "ingestion"}
#: Fields that are not free text: identifiers, codes and keys the code parses or looks up, and file
#: paths it opens. Tainting them would only break lookups, not test rendering.
SKIP_FIELDS = {
    "password", "session_key", "token_hash", "domain", "join_code", "reuse_key", "idempotency_key",
    "fingerprint", "grade_band", "stage", "error_code", "completed_by", "session_id", "method",
    "actor_role", "role", "capability", "source_commit", "content_hash", "text_hash", "embedding_model",
    "book_slug", "subject", "task", "file_name", "pseudonym", "module_id", "flag_key", "element_id",
    "section_class", "anchor", "generator_version",
}
SKIP_MODEL_FIELDS = {("flags.Flag", "name")}  # flags are looked up by name
#: JSON keys that are identifiers or machine values (ids, kinds, timestamps), not display text.
SKIP_JSON_KEYS = {"id", "topic_id", "module_id", "anchor", "kind", "key", "status", "score", "n",
                  "framing", "at", "started", "finished", "started_at", "finished_at", "stage"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")


def taint_text(original: str, payload: str, max_length: int | None = None) -> str:
    """`payload` plus a short digest of `original` (unique per original, same everywhere)."""
    suffix = "·" + hashlib.sha256(original.encode()).hexdigest()[:6]
    if max_length is not None and len(payload) + len(suffix) > max_length:
        return payload[: max(max_length - len(suffix), 0)] + suffix
    return payload + suffix


def _is_url_field(f: models.Field) -> bool:
    return isinstance(f, models.URLField) or f.name == "url" or f.name.endswith("_url")


def _field_kind(model: type[models.Model], f: models.Field) -> str | None:
    if f.primary_key or f.choices or (model._meta.label, f.name) in SKIP_MODEL_FIELDS:
        return None
    if f.name in SKIP_FIELDS or f.name.endswith("_path"):
        return None
    if isinstance(f, models.EmailField | models.SlugField):
        return None
    if isinstance(f, models.CharField | models.TextField):
        return "url" if _is_url_field(f) else "text"
    if isinstance(f, models.JSONField):
        return "json"
    return None


def _taint_json(value, payload: str, key: str = ""):
    if isinstance(value, dict):
        return {k: v if k in SKIP_JSON_KEYS else _taint_json(v, payload, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_taint_json(v, payload, key) for v in value]
    if isinstance(value, str) and value and not _ISO.match(value):
        return URL_PAYLOAD if "url" in key else taint_text(value, payload)
    return value


def taint_database(payload: str) -> int:
    """Overwrite every free-text value of every row of our apps; returns the number of values."""
    count = 0
    for model in apps.get_models():
        if model._meta.app_label not in TAINT_APPS or model._meta.proxy:
            continue
        kinds = {f.name: k for f in model._meta.concrete_fields if (k := _field_kind(model, f))}
        if not kinds:
            continue
        rows = list(model._base_manager.all())
        for row in rows:
            for name, kind in kinds.items():
                value = getattr(row, name)
                if kind == "json":
                    new = _taint_json(value, payload)
                elif not value:
                    continue
                elif kind == "url":
                    new = URL_PAYLOAD
                else:
                    new = taint_text(value, payload, model._meta.get_field(name).max_length)
                if new != value:
                    setattr(row, name, new)
                    count += 1
        if rows:
            model._base_manager.bulk_update(rows, list(kinds), batch_size=200)
    return count


# --- the oracle ----------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
#: Attributes a browser navigates to or runs (a javascript: URL there is script).
NAVIGATIONAL = {("a", "href"), ("area", "href"), ("form", "action"), ("button", "formaction"),
                ("input", "formaction"), ("iframe", "src"), ("frame", "src"), ("embed", "src"),
                ("object", "data"), ("base", "href")}
FORM_VALUES = {"input", "textarea", "select", "option", "button"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    disabled: bool  # inside (or on) an element with hx-disable
    in_head: bool


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.texts: list[tuple[str, Element | None]] = []
        self.stack: list[Element] = []

    def _open(self, tag: str, attrs) -> Element:
        values = {name.lower(): value or "" for name, value in attrs}
        parent = self.stack[-1] if self.stack else None
        disabled = bool(parent and parent.disabled) or "hx-disable" in values or "data-hx-disable" in values
        element = Element(tag, values, disabled, tag == "head" or bool(parent and parent.in_head))
        self.elements.append(element)
        return element

    def handle_starttag(self, tag, attrs):
        element = self._open(tag, attrs)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self._open(tag, attrs)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        self.texts.append((data, self.stack[-1] if self.stack else None))


def parse(html: str) -> _Parser:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser


def _signature(payload: str) -> list[tuple[str, frozenset]]:
    return [(e.tag, frozenset(e.attrs.items())) for e in parse(payload).elements]


@dataclass
class Verdict:
    live: list[str] = field(default_factory=list)       # payload that became markup or script
    reached: int = 0                                     # times the payload showed up (inert)
    unfenced: list[str] = field(default_factory=list)   # user data outside hx-disable


def inspect_html(html: str, payload_key: str, *, fragment: bool = False) -> Verdict:
    """Live payload in an HTML page, or (fragment=True) in an htmx response swapped into one."""
    payload, marker = PAYLOADS[payload_key], MARKERS[payload_key]
    verdict = Verdict()
    page = parse(html)
    signature = set(_signature(payload))
    # The hx-disable policy matters where htmx runs: pages that load it, and the fragments it swaps in.
    htmx_runs = fragment or any(e.tag == "script" and "htmx" in e.attrs.get("src", "") for e in page.elements)
    for element in page.elements:
        for name, value in element.attrs.items():
            if (name.startswith("on") and "alert(" in value) or marker in name:
                verdict.live.append(f"<{element.tag} {name}={value[:30]!r}> attribute from the payload")
            if (element.tag, name) in NAVIGATIONAL and value.strip().lower().startswith("javascript:"):
                verdict.live.append(f"<{element.tag} {name}={value[:40]!r}> javascript: URL")
            if (name.startswith(("hx-", "data-hx-")) and "disable" not in name
                    and (marker in value or "settings/" in value)):
                verdict.live.append(f"<{element.tag} {name}={value[:40]!r}> htmx attribute from data")
            if marker in value or "xss-url" in value:
                verdict.reached += 1
                if htmx_runs and not (element.disabled or element.in_head
                                      or (element.tag in FORM_VALUES and name == "value")):
                    verdict.unfenced.append(f"<{element.tag} {name}> outside hx-disable")
        if element.attrs and (element.tag, frozenset(element.attrs.items())) in signature:
            verdict.live.append(f"<{element.tag}> element from the payload")
    for text, parent in page.texts:
        if marker not in text:
            continue
        verdict.reached += 1
        if parent is not None and parent.tag in {"script", "style"}:
            verdict.live.append(f"payload inside <{parent.tag}>")
        elif htmx_runs and parent is not None and not (parent.disabled or parent.in_head):
            verdict.unfenced.append(f"text in <{parent.tag}> outside hx-disable")
    if payload_key == "template":
        strings = [t for t, _ in page.texts] + [unquote_plus(v) for e in page.elements for v in e.attrs.values()]
        for text in strings:
            for match in re.finditer(r"xss4([^·]{0,40})", text):
                rest, expected = match.group(1), payload[4:]
                if not (rest.startswith(expected) or expected.startswith(rest.rstrip("…. "))):
                    verdict.live.append(f"template syntax evaluated: {match.group(0)[:40]!r}")
    return verdict


def inspect_csv(text: str, payload_key: str) -> Verdict:
    verdict = Verdict()
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        for cell in row:
            if MARKERS[payload_key] in cell:
                verdict.reached += 1
            if cell.startswith(FORMULA_PREFIXES):
                verdict.live.append(f"CSV cell is a formula: {cell[:40]!r}")
    return verdict


def inspect(response, payload_key: str, *, fragment: bool = False) -> tuple[str, Verdict]:
    """(kind, verdict) for any response: HTML, CSV, JSON or something we do not read."""
    kind = response.headers.get("Content-Type", "").split(";")[0].strip()
    verdict = Verdict()
    if response.status_code >= 500:
        verdict.live.append(f"server error {response.status_code}")
        return kind, verdict
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    text = body.decode("utf-8", errors="replace")
    if kind == "text/html":
        return kind, inspect_html(text, payload_key, fragment=fragment)
    if kind == "text/csv":
        return kind, inspect_csv(text, payload_key)
    if kind.endswith("json"):
        if text.strip():
            json.loads(text)  # must be JSON: a browser never renders it as a page
        verdict.reached = text.count(MARKERS[payload_key])
    return kind, verdict


# --- forms and htmx controls found on a page ------------------------------------------------------

@dataclass
class Control:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)


@dataclass
class Form:
    attrs: dict[str, str]
    controls: list[Control] = field(default_factory=list)


class _FormParser(HTMLParser):
    """Forms (with their controls) and htmx elements outside forms, as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.hx: list[dict[str, str]] = []
        self.links: list[str] = []
        self.form: Form | None = None
        self.open: Control | None = None

    def handle_starttag(self, tag, attrs):
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "form":
            self.form = Form(values)
            self.forms.append(self.form)
        elif tag in {"input", "button", "textarea", "select"} and self.form is not None:
            control = Control(tag, values)
            self.form.controls.append(control)
            self.open = control if tag in {"textarea", "select"} else None
        elif tag == "option" and self.open is not None and self.open.tag == "select":
            self.open.options.append((values.get("value", ""), "selected" in values))
        elif tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if self.form is None and any(k in values for k in ("hx-get", "hx-post")):
            self.hx.append(values)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag in {"textarea", "select"}:
            self.open = None

    def handle_data(self, data):
        if self.open is not None and self.open.tag == "textarea":
            self.open.text += data


def page_forms(html: str) -> _FormParser:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser


def submissions(form: Form, payload: str) -> Iterator[tuple[dict, list[str]]]:
    """(data, file field names) for each way of submitting `form`: one per submit button (at most 3)."""
    data: dict[str, list[str]] = {}
    uploads: list[str] = []
    radios_done: set[str] = set()
    buttons = []
    for control in form.controls:
        attrs, name = control.attrs, control.attrs.get("name", "")
        kind = attrs.get("type", "text" if control.tag == "input" else control.tag).lower()
        if control.tag == "button" or kind in {"submit", "image"}:
            if kind in {"submit", "image"} or (control.tag == "button" and kind not in {"button", "reset"}):
                buttons.append((name, attrs.get("value", "")))
            continue
        if not name or "disabled" in attrs:
            continue
        if control.tag == "select":
            chosen = [v for v, selected in control.options if selected] or [
                v for v, _ in control.options if v][:1]
            data.setdefault(name, []).extend(chosen)
        elif control.tag == "textarea":
            data.setdefault(name, []).append(control.text or payload)
        elif kind == "checkbox":
            if "checked" in attrs:
                data.setdefault(name, []).append(attrs.get("value", "on"))
        elif kind == "radio":
            if name not in radios_done and ("checked" in attrs or name not in data):
                data[name] = [attrs.get("value", "on")]
                if "checked" in attrs:
                    radios_done.add(name)
        elif kind == "file":
            uploads.append(name)
        else:
            data.setdefault(name, []).append(attrs.get("value") or _fill(kind, attrs, payload))
    for button in (buttons or [("", "")])[:3]:
        submitted = dict(data)
        if button[0]:
            submitted[button[0]] = [button[1]]
        yield submitted, uploads


def _fill(kind: str, attrs: dict[str, str], payload: str) -> str:
    if kind == "email":
        return "hostile.person@example.org"
    if kind == "password":
        return "Quiet-Meadow-Lantern-19"
    if kind == "number":
        return attrs.get("min") or "9"
    if kind == "date":
        return "2031-01-15"
    if kind == "datetime-local":
        return "2031-01-15T10:00"
    if kind == "url":
        return "https://example.org/"
    if kind == "hidden":
        return ""
    return payload
