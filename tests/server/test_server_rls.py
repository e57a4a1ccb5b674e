"""Logins and row-level security: each coder's login, with plain SQL, sees and changes
only what is theirs; an adjudicator reads the coders' rows on the articles it adjudicates.
"""

from __future__ import annotations

import uuid

import pytest

from app.cli.main import main
from tests.server.conftest import login

PASSWORDS = {"ana": "ana-secret", "ben": "ben % secret 'quoted'", "judy": "judy-secret"}


@pytest.fixture
def published(pg_cluster, server_url, study, tmp_path, capsys):
    assert main(["server", "init", server_url, "--from", str(study.path)]) == 0
    for name, password in PASSWORDS.items():
        secret = tmp_path / f"{name}.pw"
        secret.write_text(password + "\n", encoding="utf-8")
        assert main(["server", "passwd", server_url, name, "--password-file", str(secret)]) == 0
    assert "the login of judy." in capsys.readouterr().out  # created, or reset: roles are per cluster
    with login(pg_cluster, server_url, "lead", "pw") as lead:
        # ana has a discontinuous span (the study's); ben gets one too.
        lead.execute(
            "INSERT INTO annotation_fragment (annotation_id, start, \"end\") "
            "SELECT id, start, \"end\" FROM annotation WHERE coder_id = %s ORDER BY id LIMIT 1",
            (study.coders["ben"],),
        )
    return server_url


def _as(pg_cluster, url, name):
    return login(pg_cluster, url, name, PASSWORDS[name])


def _one_column(conn, sql, *params):
    return {row[0] for row in conn.execute(sql, params).fetchall()}


def _coded(pg_cluster, url, coder_id):
    with login(pg_cluster, url, "lead", "pw") as lead:
        return lead.execute(
            "SELECT id, note, revision, deleted_at FROM annotation WHERE coder_id = %s ORDER BY id", (coder_id,)
        ).fetchall()


@pytest.mark.parametrize(("me", "other"), [("ana", "ben"), ("ben", "ana")])
def test_a_coder_reads_only_their_articles_and_rows(pg_cluster, published, study, me, other):
    mine, theirs = study.coders[me], study.coders[other]
    with _as(pg_cluster, published, me) as conn:
        assert _one_column(conn, "SELECT id FROM article") == study.assigned[me]
        assert _one_column(conn, "SELECT article_id FROM entity") == study.assigned[me]
        assert _one_column(conn, "SELECT coder_id FROM assignment") == {mine}
        assert _one_column(conn, "SELECT name FROM coder") == {me}
        assert _one_column(conn, "SELECT coder_id FROM annotation") == {mine}
        assert _one_column(conn, "SELECT coder_id FROM relation") == {mine}
        assert _one_column(conn, "SELECT coder_id FROM document_code") == {mine}
        assert conn.execute("SELECT COUNT(*) FROM annotation WHERE coder_id = %s", (theirs,)).fetchone() == (0,)
        fragments = _one_column(
            conn, "SELECT a.coder_id FROM annotation_fragment f JOIN annotation a ON a.id = f.annotation_id"
        )
        assert fragments == {mine}
        with login(pg_cluster, published, "lead", "pw") as lead:
            expected = lead.execute(
                "SELECT f.annotation_id, f.start FROM annotation_fragment f JOIN annotation a "
                "ON a.id = f.annotation_id WHERE a.coder_id = %s", (mine,)
            ).fetchall()
        assert expected
        assert set(conn.execute("SELECT annotation_id, start FROM annotation_fragment").fetchall()) == set(expected)
        assert conn.execute("SELECT COUNT(*) FROM project").fetchone() == (1,)
        assert conn.execute("SELECT COUNT(*) FROM codebook").fetchone() == (1,)
        unassigned = study.articles - study.assigned[me]
        assert unassigned
        assert conn.execute("SELECT COUNT(*) FROM article WHERE id = ANY(%s)", (list(unassigned),)).fetchone() == (0,)
        import psycopg

        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT COUNT(*) FROM merge_log")


