"""Project files from outside: one way in, schemas compared with the migrations', and
returned files read without ever applying or deleting a journal beside them.

Every refusal is one sentence and leaves the file exactly as it was (its bytes).
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from app.core.errors import ProjectError
from app.services.assignment import assign
from app.services.merging import MergeError, merge_files
from app.services.packages import write_package
from app.services.projects import create_project, open_project
from app.store import migrate
from app.store.fingerprint import read_schema, reference_schema
from app.store.merging import ForeignProject
from tests.team_fixtures import team_project


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tamper(path: Path, *statements: str) -> None:
    """Change a closed project file as an attacker would, with the sqlite3 shell's library."""
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """lead.loupe with 12 articles assigned to alice and bob, and alice's package."""
    folder = tmp_path_factory.mktemp("files")
    with team_project(folder / "lead.loupe", n=12, coders=("alice", "bob")) as lead:
        assign(lead, ["alice", "bob"], overlap=0.5)
        write_package(lead, "alice", folder / "alice.loupe")
    return folder


@pytest.fixture
def files(template: Path, tmp_path: Path) -> Path:
    for path in template.glob("*.loupe"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    return tmp_path


HOSTILE: dict[str, tuple[tuple[str, ...], str]] = {
    "trigger": (
        ("CREATE TRIGGER evil AFTER INSERT ON assignment BEGIN UPDATE article SET title = 'PWNED'; END",),
        "holds a trigger ('evil') that Loupe does not create",
    ),
    "view in place of a table": (
        ("DROP TABLE merge_log", "CREATE VIEW merge_log AS SELECT * FROM project"),
        "holds a view ('merge_log') that Loupe does not create",
    ),
    "extra table": (("CREATE TABLE loot (data BLOB)",), "holds a table ('loot') that Loupe does not create"),
    "missing index": (("DROP INDEX ix_entity_article",), "lacks the index 'ix_entity_article'"),
    "added column": (
        ("ALTER TABLE annotation ADD COLUMN payload TEXT",),
        "has a table 'annotation' whose columns or keys differ from Loupe's",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_project_with_a_hostile_schema_is_refused_unchanged(files: Path, case: str) -> None:
    statements, reason = HOSTILE[case]
    lead = files / "lead.loupe"
    tamper(lead, *statements)
    before = digest(lead)
    with pytest.raises(ProjectError) as refused:
        open_project(lead)
    assert refused.value.message == f"lead.loupe cannot be opened: its database {reason}."
    assert digest(lead) == before
    assert not (files / "lead.loupe-wal").exists()


def test_loupe_assign_never_fires_a_planted_trigger(files: Path) -> None:
    lead = files / "lead.loupe"
    tamper(lead, HOSTILE["trigger"][0][0])
    result = subprocess.run(
        [sys.executable, "-m", "app", "assign", str(lead), "--coders", "alice,bob", "--overlap", "1"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "loupe: lead.loupe cannot be opened: its database holds a trigger ('evil') that Loupe does not create.\n"
    )
    conn = sqlite3.connect(lead)
    try:
        assert conn.execute("SELECT count(*) FROM article WHERE title = 'PWNED'").fetchone() == (0,)
    finally:
        conn.close()


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_package_with_a_hostile_schema_is_not_merged(files: Path, case: str) -> None:
    statements, reason = HOSTILE[case]
    package = files / "alice.loupe"
    tamper(package, *statements)
    before = digest(files / "lead.loupe")
    with open_project(files / "lead.loupe") as lead, pytest.raises(MergeError) as refused:
        merge_files(lead, [package])
    assert refused.value.message == f"Nothing was merged: alice.loupe cannot be merged: its database {reason}."
    assert digest(files / "lead.loupe") == before


def test_a_package_has_exactly_the_migrations_schema_even_from_a_lead_with_sqlite_statistics(
    files: Path,
) -> None:
    tamper(files / "lead.loupe", "ANALYZE")  # sqlite_stat1 is SQLite's own, not a threat
    with open_project(files / "lead.loupe") as lead:
        write_package(lead, "bob", files / "bob.loupe")
    conn = sqlite3.connect(f"{(files / 'bob.loupe').as_uri()}?mode=ro", uri=True)
    try:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'")}
        coders = {row[0] for row in conn.execute("SELECT name FROM coder")}
    finally:
        conn.close()
    assert names == set() and coders == {"bob"}
    foreign = ForeignProject(files / "bob.loupe")
    try:
        with foreign._engine.connect() as conn:
            assert read_schema(conn) == reference_schema(migrate.HEAD)
    finally:
        foreign.close()


def test_a_returned_file_with_a_log_beside_it_is_refused_and_both_stay_as_they_were(files: Path) -> None:
    package = files / "alice.loupe"
    log = files / "alice.loupe-wal"
    # A log taken from another copy: it would add a coder if it were applied.
    other = files / "other.loupe"
    other.write_bytes(package.read_bytes())
    conn = sqlite3.connect(other)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("INSERT INTO coder (id, name, role, created_at) VALUES ('x', 'mallory', 'adjudicator', '2026')")
    conn.commit()
    log.write_bytes((files / "other.loupe-wal").read_bytes())
    conn.close()
    before, log_before = digest(package), digest(log)
    with open_project(files / "lead.loupe") as lead, pytest.raises(MergeError) as refused:
        merge_files(lead, [package])
    assert refused.value.message.startswith(
        "Nothing was merged: alice.loupe has a write-ahead log (alice.loupe-wal) beside it"
    )
    assert digest(package) == before and digest(log) == log_before
    assert not (files / "alice.loupe-shm").exists()
    with open_project(files / "lead.loupe") as lead:
        assert lead.store.coders.find("mallory") is None


def test_merging_reads_a_package_without_creating_anything_beside_it(files: Path) -> None:
    before = sorted(p.name for p in files.iterdir())
    with open_project(files / "lead.loupe") as lead:
        merge_files(lead, [files / "alice.loupe"], make_backup=False)
    after = sorted(p.name for p in files.iterdir())
    assert after == before


def _other_program_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.commit()
    conn.close()


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _text(path: Path) -> None:
    path.write_text("Not a database at all, but long enough to have a header. " * 20)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_other_program_database, "is a SQLite database of another program, not a Loupe project."),
        (_empty, "is not a Loupe project (it is not a SQLite database)."),
        (_text, "is not a Loupe project (it is not a SQLite database)."),
    ],
)
def test_a_file_that_is_not_a_project_is_refused_and_never_changed(
    tmp_path: Path, make: Callable[[Path], None], reason: str
) -> None:
    path = tmp_path / "thing.loupe"
    make(path)
    before = digest(path)
    with pytest.raises(ProjectError) as refused:
        open_project(path)
    assert refused.value.message == f"thing.loupe {reason}"
    assert digest(path) == before  # a foreign database is not switched to WAL mode either
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thing.loupe"]


def test_a_fifo_is_refused_without_being_opened(tmp_path: Path) -> None:
    path = tmp_path / "pipe.loupe"
    import os

    os.mkfifo(path)  # opening it for reading would block forever
    with pytest.raises(ProjectError) as refused:
        open_project(path)
    assert refused.value.message == "pipe.loupe is not a regular file, so it cannot be a Loupe project."


def test_opening_a_project_in_another_process_keeps_this_ones_log(tmp_path: Path) -> None:
    """The root of 'saved edits vanish': a second open in this process must not drop its locks."""
    path = tmp_path / "p.loupe"
    create_project(path).close()
    script = (
        "import os, subprocess, sys\n"
        "from app.services.projects import open_project\n"
        "first = open_project(sys.argv[1])\n"
        "with first.store.engine.begin() as c: c.exec_driver_sql(\"UPDATE project SET name = 'one'\")\n"
        "open_project(sys.argv[1]).close()  # the Team window's own connection, opened and closed\n"
        "subprocess.run([sys.executable, '-m', 'app', 'info', sys.argv[1]], check=True, capture_output=True)\n"
        "with first.store.engine.begin() as c: c.exec_driver_sql(\"UPDATE project SET name = 'two'\")\n"
        "print(os.path.exists(sys.argv[1] + '-wal'), flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "True", result.stderr
    with open_project(path) as project:
        assert project.store.project_name() == "two"


def test_the_reference_schema_of_the_head_is_what_the_migrations_create() -> None:
    from app.store.fingerprint import migrated_schema

    assert reference_schema(migrate.HEAD) == migrated_schema(migrate.HEAD)
