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


def test_methods_writes_a_paragraph_per_measured_item(coded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(coded), "--methods", "--bootstrap", "200", "--seed", "2")
    assert code == 0 and err == ""
    paragraphs = out.split("\n\n")
    assert paragraphs[0] == "RELIABILITY"
    relevance = next(p for p in paragraphs if p.startswith("relevance (single choice). "))
    assert "Krippendorff's alpha (nominal metric) = 0.250, 95% confidence interval [" in relevance
    assert "the KALPHA bootstrap of Hayes & Krippendorff (2007), 200 resamples, seed 2" in relevance
    assert "the probability q of failing to reach alpha = 0.800 is " in relevance
    assert "2 coders (ana, ben) over 5 pairable articles and 10 pairable values" in relevance
    assert "missing value, not a category" in relevance
    actor = next(p for p in paragraphs if p.startswith("Actor (span label). "))
    assert "alpha_U = " in actor and "F1 (exact matching) = 0.889" in actor and "fragment" in actor
    for heading in ("ARTICLE QUESTIONS", "SPANS", "ATTRIBUTES", "RELATIONS"):
        assert heading in paragraphs
    assert "**" not in out


def test_methods_in_markdown(coded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(coded), "--methods", "--markdown", "--bootstrap", "0")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "# Reliability" and "## Article questions" in lines and "## Spans" in lines
    relevance = next(line for line in lines if line.startswith("**relevance** (single choice). "))
    assert "= 0.250 (no interval: bootstrap switched off)." in relevance
    assert "q of failing" not in out


def test_markdown_needs_methods_and_methods_excludes_json(coded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(coded), "--markdown")
    assert code == 1 and err.strip() == "loupe: --markdown formats the methods paragraphs; give it with --methods."
    with pytest.raises(SystemExit) as exit_:
        run(capsys, str(coded), "--methods", "--json")
    assert exit_.value.code == 2
