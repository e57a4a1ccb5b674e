"""KALPHA's q in the agreement report: the probability of failure to achieve an alpha of
at least 0.800 and 0.667, the share of bootstrap resamples below it (Hayes &
Krippendorff 2007), beside the interval wherever the interval is shown."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.agreement.kalpha import kalpha
from app.services.agreement.report import AgreementReport, agreement_report
from tests.export_fixtures import coded_copy, coded_project

pytestmark = pytest.mark.both_backends


@pytest.fixture(scope="module")
def report(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AgreementReport]:
    if backend == "server":
        cluster = request.getfixturevalue("pg_cluster")
        opened = coded_project(cluster.url(cluster.new_database()))
    else:
        opened = coded_copy(tmp_path_factory.mktemp("q"))
    with opened as project:
        yield agreement_report(project, n_bootstrap=500, seed=3)


def test_q_is_the_share_of_kalpha_resamples_below_each_minimum(report: AgreementReport) -> None:
    figure = report.measure("question:relevance").figure("krippendorff_alpha")
    interval = figure.interval
    assert interval is not None and interval.method == "kalpha"
    q8, q667 = interval.q(0.8), interval.q(0.667)
    assert q8 is not None and q667 is not None
    assert 0.0 <= q667 <= q8 <= 1.0
    assert (q8, q667) == (interval.below["0.8"], interval.below["0.667"])
    assert interval.q(0.9) is None  # not computed
    # The macro's definition, from the resampled distribution itself.
    small = kalpha([{"a": 1, "b": 1}, {"a": 2, "b": 1}, {"a": 2, "b": 2}], n=200, seed=1)
    assert small.below[0.8] == pytest.approx(float((small.distribution < 0.8).mean()))


def test_the_methods_name_q(report: AgreementReport) -> None:
    assert "probability of failure to achieve an alpha of at least" in report.methods["kalpha"]


def test_kappa_intervals_have_no_q(report: AgreementReport) -> None:
    interval = report.measure("question:relevance").figure("fleiss_kappa").interval
    assert interval is not None and interval.q(0.8) is None




def test_methods_paragraphs_follow_the_report(report: AgreementReport) -> None:
    from app.services.methods_section import methods_document, methods_paragraphs

    paragraphs = methods_paragraphs(report)
    assert len(paragraphs) == sum(len(measures) for _, measures in report.sections())
    undefined = next(p for p in paragraphs if p.item == "main_coercion_type")
    assert undefined.sentences[0] == "Krippendorff's alpha (nominal metric) is undefined. No unit has any coded value."
    markdown = methods_document(report, markdown=True)
    assert "**main\\_coercion\\_type** (single choice). " in markdown
    assert methods_document(report).count("\n\n") == len(paragraphs) + 1 + 4  # intro, headings
