"""The Distribute dialog of the assignments panel: ``loupe assign`` in a form.

Given the codebook's reliability plan (:mod:`app.services.reliability_plan`), it says
live, as ``loupe assign`` does, when the overlap it would draw is smaller than
Krippendorff's minimum."""

from __future__ import annotations

import random
from collections.abc import Sequence

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.allocation import overlap_size
from app.core.team import AssignReport
from app.services.reliability_plan import ReliabilityPlan, overlap_warning


class DistributeDialog(QDialog):
    """Which coders, what overlap share and seed, and whether to re-allocate everything."""

    def __init__(
        self,
        coders: Sequence[tuple[str, str]],
        unassigned: int,
        parent: QWidget | None = None,
        *,
        articles: int | None = None,
        reliability: ReliabilityPlan | None = None,
        overlap_now: int = 0,
    ) -> None:
        super().__init__(parent)
        self.unassigned = unassigned
        self.overlap_now = overlap_now
        self.articles = unassigned if articles is None else articles
        self.reliability = reliability
        self.setObjectName("distributeDialog")
        self.setWindowTitle("Distribute articles")
        self.coders = QListWidget()
        self.coders.setObjectName("distributeCoders")
        self.coders.setAccessibleName("Coders to distribute to")
        for name, role in coders:
            item = QListWidgetItem(name if role == "coder" else f"{name} ({role})")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if role == "coder" else Qt.CheckState.Unchecked)
            self.coders.addItem(item)
        self.overlap = QSpinBox(minimum=0, maximum=100, value=20, suffix=" %")
        self.overlap.setObjectName("overlapPercent")
        self.overlap.setAccessibleName("Overlap share in percent")
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1)
        self.seed.setObjectName("distributeSeed")
        self.seed.setValue(random.SystemRandom().randrange(2**31))
        self.seed.setAccessibleName("Seed")
        self.replace = QCheckBox("Re-allocate everything (work already done stays with its coder)")
        self.replace.setObjectName("replaceAssignments")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.coders.itemChanged.connect(lambda _item: self._update())
        self.overlap.valueChanged.connect(lambda _value: self._update())
        self.replace.toggled.connect(lambda _on: self._update())
        self.warning = QLabel()
        self.warning.setObjectName("overlapWarning")
        self.warning.setWordWrap(True)
        note = QLabel(
            f"{unassigned} article(s) are assigned to nobody yet; only they are distributed "
            "unless everything is re-allocated. The overlap share is coded by every chosen coder."
        )
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Coders", self.coders)
        form.addRow("Overlap", self.overlap)
        form.addRow("Seed", self.seed)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.replace)
        layout.addWidget(self.warning)
        layout.addWidget(self.buttons)
        self._update()

    def chosen(self) -> list[str]:
        items = (self.coders.item(i) for i in range(self.coders.count()))
        return [i.data(Qt.ItemDataRole.UserRole) for i in items if i.checkState() == Qt.CheckState.Checked]

    def choices(self) -> tuple[list[str], float, int, bool]:
        """(coders, overlap share, seed, re-allocate everything), as ``assign`` takes them."""
        return self.chosen(), self.overlap.value() / 100, self.seed.value(), self.replace.isChecked()

    def overlap_articles(self) -> int:
        """How many articles the overlap would hold with the choices made: the new sample,
        plus the overlap already assigned unless everything is re-allocated."""
        if self.replace.isChecked():
            return overlap_size(self.articles, self.overlap.value() / 100, len(self.chosen()))
        return self.overlap_now + overlap_size(self.unassigned, self.overlap.value() / 100, len(self.chosen()))

    def _update(self) -> None:
        chosen = self.chosen()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(chosen))
        warning = overlap_warning(self.reliability, self.overlap_articles()) if len(chosen) > 1 else None
        self.warning.setText(warning or "")
        self.warning.setVisible(warning is not None)


def report_text(report: AssignReport) -> str:
    lines = [
        f"Distributed {report.distributed} article(s), {report.overlap} of them in the overlap "
        f"every coder codes (seed {report.seed})."
    ]
    lines += [f"{name}: {n} new article(s)" for name, n in report.new_per_coder.items()]
    if not report.replace and report.left_alone:
        lines.append(f"{report.left_alone} article(s) already assigned or worked on were left as they are.")
    if report.kept or report.removed:
        lines.append(f"Kept {report.kept} assignment(s) with work; removed {report.removed} without work.")
    return "\n".join(lines)


