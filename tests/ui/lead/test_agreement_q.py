"""The window's agreement tables show KALPHA's q beside alpha's interval."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt

from app.services.agreement.report import Figure, Interval, Measure
from app.ui.lead.agreement_models import FigureRow, FigureTableModel

pytestmark = pytest.mark.gui


def test_the_q_column_follows_the_interval(qtbot, qtmodeltester) -> None:  # noqa: ANN001
    kalpha = Interval(0.41, 0.93, 0.95, "kalpha", 1000, 1, 50, {"0.667": 0.1234, "0.8": 0.4567})
    units = Interval(0.2, 0.6, 0.95, "bootstrap", 1000, 1)
    alpha = Figure("krippendorff_alpha", 0.7, "pooled", "nominal", 20, 2, {}, kalpha)
    kappa = Figure("fleiss_kappa", 0.6, "pooled", "", 20, 2, {}, units)
    bare = Figure("percent_agreement", math.nan, "pooled", "", 0, 2, {})
    model = FigureTableModel()
    measure = Measure.__new__(Measure)
    model.set_rows([FigureRow("relevance", f, measure, 0) for f in (alpha, kappa, bare)])
    qtmodeltester.check(model)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    column = headers.index("q (< 0.800 / 0.667)")
    assert headers[column - 1] == "Interval"
    assert model.data(model.index(0, column)) == "0.457 / 0.123"
    assert model.data(model.index(0, column), Qt.ItemDataRole.UserRole) == 0.4567
    assert model.data(model.index(1, column)) == "-" and model.data(model.index(2, column)) == "-"
