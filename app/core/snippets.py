"""Context around a span for spreadsheets: its sentence, or a window of characters."""

from __future__ import annotations

import re

#: Characters on each side of a span when its sentence is too long to show whole.
WINDOW = 80
ELLIPSIS = "\u2026"
_SENTENCE_END = re.compile(r"[.!?\u2026\u3002\u061f\u06d4](?:[\"'\u201d\u2019\u00bb)\]]*)\s+|\n")


def _sentence_start(text: str, start: int) -> int:
    lower = max(0, start - 4 * WINDOW)
    found = lower
    for match in _SENTENCE_END.finditer(text, lower, start):
        found = match.end()
    if found == lower and lower > 0:
        return -1
    return found


def _sentence_end(text: str, end: int) -> int:
    upper = min(len(text), end + 4 * WINDOW)
    match = _SENTENCE_END.search(text, max(end - 1, 0), upper)
    if match is None:
        return len(text) if upper == len(text) else -1
    stop = match.end()
    while stop > match.start() and text[stop - 1].isspace():
        stop -= 1
    return stop


def context(text: str, start: int, end: int) -> str:
    """The sentence holding ``text[start:end]``, or about :data:`WINDOW` characters on
    each side of it (marked with an ellipsis where cut), on one line."""
    first = _sentence_start(text, start)
    last = _sentence_end(text, end)
    if first < 0 or last < 0 or (start - first) + (last - end) > 2 * WINDOW:
        first = max(0, start - WINDOW)
        last = min(len(text), end + WINDOW)
        head = ELLIPSIS if first > 0 else ""
        tail = ELLIPSIS if last < len(text) else ""
    else:
        head = tail = ""
    first = min(first, start)
    last = max(last, end)
    snippet = text[first:last].strip()
    return head + " ".join(snippet.split()) + tail
