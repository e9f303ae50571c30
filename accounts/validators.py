"""The one rule for person names (first and last), used by every path that lets someone type one.

Names reach HTML pages, htmx fragments, emails, CSV/XLSX exports and admin lists, so they are held
to what names are made of: letters of any script (with their combining marks), spaces, apostrophes
(' and ’), hyphens and periods; a name starts with a letter. That keeps markup (`<`, `"`), template
syntax (`{`) and spreadsheet formulas (`=`, `+`, `-`, `@` first) out at the source; rendering still
escapes everything on top of this.

Hand-written (no library covers "any Unicode letter" with Python's `re`): the character classes are
checked with `unicodedata`, and marks are accepted so that Devanagari, Thai, etc. names validate.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

NAME_MAX_LENGTH = 100
NAME_PUNCTUATION = frozenset(" '’-.")
NAME_MESSAGE = ("Use letters, spaces, apostrophes, hyphens and periods only, starting with a letter "
                f"(at most {NAME_MAX_LENGTH} characters).")


def _is_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L")


def _is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


def validate_person_name(value: str) -> None:
    """Raise ValidationError unless `value` is a plausible first or last name (blank is allowed)."""
    if not value:
        return
    if len(value) > NAME_MAX_LENGTH or not _is_letter(value[0]):
        raise ValidationError(NAME_MESSAGE, code="invalid_name")
    if not all(_is_letter(c) or _is_mark(c) or c in NAME_PUNCTUATION for c in value):
        raise ValidationError(NAME_MESSAGE, code="invalid_name")


def clean_person_name(value: str | None) -> str:
    """NFC-normalise, trim and collapse spaces, then validate; returns the cleaned name."""
    name = " ".join(unicodedata.normalize("NFC", value or "").split())
    validate_person_name(name)
    return name
