"""Drawing entities and annotations as character formats, block by block.

A :class:`QSyntaxHighlighter` applies precomputed ranges in ``highlightBlock``, which Qt
calls only for blocks that need (re)layout; this is several times faster than extra
selections for thousands of highlights. Entities are a dashed underline in their type's
colour; annotations are translucent fills composed over each other, so nested and
overlapping spans stay visible as distinct shades. Offsets here are UTF-16 (Qt's).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument

#: (start, end, colour) in UTF-16 units of the document.
Range = tuple[int, int, QColor]


@dataclass(frozen=True, slots=True)
class _Piece:
    start: int  # within the block
    length: int
    fmt: QTextCharFormat


def compose(colors: Sequence[QColor], base: QColor) -> QColor:
    """Alpha-composite translucent fills over ``base`` (outermost first)."""
    r, g, b = base.redF(), base.greenF(), base.blueF()
    for color in colors:
        a = color.alphaF()
        r = color.redF() * a + r * (1 - a)
        g = color.greenF() * a + g * (1 - a)
        b = color.blueF() * a + b * (1 - a)
    return QColor.fromRgbF(r, g, b)


class SpanHighlighter(QSyntaxHighlighter):
    """Holds the current ranges; :meth:`set_ranges` recomputes and redraws."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._pieces: dict[int, list[_Piece]] = {}
        self._block_starts: list[int] = []
        self._base = QColor("white")
        self._merge_cache: dict[tuple[int, int], QTextCharFormat] = {}

    def set_base_color(self, color: QColor) -> None:
        self._base = QColor(color)

    def set_ranges(self, underlines: Iterable[Range], fills: Iterable[Range]) -> None:
        """Replace every highlight and redraw the document once."""
        document = self.document()
        starts: list[int] = []
        block = document.begin()
        while block.isValid():
            starts.append(block.position())
            block = block.next()
        self._block_starts = starts
        pieces: dict[int, list[_Piece]] = defaultdict(list)
        self._add_fills(pieces, list(fills))
        self._add_underlines(pieces, underlines)
        self._pieces = dict(pieces)
        self._merge_cache.clear()
        self.rehighlight()

    def _split_by_block(self, start: int, end: int) -> Iterable[tuple[int, int, int]]:
        """(block number, start in block, end in block) for a document range."""
        starts = self._block_starts
        number = bisect_right(starts, start) - 1
        while number < len(starts) and start < end:
            block_start = starts[number]
            block_end = starts[number + 1] - 1 if number + 1 < len(starts) else end
            piece_end = min(end, block_end)
            if piece_end > start:
                yield number, start - block_start, piece_end - block_start
            number += 1
            start = block_end + 1

    def _add_underlines(self, pieces: dict[int, list[_Piece]], ranges: Iterable[Range]) -> None:
        cache: dict[int, QTextCharFormat] = {}
        for start, end, color in ranges:
            fmt = cache.get(color.rgba())
            if fmt is None:
                fmt = QTextCharFormat()
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
                fmt.setUnderlineColor(color)
                cache[color.rgba()] = fmt
            for number, s, e in self._split_by_block(start, end):
                pieces[number].append(_Piece(s, e - s, fmt))

    def _add_fills(self, pieces: dict[int, list[_Piece]], ranges: list[Range]) -> None:
        """Elementary segments between all fill edges, each with its composed colour."""
        if not ranges:
            return
        events: list[tuple[int, int, int]] = []  # (position, +1 open / -1 close, index)
        for index, (start, end, _color) in enumerate(ranges):
            if end > start:
                events.append((start, 1, index))
                events.append((end, -1, index))
        events.sort(key=lambda event: (event[0], event[1]))
        open_ranges: set[int] = set()
        cache: dict[tuple[int, ...], QTextCharFormat] = {}
        previous = None
        for position, kind, index in events:
            if previous is not None and position > previous and open_ranges:
                # Outer (longer) ranges first, so the innermost fill is on top.
                key = tuple(sorted(open_ranges, key=lambda i: ranges[i][0] - ranges[i][1]))
                fmt = cache.get(key)
                if fmt is None:
                    fmt = QTextCharFormat()
                    fmt.setBackground(compose([ranges[i][2] for i in key], self._base))
                    cache[key] = fmt
                for number, s, e in self._split_by_block(previous, position):
                    pieces[number].append(_Piece(s, e - s, fmt))
            if kind > 0:
                open_ranges.add(index)
            else:
                open_ranges.discard(index)
            previous = position

    def highlightBlock(self, _text: str) -> None:  # noqa: N802 - Qt override
        pieces = self._pieces.get(self.currentBlock().blockNumber())
        if not pieces:
            return
        fills = [p for p in pieces if p.fmt.hasProperty(QTextCharFormat.Property.BackgroundBrush)]
        for piece in fills:
            self.setFormat(piece.start, piece.length, piece.fmt)
        for piece in pieces:
            if piece.fmt.hasProperty(QTextCharFormat.Property.BackgroundBrush):
                continue
            # An underline keeps the fills under it: split it at their edges.
            start, end = piece.start, piece.start + piece.length
            cursor = start
            for fill in fills:
                f_start, f_end = fill.start, fill.start + fill.length
                if f_end <= cursor or f_start >= end:
                    continue
                if f_start > cursor:
                    self.setFormat(cursor, f_start - cursor, piece.fmt)
                s, e = max(cursor, f_start), min(end, f_end)
                self.setFormat(s, e - s, self._merged(fill.fmt, piece.fmt))
                cursor = e
            if cursor < end:
                self.setFormat(cursor, end - cursor, piece.fmt)

    def _merged(self, fill: QTextCharFormat, underline: QTextCharFormat) -> QTextCharFormat:
        key = (id(fill), id(underline))
        merged = self._merge_cache.get(key)
        if merged is None:
            merged = QTextCharFormat(fill)
            merged.merge(underline)
            self._merge_cache[key] = merged
        return merged
