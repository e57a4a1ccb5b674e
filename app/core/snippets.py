"""Context around a span for spreadsheets: its sentence, or a window of characters."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

#: Characters on each side of a span when its sentence is too long to show whole.
WINDOW = 80
ELLIPSIS = "\u2026"
_SENTENCE_END = re.compile(r"[.!?\u2026\u3002\u061f\u06d4](?:[\"'\u201d\u2019\u00bb)\]]*)\s+|\n")


class SentenceContext:
    """The contexts of spans in one text; the sentence ends are found once per text."""

    __slots__ = ("_ends", "_starts", "_stops", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        starts, ends, stops = [], [], []
        for match in _SENTENCE_END.finditer(text):
            stop = match.end()
            while stop > match.start() and text[stop - 1].isspace():
                stop -= 1
            starts.append(match.start())
            ends.append(match.end())
            stops.append(stop)
        #: Where each sentence end begins, where it ends (the next sentence starts), and
        #: where the sentence itself stops (after its punctuation and closing quotes).
        self._starts, self._ends, self._stops = starts, ends, stops

    def __call__(self, start: int, end: int) -> str:
        """The sentence holding ``text[start:end]``, or about :data:`WINDOW` characters on
        each side of it (marked with an ellipsis where cut), on one line."""
        text = self.text
        i = bisect_right(self._ends, start) - 1
        first = self._ends[i] if i >= 0 else 0
        j = bisect_left(self._starts, max(end - 1, 0))
        last = self._stops[j] if j < len(self._stops) else len(text)
        head = tail = ""
        if (start - first) + (last - end) > 2 * WINDOW:
            first, last = max(0, start - WINDOW), min(len(text), end + WINDOW)
            head = ELLIPSIS if first > 0 else ""
            tail = ELLIPSIS if last < len(text) else ""
        snippet = text[min(first, start) : max(last, end)].strip()
        if not snippet.isprintable() or "  " in snippet:  # line breaks, tabs, runs of spaces
            snippet = " ".join(snippet.split())
        return head + snippet + tail


def context(text: str, start: int, end: int) -> str:
    """:class:`SentenceContext` of one span."""
    return SentenceContext(text)(start, end)
