"""What a database failure means to the person at the keyboard, in one sentence.

SQLAlchemy's exceptions print the statement and every bound parameter (article texts,
coders' notes); SQLite's own messages ("attempt to write a readonly database", "disk
I/O error") do not say which file or what to do. :func:`describe_database_error` turns
the failures that come from the computer rather than from a bug (a read-only file or
folder, a full disk, a file another program holds locked, a damaged file) into one
sentence naming the file. Everything else is a bug: it returns None, and the caller
says "unexpected error" and logs the details.

The only module outside the engine that knows SQLite's error codes; it imports SQLAlchemy
and ``sqlite3`` so that nothing above the store has to.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from app.core.printable import printable

# SQLite's primary result codes (the low byte of an extended code); see sqlite.org/rescode.html.
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26
#: Extended codes of a write that the file system refused (EFBIG, ENOSPC on some paths).
_WRITE_ERRORS = {10 | (3 << 8), 10 | (4 << 8), 10 | (6 << 8), 10 | (13 << 8), 10 | (19 << 8)}
_READONLY_DIRECTORY = 8 | (6 << 8)
_READONLY_CANTINIT = 8 | (5 << 8)

#: When a result code is missing (an old driver, an error raised by the driver itself).
_MESSAGES = (
    ("readonly database", SQLITE_READONLY),
    ("database or disk is full", SQLITE_FULL),
    ("database is locked", SQLITE_BUSY),
    ("database table is locked", SQLITE_LOCKED),
    ("unable to open database file", SQLITE_CANTOPEN),
    ("disk i/o error", SQLITE_IOERR),
    ("malformed", SQLITE_CORRUPT),
    ("file is not a database", SQLITE_NOTADB),
)
_NO_SPACE = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
_NOT_ALLOWED = (errno.EROFS, errno.EACCES, errno.EPERM)
#: Less free space than this on the project's disk after a failed write: the disk is full.
_LOW_SPACE_BYTES = 16 * 1024 * 1024


def describe_database_error(exc: BaseException, name: str) -> str | None:
    """One sentence for a database failure of the file ``name``, or None for a bug.

    ``exc`` is what a database call raised: SQLAlchemy's ``OperationalError``,
    ``DatabaseError`` or ``IntegrityError`` (the driver's error is its ``orig``), a
    ``sqlite3.Error``, any exception whose ``__cause__``/``__context__`` is one of
    those, or the ``OSError`` of a file beside the database. ``name`` is the project's
    path as the user gave it (a ``str`` or ``Path``): the sentence shows its file name,
    and the file system is asked whether the file or its folder is read-only.

    Every place that ends a command or a window action calls this before it falls back
    to "unexpected error": the command line's top level, the window's task runner and
    crash handler, and the store where it opens a project file (engine/project_store).
    The sentence never holds SQL, parameters or a traceback; those go to the log.
    """
    path = Path(os.fsdecode(name)) if "://" not in str(name) else None
    shown = printable(path.name if path is not None and path.name else name)
    os_error = _os_error(exc)
    if os_error is not None:
        return _describe_os_error(os_error, path, shown)
    error = _sqlite_error(exc)
    if error is None:
        return None
    code = getattr(error, "sqlite_errorcode", None)
    if not isinstance(code, int):
        text = str(error).lower()
        code = next((value for fragment, value in _MESSAGES if fragment in text), None)
        if code is None:
            return None
    primary = code & 0xFF
    if primary == SQLITE_READONLY:
        if code in (_READONLY_DIRECTORY, _READONLY_CANTINIT):
            return _read_only_folder(path, shown)
        return _read_only(path, shown)
    if primary == SQLITE_FULL:
        return _full(shown)
    if primary in (SQLITE_BUSY, SQLITE_LOCKED):
        return (
            f"{shown} is locked by another program (another Loupe window or command, a backup "
            "or sync tool); close it there and try again."
        )
    if primary == SQLITE_CANTOPEN:
        return _cannot_open(path, shown)
    if primary == SQLITE_IOERR:
        # A commit that cannot write its pages reports the bare code, without the
        # extended one that says "write".
        if (code in _WRITE_ERRORS or code == SQLITE_IOERR) and _out_of_space(path):
            return _full(shown)
        return (
            f"A disk error stopped Loupe from reading or writing {shown}; check the disk "
            "(or the network share) and try again."
        )
    if primary == SQLITE_CORRUPT:
        return f"{shown} is damaged and cannot be read; restore it from a backup."
    if primary == SQLITE_NOTADB:
        return f"{shown} is not a Loupe project (it is not a SQLite database)."
    return None


def _sqlite_error(exc: BaseException) -> sqlite3.Error | None:
    """The driver's error behind ``exc``: its ``orig`` or somewhere in its chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.Error):
            return current
        if isinstance(current, DBAPIError) and isinstance(current.orig, sqlite3.Error):
            return current.orig
        current = current.__cause__ or current.__context__
    return None


def _os_error(exc: BaseException) -> OSError | None:
    """``exc`` itself when it is an OSError that says something about the file."""
    if isinstance(exc, OSError) and exc.errno in (*_NO_SPACE, *_NOT_ALLOWED):
        return exc
    return None


def _describe_os_error(error: OSError, path: Path | None, shown: str) -> str:
    """The sentence for an OSError; about the file it names when that is not the project."""
    target = Path(os.fsdecode(error.filename)) if error.filename is not None else path
    beside = (
        path is not None and target is not None and target.parent == path.parent
        and target.name in (f"{path.name}-wal", f"{path.name}-shm", f"{path.name}-journal")
    )
    if target is not None and path is not None and target != path and not beside:
        path, shown = target, printable(target)  # another file: an export, a backup, a source
    if error.errno in _NO_SPACE:
        return _full(shown)
    if path is not None and path.exists() and not os.access(path, os.R_OK):
        return _unreadable(shown)
    if beside and path is not None:
        return _read_only_folder(path, shown)
    return _read_only(path, shown)


def _full(shown: str) -> str:
    return (
        f"There is no room left to save {shown}: the disk is full (or a file size limit was "
        "reached); free some space and try again."
    )


def _unreadable(shown: str) -> str:
    return f"{shown} cannot be read (permission denied); ask for access or work on a copy."


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK)


