"""``loupe server init/export`` and the read-only commands on a PostgreSQL URL."""

from __future__ import annotations

import json

import pytest

from app.cli.main import main
from app.store import migrate
from tests.server.conftest import login
from tests.team_fixtures import dump

#: FTS5's own tables: their pages depend on how the index was built, not on the rows.
_SEARCH_INDEX = "article_fts"


def _rows(path):
    return {table: rows for table, rows in dump(path).items() if not table.startswith(_SEARCH_INDEX)}


def test_init_copies_every_row_and_export_gives_them_back(pg_cluster, server_url, study, tmp_path, capsys):
    assert main(["server", "init", server_url, "--from", str(study.path)]) == 0
    assert "Published study.loupe" in capsys.readouterr().out
    original = _rows(study.path)
    with login(pg_cluster, server_url, "lead", "pw") as conn:
        for table, rows in original.items():
            (count,) = conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()
            assert count == len(rows), table
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        assert revision == migrate.HEAD
        kinds = dict(conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'annotation' AND column_name IN ('attributes', 'uncertain')"
        ).fetchall())
        assert kinds == {"attributes": "json", "uncertain": "boolean"}
        # The integer keys go on after the copied ones.
        (next_id,) = conn.execute("SELECT nextval(pg_get_serial_sequence('assignment', 'id'))").fetchone()
        assert next_id == len(original["assignment"]) + 1
    assert sum(len(rows) for rows in original.values()) > 60
    assert all(original[table] for table in original if table != "alembic_version"), "a table is empty"

    back = tmp_path / "back.loupe"
    assert main(["server", "export", server_url, str(back)]) == 0
    assert _rows(back) == original
    assert main(["info", str(back), "--json"]) == 0  # opens as a project file (and is indexed)


def test_init_refuses_a_database_that_holds_tables(pg_cluster, server_url, study, capsys):
    assert main(["server", "init", server_url, "--from", str(study.path)]) == 0
    capsys.readouterr()
    assert main(["server", "init", server_url, "--from", str(study.path)]) == 1
    err = capsys.readouterr().err
    assert "already holds tables" in err
    assert ":pw@" not in err  # never the password


def test_info_agreement_and_export_read_the_url(pg_cluster, server_url, study, tmp_path, capsys):
    assert main(["server", "init", server_url, "--from", str(study.path)]) == 0
    capsys.readouterr()
    assert main(["info", str(study.path), "--json"]) == 0
    local = json.loads(capsys.readouterr().out)
    assert main(["info", server_url, "--json"]) == 0
    remote = json.loads(capsys.readouterr().out)
    local.pop("path"), remote.pop("path")
    assert remote == local
    assert remote["annotations"] == 2 * 4 * 2 + 2

    assert main(["agreement", str(study.path), "--json", "--bootstrap", "0"]) == 0
    local_report = json.loads(capsys.readouterr().out)
    assert main(["agreement", server_url, "--json", "--bootstrap", "0"]) == 0
    remote_report = json.loads(capsys.readouterr().out)
    local_report.pop("project", None), remote_report.pop("project", None)
    assert remote_report == local_report

    from openpyxl import load_workbook

    for source, name in ((str(study.path), "local.xlsx"), (server_url, "remote.xlsx")):
        assert main(["export", source, str(tmp_path / name)]) == 0
    local_book, remote_book = (load_workbook(tmp_path / n, read_only=True) for n in ("local.xlsx", "remote.xlsx"))
    assert local_book.sheetnames == remote_book.sheetnames
    assert {"Annotations", "Relations", "Article answers", "Agreement"} <= set(local_book.sheetnames)
    for sheet in local_book.sheetnames:
        if sheet != "Summary":  # names the project's file
            assert list(remote_book[sheet].values) == list(local_book[sheet].values), sheet


