"""No HTML from f-strings, `%`, `.format()`, `+` or `mark_safe`; no `|safe`; CSV only via vividly.spreadsheets.

Static (ast + a small template tokenizer, tests/security/codescan.py); exceptions live in
tests/security/allowlist.py, each with its reason. Fails on a1a5730 (the dismiss_signal f-string,
`|safe` on form help text, hand-written `csv.writer`s).
"""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

import pytest

from .allowlist import ALLOWED
from .codescan import ROOT, Finding, _PythonScan, allowed, scan_all, scan_script, scan_template


def test_no_unreviewed_html_or_csv_building(capsys):
    findings = scan_all()
    used = {allowed(f, ALLOWED) for f in findings} - {None}
    unreviewed = [str(f) for f in findings if allowed(f, ALLOWED) is None]
    with capsys.disabled():
        print(f"\n[html safety] {len(findings)} findings, {len(findings) - len(unreviewed)} allow-listed")  # noqa: T201
    assert unreviewed == [], "HTML must come from templates or format_html with a literal format string"
    assert set(ALLOWED) - used == set(), "stale allow-list entries"
    assert all(reason.strip() for reason in ALLOWED.values())


def _scan(code: str) -> list[str]:
    scanner = _PythonScan("app/module.py", textwrap.dedent(code))
    scanner.visit(ast.parse(textwrap.dedent(code)))
    return [f.rule for f in scanner.found]


PYTHON_PROBES = json.loads((Path(__file__).parent / "fixtures" / "python_html_probes.json").read_text())["cases"]


@pytest.mark.parametrize(("code", "rules"), PYTHON_PROBES, ids=[code.split("\n")[0][:40] for code, _ in PYTHON_PROBES])
def test_python_rules_catch_each_way_of_building_html(code, rules):
    """Each unsafe way of building HTML is flagged with its rule; literal format strings, plain text
    and comparisons stay allowed (the snippets are data in fixtures/, not code in this file)."""
    assert _scan(code) == rules


def test_template_rules_catch_unsafe_interpolation(tmp_path):
    path = ROOT / "templates" / "_codescan_probe.html"
    cases = {
        "{{ x|safe }}": ["template-safe-filter"],
        "{% autoescape off %}{{ x }}{% endautoescape %}": ["template-autoescape-off"],
        "<a title={{ x }}>": ["template-unquoted-attribute"],
        "<div {{ attrs }}>": ["template-unquoted-attribute"],
        "<script>var n = '{{ x }}';</script>": ["template-in-script"],
        "<div hx-vals='{\"n\": \"{{ x }}\"}'>": ["template-hx-attribute-data"],
        '<a href="{{ url }}" title="{{ x }}">{{ x }}</a>{% if a %}<b class="{{ c }}">{% endif %}': [],
        "<script src=\"{% static 'a.js' %}\"></script><p>{{ x }}</p>": [],
    }
    try:
        for text, rules in cases.items():
            path.write_text(text)
            assert [f.rule for f in scan_template(str(path.relative_to(ROOT)))] == rules, text
    finally:
        path.unlink(missing_ok=True)


def test_allow_list_matches_by_path_and_rule():
    finding = Finding("templates/email/x.txt", 1, "template-autoescape-off", "")
    assert allowed(finding, ALLOWED) == ("templates/email/*.txt", "template-autoescape-off")
    assert allowed(Finding("templates/x.html", 1, "template-autoescape-off", ""), ALLOWED) is None


def test_script_rule_catches_html_sinks():
    path = ROOT / "static" / "js" / "_codescan_probe.js"
    try:
        path.write_text("a.innerHTML = x;\nb.textContent = x;\nif (a.innerHTML == b) {}\nel.insertAdjacentHTML('beforeend', x);\n"
                        "eval(s);\nvar f = new Function('a', s);\n")
        assert [f.line for f in scan_script(str(path.relative_to(ROOT)))] == [1, 4, 5, 6]
    finally:
        path.unlink(missing_ok=True)
