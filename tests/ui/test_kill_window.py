"""kill -9 a running window mid-session: every edit it reported as done is in the file."""

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
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QTimer, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from app.ui.application import open_window

window = open_window(sys.argv[1], "ana", settings_path=sys.argv[2])
view = window.article_panel.view
view.snap_to_words = False
view.setFocus()
while not window.isActiveWindow():  # shortcuts reach only the active window
    QApplication.processEvents()
text = window.controller.bundle.article.text
step_number = 0

def step():
    global step_number
    start = (step_number * 7) % (len(text) - 5)
    cursor = QTextCursor(view.document())
    cursor.setPosition(start)
    cursor.setPosition(start + 3, QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    QTest.keyClick(view, Qt.Key.Key_1)
    # The key press has been handled: the window shows this annotation as made.
    print("done", window.controller.selected_id, flush=True)
    step_number += 1
    QTimer.singleShot(0, step)

QTimer.singleShot(0, step)
QApplication.instance().exec()
"""


@pytest.mark.slow
def test_kill_9_during_a_session_loses_no_completed_edit(project_file: Path, tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(project_file), str(tmp_path / "s.ini")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    reported: list[str] = []
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if line.startswith("done "):
                reported.append(line.split()[1])
            if len(reported) >= 60:
                break
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert len(reported) >= 60, process.stderr.read() if process.stderr else ""
    assert "None" not in reported
    with sqlite3.connect(project_file) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with open_project(project_file) as project:
        stored = {
            a.id for article in project.store.articles.list()
            for a in project.store.annotations.for_article(article.id)
        }
    assert set(reported) <= stored
