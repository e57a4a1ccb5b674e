"""The main window: a thin composition of panels around the article text."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMenu, QMessageBox, QWidget

from app.core.errors import LoupeError
from app.core.formats import PROJECT_FILTER
from app.core.location import Location, is_server, location_key, location_name, location_of
from app.services.projects import coders_of, package_refusal
from app.services.team_server import coder_of_login, lead_refusal
from app.ui.actions import build_label_actions, build_menus
from app.ui.annotation_table import AnnotationTablePanel
from app.ui.article_list import ArticleListPanel
from app.ui.article_panel import ArticlePanel
from app.ui.attribute_editor import AttributeEditor
from app.ui.codebook_dialog import CodebookDialog
from app.ui.codebook_notice import newer_codebook_notice, show_notice
from app.ui.coder_dialog import CoderDialog
from app.ui.controller import CodingController
from app.ui.label_palette import EntityLegend, LabelPalette
from app.ui.lead.team_menu import build_team_menu
from app.ui.question_form import QuestionForm
from app.ui.relation_panel import RelationPanel
from app.ui.search_dock import SearchPanel
from app.ui.settings import Settings
from app.ui.shortcuts_dialog import ShortcutsDialog
from app.ui.tasks import TaskRunner
from app.ui.window_parts import Menus, ProjectWindow

if TYPE_CHECKING:
    from app.ui.lead.feedback_dialog import FeedbackDialog

IMPORT_FILTER = (
    "Articles (*.txt *.csv *.tsv *.jsonl *.ndjson *.docx *.html *.htm *.qdpx);;"
    "REFI-QDA projects (*.qdpx);;All files (*)"
)


class MainWindow(ProjectWindow):
    """The coding window. Its parts receive what they use of it (the controller, the
    menus, itself as a parent); none sets attributes on it or imports this module."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("Loupe")
        self.setAcceptDrops(True)
        self.settings = settings
        #: Every background job of this window (import, export, merge, agreement).
        self.task_runner = TaskRunner(self)
        self.controller = CodingController(self)
        self.article_panel = ArticlePanel(self.controller, self)
        self.article_panel.view.snap_to_words = settings.snap_to_words
        self.article_panel.view.set_show_relations(settings.show_relations)
        self.article_panel.view.zoom(settings.font_size - self.article_panel.view.font().pointSizeF())
        self.setCentralWidget(self.article_panel)
        c = self.controller
        self.article_list = ArticleListPanel(c)
        self.label_palette = LabelPalette(c)
        self.legend = EntityLegend(c)
        self.attribute_editor = AttributeEditor(c)
        self.relation_panel = RelationPanel(c)
        self.question_form = QuestionForm(c)
        self.annotation_table = AnnotationTablePanel(c)
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        geometry, state = settings.window_geometry(), settings.window_state()
        # A saved state tabifies the docks itself; tabified here too, the tab bars of this
        # first layout stayed drawn where it put them, over the article list.
        tabify = self.tabifyDockWidget if state is None else lambda _first, _second: None
        self.articles_dock = self._dock("Articles", self.article_list, left)
        labels = self._dock("Labels", self.label_palette, left)
        entities = self._dock("Entities", self.legend, left)
        tabify(labels, entities)
        labels.raise_()
        self._dock("Attributes", self.attribute_editor, right)
        relations = self._dock("Relations", self.relation_panel, right)
        questions = self._dock("Article questions", self.question_form, right)
        tabify(relations, questions)
        relations.raise_()
        self.search_panel = SearchPanel(c, self.article_panel.view)
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.annotations_dock = self._dock("Annotations", self.annotation_table, bottom)
        #: Find in Project (Ctrl+Shift+F), a tab beside the annotations; hidden until asked
        #: for, and tabified then: tab bars laid out before the window has its size stay
        #: drawn where that first layout put them, over the article list.
        self.search_dock = self._dock("Find in Project", self.search_panel, bottom)
        self.search_dock.hide()
        self.setCorner(Qt.Corner.BottomLeftCorner, left)
        self.setCorner(Qt.Corner.BottomRightCorner, right)
        bar = self.menuBar()
        #: The menus in menu-bar order; the builders below fill them.
        self.menus = Menus(
            file=bar.addMenu("&File"), recent=QMenu("Open &Recent", self), edit=bar.addMenu("&Edit"),
            go=bar.addMenu("&Go"), code=bar.addMenu("&Code"), view=bar.addMenu("&View"),
            team=bar.addMenu("&Team"), help=bar.addMenu("&Help"),
        )
        menu_actions = build_menus(self, self, c, self.article_panel, settings, self.menus)
        self.team, team_actions = build_team_menu(self, self.menus)
        #: Every action of the menus by object name, gathered here only (tests use it).
        self.actions_by_name: dict[str, QAction] = {**menu_actions, **team_actions}
        self.actions_by_name["import_articles"].setEnabled(False)  # until a project is open
        #: The open codebook's label actions (Code menu), replaced when a project opens.
        self.label_actions: list[QAction] = []
        self.coder_label = QLabel()
        self.statusBar().addPermanentWidget(self.coder_label)
        self.codebook_notice = QLabel()
        self.codebook_notice.setObjectName("codebookNotice")
        self.codebook_notice.hide()
        self.statusBar().addPermanentWidget(self.codebook_notice)
        self.connection_notice = QLabel()
        self.connection_notice.setObjectName("connectionNotice")
        self.connection_notice.hide()
        self.statusBar().addPermanentWidget(self.connection_notice)
        self.controller.connection_changed.connect(self._connection_changed)
        self.controller.password_needed.connect(self._sign_in_again)
        self._wire()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        if state is not None:
            self.restoreState(state)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower().replace(' ', '_')}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _wire(self) -> None:
        c, view = self.controller, self.article_panel.view
        c.message.connect(lambda text: self.statusBar().showMessage(text, 3000))
        c.refused.connect(self._on_refused)
        c.training_done.connect(self.show_training_feedback)
        c.article_opened.connect(self._remember_article)
        self.label_palette.label_chosen.connect(view.apply_label)
        self.article_list.assignments_requested.connect(lambda: self.team.show_assignments())
        self.legend.entity_visibility_changed.connect(self._set_hidden_entities)
        view.link_requested.connect(lambda: self.relation_panel.start_link())
        view.annotations_only = self.relation_panel.is_linking
        hidden = self.settings.hidden_entity_labels()
        view.set_hidden_entity_labels(hidden)
        self.legend.set_hidden(hidden)

    # -- projects ----------------------------------------------------------------------
    def ask_coder(self, path: Location) -> str | None:
        """The package's coder (or a team server's coder login), the remembered coder of
        this project, or ask (first start)."""
        if is_server(path):
            login = coder_of_login(str(path))
            if login is not None:  # a coder's login codes as that coder, and only so
                return login
        packaged, names = coders_of(path)
        if packaged:  # a coder's package opens straight to coding as that coder
            return packaged
        remembered = self.settings.last_coder(location_key(path))
        if remembered and remembered in names:
            return remembered
        return CoderDialog.ask(self, names, remembered)

    def open_project(self, path: Location, coder_name: str) -> None:
        """Open ``path`` as ``coder_name``; raises LoupeError with one sentence."""
        self.controller.open_project(path, coder_name)
        self._show_opened(path, coder_name)

    def open_offline(self, path: Location, unreachable: LoupeError) -> None:
        """Open this computer's copy of the team server at ``path``, which cannot be
        reached; raises ``unreachable`` if there is none."""
        self.controller.open_offline(path, unreachable)
        assert self.controller.coder is not None
        self._show_opened(path, self.controller.coder.name)

    def _show_opened(self, path: Location, coder_name: str) -> None:
        c = self.controller
        self.settings.add_recent_project(location_key(path))
        self.settings.set_last_coder(location_key(path), coder_name)
        self.label_actions = build_label_actions(
            self, c, self.article_panel, self.menus.code, previous=self.label_actions
        )
        self.setWindowTitle(f"{location_name(path)} — Loupe")
        self.coder_label.setText(f"Coder: {coder_name}")
        if c.project is not None:
            notice = newer_codebook_notice(self.settings, c.project)
            show_notice(self.codebook_notice, notice)
            if notice:
                self.statusBar().showMessage(notice, 20_000)
        self._enable_import()
        last = self.settings.last_article(location_key(path))
        if last is not None and c.order.position(last) >= 0:
            c.open_article(last)
        elif len(c.order):
            c.open_article(c.order.ids[0])
        self._point_past_an_empty_list()

    def _connection_changed(self, text: str) -> None:
        """On a team server: "Offline — N edits waiting" while it cannot be reached."""
        self.connection_notice.setText(text)
        self.connection_notice.setVisible(bool(text))

    def _sign_in_again(self) -> None:
        from app.ui.server_sign_in import sign_in_again

        sign_in_again(self)

    def _point_past_an_empty_list(self) -> None:
        """With nothing to code, the article list says why (its dock is shown even if it
        was closed last time), and a lead whose team has assignments gets the Team window
        on its Assignments tab, once the window is up."""
        c = self.controller
        if c.empty_listing_reason() is None:
            return
        self.articles_dock.show()
        self.articles_dock.raise_()
        if self._lead_with_nothing_to_code():
            self.statusBar().showMessage("Nothing to code as the lead: the Team window shows the assignments.", 10_000)
            QTimer.singleShot(0, self, self._show_team_to_lead)

    def _lead_with_nothing_to_code(self) -> bool:
        c, reason = self.controller, self.controller.empty_listing_reason()
        return reason is not None and reason[1] and c.coder is not None and c.coder.role == "lead"

    def _show_team_to_lead(self) -> None:
        if self._lead_with_nothing_to_code():  # still so: the window may have closed or switched
            self.team.show_assignments()

    def open_project_interactively(self, path: Location) -> None:
        try:
            if is_server(path):
                from app.ui.server_sign_in import open_on_server

                open_on_server(self, str(path))
                return
            coder = self.ask_coder(path)
            if coder:
                self.open_project(path, coder)
        except LoupeError as exc:
            QMessageBox.warning(self, "Loupe", exc.message)

    def choose_project(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open project", "", PROJECT_FILTER)
        if name:
            self.open_project_interactively(Path(name))

    def fill_recent_menu(self) -> None:
        menu = self.menus.recent
        menu.clear()
        for recent in self.settings.recent_projects():
            action = menu.addAction(recent)
            action.triggered.connect(lambda _checked=False, p=recent: self.open_project_interactively(location_of(p)))
        if menu.isEmpty():
            menu.addAction("No recent projects").setEnabled(False)

    def switch_coder(self) -> None:
        path = self.controller.project_path
        if path is None or self.controller.project is None:
            return
        refusal = lead_refusal(self.controller.project)
        if refusal:  # a coder's login codes as that coder only
            self.statusBar().showMessage(refusal, 10_000)
            return
        coder = CoderDialog.ask(self, self.controller.coder_names(), None)
        if coder:
            self.open_project(path, coder)

    def _enable_import(self) -> None:
        """File > Import is off in a coder's package (it takes coding, not articles)."""
        project = self.controller.project
        refusal = None if project is None else package_refusal(project) or lead_refusal(project)
        action = self.actions_by_name["import_articles"]
        action.setEnabled(project is not None and refusal is None)
        action.setStatusTip(refusal or "Import articles into this project")
        action.setToolTip(refusal or "Import articles into this project")

    def choose_import(self) -> None:
        from app.services.importing import package_refusal
        from app.ui.import_dialog import start_import

        if self.controller.project is None or self.controller.project_path is None:
            return
        refusal = package_refusal(self.controller.project) or lead_refusal(self.controller.project)
        if refusal:  # the shortcut of a disabled action never fires; said anyway
            self.statusBar().showMessage(refusal, 10_000)
            return
        names, _ = QFileDialog.getOpenFileNames(self, "Import articles", "", IMPORT_FILTER)
        if names:  # the options are asked only when the files can bring coding
            start_import(self, [Path(n) for n in names])

    def choose_export(self) -> None:
        from app.ui.export_dialog import run_export

        run_export(self)

    # -- small slots -------------------------------------------------------------------
    def _on_refused(self, text: str) -> None:
        self.statusBar().showMessage(text, 10_000)
        if text.startswith("Not done yet"):
            box = QMessageBox(QMessageBox.Icon.Information, "Not done yet", text, parent=self)
            box.setObjectName("doneRefusal")
            box.open()

    def show_training_feedback(self, article_id: str) -> FeedbackDialog | None:
        """After a training article is done: its comparison with the gold; a status-bar
        note instead when its finished gold is not in this file."""
        from app.ui.lead.feedback_dialog import show_feedback  # loads the agreement code: only now

        c = self.controller
        if c.project is None or c.coder is None:
            return None
        return show_feedback(
            self, c.project, c.coder.name, article_id,
            refused=lambda text: self.statusBar().showMessage(text, 10_000),
        )

    def _remember_article(self, bundle: object) -> None:
        if self.controller.project_path is not None and self.controller.bundle is not None:
            self.settings.set_last_article(location_key(self.controller.project_path), self.controller.bundle.article.id)

    def _set_hidden_entities(self, hidden: set[str]) -> None:
        self.article_panel.view.set_hidden_entity_labels(hidden)
        self.settings.set_hidden_entity_labels(hidden)

    def toggle_snap(self) -> None:
        value = self.actions_by_name["snap_to_words"].isChecked()
        self.settings.snap_to_words = value
        self.article_panel.view.snap_to_words = value

    def toggle_relations(self) -> None:
        value = self.actions_by_name["showRelationsAction"].isChecked()
        self.settings.show_relations = value
        self.article_panel.view.set_show_relations(value)

    def show_shortcuts(self) -> None:
        actions = [a for a in self.findChildren(type(self.actions_by_name["undo"])) if a.shortcuts()]
        ShortcutsDialog(actions, self).open()

    def find_in_project(self) -> None:
        """Edit > Find in Project: the dock shown, raised and typed into."""
        if self.search_dock.isHidden() and not self.tabifiedDockWidgets(self.search_dock):
            docked = self.dockWidgetArea(self.annotations_dock) == self.dockWidgetArea(self.search_dock)
            if docked and not self.annotations_dock.isHidden():
                self.tabifyDockWidget(self.annotations_dock, self.search_dock)
        self.search_dock.show()
        self.search_dock.raise_()
        self.search_panel.focus_query()

    def show_codebook(self, label: str | None = None) -> None:
        """The codebook reference (one dialog, shared with the palette's "?" buttons)."""
        if self.controller.project is not None:
            self.label_palette.show_codebook(label)

    @property
    def codebook_dialog(self) -> CodebookDialog | None:
        return self.label_palette.codebook_dialog()

    # -- drag and drop, closing --------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        urls = event.mimeData().urls()
        if urls and all(u.isLocalFile() and u.toLocalFile().endswith(".loupe") for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        urls = event.mimeData().urls()
        if urls:
            path = Path(urls[0].toLocalFile())
            QTimer.singleShot(0, lambda: self.open_project_interactively(path))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        # Stop the background jobs first (cancel, wait for their threads): a thread still
        # running when Qt destroys it aborts the process, and a job's result must not
        # arrive at a closed controller.
        self.task_runner.shutdown()
        self.settings.font_size = self.article_panel.view.font().pointSizeF()
        self.settings.save_window(self.saveGeometry(), self.saveState())
        self.settings.sync()
        self.controller.close_project()
        super().closeEvent(event)