@pytest.mark.parametrize(("me", "other"), [("ana", "ben"), ("ben", "ana")])
def test_a_coder_cannot_change_another_coders_rows(pg_cluster, published, study, me, other):
    import psycopg

    mine, theirs = study.coders[me], study.coders[other]
    before = _coded(pg_cluster, published, theirs)
    assert before
    with _as(pg_cluster, published, me) as conn:
        for sql in (
            "UPDATE annotation SET note = 'mine now' WHERE coder_id = %s",
            "UPDATE annotation SET deleted_at = '2026-01-01' WHERE coder_id = %s",
            "DELETE FROM annotation WHERE coder_id = %s",
            "DELETE FROM relation WHERE coder_id = %s",
            "UPDATE document_code SET value = '\"no\"' WHERE coder_id = %s",
            "UPDATE assignment SET status = 'todo' WHERE coder_id = %s",
        ):
            assert conn.execute(sql, (theirs,)).rowcount == 0, sql
        shared = sorted(study.assigned[me] & study.assigned[other])
        row = _annotation_values(shared[0], theirs)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(_INSERT, row)
        # Nor into their own name on an article that is not theirs.
        foreign = sorted(study.assigned[other] - study.assigned[me])[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(_INSERT, _annotation_values(foreign, mine))
        # Nor hand their own row to the other coder.
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("UPDATE annotation SET coder_id = %s WHERE coder_id = %s", (theirs, mine))
        # Nor assign themselves an article, nor move an assignment.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO assignment (article_id, coder_id, status, assigned, seconds_spent, "
                         "updated_at) VALUES (%s, %s, 'todo', true, 0, '')", (foreign, mine))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE assignment SET coder_id = %s WHERE coder_id = %s", (theirs, mine))
        # Nor tie their relation, or a fragment, to the other coder's annotation.
        with login(pg_cluster, published, "lead", "pw") as lead:
            (other_span,) = lead.execute(
                "SELECT id FROM annotation WHERE coder_id = %s ORDER BY id LIMIT 1", (theirs,)
            ).fetchone()
            own_span, own_article = lead.execute(
                "SELECT id, article_id FROM annotation WHERE coder_id = %s ORDER BY id LIMIT 1", (mine,)
            ).fetchone()
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "INSERT INTO relation (id, article_id, coder_id, label, source_id, target_id, attributes, "
                "created_at, updated_at, revision) VALUES (%s, %s, %s, 'said_by', %s, %s, '{}', '', '', 1)",
                (str(uuid.uuid4()), own_article, mine, own_span, other_span),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("INSERT INTO annotation_fragment VALUES (%s, 0, 1)", (other_span,))
        # What is theirs they change.
        assert conn.execute(_INSERT, _annotation_values(shared[0], mine)).rowcount == 1
        assert conn.execute("UPDATE annotation SET note = 'checked' WHERE coder_id = %s", (mine,)).rowcount >= 2
        assert conn.execute("UPDATE assignment SET status = 'done' WHERE article_id = %s", (shared[0],)).rowcount == 1
    assert _coded(pg_cluster, published, theirs) == before


