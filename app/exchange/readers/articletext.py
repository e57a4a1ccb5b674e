"""What every reader shares: the headline rule, field names, spans carried into the text.

The stored text of an article begins with its headline as its first paragraph:
``text = title + "\\n\\n" + body``. When the body already begins with the headline as
its own line it is not repeated; when there is no headline, the first non-empty line
of the text is the headline and the text is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

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
    """An article's stored text and how offsets in the given body map into it.

    The body was trimmed to ``body[kept_start:kept_end]`` (leading blank lines and
    trailing white space dropped) and now starts at ``prefix`` in :attr:`text`.
    """

    title: str
    text: str
    kept_start: int
    kept_end: int
    prefix: int

    def shift_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Offsets ``[start, end)`` of the body moved into :attr:`text`.

        A span reaching into dropped white space is clipped to the kept body; a span
        lying wholly in dropped white space has no place in the text (``None``).
        """
        start = max(start, self.kept_start)
        end = min(end, self.kept_end)
        if start >= end:
            return None
        delta = self.prefix - self.kept_start
        return start + delta, end + delta


def _leading_blank_lines(body: str) -> int:
    """Length of the run of blank lines at the start of ``body`` (indentation is kept)."""
    stripped = body.lstrip()
    if not stripped:
        return len(body)
    lead = body[: len(body) - len(stripped)]
    cut = lead.rfind("\n")
    return cut + 1


def compose(title: str | None, body: str) -> ComposedText:
    """Apply the headline rule to an optional ``title`` and a ``body`` with ``\\n`` line ends.

    The text always starts with its headline: when the headline comes from the body
    (no title, or a title the body already begins with), the body's leading white space
    is dropped; otherwise only its leading blank lines are.
    """
    kept_end = len(body.rstrip())
    headline = clean_title(title)
    first = first_line(body)
    if not headline or first == headline:
        kept_start = len(body) - len(body.lstrip())
        kept = body[kept_start:kept_end]
        return ComposedText(first, kept, kept_start, max(kept_start, kept_end), 0)
    kept_start = _leading_blank_lines(body)
    kept_end = max(kept_start, kept_end)
    kept = body[kept_start:kept_end]
    if not kept:
        return ComposedText(headline, headline, kept_start, kept_end, len(headline))
    prefix = headline + "\n\n"
    return ComposedText(headline, prefix + kept, kept_start, kept_end, len(prefix))


def shifted_spans(
    composed: ComposedText, spans: Iterable[SourceSpan]
) -> tuple[tuple[SourceSpan, ...], list[SourceSpan]]:
    """Spans of the body moved into the composed text, and those that fell away."""
    moved: list[SourceSpan] = []
    lost: list[SourceSpan] = []
    for span in spans:
        place = composed.shift_span(span.start, span.end)
        if place is None:
            lost.append(span)
        else:
            moved.append(SourceSpan(place[0], place[1], span.label))
    return tuple(moved), lost


def text_or_none(value: object) -> str | None:
    """A metadata value as a stripped string, ``None`` when empty or absent."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    text = text.strip()
    return text or None


def split_known(record: Mapping[str, object], fields: Mapping[str, str]) -> dict[str, object]:
    """The entries of ``record`` that are not one of the matched article ``fields``."""
    used = set(fields.values())
    return {key: value for key, value in record.items() if key not in used}
