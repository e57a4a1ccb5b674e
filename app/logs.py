"""The log: ``loupe.log`` in the user's log folder, and stderr with ``--debug``.

Messages a person reads are one sentence (see :mod:`app.core.errors`); everything a
developer needs to find the cause (tracebacks, SQL, the failing file) goes here
instead. :func:`configure_logging` is called once by each entry point (the ``loupe``
command, the window) and again harmlessly: it replaces only the handlers it added.

Standard library only: every layer may import this module (``app.paths`` finds the folder).
"""

from __future__ import annotations

import logging
import sys
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path

from app.paths import log_dir

LOG_NAME = "loupe.log"
#: 1 MB per file, the current one and three older: a few weeks of a busy lead's work.
MAX_BYTES = 1_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

_OURS = "_loupe_handler"


class _LazyFileHandler(RotatingFileHandler):
    """Creates the log folder with the first record, not at start-up: a run that logs
    nothing (most commands, the self-test) leaves the user's folders as they were."""

    def _open(self) -> TextIOWrapper:
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's override
        """A log that cannot be written (read-only home, full disk) is skipped quietly:
        it must never put a traceback in front of the user."""


def log_path() -> Path:
    """The current log file (it may not exist yet: it is created at the first record)."""
    return log_dir() / LOG_NAME


def configure_logging(*, debug: bool = False) -> Path | None:
    """Send Loupe's records to the rotating log file (INFO and up; DEBUG with ``debug``)
    and, with ``debug``, to stderr too. Returns the log file, or None when its folder
    cannot be created (a read-only home): then warnings and errors go to stderr."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(handler)
        handler.close()
    level = logging.DEBUG if debug else logging.INFO
    handlers: list[logging.Handler] = []
    file = log_path()
    path: Path | None = file
    try:
        file_handler: logging.Handler = _LazyFileHandler(
            file, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
        file_handler.setLevel(level)
        handlers.append(file_handler)
    except OSError:
        path = None
    if debug or path is None:
        stderr = logging.StreamHandler(sys.stderr)
        stderr.setLevel(logging.DEBUG if debug else logging.WARNING)
        handlers.append(stderr)
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        setattr(handler, _OURS, True)
        root.addHandler(handler)
    # Loupe's own records from INFO; other libraries' from WARNING (htmldate, spaCy's
    # helpers chatter at INFO). SQLAlchemy logs each statement with its parameters at
    # INFO (coders' notes, article texts): never below WARNING, even with --debug.
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    # A log that cannot be written (a full disk) must not add lines to a one-sentence stderr.
    logging.raiseExceptions = debug
    logging.getLogger("app").setLevel(level)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    return path


def ensure_logging() -> Path | None:
    """Configure the log unless an entry point already did (the window calls this, so that
    it logs when started without the ``loupe`` command, and keeps ``--debug`` when with)."""
    for handler in logging.getLogger().handlers:
        if getattr(handler, _OURS, False):
            return Path(handler.baseFilename) if isinstance(handler, RotatingFileHandler) else None
    return configure_logging()


def close_logging() -> None:
    """Remove the handlers :func:`configure_logging` added (tests, the end of a run)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(handler)
        handler.close()
