"""Excel workbooks streamed with openpyxl's write-only mode.

Rows go to disk as they come (openpyxl writes strings inline, with no shared-string
table), so memory stays flat however many rows a table has. Every sheet gets a bold,
frozen header row, an autofilter and column widths fitted to its kind of data; a
table longer than Excel's 1,048,576 rows continues on ``Name (2)``, ``Name (3)``...

Text is written with the text type, never as a formula (see :mod:`.cells`); dates and
times are real Excel dates and numbers are numbers. The rows are serialised by
:mod:`.sheet_rows`, not cell by cell through openpyxl (which took most of an export's
time); openpyxl writes everything around them and the workbook.

openpyxl streams each sheet into a temporary file until the workbook is saved; these
go into the folder the writer is given (beside the export, not the system's temporary
folder, so that coded text never lands where nothing removes it), and
:meth:`WorkbookWriter.discard` deletes them. A save that fails (a full disk) closes the
half-written archive without letting the zip module try again at garbage collection.
"""

from __future__ import annotations

import datetime
import errno
import os
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.marker import DataPoint
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet import _writer as sheet_writer
from openpyxl.writer.excel import ExcelWriter

from app.core.exports import Table
from app.exchange.writers.cells import clean_text
from app.exchange.writers.sheet_rows import RowWriter, SheetStream

#: Rows in an Excel sheet, the header included.
EXCEL_MAX_ROWS = 1_048_576
_WIDTHS = {"text": 24, "integer": 9, "number": 11, "boolean": 10, "datetime": 19, "date": 12, "value": 22}
_MAX_WIDTH = 60
_BOLD = Font(bold=True)
_NOTE = Font(italic=True)
_HEADER_ALIGN = Alignment(vertical="top")
#: Reliable / tentative / not reliable: the pale fill behind a figure and the strong
#: colour of its bar in the chart. The same scheme as the window's
#: (app.services.exporting.READING_COLORS; a test keeps them equal).
BAND_FILLS = ("C6EFCE", "FFEB9C", "FFC7CE")
BAND_COLORS = ("1B7F3B", "C99A00", "C62828")
_GOOD, _FAIR, _POOR = (PatternFill("solid", start_color=c, end_color=c) for c in BAND_FILLS)

#: How a "number" column (a coefficient, a share) shows its full-precision value.
NUMBER_FORMAT = "0.000"


def _number_cell(ws: Any, value: float) -> Any:
    """A number cell shown with three decimals; zero is written as 0, never -0."""
    cell = WriteOnlyCell(ws, 0.0 if value == 0 else value)
    cell.number_format = NUMBER_FORMAT
    return cell


#: Column kinds whose values are always written as text (numbers included).
_ALWAYS_TEXT = frozenset({"text"})


