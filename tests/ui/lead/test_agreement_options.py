"""The agreement view shows a single choice's options: which option do coders confuse?"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.services.projects import Project
from tests.services.test_agreement_report import Study, build_two_coders
from tests.ui.lead.test_lead_view import click

pytestmark = pytest.mark.gui


@pytest.fixture
def lead(qtbot, project: Project, tmp_path: Path):  # noqa: ANN001, ANN201
    from app.ui.lead.lead_window import LeadWindow

    build_two_coders(Study(project, tmp_path / "texts", 6))
    window = LeadWindow(Path(project.store.location))
    qtbot.addWidget(window)
    yield window
    window.close()


def row_of(view, heading: str, name: str, coefficient: str) -> int:  # noqa: ANN001
    rows = view.section_models[heading].rows
    return next(i for i, r in enumerate(rows) if r.measure.name == name and r.figure.coefficient == coefficient)


def test_per_option_rows_under_the_selected_single_choice(qtbot, qtmodeltester, lead) -> None:  # noqa: ANN001
    view = lead.agreement
    view.resamples.setValue(0)
    with qtbot.waitSignal(view.computed, timeout=60_000):
        lead.show_agreement()
    tab = view.details.indexOf(view.options_view)
    assert view.details.tabText(tab) == "Per option" and not view.details.isTabEnabled(tab)
    questions = view.section_views["Article questions"]
    row = row_of(view, "Article questions", "relevance", "krippendorff_alpha")
    click(qtbot, questions, view.section_models["Article questions"].index(row, 0))
    assert view.measure is not None and view.measure.name == "relevance"
    assert view.details.isTabEnabled(tab)
    view.details.setCurrentIndex(tab)
    model = view.options
    qtmodeltester.check(model)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Option", "Chosen", "alpha (option vs rest)", "Fleiss' kappa_j", "Most confused with",
                       "Coincidences"]
    shown = [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())]
    kappa = f"{view.measure.options[0].kappa:.3f}"
    # yes 6 times and no 4 times over the five counted articles; two of them yes against no.
    assert shown == [["yes", "6", "0.250", kappa, "no", "2"], ["no", "4", "0.250", kappa, "yes", "2"]]
    assert model.data(model.index(0, 2), Qt.ItemDataRole.UserRole) == view.measure.options[0].alpha
    assert model.data(model.index(0, 2), Qt.ItemDataRole.BackgroundRole) is not None  # coloured by reading
    assert "category-specific" in model.data(model.index(0, 2), Qt.ItemDataRole.ToolTipRole)
    # A single-choice attribute has them too; a span label has none, and the tab goes back.
    view.sections.setCurrentIndex(2)
    attributes = view.section_views["Attributes"]
    row = row_of(view, "Attributes", "Actor.actor_type", "krippendorff_alpha")
    click(qtbot, attributes, view.section_models["Attributes"].index(row, 0))
    assert view.details.isTabEnabled(tab) and view.details.currentIndex() == tab
    police = next(r for r in range(model.rowCount()) if model.data(model.index(r, 0)) == "police")
    assert [model.data(model.index(police, c)) for c in (1, 4, 5)] == ["3", "state_authority", "1"]
    view.sections.setCurrentIndex(1)
    spans = view.section_views["Spans"]
    click(qtbot, spans, view.section_models["Spans"].index(0, 0))
    assert view.measure is not None and view.measure.options == ()
    assert model.rowCount() == 0 and not view.details.isTabEnabled(tab)
    assert view.details.currentWidget() is view.pairs_view
