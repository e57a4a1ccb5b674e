"""Long work on a project (import, export, merge, agreement) without freezing the window.

Every job goes through the window's :class:`TaskRunner`, which knows what is running:
closing the window (or quitting the application) asks each job to stop, waits for its
thread, and only then lets Qt destroy anything, so a running thread is never destroyed.

A job runs on its own worker thread with its own connection to the project (SQLite has
one writer); progress comes back by queued signals and a progress dialog appears only
if the work takes longer than 600 ms. Cancel asks the work to stop; the services then
write nothing. No widget is touched from the worker.

A job that fails says so in one sentence: a refusal's own (:class:`LoupeError`), a
failure of the computer's (:func:`app.store.failures.describe_database_error`), or
"unexpected error" with the place of the log file, where the traceback is written in full.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from app.core.errors import LoupeError
from app.core.location import Location
from app.core.printable import printable
from app.logs import log_path
from app.services.progress import CancelFn, ProgressFn
from app.services.projects import Project, open_project
from app.store.failures import describe_database_error

log = logging.getLogger(__name__)

#: The work: called on the worker thread with the project it opened there.
Job = Callable[[Project, ProgressFn, CancelFn], Any]


def failure_message(exc: BaseException, what: str, project_path: Path | str) -> str:
    """One sentence for an exception that ended ``what``; logs it with its traceback."""
    if isinstance(exc, LoupeError):
        log.info("%s refused: %s", what, exc.message, exc_info=exc.__cause__ is not None)
        return printable(exc.message)
    sentence = describe_database_error(exc, str(project_path))
    if sentence is not None:
        log.warning("%s failed: %s", what, sentence, exc_info=exc)
        return printable(sentence)
    log.error("%s failed unexpectedly", what, exc_info=exc)
    return (
        f"The {what} failed because of an unexpected error ({type(exc).__name__}); "
        f"the details are in the log file {printable(log_path())}."
    )


class ProjectWorker(QObject):
    """Runs one job on the worker thread (its ``run`` is connected to ``started``)."""

    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, project_path: Location, job: Job, what: str) -> None:
        super().__init__()
        self.project_path = project_path
        self.job = job
        self.what = what
        self.cancel_event = threading.Event()

    def run(self) -> None:
        try:
            with open_project(self.project_path) as project:
                result = self.job(project, self.progressed.emit, self.cancel_event.is_set)
        except Exception as exc:  # never a crashed window: one sentence, the traceback logged
            self.failed.emit(failure_message(exc, self.what, self.project_path))
        else:
            self.finished.emit(result)


class BackgroundTask(QObject):
    """One job on its own thread, started and tracked by a :class:`TaskRunner`.

    Subclasses say what a result or a failure means (:meth:`on_result`,
    :meth:`on_failure`). A task the runner abandons (the window is closing) is
    cancelled and ends with :meth:`on_abandoned` instead: it touches no widget then.
    ``ended`` is emitted exactly once, after whichever of those ran.
    """

    ended = Signal()

    def __init__(self, project_path: Location, job: Job, what: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.what = what
        self.worker_thread = QThread(self)
        self.worker_thread.setObjectName(f"loupe-{what.replace(' ', '-')}")
        self.worker = ProjectWorker(project_path, job, what)
        self.worker.moveToThread(self.worker_thread)
        self.worker_thread.started.connect(self.worker.run)
        # End the thread as soon as the job has (not when the GUI thread gets round to
        # it), so that the runner's wait() returns then: quit() is safe from any thread.
        direct = Qt.ConnectionType.DirectConnection
        self.worker.finished.connect(self.worker_thread.quit, direct)
        self.worker.failed.connect(self.worker_thread.quit, direct)
        # Slots of an object on the GUI thread: the calls arrive queued there.
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.runner: TaskRunner | None = None
        self.abandoned = False
        self.concluded = False

    def start(self) -> None:
        """Start through the runner of the window this task belongs to."""
        runner_for(self.parent()).start(self)

    def cancel(self) -> None:
        self.worker.cancel_event.set()

    def running(self) -> bool:
        """Started and not yet concluded (its result may still be on its way)."""
        return self.runner is not None and not self.concluded

    def wait(self, msecs: int = -1) -> bool:
        """Block until the worker thread has ended; True if it has."""
        if msecs < 0:
            return self.worker_thread.wait()
        return self.worker_thread.wait(msecs)

    def abandon(self) -> None:
        """The window is closing: stop as soon as possible and show nothing."""
        self.abandoned = True
        self.cancel()

    # -- hooks ---------------------------------------------------------------------------
    def on_result(self, result: Any) -> None:
        """The job returned ``result`` (GUI thread)."""

    def on_failure(self, message: str) -> None:
        """The job failed or was cancelled, for the reason ``message`` (GUI thread)."""

    def on_abandoned(self) -> None:
        """The runner stopped the job while the window closed (GUI thread)."""

    # -- endings ---------------------------------------------------------------------------
    def _finished(self, result: Any) -> None:
        self._conclude(self.on_result, result)

    def _failed(self, message: str) -> None:
        self._conclude(self.on_failure, message)

    def _conclude(self, ending: Callable[[Any], None], value: Any) -> None:
        """Once per job: wait for its thread, then report ``value`` through ``ending``
        (unless the window abandoned the job) and say that it ended."""
        if self.concluded:
            return
        self.wait()
        if self.abandoned:
            self.conclude_abandoned()
            return
        self.concluded = True
        try:
            ending(value)
        finally:
            self.ended.emit()

    def conclude_abandoned(self) -> None:
        if self.concluded:
            return
        self.concluded = True
        try:
            self.on_abandoned()
        finally:
            self.ended.emit()


class TaskRunner(QObject):
    """Every background job of one window: starts them, knows which are running, and
    stops them all before the window (or the application) goes away.

    objectName ``taskRunner``. GUI thread only.
    """

    #: The number of jobs running changed: that number.
    changed = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskRunner")
        self._tasks: list[BackgroundTask] = []
        app = QCoreApplication.instance()
        if app is not None:  # QApplication.quit() without closing the window: stop all the same
            app.aboutToQuit.connect(self.shutdown)

    def start(self, task: BackgroundTask) -> None:
        if task.runner is not None:
            raise RuntimeError(f"the {task.what} was started twice")
        task.runner = self
        self._tasks.append(task)
        task.ended.connect(lambda t=task: self._forget(t))
        log.debug("%s started", task.what)
        task.worker_thread.start()
        self.changed.emit(len(self._tasks))

    def running(self) -> list[BackgroundTask]:
        """The jobs started and not yet concluded, oldest first."""
        return list(self._tasks)

    def shutdown(self) -> None:
        """Cancel every job and wait for its thread; each ends with ``on_abandoned``.

        Blocks the GUI thread until the jobs have stopped: the services check their
        ``cancelled()`` often, and a write already under way finishes in one transaction,
        so the project holds the whole job or none of it. Jobs that cannot be cancelled
        (the agreement report) are waited for.
        """
        tasks = list(self._tasks)
        if not tasks:
            return
        log.info("stopping %d background job(s) before closing", len(tasks))
        app = QApplication.instance()
        busy = isinstance(app, QApplication)
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            for task in tasks:
                task.abandon()
            for task in tasks:
                task.wait()
        finally:
            if busy:
                QApplication.restoreOverrideCursor()
        for task in tasks:
            task.conclude_abandoned()

    def _forget(self, task: BackgroundTask) -> None:
        if task in self._tasks:
            self._tasks.remove(task)
            log.debug("%s ended", task.what)
            self.changed.emit(len(self._tasks))


def runner_for(obj: QObject | None) -> TaskRunner:
    """The runner of the window ``obj`` belongs to (its nearest ancestor with a
    ``task_runner``), or else the application's own runner, made on first use."""
    current = obj
    while current is not None:
        runner = getattr(current, "task_runner", None)
        if isinstance(runner, TaskRunner):
            return runner
        current = current.parent()
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("background jobs need a QApplication")
    found = app.findChild(TaskRunner, "applicationTaskRunner")
    if isinstance(found, TaskRunner):
        return found
    runner = TaskRunner(app)
    runner.setObjectName("applicationTaskRunner")
    return runner


