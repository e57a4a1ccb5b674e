"""The Excel export's reporting as Krippendorff recommends: KALPHA's q on the Agreement
sheet beside alpha's interval, and the Methods sheet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from app.services.agreement.report import agreement_report
from app.services.exporting import export_project
from app.services.projects import Project
from tests.export_fixtures import coded_copy


@pytest.fixture
def coded(tmp_path: Path) -> Iterator[Project]:
    with coded_copy(tmp_path) as project:
        yield project


def records(sheet) -> list[dict]:  # noqa: ANN001
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_agreement_sheet_gives_q_beside_alpha_s_interval(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "coding.xlsx"
    export_project(coded, out)
    sheet = openpyxl.load_workbook(out)["Agreement"]
    header = [c.value for c in sheet[1]]
    assert header.index("q (alpha < 0.800)") == header.index("Interval") + 1
    assert header.index("q (alpha < 0.667)") == header.index("Interval") + 2
    rows = records(sheet)
    relevance = next(r for r in rows if r["Item"] == "relevance")
    interval = agreement_report(coded).measure("question:relevance").figure("krippendorff_alpha").interval
    assert interval is not None
    assert relevance["q (alpha < 0.800)"] == pytest.approx(interval.q(0.8), abs=5e-4)
    assert relevance["q (alpha < 0.667)"] == pytest.approx(interval.q(0.667), abs=5e-4)
    actor = next(r for r in rows if r["Item"] == "Actor")  # alpha_U: no interval, no q
    assert actor["q (alpha < 0.800)"] is None


def test_the_methods_sheet_has_the_paragraph_of_every_measured_item(coded: Project, tmp_path: Path) -> None:
    from app.services.methods_section import methods_paragraphs

    out = tmp_path / "coding.xlsx"
    export_project(coded, out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[-1] == "Methods"
    rows = records(book["Methods"])
    expected = methods_paragraphs(agreement_report(coded))
    assert [(r["Section"], r["Item"], r["Kind"]) for r in rows] == [(p.section, p.item, p.kind) for p in expected]
    relevance = next(r for r in rows if r["Item"] == "relevance")["Paragraph"]
    assert relevance == next(" ".join(p.sentences) for p in expected if p.item == "relevance")
    assert relevance.startswith("Krippendorff's alpha (nominal metric) = ")
    assert "confidence interval" in relevance and "probability q" in relevance


def test_the_methods_sheet_says_why_it_is_empty(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "empty.xlsx"
    export_project(project, out)
    sheet = openpyxl.load_workbook(out)["Methods"]
    assert sheet.max_row == 2 and "two or more coders" in sheet["A2"].value
