"""Frozen records that the store returns and services pass around.

Plain dataclasses, so that nothing lazy-loads from the database in the window and
every record can cross a thread boundary safely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def utc_now() -> str:
    """A UTC timestamp with microseconds, sortable as text."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    text: str
    text_sha256: str
    position: int
    external_id: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    language: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    """A machine pre-highlight: half-open code-point offsets into the article text."""

    article_id: str
    start: int
    end: int
    label: str
    model: str


@dataclass(frozen=True, slots=True)
class Coder:
    id: str
    name: str
    role: str = "coder"


@dataclass(frozen=True, slots=True)
class Annotation:
    id: str
    article_id: str
    coder_id: str
    label: str
    start: int
    end: int
    attributes: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    uncertain: bool = False
    revision: int = 1
    created_at: str = ""
    updated_at: str = ""
    deleted_at: str | None = None
    #: The separate stretches of a discontinuous span, sorted; ``start``/``end`` are then
    #: their envelope. Empty for a contiguous span (most of them).
    fragments: Fragments = ()

    @property
    def ranges(self) -> Fragments:
        """The ``[start, end)`` ranges of text the annotation covers."""
        return covered_ranges(self.start, self.end, self.fragments)


#: Fragments of a discontinuous span: sorted, separate ``(start, end)`` code-point ranges.
Fragments = tuple[tuple[int, int], ...]


def covered_ranges(start: int, end: int, fragments: Fragments = ()) -> Fragments:
    """The ranges a span covers: its fragments, or its one ``(start, end)`` range."""
    return fragments if fragments else ((start, end),)


@dataclass(frozen=True, slots=True)
class Relation:
    """A typed link from one annotation to another, by the same coder."""

    id: str
    article_id: str
    coder_id: str
    label: str
    source_id: str
    target_id: str
    attributes: dict[str, Any] = field(default_factory=dict)
    revision: int = 1
    created_at: str = ""
    updated_at: str = ""
    deleted_at: str | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """A coder's answer to an article-level question (``value`` is JSON: str, list, ...)."""

    article_id: str
    coder_id: str
    question: str
    value: Any
    updated_at: str = ""


STATUSES = ("todo", "in_progress", "done")


@dataclass(frozen=True, slots=True)
class ArticleListing:
    """One row of a coder's article list."""

    id: str
    position: int
    title: str
    source: str | None
    published: str | None
    status: str
    #: The article's language (ISO 639 code), identified at import when the source gave none.
    language: str | None = None


@dataclass(frozen=True, slots=True)
class ProjectCounts:
    """What ``loupe info`` reports."""

    name: str
    path: str
    codebook: str
    articles: int
    entities: int
    coders: int
    annotations: int
    relations: int
    document_codes: int
    entities_by_label: dict[str, int] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