class ProjectTask(BackgroundTask):
    """A job of the main window with a progress dialog (after 600 ms) and Cancel.

    ``done`` carries the job's result, or None if it failed or was cancelled (the
    reason is in the status bar and a message box) or the window closed meanwhile.
    Subclasses override :meth:`succeeded` to show what happened.
    """

    done = Signal(object)

    def __init__(
        self, window: QWidget, project_path: Location, job: Job, *, what: str, label: str, name: str
    ) -> None:
        super().__init__(project_path, job, what, window)
        self.window = window
        self.name = name
        self.dialog = QProgressDialog(label, "Cancel", 0, 0, window)
        self.dialog.setObjectName(f"{name}Progress")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(600)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self._cancel_pressed)
        self.worker.progressed.connect(self._progress)
        self.message_box: QMessageBox | None = None

    def _progress(self, done: int, total: int, text: str) -> None:
        if self.concluded or self.abandoned:
            return
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(min(done, max(total, 1)))
        self.dialog.setLabelText(printable(text))

    def _cancel_pressed(self) -> None:
        if not self.concluded:
            self.cancel()

    def _stop(self) -> None:
        self.dialog.reset()  # also stops the timer that would show it after 600 ms
        self.dialog.close()

    def show_message(self, icon: QMessageBox.Icon, text: str, name: str) -> None:
        self.message_box = QMessageBox(icon, self.what.capitalize(), text, parent=self.window)
        self.message_box.setObjectName(name)
        self.message_box.setTextFormat(Qt.TextFormat.PlainText)  # a file name is not markup
        self.message_box.open()

    def status(self, text: str) -> None:
        status_bar = getattr(self.window, "statusBar", None)
        if status_bar is not None:
            status_bar().showMessage(text, 10_000)

    def succeeded(self, result: Any) -> None:
        """Show the result (the default: nothing)."""

    def on_result(self, result: Any) -> None:
        self._stop()
        try:
            self.succeeded(result)
        finally:
            self.done.emit(result)

    def on_failure(self, message: str) -> None:
        self._stop()
        self.status(message)
        self.show_message(QMessageBox.Icon.Warning, message, f"{self.name}Error")
        self.done.emit(None)

    def on_abandoned(self) -> None:
        self._stop()
        self.done.emit(None)
