"""Making text safe for spreadsheet cells and for the other export files.

Spreadsheet programs evaluate a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and,
in some, a tab or carriage return followed by one of those) as a formula: an article
quoting ``=HYPERLINK(...)`` must never become one. In a workbook the cell is stored
with the text type, which no program evaluates; in CSV, where there are no types, such
text gets a leading apostrophe, as OWASP recommends for CSV injection.

Excel also refuses cells longer than 32,767 characters (counted in UTF-16 units): they
are cut with a marker.

Characters a format cannot hold are replaced, one for one, by U+FFFD (the replacement
character), never removed, so that offsets into a text stay valid and the reader sees
where something was. In a workbook, which is XML, these are the characters XML 1.0
forbids (C0 controls but tab, line feed and carriage return; U+FFFE and U+FFFF;
surrogates) and the C1 controls U+0080-U+009F, which it discourages and which are
mostly text decoded with the wrong code page; lxml refuses the first and some
spreadsheet programs the second. Every other format is UTF-8, which holds every
character but surrogates (a string holds one only from escaped JSON such as ``"\\ud800"``);
there only these are replaced and the text is otherwise written exactly as stored.
"""

from __future__ import annotations

import re
from typing import Any

#: Leading characters that make a spreadsheet read text as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Largest cell Excel accepts, in UTF-16 code units.
MAX_CELL = 32_767
CUT_MARKER = "\u2026 [cut]"
#: Characters a workbook (XML 1.0) cannot hold; tab, line feed and carriage return are fine.
ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x80-\x9f\ud800-\udfff\ufffe\uffff]")
#: Characters UTF-8 cannot encode: surrogates, which a Python string holds only unpaired.
UNENCODABLE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


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


def replace_characters(text: str, forbidden: re.Pattern[str] = ILLEGAL_CHARACTERS) -> str:
    """``text`` with every character ``forbidden`` matches replaced by U+FFFD, one for
    one (offsets into it stay valid); ``text`` itself when it holds none."""
    if forbidden.search(text) is None:
        return text
    return forbidden.sub(REPLACEMENT, text)


def encodable(value: Any) -> Any:
    """``value`` with every string in it (dict keys and values, list and tuple items,
    as in JSON) made encodable as UTF-8 by :func:`replace_characters`."""
    if type(value) is str:
        return replace_characters(value, UNENCODABLE)
    if isinstance(value, dict):
        return {encodable(k): encodable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encodable(v) for v in value]
    return value


def clean_text(text: str) -> str:
    """Text a workbook accepts: forbidden characters replaced, cut to one cell."""
    return cut_to_cell(replace_characters(text))


def csv_text(text: str) -> str:
    """Text for a CSV field: encodable as UTF-8, and a leading formula character
    escaped with ``'``."""
    text = replace_characters(text, UNENCODABLE)
    return "'" + text if is_formula_like(text) else text
