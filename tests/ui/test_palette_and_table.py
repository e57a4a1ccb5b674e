"""The label palette, the entity legend, colours and the annotation table."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon

from app.ui.annotation_table import (
    ANNOTATION_ID_ROLE,
    AnnotationTableModel,
    AnnotationTablePanel,
    Column,
    annotation_rows,
    elide,
)
from app.ui.colors import background_for, entity_color, label_color
from app.ui.label_palette import EntityLegend, LabelPalette


def span(controller, words: str) -> tuple[int, int]:  # noqa: ANN001
    start = controller.bundle.article.text.index(words)
    return start, start + len(words)


# -- colours -------------------------------------------------------------------------------
def test_entity_colours_are_fixed_distinct_and_deterministic() -> None:
    fixed = [entity_color(label).name() for label in ("PERSON", "ORG", "GPE", "DATE")]
    assert len(set(fixed)) == 4
    assert entity_color("PERSON") == entity_color("person")
    assert entity_color("WORK_OF_ART") == entity_color("WORK_OF_ART")
    assert entity_color("WORK_OF_ART") != entity_color("LAW")
    assert label_color("#56B4E9") == QColor(86, 180, 233)
    assert label_color("not a colour").isValid()


def test_background_is_light_on_light_and_dark_on_dark() -> None:
    yellow = QColor("#EDC948")
    light, dark = background_for(yellow, False), background_for(yellow, True)
    assert 0 < light.alpha() < 255 and 0 < dark.alpha() < 255
    assert light.lightnessF() > 0.6 > 0.45 > dark.lightnessF()
    assert background_for(QColor("#202020"), False).lightnessF() > 0.6  # grey stays valid


# -- palette -------------------------------------------------------------------------------
def test_palette_buttons_emit_the_label_and_carry_the_definition(qtbot, controller) -> None:  # noqa: ANN001
    palette = LabelPalette(controller)
    qtbot.addWidget(palette)
    palette.show()
    assert palette.objectName() == "labelPalette" and palette.accessibleName() == "Span labels"
    names = controller.project.codebook.label_names
    assert list(palette.buttons) == list(names)
    actor = palette.buttons["Actor"]
    assert actor.text() == "1  Actor"
    assert "shortest span" in actor.toolTip()
    with qtbot.waitSignal(palette.label_chosen) as chosen:
        qtbot.mouseClick(actor, Qt.MouseButton.LeftButton)
    assert chosen.args == ["Actor"]
    assert controller.bundle.annotations == []  # the palette never creates annotations


def test_help_button_opens_the_codebook_at_that_label(qtbot, controller) -> None:  # noqa: ANN001
    palette = LabelPalette(controller)
    qtbot.addWidget(palette)
    palette.show()
    help_button = palette.findChild(type(palette.buttons["Claim"]), "labelHelp_Claim")
    qtbot.mouseClick(help_button, Qt.MouseButton.LeftButton)
    dialog = palette.codebook_dialog()
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    assert "Claim" in dialog.text.toPlainText()
    assert "allegation" in dialog.text.toPlainText()


def test_legend_lists_the_article_entities_and_emits_the_hidden_set(qtbot, controller) -> None:  # noqa: ANN001
    legend = EntityLegend(controller)
    qtbot.addWidget(legend)
    legend.show()
    assert set(legend.checkboxes) == {e.label for e in controller.bundle.entities}
    person = legend.checkboxes["PERSON"]
    assert person.isChecked()
    with qtbot.waitSignal(legend.entity_visibility_changed) as hidden:
        qtbot.mouseClick(person, Qt.MouseButton.LeftButton)
    assert hidden.args == [{"PERSON"}]
    controller.go_relative(2)  # the Arabic article: only GPE
    assert set(legend.checkboxes) == {"GPE"}
    controller.go_relative(-2)
    assert not legend.checkboxes["PERSON"].isChecked()  # still hidden after coming back
    with qtbot.waitSignal(legend.entity_visibility_changed) as shown:
        qtbot.mouseClick(legend.checkboxes["PERSON"], Qt.MouseButton.LeftButton)
    assert shown.args == [set()]


# -- annotation table ----------------------------------------------------------------------
def test_rows_show_text_attributes_relations_and_flags(controller) -> None:  # noqa: ANN001
    claim_id = controller.create_annotation("Claim", *span(controller, "40 migrants were"))
    actor_id = controller.create_annotation("Actor", *span(controller, "Anton Korolev"))
    controller.change_annotation(actor_id, attributes={"role": "target", "actor_type": "prisoner"})
    controller.change_annotation(claim_id, uncertain=True, note="check the figure")
    assert controller.add_relation("said_by", claim_id, actor_id)
    rows = {row.id: row for row in annotation_rows(controller.bundle, controller.project.codebook)}
    assert [r.label for r in rows.values()] == ["Actor", "Claim"]  # by start offset
    actor, claim = rows[actor_id], rows[claim_id]
    assert actor.attributes == "actor_type: prisoner; role: target"  # codebook order
    assert claim.relations == "said_by → Anton Korolev"
    assert actor.relations == "said_by ← 40 migrants were"
    assert claim.flags == "uncertain, note" and actor.flags == ""
    assert elide("one\ntwo", 60) == "one⏎two"
    assert elide("x" * 100, 60) == "x" * 59 + "…"


def test_model_passes_the_model_tester(qtmodeltester, controller) -> None:  # noqa: ANN001
    controller.create_annotation("Actor", *span(controller, "Anton Korolev"))
    controller.create_annotation("Claim", *span(controller, "The Ministry of Defence denied"))
    model = AnnotationTableModel()
    model.set_rows(annotation_rows(controller.bundle, controller.project.codebook))
    qtmodeltester.check(model)
    assert isinstance(model.index(0, Column.LABEL).data(Qt.ItemDataRole.DecorationRole), QIcon)


def test_panel_shows_new_annotations_and_clicking_selects(qtbot, controller) -> None:  # noqa: ANN001
    panel = AnnotationTablePanel(controller)
    qtbot.addWidget(panel)
    panel.resize(800, 300)
    panel.show()
    qtbot.waitExposed(panel)
    view = panel.view
    assert view.objectName() == "annotationTable" and view.accessibleName() == "Annotations"
    assert panel.model.rowCount() == 0
    first = controller.create_annotation("Actor", *span(controller, "Anton Korolev"))
    second = controller.create_annotation("Actor", *span(controller, "The Ministry of Defence"))
    assert [panel.model.index(r, Column.TEXT).data() for r in range(2)] == [
        "Anton Korolev", "The Ministry of Defence"
    ]
    selected = view.selectionModel().selectedRows()
    assert [r.data(ANNOTATION_ID_ROLE) for r in selected] == [second]  # follows the controller

    rect = view.visualRect(panel.model.index(0, Column.TEXT))
    with qtbot.waitSignal(controller.selection_changed) as changed:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert changed.args == [first] and controller.selected_id == first

    controller.select(second)
    assert [r.data(ANNOTATION_ID_ROLE) for r in view.selectionModel().selectedRows()] == [second]
    controller.delete_selected()
    assert panel.model.rowCount() == 1 and view.selectionModel().selectedRows() == []
    controller.go_relative(1)
    assert panel.model.rowCount() == 0


def test_dark_is_decided_by_the_background_the_highlights_are_drawn_on(qtbot) -> None:  # noqa: ANN001
    from PySide6.QtGui import QColor, QPalette

    from app.ui.colors import is_dark

    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#f0f0f0"))  # a light frame ...
    palette.setColor(QPalette.ColorRole.Base, QColor("#202020"))  # ... around a dark text area
    assert is_dark(palette)
    palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    assert not is_dark(palette)
