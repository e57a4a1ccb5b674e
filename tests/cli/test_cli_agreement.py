"""``loupe agreement``: the table, JSON, the coder filter, intervals and refusals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from app.services.projects import Project
from tests.services.test_agreement_report import Study, build_two_coders


@pytest.fixture
def coded(project: Project, project_path: Path, tmp_path: Path) -> Path:
    build_two_coders(Study(project, tmp_path / "texts", 6))
    project.close()  # the command opens the file itself
    return project_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["agreement", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_table_is_grouped_and_fixed_width(coded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(coded), "--bootstrap", "200")
    assert code == 0 and err == ""
    lines = out.splitlines()
    headings = [line for line in lines if line in ("ARTICLE QUESTIONS", "SPANS", "ATTRIBUTES", "RELATIONS")]
    assert headings == ["ARTICLE QUESTIONS", "SPANS", "ATTRIBUTES", "RELATIONS"]
    assert "Coders: ana, ben." in out and "finished by one only (not counted): 1" in out
    relevance = lines.index("relevance (single choice)")
    alpha = lines[relevance + 1].split()
    # alpha = 0.25 over 5 units and 2 coders, with 2 disagreements.
    assert alpha[:5] == ["all", "coders", "alpha", "(nominal)", "0.250"] and alpha[-3:] == ["5", "2", "2"]
    assert alpha[5].startswith("[") and alpha[6].endswith("]")
    kappa = next(line for line in lines[relevance:] if "Cohen's kappa" in line)
    assert kappa.split()[:6] == ["ana", "/", "ben", "Cohen's", "kappa", "0.167"]
    actor = lines.index("Actor (span label)")
    assert "F1 (exact)" in lines[actor + 2] and "0.889" in lines[actor + 2]
    table = lines[lines.index("ARTICLE QUESTIONS") : lines.index("METHODS")]
    columns = {line.index("Coefficient") for line in table if line.startswith("Measure")}
    assert len(columns) == 1 and max(len(line) for line in table) <= 106
    header = next(line for line in table if line.startswith("Measure"))
    end = header.index("Value") + len("Value")
    rows = [line for line in table if line[31:58].startswith(("alpha", "F1", "% agreement"))]
    assert len(rows) > 20 and all(line[end - 1] in "0123456789a" and line[end] == " " for line in rows)
    assert "KALPHA" in out and "Gwet (2014)" in out and "concatenated continuum" in out
    assert "NOT MEASURED" not in out  # the default codebook has nothing free-text


def test_json_has_the_report_and_follows_bootstrap_and_seed(
    coded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, str(coded), "--json", "--bootstrap", "100", "--seed", "3")
    assert code == 0
    data = json.loads(out)
    assert {"project", "coders", "pairs", "articles", "settings", "methods", "questions", "spans",
            "attributes", "relations", "not_measured"} <= data.keys()
    assert data["coders"] == ["ana", "ben"] and len(data["articles"]) == 5
    relevance = next(m for m in data["questions"] if m["key"] == "question:relevance")
    interval = relevance["figures"][0]["interval"]
    assert interval["method"] == "kalpha" and interval["n_resamples"] == 100 and interval["seed"] == 3
    assert [d["article_id"] for d in relevance["disagreements"]] == [
        data["articles"][1]["id"], data["articles"][4]["id"]
    ]
    assert run(capsys, str(coded), "--json", "--bootstrap", "100", "--seed", "3")[1] == out
    assert run(capsys, str(coded), "--json", "--bootstrap", "100", "--seed", "4")[1] != out
    _, quiet, _ = run(capsys, str(coded), "--json", "--bootstrap", "0")
    figures = [f for m in json.loads(quiet)["questions"] for f in m["figures"] + m["pairs"]]
    assert figures and all(f["interval"] is None for f in figures)


def test_coder_filter_and_refusals(project: Project, project_path: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    study = build_two_coders(Study(project, tmp_path / "texts", 6))
    study.coder("cleo")
    study.done("cleo", 0)
    project.close()
    code, out, _ = run(capsys, str(project_path), "--json", "--bootstrap", "0")
    assert json.loads(out)["coders"] == ["ana", "ben", "cleo"]
    code, out, _ = run(capsys, str(project_path), "--json", "--bootstrap", "0", "--coders", "ben, ana")
    data = json.loads(out)
    assert code == 0 and data["coders"] == ["ana", "ben"] and data["pairs"] == [["ana", "ben"]]
    code, out, err = run(capsys, str(project_path), "--coders", "ana,zoe")
    assert code == 1 and out == ""
    assert err.startswith("loupe: There is no coder named 'zoe' in this project") and err.count("\n") == 1
    code, _, err = run(capsys, str(project_path), "--coders", "ana,cleo", "--bootstrap", "0")
    assert code == 0  # article 0 was finished by both
    with pytest.raises(SystemExit) as usage:
        main(["agreement", str(project_path), "--bootstrap", "1"])
    assert usage.value.code == 2
    with pytest.raises(SystemExit) as shown:
        main(["agreement", "--help"])
    assert shown.value.code == 0 and "--coders" in capsys.readouterr().out


def test_nothing_finished_by_two_coders_exits_1(project: Project, project_path: Path, tmp_path: Path) -> None:
    study = Study(project, tmp_path / "texts", 2)
    study.coder("ana")
    study.coder("ben")
    study.answers("relevance", {"ana": ["yes"], "ben": ["no"]})
    study.done("ana", 0)
    project.close()
    result = subprocess.run(
        [sys.executable, "-m", "app", "agreement", str(project_path)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("loupe: No article has been finished by two or more coders yet; ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
