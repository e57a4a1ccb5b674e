"""Reading articles from source files: plain text, CSV/TSV, JSON Lines, Word, HTML.

:func:`read_articles` is the one entry point: it picks the reader from the file's
extension, refuses files over the size limit before reading them, and turns every
failure into an :class:`~app.core.errors.ImportFormatError` whose message is one
sentence naming the file (and, for CSV and JSON Lines, the line).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from app.core.articles import ImportedArticle
from app.core.errors import ImportFormatError
from app.exchange.readers.docx import read_docx
from app.exchange.readers.html import read_html
from app.exchange.readers.jsonl import read_jsonl
from app.exchange.readers.language import with_language
from app.exchange.readers.plaintext import read_plaintext
from app.exchange.readers.tabular import read_csv, read_tsv

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_EXTENSIONS",
    "expand_inputs",
    "format_size",
    "read_articles",
]

_MB = 1024 * 1024
_KB = 1024

#: Files larger than this are refused unless the caller allows more.
DEFAULT_MAX_BYTES = 20 * _MB

Reader = Callable[[bytes, str], list[ImportedArticle]]

_READERS: dict[str, Reader] = {
    ".txt": read_plaintext,
    ".csv": read_csv,
    ".tsv": read_tsv,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".docx": read_docx,
    ".html": read_html,
    ".htm": read_html,
}

#: Extensions (lower case, with the dot) that :func:`read_articles` can read.
SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(_READERS)


def _supported_list() -> str:
    return ", ".join(sorted(SUPPORTED_EXTENSIONS))


def format_size(size: int, *, whole: bool = False) -> str:
    """``52.4 MB``, ``3.1 KB``, ``812 bytes``; ``whole`` drops a ``.0`` (``20 MB``)."""
    for unit, factor in (("MB", _MB), ("KB", _KB)):
        if size >= factor:
            shown = f"{size / factor:.1f}"
            if whole and shown.endswith(".0"):
                shown = shown[:-2]
            return f"{shown} {unit}"
    return f"{size} bytes"


def _too_large(name: str, size: int, max_bytes: int) -> ImportFormatError:
    return ImportFormatError(
        f"{name} is {format_size(size)}; the import limit is {format_size(max_bytes, whole=True)} "
        f"per file (set a larger limit with --max-file-size)."
    )


def _display_name(path: Path) -> str:
    return path.name or str(path)


#: Opening never waits (a FIFO with no writer would block forever) and, where asked,
#: never follows a symbolic link; both flags are missing on Windows.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _not_regular(name: str, mode: int) -> ImportFormatError:
    kind = _kind(mode)
    if kind == "a folder":
        return ImportFormatError(f"{name} is a folder, not a file.")
    if kind == "a symbolic link":
        return ImportFormatError(f"{name} is a symbolic link; links inside a folder are not followed.")
    return ImportFormatError(f"{name} is {kind}, not a regular file, so it was not read.")


def _read_bytes(path: Path, name: str, max_bytes: int, *, follow_symlinks: bool = True) -> bytes:
    """The bytes of a regular file; anything else is refused before it is opened.

    The type is checked again on the open descriptor: the path may have been replaced
    between the check and the open.
    """
    try:
        try:
            info = path.stat() if follow_symlinks else path.lstat()
        except FileNotFoundError as exc:
            raise ImportFormatError(f"{name} does not exist.") from exc
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(name, info.st_mode)
        if info.st_size > max_bytes:
            raise _too_large(name, info.st_size, max_bytes)
        fd = os.open(path, _OPEN_FLAGS | (0 if follow_symlinks else _NOFOLLOW))
        with os.fdopen(fd, "rb") as handle:
            opened = os.fstat(handle.fileno())
            if not stat.S_ISREG(opened.st_mode):
                raise _not_regular(name, opened.st_mode)
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ImportFormatError(f"{name} could not be read ({reason}).") from exc
    if len(data) > max_bytes:  # the file grew after it was measured
        raise _too_large(name, len(data), max_bytes)
    return data


def read_articles(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, follow_symlinks: bool = True
) -> list[ImportedArticle]:
    """All articles in the file at ``path``, in file order.

    Only a regular file is read: a named pipe, socket or device is refused without
    being opened, and so is a symbolic link unless ``follow_symlinks`` (a path the user
    named follows links; a file found in a folder does not).
    Raises :class:`ImportFormatError` (and nothing else) for a missing, unreadable,
    oversized, empty, binary or malformed file.
    """
    path = Path(path)
    name = _display_name(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise ImportFormatError(
            f"{name} is not a file type Loupe can import (supported: {_supported_list()})."
        )
    data = _read_bytes(path, name, max_bytes, follow_symlinks=follow_symlinks)
    if not data:
        raise ImportFormatError(f"{name} is empty.")
    try:
        # Every reader's articles get a language where their source gave none.
        articles = with_language(reader(data, name))
        for article in articles:
            # Stored texts are UTF-8: a lone surrogate must not get as far as the store.
            article.title.encode("utf-8")
            article.text.encode("utf-8")
    except ImportFormatError:
        raise
    except RecursionError as exc:
        raise ImportFormatError(
            f"{name} could not be read (its structure is nested too deeply)."
        ) from exc
    except MemoryError as exc:
        raise ImportFormatError(f"{name} could not be read (not enough memory).") from exc
    except Exception as exc:
        raise ImportFormatError(
            f"{name} could not be read ({type(exc).__name__}: {_short(exc)})."
        ) from exc
    return articles


def _short(exc: BaseException) -> str:
    detail = " ".join(str(exc).split()).rstrip(".")
    return detail[:117] + "..." if len(detail) > 120 else detail or "no details"


def _is_candidate(path: Path) -> bool:
    # Hidden files and Word's "~$name.docx" lock files are not articles.
    return path.suffix.lower() in SUPPORTED_EXTENSIONS and not path.name.startswith((".", "~$"))


def _walk(root: Path, skipped: list[str] | None) -> list[Path]:
    """The candidate regular files under ``root``; links and special files are left out.

    ``os.walk`` does not descend into linked folders; every entry's type comes from
    ``lstat``, so nothing found here is opened, and a link is never followed.
    """
    found: list[Path] = []
    for folder, subfolders, files in os.walk(root):
        kept = []
        for sub in subfolders:
            if sub.startswith("."):
                continue
            if Path(folder, sub).is_symlink():
                if skipped is not None:
                    skipped.append(
                        f"{Path(folder, sub)} is a symbolic link to a folder; links inside a "
                        f"folder are not followed."
                    )
                continue
            kept.append(sub)
        subfolders[:] = kept
        for file in files:
            path = Path(folder, file)
            if not _is_candidate(path):
                continue
            try:
                mode = path.lstat().st_mode
            except OSError:
                continue  # gone since the folder was listed
            if stat.S_ISREG(mode):
                found.append(path)
            elif skipped is not None:
                skipped.append(_not_regular(str(path), mode).message)
    return found


def expand_inputs(
    paths: Iterable[str | os.PathLike[str]], *, skipped: list[str] | None = None
) -> list[Path]:
    """The files to import: files as given, folders expanded recursively.

    A folder contributes its supported regular files (hidden ones and hidden folders
    skipped), sorted by their path within it. Inside a folder, symbolic links (to files
    or folders) are not followed, and named pipes, sockets and devices are not opened:
    each is left out with one sentence appended to ``skipped`` (when given).
    A file named twice is listed once.
    Raises :class:`ImportFormatError` for a path that does not exist, a file of an
    unsupported type, or a folder without supported files.
    """
    result: list[Path] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            result.append(path)

    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = _walk(path, skipped)
            if not found:
                raise ImportFormatError(
                    f"{path} contains no files Loupe can import ({_supported_list()})."
                )
            for file in sorted(found, key=lambda p: p.relative_to(path).as_posix()):
                add(file)
        elif path.is_file():
            if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
                raise ImportFormatError(
                    f"{path} is not a file type Loupe can import (supported: {_supported_list()})."
                )
            add(path)
        elif path.exists():
            raise ImportFormatError(f"{path} is neither a file nor a folder.")
        else:
            raise ImportFormatError(f"{path} does not exist.")
    return result
