"""How a package file is built (app/store/packages.py): without a VACUUM, no journal and
no syncs while it is filled, yet with no free page left, searchable, synced and complete
before it gets its name."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import app.store.packages as building
from app.core.errors import ProjectError
from app.services.assignment import assign
from app.services.packages import write_package
from app.services.projects import Project, open_project
from app.services.search import search, search_filters
from tests.team_fixtures import team_project


@pytest.fixture
def lead(tmp_path: Path) -> Project:
    """600 articles, all alice's: enough text that indexing them frees pages."""
    path = tmp_path / "lead" / "study.loupe"
    path.parent.mkdir()
    with team_project(path, n=600, coders=("alice", "bob")) as project:
        assign(project, ["alice"], overlap=0.0, seed=1)
    with open_project(path) as project:
        yield project


def pragma(path: Path, name: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


MARKER = "SCRATCH-7c1e-NOT-FOR-THE-CODER"


@pytest.fixture
def freeing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the build write and then free pages (a table filled with a marker and
    dropped), as an index merge or a future step of the build may."""
    real = building._fill

    def fill(conn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        counts = real(conn, *args, **kwargs)
        conn.exec_driver_sql(
            f"CREATE TABLE pkg.scratch AS SELECT text || '{MARKER}' AS t FROM pkg.article"
        )
        conn.exec_driver_sql("DROP TABLE pkg.scratch")
        return counts

    monkeypatch.setattr(building, "_fill", fill)


def test_the_pages_the_build_freed_are_given_back(lead: Project, tmp_path: Path, freeing: None) -> None:
    target = tmp_path / "alice.loupe"
    write_package(lead, "alice", target)
    assert pragma(target, "freelist_count") == 0
    assert pragma(target, "auto_vacuum") == 2  # incremental: set before the first table
    assert pragma(target, "journal_mode") == "delete"
    assert pragma(target, "integrity_check") == "ok"
    assert MARKER.encode() not in target.read_bytes()


def test_without_giving_them_back_freed_pages_stay_but_hold_nothing(
    lead: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, freeing: None
) -> None:
    """The fixture frees pages (so the test above can fail); secure_delete zeroed them."""
    monkeypatch.setattr(building, "_give_back_free_pages", lambda conn: None)
    target = tmp_path / "alice.loupe"
    write_package(lead, "alice", target)
    assert pragma(target, "freelist_count") > 0
    assert MARKER.encode() not in target.read_bytes()


def test_a_package_is_built_without_a_search_index_and_searches_once_opened(lead: Project, tmp_path: Path) -> None:
    target = tmp_path / "alice.loupe"
    write_package(lead, "alice", target)
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT COUNT(*) FROM article_fts_docsize").fetchone() == (0,)
    conn.close()
    with open_project(target) as package:
        alice = package.store.coders.find("alice")
        assert search(package, "Kiresk", search_filters(package, alice.id)).articles == 600
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT COUNT(*) FROM article_fts_docsize").fetchone() == (600,)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def test_reading_counts_builds_no_index(lead: Project, tmp_path: Path) -> None:
    """``loupe info`` writes nothing: the index waits for the first open for work."""
    from app.services.projects import project_counts

    target = tmp_path / "alice.loupe"
    write_package(lead, "alice", target)
    project_counts(target)
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT COUNT(*) FROM article_fts_docsize").fetchone() == (0,)
    conn.close()


def test_a_package_is_synced_before_it_is_renamed(
    lead: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, str]] = []
    monkeypatch.setattr(building, "fsync_file", lambda path: events.append(("sync", path.name)))
    monkeypatch.setattr(building, "fsync_folder", lambda path: events.append(("sync folder", path.name)))
    real_replace = building.os.replace

    def replace(source: Path, target: Path) -> None:
        events.append(("rename", Path(source).name))
        real_replace(source, target)

    monkeypatch.setattr(building.os, "replace", replace)
    write_package(lead, "alice", tmp_path / "alice.loupe")
    assert events == [("sync", ".alice.loupe.partial"), ("rename", ".alice.loupe.partial"),
                      ("sync folder", tmp_path.name)]


def test_a_failed_build_leaves_nothing(lead: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(conn: object) -> None:
        raise ProjectError("The package could not be compacted; nothing was written.")

    monkeypatch.setattr(building, "_give_back_free_pages", fail)
    with pytest.raises(ProjectError, match="could not be compacted"):
        write_package(lead, "alice", tmp_path / "alice.loupe")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lead"]


def test_every_package_of_a_process_starts_as_the_migrations_empty_file(
    lead: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second package is a copy of the first one's empty file, and the same as a
    fresh run of the migrations would have made it."""
    monkeypatch.setattr(building, "_EMPTY", {})
    runs: list[Path] = []
    real = building._migrated
    monkeypatch.setattr(building, "_migrated", lambda path: (runs.append(path), real(path))[1])
    write_package(lead, "alice", tmp_path / "one.loupe")
    write_package(lead, "alice", tmp_path / "two.loupe")
    assert len(runs) == 1
    fresh = tmp_path / "fresh.loupe"
    real(fresh)
    assert building._EMPTY[building.migrate.HEAD] == fresh.read_bytes()
    for name in ("one.loupe", "two.loupe"):
        assert pragma(tmp_path / name, "auto_vacuum") == 2 and pragma(tmp_path / name, "integrity_check") == "ok"
    with open_project(tmp_path / "two.loupe") as package:
        assert len(package.store.articles.list()) == 600
