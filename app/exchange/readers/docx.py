"""Word documents (.docx): one article per file.

The headline is the document's title property when it is set, otherwise its first
non-empty paragraph. Paragraphs (and the paragraphs of table cells, in document order)
are separated by blank lines; empty paragraphs are dropped.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import PurePath

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from app.core.articles import ImportedArticle
from app.core.errors import ImportFormatError
from app.exchange.readers.articletext import clean_title, compose, text_or_none
from app.exchange.readers.textdecode import normalize_newlines

# A .docx is a zip archive; refuse archives that would unpack to far more than any
# article (a "zip bomb") before python-docx unpacks them into memory.
MAX_UNPACKED_BYTES = 512 * 1024 * 1024


def _open_archive(data: bytes, name: str) -> None:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFormatError(
            f"{name} is not a Word .docx file (it may be damaged, or an older .doc file renamed to .docx)."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            members = set(archive.namelist())
    except Exception as exc:  # zipfile raises several types on damaged archives
        raise ImportFormatError(
            f"{name} is a damaged zip archive, not a readable Word document."
        ) from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFormatError(
            f"{name} would unpack to {unpacked // (1024 * 1024)} MB, more than a Word document of articles can hold."
        )
    if "[Content_Types].xml" not in members:
        raise ImportFormatError(f"{name} is a zip archive but not a Word document.")


def _blocks(document: docx.document.Document) -> Iterator[str]:
    """The text of each paragraph, table cells included, in document order."""
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            yield from _table_paragraphs(block)


def _table_paragraphs(table: Table) -> Iterator[str]:
    seen: set[int] = set()
    for row in table.rows:
        for cell in row.cells:
            # A merged cell is returned once for every grid column it spans.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            for paragraph in cell.paragraphs:
                yield paragraph.text


def read_docx(data: bytes, name: str) -> list[ImportedArticle]:
    _open_archive(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors, ...
        raise ImportFormatError(
            f"{name} could not be opened as a Word document ({_why(exc)})."
        ) from exc
    try:
        paragraphs = [normalize_newlines(p).strip() for p in _blocks(document)]
    except Exception as exc:
        raise ImportFormatError(f"{name} has a damaged document body ({_why(exc)}).") from exc
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        raise ImportFormatError(f"{name} contains no text.")

    properties = document.core_properties
    metadata: dict[str, object] = {}
    property_title = ""
    try:
        property_title = clean_title(properties.title)
        for key in ("author", "subject", "keywords"):
            value = text_or_none(getattr(properties, key))
            if value:
                metadata[key] = value
    except Exception:  # damaged document properties are not worth refusing the text for
        pass
    if property_title:
        composed = compose(property_title, "\n\n".join(paragraphs))
    else:
        # The first paragraph is the headline (a line break inside it becomes a space).
        composed = compose(paragraphs[0], "\n\n".join(paragraphs[1:]))
    return [
        ImportedArticle(
            title=composed.title,
            text=composed.text,
            origin=name,
            external_id=PurePath(name).stem or None,
            metadata=metadata,
        )
    ]


def _why(exc: BaseException) -> str:
    detail = " ".join(str(exc).split()).rstrip(".")
    if not detail or len(detail) > 120:
        return type(exc).__name__
    return detail
