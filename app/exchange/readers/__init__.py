"""Reading articles from source files: plain text, CSV/TSV, JSON Lines, Word, HTML.

:func:`read_articles` is the one entry point: it picks the reader from the file's
extension, refuses files over the size limit before reading them, and turns every
failure into an :class:`~app.core.errors.ImportFormatError` whose message is one
sentence naming the file (and, for CSV and JSON Lines, the line).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from app.core.articles import ImportedArticle
from app.core.errors import ImportFormatError
from app.exchange.readers.docx import read_docx
from app.exchange.readers.html import read_html
from app.exchange.readers.jsonl import read_jsonl
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


def _read_bytes(path: Path, name: str, max_bytes: int) -> bytes:
    try:
        if not path.exists():
            raise ImportFormatError(f"{name} does not exist.")
        if path.is_dir():
            raise ImportFormatError(f"{name} is a folder, not a file.")
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_large(name, size, max_bytes)
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ImportFormatError(f"{name} could not be read ({reason}).") from exc
    if len(data) > max_bytes:  # the file grew after it was measured
        raise _too_large(name, len(data), max_bytes)
    return data


def read_articles(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[ImportedArticle]:
    """All articles in the file at ``path``, in file order.

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
    data = _read_bytes(path, name, max_bytes)
    if not data:
        raise ImportFormatError(f"{name} is empty.")
    try:
        articles = reader(data, name)
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


def expand_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files to import: files as given, folders expanded recursively.

    A folder contributes its supported files (hidden ones and hidden folders skipped),
    sorted by their path within it. A file named twice is listed once.
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
            found: list[Path] = []
            for folder, subfolders, files in os.walk(path):
                subfolders[:] = [d for d in subfolders if not d.startswith(".")]
                found.extend(Path(folder, file) for file in files if _is_candidate(Path(file)))
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
