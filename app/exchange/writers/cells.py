"""Making text safe for spreadsheet cells.

Spreadsheet programs evaluate a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and,
in some, a tab or carriage return followed by one of those) as a formula: an article
quoting ``=HYPERLINK(...)`` must never become one. In a workbook the cell is stored
with the text type, which no program evaluates; in CSV, where there are no types, such
text gets a leading apostrophe, as OWASP recommends for CSV injection.

Excel also refuses most C0 control characters and cells longer than 32,767 characters
(counted in UTF-16 units): the first are removed, the second cut with a marker.
"""

from __future__ import annotations

import re

#: Leading characters that make a spreadsheet read text as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Largest cell Excel accepts, in UTF-16 code units.
MAX_CELL = 32_767
CUT_MARKER = "\u2026 [cut]"
#: The control characters Excel rejects (tab, line feed and carriage return are fine).
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def utf16_length(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def cut_to_cell(text: str, limit: int = MAX_CELL) -> str:
    """``text`` itself when it fits in one cell, else its beginning and :data:`CUT_MARKER`."""
    if len(text) <= limit // 2 or utf16_length(text) <= limit:
        return text
    budget = limit - utf16_length(CUT_MARKER)
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > budget:
            return text[:index] + CUT_MARKER
    return text  # pragma: no cover - the length check above makes this unreachable


def clean_text(text: str) -> str:
    """Text a workbook accepts: illegal control characters removed, cut to one cell."""
    if ILLEGAL_CHARACTERS.search(text):
        text = ILLEGAL_CHARACTERS.sub("", text)
    return cut_to_cell(text)


def csv_text(text: str) -> str:
    """Text for a CSV field: a leading formula character is escaped with ``'``."""
    return "'" + text if is_formula_like(text) else text
