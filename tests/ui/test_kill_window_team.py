"""The window's edits survive kill -9 after Team windows were opened and closed and other
programs used the same project file meanwhile.

Reading the project file with anything but SQLite (or closing any other descriptor on
it) drops every POSIX lock the window's process holds; the next process to close the
file then thinks it is the last user and deletes the write-ahead log under the window,
whose later edits still say "Saved" but are lost at kill -9. Each trial opens and closes
every Team window, lets other processes (``loupe info``, ``loupe export``, the
``sqlite3`` module) open and close the file before and during coding, kills the window
with SIGKILL and finds every edit the window reported as made.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.services.projects import open_project

CHILD = r"""
import os, sys
from pathlib import Path
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QTimer, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from app.ui.application import open_window

project, settings, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
window = open_window(project, "ana", settings_path=settings)
app = QApplication.instance()
for name in ("team_assignments", "team_agreement", "team_adjudicate", "team_training"):
    window.actions_by_name[name].trigger()
    app.processEvents()
lead = window.team.lead
lead.close()  # closes the lead window's own connections to the file
window.team.lead = None
app.processEvents()
print("team-closed", flush=True)
view = window.article_panel.view
view.snap_to_words = False
view.setFocus()
window.activateWindow()
while not window.isActiveWindow():  # shortcuts reach only the active window
    app.processEvents()
text = window.controller.bundle.article.text
step_number = 0

def step():
    global step_number
    if not go.exists():  # the parent is still running other programs on the file
        QTimer.singleShot(20, step)
        return
    start = (step_number * 7) % (len(text) - 5)
    cursor = QTextCursor(view.document())
    cursor.setPosition(start)
    cursor.setPosition(start + 3, QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    QTest.keyClick(view, Qt.Key.Key_1)
    # The key press has been handled: the window shows this annotation as made.
    print("done", window.controller.selected_id, flush=True)
    step_number += 1
    QTimer.singleShot(5, step)

QTimer.singleShot(0, step)
app.exec()
"""

TOUCH = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('SELECT count(*) FROM article').fetchall(); c.close()"


def _other_program(kind: str, project: Path, tmp: Path) -> None:
    """Another process that opens the project file and closes it again."""
    if kind == "sqlite3":
        command = [sys.executable, "-c", TOUCH, str(project)]
    elif kind == "export":
        target = tmp / f"out-{len(list(tmp.glob('out-*')))}.jsonl"
        command = [sys.executable, "-m", "app", "export", str(project), str(target)]
    else:
        command = [sys.executable, "-m", "app", "info", str(project), "--json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(20))
def test_kill_9_after_team_windows_and_other_programs_loses_no_edit(
    trial: int, project_file: Path, tmp_path: Path
) -> None:
    with open_project(project_file) as project:  # so that Adjudicate opens without asking
        project.store.coders.get_or_create("gold", role="adjudicator")
    others = ("info", "sqlite3", "export")
    before, during = others[trial % 3], others[(trial + 1) % 3]
    go = tmp_path / "go"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(project_file), str(tmp_path / "s.ini"), str(go)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    reported: list[str] = []
    assert process.stdout is not None
    try:
        assert process.stdout.readline().strip() == "team-closed", process.stderr.read() if process.stderr else ""
        _other_program(before, project_file, tmp_path)
        go.touch()
        for line in process.stdout:
            if line.startswith("done "):
                reported.append(line.split()[1])
            if len(reported) == 3:
                _other_program(during, project_file, tmp_path)  # while the window codes on
            if len(reported) >= 3 + 12 + trial % 5:
                break
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert len(reported) >= 15, process.stderr.read() if process.stderr else ""
    assert "None" not in reported
    conn = sqlite3.connect(project_file)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
    with open_project(project_file) as project:
        stored = {
            a.id for article in project.store.articles.list()
            for a in project.store.annotations.for_article(article.id)
        }
    missing = [annotation for annotation in reported if annotation not in stored]
    assert not missing, f"{len(missing)} of {len(reported)} edits reported as saved were lost"
