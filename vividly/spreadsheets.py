"""Spreadsheet-safe CSV writing: every hand-written CSV export goes through `writer`/`DictWriter`.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets (`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`), so a student's name or a
lesson title could run as one on a teacher's or an admin's machine. Such text cells get a leading
apostrophe, which spreadsheets show as plain text (OWASP "CSV injection"). Numbers stay numbers.
Hand-written: the standard `csv` module has no such option and django-import-export's own setting
only strips one leading `=`. tests/security/test_html_safety.py forbids `csv.writer` anywhere else.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> Any:
    """`value`, with a leading apostrophe when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_cell(value: Any) -> Any:
    """Undo `escape_cell` for a re-imported file (only where it added the apostrophe)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


class _Writer:
    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([escape_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream, **kwargs) -> _Writer:
    """Like `csv.writer(stream)`, with every cell passed through `escape_cell`."""
    return _Writer(stream, **kwargs)


class DictWriter(csv.DictWriter):
    """Like `csv.DictWriter`, with every value (and header) passed through `escape_cell`."""

    def writerow(self, rowdict: Mapping[str, Any]):
        return super().writerow({key: escape_cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for rowdict in rowdicts:
            self.writerow(rowdict)
