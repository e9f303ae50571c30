"""No HTML from f-strings, `%`, `.format()`, `+` or `mark_safe`; no `|safe`; CSV only via vividly.spreadsheets.

Static (ast + a small template tokenizer, tests/security/codescan.py); exceptions live in
tests/security/allowlist.py, each with its reason. Fails on a1a5730 (the dismiss_signal f-string,
`|safe` on form help text, hand-written `csv.writer`s).
"""

from __future__ import annotations

import ast
import textwrap

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


def test_python_rules_catch_each_way_of_building_html():
    assert _scan("""HttpResponse(f'<li class="muted">Dismissed the signal for {student}.</li>')""") == [
        "python-html-fstring"]
    assert _scan("x = '<b>%s</b>' % name") == ["python-html-percent"]
    assert _scan("x = '<b>{}</b>'.format(name)") == ["python-html-format"]
    assert _scan("x = '<b>' + name") == ["python-html-concat"]
    assert _scan("x = mark_safe(name)") == ["python-mark-safe"]
    assert _scan("x = SafeString(name)") == ["python-mark-safe"]
    assert _scan("x = format_html(f'<b>{name}</b>')") == ["python-format-html-literal", "python-html-fstring"]
    assert _scan("x = format_html_join('', fmt, rows)") == ["python-format-html-literal"]
    assert _scan("x = Template(request.POST['t'])") == ["python-template-from-string"]
    assert _scan("w = csv.writer(response)") == ["python-csv-writer"]
    assert _scan("class X:\n    def __html__(self):\n        return ''") == ["python-mark-safe"]
    # what stays allowed: literal format strings, plain text, comparisons
    assert _scan("x = format_html('<b>{}</b>', name)") == []
    assert _scan("x = f'{a} < {b}'") == []
    assert _scan("def f(x: SafeString) -> SafeString: ...") == []


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
