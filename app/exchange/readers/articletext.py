"""What every reader shares: the headline rule, field names, spans carried into the text.

The stored text of an article begins with its headline as its first paragraph:
``text = title + "\\n\\n" + body``. When the body already begins with the headline as
its own line it is not repeated; when there is no headline, the first non-empty line
of the text is the headline. The body is never rewritten (no white space is trimmed,
no blank line added), so offsets that other tools computed on it stay valid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from app.core.articles import SourceSpan

#: Column names (CSV) and keys (JSON Lines) recognised for each article field, compared
#: case-insensitively; the first name found wins, the others are kept as metadata.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article"),
    "title": ("title", "headline"),
    "external_id": ("id", "external_id", "doc_id"),
    "published": ("date", "published", "published_at"),
    "url": ("url", "link"),
    "source": ("source", "outlet", "publisher"),
    "language": ("language", "lang"),
}

_BREAK_IN_TITLE = re.compile(r"[ \t]*\n\s*")


def clean_title(raw: str | None) -> str:
    """A headline on one line: outer white space removed, line breaks become spaces."""
    if raw is None:
        return ""
    return _BREAK_IN_TITLE.sub(" ", raw.strip())


def first_line(text: str) -> str:
    """The first line of ``text`` that is not blank, without its outer white space."""
    for line in text.split("\n"):
        if line.strip():
            return line.strip()
    return ""


def match_fields(names: Iterable[str]) -> dict[str, str]:
    """Which of ``names`` (column names or keys) holds each article field.

    Returns ``{field: name}`` for the fields found; the first alias present wins.
    """
    by_lower: dict[str, str] = {}
    for name in names:
        by_lower.setdefault(name.strip().lower(), name)
    found: dict[str, str] = {}
    for field, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            if alias in by_lower:
                found[field] = by_lower[alias]
                break
    return found


def describe_names(names: Iterable[str]) -> str:
    """Column names or keys for a message, on one line."""
    shown = [" ".join(name.split()) or "(unnamed)" for name in names]
    return ", ".join(shown) if shown else "none"


@dataclass(frozen=True, slots=True)
class ComposedText:
    """An article's stored text, its headline, and where the given body starts in it.

    The body is never rewritten: it is either the whole text (``prefix == 0``) or
    follows the headline and a blank line (``prefix == len(title) + 2``).
    """

    title: str
    text: str
    prefix: int

    def shift_span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets ``[start, end)`` of the body moved into :attr:`text`."""
        return start + self.prefix, end + self.prefix


def begins_with(body: str, headline: str) -> bool:
    """Whether the first line of ``body`` that is not blank is ``headline`` (outer white
    space and line breaks aside), so the body already carries its headline."""
    return bool(headline) and clean_title(first_line(body)) == headline


def compose(title: str | None, body: str) -> ComposedText:
    """Apply the headline rule to an optional ``title`` and a ``body`` with ``\\n`` line ends.

    Without a title, or with one the body already begins with, the text is the body as
    given and its first non-blank line is the headline. Otherwise the text is the
    headline, a blank line, then the body as given (a body of white space only adds
    nothing). The body itself is never changed, so offsets into it stay valid after
    :meth:`ComposedText.shift_span`.
    """
    headline = clean_title(title)
    if not headline or begins_with(body, headline):
        return ComposedText(clean_title(first_line(body)), body, 0)
    if not body.strip():
        return ComposedText(headline, headline, len(headline))
    prefix = headline + "\n\n"
    return ComposedText(headline, prefix + body, len(prefix))


def shifted_spans(composed: ComposedText, spans: Iterable[SourceSpan]) -> tuple[SourceSpan, ...]:
    """Spans of the body moved into the composed text (none is lost: the body is kept whole)."""
    moved = []
    for span in spans:
        start, end = composed.shift_span(span.start, span.end)
        moved.append(replace(span, start=start, end=end))
    return tuple(moved)


def text_or_none(value: object) -> str | None:
    """A metadata value as a stripped string, ``None`` when empty or absent."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    text = text.strip()
    return text or None

