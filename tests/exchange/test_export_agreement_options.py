"""The Excel export's "Agreement per option" sheet (issue 16), read back from a real
workbook of a small generated project and checked against the report's options."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from app.services.agreement.report import agreement_report
from app.services.exporting import export_project
from app.services.exporting.agreement import NO_OPTIONS_NOTE, reading
from app.services.projects import Project
from tests.agreement.test_multirater_published import KRIPPENDORFF_1980_P139
from tests.services.test_agreement_options import coded_study

SHEET = "Agreement per option"


def records(sheet) -> list[dict]:  # noqa: ANN001
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_sheet_has_a_row_per_option_of_every_single_choice(tmp_path: Path) -> None:
    """Krippendorff (1980, p. 139): three coders, nine articles, the grade as answer and
    as the attribute of a span all of them marked; fractional coincidences (1.5) for the
    question, whole ones (a pair's units) for the attribute."""
    study = coded_study(tmp_path, KRIPPENDORFF_1980_P139, spans=True)
    out = tmp_path / "grades.xlsx"
    with study.project:
        export_project(study.project, out, agreement_resamples=0)
        report = agreement_report(study.project, n_bootstrap=0)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames.index(SHEET) == book.sheetnames.index("Agreement") + 1
    sheet = book[SHEET]
    rows = records(sheet)
    expected = [
        (section, m, o) for section, measures in report.sections() for m in measures
        for o in m.options if any(x.n_chosen for x in m.options)
    ]
    assert {m.key for _, m, _ in expected} == {"question:grade", "attribute:Item.grade"}
    assert len(rows) == len(expected) == 10  # five options each; the ordinal question has none
    for row, (section, m, o) in zip(rows, expected, strict=True):
        assert (row["Section"], row["Item"], row["Option"]) == (section, m.name, str(o.option))
        assert row["Times chosen"] == o.n_chosen
        for column, value in (("Alpha", o.alpha), ("Kappa_j", o.kappa)):
            if math.isfinite(value):
                assert row[column] == pytest.approx(value, abs=1e-12), (m.key, o.option, column)
            else:
                assert row[column] is None, (m.key, o.option, column)
        assert row["Reading"] == reading(o.alpha)
        if o.confused_with is None:
            assert row["Most confused with"] is None and row["Coincidences"] is None
        else:
            assert row["Most confused with"] == str(o.confused_with)
            assert row["Coincidences"] == pytest.approx(o.n_confused)
    question = {r["Option"]: r for r in rows if r["Section"] == "Article questions"}
    published = {"1": 0.381, "2": 0.711, "3": 0.717, "4": 0.764}
    assert {c: round(question[c]["Alpha"], 3) for c in published} == published
    assert (question["1"]["Most confused with"], question["1"]["Coincidences"]) == ("2", 1.5)
    assert question["5"]["Times chosen"] == 0 and question["5"]["Alpha"] is None
    assert question["5"]["Reading"] == "undefined"
    # Numbers as on the Agreement sheet: three decimals; alpha coloured by its reading.
    alpha_column = next(c.column_letter for c in sheet[1] if c.value == "Alpha")
    assert sheet[f"{alpha_column}2"].number_format == book["Agreement"]["E2"].number_format
    ranges = [str(r.sqref) for r in sheet.conditional_formatting]
    assert ranges == [f"{alpha_column}2:{alpha_column}{len(rows) + 1}"]
    assert ranges and book["Agreement"].conditional_formatting


def test_without_a_single_choice_the_sheet_says_why(tmp_path: Path) -> None:
    """Two coders who never chose an option of a single choice: no rows, a note."""
    study = coded_study(tmp_path, np.zeros((2, 3), dtype=int))
    from app.core.edits import SetAnswer
    from app.services.editing import apply_edit

    with study.project:
        for name, values in (("c0", ["low", "high", "low"]), ("c1", ["low", "low", "low"])):
            for k, value in enumerate(values):
                apply_edit(study.project, SetAnswer(study.articles[k].id, study.ids[name], "level", value))
        out = tmp_path / "levels.xlsx"
        export_project(study.project, out, agreement_resamples=0)
    book = openpyxl.load_workbook(out)
    assert records(book["Agreement"])  # the ordinal question was measured
    sheet = book[SHEET]
    assert sheet.max_row == 2 and sheet["A2"].value == NO_OPTIONS_NOTE


def test_an_export_without_coders_to_compare_says_why(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "empty.xlsx"
    export_project(project, out)
    sheet = openpyxl.load_workbook(out)[SHEET]
    assert sheet.max_row == 2 and "two or more coders" in sheet["A2"].value
