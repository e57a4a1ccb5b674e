"""The Distribute dialog's live warning of an overlap below Krippendorff's minimum."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.core.codebook import load_default_codebook
from app.services.reliability_plan import plan
from app.ui.lead.distribute_dialog import DistributeDialog

pytestmark = pytest.mark.gui

CODERS = [("alice", "coder"), ("bob", "coder"), ("lena", "lead")]


def test_the_warning_follows_the_overlap_the_coders_and_reallocation(qtbot) -> None:  # noqa: ANN001
    reliability = plan(load_default_codebook())
    assert reliability is not None
    minimum = reliability.minimum.units
    dialog = DistributeDialog(CODERS, 100, articles=1000, reliability=reliability)
    qtbot.addWidget(dialog)
    dialog.overlap.setValue(20)  # 20 of 100 unassigned articles
    assert dialog.overlap_articles() == 20
    assert not dialog.warning.isHidden()
    assert dialog.warning.text().startswith(f"The overlap of 20 article(s) is smaller than the {minimum} ")
    dialog.replace.setChecked(True)  # 20 % of every article
    assert dialog.overlap_articles() == 200
    expected_hidden = 200 >= minimum
    assert dialog.warning.isHidden() is expected_hidden
    dialog.overlap.setValue(60)
    assert dialog.warning.isHidden() and dialog.warning.text() == ""
    dialog.overlap.setValue(1)
    assert not dialog.warning.isHidden()
    dialog.coders.item(1).setCheckState(Qt.CheckState.Unchecked)
    assert dialog.chosen() == ["alice"]  # one coder: no overlap, nothing to warn of
    assert dialog.warning.isHidden()


def test_without_a_plan_the_dialog_warns_of_nothing(qtbot) -> None:  # noqa: ANN001
    dialog = DistributeDialog(CODERS, 10)
    qtbot.addWidget(dialog)
    dialog.overlap.setValue(10)
    assert dialog.warning.isHidden()


def test_the_lead_window_gives_the_dialog_the_codebook_s_plan(qtbot, tmp_path) -> None:  # noqa: ANN001
    from app.services.projects import open_project
    from app.ui.lead.assignments_view import AssignmentsView
    from tests.team_fixtures import team_project

    team_project(tmp_path / "study.loupe", n=30).close()
    with open_project(tmp_path / "study.loupe") as project:
        view = AssignmentsView(lambda: project)
        qtbot.addWidget(view)
        view.show()  # reads the tables and the coders
        dialog = view.ask_distribute()
        assert dialog.reliability == plan(project.codebook)
        assert dialog.articles == 30 and dialog.unassigned == 30
        assert dialog.warning.text().startswith("The overlap of 6 article(s) is smaller than the ")
        dialog.reject()


def test_without_reallocation_the_overlap_already_assigned_counts(qtbot) -> None:  # noqa: ANN001
    reliability = plan(load_default_codebook())
    assert reliability is not None
    minimum = reliability.minimum.units
    dialog = DistributeDialog(CODERS, 10, articles=minimum + 10, reliability=reliability, overlap_now=minimum)
    qtbot.addWidget(dialog)
    dialog.overlap.setValue(20)
    assert dialog.overlap_articles() == minimum + 2
    assert dialog.warning.isHidden()
    dialog.replace.setChecked(True)  # re-allocated: 20 % of every article only
    assert dialog.overlap_articles() == round(0.2 * (minimum + 10))
    assert not dialog.warning.isHidden()
