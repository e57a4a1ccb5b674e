"""Team > Edit Codebook: the lead edits a working copy of the project's codebook and
saves it as a new version, migrating the coding along the edits.

Left, the codebook as a tree (span labels, relation types, questions; their attributes;
the attributes' options) with buttons to add, remove and move items; right, the form of
the selected item (:mod:`app.ui.lead.codebook_forms`). Every edit goes to the working copy
(:class:`app.services.codebook_edits.WorkingCopy`), which remembers what each item was
called, and is checked at once: the problem's sentence shows under the form, its item
turns red in the tree and its field is outlined; Save waits until there is none. Save
shows what the migration would do and asks first (:mod:`app.ui.lead.codebook_editor_save`).
GUI thread only.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.printable import printable
from app.services.codebook_edits import (
    ItemPath,
    Problem,
    Ready,
    WorkingCopy,
    kind_of,
    name_key,
)
from app.services.codebook_text import codebook_yaml
from app.services.codebook_versions import history
from app.ui.lead.codebook_editor_save import SaveFlow, describe_edits
from app.ui.lead.codebook_editor_tree import PATH_ROLE, PROBLEM_COLOUR, CodebookTree, button_grid
from app.ui.lead.codebook_forms import MARKED, make_forms
from app.ui.window_parts import ProjectWindow

HELP = (
    "Renaming an item keeps its coding: annotations, values and answers follow the new name. Deleting one "
    "drops its coding, after you confirm. Splitting a label into several (by an attribute's value) or merging "
    "two is done on the command line: export this codebook as YAML, edit it, and run "
    "loupe codebook PROJECT --upgrade NEW.yaml --map MAP.yaml."
)


class CodebookEditorDialog(QDialog):
    """The editor; ``saved`` carries the migration's UpgradeReport once the project uses
    the new version (the window has then re-read the project)."""

    saved = Signal(object)

    def __init__(self, window: ProjectWindow) -> None:
        super().__init__(window)
        project = window.controller.project
        assert project is not None
        self.setObjectName("codebookEditor")
        self.setWindowTitle("Edit Codebook")
        self.window_ = window
        self.working = WorkingCopy(project.codebook, [v.version for v in history(project)])
        self.path: ItemPath | None = None
        self.flow: SaveFlow | None = None
        self.discard_box: QMessageBox | None = None
        self.setStyleSheet(MARKED)

        self.name = QLineEdit(self.working.doc["name"])
        self.name.setObjectName("codebookName")
        self.name.textEdited.connect(lambda text: self._set_top("name", text))
        self.version = QLineEdit(self.working.doc["version"])
        self.version.setObjectName("codebookVersion")
        used = ", ".join(sorted(self.working.used_versions))
        self.version.setToolTip(f"A version the project has not used (it has used {used}).")
        self.version.textEdited.connect(lambda text: self._set_top("version", text))
        top = QFormLayout()
        top.addRow("Codebook &name:", self.name)
        top.addRow(f"New &version (now {project.codebook.version}):", self.version)

        self.tree = CodebookTree(self.working)
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        grid, self.buttons = button_grid((
            ("addLabel", "+ &Label", lambda: self.add(("span_labels",))),
            ("addRelation", "+ Re&lation", lambda: self.add(("relation_types",))),
            ("addQuestion", "+ &Question", lambda: self.add(("questions",))),
            ("addAttribute", "+ &Attribute", self.add_attribute),
            ("addOption", "+ &Option", self.add_option),
            ("removeItem", "&Remove", self.remove),
            ("moveUp", "Move &Up", lambda: self.move_item(-1)),
            ("moveDown", "Move Do&wn", lambda: self.move_item(1)),
        ))
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.tree, 1)
        left_layout.addLayout(grid)

        self.forms = make_forms()
        self.stack = QStackedWidget()
        self.empty = QLabel("Choose an item on the left, or add one.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty)
        for form in self.forms.values():
            self.stack.addWidget(form)
            form.edited.connect(self._edited)
        self.problem = QLabel()
        self.problem.setObjectName("codebookProblem")
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.stack, 1)
        right_layout.addWidget(self.problem)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([360, 640])

        help_text = QLabel(HELP)
        help_text.setObjectName("codebookEditorHelp")
        help_text.setWordWrap(True)
        help_text.setEnabled(False)  # drawn as a quiet note
        self.export_button = QPushButton("&Export YAML\u2026")
        self.export_button.setObjectName("exportCodebookYaml")
        self.export_button.clicked.connect(lambda _c=False: self.export_yaml())
        self.save_button = QPushButton("&Save\u2026")
        self.save_button.setObjectName("saveCodebook")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(lambda _c=False: self.save())
        cancel = QPushButton("Cancel")
        cancel.setObjectName("cancelCodebook")
        cancel.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.export_button)
        bottom.addStretch(1)
        bottom.addWidget(cancel)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(help_text)
        layout.addLayout(bottom)
        self.resize(1080, 720)
        self.pristine = self.working.document()
        self._rebuild(("span_labels", 0) if self.working.doc["span_labels"] else None)

    # -- the tree ----------------------------------------------------------------------
    def _rebuild(self, select: ItemPath | None) -> None:
        self.tree.rebuild()
        self.select(select)

    def select(self, path: ItemPath | None) -> None:
        """Make the item at ``path`` current (and show its form)."""
        if path is None:
            self._show(None)
            return
        self.tree.make_current(path)
        self._show(path)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show(current.data(PATH_ROLE) if current.isValid() else None)

    def _show(self, path: ItemPath | None) -> None:
        self.path = tuple(path) if path else None
        if self.path is None or len(self.path) < 2:
            self.stack.setCurrentWidget(self.empty)
        else:
            form = self.forms[kind_of(self.path)]
            form.load(self.working.item(self.path), self.working, self.path)
            self.stack.setCurrentWidget(form)
        self._enable_buttons()
        self.validate()

    def _enable_buttons(self) -> None:
        item = self.path is not None and len(self.path) >= 2
        self.buttons["addAttribute"].setEnabled(self._attribute_owner() is not None)
        self.buttons["addOption"].setEnabled(self._option_owner() is not None)
        for name in ("removeItem", "moveUp", "moveDown"):
            self.buttons[name].setEnabled(item)

    def _attribute_owner(self) -> ItemPath | None:
        if self.path is None or len(self.path) < 2 or self.path[0] == "questions":
            return None
        return self.path[:2]

    def _option_owner(self) -> ItemPath | None:
        if self.path is None or len(self.path) < 2:
            return None
        kind = kind_of(self.path)
        if kind in ("attribute", "question"):
            return self.path
        return self.path[:-2] if kind == "option" else None

    # -- editing -----------------------------------------------------------------------
    def add(self, parent: ItemPath) -> ItemPath:
        path = self.working.add(parent)
        self._rebuild(path)
        return path

    def add_attribute(self) -> ItemPath | None:
        owner = self._attribute_owner()
        return self.add(owner) if owner else None

    def add_option(self) -> ItemPath | None:
        owner = self._option_owner()
        return self.add(owner) if owner else None

    def remove(self) -> None:
        if self.path is None or len(self.path) < 2:
            return
        path = self.path
        self.working.remove(path)
        left = len(self.working.items(path[:-1] if len(path) == 2 else path[:-2]))
        self._rebuild((*path[:-1], min(int(path[-1]), left - 1)) if left else (path[:-2] if len(path) > 2 else path[:1]))

    def move_item(self, step: int) -> None:
        if self.path is not None and len(self.path) >= 2:
            self._rebuild(self.working.move(self.path, step))

    def _edited(self, key: str, value: object) -> None:
        if self.path is None:
            return
        self.working.set_field(self.path, key, value)
        if key == name_key(self.path):
            self.tree.show_title(self.path, str(value))
        elif key == "color":
            self.tree.show_colour(self.path, str(value))
        if key in ("type", "required"):  # which fields apply
            self.forms[kind_of(self.path)].load(self.working.item(self.path), self.working, self.path)
        self.validate()

    def _set_top(self, key: str, text: str) -> None:
        self.working.doc[key] = text
        self.validate()

    # -- checking ----------------------------------------------------------------------
    def validate(self) -> Ready | Problem:
        """Check the working copy: show the problem (or what Save will do)."""
        result = self.working.check()
        problem = result if isinstance(result, Problem) else None
        self.save_button.setEnabled(problem is None and self.flow is None)
        self.tree.mark(problem.item if problem else None)
        for field, edit in (("version", self.version), ("name", self.name)):
            marked = problem is not None and problem.item is None and problem.field == field
            edit.setProperty("problem", marked)
            edit.style().unpolish(edit)
            edit.style().polish(edit)
        if self.path is not None and len(self.path) >= 2:
            mine = problem is not None and problem.item == self.path
            self.forms[kind_of(self.path)].mark(problem.field if mine and problem else None)
        if problem is not None:
            self.problem.setStyleSheet("" if problem.quiet else f"color: {PROBLEM_COLOUR};")
            self.problem.setText(problem.sentence)
        else:
            self.problem.setStyleSheet("")
            self.problem.setText(f"Ready to save as version {self.working.doc['version']}. {describe_edits(self.working)}")
        return result

    # -- saving ------------------------------------------------------------------------
    def save(self) -> None:
        """Dry run, confirmation, migration (see SaveFlow); the dialog closes when done."""
        result = self.validate()
        if not isinstance(result, Ready) or self.flow is not None:
            return
        self.flow = SaveFlow(self, self.window_, result, self.working.deletions())
        self.flow.saved.connect(self._saved)
        self.flow.stopped.connect(self._stopped)
        self.save_button.setEnabled(False)
        self.flow.start()

    def reject(self) -> None:
        """Cancel (or Escape): edits are not thrown away without asking."""
        if self.flow is not None:
            return  # the migration is under way
        if self.discard_box is None and self.working.document() != self.pristine:
            self.discard_box = QMessageBox(QMessageBox.Icon.Question, "Edit Codebook",
                                           "Discard the edits? The codebook stays as it is.", parent=self)
            self.discard_box.setObjectName("codebookDiscard")
            discard = self.discard_box.addButton("Discard Edits", QMessageBox.ButtonRole.DestructiveRole)
            self.discard_box.addButton("Keep Editing", QMessageBox.ButtonRole.RejectRole)
            self.discard_box.buttonClicked.connect(lambda b: QDialog.reject(self) if b is discard else None)
            self.discard_box.finished.connect(lambda _r: setattr(self, "discard_box", None))
            self.discard_box.open()
            return
        if self.discard_box is None:
            super().reject()

    def _saved(self, report: object) -> None:
        self.flow = None
        self.saved.emit(report)
        self.accept()

    def _stopped(self, sentence: str) -> None:
        self.flow = None
        self.validate()
        if sentence:
            self.problem.setStyleSheet(f"color: {PROBLEM_COLOUR};")
            self.problem.setText(sentence)

    def export_yaml(self, target: Path | None = None) -> Path | None:
        """Write the working codebook as YAML (asks where when ``target`` is None)."""
        if target is None:
            suggested = f"{self.working.doc['name']}-{self.working.doc['version']}.yaml".replace(" ", "-")
            name, _ = QFileDialog.getSaveFileName(self, "Export codebook as YAML", suggested, "YAML (*.yaml *.yml)")
            if not name:
                return None
            target = Path(name)
        try:
            target.write_text(codebook_yaml(self.working.document()), encoding="utf-8")
        except OSError as exc:
            self.problem.setText(f"{printable(str(target))} cannot be written ({exc.strerror or type(exc).__name__}).")
            return None
        self.problem.setText(f"Wrote {printable(target.name)}.")
        return target
