"""The backup made before a merge: complete or absent, never counted when broken.

* ``kill -9`` while the backup is written: what it left is removed by the next merge and
  never counts among the backups kept; every backup under its final name opens as the
  whole project.
* A backup that cannot be written (a file size limit standing in for a full disk): one
  sentence, and nothing of the merge is committed (the backup is written while the
  files are merged, and the merge commits only once it is complete).
* Backups broken by earlier versions (an empty file, a hot journal) are not counted.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.articles import ImportedArticle
from app.core.errors import ProjectError
from app.core.records import Article
from app.services.assignment import assign
from app.services.coding import article_listing
from app.services.merging import KEEP_BACKUPS, merge_files
from app.services.packages import write_package
from app.services.projects import open_project
from app.store.backups import backups_of, make_backup
from tests.team_fixtures import code, dump, team_project

ROOT = Path(__file__).resolve().parents[2]
#: Bytes of article metadata that make the lead's file big enough for a slow backup.
PADDING = 24 * 1024 * 1024


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """lead.loupe (padded to ~25 MB so that a backup takes a while) and alice's
    returned package with two articles coded."""
    folder = tmp_path_factory.mktemp("backups")
    with team_project(folder / "lead.loupe", n=12, coders=("alice",)) as lead:
        assign(lead, ["alice"], overlap=0.0, seed=1)
    with open_project(folder / "lead.loupe") as lead:
        write_package(lead, "alice", folder / "alice.loupe")
        rng = random.Random(1)
        lead.store.articles.add_batch(  # unassigned ballast, as in a large corpus
            [(ImportedArticle(title=f"Ballast {i}", text=f"Ballast {i}\n\nNothing here.", origin="ballast",
                              metadata={"ballast": rng.randbytes(PADDING // 24).hex()}), ())
             for i in range(12)],
            model=None,
        )
    with open_project(folder / "alice.loupe") as package:
        coder = package.store.coders.find("alice")
        articles: dict[str, Article] = {a.id: a for a in package.store.articles.list()}
        for row in article_listing(package, coder.id)[:2]:
            code(package, articles[row.id], coder.id)
    return folder


@pytest.fixture
def team(template: Path, tmp_path: Path) -> Path:
    for path in template.glob("*.loupe"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def articles_in(path: Path) -> int:
    """Articles in a project file, read as a user restoring it would: a fresh connection."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return conn.execute("SELECT count(*) FROM article").fetchone()[0]
    finally:
        conn.close()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "partial" in p.name or p.name.endswith("-journal"))


def test_a_backup_is_a_complete_single_file_copy(team: Path) -> None:
    before = dump(team / "lead.loupe")
    with open_project(team / "lead.loupe") as lead:
        saved = Path(merge_files(lead, [team / "alice.loupe"]).backup)
    assert dump(saved) == before
    assert [p.name for p in team.iterdir() if p.name.startswith(saved.name)] == [saved.name]  # no -wal
    assert leftovers(team) == []


_MERGE = [sys.executable, "-m", "app", "merge", "lead.loupe", "alice.loupe"]


