"""The coding session behind the window: one project, one coder, the current article.

Panels read from the controller and call its methods; it calls :mod:`app.services`,
keeps the undo stack and re-emits what changed as signals, so that each panel decides
whether to refresh. Every edit is committed to the project file before the method that
made it returns. GUI thread only.

The adjudication panel runs one of its own, opened as the adjudicator
(``open_project(..., adjudicating=True)``): a decision the panel plans is written by
:meth:`CodingController.decide` (one transaction, one undo step on the same stack), and
the gold of an article is finished by :meth:`CodingController.finish_gold`. The panel
writes nothing itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from app.core.bulk import no_cycle_collection
from app.core.edits import (
    AddAnnotation,
    AddRelation,
    ChangeAnnotation,
    Changes,
    Edit,
    RemoveAnnotation,
    RemoveRelation,
    SetAnswer,
)
from app.core.errors import LoupeError, ServerUnreachable
from app.core.location import Location, is_server, location_key
from app.core.offsets import OffsetMap
from app.core.records import Annotation, Coder
from app.services import coding
from app.services.adjudication import ensure_adjudicator, finish_article
from app.services.adjudication_writes import Planned, apply_decision
from app.services.assignment import add_coder, assignment_summary, list_coders
from app.services.coding import ArticleBundle, ArticleOrder
from app.services.editing import apply_edit, new_annotation, new_relation
from app.services.offline import known_copy
from app.services.projects import Project, open_project
from app.ui.offline_mode import OfflineMode
from app.ui.undo import DecisionCommand, EditCommand

log = logging.getLogger(__name__)

#: How often the time spent on the open article is written (a killed app loses at most this).
TIME_FLUSH_MS = 30_000
T = TypeVar("T")
OFFLINE_ELSEWHERE = (
    "Offline: only the articles opened while the team server answered can be coded until it answers again."
)


class CodingController(QObject):
    project_opened = Signal()
    #: The article list changed as a whole (opened, imported into, merged into).
    listing_changed = Signal()
    #: The coder's status on one article changed: (article id, status).
    status_changed = Signal(str, str)
    #: The current article is about to be replaced or closed: panels commit typed text.
    article_leaving = Signal()
    #: A (different) article is now current: ArticleBundle.
    article_opened = Signal(object)
    #: An edit changed the current article: Changes. ``bundle`` is already reloaded.
    article_changed = Signal(object)
    #: The selected annotation id, or None.
    selection_changed = Signal(object)
    #: A short status-bar message ("Saved").
    message = Signal(str)
    #: A refused action, as one sentence for the user.
    refused = Signal(str)
    #: The coder marked a training article done (it was not done before): its id.
    training_done = Signal(str)
    #: On a team server: "" when online, else "Offline — N edits waiting".
    connection_changed = Signal(str)
    #: On a team server back after a window started offline: it wants a password.
    password_needed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.project_path: Location | None = None
        #: On a team server: the copy to code in when the server cannot be reached.
        self.offline: OfflineMode | None = None
        self.coder: Coder | None = None
        #: The coder's articles in list order, as ids and statuses (see ArticleOrder).
        self.order = ArticleOrder([])
        self.bundle: ArticleBundle | None = None
        self.offsets = OffsetMap("")
        self.selected_id: str | None = None
        self._opened_at = time.monotonic()
        #: Seconds of the current visit already written (a visit counts at most
        #: coding.MAX_VISIT_SECONDS, flushed in pieces or not).
        self._visit_counted = 0.0
        self.undo_stack = QUndoStack(self)
        self.time_timer = QTimer(self)
        self.time_timer.setObjectName("timeFlushTimer")
        self.time_timer.setInterval(TIME_FLUSH_MS)
        self.time_timer.timeout.connect(self.flush_time)

    # -- project ---------------------------------------------------------------------
    def open_project(self, path: Location, coder_name: str, *, adjudicating: bool = False) -> None:
        """Open ``path`` as ``coder_name`` (created if new; with ``adjudicating``, as the
        adjudicator of that name, refused if it is another role's). Raises LoupeError,
        and then the project open before stays open."""
        project = open_project(path)
        try:
            coder = ensure_adjudicator(project, coder_name) if adjudicating else add_coder(project, coder_name)[0]
        except BaseException:
            project.close()
            raise
        self.close_project()
        self.project, self.project_path, self.coder = project, path, coder
        if is_server(path) and not adjudicating:
            self.offline = self._offline_mode(path, coder.id)
            sent = self.offline.resume()
            if sent:
                QTimer.singleShot(0, lambda: self.message.emit(sent))
        self._opened()

    def open_offline(self, path: Location, unreachable: LoupeError) -> None:
        """The team server at ``path`` cannot be reached at sign-in: code in the copy of
        it on this computer (the articles this login opened before), as the coder it
        coded as, until the server answers. Raises ``unreachable`` if there is no copy."""
        copy = known_copy(location_key(path))
        if copy is None:
            raise unreachable
        mode = self._offline_mode(path, copy.coder_id)
        try:
            project = mode.start_offline()
            coder = next((c for c in project.store.coders.list() if c.id == copy.coder_id), None)
            if coder is None:
                project.close()
                raise unreachable
        except BaseException:
            mode.close()
            raise
        self.close_project()
        self.project, self.project_path, self.coder, self.offline = project, path, coder, mode
        self._opened()
        QTimer.singleShot(0, mode.announce)

    def _offline_mode(self, path: Location, coder_id: str) -> OfflineMode:
        mode = OfflineMode(self, str(path), coder_id)
        mode.state_changed.connect(self.connection_changed)
        mode.password_needed.connect(self.password_needed)
        return mode

    def _opened(self) -> None:
        assert self.project is not None and self.coder is not None
        self.order = coding.article_order(self.project, self.coder.id)
        self.time_timer.start()
        self.project_opened.emit()
        self.listing_changed.emit()

    def close_project(self) -> None:
        self.time_timer.stop()
        if self.bundle is not None:
            self.article_leaving.emit()
            self._record_visit()
        self.undo_stack.clear()
        if self.offline is not None:
            self.offline.close()
            self.offline = None
        if self.project is not None:
            self.project.close()
        self.project = self.bundle = self.coder = None
        self.order, self.selected_id = ArticleOrder([]), None

    def empty_listing_reason(self) -> tuple[str, bool] | None:
        """Why the coder's article list is empty, and whether Team > Assignments is the
        way on; None when it is not empty (or no project is open)."""
        if self.project is None or self.coder is None or len(self.order):
            return None
        if not any(load.assigned for load in assignment_summary(self.project)):
            return "This project has no articles yet: File > Import Articles\u2026 brings them in.", False
        if self.coder.role == "lead":
            return (
                f"You opened the project as {self.coder.name}, its lead: no article is assigned to you, "
                "so there is nothing to code here. Progress, agreement and adjudication are under Team."
            ), True
        return (
            f"No article of this project is assigned to {self.coder.name}. The lead gives articles "
            "in Team > Assignments (or open the project under another coder's name: File > Switch Coder)."
        ), True

    def coder_names(self) -> list[str]:
        return [] if self.project is None else [c.name for c in list_coders(self.project)]

    # -- articles --------------------------------------------------------------------
    def _record_visit(self) -> None:
        """Count the time spent on the article being left."""
        self.flush_time()

    def flush_time(self) -> None:
        """Write the time spent on the open article since the last write: on leaving it,
        and every TIME_FLUSH_MS, so that a killed app loses half a minute at most."""
        if self.project is None or self.coder is None or self.bundle is None:
            return
        now = time.monotonic()
        allowed = max(0.0, coding.MAX_VISIT_SECONDS - self._visit_counted)
        counted = self._on_server(lambda project: coding.record_time(
            project, self.bundle.article.id, self.coder.id, min(now - self._opened_at, allowed)  # type: ignore[union-attr]
        ))
        if counted > 0:  # under a second stays to be counted with the next piece
            self._visit_counted += counted
            self._opened_at = now

    def open_article(self, article_id: str) -> None:
        assert self.project is not None and self.coder is not None
        if self.bundle is not None:
            self.article_leaving.emit()
            self._record_visit()
        self._opened_at, self._visit_counted = time.monotonic(), 0.0
        # Thousands of records and highlight spans at once: see app.core.bulk.
        with no_cycle_collection():
            try:
                bundle = self._on_server(lambda project: coding.load_article(project, article_id, self.coder.id))  # type: ignore[union-attr]
            except LoupeError:
                if self.offline is None or not self.offline.offline:
                    raise
                self.refused.emit(OFFLINE_ELSEWHERE)
                return
            self.bundle = bundle
            if self.offline is not None:
                self.offline.follow(article_id)
            self.offsets = OffsetMap(self.bundle.article.text)
            self.selected_id = None
            self.article_opened.emit(self.bundle)
        self.selection_changed.emit(None)

    def _on_server(self, work: Callable[[Project], T]) -> T:
        """``work`` on the project; on a team server that cannot be reached, the window
        goes offline (codes in the copy on this computer) and does it there."""
        assert self.project is not None
        try:
            return work(self.project)
        except ServerUnreachable:
            if self.offline is None:
                raise
            self.offline.go_offline()  # LoupeError (one sentence) if nothing was copied yet
            assert self.project is not None
            return work(self.project)

    def back_online(self) -> None:
        """The server answers again (:class:`OfflineMode`): show its state of the article."""
        if self.project is not None and self.coder is not None and self.bundle is not None:
            self._reload()
            self._statuses_changed([self.bundle.article.id])
            if self.offline is not None:
                self.offline.follow(self.bundle.article.id)

    def _reload(self, changes: Changes | None = None) -> None:
        assert self.project is not None and self.coder is not None and self.bundle is not None
        self.bundle = coding.refresh_article(self.project, self.bundle, self.coder.id, changes)
        live = {a.id for a in self.bundle.annotations}
        if self.selected_id not in live:
            self.selected_id = None
            self.selection_changed.emit(None)
        self.article_changed.emit(changes or Changes(self.bundle.article.id))

    def refresh_listing(self) -> None:
        """Re-read the article list (after an import, for example)."""
        self._refresh_listing()

    def _refresh_listing(self) -> None:
        assert self.project is not None and self.coder is not None
        self.order = coding.article_order(self.project, self.coder.id)
        self.listing_changed.emit()

    def _status_set(self, article_id: str, status: str) -> None:
        if self.order.set_status(article_id, status):
            self.status_changed.emit(article_id, status)

    def _statuses_changed(self, article_ids: Sequence[str]) -> None:
        """Read the coder's status of these articles again (an edit started them)."""
        assert self.project is not None and self.coder is not None
        for article_id in article_ids:
            self._status_set(article_id, self.project.store.assignments.status(article_id, self.coder.id))

    def current_index(self) -> int:
        return -1 if self.bundle is None else self.order.position(self.bundle.article.id)

    def go_relative(self, step: int) -> None:
        if not len(self.order):
            return
        index = self.current_index()
        target = 0 if index < 0 else max(0, min(len(self.order) - 1, index + step))
        if target != index:
            self.open_article(self.order.ids[target])

    def go_next_unfinished(self) -> None:
        article_id = self.order.next_unfinished(None if self.bundle is None else self.bundle.article.id)
        if article_id is None:
            self.message.emit("Every article is done.")
        else:
            self.open_article(article_id)

    def set_status(self, status: str) -> bool:
        if self.project is None or self.bundle is None or self.coder is None:
            return False
        article_id, before = self.bundle.article.id, self.bundle.status
        try:
            coding.set_status(self.project, article_id, self.coder.id, status)
        except LoupeError as exc:
            self.refused.emit(exc.message)
            return False
        self._status_set(article_id, status)
        self._reload()
        self.message.emit("Marked done" if status == "done" else "Saved")
        if status == "done" and before != "done" and self.is_training(article_id):
            self.training_done.emit(article_id)
        return True

    def is_training(self, article_id: str) -> bool:
        """Whether the article is one of the coder's training articles."""
        return self.order.is_training(article_id)

    # -- selection -------------------------------------------------------------------
    def select(self, annotation_id: str | None) -> None:
        if annotation_id != self.selected_id:
            self.selected_id = annotation_id
            self.selection_changed.emit(annotation_id)

    def selected(self) -> Annotation | None:
        if self.bundle is None or self.selected_id is None:
            return None
        return next((a for a in self.bundle.annotations if a.id == self.selected_id), None)

    # -- edits -----------------------------------------------------------------------
    def apply(self, edit: Edit) -> bool:
        """Apply, commit and push an edit; False (and ``refused``) if it is not allowed."""
        inverse = self.apply_without_undo(edit)
        if inverse is None:
            return False
        self.undo_stack.push(EditCommand(edit, inverse, self.apply_without_undo, self.refused.emit))
        return True

    def apply_without_undo(self, edit: Edit) -> Edit | None:
        """Apply and commit ``edit``; returns its inverse, or None if refused."""
        assert self.project is not None
        try:
            inverse, changes = self._on_server(lambda project: apply_edit(project, edit))
        except LoupeError as exc:
            self.refused.emit(exc.message)
            return None
        if changes.article_ids:  # several articles at once: stay where the coder is
            if self.bundle is not None and self.bundle.article.id in changes.article_ids:
                self._reload(replace(changes, article_id=self.bundle.article.id))
        elif self.bundle is None or changes.article_id != self.bundle.article.id:
            self.open_article(changes.article_id)  # an undo elsewhere: show where it happened
        else:
            self._reload(changes)
        if changes.status:
            self._statuses_changed(changes.article_ids or (changes.article_id,))
        if self.offline is not None and self.offline.offline:
            self.offline.announce()
        elif self.offline is not None:
            self.offline.after_edit()
        self.message.emit("Saved")
        return inverse

    def create_annotation(self, label: str, start: int, end: int) -> str | None:
        """A new annotation (code points) of the current coder; selects it."""
        if self.bundle is None or self.coder is None:
            return None
        annotation = new_annotation(self.bundle.article.id, self.coder.id, label, start, end)
        if not self.apply(AddAnnotation(annotation)):
            return None
        self.select(annotation.id)
        return annotation.id

    def delete_selected(self) -> None:
        if self.selected_id is not None:
            self.apply(RemoveAnnotation(self.selected_id))

    def change_annotation(self, annotation_id: str, **fields: Any) -> bool:
        return self.apply(ChangeAnnotation(annotation_id, fields))

    def relabel(self, annotation_id: str, label: str) -> bool:
        """Give an annotation another label (its attributes belong to the old label and
        are cleared); one undo step restores both, and the status bar says what changed."""
        annotation = next((a for a in self.bundle.annotations if a.id == annotation_id), None) if self.bundle else None
        if annotation is None or annotation.label == label:
            return False
        before = annotation.label
        if not self.apply(ChangeAnnotation(annotation_id, {"label": label, "attributes": {}})):
            return False
        self.message.emit(f"{before} \u2192 {label} (Ctrl+Z to undo)")
        return True

    def add_relation(self, label: str, source_id: str, target_id: str) -> bool:
        if self.bundle is None or self.coder is None:
            return False
        relation = new_relation(self.bundle.article.id, self.coder.id, label, source_id, target_id)
        return self.apply(AddRelation(relation))

    def remove_relation(self, relation_id: str) -> bool:
        return self.apply(RemoveRelation(relation_id))

    def set_answer(self, question: str, value: Any) -> bool:
        if self.bundle is None or self.coder is None:
            return False
        return self.apply(SetAnswer(self.bundle.article.id, self.coder.id, question, value))

    # -- adjudication ------------------------------------------------------------------
    def decide(self, text: str, edits: Sequence[Planned], shown: Callable[[], None]) -> bool:
        """Write one adjudication decision (its edits of the gold and rejections, planned
        by :mod:`app.services.adjudication_edits`) in one transaction and push it as one
        undo step called ``text``; False (and ``refused``) if it is refused or fails.
        ``shown`` runs after each undo or redo of it (the panel re-reads what changed)."""
        try:
            inverses = self.apply_decision_without_undo(edits)
        except LoupeError as exc:
            self.refused.emit(exc.message)
            return False
        except Exception:  # called from a button's slot: report, log, never escape into Qt
            log.exception("The decision %r failed", text)
            self.refused.emit(f"{text} failed and nothing was changed; the details are in the log file.")
            return False
        self.undo_stack.push(
            DecisionCommand(
                text, self.apply_decision_without_undo, edits, inverses, self.refused.emit,
                lambda: self._decision_shown(shown),
            )
        )
        self._reload_gold()
        return True

    def _reload_gold(self) -> None:
        """Re-read the open article after a decision (its gold may have changed)."""
        if self.project is not None and self.coder is not None and self.bundle is not None:
            self._reload()

    def _decision_shown(self, shown: Callable[[], None]) -> None:
        self._reload_gold()
        shown()

    def apply_decision_without_undo(self, edits: Sequence[Planned]) -> list[Planned]:
        """Write a decision in one transaction; returns the decision that reverses it.
        Raises LoupeError (nothing written). The undo stack's way to write a decision."""
        if self.project is None:
            raise LoupeError("The project is closed.")
        return apply_decision(self.project, edits)

    def finish_gold(self) -> bool:
        """Mark the gold of the open article done (its adjudicator's status); False (and
        ``refused``) while a decision is open or nothing is open. Not an undo step."""
        if self.project is None or self.bundle is None or self.coder is None:
            return False
        try:
            finish_article(self.project, self.bundle.article.id, self.coder.id)
        except LoupeError as exc:
            self.refused.emit(exc.message)
            return False
        self._reload(Changes(self.bundle.article.id, status=True))
        return True
