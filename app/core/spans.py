"""Span arithmetic on article text (code points): snapping a selection to whole words."""

from __future__ import annotations

import unicodedata

#: Characters that join two letters into one word ("Jean-Pierre", "O’Brien", "don't").
_JOINERS = frozenset("-'\u2019\u2010\u2011")


def is_word_char(ch: str) -> bool:
    """Letters, digits, combining marks (so "e" + U+0301 stays one word) and underscores."""
    return unicodedata.category(ch)[0] in "LNM" or ch == "_"


def _inside_word(text: str, i: int) -> bool:
    """Whether the character at ``i`` belongs to a word, counting inner joiners."""
    ch = text[i]
    if is_word_char(ch):
        return True
    return (
        ch in _JOINERS and 0 < i < len(text) - 1
        and is_word_char(text[i - 1]) and is_word_char(text[i + 1])
    )


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole words and trim surrounding white space.

    Returns an empty span (start == end) if the selection holds only white space.
    """
    start, end = max(0, start), min(len(text), end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return start, start
    while start > 0 and _inside_word(text, start) and _inside_word(text, start - 1):
        start -= 1
    while end < len(text) and _inside_word(text, end - 1) and _inside_word(text, end):
        end += 1
    return start, end
