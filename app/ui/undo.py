"""The one Qt adapter for undo: a command holding an applied edit and its inverse."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from app.core.edits import ChangeAnnotation, Edit

if TYPE_CHECKING:
    from app.ui.controller import CodingController

NUDGE_ID = 1


class EditCommand(QUndoCommand):
    """Pushed after its edit was applied and committed; redo/undo apply the stored edits.

    Each application returns the next inverse, so a redone "add" revives the same row
    instead of inserting it twice.
    """

    def __init__(self, controller: CodingController, forward: Edit, inverse: Edit) -> None:
        super().__init__(forward.describe())
        self._controller = controller
        self.forward = forward
        self.inverse = inverse
        self._applied = True

    def redo(self) -> None:
        if self._applied:  # the first redo comes from QUndoStack.push: already applied
            return
        inverse = self._controller.apply_without_undo(self.forward)
        if inverse is None:
            self.setObsolete(True)
            return
        self.inverse = inverse
        self._applied = True

    def undo(self) -> None:
        forward = self._controller.apply_without_undo(self.inverse)
        if forward is None:
            self.setObsolete(True)
            return
        self.forward = forward
        self._applied = False

    def id(self) -> int:
        return NUDGE_ID if isinstance(self.forward, ChangeAnnotation) and self.forward.is_nudge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt override
        if not isinstance(other, EditCommand):
            return False
        mine, theirs = self.forward, other.forward
        if not (
            isinstance(mine, ChangeAnnotation)
            and isinstance(theirs, ChangeAnnotation)
            and isinstance(self.inverse, ChangeAnnotation)
            and isinstance(other.inverse, ChangeAnnotation)
            and mine.annotation_id == theirs.annotation_id
        ):
            return False
        self.forward = mine.merged_with(theirs)
        self.inverse = other.inverse.merged_with(self.inverse)
        return True
