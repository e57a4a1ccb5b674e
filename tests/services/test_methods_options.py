"""``loupe agreement P --methods``: a single choice's paragraph names the option with the
lowest category-specific alpha and the option it is most confused with (issue 16), in
plain text and Markdown; other kinds of item get no such sentence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.cli.main import main
from app.services.agreement.report import agreement_report
from app.services.methods_section import methods_paragraphs, options_sentence
from tests.agreement.test_multirater_published import KRIPPENDORFF_1980_P139
from tests.services.test_agreement_options import coded_study

LEAD = "Per option (Krippendorff's category-specific alpha), agreement was "


def methods(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> str:
    code = main(["agreement", str(path), "--methods", "--bootstrap", "0", *extra])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    return out


def test_three_coders_krippendorff_1980_in_text_and_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """p. 139: value 1 has the lowest alpha (0.381) and meets 2 most often (1.5
    coincidences: pairs of values weighted 1 / (m - 1) with three coders)."""
    study = coded_study(tmp_path, KRIPPENDORFF_1980_P139, spans=True)
    with study.project:
        report = agreement_report(study.project, n_bootstrap=0)
    path = tmp_path / "g.loupe"
    sentence = LEAD + "lowest for '1' (alpha = 0.381), most often confused with '2' (1.5 coincidences)."
    paragraphs = methods(capsys, path).split("\n\n")
    grade = next(p for p in paragraphs if p.startswith("grade (single choice). "))
    assert sentence in grade
    assert grade.index(sentence) < grade.index("missing value, not a category")  # before the treatment
    level = next(p for p in paragraphs if p.startswith("level (ordinal scale). "))
    assert "Per option" not in level
    # The attribute: the option the report's rows give the lowest alpha, and its confusion.
    options = [o for o in report.measure("attribute:Item.grade").options if o.n_chosen and o.alpha == o.alpha]
    low = min(options, key=lambda o: o.alpha)
    attribute = next(p for p in paragraphs if p.startswith("Item.grade (choice attribute). "))
    assert f"lowest for '{low.option}' (alpha = {low.alpha:.3f}), most often confused with " \
        f"'{low.confused_with}' ({low.n_confused:.0f} coincidences)." in attribute
    assert sum("Per option" in p for p in paragraphs) == 2
    markdown = methods(capsys, path, "--markdown").splitlines()
    line = next(x for x in markdown if x.startswith("**grade** (single choice). "))
    assert sentence in line
    # The Excel export's Methods sheet takes the same paragraphs.
    assert sentence in next(" ".join(p.sentences) for p in methods_paragraphs(report) if p.item == "grade")


def test_two_coders_whole_counts_and_the_singular(tmp_path: Path) -> None:
    """The hand-made case of test_agreement_options: "2" is set against another value in
    all three of its pairable values (alpha 1 - 9 * 3 / 21 = -0.286), twice against "3"."""
    study = coded_study(tmp_path, np.array([[1, 2, 2, 3, 1, 4], [1, 3, 3, 3, 2, 0]]))
    with study.project:
        report = agreement_report(study.project, n_bootstrap=0)
    assert options_sentence(report.measure("question:grade")) == (
        LEAD + "lowest for '2' (alpha = -0.286), most often confused with '3' (2 coincidences)."
    )
    (tmp_path / "one").mkdir()
    single = coded_study(tmp_path / "one", np.array([[1, 1, 2, 2], [1, 2, 2, 2]]))
    with single.project:
        report = agreement_report(single.project, n_bootstrap=0)
    assert options_sentence(report.measure("question:grade")).endswith("with '2' (1 coincidence).")


def test_perfect_agreement_and_nothing_chosen(tmp_path: Path) -> None:
    study = coded_study(tmp_path, np.array([[1, 2, 2], [1, 2, 2]]))
    with study.project:
        report = agreement_report(study.project, n_bootstrap=0)
    assert options_sentence(report.measure("question:grade")) == (
        LEAD + "1.000 for every option measured: no option was confused with another."
    )
    assert options_sentence(report.measure("question:level")) is None  # not a single choice
    (tmp_path / "quiet").mkdir()
    quiet = coded_study(tmp_path / "quiet", np.array([[1, 0, 0], [0, 2, 0]]))  # never two values
    with quiet.project:
        report = agreement_report(quiet.project, n_bootstrap=0)
    assert options_sentence(report.measure("question:grade")) is None
