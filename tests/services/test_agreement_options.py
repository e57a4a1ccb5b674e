"""Agreement per option of a single choice in the report (issue 16: which option do
coders confuse?).

Published per-category figures are reproduced through the whole report path: the data
of Krippendorff (1980, p. 139), Agresti (1992) and Fleiss (1971) are entered as the
answers (and span attributes) of coders of a generated project, and the report's
per-option rows must give the published values. The vectorised per-option computation
is also checked against :mod:`app.agreement` on random data.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.agreement import fleiss_kappa, krippendorff_alpha
from app.agreement.alpha import coincidence_matrix
from app.agreement.paired import PairedCodes
from app.agreement.reliability_data import ReliabilityData
from app.core.edits import SetAnswer
from app.services.agreement.options import (
    OptionAgreement,
    attribute_options,
    option_agreement,
    paired_option_agreement,
    question_options,
)
from app.services.agreement.report import agreement_report
from app.services.editing import apply_edit
from app.services.projects import create_project
from tests.agreement.test_agreement_published import FLEISS_1971
from tests.agreement.test_multirater_published import AGRESTI_1992, KRIPPENDORFF_1980_P139
from tests.services.test_agreement_report import Study

pytestmark = pytest.mark.both_backends

CODEBOOK = """
name: Grades
version: "1"
description: One single-choice question and one single-choice attribute.
span_labels:
  - name: Item
    key: "1"
    color: "#56B4E9"
    attributes:
      - name: grade
        type: single_choice
        options: [{value: "1"}, {value: "2"}, {value: "3"}, {value: "4"}, {value: "5"}]
questions:
  - name: grade
    type: single_choice
    prompt: Grade?
    options: [{value: "1"}, {value: "2"}, {value: "3"}, {value: "4"}, {value: "5"}]
  - name: level
    type: ordinal
    prompt: Level?
    options: [{value: low}, {value: high}]
