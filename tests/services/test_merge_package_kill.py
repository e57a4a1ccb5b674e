"""kill -9 in the middle of a merge or of writing a package: the lead's project is as it
was (and opens), no package appears under its name, and the next run succeeds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.services.merging import merge_files
from app.services.packages import write_package
from app.services.projects import open_project
from tests.team_fixtures import copy_team, dump, packaged_team

ROOT = Path(__file__).resolve().parents[2]

#: Runs a merge of alice.loupe and bob.loupe into lead.loupe, killing itself with
#: SIGKILL inside the merge's transaction once the first file is written.
_MERGE = """
import os, sys
from pathlib import Path
import app.services.merging as merging
folder = Path(sys.argv[1])
real = merging.merge_file
def merge_file(conn, foreign, plan, cancelled):
    result = real(conn, foreign, plan, cancelled)
    print("written", foreign.name, flush=True)
    os.kill(os.getpid(), 9)
merging.merge_file = merge_file
from app.services.projects import open_project
with open_project(folder / "lead.loupe") as lead:
    merging.merge_files(lead, [folder / "alice.loupe", folder / "bob.loupe"])
"""

#: Writes carol's package and kills itself once the package file is filled, before it
#: is checked, synced and renamed.
_PACKAGE = """
import os, sys
from pathlib import Path
import app.store.packages as packages
folder = Path(sys.argv[1])
real = packages._fill
def fill(conn, *args, **kwargs):
    counts = real(conn, *args, **kwargs)
    print("filled", flush=True)
    os.kill(os.getpid(), 9)
packages._fill = fill
from app.services.packages import write_package
from app.services.projects import open_project
with open_project(folder / "lead.loupe") as lead:
    write_package(lead, "alice", folder / "again.loupe")
"""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return packaged_team(tmp_path_factory.mktemp("kill"))


@pytest.fixture
def team(template: Path, tmp_path: Path) -> Path:
    return copy_team(template, tmp_path)


def killed(script: str, folder: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", script, str(folder)], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert result.returncode == -9, result.stderr
    return result.stdout


def test_a_merge_killed_after_its_first_file_changes_nothing(team: Path) -> None:
    before = dump(team / "lead.loupe")
    assert killed(_MERGE, team).strip() == "written alice.loupe"
    with open_project(team / "lead.loupe") as lead:  # opens: checks, and the log is rolled back
        assert lead.store.project_name()
    assert dump(team / "lead.loupe") == before
    with open_project(team / "lead.loupe") as lead:
        report = merge_files(lead, [team / "alice.loupe", team / "bob.loupe"])
    assert report.changed and report.backup is not None
    assert dump(Path(report.backup)) == before
    assert not list(team.glob(".lead.backup-*"))  # what the killed run left is gone


def test_a_package_killed_while_it_is_written_leaves_no_package(team: Path) -> None:
    before = dump(team / "lead.loupe")
    assert killed(_PACKAGE, team).strip() == "filled"
    assert not (team / "again.loupe").exists()
    assert dump(team / "lead.loupe") == before
    with open_project(team / "lead.loupe") as lead:
        write_package(lead, "alice", team / "again.loupe")
    assert not list(team.glob(".again.loupe.partial*"))
    with open_project(team / "again.loupe") as package:
        assert package.store.coders.find("alice") is not None