@pytest.mark.slow
def test_kill_9_during_the_backup_is_never_counted_and_is_removed(team: Path) -> None:
    """SIGKILL while the backup is written (4 trials at random moments); the next merge
    removes what was left and every backup under a final name is the whole project."""
    expected = articles_in(team / "lead.loupe")
    rng = random.Random(3)
    hits = during = 0
    for _trial in range(4):
        before = {p.name for p in team.iterdir()}
        child = subprocess.Popen(_MERGE, cwd=team, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while child.poll() is None and not any(
            ".backup-" in p.name and p.name not in before for p in team.iterdir()
        ):
            assert time.monotonic() < deadline
            time.sleep(0.001)
        time.sleep(rng.uniform(0, 0.05))
        child.send_signal(signal.SIGKILL)
        child.wait()
        if child.returncode == -signal.SIGKILL:
            hits += 1
            during += bool(leftovers(team))  # killed while the backup was being written
    assert hits >= 3 and during >= 2, f"the kills came too late ({hits} kills, {during} during a backup)"
    with open_project(team / "lead.loupe") as lead:
        merge_files(lead, [team / "alice.loupe"])
    assert leftovers(team) == []
    kept = backups_of(team / "lead.loupe")
    assert 1 <= len(kept) <= KEEP_BACKUPS
    for path in kept:
        assert articles_in(path) == expected, path.name


def test_broken_backups_and_leftovers_do_not_count_among_those_kept(team: Path) -> None:
    lead = team / "lead.loupe"
    complete = [lead.with_name(f"lead.backup-2020010{day}-000000-000000.loupe") for day in range(1, 7)]
    for path in complete:
        with open_project(lead) as project:
            make_backup(project.store.engine, lead, keep=100)
        newest = backups_of(lead)[-1]
        newest.rename(path)
    empty = lead.with_name("lead.backup-20210101-000000-000000.loupe")
    empty.write_bytes(b"")  # a full disk, before backups were checked
    hot = lead.with_name("lead.backup-20210102-000000-000000.loupe")
    shutil.copy(complete[0], hot)
    hot.with_name(hot.name + "-journal").write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + bytes(504))
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    killed = lead.with_name(f".lead.backup-20210103-000000-000000.loupe.{child.pid}-0badc0de.partial")
    killed.write_bytes(b"SQLite format 3\x00" + bytes(1000))
    killed.with_name(killed.name + "-journal").write_bytes(bytes(512))
    mine = lead.with_name("lead.backup-mine.loupe")  # not a name Loupe gives: never touched
    mine.write_bytes(b"kept")

    with open_project(lead) as project:
        saved = Path(merge_files(project, [team / "alice.loupe"]).backup)
    kept = backups_of(lead)
    assert kept == [*complete[-(KEEP_BACKUPS - 1) :], saved]
    assert leftovers(team) == [] and not empty.exists() and not hot.exists() and mine.exists()


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.slow
def test_a_backup_that_cannot_be_written_stops_the_merge_with_one_sentence(team: Path) -> None:
    before = dump(team / "lead.loupe")
    result = subprocess.run(
        _MERGE, cwd=team, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=300, preexec_fn=_limit_file_size(4 * 1024 * 1024),
    )
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("loupe: No backup of lead.loupe could be written"), result.stderr
    assert lines[0].endswith("nothing was changed.") and "Traceback" not in result.stderr
    assert dump(team / "lead.loupe") == before  # the merge did not start
    assert backups_of(team / "lead.loupe") == [] and leftovers(team) == []


def test_a_read_only_folder_is_one_sentence(team: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.store.backups as backups

    def refuse(target: Path) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(backups, "fsync_file", refuse)  # root may write anywhere: fail the sync
    with open_project(team / "lead.loupe") as lead, pytest.raises(ProjectError) as raised:
        merge_files(lead, [team / "alice.loupe"])
    assert str(raised.value) == (
        f"No backup of lead.loupe could be written in {team} (Permission denied); nothing was changed."
    )
    assert backups_of(team / "lead.loupe") == [] and leftovers(team) == []


def test_merging_an_unchanged_file_again_leaves_no_new_backup_and_keeps_the_old_ones(team: Path) -> None:
    lead = team / "lead.loupe"
    with open_project(lead) as project:
        first = merge_files(project, [team / "alice.loupe"])
    assert first.backup is not None and first.files[0].changed
    with open_project(lead) as project:
        again = merge_files(project, [team / "alice.loupe"])
    assert again.backup is None and not again.files[0].changed
    assert backups_of(lead) == [Path(first.backup)]


def test_a_backup_that_fails_after_the_rows_were_written_commits_nothing(
    team: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backup is written while the files are merged, and the merge commits only once
    it is complete: one that fails after every row was written undoes them all."""
    import threading

    import app.services.merging as merging
    import app.store.backups as backups

    written = threading.Event()
    real_merge_file, real_fsync = merging.merge_file, backups.fsync_file

    def merge_file(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        result = real_merge_file(*args, **kwargs)
        assert result.changed  # alice's rows are in the merge's transaction now
        written.set()
        return result

    def fsync_after_the_writes(target: Path) -> None:
        assert written.wait(60)
        real_fsync(target)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(merging, "merge_file", merge_file)
    monkeypatch.setattr(backups, "fsync_file", fsync_after_the_writes)
    before = dump(team / "lead.loupe")
    with open_project(team / "lead.loupe") as lead, pytest.raises(ProjectError) as raised:
        merge_files(lead, [team / "alice.loupe"])
    assert str(raised.value) == (
        f"No backup of lead.loupe could be written in {team} (No space left on device); nothing was changed."
    )
    assert written.is_set() and dump(team / "lead.loupe") == before
    assert backups_of(team / "lead.loupe") == [] and leftovers(team) == []
