"""What happens when Loupe hits a bug: a log file the coder can send, and a message
that says where it is.

:func:`install_crash_handler` replaces ``sys.excepthook`` (which PySide6 also calls
for an exception raised in a slot) and ``threading.excepthook``. Each uncaught
exception writes ``loupe-crash-<timestamp>.log`` with the traceback, the version and
the platform into the user's log folder, then shows a message box naming that file.
The message box is always shown on the GUI thread: an exception on a worker thread
reaches it through a queued signal. The program keeps running (every edit is already
committed), so the coder can go on or close it.
"""

from __future__ import annotations

import os
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType

from platformdirs import user_log_dir
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from app.paths import IS_FROZEN

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def log_dir() -> Path:
    """Where crash logs go: ``<LOUPE_DATA_DIR>/logs`` when set (tests), else the
    user's log folder (``~/.local/state/Loupe/log``, ``%LOCALAPPDATA%\\Loupe\\Logs``,
    ``~/Library/Logs/Loupe``)."""
    override = os.environ.get("LOUPE_DATA_DIR")
    return Path(override) / "logs" if override else Path(user_log_dir("Loupe", appauthor=False))


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("loupe-coder")
    except PackageNotFoundError:
        return "unknown"


def write_crash_log(exc_info: ExcInfo, folder: Path | None = None, *, thread: str = "") -> Path:
    """Write the report of one uncaught exception; returns its path."""
    folder = log_dir() if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now()
    path = folder / f"loupe-crash-{now:%Y%m%d-%H%M%S}-{now.microsecond:06d}.log"
    lines = [
        "Loupe crash report: please send this file to your project lead.",
        f"time: {now.isoformat(timespec='seconds')}",
        f"loupe: {_version()}{' (installed bundle)' if IS_FROZEN else ''}",
        f"python: {sys.version.split()[0]} on {platform.platform()}",
        f"thread: {thread or threading.current_thread().name}",
        "",
        *traceback.format_exception(*exc_info),
    ]
    path.write_text("\n".join(line.rstrip("\n") for line in lines) + "\n", encoding="utf-8")
    return path


def show_crash_message(path: Path, parent: object = None) -> None:
    """The message box naming the log file (modal; GUI thread)."""
    box = QMessageBox(QMessageBox.Icon.Critical, "Loupe: unexpected error",
                      "Loupe hit an unexpected error. Your coding up to the last change is saved.",
                      QMessageBox.StandardButton.Ok, parent)  # type: ignore[arg-type]
    box.setObjectName("crashMessage")
    box.setInformativeText(
        f"A report was written to:\n{path}\n\nPlease send this file to your project lead."
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()


class _Notifier(QObject):
    """Carries a log path to the GUI thread (queued when emitted from another thread)."""

    crashed = Signal(str)


class CrashHandler:
    """The installed hooks; keep a reference while the application runs."""

    def __init__(self, folder: Path | None, show: Callable[[Path], None]) -> None:
        self.folder = folder
        self.show = show
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
        try:
            path = write_crash_log(exc_info, self.folder, thread=thread)
        except OSError as error:  # a full disk or a read-only home: say so on stderr
            traceback.print_exception(*exc_info)
            print(f"loupe: the crash report could not be written ({error})", file=sys.stderr)
            return None
        self.logs.append(path)
        print(f"loupe: unexpected error; report written to {path}", file=sys.stderr)
        self._notifier.crashed.emit(str(path))
        return path

    def _on_crashed(self, path: str) -> None:
        if self._showing:  # one box at a time; the later reports are on disk
            return
        self._showing = True
        try:
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
    QApplication exists, on the GUI thread)."""
    handler = CrashHandler(folder, show)
    sys.excepthook = handler.excepthook
    threading.excepthook = handler.threading_excepthook
    return handler
