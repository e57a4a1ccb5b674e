"""γ in the agreement report: its figures equal app.agreement.gamma on the same continuum.

The report's span measures carry γ and γ-cat (All labels) and γ-k (each label), for all
coders and per coder pair, on the continuum of the concatenated articles both coders
finished (the one the pooled alpha_U uses).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from app.agreement.gamma import gamma_agreement
from app.core.coefficients import COEFFICIENT_NAMES
from app.services.agreement.report import agreement_report
from app.services.projects import Project
from tests.services.test_agreement_report import Study, build_two_coders

LABELS = ("Actor", "Claim", "Coercion")


@pytest.fixture
def two(project: Project, tmp_path: Path) -> Study:
    return build_two_coders(Study(project, tmp_path / "texts", 6))


def _continuum(two: Study) -> dict[str, list[tuple[int, int, int]]]:
    labels = {name: k for k, name in enumerate(two.project.codebook.label_names)}
    spans = {"ana": [], "ben": []}
    for name, k, label, needle in [
        *[(c, k, "Actor", "Anton Korolev") for c in ("ana", "ben") for k in (0, 2, 3, 4)],
        ("ana", 1, "Actor", "Kiresk"), ("ben", 1, "Coercion", "forced to sign contracts"),
        ("ana", 0, "Claim", "40 migrants were forced"), ("ben", 0, "Claim", "40 migrants were forced to sign"),
        ("ana", 2, "Claim", "40 migrants were forced"), ("ben", 2, "Claim", "40 migrants were forced"),
    ]:
        start, end = two.where(k, needle)
        spans[name].append((two.offset(k) + start, two.offset(k) + end, labels[label]))
    return spans


def test_gamma_figures_equal_gamma_on_the_concatenated_continuum(two: Study) -> None:
    report = agreement_report(two.project, n_bootstrap=0, seed=5)
    expected = gamma_agreement(_continuum(two), seed=5)
    every = report.measure("span:*")
    gamma = every.figure("gamma")
    assert gamma.value == pytest.approx(expected.gamma)
    assert gamma.components["observed_disorder"] == pytest.approx(expected.observed_disorder)
    assert gamma.components["n_samples"] == 30 and gamma.n_units == 14 and gamma.n_coders == 2
    assert "concatenated" in gamma.note
    assert every.figure("gamma_cat").value == pytest.approx(expected.gamma_cat)
    labels = {name: k for k, name in enumerate(two.project.codebook.label_names)}
    for name in LABELS:
        f = report.measure(f"span:{name}").figure("gamma_k")
        assert f.value == pytest.approx(expected.gamma_k[labels[name]])
    # One pair: the pair's figure is the same γ.
    (pair,) = [f for f in every.pairs if f.coefficient == "gamma"]
    assert pair.coders == ("ana", "ben") and pair.value == pytest.approx(expected.gamma)
    assert {COEFFICIENT_NAMES[c] for c in ("gamma", "gamma_cat", "gamma_k")} == {
        "gamma", "gamma-cat", "gamma-k"
    }


def test_gamma_is_not_computed_past_its_limit(two: Study, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services.agreement import gamma as report_gamma

    monkeypatch.setattr(report_gamma, "GAMMA_MAX_UNITS", 10)
    report = agreement_report(two.project, n_bootstrap=0)
    gamma = report.measure("span:*").figure("gamma")
    assert math.isnan(gamma.value) and "Not computed: 14 spans" in gamma.note
