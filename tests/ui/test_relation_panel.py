"""The relation panel: the list model, adding from the combos, link mode (created,
refused, cancelled), deleting with the Del key, undo, and highlighting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.services.projects import open_project


def stored_relations(path: Path, article_id: str) -> list[Any]:
    with open_project(path) as project:
        return project.store.relations.for_article(article_id)


def make(controller: Any, label: str, words: str) -> str:
    start = controller.bundle.article.text.index(words)
    annotation_id = controller.create_annotation(label, start, start + len(words))
    assert annotation_id
    return annotation_id


@pytest.fixture
def panel(qtbot: Any, controller: Any) -> Any:
    from app.ui.relation_panel import RelationPanel

    widget = RelationPanel(controller)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def spans(controller: Any) -> dict[str, str]:
    return {
        "actor": make(controller, "Actor", "Anton Korolev"),
        "ministry": make(controller, "Actor", "The Ministry of Defence"),
        "coercion": make(controller, "Coercion", "forced to sign army contracts"),
        "claim": make(controller, "Claim", "40 migrants were forced"),
    }


def test_model_passes_the_model_tester(
    qtmodeltester: Any, panel: Any, controller: Any, spans: dict[str, str]
) -> None:
    controller.add_relation("said_by", spans["claim"], spans["actor"])
    controller.add_relation("perpetrator", spans["coercion"], spans["ministry"])
    assert panel.model.rowCount() == 2
    qtmodeltester.check(panel.model)


def test_add_from_the_combos(
    qtbot: Any, panel: Any, controller: Any, spans: dict[str, str], project_file: Path
) -> None:
    controller.select(spans["claim"])
    types = [panel.type_combo.itemText(i) for i in range(panel.type_combo.count())]
    assert types == ["said_by"]
    targets = [panel.target_combo.itemText(i) for i in range(panel.target_combo.count())]
    assert targets == [
        "Actor \u201cAnton Korolev\u201d",
        "Actor \u201cThe Ministry of Defence\u201d",
    ]
    panel.target_combo.setCurrentIndex(1)
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    (relation,) = stored_relations(project_file, controller.bundle.article.id)
    assert (relation.label, relation.source_id, relation.target_id) == (
        "said_by",
        spans["claim"],
        spans["ministry"],
    )
    text = panel.model.data(panel.model.index(0))
    assert (
        text
        == "Claim \u201c40 migrants were forced\u201d \u2014said_by\u2192 Actor \u201cThe Ministry of Defence\u201d"
    )

    controller.undo_stack.undo()
    assert stored_relations(project_file, controller.bundle.article.id) == []
    assert panel.model.rowCount() == 0


def test_coercion_offers_its_two_types(panel: Any, controller: Any, spans: dict[str, str]) -> None:
    controller.select(spans["coercion"])
    assert [panel.type_combo.itemText(i) for i in range(panel.type_combo.count())] == [
        "perpetrator",
        "target",
    ]
    controller.select(spans["actor"])  # an Actor starts no relation in this codebook
    assert panel.type_combo.count() == 0 and not panel.add_button.isEnabled()


def test_link_mode_creates_said_by(
    qtbot: Any, panel: Any, controller: Any, spans: dict[str, str], project_file: Path
) -> None:
    controller.select(spans["claim"])
    with qtbot.waitSignal(panel.link_started) as started:
        assert panel.start_link()
    assert started.args == [spans["claim"]] and panel.is_linking()
    with qtbot.waitSignal(panel.link_finished):
        controller.select(spans["actor"])  # the coder clicks the speaker in the article
    assert not panel.is_linking()
    (relation,) = stored_relations(project_file, controller.bundle.article.id)
    assert (relation.label, relation.source_id, relation.target_id) == (
        "said_by",
        spans["claim"],
        spans["actor"],
    )


def test_link_mode_uses_the_chosen_type(
    panel: Any, controller: Any, spans: dict[str, str], project_file: Path
) -> None:
    controller.select(spans["coercion"])
    panel.type_combo.setCurrentIndex(panel.type_combo.findText("target"))
    panel.start_link()
    controller.select(spans["actor"])
    (relation,) = stored_relations(project_file, controller.bundle.article.id)
    assert relation.label == "target"


def test_link_mode_refuses_actor_to_claim(
    qtbot: Any, panel: Any, controller: Any, spans: dict[str, str], project_file: Path
) -> None:
    controller.select(spans["actor"])
    panel.start_link()
    with qtbot.waitSignal(controller.refused) as refused, qtbot.waitSignal(panel.link_finished):
        controller.select(spans["claim"])
    assert "said_by cannot link Actor to Claim" in refused.args[0]
    assert not panel.is_linking()
    assert stored_relations(project_file, controller.bundle.article.id) == []


def test_escape_cancels_link_mode(
    qtbot: Any, panel: Any, controller: Any, spans: dict[str, str], project_file: Path
) -> None:
    controller.select(spans["claim"])
    panel.start_link()
    assert panel.link_hint.isVisible()
    with qtbot.waitSignal(panel.link_finished):
        qtbot.keyClick(panel, Qt.Key.Key_Escape)
    assert not panel.is_linking() and not panel.link_hint.isVisible()
    controller.select(spans["actor"])
    assert stored_relations(project_file, controller.bundle.article.id) == []


def test_delete_key_removes_the_relation_and_undo_restores_it(
    qtbot: Any, panel: Any, controller: Any, spans: dict[str, str], project_file: Path
) -> None:
    article = controller.bundle.article.id
    controller.add_relation("said_by", spans["claim"], spans["actor"])
    panel.view.setCurrentIndex(panel.model.index(0))
    assert panel.delete_button.isEnabled()
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert stored_relations(project_file, article) == []
    assert panel.model.rowCount() == 0
    controller.undo_stack.undo()
    assert len(stored_relations(project_file, article)) == 1
    assert panel.model.rowCount() == 1


def test_relations_of_the_selected_annotation_are_highlighted(
    panel: Any, controller: Any, spans: dict[str, str]
) -> None:
    controller.add_relation("said_by", spans["claim"], spans["actor"])
    controller.add_relation("perpetrator", spans["coercion"], spans["ministry"])
    role = panel.model.TouchesSelectedRole

    def touched() -> list[str]:
        rows = range(panel.model.rowCount())
        return [
            panel.model.relation(r).label
            for r in rows
            if panel.model.data(panel.model.index(r), role)
        ]

    controller.select(spans["actor"])
    assert touched() == ["said_by"]
    assert panel.model.data(panel.model.index(0), Qt.ItemDataRole.FontRole).bold()
    controller.select(spans["ministry"])
    assert touched() == ["perpetrator"]
    controller.select(None)
    assert touched() == []


def test_the_same_relation_cannot_be_added_twice(
    qtbot: Any, panel: Any, controller: Any, spans: dict[str, str], project_file: Path
) -> None:
    refusals: list[str] = []
    controller.refused.connect(refusals.append)
    controller.select(spans["claim"])
    panel.target_combo.setCurrentIndex(0)
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert not panel.add_button.isEnabled()  # the relation exists: nothing to add
    assert panel.add_chosen_relation() is False  # pressed anyway (Alt+A)
    # The service refuses it too (link mode, merge and import paths go through it).
    assert controller.add_relation("said_by", spans["claim"], spans["actor"]) is False
    assert len(stored_relations(project_file, controller.bundle.article.id)) == 1
    assert refusals and all(r == refusals[0] for r in refusals)
    assert refusals[0] == "That said_by relation already exists between these two annotations."
