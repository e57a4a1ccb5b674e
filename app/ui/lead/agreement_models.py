"""Table models over the agreement report: figures (pooled, per pair, per article) and
the disagreements behind them. Rows are frozen records; the raw value of a number cell
is under ``Qt.UserRole`` (the display rounds to three decimals). GUI thread only."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.core.coefficients import COEFFICIENT_NAMES
from app.services.agreement.report import Disagreement, Figure, Measure, OptionAgreement
from app.ui.lead.alpha_chart import reading_fill
from app.ui.row_model import RowTableModel


def coefficient_name(f: Figure) -> str:
    name = COEFFICIENT_NAMES.get(f.coefficient, f.coefficient)
    if f.coefficient in ("krippendorff_alpha", "f1", "f1_micro", "f1_macro") or f.level.endswith("weights"):
        return f"{name} ({f.level.split()[0]})"
    return name


def number(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    text = f"{value:.3f}"
    return "0.000" if text == "-0.000" else text


@dataclass(frozen=True)
class FigureRow:
    name: str
    figure: Figure
    measure: Measure
    disagreements: int


def pooled_rows(measures: Sequence[Measure]) -> list[FigureRow]:
    return [FigureRow(m.name, f, m, len(m.disagreements)) for m in measures for f in m.figures]


def pair_rows(measure: Measure) -> list[FigureRow]:
    return [
        FigureRow(" / ".join(f.coders), f, measure, len(measure.disagreements_for(coders=f.coders)))
        for f in measure.pairs
    ]


def article_rows(measure: Measure, titles: dict[str, str]) -> list[FigureRow]:
    return [
        FigureRow(
            titles.get(f.article_id or "", f.article_id or ""), f, measure,
            len(measure.disagreements_for(article_id=f.article_id)),
        )
        for f in measure.articles
    ]


class FigureTableModel(RowTableModel):
    """Figures: name, coefficient, value, interval, units, coders, disagreements. The raw
    value of each cell is under ``UserRole``; the figure's note is every cell's tooltip."""

    COLUMNS = ("Coefficient", "Value", "Interval", "q (< 0.800 / 0.667)", "Units", "Coders", "Disagreements")

    def __init__(self, first_header: str = "Measure", parent: Any = None) -> None:
        super().__init__(parent)
        self.HEADERS = (first_header, *self.COLUMNS)

    def cells(self, row: FigureRow) -> tuple[str, ...]:
        f = row.figure
        interval = "-" if f.interval is None else f"[{number(f.interval.low)}, {number(f.interval.high)}]"
        return (
            row.name, coefficient_name(f), number(f.value), interval, q_text(f), str(f.n_units),
            str(f.n_coders), str(row.disagreements),
        )

    def tooltip(self, row: FigureRow, column: int) -> Any:
        return row.figure.note

    def value(self, row: FigureRow, column: int) -> Any:
        f = row.figure
        q = None if f.interval is None else f.interval.q(0.8)
        return (row.name, f.coefficient, f.value, f.interval, q, f.n_units, f.n_coders, row.disagreements)[column]

    def extra(self, row: FigureRow, column: int, role: int) -> Any:
        f = row.figure
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column == 2 and _is_alpha(f):  # coloured by reading, as in the chart and Excel
            if role == Qt.ItemDataRole.BackgroundRole:
                return reading_fill(f.value)
            if role == Qt.ItemDataRole.ForegroundRole and reading_fill(f.value) is not None:
                return QColor("#000000")  # dark text on the pale fill, in a dark palette too
        return None


def q_text(f: Figure) -> str:
    """KALPHA's q below 0.800 and 0.667 ("0.031 / 0.000"), "-" without it."""
    q8, q667 = (None, None) if f.interval is None else (f.interval.q(0.8), f.interval.q(0.667))
    return "-" if q8 is None or q667 is None else f"{number(q8)} / {number(q667)}"


def _is_alpha(f: Figure) -> bool:
    """Krippendorff's thresholds (0.667, 0.800) are for alphas."""
    return f.coefficient in ("krippendorff_alpha", "unitizing_alpha") and math.isfinite(f.value)


def count(value: float) -> str:
    """A coincidence count: whole for two coders, one decimal when weighted."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


class OptionTableModel(RowTableModel):
    """The options of a single choice: times chosen, the option's own alpha and kappa_j
    (it against all others), and the other option its values meet most often. The raw
    value of each cell is under ``UserRole``; the alpha cell is coloured by reading."""

    HEADERS = ("Option", "Chosen", "alpha (option vs rest)", "Fleiss' kappa_j", "Most confused with", "Coincidences")
    TOOLTIPS = (
        "",
        "How many of the measure's values are this option",
        "Krippendorff's category-specific alpha (1980, p. 139): nominal alpha of the data "
        "recoded as this option versus any other",
        "Fleiss' (1971) kappa_j: this option against the rest, its pooled share as chance",
        "The other option this one's values meet most often in the coincidence matrix",
        "Pairs of values (this option, that one) from different coders in a unit, each "
        "unit's pairs weighted 1/(m-1): for two coders, the number of units",
    )

    def cells(self, row: OptionAgreement) -> tuple[str, ...]:
        confused = row.confused_with is not None
        return (
            str(row.option), str(row.n_chosen), number(row.alpha), number(row.kappa),
            str(row.confused_with) if confused else "-", count(row.n_confused) if confused else "-",
        )

    def tooltip(self, row: OptionAgreement, column: int) -> Any:
        return self.TOOLTIPS[column] or self.cells(row)[column]

    def value(self, row: OptionAgreement, column: int) -> Any:
        return (row.option, row.n_chosen, row.alpha, row.kappa, row.confused_with, row.n_confused)[column]

    def extra(self, row: OptionAgreement, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (1, 2, 3, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column == 2 and math.isfinite(row.alpha):
            if role == Qt.ItemDataRole.BackgroundRole:
                return reading_fill(row.alpha)
            if role == Qt.ItemDataRole.ForegroundRole and reading_fill(row.alpha) is not None:
                return QColor("#000000")
        return None


class DisagreementModel(RowTableModel):
    """The disagreements behind a figure: article, kind, unit and each coder's value."""

    HEADERS = ("Article", "Kind", "Unit", "Values")

    def cells(self, d: Disagreement) -> tuple[str, ...]:
        values = "; ".join(
            f"{v.coder}: {'—' if v.value is None else v.value}"
            + (f" \u201c{v.text}\u201d" if v.text else "")
            for v in d.values
        )
        return (d.article_title, d.kind, d.unit, values)
