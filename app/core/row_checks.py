"""Checks of one row of coding against the codebook and the article text.

Every path that writes coding from outside the window asks these questions in the same
words: merging coders' files (:mod:`app.services.merge_checks`), importing coded files
(:mod:`app.services.importing.annotations`); the window's edits ask the same codebook
questions (:meth:`Attribute.validate`, :meth:`Question.validate`,
:meth:`RelationType.allows`), on which these are built.

Each check returns ``None`` when the value is acceptable, else the reason as a clause
that reads after the row's name, e.g. ``its end 999999 is beyond the article's 2,341
characters`` (no capital, no full stop). Values are what a project file holds: offsets
in code points of the article text, JSON text for attributes and answers, ISO 8601
timestamps. Pure Python: nothing here reads a database.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from app.core.codebook import Codebook, RelationType, SpanLabel, _describe, _short
from app.core.records import STATUSES

#: Revisions start at 1 and grow by one per edit: 2^31 edits of one row is beyond any
#: coder, and stays far from SQLite's 64-bit limit (where ``revision + 1`` turns REAL).
MAX_REVISION = 2**31
#: How far in the future a timestamp may be (a laptop clock a little ahead).
FUTURE_TOLERANCE = timedelta(days=1)


class Endpoint(NamedTuple):
    """What a relation needs to know of the annotation at one of its ends."""

    article_id: str
    coder_id: str
    label: str


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def span_problem(label: str, start: Any, end: Any, length: int, codebook: Codebook) -> str | None:
    """The label must be one of the codebook's span labels, and ``[start, end)`` a
    non-empty range of the article's ``length`` code points."""
    try:
        codebook.label(label)
    except (KeyError, TypeError):
        return f"its label {_short(label)} is not a span label of the codebook"
    if type(start) is int and type(end) is int and 0 <= start < end <= length:
        return None  # most rows: no need to find the words of a message
    for name, value in (("start", start), ("end", end)):
        if not _whole(value):
            return f"its {name} {_short(value)} is not a whole number"
        if value < 0:
            return f"its {name} {value} is before the beginning of the text"
        if value > length:
            return f"its {name} {value} is beyond the article's {length:,} characters"
    if start >= end:
        return f"its start {start} is not before its end {end}"
    return None


def fragments_problem(fragments: Any, start: Any, end: Any, length: int) -> str | None:
    """The fragments of a discontinuous span (empty for a contiguous one) must be two or
    more ``(start, end)`` ranges of whole numbers, sorted, each non-empty, apart from the
    next (neither overlapping nor touching it: touching ones are one range), inside the
    article's ``length`` code points, the first starting at the span's ``start`` and the
    last ending at its ``end`` (the span's offsets are their envelope)."""
    if not fragments:
        return None
    if not isinstance(fragments, (list, tuple)):
        return f"its fragments are {_describe(fragments)}, not a list of ranges"
    if len(fragments) < 2:
        return "it has a single fragment (a contiguous span has none)"
    previous_end = None
    for number, fragment in enumerate(fragments, start=1):
        if not isinstance(fragment, (list, tuple)) or len(fragment) != 2:
            return f"its fragment {number} is not a range (start, end)"
        first, last = fragment
        if not (_whole(first) and _whole(last)):
            return f"its fragment {number} is not a range of whole numbers"
        if not 0 <= first < last <= length:
            if first < 0 or last > length:
                return f"its fragment {number} {first}-{last} is outside the article's {length:,} characters"
            return f"its fragment {number} {first}-{last} is empty or reversed"
        if previous_end is not None and first <= previous_end:
            return (
                f"its fragment {number} {first}-{last} does not begin after the end of the one "
                f"before ({previous_end})"
            )
        previous_end = last
    if fragments[0][0] != start or fragments[-1][1] != end:
        return (
            f"its fragments run from {fragments[0][0]} to {fragments[-1][1]}, "
            f"not from its start {start} to its end {end}"
        )
    return None


def parse_json(text: Any) -> tuple[Any, str | None]:
    """(value, None) for JSON text, or (None, what it is instead), e.g. ``not valid JSON``."""
    if not isinstance(text, (str, bytes)):
        return None, f"{_describe(text)}, not JSON text"
    try:
        return json.loads(text), None
    except (ValueError, RecursionError):
        return None, "not valid JSON"