class WorkbookWriter:
    """Writes tables as sheets of one workbook; call :meth:`save` once at the end.

    Thread: any one thread (the worker running the export).
    """

    def __init__(self, *, max_rows: int = EXCEL_MAX_ROWS, temp_dir: str | Path | None = None) -> None:
        """``temp_dir``: where the sheets stream to until :meth:`save` (default: the
        system's temporary folder, as openpyxl does)."""
        if max_rows < 2:
            raise ValueError("a sheet needs room for its header and one row")
        self._book = Workbook(write_only=True)
        self._max_rows = max_rows
        self._temp_dir = None if temp_dir is None else Path(temp_dir)
        self.sheet_names: list[str] = []

    def add_table(self, table: Table, *, index: int | None = None) -> int:
        """Write ``table`` as a sheet (at position ``index``; default: last) and return
        the number of data rows written, over all the sheets it needed."""
        try:
            return self._add_table(table, index)
        except Exception as exc:
            _raise_as_os_error(exc)
            raise

    def _add_table(self, table: Table, index: int | None) -> int:
        part, written, in_sheet = 1, 0, 0
        sheet, rows = self._start_sheet(table, table.name, index)
        width = len(table.columns)
        as_text = [i for i, c in enumerate(table.columns) if c.kind in _ALWAYS_TEXT]
        numbers = [i for i, c in enumerate(table.columns) if c.kind == "number"]
        charted: list[Any] = []  # the values the chart shows, to colour its bars
        chart_value = (
            table.column_index(table.chart.value_column) if table.chart is not None and table.bands is not None else None
        )
        for row in table.rows:
            if in_sheet == self._max_rows - 1:
                self._finish(sheet, rows, table, in_sheet, with_extras=part == 1)
                part += 1
                position = None if index is None else index + part - 1
                sheet, rows = self._start_sheet(table, f"{table.name} ({part})", position)
                in_sheet = 0
            values = row if type(row) is list else list(row)
            if len(values) < width:
                values.extend([None] * (width - len(values)))
            if chart_value is not None and part == 1:
                charted.append(values[chart_value])
            for i in as_text:  # a text column holds text, whatever the value (strings are checked by RowWriter)
                value = values[i]
                if value is not None and type(value) is not str:
                    values[i] = str(value)
            for i in numbers:  # coefficients: full precision, shown with three decimals
                value = values[i]
                if type(value) is float or type(value) is int:
                    values[i] = _number_cell(sheet, value)
            rows.append(values)
            in_sheet += 1
            written += 1
        if written == 0 and table.empty_note:
            note = WriteOnlyCell(sheet, clean_text(table.empty_note))
            note.data_type = "s"
            note.font = _NOTE
            rows.append([note])
            in_sheet = 1
        self._finish(sheet, rows, table, in_sheet, with_extras=part == 1 and written > 0, charted=charted)
        return written

    def _start_sheet(self, table: Table, title: str, index: int | None) -> tuple[Any, RowWriter]:
        sheet = self._book.create_sheet(title=title, index=index)
        self.sheet_names.insert(len(self.sheet_names) if index is None else index, title)
        for number, column in enumerate(table.columns, start=1):
            wanted = max(column.width or _WIDTHS[column.kind], len(column.name) + 3)
            sheet.column_dimensions[get_column_letter(number)].width = min(wanted, _MAX_WIDTH)
        sheet.freeze_panes = "A2"
        # What WriteOnlyWorksheet._get_writer does on the first append, with the file in
        # the folder given (openpyxl's cleanup expects its name in its list) and a writer
        # whose file the rows are written into (app.exchange.writers.sheet_rows); after
        # the widths and panes, which write_top writes.
        if self._temp_dir is not None:
            out = str(self._temp_dir / f"sheet{len(self._book.worksheets)}-{id(sheet):x}.xml")
            sheet_writer.ALL_TEMP_FILES.append(out)
        else:
            out = sheet_writer.create_temporary_file()
        sheet._writer = SheetStream(sheet, out=out)
        sheet._writer.write_top()
        rows = RowWriter(sheet, len(table.columns))
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, clean_text(column.name))
            cell.data_type = "s"
            cell.font = _BOLD
            cell.alignment = _HEADER_ALIGN
            header.append(cell)
        rows.append(header)
        return sheet, rows

    def _finish(
        self, sheet: Any, writer: RowWriter, table: Table, rows: int, *, with_extras: bool,
        charted: Sequence[Any] = (),
    ) -> None:
        writer.close()
        last_column = get_column_letter(max(1, len(table.columns)))
        sheet.auto_filter.ref = f"A1:{last_column}{rows + 1}"
        if rows and table.bands is not None:
            _add_bands(sheet, table, rows)
        if with_extras and table.chart is not None:
            _add_chart(sheet, table, charted)

    def save(self, path: str | Path) -> None:
        """Write the workbook to ``path`` (as ``openpyxl.writer.excel.save_workbook``).

        On failure the archive's file is closed without its end record and the error
        raised; otherwise ZipFile.__del__ would try to write that record again later and
        print "Exception ignored" on stderr.
        """
        if not self.sheet_names:
            self._book.create_sheet("Empty")
        self._book.properties.modified = datetime.datetime.now(tz=datetime.UTC).replace(tzinfo=None)
        archive = ZipFile(str(path), "w", ZIP_DEFLATED, allowZip64=True)
        try:
            ExcelWriter(self._book, archive).save()
        except BaseException as exc:
            _abandon(archive)
            _raise_as_os_error(exc)
            raise

    def discard(self) -> None:
        """Close the sheets of an abandoned workbook and delete their temporary files."""
        for sheet in self._book.worksheets:
            with suppress(Exception):
                if not sheet.closed:
                    sheet.close()
            writer = getattr(sheet, "_writer", None)
            if writer is not None:
                with suppress(OSError):
                    os.remove(writer.out)


