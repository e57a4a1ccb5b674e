"""Backups of a project file beside it (``<stem>.backup-<UTC timestamp>.loupe``).

A backup is copied with SQLite's backup API through the project's own engine (committed
write-ahead-log content included) into ``.<backup name>.<pid>-<random>.partial`` beside
the project (see :mod:`app.core.staging`), turned into a single file (rollback journal
mode: a copy needs no ``-wal``), synced, checked with ``PRAGMA integrity_check`` through
a fresh read-only connection, and only then renamed to its final name and the folder
synced. So a backup under its final name is always complete, and one that could not be
written (a full disk, a read-only folder) is a :class:`ProjectError` raised before
anything else happens. What a killed backup left is removed by the next one, and never
counts among the backups kept; neither does a backup under its final name that is not
a complete SQLite file (written by versions before this module).
"""

from __future__ import annotations

import os
import re
import sqlite3
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from app.core.errors import ProjectError
from app.core.staging import (
    fsync_file,
    fsync_folder,
    partial_path,
    remove_leftovers,
    remove_partial,
)
from app.store.engine import sqlite_connection

_STAMP = r"\d{8}-\d{6}-\d{6}"
_SQLITE_MAGIC = b"SQLite format 3\x00"


def backup_path(lead: Path, when: datetime | None = None) -> Path:
    """The name of a backup of ``lead`` made at ``when`` (default: now)."""
    stamp = (when or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%d-%H%M%S-%f")
    return lead.with_name(f"{lead.stem}.backup-{stamp}.loupe")


def _names(lead: Path) -> str:
    """A regular expression matching the names of ``lead``'s backups."""
    return rf"{re.escape(lead.stem)}\.backup-{_STAMP}\.loupe"


def backups_of(lead: Path) -> list[Path]:
    """``lead``'s backups under their final names, oldest first (complete or not)."""
    pattern = re.compile(_names(lead))
    try:
        names = [entry.name for entry in os.scandir(lead.parent) if pattern.fullmatch(entry.name)]
    except OSError:
        return []
    return [lead.with_name(name) for name in sorted(names)]


def is_complete(path: Path) -> bool:
    """A cheap check (no connection is made): a SQLite header and no rollback journal
    beside it, which a copy interrupted by versions before this module left."""
    if path.with_name(path.name + "-journal").exists():
        return False
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError:
        return False
    return len(header) == 100 and header.startswith(_SQLITE_MAGIC)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return str(exc.strerror or exc)
    return str(exc)


def _integrity_problem(path: Path) -> str | None:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()
    return None if rows == [("ok",)] else str(rows[0][0] if rows else "no answer")


def write_backup(engine: Engine, target: Path, *, project_name: str) -> None:
    """Copy the project behind ``engine`` to ``target``, complete or not at all."""
    partial = partial_path(target)
    try:
        with engine.connect() as conn:
            source = sqlite_connection(conn)
            destination = sqlite3.connect(partial)
            try:
                source.backup(destination)
                destination.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal
            finally:
                destination.close()
        fsync_file(partial)
        problem = _integrity_problem(partial)
        if problem is not None:
            raise ProjectError(
                f"The backup of {project_name} failed its integrity check ({problem}); nothing was changed."
            )
        os.replace(partial, target)
        fsync_folder(target.parent)
    except (OSError, sqlite3.Error) as exc:
        raise ProjectError(
            f"No backup of {project_name} could be written in {target.parent} ({_reason(exc)}); "
            "nothing was changed."
        ) from exc
    finally:
        remove_partial(partial)  # gone already when the backup succeeded


def prune_backups(lead: Path, keep: int) -> list[Path]:
    """Remove what killed backups left, backups that are not complete, and all but the
    newest ``keep`` complete ones; returns the backups kept, oldest first."""
    remove_leftovers(lead.parent, _names(lead))
    complete: list[Path] = []
    for path in backups_of(lead):
        if is_complete(path):
            complete.append(path)
            continue
        for suffix in ("", "-journal"):
            with suppress(OSError):
                path.with_name(path.name + suffix).unlink()
    stale, kept = complete[: max(0, len(complete) - keep)], complete[max(0, len(complete) - keep) :]
    for path in stale:
        with suppress(OSError):
            path.unlink()
    return kept


def make_backup(engine: Engine, lead: Path, *, keep: int) -> Path:
    """Back ``lead`` up beside itself and keep its newest ``keep`` backups; returns the new one."""
    target = add_backup(engine, lead)
    prune_backups(lead, keep)
    return target


def add_backup(engine: Engine, lead: Path) -> Path:
    """Back ``lead`` up beside itself, removing nothing but what killed runs left."""
    remove_leftovers(lead.parent, _names(lead))  # room first, on a nearly full disk
    target = backup_path(lead)
    write_backup(engine, target, project_name=lead.name)
    return target


def discard_backup(path: Path) -> None:
    """Remove a backup that turned out not to be needed (nothing was changed after it)."""
    with suppress(OSError):
        path.unlink()
