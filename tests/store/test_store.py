"""The project file: creation, refusal of foreign/damaged/newer files, migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from app.core.errors import ProjectError
from app.store import ProjectStore
from app.store.engine import APPLICATION_ID
from app.store.schema import Base

CODEBOOK = ("test", "1", '{"name":"test"}', "0" * 64)


def make(path: Path) -> ProjectStore:
    return ProjectStore.create(path, name="t", codebook=CODEBOOK, settings={"model": "m"})


def snapshot(path: Path) -> bytes:
    return path.read_bytes()


def test_new_project_is_wal_with_foreign_keys_and_application_id(tmp_path: Path) -> None:
    path = tmp_path / "p.loupe"
    store = make(path)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA application_id").scalar() == APPLICATION_ID
    store.close()
    assert ProjectStore.open(path).settings() == {"model": "m"}


def test_migrations_produce_exactly_the_models(tmp_path: Path) -> None:
    path = tmp_path / "p.loupe"
    make(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        # The full-text index is a virtual table the models do not describe, and Alembic
        # compares an index on an expression (title COLLATE NOCASE) only approximately:
        # the schema check (app.store.fingerprint, tested below) compares both exactly.
        def described(name: str | None, kind: str, _parent: object) -> bool:
            if kind == "table":
                return not (name or "").startswith("article_fts")
            return not (kind == "index" and name == "ix_article_title")

        context = MigrationContext.configure(conn, opts={"include_name": described})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_create_refuses_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "p.loupe"
    path.write_text("keep me")
    with pytest.raises(ProjectError, match="already exists"):
        make(path)
    assert path.read_text() == "keep me"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a SQLite database"),
        (b"hello, this is a text file" * 10, "not a SQLite database"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "not a SQLite database"),
    ],
)
def test_open_refuses_files_that_are_not_databases(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.loupe"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match=message) as info:
        ProjectStore.open(path)
    assert "x.loupe" in str(info.value)
    assert path.read_bytes() == content


def test_open_refuses_sqlite_file_of_another_program(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    before = snapshot(path)
    with pytest.raises(ProjectError, match="another program"):
        ProjectStore.open(path)
    assert snapshot(path) == before
    assert not Path(str(path) + "-wal").exists()


def test_open_refuses_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="does not exist"):
        ProjectStore.open(tmp_path / "nope.loupe")
    with pytest.raises(ProjectError, match="folder"):
        ProjectStore.open(tmp_path)


def test_open_refuses_newer_project(tmp_path: Path) -> None:
    path = tmp_path / "p.loupe"
    make(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    before = snapshot(path)
    with pytest.raises(ProjectError, match="newer version of Loupe"):
        ProjectStore.open(path)
    assert snapshot(path) == before


def test_open_refuses_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "p.loupe"
    store = make(path)
    with store.engine.begin() as conn:
        for i in range(300):
            conn.exec_driver_sql(
                "INSERT INTO coder (id, name, role, created_at) VALUES (?, ?, 'coder', 'x')",
                (f"id-{i}", f"coder number {i} " * 5),
            )
    store.close()
    with sqlite3.connect(path) as conn:  # fold the WAL into the main file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'coder'").fetchone()[0]
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    # Break the b-tree header of the coder table's root page.
    start = (root - 1) * page_size
    data[start : start + 12] = b"\x0d\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
    path.write_bytes(bytes(data))
    with pytest.raises(ProjectError, match="damaged"):
        ProjectStore.open(path)


def test_known_revisions_match_the_migration_scripts() -> None:
    from app.store import migrate

    head, revisions = migrate.script_revisions()
    assert migrate.HEAD == head
    assert migrate.KNOWN_REVISIONS == revisions


def test_a_project_open_elsewhere_is_recognised_before_its_log_is_written_back(tmp_path: Path) -> None:
    path = tmp_path / "p.loupe"
    store = make(path)  # stays open, like a window in another process
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO coder (id, name, role, created_at) VALUES ('c1', 'ana', 'coder', 'x')"
        )
    other = ProjectStore.open(path)
    assert [c.name for c in other.coders.list()] == ["ana"]
    other.close()
    store.close()


def test_the_application_id_is_in_the_main_file_as_soon_as_it_is_created(tmp_path: Path) -> None:
    path = tmp_path / "p.loupe"
    store = make(path)
    assert int.from_bytes(path.read_bytes()[68:72], "big") == APPLICATION_ID
    store.close()


def test_articles_that_share_a_position_are_moved_to_the_end_by_the_migration(tmp_path: Path) -> None:
    """Projects damaged by two imports at once (before positions were unique) open whole."""
    import sqlite3

    from app.services.importing import import_articles
    from app.services.projects import create_project, open_project

    sources = tmp_path / "src"
    sources.mkdir()
    for i in range(4):
        (sources / f"{i}.txt").write_text(f"Title {i}\n\nBody {i}.\n", encoding="utf-8")
    path = tmp_path / "p.loupe"
    with create_project(path) as project:
        import_articles(project, sorted(sources.glob("*.txt")), model="no_such_pipeline_xyz")
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX ix_article_position")
    conn.execute("DROP TABLE annotation_fragment")  # added by 0005, after the file's 0003
    for index in ("ix_article_listing", "ix_article_order", "ix_article_title", "ix_assignment_coder"):
        conn.execute(f"DROP INDEX {index}")  # 0006
    conn.execute("DROP TABLE article_fts")
    for table in ("annotation", "relation", "document_code"):
        conn.execute(f"DROP INDEX ix_{table}_tombstone")  # 0007
    conn.execute("UPDATE article SET position = 1 WHERE title IN ('Title 0', 'Title 2')")
    conn.execute("DROP TABLE codebook_history")  # 0008
    for table in ("annotation", "relation", "document_code"):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN codebook_version")
        conn.execute(f"ALTER TABLE {table} DROP COLUMN coded_version")
    conn.execute("UPDATE alembic_version SET version_num = '0003'")
    conn.commit()
    conn.close()
    with open_project(path) as project:
        positions = [(a.position, a.title) for a in project.store.articles.list()]
    assert [p for p, _ in positions] == sorted({p for p, _ in positions})  # distinct
    assert sorted(t for _, t in positions) == ["Title 0", "Title 1", "Title 2", "Title 3"]
    assert positions[0][0] == 1 and positions[-1][0] == 5  # one of the two stays, one moves last
    assert {positions[0][1], positions[-1][1]} == {"Title 0", "Title 2"}
