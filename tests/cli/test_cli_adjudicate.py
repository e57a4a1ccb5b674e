"""``loupe adjudicate``: progress per article, accepting agreements, finishing, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.services.adjudication import apply_all
from app.services.adjudication_edits import (
    accept_answer,
    accept_relation,
    accept_span,
    reject_group,
)
from app.services.projects import Project
from tests.services.test_adjudication import Gold


def run(capsys: pytest.CaptureFixture[str], *args: str, code: int = 0) -> str:
    assert main(list(args)) == code
    captured = capsys.readouterr()
    return captured.out if code == 0 else captured.err


@pytest.fixture
def gold(project: Project, tmp_path: Path) -> Gold:
    return Gold(project, tmp_path / "texts")


def test_progress_accept_finish_and_export(gold: Gold, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = gold.project.store.location
    out = run(capsys, "adjudicate", path, "--adjudicator", "gail")
    assert "Gold standard by gail: 1 overlap article(s), 0 finished" in out
    row = next(line for line in out.splitlines() if line.startswith("Report 0"))
    assert row.split()[-7:] == ["4", "1", "0/4", "0/1", "0/2", "7", "open"]

    data = json.loads(run(capsys, "adjudicate", path, "--adjudicator", "gail", "--accept-agreements", "--json"))
    assert data["accepted_edits"] == 2
    (article,) = data["articles"]
    assert (article["decided"], article["questions_decided"], article["undecided"]) == (1, 1, 5)
    again = json.loads(run(capsys, "adjudicate", path, "--adjudicator", "gail", "--accept-agreements", "--json"))
    assert again["accepted_edits"] == 0

    view = gold.view()
    for key, coder in ((view.groups[1].key, "ben"), (view.groups[3].key, "ana")):
        apply_all(gold.project, accept_span(gold.project, gold.a0, gold.gail, key, coder))
    apply_all(gold.project, reject_group(gold.project, gold.a0, gold.gail, view.groups[2].key))
    apply_all(gold.project, accept_relation(gold.project, gold.a0, gold.gail, view.relations[0].key))
    apply_all(gold.project, accept_answer(gold.project, gold.a0, gold.gail, "sourcing", "single_source"))
    out = run(capsys, "adjudicate", path, "--adjudicator", "gail", "--finish")
    assert "Marked the gold done on 1 article(s)." in out
    assert next(line for line in out.splitlines() if line.startswith("Report 0")).endswith("done")

    target = tmp_path / "gold.jsonl"
    out = run(capsys, "export", path, str(target), "--gold")
    assert "Exported 1 article, 3 annotations and 1 relation" in out
    (record,) = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert "Anton Korolev" in json.dumps(record, ensure_ascii=False)


def test_new_adjudicator_and_refusals(gold: Gold, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = gold.project.store.location
    run(capsys, "adjudicate", path, "--adjudicator", "hugo")
    assert gold.project.store.coders.find("hugo").role == "adjudicator"
    err = run(capsys, "adjudicate", path, "--adjudicator", "ana", code=1)
    assert err == "loupe: ana is a coder of this project, not an adjudicator; choose another name.\n"
    empty = tmp_path / "empty.loupe"
    run(capsys, "new", str(empty))
    err = run(capsys, "adjudicate", str(empty), "--adjudicator", "gail", code=1)
    assert "nothing to adjudicate" in err and err.count("\n") == 1
