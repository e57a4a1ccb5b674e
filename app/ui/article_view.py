"""The article text: read-only, highlighted, and where the coder's gestures happen.

The coder selects text and presses a label key (1-9), clicks an entity and presses a
key, clicks an annotation to select it, Delete removes it, Shift+Left/Right moves its
end and Ctrl+Shift+Left/Right its start. With an annotation selected, text selected with
Ctrl held and the key of the annotation's label add that text to it as a fragment (a
discontinuous span, drawn as separate highlights of one annotation). The keys are actions made in
:mod:`app.ui.actions` and attached to this widget, so they are listed with the others. Offsets cross from Qt's UTF-16 units to the
store's code points here, through the controller's :class:`~app.core.offsets.OffsetMap`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QPoint, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QTextCursor,
    QTextOption,
)
from PySide6.QtWidgets import QTextEdit, QWidget

from app.core.edits import Changes, add_fragment
from app.core.records import Annotation, Entity
from app.core.spans import snap_to_words
from app.services.coding import ArticleBundle
from app.ui.colors import background_for, entity_color, is_dark, label_color
from app.ui.controller import CodingController
from app.ui.relation_arcs import (
    MAX_RISE,
    RELATION_LINE_HEIGHT,
    Arc,
    ArcRelation,
    paint_arcs,
    set_line_height,
    visible_arcs,
)
from app.ui.span_painter import Span, SpanPainter, span_rects, visible_blocks

#: What a click can pick: ("entity", a pre-highlighted entity) or ("annotation", its id).
Choice = tuple[str, Entity | str]

#: How close (pixels) to an edge of the selected annotation a press grabs that edge.
EDGE_GRAB_PIXELS = 4


class ArticleView(QTextEdit):
    """Shows the current article; objectName ``articleView``.

    A QTextEdit rather than a QPlainTextEdit: only QTextEdit's document layout aligns
    each right-to-left paragraph (Arabic, Hebrew) to the right, as its readers expect.
    """

    #: The coder pressed the link key on a selected annotation.
    link_requested = Signal()
    #: The entity under the last click (or None).
    entity_clicked = Signal(object)

    def __init__(self, controller: CodingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("articleView")
        self.setAccessibleName("Article text")
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        option = self.document().defaultTextOption()
        option.setTextDirection(Qt.LayoutDirection.LayoutDirectionAuto)  # per paragraph
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        self.document().setDefaultTextOption(option)
        self.document().setDocumentMargin(12)
        self.controller = controller
        self.snap_to_words = True
        self.hidden_entity_labels: set[str] = set()
        self.current_entity: Entity | None = None
        self._spans = SpanPainter()
        #: Whether relations are drawn as arcs (View > Show Relations).
        self.show_relations = True
        #: The current coder's relations with the ids of their ends, for emphasis.
        self._relations: list[tuple[ArcRelation, str, str]] = []
        self._spaced = False
        self._last_click: tuple[int, list[Choice]] | None = None
        self._dragging_edge: str | None = None
        #: The text selection was begun with Ctrl held while an annotation was selected:
        #: the label key of that annotation adds it as a fragment.
        self._extending = False
        #: Whether a click picks annotations only (the window sets it: true while a
        #: relation waits for its target, which is an annotation, never an entity).
        self.annotations_only: Callable[[], bool] = lambda: False
        self.setMouseTracking(True)
        controller.article_opened.connect(self._show_article)
        controller.article_changed.connect(self._on_changed)
        controller.selection_changed.connect(self._on_selection)

    # -- showing -----------------------------------------------------------------------
    def _show_article(self, bundle: ArticleBundle) -> None:
        self.current_entity = None
        self._last_click = None
        self.setPlainText(bundle.article.text)
        self._spaced = False  # new text, normal line height
        self.refresh_highlights()
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def _on_changed(self, _changes: Changes) -> None:
        self.refresh_highlights(entities=False)  # an edit never changes the entities

    def _is_dark(self) -> bool:
        return is_dark(self.palette())

    def refresh_highlights(self, entities: bool = True) -> None:
        """Rebuild the span indexes of the current article (the annotations' only, if
        ``entities`` is false) and repaint."""
        bundle = self.controller.bundle
        if bundle is None:
            self._spans.set_spans((), ())
            self._set_relations({})
            self.viewport().update()
            return
        to16 = self.controller.offsets.to_utf16
        dark = self._is_dark()
        codebook = self.controller.project.codebook if self.controller.project else None
        colors: dict[str, QColor] = {}
        strokes: dict[str, QColor] = {}
        if codebook is not None:
            for label in codebook.span_labels:
                strokes[label.name] = label_color(label.color)
                colors[label.name] = background_for(strokes[label.name], dark)
        self._set_relations(strokes)
        fallback = background_for(QColor("#999999"), dark)
        fills = (  # one highlight per fragment of a discontinuous span
            Span(to16(start), to16(end), colors.get(a.label, fallback))
            for a in bundle.annotations for start, end in a.ranges
        )
        if entities:
            shown = {e.label for e in bundle.entities} - self.hidden_entity_labels
            entity_colors = {label: entity_color(label) for label in shown}
            underlines = [
                Span(to16(e.start), to16(e.end), entity_colors[e.label])
                for e in bundle.entities
                if e.label in entity_colors
            ]
            self._spans.set_spans(fills, underlines)
        else:
            self._spans.set_fills(fills)
        self.viewport().update()

    def _set_relations(self, strokes: dict[str, QColor]) -> None:
        """Keep the current coder's relations as UTF-16 ranges, coloured by their source's label."""
        bundle = self.controller.bundle
        relations: list[tuple[ArcRelation, str, str]] = []
        if bundle is not None and bundle.relations:
            span16 = self.controller.offsets.span_to_utf16
            spans = {a.id: a for a in bundle.annotations}
            fallback = QColor("#666666")
            for relation in bundle.relations:
                source, target = spans.get(relation.source_id), spans.get(relation.target_id)
                if source is None or target is None:
                    continue
                arc = ArcRelation(
                    relation.id, relation.label, span16(source.start, source.end),
                    span16(target.start, target.end), strokes.get(source.label, fallback),
                )
                relations.append((arc, source.id, target.id))
        self._relations = relations
        self._update_spacing()

    def _update_spacing(self) -> None:
        """Room above the lines while arcs are drawn; the normal spacing otherwise."""
        wanted = self.show_relations and bool(self._relations)
        if wanted != self._spaced:
            self._spaced = wanted
            set_line_height(self.document(), RELATION_LINE_HEIGHT if wanted else 100)

    def set_show_relations(self, shown: bool) -> None:
        self.show_relations = bool(shown)
        self._update_spacing()
        self.viewport().update()

    def relation_arcs(self) -> list[Arc]:
        """The arcs drawn now: relations with an end in (or just below) the viewport."""
        if not self.show_relations or not self._relations:
            return []
        top = self.verticalScrollBar().value()
        bottom = top + self.viewport().height() + MAX_RISE * 2
        blocks = list(visible_blocks(self.document(), top, bottom))
        if not blocks:
            return []
        first, last = blocks[0].position(), blocks[-1].position() + blocks[-1].length()
        selected = self.controller.selected_id
        relations = [
            arc if selected not in (source, target) else replace(arc, emphasised=True)
            for arc, source, target in self._relations
        ]
        return visible_arcs(self.document(), relations, first, last)

    def set_hidden_entity_labels(self, hidden: set[str]) -> None:
        self.hidden_entity_labels = set(hidden)
        self.refresh_highlights()

    def zoom(self, steps: float) -> None:
        font = self.font()
        font.setPointSizeF(max(6.0, min(48.0, font.pointSizeF() + steps)))
        self.setFont(font)

    # -- positions ---------------------------------------------------------------------
    def _code_point_at(self, point: QPoint) -> int:
        return self.controller.offsets.to_code_point(self.cursorForPosition(point).position())

    def selection_code_points(self) -> tuple[int, int] | None:
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        offsets = self.controller.offsets
        return offsets.span_to_code_points(cursor.selectionStart(), cursor.selectionEnd())

    def show_match(self, start: int, end: int) -> None:
        """Select ``[start, end)`` (code points) as the text selection and scroll to it:
        a hit of Find in Project. A label key then codes it like any selection."""
        offsets = self.controller.offsets
        if not 0 <= start <= end <= offsets.length:
            return
        cursor = QTextCursor(self.document())
        cursor.setPosition(offsets.to_utf16(start))
        cursor.setPosition(offsets.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def annotations_at(self, offset: int) -> list[Annotation]:
        """Annotations covering ``offset``, innermost (shortest) first."""
        bundle = self.controller.bundle
        if bundle is None:
            return []
        found = [a for a in bundle.annotations if a.start <= offset < a.end
                 and any(start <= offset < end for start, end in a.ranges)]
        return sorted(found, key=lambda a: (sum(end - start for start, end in a.ranges), a.start))

    def entity_at(self, offset: int) -> Entity | None:
        bundle = self.controller.bundle
        if bundle is None:
            return None
        return next(
            (e for e in bundle.entities if e.start <= offset < e.end and e.label not in self.hidden_entity_labels),
            None,
        )

    # -- gestures ----------------------------------------------------------------------
    def apply_label(self, label: str) -> str | None:
        """Apply a span label: to the text selection, else the clicked entity, else
        relabel the selected annotation. Returns the annotation id it touched."""
        bundle = self.controller.bundle
        if bundle is None:
            return None
        selection = self.selection_code_points()
        if selection is not None:
            start, end = selection
            if self.snap_to_words:
                start, end = snap_to_words(bundle.article.text, start, end)
            if start >= end:
                return None
            if self._extending:
                return self._add_fragment(label, start, end)
            created = self.controller.create_annotation(label, start, end)
            if created:
                self._clear_text_selection()
            return created
        if self.current_entity is not None:
            entity = self.current_entity
            self.current_entity = None
            return self.controller.create_annotation(label, entity.start, entity.end)
        selected = self.controller.selected()
        if selected is None:
            self.controller.message.emit(
                f"Nothing to label {label}: select text, or click an entity or an annotation, first"
            )
            return None
        if selected.label == label:
            self.controller.message.emit(f"This annotation is already {label}")
            return None
        return selected.id if self.controller.relabel(selected.id, label) else None

    def _add_fragment(self, label: str, start: int, end: int) -> str | None:
        """Add ``[start, end)`` to the selected annotation, if it has ``label``."""
        selected = self.controller.selected()
        if selected is None or selected.label != label:
            self.controller.message.emit(f"Select a {label} annotation first to add a fragment to it")
            return None
        if not self.controller.apply(add_fragment(selected, start, end)):
            return None
        self._extending = False
        self._clear_text_selection()
        self.controller.message.emit(f"Added a fragment to {label}")
        return selected.id

    def _clear_text_selection(self) -> None:
        cursor = self.textCursor()
        cursor.clearSelection()
        self.setTextCursor(cursor)

    def _nudge(self, edge: str, step: int) -> None:
        selected = self.controller.selected()
        if selected is None:
            return
        start, end = selected.start, selected.end
        if edge == "end":
            end = max(start + 1, min(self.controller.offsets.length, end + step))
        else:
            start = max(0, min(end - 1, start + step))
        if (start, end) != (selected.start, selected.end):
            self.controller.change_annotation(selected.id, start=start, end=end)

    def nudge_end(self, step: int) -> None:
        self._nudge("end", step)

    def nudge_start(self, step: int) -> None:
        self._nudge("start", step)

    def clear_selection(self) -> None:
        """Escape: drop the text selection, the clicked entity and the selected annotation."""
        self._clear_text_selection()
        self.current_entity = None
        self.controller.select(None)

    def request_link(self) -> None:
        if self.controller.selected_id:
            self.link_requested.emit()

    # -- dragging an edge of the selected annotation ------------------------------------
    def _edge_under(self, point: QPoint) -> str | None:
        """"start" or "end" if ``point`` is on that edge of the selected annotation."""
        selected = self.controller.selected()
        if selected is None:
            return None
        position = self.cursorForPosition(point).position()
        to16 = self.controller.offsets.to_utf16
        for edge, offset in (("start", selected.start), ("end", selected.end)):
            if position == to16(offset):
                cursor = QTextCursor(self.document())
                cursor.setPosition(position)
                if abs(self.cursorRect(cursor).center().x() - point.x()) <= EDGE_GRAB_PIXELS:
                    return edge
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self._dragging_edge = self._edge_under(event.position().toPoint())
            self._extending = (
                bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
                and self.controller.selected() is not None
            )
            if self._dragging_edge is not None:
                self.viewport().setCursor(Qt.CursorShape.SizeHorCursor)
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._dragging_edge is not None:
            event.accept()
            return
        on_edge = self._edge_under(event.position().toPoint()) is not None
        self.viewport().setCursor(Qt.CursorShape.SizeHorCursor if on_edge else Qt.CursorShape.IBeamCursor)
        super().mouseMoveEvent(event)

    def _finish_edge_drag(self, point: QPoint) -> None:
        edge, self._dragging_edge = self._dragging_edge, None
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        selected = self.controller.selected()
        if selected is None or edge is None:
            return
        offset = self._code_point_at(point)
        start, end = (offset, selected.end) if edge == "start" else (selected.start, offset)
        if start < end and (start, end) != (selected.start, selected.end):
            self.controller.change_annotation(selected.id, start=start, end=end)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._dragging_edge is not None:
            self._finish_edge_drag(event.position().toPoint())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton or self.textCursor().hasSelection():
            return
        offset = self._code_point_at(event.position().toPoint())
        choices = self._choices_at(offset)
        # Clicking again at the same place cycles: entity, then the enclosing annotations.
        current: Choice | None = ("entity", self.current_entity) if self.current_entity is not None else (
            ("annotation", self.controller.selected_id) if self.controller.selected_id else None)
        chosen: Choice | None
        if choices and self._last_click and self._last_click[1] == choices and current in choices:
            chosen = choices[(choices.index(current) + 1) % len(choices)]
        else:
            chosen = choices[0] if choices else None
        self._last_click = (offset, choices)
        picked = None if chosen is None else chosen[1]
        self.current_entity = picked if isinstance(picked, Entity) else None
        self.entity_clicked.emit(self.current_entity)
        self.controller.select(picked if isinstance(picked, str) else None)
        if self.current_entity is not None:
            entity = self.current_entity
            text = self.controller.bundle.article.text[entity.start : entity.end] if self.controller.bundle else ""
            self.controller.message.emit(
                f"{entity.label} \u201c{text}\u201d: press a label key to code it; click again to select what encloses it"
                if len(choices) > 1 else f"{entity.label} \u201c{text}\u201d: press a label key to code it"
            )
            self.viewport().update()

    def _choices_at(self, offset: int) -> list[Choice]:
        """What a click at ``offset`` can pick, innermost first: a pre-highlighted entity
        (unless an annotation already covers exactly it or lies inside it), then the
        annotations covering the offset."""
        annotations = self.annotations_at(offset)
        choices: list[Choice] = [("annotation", a.id) for a in annotations]
        entity = None if self.annotations_only() else self.entity_at(offset)
        if entity is not None and not any(entity.start <= a.start and a.end <= entity.end for a in annotations):
            choices.insert(0, ("entity", entity))
        return choices

    # -- the selected annotation's outline ---------------------------------------------
    def _on_selection(self, annotation_id: str | None) -> None:
        selected = self.controller.selected() if annotation_id else None
        if annotation_id is not None:
            self.current_entity = None  # one thing is selected at a time
        if selected is not None:
            cursor = QTextCursor(self.document())
            cursor.setPosition(self.controller.offsets.to_utf16(selected.start))
            self.setTextCursor(cursor)
            self.ensureCursorVisible()
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        """Fills under the text, then the text, then underlines, the outline and the arcs.

        Arcs are computed for the whole viewport even when only part of it is
        repainted (the painter clips), so a partial repaint never cuts an arc short."""
        dx, dy = self.horizontalScrollBar().value(), self.verticalScrollBar().value()
        area = event.rect()
        top, bottom = dy + area.top(), dy + area.bottom()
        document = self.document()
        painter = QPainter(self.viewport())
        painter.translate(-dx, -dy)
        self._spans.paint_fills(painter, document, top, bottom)
        painter.end()
        super().paintEvent(event)
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(-dx, -dy)
        self._spans.paint_underlines(painter, document, top, bottom)
        selected = self.controller.selected()
        if selected is not None:
            painter.setPen(QPen(self._outline_color(selected.label), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for start, end in selected.ranges:  # each fragment outlined
                for rect in self._span_rects(start, end):
                    painter.drawRoundedRect(rect.adjusted(-1, 0, 1, 0), 3, 3)
        entity = self.current_entity
        if entity is not None and selected is None:  # the clicked entity, dashed
            pen = QPen(entity_color(entity.label).darker(150), 1.5, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for rect in self._span_rects(entity.start, entity.end):
                painter.drawRoundedRect(rect.adjusted(-1, 0, 1, 0), 3, 3)
        arcs = self.relation_arcs()
        if arcs:
            paint_arcs(painter, arcs, self.font(), self.palette().color(QPalette.ColorRole.Base))
        painter.end()

    def _outline_color(self, label: str) -> QColor:
        codebook = self.controller.project.codebook if self.controller.project else None
        try:
            return label_color(codebook.label(label).color).darker(130) if codebook else QColor("#333333")
        except KeyError:
            return QColor("#333333")

    def _span_rects(self, start: int, end: int) -> list[QRectF]:
        """Document rectangles covering a span (code points), one per line it touches."""
        to16 = self.controller.offsets.to_utf16
        s16, e16 = to16(start), to16(end)
        document = self.document()
        block = document.findBlock(s16)
        rects: list[QRectF] = []
        while block.isValid() and block.position() < e16:
            rects.extend(span_rects(document, block, s16, e16))
            block = block.next()
        return rects
