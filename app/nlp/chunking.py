"""Cutting a long text into pieces the pipeline can take, at natural boundaries.

spaCy refuses a text over ``nlp.max_length`` characters, and its memory grows by a few
kilobytes per character of one text (a 1,000,000-character article takes about 3 GB),
so a long article is tagged piece by piece. Pieces are cut after a blank line when the
window has one, else after the end of a sentence, else after white space, else (a run
of over ``limit`` characters without a space) at the limit. No entity crosses a blank
line anyway, so cutting at paragraphs changes nothing but the pipeline's cost.

Pure Python: offsets are code points, the same as Python string indices and spaCy's
character offsets.
"""

from __future__ import annotations

import re
import unicodedata

#: A blank line (possibly holding spaces or tabs): the end of a paragraph.
_PARAGRAPH_END = re.compile(r"\n[^\S\n]*\n")
#: Sentence-final punctuation, any closing quotes or brackets, then white space.
_SENTENCE_END = re.compile(r"[.!?\u2026\u3002\uff01\uff1f\u061f\u0964][\"'\u201d\u2019\u00bb)\]]*\s")
_SPACE = re.compile(r"\s")


def _last_end(pattern: re.Pattern[str], text: str, start: int, stop: int) -> int | None:
    last = None
    for found in pattern.finditer(text, start, stop):
        last = found.end()
    return last if last is not None and last > start else None


def _hard_cut(text: str, start: int, stop: int) -> int:
    # Do not leave a combining mark at the start of the next piece if it can be helped.
    cut = stop
    while cut > start + 1 and unicodedata.combining(text[cut]):
        cut -= 1
    return cut


def chunk_bounds(text: str, limit: int) -> list[tuple[int, int]]:
    """Half-open ``(start, end)`` pieces that tile ``text``, each at most ``limit`` long.

    A text within the limit is one piece (an empty text is one empty piece).
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    length = len(text)
    bounds: list[tuple[int, int]] = []
    start = 0
    while length - start > limit:
        stop = start + limit
        cut = (
            _last_end(_PARAGRAPH_END, text, start, stop)
            or _last_end(_SENTENCE_END, text, start, stop)
            or _last_end(_SPACE, text, start, stop)
            or _hard_cut(text, start, stop)
        )
        bounds.append((start, cut))
        start = cut
    bounds.append((start, length))
    return bounds
