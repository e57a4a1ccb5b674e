"""Plain records that exports are written from and annotation imports are read into.

Services gather these from the store; the writers in :mod:`app.exchange.writers` and
:mod:`app.nlp.docbin` turn them into files without knowing about the database, and the
readers of coded files (brat, doccano) return them. Nothing here does any I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from app.core.records import Article, Fragments, covered_ranges

#: How a writer treats a column's values: ``text`` (str, always written as text),
#: ``integer``, ``number``, ``boolean``, ``datetime`` (naive UTC), ``date``, or
#: ``value`` (any of these, e.g. a published date that may not parse).
COLUMN_KINDS = ("text", "integer", "number", "boolean", "datetime", "date", "value")


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: str = "text"
    #: Width in characters in a spreadsheet; ``None`` picks one from the kind.
    width: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True, slots=True)
class ScoreBands:
    """Colour a numeric column by thresholds (e.g. Krippendorff's 0.667 and 0.800)."""

    column: str
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class BarChartSpec:
    """A bar chart of one numeric column against one label column, over data rows
    ``first_row``..``last_row`` (0-based among the data rows, inclusive)."""

    title: str
    category_column: str
    value_column: str
    first_row: int
    last_row: int
    y_title: str = ""


@dataclass
class Table:
    """One spreadsheet sheet or CSV file: a header and rows, consumed once.

    ``rows`` may be a generator that streams from the project, so a table can be
    written only once. ``empty_note`` says why a table has no rows (written in place
    of the rows when there are none).
    """

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    empty_note: str = ""
    bands: ScoreBands | None = None
    chart: BarChartSpec | None = None

    def column_index(self, name: str) -> int:
        for index, column in enumerate(self.columns):
            if column.name == name:
                return index
        raise KeyError(f"table {self.name!r} has no column {name!r}")


@dataclass(frozen=True, slots=True)
class CodedSpan:
    """A span of one coder. ``key`` is the annotation id in exports and the file's own
    id (``T3``, a list position) in imports."""

    key: str
    label: str
    start: int
    end: int
    attributes: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""
    uncertain: bool = False
    #: A discontinuous span's fragments (``start``/``end`` their envelope); empty if contiguous.
    fragments: Fragments = ()

    @property
    def ranges(self) -> Fragments:
        """The ranges of text the span covers."""
        return covered_ranges(self.start, self.end, self.fragments)


#: How the texts of a discontinuous span's fragments are shown in one cell or field.
FRAGMENT_JOINER = " … "


def fragment_offsets(fragments: Fragments) -> str:
    """A discontinuous span's fragments as ``0-5; 11-16`` (empty for a contiguous span)."""
    return "; ".join(f"{start}-{end}" for start, end in fragments)


def span_text(text: str, ranges: Fragments) -> str:
    """The text a span covers: its fragments' texts joined by :data:`FRAGMENT_JOINER`."""
    return FRAGMENT_JOINER.join(text[start:end] for start, end in ranges)


@dataclass(frozen=True, slots=True)
class CodedRelation:
    """A relation between two spans of the same coding, by their keys."""

    key: str
    label: str
    source: str
    target: str
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Coding:
    """What one coder coded on one article."""

    coder: str
    status: str = "todo"
    spans: tuple[CodedSpan, ...] = ()
    relations: tuple[CodedRelation, ...] = ()
    answers: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CodedArticle:
    """An article with the codings an export carries (one per coder, or one only)."""

    article: Article
    codings: tuple[Coding, ...] = ()
    #: File stem for formats that write one file per article (brat).
    name: str = ""


@dataclass(frozen=True, slots=True)
class CodedFile:
    """One coded document read from an exchange file, before it is matched to an
    article: its text, where it came from (for messages) and its coding."""

    name: str
    text: str
    origin: str
    spans: tuple[CodedSpan, ...] = ()
    relations: tuple[CodedRelation, ...] = ()
    external_id: str | None = None


def utc_datetime(text: str | None) -> datetime | None:
    """A stored UTC ISO timestamp as a naive UTC datetime (spreadsheets have no zones)."""
    if not text:
        return None
    try:
        if text.endswith("+00:00"):  # how the store writes them: no conversion needed
            return datetime.fromisoformat(text[:-6])
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def published_value(text: str | None) -> date | datetime | str | None:
    """A published date as a date (or datetime) when it is ISO 8601, else the text as is."""
    if not text:
        return None
    stripped = text.strip()
    try:
        if len(stripped) == 10:
            parsed: date | datetime = date.fromisoformat(stripped)
        else:
            parsed = datetime.fromisoformat(stripped)
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    except ValueError:
        return text
    # Spreadsheets count days from 1900; older dates stay text.
    return parsed if parsed.year >= 1900 else text


def published_day(text: str | None) -> date | None:
    """The calendar day of a published date, when it begins with an ISO date."""
    if not text or len(text.strip()) < 10:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def choice_text(value: Any) -> Any:
    """An attribute or answer value for one cell: lists become ``a; b``."""
    if isinstance(value, (list, tuple)):
        return "; ".join(str(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    return value
