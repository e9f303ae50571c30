"""Reviewed exceptions to the HTML/CSV safety rules of tests/security/codescan.py.

Each entry is (path glob, rule id) → why it is safe. Keep it short: a new entry needs a reviewer
who agrees with the reason. Entries that no longer match anything fail the test (no stale passes).
"""

ALLOWED: dict[tuple[str, str], str] = {
    ("templates/email/*.txt", "template-autoescape-off"):
        "Plain-text email bodies and subjects are not HTML: escaping would show '&amp;' and '&#x27;' "
        "to readers. Every email's HTML part is autoescaped, and names are validated at entry.",
    ("templates/base.html", "template-hx-attribute-data"):
        "hx-headers carries only {{ csrf_token }} (Django's token alphabet is [A-Za-z0-9]); it is what "
        "lets htmx POST with CSRF protection.",
    ("content/media/speech.py", "python-html-fstring"):
        "SSML for espeak-ng, not HTML: every sentence goes through xml.sax.saxutils.escape and the "
        "only other value is an int (the pause length).",
    ("content/safety.py", "python-html-fstring"):
        "Prompt delimiters for the LLM, not HTML: delimit() strips '<', '>' and backticks from the "
        "student's text first, so it cannot close the <student_question> block.",
    ("content/media/phonemes.py", "python-html-concat"):
        "A regular expression for reading units aloud, not HTML: the '<' is a regex lookbehind "
        "('(?<!...)') and the concatenated part is a fixed alternation of unit symbols.",
    ("content/writers/slide_keys.py", "python-html-fstring"):
        "A regular expression that finds chemical equations, not HTML: the '<' is a regex lookbehind "
        "('(?<!...)') and the interpolated part is a fixed pattern for one side of an equation.",
    ("vividly/providers/google_tts.py", "python-html-fstring"):
        "SSML for Cloud Text-to-Speech, not HTML: every sentence goes through xml.sax.saxutils.escape; "
        "the other values are ints (the pause length, the sentence's mark index).",
    ("vividly/providers/google_tts.py", "python-html-concat"):
        "The SSML envelope (<speak>…</speak>) around the escaped parts above; never rendered as HTML.",
}
