"""``loupe agreement``'s reporting as Krippendorff recommends: KALPHA's q under each
pooled alpha, and (``--methods``) a paragraph per measured item for a methods section."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.main import main
from app.services.projects import Project
from tests.services.test_agreement_report import Study, build_two_coders


@pytest.fixture
def coded(project: Project, project_path: Path, tmp_path: Path) -> Path:
    build_two_coders(Study(project, tmp_path / "texts", 6))
    project.close()
    return project_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["agreement", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_q_follows_each_pooled_alpha_within_the_table_width(coded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(coded), "--bootstrap", "200")
    assert code == 0
    lines = out.splitlines()
    relevance = lines.index("relevance (single choice)")
    q = lines[relevance + 2]
    assert q.startswith(" " * 31 + "q = ") and q.endswith(" below 0.667") and " below 0.800, " in q
    assert len(q) <= 106
    assert "q is the probability that alpha fails to reach 0.800" in out
    _, quiet, _ = run(capsys, str(coded), "--bootstrap", "0")
    assert "q = " not in quiet
