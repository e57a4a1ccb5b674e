"""What happens when Loupe hits a bug: a log file the coder can send, and a message
that says where it is.

:func:`install_crash_handler` replaces ``sys.excepthook`` (which PySide6 also calls
for an exception raised in a slot) and ``threading.excepthook``. Each uncaught
exception writes ``loupe-crash-<timestamp>.log`` with the traceback, the version and
the platform into the user's log folder (:func:`app.paths.log_dir`, beside
``loupe.log``, which gets the traceback too), then shows a message box naming that
file, with a button that opens the folder. A failure of the computer rather than a bug
(a read-only or locked project file, a full disk:
:func:`app.store.failures.describe_database_error`) is shown as its one sentence instead.
The message box is always shown on the GUI thread: an exception on a worker thread
reaches it through a queued signal. The program keeps running (every edit is already
committed), so the coder can go on or close it.
"""

from __future__ import annotations

import logging
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.core.printable import printable
from app.paths import IS_FROZEN, app_version
from app.paths import log_dir as log_dir
from app.store.failures import describe_database_error

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

log = logging.getLogger(__name__)


def write_crash_log(exc_info: ExcInfo, folder: Path | None = None, *, thread: str = "") -> Path:
    """Write the report of one uncaught exception; returns its path."""
    folder = log_dir() if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now()
    path = folder / f"loupe-crash-{now:%Y%m%d-%H%M%S}-{now.microsecond:06d}.log"
    lines = [
        "Loupe crash report: please send this file to your project lead.",
        f"time: {now.isoformat(timespec='seconds')}",
        f"loupe: {app_version()}{' (installed bundle)' if IS_FROZEN else ''}",
        f"python: {sys.version.split()[0]} on {platform.platform()}",
        f"thread: {thread or threading.current_thread().name}",
        "",
        *traceback.format_exception(*exc_info),
    ]
    path.write_text("\n".join(line.rstrip("\n") for line in lines) + "\n", encoding="utf-8")
    return path


def open_folder(folder: Path) -> bool:
    """Show ``folder`` in the file manager (Explorer, Finder, the desktop's own)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def add_open_folder_button(box: QMessageBox, folder: Path) -> None:
    """An "Open Log Folder" button on ``box`` that opens ``folder`` and leaves the box open."""
    button = box.addButton("Open Log Folder", QMessageBox.ButtonRole.ActionRole)
    button.setObjectName("openLogFolder")
    button.clicked.disconnect()  # an action button would close the box
    button.clicked.connect(lambda _checked=False: open_folder(folder))


def crash_message_box(path: Path, parent: QWidget | None = None) -> QMessageBox:
    """The message box naming the crash report, with a button opening its folder."""
    box = QMessageBox(QMessageBox.Icon.Critical, "Loupe: unexpected error",
                      "Loupe hit an unexpected error. Your coding up to the last change is saved.",
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("crashMessage")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(
        f"A report was written to:\n{printable(path)}\n\nPlease send this file to your "
        f"project lead. The folder also holds loupe.log, Loupe's log."
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    add_open_folder_button(box, path.parent)
    return box


def show_crash_message(path: Path, parent: QWidget | None = None) -> None:
    """The message box naming the log file (modal; GUI thread)."""
    crash_message_box(path, parent).exec()


def show_failure_message(sentence: str, path: Path, parent: QWidget | None = None) -> None:
    """A failure of the computer (not a bug): its sentence, and where the details are."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Loupe", printable(sentence),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("failureMessage")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(f"The details were written to:\n{printable(path)}")
    add_open_folder_button(box, path.parent)
    box.exec()


def _project_path() -> Path | None:
    """The project of the active window, if it has one (named in a failure's sentence)."""
    window = QApplication.activeWindow()
    controller = getattr(window, "controller", None)
    path = getattr(controller, "project_path", None)
    return path if isinstance(path, Path) else None


class _Notifier(QObject):
    """Carries a log path to the GUI thread (queued when emitted from another thread)."""

    crashed = Signal(str, str)  # the report, the sentence of a failure that is not a bug


class CrashHandler:
    """The installed hooks; keep a reference while the application runs.

    ``project`` names the project file a database failure is about (default: the
    active window's project).
    """

    def __init__(
        self,
        folder: Path | None,
        show: Callable[[Path], None],
        show_failure: Callable[[str, Path], None] = show_failure_message,
        project: Callable[[], Path | None] = _project_path,
    ) -> None:
        self.folder = folder
        self.show = show
        self.show_failure = show_failure
        self.project = project
        self.logs: list[Path] = []
        self._showing = False
        self._previous = (sys.excepthook, threading.excepthook)
        self._notifier = _Notifier()
        app = QApplication.instance()
        if app is not None:
            self._notifier.moveToThread(app.thread())
        self._notifier.crashed.connect(self._on_crashed, Qt.ConnectionType.QueuedConnection)

    def handle(self, exc_info: ExcInfo, thread: str = "") -> Path | None:
        if issubclass(exc_info[0], KeyboardInterrupt):
            self._previous[0](*exc_info)
            return None
        sentence = self._sentence(exc_info[1])
        log.critical("uncaught exception%s", f" on {thread}" if thread else "", exc_info=exc_info)
        try:
            path = write_crash_log(exc_info, self.folder, thread=thread)
        except OSError as error:  # a full disk or a read-only home: say so on stderr
            traceback.print_exception(*exc_info)
            print(f"loupe: the crash report could not be written ({error})", file=sys.stderr)
            return None
        self.logs.append(path)
        if sentence:
            print(f"loupe: {printable(sentence)}", file=sys.stderr)
        else:
            print(f"loupe: unexpected error; report written to {printable(path)}", file=sys.stderr)
        self._notifier.crashed.emit(str(path), sentence or "")
        return path

    def _sentence(self, exc: BaseException) -> str | None:
        """The one sentence of a database failure that is not a bug, else None."""
        try:
            project = self.project() if threading.current_thread() is threading.main_thread() else None
        except Exception:  # the crash handler must not crash
            project = None
        try:
            return describe_database_error(exc, str(project) if project else "the project file")
        except Exception:
            return None

    def _on_crashed(self, path: str, sentence: str) -> None:
        if self._showing:  # one box at a time; the later reports are on disk
            return
        self._showing = True
        try:
            if sentence:
                self.show_failure(sentence, Path(path))
            else:
                self.show(Path(path))
        finally:
            self._showing = False

    def excepthook(self, kind: type[BaseException], value: BaseException,
                   tb: TracebackType | None) -> None:
        self.handle((kind, value, tb))

    def threading_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        self.handle((args.exc_type, args.exc_value, args.exc_traceback),
                    thread=args.thread.name if args.thread else "")

    def uninstall(self) -> None:
        sys.excepthook, threading.excepthook = self._previous


def install_crash_handler(
    folder: Path | None = None, show: Callable[[Path], None] = show_crash_message
) -> CrashHandler:
    """Route uncaught exceptions to a crash log and a message box (call after the
    QApplication exists, on the GUI thread); make sure ``loupe.log`` is written too."""
    from app.logs import ensure_logging

    ensure_logging()
    handler = CrashHandler(folder, show)
    sys.excepthook = handler.excepthook
    threading.excepthook = handler.threading_excepthook
    return handler