"""


def coded_study(
    tmp_path: Path, ratings: np.ndarray, *, spans: bool = False, location: str | Path | None = None
) -> Study:
    """A project whose coders c0, c1, ... answered ``grade`` of article u with
    ``ratings[coder, u]`` (0: no answer), all articles done; with ``spans`` each coder also
    marks the same span of every article with that grade as its attribute. The project is
    ``location`` (default: g.loupe in ``tmp_path``)."""
    (tmp_path / "grades.yaml").write_text(CODEBOOK, encoding="utf-8")
    project = create_project(location or tmp_path / "g.loupe", codebook_path=tmp_path / "grades.yaml")
    study = Study(project, tmp_path / "texts", ratings.shape[1])
    names = [f"c{i}" for i in range(ratings.shape[0])]
    for i, name in enumerate(names):
        study.coder(name)
        for k, value in enumerate(ratings[i].tolist()):
            if value:
                article, coder = study.articles[k].id, study.ids[name]
                apply_edit(project, SetAnswer(article, coder, "grade", str(value)))
                if spans:
                    study.span(name, k, "Item", "Anton Korolev", grade=str(value))
        study.done(name, *range(ratings.shape[1]))
    return study


def by_option(rows: tuple[OptionAgreement, ...]) -> dict[Any, OptionAgreement]:
    return {r.option: r for r in rows}


def test_krippendorff_1980_p139_per_option_alpha_through_the_report(project_location: str | Path, tmp_path: Path) -> None:
    """p. 139: three coders, nine units, values 1-4; the alpha of each value against all
    others is 0.381, 0.711, 0.717, 0.764."""
    study = coded_study(tmp_path, KRIPPENDORFF_1980_P139, location=project_location)
    with study.project:
        report = agreement_report(study.project, n_bootstrap=0)
    measure = report.measure("question:grade")
    assert round(measure.figure("krippendorff_alpha").value, 3) == 0.642
    rows = by_option(measure.options)
    assert list(rows) == ["1", "2", "3", "4", "5"]
    published = {"1": 0.381, "2": 0.711, "3": 0.717, "4": 0.764}
    assert {c: round(rows[c].alpha, 3) for c in published} == published
    data = KRIPPENDORFF_1980_P139
    for c in published:
        assert rows[c].alpha == pytest.approx(krippendorff_alpha(data, category=int(c)).value, abs=1e-12)
        assert rows[c].kappa == pytest.approx(fleiss_kappa(data, category=int(c)).value, abs=1e-12)
    assert {c: r.n_chosen for c, r in rows.items()} == {"1": 6, "2": 12, "3": 4, "4": 5, "5": 0}
    # Value 1's row of the coincidence matrix: 1.5 with 2 (units 1, 2, 2 and 1, 2, 3),
    # 1 with 4 (1, 4, 4), 0.5 with 3 (1, 2, 3).
    assert (rows["1"].confused_with, rows["1"].n_confused) == ("2", pytest.approx(1.5))
    assert (rows["4"].confused_with, rows["4"].n_confused) == ("1", pytest.approx(1.0))
    assert (rows["3"].confused_with, rows["3"].n_confused) == ("1", pytest.approx(0.5))  # tie: 1 before 2
    assert rows["5"].n_chosen == 0 and math.isnan(rows["5"].alpha) and math.isnan(rows["5"].kappa)
    assert rows["5"].confused_with is None and rows["5"].n_confused == 0
    # Only single choices get rows: the ordinal question has none.
    assert report.measure("question:level").options == ()


def test_agresti_1992_per_option_kappa_through_questions_and_attributes(project_location: str | Path, tmp_path: Path) -> None:
    """Agresti (1992, p. 202): two neurologists' diagnoses; category-specific kappas
    0.781, 0.247, 0.402, 0.435 (Fleiss' kappa_j), here as the answers of two coders and
    as the attribute of the spans they both marked."""
    ratings = np.array([[u["A"] for u in AGRESTI_1992], [u["B"] for u in AGRESTI_1992]])
    study = coded_study(tmp_path, ratings, spans=True, location=project_location)
    with study.project:
        report = agreement_report(study.project, n_bootstrap=0)
    published = {"1": 0.781, "2": 0.247, "3": 0.402, "4": 0.435}
    for key in ("question:grade", "attribute:Item.grade"):
        rows = by_option(report.measure(key).options)
        assert {c: round(rows[c].kappa, 3) for c in published} == published, key
        for c in published:
            assert rows[c].alpha == pytest.approx(
                krippendorff_alpha(AGRESTI_1992, category=int(c)).value, abs=1e-12
            )
        assert {c: r.n_chosen for c, r in rows.items()} == {
            str(c): int((ratings == c).sum()) for c in range(1, 6)
        }
        # Category 2 is confused with 3 (14 + 2 patients) more than with 1 (2 + 5).
        assert (rows["2"].confused_with, rows["2"].n_confused) == ("3", 16.0)
        assert (rows["4"].confused_with, rows["4"].n_confused) == ("3", 17.0)
        assert (rows["1"].confused_with, rows["1"].n_confused) == ("2", 7.0)


def test_fleiss_1971_per_option_kappa_through_the_report(project_location: str | Path, tmp_path: Path) -> None:
    """Fleiss (1971), six ratings of 30 patients: kappa_j 0.245, 0.245, 0.520, 0.471,
    0.566 (R's irr; within 0.005 of DKPro's 0.248, 0.248, 0.517, 0.470, 0.565)."""
    study = coded_study(tmp_path, FLEISS_1971.T, location=project_location)
    with study.project:
        report = agreement_report(study.project, n_bootstrap=0)
    rows = by_option(report.measure("question:grade").options)
    assert [round(rows[str(c)].kappa, 3) for c in range(1, 6)] == [0.245, 0.245, 0.520, 0.471, 0.566]


def test_confused_with_on_a_small_hand_made_case(project_location: str | Path, tmp_path: Path) -> None:
    """Two coders, six articles, one answer missing: "2" is confused with "3" twice and
    with "1" once; "1" only with "2"; "4" was chosen once, on the article the other coder
    left unanswered, so it is never paired: no alpha, and a kappa_j of 1 (every pairable
    unit agrees on not-4, while its pooled share, 1/6, counts every value given)."""
    ratings = np.array([[1, 2, 2, 3, 1, 4], [1, 3, 3, 3, 2, 0]])
    study = coded_study(tmp_path, ratings, location=project_location)
    with study.project:
        report = agreement_report(study.project, n_bootstrap=0)
    rows = by_option(report.measure("question:grade").options)
    assert [(c, r.n_chosen, r.confused_with, r.n_confused) for c, r in rows.items()] == [
        ("1", 3, "2", 1.0), ("2", 3, "3", 2.0), ("3", 4, "2", 2.0), ("4", 1, None, 0.0), ("5", 0, None, 0.0)
    ]
    assert math.isnan(rows["4"].alpha) and rows["4"].kappa == pytest.approx(1.0)
    # alpha of "2" by hand: five pairable units, n = 10 values, n_2 = 3, all three set
    # against another value: 1 - 9 * 3 / (3 * 7).
    assert rows["2"].alpha == pytest.approx(1 - 9 * 3 / 21)
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    (grade,) = [m for m in data["questions"] if m["key"] == "question:grade"]
    assert grade["options"][3] == {
        "option": "4", "n_chosen": 1, "alpha": None, "kappa": pytest.approx(1.0), "confused_with": None,
        "n_confused": 0.0,
    }
    assert grade["options"][1]["confused_with"] == "3"


def test_only_single_choices_on_the_array_route_get_rows() -> None:
    """Answers outside the options (left by an older codebook) send a measure the
    reference route, values in mappings: no rows then, nor for other kinds of item, nor
    for an attribute with such a value."""
    data = ReliabilityData(("a", "b"), ("x", "y"), np.array([[0, 1], [0, 0]]))
    assert [r.option for r in question_options("single_choice", data)] == ["x", "y"]
    assert question_options("single_choice", [{"a": "x", "b": "maybe"}]) == ()
    assert question_options("ordinal", data) == ()
    paired = PairedCodes(("x", "y"), np.array([0, 1]), np.array([0, 0]), np.array([0, 2]))
    assert [r.n_chosen for r in attribute_options("single_choice", paired, False)] == [3, 1]
    assert attribute_options("single_choice", paired, True) == ()
    assert attribute_options("boolean", paired, False) == ()


def assert_same(rows: tuple[OptionAgreement, ...], data: ReliabilityData) -> None:
    """The rows are what app.agreement gives option by option."""
    pairable = (data.codes >= 0).sum(axis=0) >= 2
    o = coincidence_matrix(data) if pairable.any() else np.zeros((data.n_categories,) * 2)
    for c, row in enumerate(rows):
        assert row.option == data.categories[c]
        assert row.n_chosen == int((data.codes == c).sum())
        for value, coefficient in ((row.alpha, krippendorff_alpha), (row.kappa, fleiss_kappa)):
            try:
                expected = coefficient(data, category=row.option).value
            except Exception:  # noqa: BLE001 - no pairable unit: undefined
                expected = math.nan
            assert (math.isnan(value) and math.isnan(expected)) or value == pytest.approx(expected, abs=1e-12)
        others = np.where(np.arange(data.n_categories) == c, -1.0, o[c])
        if others.max(initial=0.0) > 1e-12:
            k = int(others.argmax())
            assert row.confused_with == data.categories[k] and row.n_confused == pytest.approx(o[c, k])
        else:
            assert row.confused_with is None and row.n_confused == 0


@pytest.mark.parametrize("seed", range(5))
def test_vectorised_rows_match_the_coefficients_on_random_data(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(40):
        n_coders, n_units, q = int(rng.integers(2, 7)), int(rng.integers(1, 40)), int(rng.integers(1, 6))
        codes = rng.integers(-1, q, size=(n_coders, n_units))
        categories = tuple(f"o{i}" for i in range(q))
        data = ReliabilityData(tuple(range(n_coders)), categories, codes)
        assert_same(option_agreement(data), data)
        # Units of two values in groups (the attributes' coder pairs), pooled.
        first, second = codes[0], codes[1]
        bounds = np.array([0, n_units // 3, n_units])
        paired = paired_option_agreement(PairedCodes(categories, first, second, bounds))
        assert_same(paired, ReliabilityData(("a", "b"), categories, codes[:2]))
