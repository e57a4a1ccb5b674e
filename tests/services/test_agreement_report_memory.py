"""The agreement report as the Excel export reads it, with less held in memory: no
figures per article, the coding read one chunk of articles at a time, and the
disagreements passed over without being kept. Each gives what the full report gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.services.agreement.report import agreement_report
from app.services.projects import Project
from tests.services.test_agreement_report import Study, build_two_coders

pytestmark = pytest.mark.both_backends


@pytest.fixture
def two(project: Project, tmp_path: Path) -> Study:
    return build_two_coders(Study(project, tmp_path / "texts", 6))


def _measures(report):  # type: ignore[no-untyped-def]
    return [m for _, measures in report.sections() for m in measures]


def test_a_report_without_article_figures_differs_only_by_them(two: Study) -> None:
    full = agreement_report(two.project, n_bootstrap=50)
    lean = agreement_report(two.project, n_bootstrap=50, per_article=False)
    assert sum(len(m.articles) for m in _measures(full)) > 20
    assert all(m.articles == () for m in _measures(lean))
    for a, b in zip(_measures(full), _measures(lean), strict=True):
        assert list(a.disagreements) == list(b.disagreements)
    expected = full.to_dict()
    for section in ("questions", "spans", "attributes", "relations"):
        for m in expected[section]:
            m["articles"] = []
    got = json.loads(json.dumps(lean.to_dict()))
    assert got == json.loads(json.dumps(expected))
    assert "per_article" not in got["settings"]
