"""``loupe agreement``: the per-option block under a single choice, and in the JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.agreement import fleiss_kappa
from app.cli.main import main
from app.services.projects import Project
from tests.services.test_agreement_report import (
    RELEVANCE_ANA,
    RELEVANCE_BEN,
    Study,
    build_two_coders,
)


@pytest.fixture
def coded(project: Project, project_path: Path, tmp_path: Path) -> Path:
    build_two_coders(Study(project, tmp_path / "texts", 6))
    project.close()  # the command opens the file itself
    return project_path


def test_options_under_the_pooled_figures_and_in_json(coded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agreement", str(coded), "--bootstrap", "0"]) == 0
    lines = capsys.readouterr().out.splitlines()
    relevance = lines.index("relevance (single choice)")
    block = next(k for k in range(relevance, len(lines)) if lines[k].startswith("    per option"))
    assert lines[block].split() == ["per", "option", "chosen", "alpha", "kappa_j", "most", "confused", "with"]
    # After the four pooled figures, before the pair rows.
    assert block == relevance + 5 and "ana / ben" in lines[block + 3]
    units = [{"ana": a, "ben": b} for a, b in zip(RELEVANCE_ANA, RELEVANCE_BEN, strict=True)]
    kappa = f"{fleiss_kappa(units, category='yes').value:.3f}"
    # yes 6 times, no 4 times over articles 0-4; two articles yes against no: alpha 0.25.
    assert lines[block + 1].split() == ["yes", "6", "0.250", kappa, "no", "(2)"]
    assert lines[block + 2].split() == ["no", "4", "0.250", kappa, "yes", "(2)"]
    # The main coercion type was never answered: no block; ordinal scales have none.
    start = lines.index("main_coercion_type (single choice)")
    end = lines.index("sourcing (ordinal scale)")
    assert not any("per option" in line for line in lines[start:end])
    # A single-choice attribute has its block too, over the matched spans.
    actor_type = lines.index("Actor.actor_type (choice attribute)")
    police = next(line.split() for line in lines[actor_type:] if line.startswith("    police "))
    assert police[:2] == ["police", "3"] and police[-2:] == ["state_authority", "(1)"]
    assert end > start and max(len(line) for line in lines[relevance:end]) <= 106
    assert any("category-specific alpha" in line for line in lines[:8])
    assert main(["agreement", str(coded), "--json", "--bootstrap", "0"]) == 0
    data = json.loads(capsys.readouterr().out)
    options = next(m for m in data["questions"] if m["key"] == "question:relevance")["options"]
    assert [(o["option"], o["n_chosen"], o["confused_with"], o["n_confused"]) for o in options] == [
        ("yes", 6, "no", 2.0), ("no", 4, "yes", 2.0)
    ]
    assert options[0]["alpha"] == pytest.approx(0.25)
    main_type = next(m for m in data["questions"] if m["key"] == "question:main_coercion_type")
    assert all(o["alpha"] is None and o["n_chosen"] == 0 for o in main_type["options"])