def test_an_adjudicator_reads_every_coder_on_its_articles_and_writes_only_gold(pg_cluster, published, study):
    import psycopg

    judy, ana, ben = (study.coders[n] for n in ("judy", "ana", "ben"))
    overlap = study.assigned["judy"]
    with _as(pg_cluster, published, "judy") as conn:
        assert _one_column(conn, "SELECT id FROM article") == overlap
        assert _one_column(conn, "SELECT name FROM coder") == {"ana", "ben", "judy", "lena"}
        seen = conn.execute("SELECT DISTINCT article_id, coder_id FROM annotation").fetchall()
        assert {coder for _a, coder in seen} == {judy, ana, ben}
        assert {article for article, _c in seen} <= overlap
        with login(pg_cluster, published, "lead", "pw") as lead:
            expected = lead.execute(
                "SELECT id FROM annotation WHERE article_id = ANY(%s)", (list(overlap),)
            ).fetchall()
        assert set(conn.execute("SELECT id FROM annotation").fetchall()) == set(expected)
        assert conn.execute("UPDATE annotation SET note = 'x' WHERE coder_id = %s", (ana,)).rowcount == 0
        assert conn.execute("DELETE FROM annotation WHERE coder_id = %s", (ben,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(_INSERT, _annotation_values(sorted(overlap)[0], ana))
        assert conn.execute(_INSERT, _annotation_values(sorted(overlap)[0], judy)).rowcount == 1
        conn.execute("INSERT INTO adjudication_rejection VALUES (%s, %s, 'k', '')", (judy, sorted(overlap)[0]))
        assert _one_column(conn, "SELECT adjudicator_id FROM adjudication_rejection") == {judy}
        assert conn.execute("SELECT COUNT(*) FROM adjudication_rejection").fetchone() == (2,)  # the study's and this


def test_the_lead_sees_everything(pg_cluster, published, study):
    with login(pg_cluster, published, "lead", "pw") as conn:
        assert _one_column(conn, "SELECT id FROM article") == study.articles
        assert _one_column(conn, "SELECT coder_id FROM annotation") == {study.coders[n] for n in ("ana", "ben", "judy")}


def test_passwd_resets_a_login_and_refuses_what_is_not_a_coder(pg_cluster, published, tmp_path, capsys):
    import psycopg

    secret = tmp_path / "new.pw"
    secret.write_text("fresh", encoding="utf-8")
    assert main(["server", "passwd", published, "ana", "--password-file", str(secret)]) == 0
    assert "Reset the login of ana." in capsys.readouterr().out
    with login(pg_cluster, published, "ana", "fresh") as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("ana",)
    with pytest.raises(psycopg.OperationalError):
        login(pg_cluster, published, "ana", PASSWORDS["ana"]).__enter__()
    assert main(["coders", published, "--add", "pg_x"]) == 0
    assert main(["coders", published, "--add", "x" * 64]) == 0
    for name, sentence in (
        ("zoe", "no coder called zoe"), ("lena", "the project's lead"),
        ("pg_x", "cannot be a PostgreSQL login"), ("x" * 64, "cannot be a PostgreSQL login"),
    ):
        assert main(["server", "passwd", published, name, "--password-file", str(secret)]) == 1
        assert sentence in capsys.readouterr().err


_INSERT = (
    "INSERT INTO annotation (id, article_id, coder_id, label, start, \"end\", attributes, note, uncertain, "
    "created_at, updated_at, revision) VALUES (%s, %s, %s, 'Actor', 0, 4, '{}', '', false, '', '', 1)"
)


def _annotation_values(article_id: str, coder_id: str) -> tuple[str, str, str]:
    return (str(uuid.uuid4()), article_id, coder_id)


def test_loupe_itself_through_a_coders_login_counts_only_theirs(pg_cluster, published, study, capsys):
    import json

    url = published.replace("lead:pw@", "ana:ana-secret@")
    assert main(["info", url, "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    with login(pg_cluster, published, "lead", "pw") as lead:
        (mine,) = lead.execute(
            "SELECT COUNT(*) FROM annotation WHERE coder_id = %s AND deleted_at IS NULL", (study.coders["ana"],)
        ).fetchone()
    assert (counts["articles"], counts["coders"], counts["annotations"]) == (len(study.assigned["ana"]), 1, mine)
    assert "ana-secret" not in counts["path"]


def test_loupes_own_edits_through_a_coders_login_pass_the_policies(pg_cluster, published, study):
    from app.services.projects import open_project
    from tests.team_fixtures import code

    url = published.replace("lead:pw@", "ana:ana-secret@")
    ana = study.coders["ana"]
    fresh = sorted(study.assigned["ana"])[-1]  # the fixture coded the first four
    with open_project(url) as project:
        article = project.store.articles.get(fresh)
        code(project, article, ana)
    with login(pg_cluster, published, "lead", "pw") as lead:
        rows = lead.execute(
            "SELECT label, deleted_at IS NULL FROM annotation WHERE coder_id = %s AND article_id = %s ORDER BY label",
            (ana, fresh),
        ).fetchall()
        status = lead.execute(
            "SELECT status FROM assignment WHERE coder_id = %s AND article_id = %s", (ana, fresh)
        ).fetchone()
        relations = lead.execute(
            "SELECT COUNT(*) FROM relation WHERE coder_id = %s AND article_id = %s", (ana, fresh)
        ).fetchone()
    assert rows == [("Actor", True), ("Claim", True), ("Coercion", False)]
    assert status == ("done",) and relations == (1,)