def attributes_problem(owner: SpanLabel | RelationType, attributes: Any) -> str | None:
    """``attributes`` must be a mapping of the owner's attribute names to valid values."""
    if not isinstance(attributes, Mapping):
        return f"its attributes are {_describe(attributes)}, not a JSON object"
    for name, value in attributes.items():
        try:
            attribute = owner.attribute(name)
        except KeyError:
            return f"{_short(name)} is not an attribute of {owner.name}"
        problem = attribute.validate(value)
        if problem:
            return f"{owner.name} {problem}"
    return None


def attributes_text_problem(owner: SpanLabel | RelationType, text: Any) -> str | None:
    """:func:`attributes_problem` of attributes stored as JSON text."""
    if text == "{}":  # most rows: nothing to parse
        return None
    value, problem = parse_json(text)
    if problem:
        return f"its attributes are {problem}"
    return attributes_problem(owner, value)


def relation_problem(
    codebook: Codebook, label: str, article_id: str, coder_id: str,
    source_id: Any, target_id: Any, ends: Mapping[Any, Endpoint],
) -> str | None:
    """The relation type must exist and allow its two annotations (looked up in
    ``ends``), which must be two different ones of the relation's own article and coder."""
    try:
        relation_type = codebook.relation_type(label)
    except (KeyError, TypeError):
        return f"its type {_short(label)} is not a relation type of the codebook"
    if source_id == target_id:
        return "its source and target are the same annotation"
    found: dict[str, Endpoint] = {}
    for end, end_id in (("source", source_id), ("target", target_id)):
        endpoint = ends.get(end_id) if isinstance(end_id, str) else None
        if endpoint is None:
            return f"its {end} annotation is neither in the file nor in the project"
        if endpoint.article_id != article_id:
            return f"its {end} annotation is on another article"
        if endpoint.coder_id != coder_id:
            return f"its {end} annotation is another coder's"
        found[end] = endpoint
    source, target = found["source"].label, found["target"].label
    if not relation_type.allows(source, target):
        return (
            f"{label} cannot link {source} to {target} "
            f"(allowed: {', '.join(relation_type.source)} to {', '.join(relation_type.target)})"
        )
    return None


def answer_problem(codebook: Codebook, question: str, value: Any) -> str | None:
    """The question must be one of the codebook's, and ``value`` a valid answer to it."""
    try:
        found = codebook.question(question)
    except (KeyError, TypeError):
        return f"its question {_short(question)} is not a question of the codebook"
    return found.validate(value)


def revision_problem(value: Any) -> str | None:
    if type(value) is int and 0 < value <= MAX_REVISION:
        return None
    if not _whole(value) or not 0 < value <= MAX_REVISION:
        return f"its revision {_short(value)} is not a whole number from 1 to {MAX_REVISION:,}"
    return None


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO 8601 timestamp as an aware datetime (naive ones are UTC), or ``None``."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def latest_allowed(now: datetime | None = None) -> datetime:
    """The latest timestamp a row may carry: :data:`FUTURE_TOLERANCE` after ``now``."""
    return (now or datetime.now(UTC)) + FUTURE_TOLERANCE


def timestamp_problem(name: str, value: Any, latest: datetime, *, optional: bool = False) -> str | None:
    """``value`` must be an ISO 8601 timestamp no later than ``latest``
    (or ``None`` when ``optional``, as a tombstone's ``deleted_at``)."""
    if value is None and optional:
        return None
    moment = parse_timestamp(value)
    if moment is None:
        return f"its {name} {_short(value)} is not a date and time"
    if moment > latest:
        return f"its {name} {value} is in the future"
    return None


def status_problem(value: Any) -> str | None:
    if value not in STATUSES:
        return f"its status {_short(value)} is not one of {', '.join(STATUSES)}"
    return None


def seconds_problem(value: Any, limit: float) -> str | None:
    """Time spent must be a finite number of seconds from 0 to ``limit``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"its time spent {_short(value)} is not a number of seconds"
    if value < 0:
        return f"its time spent {value:g} s is negative"
    if value > limit:
        return f"its time spent {value:,.0f} s is more than the project's age ({limit:,.0f} s)"
    return None


def flag_problem(name: str, value: Any) -> str | None:
    """A stored boolean: 0 or 1."""
    if value not in (0, 1) or isinstance(value, float):
        return f"its {name} {_short(value)} is not true or false"
    return None


def text_problem(name: str, value: Any) -> str | None:
    if not isinstance(value, str):
        return f"its {name} is {_describe(value)}, not text"
    return None
