"""Converting offsets between Unicode code points (the store) and UTF-16 units (Qt).

The store and spaCy count code points (Python string indices). Qt's text classes count
UTF-16 code units, in which every character outside the Basic Multilingual Plane
(most emoji, some CJK) takes two units. Combining marks are separate code points in
both, so they need no special care. The window converts at its boundary with this map.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right


class OffsetMap:
    """Offset conversion for one text; O(log n) per conversion, O(1) for BMP-only text."""

    __slots__ = ("_astral", "_astral_u16", "length", "length_utf16")

    def __init__(self, text: str) -> None:
        #: Code-point positions of characters that take two UTF-16 units.
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF] if not text.isascii() else []
        #: The UTF-16 position of each of those characters.
        self._astral_u16 = [cp + k for k, cp in enumerate(self._astral)]
        self.length = len(text)
        self.length_utf16 = len(text) + len(self._astral)

    def to_utf16(self, offset: int) -> int:
        """UTF-16 offset of a code-point offset (0 <= offset <= len(text))."""
        if not self._astral:
            return offset
        return offset + bisect_left(self._astral, offset)

    def to_code_point(self, offset: int) -> int:
        """Code-point offset of a UTF-16 offset; an offset inside a surrogate pair
        rounds down to the start of its character."""
        if not self._astral:
            return offset
        # Each astral character starting before ``offset`` took one extra unit; one that
        # starts at offset - 1 puts the offset between its units, i.e. back at its start.
        return offset - bisect_right(self._astral_u16, offset - 1)

    def span_to_utf16(self, start: int, end: int) -> tuple[int, int]:
        return self.to_utf16(start), self.to_utf16(end)

    def span_to_code_points(self, start: int, end: int) -> tuple[int, int]:
        return self.to_code_point(start), self.to_code_point(end)
