"""`loupe notaproject.loupe` started from a launcher (no terminal): the refusal is a dialog."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from app.ui.application import ensure_application

app = ensure_application()

def close_the_dialog():
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        print("dialog:", box.text(), flush=True)
        box.accept()
    else:
        QTimer.singleShot(20, close_the_dialog)

QTimer.singleShot(20, close_the_dialog)
from app.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def _start(tmp_path: Path, project: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LOUPE_DATA_DIR=str(tmp_path / "data"),
               LOUPE_SETTINGS=str(tmp_path / "settings.ini"))
    # stderr is a pipe, not a terminal: as when a launcher or a file manager starts Loupe.
    return subprocess.run([sys.executable, "-c", CHILD, str(project)], capture_output=True, text=True,
                          env=env, timeout=120)


def test_a_bad_file_from_a_launcher_is_said_in_a_dialog_and_on_stderr(tmp_path: Path) -> None:
    bad = tmp_path / "notaproject.loupe"
    bad.write_text("Dear lead, here is my coding.\n" * 40)
    done = _start(tmp_path, bad)
    sentence = "notaproject.loupe is not a Loupe project (it is not a SQLite database)."
    assert done.returncode == 1
    assert done.stdout.strip() == f"dialog: {sentence}"
    assert done.stderr.strip().endswith(sentence) and "Traceback" not in done.stderr
