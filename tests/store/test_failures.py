"""A failure of the computer is one sentence: a read-only project file, a read-only folder,
a full disk, a file another process holds locked. Never SQL, parameters or a traceback
(those are in the log), always exit code 1. Each runs the real ``loupe`` in a subprocess."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.main import main

LOUPE = [sys.executable, "-m", "app"]


def loupe(*args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    """``loupe ARGS``, or ``python -c CODE ARGS`` (the code calls app.cli.main itself)."""
    command = [sys.executable, "-c", code, *args] if code else [*LOUPE, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def one_sentence(result: subprocess.CompletedProcess[str]) -> str:
    """The single sentence of a failed command, checked for leaks."""
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("loupe: ") and line.endswith("."), line
    for leak in ("[SQL", "Traceback", "[parameters", "INSERT INTO", "sqlalche.me", "OperationalError", "Errno"):
        assert leak not in line, line
    assert re.search(r"[.!?] [A-Z]", line) is None, f"more than one sentence: {line}"
    return line[len("loupe: "):]


def article_count(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT count(*) FROM article").fetchone()[0]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "study"
    folder.mkdir()
    path = folder / "p.loupe"
    assert main(["new", str(path)]) == 0
    return path


@pytest.fixture
def article(tmp_path: Path) -> Path:
    source = tmp_path / "a.txt"
    source.write_text("Migrants told to sign\n\nAnton Korolev said 40 migrants signed.", encoding="utf-8")
    return source


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` (a file or a folder) read-only even for root: ``chattr +i`` as root
    (permission bits do not stop root), else the permission bits."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("running as root without chattr +i: nothing can make a file read-only here")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


def test_a_read_only_project_file_is_one_sentence(project: Path, article: Path) -> None:
    with read_only(project):
        result = loupe("import", str(project), str(article), "--model", "no_such_model")
    sentence = one_sentence(result)
    assert sentence.startswith("p.loupe is read-only"), sentence
    assert "Migrants" not in sentence and "Korolev" not in sentence  # no parameters
    assert article_count(project) == 0


def test_a_read_only_folder_is_one_sentence_naming_the_folder(project: Path) -> None:
    folder = project.parent
    with read_only(folder):
        result = loupe("info", str(project))
    sentence = one_sentence(result)
    assert "read-only" in sentence and str(folder) in sentence, sentence
    assert "p.loupe-wal" in sentence  # why a folder must be writable: WAL files beside it


FULL_DISK = r"""
import os, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG from write(), not a killed process
limit = os.path.getsize(sys.argv[1]) + 64 * 1024
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from app.cli.main import main
sys.exit(main(["import", sys.argv[1], sys.argv[2], "--model", "no_such_model"]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_full_disk_is_one_sentence(project: Path, tmp_path: Path) -> None:
    sources = tmp_path / "big"
    sources.mkdir()
    for i in range(20):  # ~2 MB of text: far past the 64 KB the process may still write
        (sources / f"{i}.txt").write_text(
            f"Report {i}\n\n" + f"Coders' private note {i}: Anton Korolev signed. " * 2000, encoding="utf-8"
        )
    result = loupe(str(project), str(sources), code=FULL_DISK)
    sentence = one_sentence(result)
    assert sentence.startswith("There is no room left to save p.loupe"), sentence
    assert "private note" not in sentence
    assert article_count(project) == 0


LOCKED = r"""
import sys
import app.store.engine
app.store.engine.BUSY_TIMEOUT_MS = 300  # wait 0.3 s for the lock, not 10 s
from app.cli.main import main
sys.exit(main(["coders", sys.argv[1], "--add", "bob"]))
"""


def test_a_file_locked_by_another_process_is_one_sentence(project: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import sqlite3, sys\n"
            "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "conn.execute('BEGIN EXCLUSIVE')\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n"
        ), str(project)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = loupe(str(project), code=LOCKED)
    finally:
        holder.communicate("", timeout=30)
    sentence = one_sentence(result)
    assert sentence.startswith("p.loupe is locked by another program"), sentence
    assert main(["coders", str(project)]) == 0  # nothing half-written: the file still works


def test_an_unexpected_error_names_the_log_not_the_details(project: Path, tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import app.services.projects as projects\n"
        "def broken(path):\n"
        "    raise KeyError('SELECT secret FROM note')\n"
        "projects.project_counts = broken\n"
        "from app.cli.main import main\n"
        "sys.exit(main(['info', sys.argv[1]]))\n"
    )
    env_data = Path(os.environ["LOUPE_DATA_DIR"])
    sentence = one_sentence(loupe(str(project), code=code))
    assert sentence.startswith("unexpected error (KeyError)"), sentence
    assert "secret" not in sentence and str(env_data / "logs" / "loupe.log") in sentence
    log = (env_data / "logs" / "loupe.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "SELECT secret FROM note" in log


def test_file_names_are_printed_with_control_characters_escaped(tmp_path: Path) -> None:
    bad = tmp_path / "report\x1b[2J\u202etxt.loupe"
    bad.write_text("not a project")
    sentence = one_sentence(loupe("info", str(bad)))
    assert "\x1b" not in sentence and "\u202e" not in sentence
    assert "report\\x1b[2J\\u202etxt.loupe" in sentence


def test_describe_database_error_knows_the_sqlite_codes(tmp_path: Path) -> None:
    from sqlalchemy.exc import OperationalError

    from app.store.failures import describe_database_error

    path = tmp_path / "p.loupe"
    path.write_bytes(b"")
    wrapped = OperationalError("INSERT INTO note VALUES (?)", ("secret",), sqlite3.OperationalError("database is locked"))
    assert describe_database_error(wrapped, str(path)).startswith("p.loupe is locked")
    full = sqlite3.OperationalError("database or disk is full")
    assert describe_database_error(full, str(path)).startswith("There is no room left to save p.loupe")
    corrupt = sqlite3.DatabaseError("database disk image is malformed")
    assert "damaged" in describe_database_error(corrupt, str(path))
    chained = RuntimeError("while merging")
    chained.__cause__ = sqlite3.OperationalError("attempt to write a readonly database")
    assert "read-only" in describe_database_error(chained, str(path))
    assert describe_database_error(ValueError("a bug"), str(path)) is None
    assert describe_database_error(sqlite3.IntegrityError("UNIQUE constraint failed"), str(path)) is None
    assert describe_database_error(OSError(28, "No space left on device", str(path) + "-wal"), str(path)).startswith(
        "There is no room left to save p.loupe"
    )
