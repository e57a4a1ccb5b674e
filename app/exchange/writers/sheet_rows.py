"""The rows of a write-only sheet, serialised straight into the sheet's XML file.

openpyxl's write-only sheet turns every value into a cell object, infers its type and
writes it through lxml's incremental writer: about 6 microseconds a cell, most of an
export's time. :class:`RowWriter` writes the XML openpyxl would write for the values an
export holds (text, integers, floats, booleans, dates and times) as strings, a few
hundred rows at a time, and hands any other value (a styled ``WriteOnlyCell``, a
number of another type) to openpyxl's own cell writer. :class:`SheetStream` is
openpyxl's ``WorksheetWriter`` over a plain binary file, so that the part before the
rows (views, columns) and the part after them (filter, conditional formats, drawing),
which openpyxl writes when the workbook is saved, go into the same file around them.

Every string is written as inline text (``t="inlineStr"``), never as a formula or an
error code, whatever it begins with; characters XML cannot hold are replaced one for
one and overlong text is cut (:func:`~app.exchange.writers.cells.clean_text`).
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell._writer import etree_write_cell
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import tostring

from app.exchange.writers.cells import ILLEGAL_CHARACTERS, MAX_CELL, clean_text

_OPEN = f'<worksheet xmlns="{SHEET_MAIN_NS}">'.encode()
_CLOSE = b"</worksheet>"
_LONG = MAX_CELL // 2  # longer strings may exceed Excel's limit in UTF-16 units
#: Rows gathered before they are written to the sheet's file.
_CHUNK = 512


class SheetStream(WorksheetWriter):
    """openpyxl's writer of one sheet, writing to a plain binary file whose handle
    :class:`RowWriter` shares (openpyxl's own writes keep their order around it)."""

    handle: Any = None

    def get_stream(self) -> Generator[Any, Any, None]:
        with open(str(self.out), "wb", buffering=1 << 16) as handle:
            self.handle = handle
            handle.write(_OPEN)
            try:
                while True:
                    element = yield
                    if element is True:
                        raise TypeError("the rows of this sheet are written by RowWriter")
                    if element is not None:
                        handle.write(tostring(element))
            except GeneratorExit:
                pass
            if not handle.closed:  # an abandoned sheet's file may be finalised first
                handle.write(_CLOSE)


def _no_rows() -> Iterator[None]:
    """What the sheet closes in place of openpyxl's row writer (never started)."""
    yield None


class _Collect:
    """The one method of lxml's ``xmlfile`` that openpyxl's cell writer calls."""

    def __init__(self, parts: list[str]) -> None:
        self.parts = parts

    def write(self, element: Any) -> None:
        self.parts.append(tostring(element).decode("utf-8"))


def escape(text: str) -> str:
    """Text content as lxml writes it: ``&``, ``<`` and ``>`` escaped, and a carriage
    return as a character reference (an XML reader would turn a bare one into a line
    feed)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


class RowWriter:
    """Appends rows to a write-only sheet whose writer is a :class:`SheetStream`
    (after its top part); :meth:`close` before the sheet is saved."""

    def __init__(self, sheet: Any, width: int) -> None:
        self._sheet = sheet
        self._handle = sheet._writer.handle
        self._letters = [get_column_letter(i) for i in range(1, max(width, 1) + 1)]
        self._row = 0
        self._parts: list[str] = []
        self._collect = _Collect(self._parts)
        self._epoch = sheet.parent.epoch
        self._date_styles: dict[type, str] = {}
        self._last_date: Any = None
        self._last_cell = ""
        self._handle.write(b"<sheetData>")
        sheet._rows = _no_rows()  # the sheet's close() then writes no rows of its own

    def append(self, values: Sequence[Any]) -> None:
        self._row += 1
        row = str(self._row)
        parts, letters = self._parts, self._letters
        if len(values) > len(letters):
            letters.extend(get_column_letter(i) for i in range(len(letters) + 1, len(values) + 1))
        parts.append(f'<row r="{row}">')
        for i, value in enumerate(values):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                if not value:
                    parts.append(f'<c r="{letters[i]}{row}" t="inlineStr"/>')
                    continue
                if len(value) > _LONG or (not value.isprintable() and ILLEGAL_CHARACTERS.search(value)):
                    value = clean_text(value)
                space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
                parts.append(f'<c r="{letters[i]}{row}" t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>')
            elif kind is int or (kind is float and math.isfinite(value)):
                parts.append(f'<c r="{letters[i]}{row}" t="n"><v>{value:.16g}</v></c>')
            elif kind is bool:
                parts.append(f'<c r="{letters[i]}{row}" t="b"><v>{1 if value else 0}</v></c>')
            elif (kind is datetime and value.tzinfo is None) or kind is date:
                if value != self._last_date or kind is not type(self._last_date):
                    self._last_date = value  # a row's created and updated times are often one
                    self._last_cell = f'" s="{self._date_style(value)}" t="n"><v>{to_excel(value, self._epoch):.16g}</v></c>'
                parts.append(f'<c r="{letters[i]}{row}{self._last_cell}')
            else:
                self._cell(value, i + 1)
        parts.append("</row>")
        if len(parts) > _CHUNK * 8:
            self.flush()

    def _date_style(self, value: Any) -> str:
        """The style id of openpyxl's date or date-time number format (registered in the
        workbook by a cell that asks for it)."""
        kind = type(value)
        if kind not in self._date_styles:
            self._date_styles[kind] = str(WriteOnlyCell(self._sheet, value).style_id)
        return self._date_styles[kind]

    def _cell(self, value: Any, column: int) -> None:
        """Any other value, written by openpyxl's cell writer as its own append would."""
        cell = value if isinstance(value, Cell) else WriteOnlyCell(self._sheet, value)
        cell.column, cell.row = column, self._row
        etree_write_cell(self._collect, self._sheet, cell, cell.has_style)

    def flush(self) -> None:
        if self._parts:
            self._handle.write("".join(self._parts).encode("utf-8"))
            self._parts.clear()

    def close(self) -> None:
        """Write what is left and end the rows (the sheet's tail follows at the save)."""
        self.flush()
        self._handle.write(b"</sheetData>")
