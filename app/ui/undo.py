"""The Qt adapters for undo: commands holding applied edits and their inverses.

:class:`EditCommand` holds one coder's edit; :class:`DecisionCommand` holds one
adjudication decision (several edits, written in one transaction). Neither knows who
writes: each is given the function that applies its edits (the coding session's
``apply_without_undo`` or ``apply_decision_without_undo``) and the function that
reports a failure, so this module imports nothing of the window. ``redo`` and
``undo`` are Qt virtual overrides: an exception escaping one would abort the program or
vanish inside PySide, so each catches everything, reports one sentence through the
window's refusal channel, logs the traceback, and marks the command obsolete (Qt then
drops it from the stack: nothing was written, and the step cannot be replayed).
GUI thread only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtGui import QUndoCommand

from app.core.edits import ChangeAnnotation, Edit
from app.core.errors import LoupeError

log = logging.getLogger(__name__)

NUDGE_ID = 1


def _failure(doing: str) -> str:
    return f"{doing} failed and nothing was changed; the details are in the log file."


class EditCommand(QUndoCommand):
    """Pushed after its edit was applied and committed; redo/undo apply the stored edits.

    ``apply`` writes one edit, shows its result and returns its inverse, or None after
    reporting a refusal itself; ``report`` shows a one-sentence failure. Each application
    returns the next inverse, so a redone "add" revives the same row instead of
    inserting it twice.
    """

    def __init__(
        self, forward: Edit, inverse: Edit, apply: Callable[[Edit], Edit | None], report: Callable[[str], None]
    ) -> None:
        super().__init__(forward.describe())
        self._apply_edit, self._report = apply, report
        self.forward = forward
        self.inverse = inverse
        self._applied = True

    def _apply(self, edit: Edit, doing: str) -> Edit | None:
        """``apply`` (which reports refusals itself), never raising."""
        try:
            return self._apply_edit(edit)
        except Exception:  # a Qt override must not let anything escape
            log.exception("%s of %r failed", doing, edit)
            self._report(_failure(f"{doing} of \u201c{self.text()}\u201d"))
            return None

    def redo(self) -> None:
        if self._applied:  # the first redo comes from QUndoStack.push: already applied
            return
        inverse = self._apply(self.forward, "Redo")
        if inverse is None:
            self.setObsolete(True)
            return
        self.inverse = inverse
        self._applied = True

    def undo(self) -> None:
        forward = self._apply(self.inverse, "Undo")
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


class DecisionCommand(QUndoCommand):
    """One adjudication decision, pushed after it was applied; undo/redo apply the stored
    edits as one decision again (one transaction each).

    ``apply`` writes a list of edits and returns their inverses, raising on refusal;
    ``report`` shows a one-sentence failure; ``applied`` runs after a successful undo or
    redo (the panel re-reads what changed).
    """

    def __init__(
        self, text: str, apply: Callable[[Sequence[Any]], list[Any]], forward: Sequence[Any],
        inverse: Sequence[Any], report: Callable[[str], None], applied: Callable[[], None],
    ) -> None:
        super().__init__(text)
        self._apply_edits, self._report, self._applied_callback = apply, report, applied
        self.forward, self.inverse = list(forward), list(inverse)
        self._applied = True

    def _run(self, edits: list[Any], doing: str) -> list[Any] | None:
        try:
            return self._apply_edits(edits)
        except LoupeError as exc:
            log.info("%s of %s refused: %s", doing, self.text(), exc.message)
            self._report(f"{doing} of \u201c{self.text()}\u201d was refused: {exc.message}")
        except Exception:  # a Qt override must not let anything escape
            log.exception("%s of the decision %r failed", doing, self.text())
            self._report(_failure(f"{doing} of \u201c{self.text()}\u201d"))
        return None

    def _done(self) -> None:
        try:
            self._applied_callback()
        except Exception:  # the decision is saved; only the re-reading failed
            log.exception("Showing the result of %r failed", self.text())
            self._report(f"\u201c{self.text()}\u201d was saved, but the view could not show it; the details are in the log file.")

    def redo(self) -> None:
        if self._applied:  # the first redo comes from QUndoStack.push: already applied
            return
        inverse = self._run(self.forward, "Redo")
        if inverse is None:
            self.setObsolete(True)
            return
        self.inverse, self._applied = inverse, True
        self._done()

    def undo(self) -> None:
        forward = self._run(self.inverse, "Undo")
        if forward is None:
            self.setObsolete(True)
            return
        self.forward, self._applied = forward, False
        self._done()
