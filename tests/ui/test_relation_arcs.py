"""Relations drawn as arcs in the article view: where they start and end (in UTF-16
positions after emoji, in Cyrillic and Arabic text), which way they point, which one is
emphasised, the View menu toggle, and the pixels they leave in the viewport."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QTextCursor

#: How far (pixels) an anchor may lie from where the span's first line says it should.
TOLERANCE = 2.0


@pytest.fixture
def window(qtbot: Any, project_file: Path, settings_file: Path) -> Any:
    from app.ui.application import open_window

    win = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(win)
    win.resize(1400, 860)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def make(window: Any, label: str, words: str) -> str:
    controller = window.controller
    start = controller.bundle.article.text.index(words)
    annotation_id = controller.create_annotation(label, start, start + len(words))
    assert annotation_id
    return annotation_id


def expected_anchor(window: Any, words: str) -> QPointF:
    """Top centre of the first line of ``words``, from Qt's own cursor rectangles."""
    controller, view = window.controller, window.article_panel.view
    start = controller.bundle.article.text.index(words)
    begin, end = QTextCursor(view.document()), QTextCursor(view.document())
    begin.setPosition(controller.offsets.to_utf16(start))
    end.setPosition(controller.offsets.to_utf16(start + len(words)))
    left, right = view.cursorRect(begin), view.cursorRect(end)
    assert left.top() == right.top(), "the test spans fit on one line"
    scroll = QPointF(view.horizontalScrollBar().value(), view.verticalScrollBar().value())
    return QPointF((left.x() + right.x()) / 2, left.top()) + scroll


def assert_near(point: QPointF, expected: QPointF) -> None:
    assert abs(point.x() - expected.x()) <= TOLERANCE, (point, expected)
    assert abs(point.y() - expected.y()) <= TOLERANCE, (point, expected)


def arcs_by_label(window: Any) -> dict[str, Any]:
    return {arc.relation.label: arc for arc in window.article_panel.view.relation_arcs()}


def test_ends_lie_on_the_spans_after_an_emoji_in_cyrillic_text(window: Any) -> None:
    window.controller.go_relative(1)  # "Prisoners 😀 recruited with pardons": UTF-16 runs one ahead
    claim = make(window, "Claim", "200 men left in May")
    speaker = make(window, "Actor", "Zoe\u0301 Dupre\u0301")
    coercion = make(window, "Coercion", "Заключённые из колонии were promised pardons")
    group = make(window, "Actor", "Wagner Group")
    assert window.controller.add_relation("said_by", claim, speaker)
    assert window.controller.add_relation("perpetrator", coercion, group)
    arcs = arcs_by_label(window)
    assert_near(arcs["said_by"].start, expected_anchor(window, "200 men left in May"))
    assert_near(arcs["said_by"].end, expected_anchor(window, "Zoe\u0301 Dupre\u0301"))
    assert_near(arcs["perpetrator"].start, expected_anchor(window, "Заключённые из колонии were promised pardons"))
    assert_near(arcs["perpetrator"].end, expected_anchor(window, "Wagner Group"))


def test_ends_lie_on_a_right_to_left_span(window: Any) -> None:
    window.controller.go_relative(2)  # the Arabic article
    claim = make(window, "Claim", "declined to comment")
    speaker = make(window, "Actor", "محمد عبد الله")
    assert window.controller.add_relation("said_by", claim, speaker)
    (arc,) = window.article_panel.view.relation_arcs()
    assert_near(arc.start, expected_anchor(window, "declined to comment"))
    assert_near(arc.end, expected_anchor(window, "محمد عبد الله"))
    assert arc.end.x() > window.article_panel.view.viewport().width() / 2  # the Arabic line is on the right