@pytest.mark.parametrize("url_tail", ["/no_such_database"])
def test_a_database_that_cannot_be_reached_is_one_sentence(pg_cluster, url_tail, capsys):
    url = pg_cluster.url("x").rsplit("/", 1)[0] + url_tail
    assert main(["info", url]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert ":pw@" not in err


def test_lead_commands_on_the_url(pg_cluster, server_url, study, tmp_path, capsys):
    from tests.team_fixtures import write_articles

    assert main(["server", "init", server_url, "--from", str(study.path)]) == 0
    new_articles = write_articles(tmp_path, 2, start=100)
    assert main(["import", server_url, str(new_articles), "--model", "no_such_pipeline_xyz"]) == 0
    assert main(["coders", server_url, "--add", "zed"]) == 0
    assert main(["assign", server_url, "--coders", "ana,ben,zed", "--overlap", "0"]) == 0
    capsys.readouterr()
    assert main(["assignments", server_url]) == 0
    assert "zed" in capsys.readouterr().out
    assert main(["info", server_url, "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert (counts["articles"], counts["coders"]) == (14, 5)
    assert counts["path"] == server_url.replace(":pw@", ":***@")
    with login(pg_cluster, server_url, "lead", "pw") as conn:
        new = conn.execute(
            "SELECT a.id, COUNT(s.id) FROM article a LEFT JOIN assignment s ON s.article_id = a.id "
            "WHERE a.position > 12 GROUP BY a.id"
        ).fetchall()
    assert sorted(n for _id, n in new) == [1, 1]  # each new article to one coder


def test_adjudicate_on_the_url_decides_as_on_the_file_and_open_summarises_the_url(
    pg_cluster, server_url, study, capsys
):
    assert main(["server", "init", server_url, "--from", str(study.path)]) == 0
    capsys.readouterr()
    reports = []
    for target in (str(study.path), server_url):
        assert main(["adjudicate", target, "--adjudicator", "judy", "--accept-agreements", "--json"]) == 0
        reports.append(json.loads(capsys.readouterr().out))
    assert reports[0] == reports[1]
    with login(pg_cluster, server_url, "lead", "pw") as conn:
        (gold,) = conn.execute(
            "SELECT COUNT(*) FROM annotation a JOIN coder c ON c.id = a.coder_id "
            "WHERE c.name = 'judy' AND a.deleted_at IS NULL"
        ).fetchone()
    assert gold == dump_live_gold(study.path) > 1  # judy's own span and the accepted ones
    capsys.readouterr()
    assert main(["open", server_url, "--summary"]) == 0  # the window itself: test_server_window.py
    out = capsys.readouterr().out
    assert "Articles     12" in out and ":pw@" not in out and ":***@" in out


def dump_live_gold(path):
    rows = dump(path)
    judy = next(row[0] for row in rows["coder"] if row[1] == "judy")
    return sum(1 for row in rows["annotation"] if row[2] == judy and row[12] is None)


def test_a_failed_copy_leaves_the_database_empty(pg_cluster, server_url, study, capsys):
    import sqlite3

    # PostgreSQL's text cannot hold NUL, which SQLite's can: the last article fails the copy.
    with sqlite3.connect(study.path) as raw:
        raw.execute(
            "UPDATE article SET title = ? WHERE position = (SELECT MAX(position) FROM article)", ("nul\x00here",)
        )
    raw.close()
    assert main(["server", "init", server_url, "--from", str(study.path)]) == 1
    err = capsys.readouterr().err.strip()
    assert "the copy was undone" in err and err.count("\n") == 0 and ":pw@" not in err
    with login(pg_cluster, server_url, "lead", "pw") as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    assert tables == []


def test_the_migrations_make_the_models_tables_on_postgresql(pg_cluster, server_url, study):
    from app.store.schema import Base

    assert main(["server", "init", server_url, "--from", str(study.path)]) == 0
    with login(pg_cluster, server_url, "lead", "pw") as conn:
        columns = conn.execute(
            "SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'"
        ).fetchall()
        indexes = dict(conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'").fetchall())
        keys = conn.execute(
            "SELECT tc.table_name, kcu.column_name, ccu.table_name FROM information_schema.table_constraints tc "
            "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name "
            "JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name "
            "WHERE tc.constraint_type = 'FOREIGN KEY'"
        ).fetchall()
    expected_columns = {
        (table.name, column.name, "YES" if column.nullable else "NO")
        for table in Base.metadata.sorted_tables for column in table.columns
    }
    search_rows = {("article_search", "article_id", "NO"), ("article_search", "document", "NO")}  # 0009
    assert set(columns) - {("alembic_version", "version_num", "NO")} == expected_columns | search_rows
    for table in Base.metadata.sorted_tables:
        for index in table.indexes:
            assert index.name in indexes, index.name
    for name in ("annotation", "relation", "document_code"):
        assert indexes[f"ix_{name}_tombstone"].endswith("WHERE (deleted_at IS NOT NULL)")
    assert "UNIQUE" in indexes["ix_article_position"]
    expected_keys = {
        (table.name, fk.parent.name, fk.column.table.name)
        for table in Base.metadata.sorted_tables for fk in table.foreign_keys
    }
    assert set(keys) == expected_keys | {("article_search", "article_id", "article")}


def test_new_on_a_url_makes_a_secured_project_once(pg_cluster, server_url, capsys):
    assert main(["new", server_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Created postgresql+psycopg://lead:***@") and ":pw@" not in out
    with login(pg_cluster, server_url, "lead", "pw") as conn:
        assert conn.execute("SELECT COUNT(*) FROM project").fetchone() == (1,)
        secured = {row[0] for row in conn.execute("SELECT DISTINCT tablename FROM pg_policies").fetchall()}
    assert {"annotation", "article", "assignment", "relation", "document_code"} <= secured
    assert main(["new", server_url]) == 1
    assert "already holds tables" in capsys.readouterr().err
    with login(pg_cluster, server_url, "lead", "pw") as conn:
        assert conn.execute("SELECT COUNT(*) FROM project").fetchone() == (1,)
