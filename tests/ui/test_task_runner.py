"""One runner for every background job: closing the window stops them cleanly, and a
worker's failure is one sentence on screen and a full traceback in the log."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.services.projects import open_project

N_FILES = 150

CHILD = r"""
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app.ui.application import open_window
from app.ui.import_task import run_import

window = open_window(sys.argv[1], "ana", settings_path=sys.argv[2])
sources = sorted(Path(sys.argv[3]).glob("*.txt"))
task = run_import(window, sources)
done = []
task.done.connect(done.append)
# Quit at once: before the progress dialog shows (600 ms), while spaCy still works.
QTimer.singleShot(0, lambda: (print("running at close:", task.running(), flush=True), window.close()))
code = QApplication.instance().exec()
print("thread running after close:", task.worker_thread.isRunning(), flush=True)
print("done:", done, flush=True)
sys.exit(code)
"""


def article_count(path: Path) -> int:
    with open_project(path) as project:
        return project.store.articles.count()


def write_sources(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        body = " ".join(
            f"Anton Korolev said {i} men from Varnovka were sent to the front by the Ministry of Defence."
            for _ in range(12)
        )
        (folder / f"{i:03d}.txt").write_text(f"Report {i}\n\n{body}\n\n{body}", encoding="utf-8")
    return folder



def test_quitting_during_an_import_exits_with_0_and_keeps_the_project_whole(
    project_file: Path, tmp_path: Path
) -> None:
    before = article_count(project_file)
    sources = write_sources(tmp_path / "many", N_FILES)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(project_file), str(tmp_path / "s.ini"), str(sources)],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert "QThread: Destroyed" not in done.stderr
    assert done.returncode == 0, done.stderr[-3000:]
    assert "running at close: True" in done.stdout  # the job was still running
    assert "thread running after close: False" in done.stdout
    assert "done: [None]" in done.stdout  # abandoned: no result reached the closed window
    assert article_count(project_file) in (before, before + N_FILES)  # never a part
    with sqlite3.connect(project_file) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)



def test_closing_the_window_cancels_the_running_import(
    qtbot, project_file: Path, settings_file: Path, tmp_path: Path  # noqa: ANN001
) -> None:
    from app.ui.application import open_window
    from app.ui.import_task import run_import

    window = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(window)
    before = article_count(project_file)
    task = run_import(window, sorted(write_sources(tmp_path / "many", 60).glob("*.txt")))
    assert window.task_runner.running() == [task]
    with qtbot.waitSignal(task.done, timeout=120_000) as blocker:
        window.close()  # returns once the job has stopped
    assert blocker.args == [None]
    assert not task.worker_thread.isRunning() and task.concluded
    assert window.task_runner.running() == []
    assert not task.dialog.isVisible() and task.message_box is None
    assert article_count(project_file) in (before, before + 60)



def test_the_runner_knows_every_job_of_the_window(qtbot, project_file: Path, settings_file: Path) -> None:  # noqa: ANN001
    from app.services.progress import CancelFn, ProgressFn
    from app.services.projects import Project
    from app.ui.application import open_window
    from app.ui.tasks import ProjectTask

    window = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(window)

    def job(project: Project, _progress: ProgressFn, cancelled: CancelFn) -> int:
        return project.store.articles.count()

    counts: list[int] = []
    window.task_runner.changed.connect(counts.append)
    task = ProjectTask(window, project_file, job, what="count", label="Counting…", name="count")
    with qtbot.waitSignal(task.done, timeout=30_000) as blocker:
        task.start()
    assert blocker.args == [3]
    assert counts == [1, 0]
    with pytest.raises(RuntimeError):
        window.task_runner.start(task)  # a task runs once
    window.close()



def test_a_failing_worker_logs_its_traceback(
    qtbot, project_file: Path, settings_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    from app.logs import close_logging, configure_logging
    from app.services.progress import CancelFn, ProgressFn
    from app.services.projects import Project
    from app.ui.application import open_window
    from app.ui.tasks import ProjectTask

    monkeypatch.setenv("LOUPE_DATA_DIR", str(tmp_path / "data"))
    log_file = configure_logging()
    assert log_file == tmp_path / "data" / "logs" / "loupe.log"
    window = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(window)

    def broken_step_of_the_job(project: Project, _progress: ProgressFn, _cancelled: CancelFn) -> None:
        raise KeyError("no-such-column")

    task = ProjectTask(window, project_file, broken_step_of_the_job, what="export", label="…", name="export")
    try:
        with qtbot.waitSignal(task.done, timeout=30_000):
            task.start()
    finally:
        close_logging()
    text = log_file.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text
    assert "broken_step_of_the_job" in text and "KeyError: 'no-such-column'" in text
    shown = task.message_box.text()
    assert "unexpected error (KeyError)" in shown and str(log_file) in shown
    assert "Traceback" not in shown and "no-such-column" not in shown
    assert "\n" not in shown
    window.close()



def test_a_database_failure_in_a_worker_is_one_sentence(qtbot, project_file: Path, settings_file: Path) -> None:  # noqa: ANN001
    from app.services.progress import CancelFn, ProgressFn
    from app.services.projects import Project
    from app.ui.application import open_window
    from app.ui.tasks import ProjectTask

    window = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(window)

    def job(project: Project, _progress: ProgressFn, _cancelled: CancelFn) -> None:
        try:
            raise sqlite3.OperationalError("database is locked")
        except sqlite3.Error as exc:
            raise RuntimeError("INSERT INTO note VALUES ('secret note')") from exc

    task = ProjectTask(window, project_file, job, what="merge", label="…", name="merge")
    with qtbot.waitSignal(task.done, timeout=30_000):
        task.start()
    shown = task.message_box.text()
    assert shown.startswith("ui.loupe is locked by another program")
    assert "INSERT" not in shown and "secret" not in shown
    window.close()


def test_failure_messages_escape_control_characters_in_file_names() -> None:
    from app.core.errors import ImportFormatError
    from app.ui.tasks import failure_message

    message = failure_message(ImportFormatError("bad\x1b[2J\u202etxt.exe is empty."), "import", "p.loupe")
    assert message == "bad\\x1b[2J\\u202etxt.exe is empty."



def test_crash_dialog_names_the_report_and_opens_its_folder(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    from PySide6.QtWidgets import QPushButton

    from app.ui import crash

    opened: list[Path] = []
    monkeypatch.setattr(crash, "open_folder", opened.append)
    report = tmp_path / "logs" / "loupe-crash-20250101-120000-000000.log"
    box = crash.crash_message_box(report)
    qtbot.addWidget(box)
    assert str(report) in box.informativeText()
    button = box.findChild(QPushButton, "openLogFolder")
    assert button is not None
    box.show()
    button.click()
    assert opened == [report.parent]
    assert box.isVisible()  # the box stays open to be read



def test_a_database_failure_reaching_the_crash_handler_is_shown_as_its_sentence(
    qapp, qtbot, tmp_path: Path  # noqa: ANN001
) -> None:
    from app.ui.crash import install_crash_handler

    failures: list[tuple[str, Path]] = []
    handler = install_crash_handler(tmp_path / "logs", show=lambda _path: None)
    handler.show_failure = lambda sentence, path: failures.append((sentence, path))
    handler.project = lambda: tmp_path / "p.loupe"
    try:
        try:
            raise sqlite3.OperationalError("database or disk is full")
        except sqlite3.Error:
            sys.excepthook(*sys.exc_info())
        qtbot.waitUntil(lambda: bool(failures))
    finally:
        handler.uninstall()
    sentence, report = failures[0]
    assert sentence.startswith("There is no room left to save p.loupe")
    assert "sqlite3.OperationalError: database or disk is full" in report.read_text(encoding="utf-8")
