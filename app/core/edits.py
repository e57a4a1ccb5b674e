"""Edits a coder makes, as pure records with exact inverses.

A service applies an edit to the project and returns its inverse; the window keeps the
pair in one undo command. Undoing is applying the inverse, which is a new write (a new
revision), so merging coders' files stays correct. Nothing here touches a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.records import Annotation, Relation

#: Fields of an annotation that :class:`ChangeAnnotation` may change.
ANNOTATION_FIELDS = frozenset({"label", "start", "end", "attributes", "note", "uncertain"})


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
        return "Change " + ", ".join(sorted(self.after))


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
)


@dataclass(frozen=True)
class Changes:
    """What an applied edit changed, so that each view decides whether to refresh."""

    article_id: str
    annotation_ids: tuple[str, ...] = ()
    relation_ids: tuple[str, ...] = ()
    question: str | None = None
    status: bool = False
