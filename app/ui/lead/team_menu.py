"""The Team menu (agreement, adjudication, comparing with the gold, editing the
codebook) and File > Merge Coder Files, filled by :func:`build_team_menu` in the menus
the main window made.

The lead's views load NumPy and the agreement code; they are imported when first
opened, so that the coding window starts as fast without them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog

from app.core.formats import PROJECT_FILTER
from app.services.projects import package_refusal
from app.services.team_server import lead_refusal
from app.ui.window_parts import Menus, ProjectWindow

if TYPE_CHECKING:
    from app.ui.lead.codebook_editor import CodebookEditorDialog
    from app.ui.lead.feedback_dialog import FeedbackDialog
    from app.ui.lead.lead_window import LeadWindow
    from app.ui.lead.merge_task import MergeTask


class TeamActions(QObject):
    """What the Team menu does; holds the lead window of the open project."""

    #: A merge finished and changed the project: MergeReport.
    merged = Signal(object)

    def __init__(self, window: ProjectWindow) -> None:
        super().__init__(window)
        self.window = window
        self.lead: LeadWindow | None = None
        self.merge_task: MergeTask | None = None
        self.codebook_editor: CodebookEditorDialog | None = None
        #: Team > Edit Codebook, enabled for a lead's project (set by build_team_menu).
        self.edit_codebook_action: QAction | None = None
        window.installEventFilter(self)
        window.controller.project_opened.connect(self._enable_codebook_editing)

    def _refused(self) -> bool:
        """A coder's login on a team server: the lead's actions say why and do nothing
        (the database would refuse what they read and write)."""
        project = self.window.controller.project
        refusal = None if project is None else lead_refusal(project)
        if refusal:
            self.window.statusBar().showMessage(refusal, 10_000)
        return refusal is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Closing the main window closes the lead window (and its connections) too."""
        if watched is self.window and event.type() == QEvent.Type.Close and self.lead is not None:
            self.lead.close()
            self.lead = None
        return False

    def lead_window(self) -> LeadWindow | None:
        path = self.window.controller.project_path
        if path is None or self._refused():
            return None
        if self.lead is not None and self.lead.path != path:
            self.lead.close()
            self.lead = None
        if self.lead is None:
            from app.ui.lead.lead_window import LeadWindow

            self.lead = LeadWindow(path, self.window)
            # Training articles come first in the coder's list: show a change at once.
            self.lead.training.training_changed.connect(lambda _ids: self.window.controller.refresh_listing())
        return self.lead

    def show_assignments(self) -> LeadWindow | None:
        lead = self.lead_window()
        if lead is not None:
            lead.show_assignments()
        return lead

    def show_training(self) -> LeadWindow | None:
        lead = self.lead_window()
        if lead is not None:
            lead.show_training()
        return lead

    def show_agreement(self) -> LeadWindow | None:
        lead = self.lead_window()
        if lead is not None:
            lead.show_agreement()
        return lead

    def show_adjudication(self, adjudicator: str | None = None) -> LeadWindow | None:
        lead = self.lead_window()
        if lead is not None and lead.show_adjudication(adjudicator):
            return lead
        return None

    def compare_with_gold(self) -> FeedbackDialog | None:
        from app.ui.lead.feedback_dialog import show_feedback

        c = self.window.controller
        if c.project is None or c.coder is None or c.bundle is None:
            return None
        return show_feedback(self.window, c.project, c.coder.name, c.bundle.article.id)

    def edit_codebook(self) -> CodebookEditorDialog | None:
        """The codebook editor (a new version of the codebook, migrating the coding)."""
        c = self.window.controller
        if c.project is None or package_refusal(c.project) is not None or self._refused():
            return None
        from app.ui.lead.codebook_editor import CodebookEditorDialog

        if self.codebook_editor is not None:
            if self.codebook_editor.isVisible():
                self.codebook_editor.raise_()
                return self.codebook_editor
            self.codebook_editor.deleteLater()  # a closed one: its edits were saved or discarded
        self.codebook_editor = CodebookEditorDialog(self.window)
        self.codebook_editor.saved.connect(lambda _report: self._codebook_changed())
        self.codebook_editor.open()
        return self.codebook_editor

    def _codebook_changed(self) -> None:
        """The lead window shows the project as of its old codebook: opened anew."""
        if self.lead is not None:
            shown = self.lead.isVisible()
            self.lead.close()
            self.lead = None
            if shown:
                self.show_assignments()

    def _enable_codebook_editing(self) -> None:
        action, project = self.edit_codebook_action, self.window.controller.project
        if action is None:
            return
        refusal = None if project is None else package_refusal(project)
        if refusal:
            refusal = (refusal.split(":")[0] + ": the codebook is changed in the lead's project, "
                       "which then sends new packages.")
        elif project is not None:
            refusal = lead_refusal(project)
        action.setEnabled(project is not None and refusal is None)
        tip = refusal or "Edit the codebook and save it as a new version, migrating the coding"
        action.setToolTip(tip)
        action.setStatusTip(tip)

    def merge(self, files: Sequence[Path] | None = None) -> MergeTask | None:
        if self.window.controller.project_path is None or self._refused():
            return None
        if files is None:
            names, _ = QFileDialog.getOpenFileNames(self.window, "Merge coder files", "", PROJECT_FILTER)
            files = [Path(n) for n in names]
        if not files:
            return None
        from app.ui.lead.merge_task import MergeTask

        self.merge_task = MergeTask(self.window, files)
        self.merge_task.done.connect(self._merged)
        self.merge_task.start()
        return self.merge_task

    def _merged(self, report: object) -> None:
        if report is None:
            return
        if self.lead is not None:
            self.lead.refresh()
        self.merged.emit(report)


def _action(
    parent: QObject, text: str, name: str, slot: Callable[[], object], shortcut: str = "",
) -> QAction:
    action = QAction(text, parent)
    action.setObjectName(name)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _checked=False: slot())
    return action


def build_team_menu(window: ProjectWindow, menus: Menus) -> tuple[TeamActions, dict[str, QAction]]:
    """Fill ``menus.team`` and add Merge Coder Files to ``menus.file`` (before its last
    group, Quit); returns what the actions call and the actions by name."""
    team = TeamActions(window)
    edit_codebook = _action(window, "Edit &Codebook\u2026", "team_edit_codebook", team.edit_codebook)
    edit_codebook.setEnabled(False)  # until a lead's project is open
    team.edit_codebook_action = edit_codebook
    actions = [
        _action(window, "A&ssignments\u2026", "team_assignments", team.show_assignments),
        _action(window, "&Agreement\u2026", "team_agreement", team.show_agreement),
        _action(window, "A&djudicate\u2026", "team_adjudicate", team.show_adjudication),
        _action(window, "&Training Set\u2026", "team_training", team.show_training),
        None,
        edit_codebook,
        None,
        _action(window, "Compare with &Gold\u2026", "compare_with_gold", team.compare_with_gold, "Ctrl+Shift+G"),
    ]
    for action in actions:
        if action is None:
            menus.team.addSeparator()
        else:
            menus.team.addAction(action)
    merge = _action(window, "&Merge Coder Files\u2026", "merge_coder_files", team.merge, "Ctrl+Shift+M")
    separators = [a for a in menus.file.actions() if a.isSeparator()]
    if separators:
        menus.file.insertAction(separators[-1], merge)
    else:
        menus.file.addAction(merge)
    by_name = {a.objectName(): a for a in [*actions, merge] if a is not None}
    return team, by_name