def _raise_as_os_error(exc: BaseException) -> None:
    """lxml reports a failed write to a sheet's file as ``SerialisationError("IO_ENOSPC")``:
    raise the OSError it names instead, so that callers see a full disk as one."""
    name = str(exc)
    if type(exc).__name__ == "SerialisationError" and name.startswith("IO_"):
        code = getattr(errno, name[3:], None)
        raise (OSError(name) if code is None else OSError(code, os.strerror(code))) from exc


def _abandon(archive: ZipFile) -> None:
    """Close a half-written archive's file without writing anything more to it."""
    handle, archive.fp = archive.fp, None  # ZipFile.close (and __del__) then do nothing
    if handle is not None:
        with suppress(Exception):
            handle.close()
        raw = getattr(handle, "raw", None)
        if raw is not None:  # a buffer whose flush failed may leave its file open
            with suppress(Exception):
                raw.close()


def _add_bands(sheet: Any, table: Table, rows: int) -> None:
    assert table.bands is not None
    letter = get_column_letter(table.column_index(table.bands.column) + 1)
    first = f"{letter}2"
    area = f"{letter}2:{letter}{rows + 1}"
    high, low = table.bands.high, table.bands.low
    rules: Sequence[tuple[str, PatternFill]] = (
        (f"AND(ISNUMBER({first}),{first}>={high})", _GOOD),
        (f"AND(ISNUMBER({first}),{first}>={low},{first}<{high})", _FAIR),
        (f"AND(ISNUMBER({first}),{first}<{low})", _POOR),
    )
    for formula, fill in rules:
        sheet.conditional_formatting.add(area, FormulaRule(formula=[formula], fill=fill, stopIfTrue=True))


def _band(value: Any, low: float, high: float) -> int | None:
    """0 reliable, 1 tentative, 2 not reliable, None for no number."""
    if type(value) not in (int, float) or value != value:
        return None
    return 0 if value >= high else 1 if value >= low else 2


def _add_chart(sheet: Any, table: Table, charted: Sequence[Any] = ()) -> None:
    spec = table.chart
    assert spec is not None
    first, last = spec.first_row + 2, spec.last_row + 2
    chart = BarChart()
    chart.type = "bar"
    chart.title = clean_text(spec.title)
    chart.y_axis.title = clean_text(spec.y_title or spec.value_column)
    chart.y_axis.scaling.max = 1.0
    chart.legend = None
    value_col = table.column_index(spec.value_column) + 1
    category_col = table.column_index(spec.category_column) + 1
    chart.add_data(Reference(sheet, min_col=value_col, min_row=first, max_row=last), titles_from_data=False)
    if table.bands is not None and charted:  # each bar in its reading's colour, as the table's fill
        series = chart.series[0]
        for index, value in enumerate(charted[spec.first_row : spec.last_row + 1]):
            band = _band(value, table.bands.low, table.bands.high)
            if band is not None:
                point = DataPoint(idx=index)
                point.graphicalProperties = GraphicalProperties(solidFill=BAND_COLORS[band])
                series.dPt.append(point)
    chart.set_categories(Reference(sheet, min_col=category_col, min_row=first, max_row=last))
    chart.height = max(7.5, 0.6 * (last - first + 1) + 3)
    chart.width = 18
    sheet.add_chart(chart, f"{get_column_letter(len(table.columns) + 2)}2")
