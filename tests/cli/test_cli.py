"""The ``loupe`` command, run as a real subprocess."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.cli.main import main
from app.paths import sample_dir

LOUPE = [sys.executable, "-m", "app"]


def loupe(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LOUPE, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def info(path: Path) -> dict:
    result = loupe("info", str(path), "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_new_import_info_and_reimport_of_the_sample(tmp_path: Path) -> None:
    project = tmp_path / "p.loupe"
    samples = sorted(str(p) for p in sample_dir().glob("*.txt"))
    assert 8 <= len(samples) <= 12
    assert loupe("new", str(project)).returncode == 0
    first = loupe("import", str(project), *samples)
    assert first.returncode == 0, first.stderr
    assert f"Imported {len(samples)} articles" in first.stdout
    counts = info(project)
    assert counts["articles"] == len(samples)
    assert counts["entities"] > 5 * len(samples)
    assert {"articles", "entities", "coders", "annotations"} <= counts.keys()
    again = loupe("import", str(project), *samples)
    assert again.returncode == 0
    assert again.stdout.count("duplicate: ") == len(samples)
    assert "Imported 0 articles" in again.stdout
    assert info(project)["articles"] == len(samples)


def test_errors_are_one_sentence_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("not a project")
    result = loupe("info", str(bad))
    assert result.returncode == 1
    assert result.stderr.strip() == "loupe: notes.txt is not a Loupe project (it is not a SQLite database)."
    assert "Traceback" not in result.stderr
    debug = loupe("--debug", "info", str(bad))
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_import_of_a_bad_file_exits_1_and_names_it(tmp_path: Path) -> None:
    project = tmp_path / "p.loupe"
    assert main(["new", str(project)]) == 0
    (tmp_path / "empty.txt").write_bytes(b"")
    result = loupe("import", str(project), str(tmp_path / "empty.txt"))
    assert result.returncode == 1
    assert "empty.txt" in result.stderr and "Traceback" not in result.stderr
    assert info(project)["articles"] == 0


def test_usage_errors_exit_2_and_help_works_everywhere() -> None:
    assert loupe("import").returncode == 2
    assert loupe("frobnicate", "x").returncode in (1, 2)
    for command in ("new", "import", "preannotate", "info", "open"):
        result = loupe(command, "--help")
        assert result.returncode == 0 and "usage: loupe" in result.stdout


def test_no_arguments_opens_the_bundled_sample(tmp_path: Path) -> None:
    env = dict(os.environ, LOUPE_DATA_DIR=str(tmp_path))
    result = subprocess.run([*LOUPE, "--summary"], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sample.loupe").exists()
    assert "Articles" in result.stdout
    n = len(list(sample_dir().glob("*.txt")))
    assert f"Articles     {n}" in result.stdout


def _kill_when(project: Path, source: Path, ready) -> int:
    """Start an import, SIGKILL it once ``ready()`` holds; return the articles stored."""
    process = subprocess.Popen(
        [*LOUPE, "import", str(project), str(source), "--model", "no_such_model"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while process.poll() is None and not ready() and time.monotonic() < deadline:
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with sqlite3.connect(project) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    return info(project)["articles"]


@pytest.mark.slow
def test_killing_an_import_at_any_moment_leaves_a_valid_project(tmp_path: Path) -> None:
    """kill -9 while reading and while the batch is being written: intact, all or nothing."""
    source = tmp_path / "many.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for i in range(4000):
            handle.write(json.dumps({"title": f"Report {i}", "text": f"Body {i} " * 60}) + "\n")
    early = tmp_path / "early.loupe"
    assert main(["new", str(early)]) == 0
    started = time.monotonic()
    assert _kill_when(early, source, lambda: time.monotonic() - started > 0.8) == 0

    mid = tmp_path / "mid.loupe"
    assert main(["new", str(mid)]) == 0
    wal = Path(f"{mid}-wal")
    base = wal.stat().st_size if wal.exists() else 0

    def writing() -> bool:  # the batch transaction has put >256 KB into the WAL
        return wal.exists() and wal.stat().st_size > base + 256 * 1024

    assert _kill_when(mid, source, writing) == 0
    # The same file still takes the whole import afterwards.
    result = loupe("import", str(mid), str(source), "--model", "no_such_model")
    assert result.returncode == 0, result.stderr
    assert info(mid)["articles"] == 4000


def test_the_command_loads_no_heavy_library_before_a_subcommand_runs() -> None:
    """Start-up time: parsing arguments must not import the database, NLP or file libraries."""
    heavy = ("sqlalchemy", "alembic", "numpy", "openpyxl", "trafilatura", "docx", "spacy", "PySide6")
    code = (
        "import sys, app.cli.main as m; m.build_parser(); "
        f"print(','.join(x for x in {heavy!r} if x in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