def _read_only(path: Path | None, shown: str) -> str:
    if path is not None and path.exists() and not _writable(path):
        return (
            f"{shown} is read-only, so Loupe cannot save to it; make the file writable "
            "(or work on a copy) and try again."
        )
    if path is not None and path.parent.is_dir() and not _writable(path.parent):
        return _read_only_folder(path, shown)
    return (
        f"{shown} cannot be written: the file, its folder or its disk is read-only; "
        "use a folder you can write to and try again."
    )


def _read_only_folder(path: Path | None, shown: str) -> str:
    folder = printable(path.parent) if path is not None else "its folder"
    return (
        f"The folder {folder} is read-only, and Loupe needs to create {shown}-wal and "
        f"{shown}-shm beside {shown}; move the project to a folder you can write to."
    )


def _cannot_open(path: Path | None, shown: str) -> str:
    if path is not None:
        if path.exists() and not os.access(path, os.R_OK):
            return _unreadable(shown)
        beside = path.with_name(path.name + "-wal")
        if path.exists() and not _writable(path.parent) and not beside.exists():
            return _read_only_folder(path, shown)
    return f"{shown} cannot be opened; check that the file and its folder can be read."


def _out_of_space(path: Path | None) -> bool:
    """After a refused write: is the disk (nearly) full, or the process's file size capped?"""
    try:
        import resource  # POSIX only

        soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        if soft != resource.RLIM_INFINITY:
            return True
    except (ImportError, OSError, ValueError):
        pass
    if path is None:
        return False
    try:
        return shutil.disk_usage(path.parent).free < _LOW_SPACE_BYTES
    except OSError:
        return False
