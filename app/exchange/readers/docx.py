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
from lxml import etree

from app.core.articles import ImportedArticle
from app.core.errors import ImportFormatError
from app.exchange.readers.articletext import clean_title, compose, text_or_none
from app.exchange.readers.textdecode import normalize_newlines

# A .docx is a zip archive that python-docx unpacks and parses whole: its memory follows
# the unpacked size and, above all, the number of XML elements (a tree of tiny paragraphs
# takes about 20 bytes of memory per byte of XML). These limits, checked from the archive's
# directory and one streaming pass that holds almost nothing, keep a whole import of the
# largest accepted document well under 1 GB. A 1,000-page book is far within all four.

#: All members unpacked (declared sizes: zipfile never reads past them).
MAX_UNPACKED_BYTES = 128 * 1024 * 1024
#: Any one XML part, word/document.xml in particular.
MAX_XML_PART_BYTES = 32 * 1024 * 1024
#: Paragraphs (w:p elements) in all XML parts together.
MAX_PARAGRAPHS = 100_000
#: XML elements and attributes in all XML parts together.
MAX_XML_NODES = 2_000_000

_W_P = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"
_MB = 1024 * 1024


def _size(count: int) -> str:
    return f"{count / _MB:.0f} MB" if count >= _MB else f"{count} bytes"


def _open_archive(data: bytes, name: str) -> None:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFormatError(
            f"{name} is not a Word .docx file (it may be damaged, or an older .doc file renamed to .docx)."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            members = {info.filename for info in infos}
            unpacked = sum(info.file_size for info in infos)
            if unpacked > MAX_UNPACKED_BYTES:
                raise ImportFormatError(
                    f"{name} would unpack to {_size(unpacked)}; a Word document may unpack "
                    f"to at most {_size(MAX_UNPACKED_BYTES)}."
                )
            if "[Content_Types].xml" not in members:
                raise ImportFormatError(f"{name} is a zip archive but not a Word document.")
            xml_parts = [info for info in infos if info.filename.lower().endswith((".xml", ".rels"))]
            for info in xml_parts:
                if info.file_size > MAX_XML_PART_BYTES:
                    raise ImportFormatError(
                        f"{name} holds {_size(info.file_size)} of XML in {info.filename}; a Word "
                        f"document may hold at most {_size(MAX_XML_PART_BYTES)} in one part."
                    )
            _count_nodes(archive, xml_parts, name)
    except ImportFormatError:
        raise
    except Exception as exc:  # zipfile raises several types on damaged archives
        raise ImportFormatError(
            f"{name} is a damaged zip archive, not a readable Word document."
        ) from exc


def _count_nodes(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo], name: str) -> None:
    """Refuse a document over :data:`MAX_PARAGRAPHS` or :data:`MAX_XML_NODES`.

    One streaming pass: each element is dropped as soon as it is counted, and the pass
    stops at the first count over a limit, so a bomb is refused quickly. Malformed XML
    is left for python-docx to report.
    """
    nodes = paragraphs = 0
    for info in parts:
        with archive.open(info) as stream:
            events = etree.iterparse(
                stream, events=("end",), resolve_entities=False, no_network=True, huge_tree=False
            )
            try:
                for _, element in events:
                    nodes += 1 + len(element.attrib)
                    if element.tag == _W_P:
                        paragraphs += 1
                    if nodes > MAX_XML_NODES:
                        raise ImportFormatError(
                            f"{name} has over {MAX_XML_NODES:,} XML elements and attributes; "
                            f"a Word document may have at most {MAX_XML_NODES:,}."
                        )
                    if paragraphs > MAX_PARAGRAPHS:
                        raise ImportFormatError(
                            f"{name} has over {MAX_PARAGRAPHS:,} paragraphs; a Word document "
                            f"may have at most {MAX_PARAGRAPHS:,}."
                        )
                    element.clear()
                    parent = element.getparent()
                    if parent is not None:
                        while element.getprevious() is not None:
                            del parent[0]
            except etree.XMLSyntaxError:
                continue


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
