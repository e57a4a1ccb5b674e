"""The whole team cycle through the ``loupe`` command: new, import, coders, assign with
overlap, a package per coder, coding in each package, merge in any order and twice,
then agreement on the merged project."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from app.services.adjudication import adjudication_view, apply_all
from app.services.adjudication_edits import accept_answer, accept_relation, accept_span
from app.services.coding import article_listing, set_status
from app.services.projects import open_project, package_coder
from tests.team_fixtures import NO_MODEL, code, dump, write_articles

CODERS = ("alice", "bob", "carol")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code_ = main(list(args))
    captured = capsys.readouterr()
    assert code_ == 0, captured.err
    return captured.out


def rows_of_others(path: Path, others: dict[str, str]) -> list[tuple]:
    """Every cell in every table of ``path`` that names or identifies another coder."""
    found = []
    conn = sqlite3.connect(path)
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        for row in conn.execute(f'SELECT * FROM "{table}"'):
            found += [(table, cell) for cell in row if cell in others or cell in others.values()]
    conn.close()
    raw = path.read_bytes()
    found += [("bytes", key) for key in others if key.encode() in raw]
    return found


def code_package(path: Path, name: str, variant: int, overlap: set[str]) -> dict[str, int]:
    """Code every overlap article and two others; leave one more in progress."""
    expected = {"annotations": 0, "relations": 0, "answers": 0, "done": 0, "in_progress": 0}
    with open_project(path) as package:
        coder = package.store.coders.find(name)
        articles = {a.id: a for a in package.store.articles.list()}
        listing = article_listing(package, coder.id)
        shared = [row for row in listing if row.id in overlap]
        own = [row for row in listing if row.id not in overlap]
        for row in shared + own[:2]:
            made = code(package, articles[row.id], coder.id, variant=variant)
            expected["annotations"] += made["annotations"]
            expected["relations"] += made["relations"]
            expected["answers"] += made["answers"]
            expected["done"] += 1
        set_status(package, own[2].id, coder.id, "in_progress")
        expected["in_progress"] += 1
    return expected


def test_team_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lead = str(tmp_path / "study.loupe")
    run(capsys, "new", lead)
    out = run(capsys, "import", lead, str(write_articles(tmp_path, 30)), "--model", NO_MODEL)
    assert "Imported 30 articles" in out
    for name in CODERS:
        run(capsys, "coders", lead, "--add", name)
    run(capsys, "coders", lead, "--add", "gail", "--role", "adjudicator")
    out = run(capsys, "assign", lead, "--coders", ",".join(CODERS), "--overlap", "0.2", "--seed", "7")
    assert "Distributed 30 articles (6 in the overlap" in out
    loads = {r["name"]: r for r in json.loads(run(capsys, "assignments", lead, "--json"))}
    assert [loads[c]["assigned"] for c in CODERS] == [14, 14, 14]
    assert all(loads[c]["overlap"] == 6 for c in CODERS) and loads["gail"]["assigned"] == 0

    with open_project(lead) as project:
        ids = {c.name: c.id for c in project.store.coders.list()}
        shared = [a.id for a in project.store.articles.list()
                  if sum(r.id == a.id for c in CODERS for r in article_listing(project, ids[c])) == 3]
    assert len(shared) == 6
    packages = {name: tmp_path / f"{name}.loupe" for name in CODERS}
    for name, path in packages.items():
        run(capsys, "package", lead, "--coder", name, "-o", str(path))
        others = {ids[o]: o for o in ids if o != name}
        assert rows_of_others(path, others) == []
        assert package_coder(path) == name

    expected = {
        name: code_package(packages[name], name, variant, set(shared)) for variant, name in enumerate(CODERS)
    }

    # Any order, and every file twice: the second round changes nothing.
    run(capsys, "merge", lead, str(packages["carol"]), str(packages["alice"]))
    out = run(capsys, "merge", lead, str(packages["bob"]))
    assert "bob: annotations +16 -8; relations +8; answers +16; statuses ~9" in out
    merged = dump(Path(lead))
    out = run(capsys, "merge", lead, *(str(packages[n]) for n in ("bob", "carol", "alice")))
    assert out.count("nothing new") == 3 and "The project is unchanged." in out
    assert dump(Path(lead)) == merged
    assert len(list(tmp_path.glob("study.backup-*.loupe"))) == 2  # the unchanged round made none

    counts = json.loads(run(capsys, "info", lead, "--json"))
    assert counts["annotations"] == sum(e["annotations"] for e in expected.values()) == 48
    assert counts["relations"] == sum(e["relations"] for e in expected.values())
    assert counts["document_codes"] == sum(e["answers"] for e in expected.values())
    loads = {r["name"]: r for r in json.loads(run(capsys, "assignments", lead, "--json"))}
    for name in CODERS:
        assert (loads[name]["done"], loads[name]["in_progress"]) == (8, 1)
        assert loads[name]["todo"] == 14 - 8 - 1
    tables = dump(Path(lead))
    assert sum(row[12] is not None for row in tables["annotation"]) == 24  # one deleted span per article (deleted_at)

    report = json.loads(run(capsys, "agreement", lead, "--json", "--bootstrap", "0"))
    assert sorted(report["coders"]) == list(CODERS)
    assert len(report["articles"]) == 6
    measures = {m["name"]: m for m in report["questions"]}
    assert len(measures["relevance"]["disagreements"]) == 6  # carol said "no" on each
    assert measures["sourcing"]["disagreements"] == []
    pooled = measures["relevance"]["figures"][0]
    assert (pooled["scope"], pooled["n_units"], pooled["n_coders"]) == ("pooled", 6, 3)

    # After the merge the lead holds everyone's work; a new package still holds only its coder's.
    again = tmp_path / "alice-2.loupe"
    run(capsys, "package", lead, "--coder", "alice", "-o", str(again))
    others = {ids[o]: o for o in ids if o != "alice"}
    conn = sqlite3.connect(lead)
    for table in ("annotation", "relation", "document_code"):
        others.update((i, i) for (i,) in conn.execute(f"SELECT id FROM {table} WHERE coder_id != ?", (ids["alice"],)))
    conn.close()
    assert len(others) > 50
    assert rows_of_others(again, others) == []
    assert json.loads(run(capsys, "info", str(again), "--json"))["annotations"] == expected["alice"]["annotations"]

    # The command line refuses a bad file with one sentence and writes nothing.
    bad = tmp_path / "notes.txt"
    bad.write_text("not a project")
    result = subprocess.run(
        [sys.executable, "-m", "app", "merge", lead, str(packages["alice"]), str(bad)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "loupe: Nothing was merged: notes.txt is not a Loupe project (it is not a SQLite database).\n"
    )
    assert dump(Path(lead)) == merged

    # The lead adjudicates the overlap articles: agreements go into the gold at once, and
    # the gold (the adjudicator's coding) is what export --gold writes.
    progress = json.loads(run(capsys, "adjudicate", lead, "--adjudicator", "gail", "--accept-agreements", "--json"))
    assert len(progress["articles"]) == 6 and progress["accepted_edits"] == 6  # the unanimous sourcing
    assert all(a["coders"] == list(CODERS) and not a["done"] for a in progress["articles"])
    again = json.loads(run(capsys, "adjudicate", lead, "--adjudicator", "gail", "--accept-agreements", "--json"))
    assert again["accepted_edits"] == 0
    with open_project(lead) as project:  # the decisions the window would take: alice's versions
        gail = project.store.coders.find("gail").id
        for article in progress["articles"]:
            view = adjudication_view(project, article["article_id"], gail)
            for group in view.groups:
                apply_all(project, accept_span(project, view.article.id, gail, group.key, "alice"))
            for link in view.relations:
                apply_all(project, accept_relation(project, view.article.id, gail, link.key))
            apply_all(project, accept_answer(project, view.article.id, gail, "relevance", "yes"))
    out = run(capsys, "adjudicate", lead, "--adjudicator", "gail", "--finish")
    assert "Gold standard by gail: 6 overlap article(s), 6 finished" in out
    gold = tmp_path / "gold.jsonl"
    out = run(capsys, "export", lead, str(gold), "--gold")
    assert "Exported 6 articles, 12 annotations and 6 relations" in out
    assert len(gold.read_text(encoding="utf-8").splitlines()) == 6
