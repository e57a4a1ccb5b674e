"""Edits a coder makes, as pure records with exact inverses.

A service applies an edit to the project and returns its inverse; the window keeps the
pair in one undo command. Undoing is applying the inverse, which is a new write (a new
revision), so merging coders' files stays correct. Nothing here touches a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.records import Annotation, Fragments, Relation

#: Fields of an annotation that :class:`ChangeAnnotation` may change.
ANNOTATION_FIELDS = frozenset({"label", "start", "end", "attributes", "note", "uncertain", "fragments"})


@dataclass(frozen=True)
class AddAnnotation:
    annotation: Annotation

    def describe(self) -> str:
        return f"Add {self.annotation.label}"


@dataclass(frozen=True)
class RemoveAnnotation:
    """Tombstone an annotation and, with it, the live relations that touch it."""

    annotation_id: str
    #: Filled in when applied: the relations removed together with the annotation.
    relation_ids: tuple[str, ...] = ()

    def describe(self) -> str:
        return "Delete annotation"


@dataclass(frozen=True)
class RestoreAnnotation:
    annotation_id: str
    relation_ids: tuple[str, ...] = ()

    def describe(self) -> str:
        return "Restore annotation"


@dataclass(frozen=True)
class AddAnnotations:
    """Several new annotations of one coder, across articles (every occurrence of a
    search): one transaction and one undo step."""

    annotations: tuple[Annotation, ...]
    description: str = ""

    def describe(self) -> str:
        return self.description or f"Add {len(self.annotations)} annotations"


@dataclass(frozen=True)
class RemoveAnnotations:
    """Tombstone several annotations (and the relations touching them) at once."""

    annotation_ids: tuple[str, ...]
    #: Filled in when applied: the relations removed together with the annotations.
    relation_ids: tuple[str, ...] | None = None
    description: str = ""

    def describe(self) -> str:
        return self.description or f"Delete {len(self.annotation_ids)} annotations"


@dataclass(frozen=True)
class RestoreAnnotations:
    annotation_ids: tuple[str, ...]
    relation_ids: tuple[str, ...] = ()
    description: str = ""

    def describe(self) -> str:
        return self.description or f"Restore {len(self.annotation_ids)} annotations"


@dataclass(frozen=True)
class ChangeAnnotation:
    """Set some fields of an annotation; ``before`` holds their previous values."""

    annotation_id: str
    after: dict[str, Any]
    before: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = (set(self.after) | set(self.before)) - ANNOTATION_FIELDS
        if unknown:
            raise ValueError(f"annotation fields cannot be changed: {sorted(unknown)}")

    @property
    def is_nudge(self) -> bool:
        """Only the edges move: consecutive nudges merge into one undo step."""
        return set(self.after) <= {"start", "end"}

    def merged_with(self, later: ChangeAnnotation) -> ChangeAnnotation:
        """One edit with the effect of ``self`` followed by ``later`` (same annotation)."""
        assert later.annotation_id == self.annotation_id
        before = dict(later.before)
        before.update(self.before)
        after = dict(self.after)
        after.update(later.after)
        return ChangeAnnotation(self.annotation_id, after, before)

    def describe(self) -> str:
        if self.is_nudge:
            return "Adjust span"
        if "fragments" in self.after:
            return "Change fragments"
        return "Change " + ", ".join(sorted(self.after))


def join_ranges(ranges: Fragments, start: int, end: int) -> Fragments:
    """``ranges`` (sorted, apart) with ``[start, end)`` added: ranges it overlaps or
    touches become one, so the result is sorted and apart again."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted((*ranges, (start, end))):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return tuple(merged)


def add_fragment(annotation: Annotation, start: int, end: int) -> ChangeAnnotation:
    """The edit that adds ``[start, end)`` to what ``annotation`` covers.

    The envelope grows to hold it; a range that overlaps or touches a fragment joins
    it, and a result of one range is a contiguous span again (no fragments).
    """
    ranges = join_ranges(annotation.ranges, start, end)
    after: dict[str, Any] = {
        "start": ranges[0][0], "end": ranges[-1][1], "fragments": ranges if len(ranges) > 1 else (),
    }
    before = {"start": annotation.start, "end": annotation.end, "fragments": annotation.fragments}
    return ChangeAnnotation(annotation.id, after, before)


def follow_envelope(fragments: Fragments, start: int, end: int) -> Fragments:
    """Fragments after the envelope's edges moved to ``start``/``end`` (an edge nudge or
    drag): the first fragment starts and the last one ends with the envelope. The result
    is checked like any other (an edge moved past its fragment's other end is refused)."""
    if not fragments:
        return fragments
    moved = [list(fragment) for fragment in fragments]
    moved[0][0], moved[-1][1] = start, end
    return tuple((first, last) for first, last in moved)


@dataclass(frozen=True)
class AddRelation:
    relation: Relation

    def describe(self) -> str:
        return f"Add relation {self.relation.label}"


@dataclass(frozen=True)
class RemoveRelation:
    relation_id: str

    def describe(self) -> str:
        return "Delete relation"


@dataclass(frozen=True)
class RestoreRelation:
    relation_id: str

    def describe(self) -> str:
        return "Restore relation"


@dataclass(frozen=True)
class SetAnswer:
    """Answer an article question; ``None`` clears the answer."""

    article_id: str
    coder_id: str
    question: str
    after: Any
    before: Any = None

    def describe(self) -> str:
        return f"Answer {self.question}"


Edit = (
    AddAnnotation | RemoveAnnotation | RestoreAnnotation | ChangeAnnotation
    | AddRelation | RemoveRelation | RestoreRelation | SetAnswer
    | AddAnnotations | RemoveAnnotations | RestoreAnnotations
)


@dataclass(frozen=True)
class Changes:
    """What an applied edit changed, so that each view decides whether to refresh."""

    article_id: str
    annotation_ids: tuple[str, ...] = ()
    relation_ids: tuple[str, ...] = ()
    question: str | None = None
    status: bool = False
    #: Every article a bulk edit touched (``article_id`` is then the first of them).
    article_ids: tuple[str, ...] = ()
