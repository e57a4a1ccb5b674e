"""Coder packages: only the coder's articles and work, the same project and codebook, and
not a byte of any other coder's work, even of deleted rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.edits import ChangeAnnotation
from app.services.assignment import assign
from app.services.coding import article_listing, load_article
from app.services.editing import add_annotation, apply_edit
from app.services.packages import PackageError, write_package
from app.services.projects import Project, open_project, package_coder
from tests.team_fixtures import code, dump, team_project

SECRET = "BOB-PRIVATE-NOTE-7f3a"


@pytest.fixture
def lead(tmp_path: Path) -> Project:
    """30 articles for alice and bob (overlap 6); both have coded an overlap article in
    the lead's file; bob also wrote, edited and deleted a span with a private note."""
    path = tmp_path / "lead" / "study.loupe"
    path.parent.mkdir()
    with team_project(path, n=30, coders=("alice", "bob", "carol")) as project:
        assign(project, ["alice", "bob"], overlap=0.2, seed=2)
        articles = {a.id: a for a in project.store.articles.list()}
        project.store.articles.replace_entities(
            {article_id: [(0, 6, "ORG"), (10, 12, "CARDINAL")] for article_id in articles}, model="test"
        )
        alice = project.store.coders.find("alice")
        bob = project.store.coders.find("bob")
        shared = next(
            a for a in articles
            if {r.id for r in article_listing(project, alice.id)} >= {a}
            and a in {r.id for r in article_listing(project, bob.id)}
        )
        code(project, articles[shared], alice.id)
        code(project, articles[shared], bob.id, variant=1)
        note = add_annotation(
            project, article_id=shared, coder_id=bob.id, label="Claim", start=0, end=6, note=SECRET
        )
        apply_edit(project, ChangeAnnotation(note.id, {"note": SECRET + " edited"}))
        project.store.annotations.remove(note.id, "2030-01-01T00:00:00+00:00")
    with open_project(path) as project:
        yield project


def ids_of(project: Project, name: str) -> set[str]:
    """The coder's id and the ids of all their rows, live or deleted."""
    coder = project.store.coders.find(name)
    ids = {coder.id}
    with sqlite3.connect(project.store.location) as conn:
        for table in ("annotation", "relation", "document_code"):
            ids |= {i for (i,) in conn.execute(f"SELECT id FROM {table} WHERE coder_id = ?", (coder.id,))}
    return ids


def test_package_holds_only_the_coders_articles_and_work(lead: Project, tmp_path: Path) -> None:
    target = tmp_path / "alice.loupe"
    report = write_package(lead, "alice", target)
    alice = lead.store.coders.find("alice")
    mine = {row.id for row in article_listing(lead, alice.id)}
    assert (report.articles, report.entities) == (len(mine), 2 * len(mine))
    assert (report.annotations, report.relations, report.answers) == (2, 1, 2)
    tables = dump(target)
    lead_tables = dump(Path(lead.store.location))
    assert tables["project"][0][:4] == lead_tables["project"][0][:4]  # same id, name, codebook
    assert tables["codebook"] == lead_tables["codebook"]
    assert tables["alembic_version"] == lead_tables["alembic_version"]
    assert {row[0] for row in tables["article"]} == mine
    assert [row[1] for row in tables["coder"]] == ["alice"]
    assert {row[2] for row in tables["assignment"]} == {alice.id} and len(tables["assignment"]) == len(mine)
    assert len(tables["annotation"]) == 3  # two live spans and the one she deleted
    assert tables["merge_log"] == []
    assert not list(tmp_path.glob(".alice.loupe*")) and not list(tmp_path.glob("alice.loupe-*"))
    with open_project(target) as package:
        assert package.store.codebook()[3] == lead.store.codebook()[3]
        listing = article_listing(package, alice.id)
        assert {row.id for row in listing} == mine
        bundle = load_article(package, listing[0].id, alice.id)
        assert [(e.start, e.end, e.label) for e in bundle.entities] == [(0, 6, "ORG"), (10, 12, "CARDINAL")]


def test_no_trace_of_other_coders_in_any_table_or_byte(lead: Project, tmp_path: Path) -> None:
    target = tmp_path / "alice.loupe"
    write_package(lead, "alice", target)
    others = ids_of(lead, "bob") | ids_of(lead, "carol") | ids_of(lead, "lena")
    names = {"bob", "carol", "lena"}
    conn = sqlite3.connect(target)
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        for row in conn.execute(f'SELECT * FROM "{table}"'):
            for cell in row:
                assert cell not in others and cell not in names, (table, row)
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    conn.close()
    raw = target.read_bytes()
    assert SECRET.encode() not in raw
    for secret in others | names:
        assert secret.encode() not in raw, secret
    # The lead's own file does hold them (so the test above can fail).
    with sqlite3.connect(lead.store.location) as lead_conn:
        assert lead_conn.execute("SELECT COUNT(*) FROM annotation WHERE note LIKE ?", (SECRET + "%",)).fetchone() == (1,)


def test_package_coder_names_the_coder_of_a_package_only(lead: Project, tmp_path: Path) -> None:
    target = tmp_path / "bob.loupe"
    write_package(lead, "bob", target)
    assert package_coder(target) == "bob"
    assert package_coder(lead.store.location) is None


def test_package_refusals_leave_no_file(lead: Project, tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="no coder named 'dora'"):
        write_package(lead, "dora", tmp_path / "dora.loupe")
    with pytest.raises(PackageError, match="carol has no assigned articles"):
        write_package(lead, "carol", tmp_path / "carol.loupe")
    existing = tmp_path / "taken.loupe"
    existing.write_text("keep")
    with pytest.raises(PackageError, match="already exists"):
        write_package(lead, "alice", existing)
    assert existing.read_text() == "keep"
    write_package(lead, "alice", tmp_path / "alice.loupe")
    with open_project(tmp_path / "alice.loupe") as package:
        with pytest.raises(PackageError, match="itself a package for alice"):
            write_package(package, "alice", tmp_path / "again.loupe")
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["alice.loupe", "taken.loupe"]


def test_cli_package(lead: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "alice.loupe"
    assert main(["package", lead.store.location, "--coder", "alice", "-o", str(target)]) == 0
    assert "Wrote" in capsys.readouterr().out and package_coder(target) == "alice"
    assert main(["package", lead.store.location, "--coder", "alice", "-o", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err
