"""Opening a project on PostgreSQL checks its schema: a database made by a newer Loupe is
refused with one sentence for every login; one made by an older Loupe is migrated only
when its owner (the lead) opens it, and refused with a sentence for a coder's login."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.store import migrate
from tests.server.conftest import Study, login
from tests.server.test_server_commands import run


@pytest.fixture
def published(pg_cluster, server_url: str, study: Study, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """(the study file, the URL of the database it was published into)."""
    assert main(["server", "init", server_url, "--from", str(study.path)]) == 0
    capsys.readouterr()
    return str(study.path), server_url


def _coder_url(pg_cluster, url: str, name: str, tmp_path: Path, capsys) -> str:
    """The URL of coder ``name``'s new login (made with ``loupe server passwd``)."""
    password = tmp_path / f"{name}.pw"
    password.write_text(f"secret-{name}\n", encoding="utf-8")
    assert main(["server", "passwd", url, name, "--password-file", str(password)]) == 0
    capsys.readouterr()
    return pg_cluster.url(url.rsplit("/", 1)[1], user=name, password=f"secret-{name}")


def _revision(pg_cluster, url: str) -> str:
    with login(pg_cluster, url, "lead", "pw") as conn:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def test_a_database_of_a_newer_loupe_is_refused_for_the_lead_and_the_coders(published, pg_cluster, capsys, tmp_path):
    _path, url = published
    ana = _coder_url(pg_cluster, url, "ana", tmp_path, capsys)
    with login(pg_cluster, url, "lead", "pw") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    for target in (url, ana):
        for command in (["info", target], ["search", target, "Kiresk"], ["agreement", target]):
            code, out, err = run(capsys, *command)
            assert (code, out) == (1, "")
            assert "was written by a newer version of Loupe; update Loupe to open it." in err
            assert err.count("\n") == 1 and "secret" not in err and ":pw@" not in err
    assert _revision(pg_cluster, url) == "9999"


def test_an_older_database_is_upgraded_by_its_owner_only(published, pg_cluster, capsys, tmp_path):
    path, url = published
    ana = _coder_url(pg_cluster, url, "ana", tmp_path, capsys)
    with login(pg_cluster, url, "lead", "pw") as conn:  # as a Loupe of schema 0008 left it
        conn.execute("DROP TABLE article_search")
        conn.execute("UPDATE alembic_version SET version_num = '0008'")
    code, out, err = run(capsys, "info", ana)
    assert (code, out) == (1, "")
    assert "holds a project of an older version of Loupe (schema 0008); ask the project's lead to upgrade it" in err
    assert err.count("\n") == 1 and "secret" not in err
    assert _revision(pg_cluster, url) == "0008"

    assert run(capsys, "info", url)[0] == 0  # the owner: migrated, search rows written
    assert _revision(pg_cluster, url) == migrate.HEAD
    with login(pg_cluster, url, "lead", "pw") as conn:
        assert conn.execute("SELECT count(*) FROM article_search").fetchone() == (12,)
    code, out, err = run(capsys, "search", ana, "Kiresk", "--json")  # the coder's grants came back too
    assert (code, err) == (0, "")
    seen = {hit["article_id"] for hit in json.loads(out)["hits"]}
    code, on_file, _ = run(capsys, "search", path, "Kiresk", "--json", "--coder", "ana")
    assert seen == {hit["article_id"] for hit in json.loads(on_file)["hits"]} != set()
