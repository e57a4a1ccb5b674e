"""The workbook writer serialises rows itself (app.exchange.writers.sheet_rows): what it
writes must read back exactly as what openpyxl's own write-only append writes."""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl import Workbook

from app.core.exports import Column, Table
from app.exchange.writers.sheet_rows import escape
from app.exchange.writers.xlsx import WorkbookWriter

VALUES: list[list[Any]] = [
    ["plain", 1, 2.5, True, datetime(2024, 5, 6, 7, 8, 9, 123000), date(2024, 5, 6)],
    ["a & b < c > d", -3, 1e-17, False, datetime(1900, 1, 1), date(1999, 12, 31)],
    ["  leading and trailing  ", 10**17, 0.1 + 0.2, None, None, None],
    ["line\nbreak\tand tab", 0, -0.0, None, datetime(2030, 1, 1, 23, 59, 59), None],
    ["Кириллица и العربية 😀", 123456789012345, 3.141592653589793, True, None, None],
    ["", None, None, None, None, None],
    ["carriage\rreturn", None, math.pi * 1e20, None, None, None],
]
KINDS = ["text", "value", "value", "boolean", "datetime", "date"]


def _bare(path: Path) -> None:
    """The same rows through openpyxl's own append (the reference)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("T")
    sheet.append([f"c{i}" for i in range(len(KINDS))])
    for row in VALUES:
        sheet.append(row)
    book.save(path)


def test_rows_read_back_as_openpyxl_writes_them(tmp_path: Path) -> None:
    ours, bare = tmp_path / "ours.xlsx", tmp_path / "bare.xlsx"
    columns = [Column(f"c{i}", kind) for i, kind in enumerate(KINDS)]
    writer = WorkbookWriter(temp_dir=tmp_path)
    assert writer.add_table(Table("T", columns, iter([list(r) for r in VALUES]))) == len(VALUES)
    writer.save(ours)
    _bare(bare)
    mine = list(openpyxl.load_workbook(ours)["T"].iter_rows())
    theirs = list(openpyxl.load_workbook(bare)["T"].iter_rows())
    assert len(mine) == len(theirs) == len(VALUES) + 1
    for got, want in zip(mine[1:], theirs[1:], strict=True):
        for a, b in zip(got, want, strict=True):
            assert (a.value, a.data_type, a.number_format) == (b.value, b.data_type, b.number_format), a.coordinate
    assert mine[1][0].value == "plain" and mine[3][0].value == "  leading and trailing  "
    assert mine[4][4].value == datetime(2030, 1, 1, 23, 59, 59) and mine[1][5].value == datetime(2024, 5, 6)
    assert mine[7][0].value == "carriage\rreturn"


def test_text_looking_like_a_formula_or_an_error_stays_text(tmp_path: Path) -> None:
    risky = ["=1+2", "+SUM(A1)", "-2", "@x", "#N/A", "#DIV/0!", "\t=1", "=HYPERLINK(\"http://x\")"]
    writer = WorkbookWriter(temp_dir=tmp_path)
    writer.add_table(Table("T", [Column("Text"), Column("Value", "value")], iter([[r, r] for r in risky])))
    writer.save(tmp_path / "t.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "t.xlsx")["T"].iter_rows(min_row=2))
    assert [(a.value, b.value) for a, b in rows] == [(r, r) for r in risky]
    assert {c.data_type for row in rows for c in row} == {"s"}


def test_numbers_in_a_text_column_are_text_and_rows_are_numbered(tmp_path: Path) -> None:
    writer = WorkbookWriter(temp_dir=tmp_path, max_rows=3)
    rows = [[n, n, f"row {n}"] for n in range(5)]
    writer.add_table(Table("T", [Column("A"), Column("B", "integer"), Column("C")], iter(rows)))
    writer.save(tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames == ["T", "T (2)", "T (3)"]
    read = [r for name in book.sheetnames for r in book[name].iter_rows(min_row=2, values_only=True)]
    assert read == [(str(n), n, f"row {n}") for n in range(5)]
    assert book["T (2)"]["A3"].value == "3" and book["T (2)"]["B3"].value == 3


def test_escape_writes_what_lxml_writes() -> None:
    assert escape("plain") == "plain"
    assert escape("a&b<c>d\re") == "a&amp;b&lt;c&gt;d&#13;e"
    assert escape("&amp;") == "&amp;amp;"
