"""Files written under a temporary name beside their target, and what a killed run left.

An export or a backup is written as ``.<target name>.<pid>-<random>.partial`` in the
target's own folder (never the system's temporary folder, which nothing cleans and
which may be on another disk) and renamed onto the target only once complete. A run
that is killed (``kill -9``, a power cut) cannot remove its partial file; the next run
to the same target does, unless the process that made it is still running. The
process id in the name tells which: a live process's partial file is never touched.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sys
from contextlib import suppress
from pathlib import Path

PARTIAL_SUFFIX = ".partial"
#: Files SQLite may put beside a database being written.
_COMPANIONS = ("", "-journal", "-wal", "-shm")


def partial_path(target: Path) -> Path:
    """A new temporary name beside ``target`` that :func:`remove_leftovers` recognises."""
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}{PARTIAL_SUFFIX}")


def _leftover_pattern(names: str) -> re.Pattern[str]:
    # Versions before this module used tempfile.mkdtemp: eight random characters, no pid.
    return re.compile(
        rf"\.(?:{names})\.(?:(?P<pid>\d+)-[0-9a-f]{{8}}|[a-z0-9_]{{8}})\.partial(?:-journal|-wal|-shm)?"
    )


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` is running (on this machine); when unsure, True."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill would terminate it
        import ctypes

        kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel.GetLastError() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            kernel.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else
        return True
    return True


def remove_leftovers(folder: Path, names: str) -> list[Path]:
    """Remove the partial files and folders in ``folder`` of targets whose names match
    the regular expression ``names``, left by processes that are no longer running;
    returns what was removed. Errors are ignored: a leftover is retried next time."""
    pattern = _leftover_pattern(names)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(".") or "partial" not in entry.name:
            continue
        found = pattern.fullmatch(entry.name)
        if found is None or (found["pid"] is not None and pid_alive(int(found["pid"]))):
            continue
        path = Path(entry.path)
        with suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
    return removed


def remove_partial(path: Path) -> None:
    """Remove a partial file or folder and the files SQLite may have put beside it."""
    with suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            return
    for suffix in _COMPANIONS:
        with suppress(OSError):
            path.with_name(path.name + suffix).unlink()


def fsync_file(path: Path) -> None:
    """Force ``path``'s content to disk (a rename alone does not order the writes)."""
    descriptor = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def fsync_folder(folder: Path) -> None:
    """Force a rename in ``folder`` to disk. Windows cannot open a folder: a no-op there."""
    if sys.platform == "win32":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    except OSError:  # some file systems cannot sync a folder; the data is synced already
        pass
    finally:
        os.close(descriptor)
