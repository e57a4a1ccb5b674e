"""``loupe plan-reliability`` and the warning of ``loupe assign`` on a small overlap."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.main import main
from tests.team_fixtures import team_project


def test_plan_reliability_prints_the_number_the_inputs_and_the_formula(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan-reliability", "--alpha-min", "0.8", "--p", "0.05", "--values", "4"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Minimum number of units: 139"
    assert "0.8" in out and "0.05" in out and "4 equiprobable values" in out
    assert "N = 2 z_p^2" in out and "Krippendorff" in out


def test_plan_reliability_takes_the_smallest_probability(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan-reliability", "--alpha-min", "0.667", "--smallest", "0.25"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "Minimum number of units: 81"


def test_plan_reliability_refuses_an_alpha_outside_zero_and_one(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["plan-reliability", "--alpha-min", "1.2"])
    assert exit_.value.code == 2
    assert "alpha-min must lie between 0 and 1" in capsys.readouterr().err


def test_assign_warns_in_one_sentence_when_the_overlap_is_below_the_minimum(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "study.loupe"
    team_project(path, n=20).close()
    assert main(["assign", str(path), "--coders", "alice,bob", "--overlap", "0.5", "--seed", "1"]) == 0
    out, err = capsys.readouterr()
    assert "Distributed 20 articles" in out
    (line,) = err.strip().splitlines()
    assert line.startswith("warning: The overlap of 10 article(s) is smaller than the ")
    assert "plan-reliability" in line


def test_assign_to_one_coder_says_nothing_of_the_overlap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "study.loupe"
    team_project(path, n=5).close()
    assert main(["assign", str(path), "--coders", "alice", "--seed", "1"]) == 0
    assert capsys.readouterr().err == ""


def test_assign_counts_the_overlap_already_assigned_on_a_second_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.services.importing import import_articles
    from app.services.projects import open_project
    from app.services.reliability_plan import overlap_articles
    from tests.team_fixtures import NO_MODEL, write_articles

    path = tmp_path / "study.loupe"
    team_project(path, n=20).close()
    assert main(["assign", str(path), "--coders", "alice,bob", "--overlap", "0.5", "--seed", "1"]) == 0
    capsys.readouterr()
    more = tmp_path / "more"
    more.mkdir()
    with open_project(path) as project:
        import_articles(project, [write_articles(more, 4, start=20)], model=NO_MODEL)
    assert main(["assign", str(path), "--coders", "alice,bob", "--overlap", "0.5", "--seed", "2"]) == 0
    out, err = capsys.readouterr()
    assert "Distributed 4 articles" in out
    with open_project(path) as project:
        assert overlap_articles(project) == 12  # 10 before, 2 of the new 4
    assert err.startswith("warning: The overlap of 12 article(s) is smaller than the ")