def test_the_arrowhead_is_at_the_target_and_the_arc_rises_above_both_ends(window: Any) -> None:
    actor = make(window, "Actor", "Anton Korolev")
    claim = make(window, "Claim", "40 migrants were forced")
    assert window.controller.add_relation("said_by", claim, actor)  # right to left on the line
    (arc,) = window.article_panel.view.relation_arcs()
    tip = arc.head.boundingRect()
    assert abs(tip.center().x() - arc.end.x()) <= TOLERANCE
    assert abs(tip.bottom() - arc.end.y()) <= TOLERANCE and tip.top() < arc.end.y()
    assert arc.end.x() < arc.start.x()  # pointing at the actor, on the left
    assert_near(arc.path.pointAtPercent(0), arc.start)
    assert_near(arc.path.pointAtPercent(1), arc.end)
    assert arc.top.y() < min(arc.start.y(), arc.end.y()) - 5
    assert min(arc.end.x(), arc.start.x()) < arc.top.x() < max(arc.end.x(), arc.start.x())


def test_the_selected_annotations_relations_are_emphasised(window: Any) -> None:
    controller = window.controller
    actor = make(window, "Actor", "Anton Korolev")
    claim = make(window, "Claim", "40 migrants were forced")
    coercion = make(window, "Coercion", "forced to sign army contracts")
    ministry = make(window, "Actor", "The Ministry of Defence")
    controller.add_relation("said_by", claim, actor)
    controller.add_relation("perpetrator", coercion, ministry)
    controller.select(ministry)
    assert {label: arc.relation.emphasised for label, arc in arcs_by_label(window).items()} == {
        "said_by": False, "perpetrator": True,
    }
    controller.select(actor)  # the target counts as much as the source
    assert {label: arc.relation.emphasised for label, arc in arcs_by_label(window).items()} == {
        "said_by": True, "perpetrator": False,
    }
    controller.select(None)
    assert not any(arc.relation.emphasised for arc in window.article_panel.view.relation_arcs())


def test_relations_with_both_ends_outside_the_band_are_skipped(window: Any) -> None:
    from app.ui.relation_arcs import visible_arcs

    controller = window.controller
    claim = make(window, "Claim", "40 migrants were forced")
    ministry = make(window, "Actor", "The Ministry of Defence")
    controller.add_relation("said_by", claim, ministry)
    view = window.article_panel.view
    relations = [arc for arc, _source, _target in view._relations]
    text, to16 = controller.bundle.article.text, controller.offsets.to_utf16
    second = to16(text.index("The Ministry"))
    assert len(visible_arcs(view.document(), relations, 0, to16(len(text)))) == 1
    assert len(visible_arcs(view.document(), relations, second, to16(len(text)))) == 1  # one end is enough
    assert visible_arcs(view.document(), relations, 0, to16(text.index("Anton"))) == []


def grab_rgb(view: Any) -> np.ndarray:
    """The viewport as drawn now, as an (height, width, 3) array of RGB at device pixels."""
    image = view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    width, height = image.width(), image.height()
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(height, image.bytesPerLine())
    return rows[:, : width * 4].reshape(height, width, 4)[:, :, 2::-1].astype(int)  # BGRA -> RGB


def only_in(shown: np.ndarray, reference: np.ndarray, color: QColor) -> np.ndarray:
    """Where ``shown`` has ``color`` and ``reference`` (the same view and layout drawn
    without arcs) does not: a fill, outline or glyph edge of a similar colour is in both
    and drops out, whatever the fonts put where."""
    return close_to(shown, color) & ~close_to(reference, color)


def close_to(image: np.ndarray, color: QColor) -> np.ndarray:
    """Where ``image`` shows ``color`` or nearly (antialiased edges of a 2-pixel stroke)."""
    return np.abs(image - np.array([color.red(), color.green(), color.blue()])).sum(axis=2) < 90


def without_arcs(view: Any, monkeypatch: pytest.MonkeyPatch) -> np.ndarray:
    """The viewport drawn in the same state and line spacing, with the arcs left out."""
    with monkeypatch.context() as patch:
        patch.setattr("app.ui.article_view.paint_arcs", lambda *args: None)
        return grab_rgb(view)


