"""``loupe server init/export`` and the read-only commands on a PostgreSQL URL."""

from __future__ import annotations

import json

import pytest

from app.cli.main import main
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
        assert revision == "0007"
        kinds = dict(conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'annotation' AND column_name IN ('attributes', 'uncertain')"
        ).fetchall())
        assert kinds == {"attributes": "json", "uncertain": "boolean"}
        # The integer keys go on after the copied ones.
        (next_id,) = conn.execute("SELECT nextval(pg_get_serial_sequence('assignment', 'id'))").fetchone()
        assert next_id == len(original["assignment"]) + 1
    assert sum(len(rows) for rows in original.values()) > 60

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