def points_on_stroke(shown: np.ndarray, reference: np.ndarray, arc: Any, view: Any) -> tuple[int, int]:
    """Of the points along the arc that neither its label nor another highlight of the
    arc's colour covers (wherever the fonts put them), how many have a pixel of the
    arc's colour (``shown`` only) within a pixel: (found, points looked at)."""
    from app.ui.relation_arcs import label_font

    metrics = QFontMetricsF(label_font(view.font()))
    label = QRectF(0, 0, metrics.horizontalAdvance(arc.relation.label) + 8, metrics.height() + 1)
    label.moveCenter(arc.top)
    label.adjust(-2, -2, 2, 2)
    scroll = QPointF(view.horizontalScrollBar().value(), view.verticalScrollBar().value())
    ratio = view.viewport().devicePixelRatioF()
    height, width = shown.shape
    found = looked = 0
    for step in range(2, 99, 2):
        point = arc.path.pointAtPercent(step / 100)
        if label.contains(point):
            continue
        at = (point - scroll) * ratio
        x, y = round(at.x()), round(at.y())
        near = np.s_[max(0, y - 1): min(height, y + 2), max(0, x - 1): min(width, x + 2)]
        if reference[near].any():
            continue
        looked += 1
        found += bool(shown[near].any())
    return found, looked


def test_pixels_show_the_arc_and_the_toggle_hides_it(
    qtbot: Any, window: Any, settings_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each image is compared with one of the same view drawn without arcs, so only the
    arcs' own pixels count: hiding the arcs changes the line spacing, and with other
    fonts a fill of a similar colour would move under points sampled on one image."""
    from app.ui.settings import Settings

    controller, view = window.controller, window.article_panel.view
    actor = make(window, "Actor", "Anton Korolev")
    claim = make(window, "Claim", "40 migrants were forced")
    controller.add_relation("said_by", claim, actor)
    controller.select(claim)  # emphasised: drawn opaque in the darker stroke
    (arc,) = view.relation_arcs()
    stroke = arc.relation.color.darker(125)
    view.verticalScrollBar().setValue(0)
    shown, reference = grab_rgb(view), without_arcs(view, monkeypatch)
    found, looked = points_on_stroke(only_in(shown, reference, stroke), close_to(reference, stroke), arc, view)
    assert looked >= 10 and found >= 0.9 * looked, f"the arc's colour at {found} of {looked} points along it"

    action = window.actions_by_name["showRelationsAction"]
    assert action.objectName() == "showRelationsAction" and action.isCheckable() and action.isChecked()
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert action in view_menu.actions()
    action.trigger()
    assert not view.show_relations and view.relation_arcs() == []
    left = int(only_in(grab_rgb(view), without_arcs(view, monkeypatch), stroke).sum())
    assert left == 0, f"{left} pixels of the arc's colour remain"
    assert Settings(settings_file).show_relations is False
    action.trigger()
    assert view.show_relations and len(view.relation_arcs()) == 1


def test_lines_make_room_only_while_relations_are_drawn(window: Any) -> None:
    from app.ui.relation_arcs import RELATION_LINE_HEIGHT

    controller, view = window.controller, window.article_panel.view

    def line_height() -> float:
        return view.document().firstBlock().blockFormat().lineHeight()

    assert line_height() in (0, 100)  # an article without relations keeps its spacing
    actor = make(window, "Actor", "Anton Korolev")
    claim = make(window, "Claim", "40 migrants were forced")
    controller.add_relation("said_by", claim, actor)
    assert line_height() == RELATION_LINE_HEIGHT
    window.actions_by_name["showRelationsAction"].trigger()
    assert line_height() == 100
    window.actions_by_name["showRelationsAction"].trigger()
    controller.go_relative(1)
    assert line_height() in (0, 100)


def test_hidden_relations_are_remembered(qtbot: Any, project_file: Path, settings_file: Path) -> None:
    from app.ui.application import open_window

    first = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(first)
    first.actions_by_name["showRelationsAction"].trigger()
    first.close()
    again = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(again)
    assert not again.actions_by_name["showRelationsAction"].isChecked()
    assert not again.article_panel.view.show_relations
    again.close()
