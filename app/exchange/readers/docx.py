"""Word documents (.docx): one article per file, read from the XML in one streaming pass.

What is kept, in the order of the file:

- the body's paragraphs, separated by blank lines (empty paragraphs are dropped, and each
  paragraph loses its outer white space);
- tables, interleaved with the paragraphs as in the file: one row per line, its cells
  separated by ``" | "``; a cell's paragraphs and line breaks become single spaces, so
  that a row stays on one line. A cell spanning several columns (``w:gridSpan``) is read
  once; a cell continuing a vertical merge (``w:vMerge``) is an empty cell, so the text of
  a merged cell appears once, in its first row, and the other cells keep their columns;
  an empty first or last cell shows as a line starting or ending with ``"|"``. A table
  inside a cell is flattened in place: all its cells, in reading order, separated by
  ``" | "``. Rows without any text are dropped;
- text boxes, as paragraphs after the paragraph (or inside the cell) that anchors them;
- characters as the file declares them: entity and character references resolved
  (``&amp;``, ``&#x2019;``, internal DTD entities), ``w:tab`` and ``w:ptab`` as a tab,
  ``w:br`` and ``w:cr`` as a line break, ``w:noBreakHyphen`` as U+2011, ``w:sym`` mapped
  to Unicode for the Symbol and common Wingdings characters (others keep their code);
- the displayed result of fields (not their instructions), and the inserted or moved-to
  text of tracked changes.

Left out: deleted and moved-away text of tracked changes (a deleted paragraph mark joins
its paragraph to the next), soft hyphens (``w:softHyphen``: invisible unless a line
breaks there, and they would split words for search and the entity model), hidden text
(``w:vanish`` on the run), drawings and pictures other than text boxes, equations,
headers, footers, footnotes, endnotes and comments.

The headline is the document's title property when it is set and not a placeholder
(python-docx's "Word Document", "Untitled", "Document1", the file's own name, ...),
otherwise the first paragraph (its line breaks become spaces), or the first row of a
table that opens the document.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO

from lxml import etree

from app.core.articles import ImportedArticle
from app.core.errors import ImportFormatError
from app.exchange.readers.articletext import clean_title, compose, text_or_none
from app.exchange.readers.textdecode import normalize_newlines

# A .docx is a zip archive whose body is parsed one top-level block (paragraph or table)
# at a time, but a single table may be the whole document, and a parsed tree takes about
# 20 bytes of memory per byte of XML. These limits, checked from the archive's directory
# and one streaming pass that holds almost nothing, keep a whole import of the largest
# accepted document well under 1 GB. A 1,000-page book is far within all four.

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
    is left for the reading pass to report.
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


# --- the package: which parts hold the body and the properties ---------------------------

_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
)
_CORE_PROPERTIES = (
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/metadata/core-properties",
)
#: Small parts (relationships, properties) are parsed whole, never fetching anything and
#: never expanding entities (their size is bounded by MAX_XML_PART_BYTES).
_SMALL_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
)


def _members(archive: zipfile.ZipFile) -> dict[str, str]:
    """Member names by their lower-case form (part names are case-insensitive)."""
    return {info.filename.lower(): info.filename for info in archive.infolist()}


def _package_parts(archive: zipfile.ZipFile) -> tuple[str | None, str | None]:
    """The member names of the main document part and of the core properties part."""
    members = _members(archive)
    document = core = None
    rels = members.get("_rels/.rels")
    if rels is not None:
        root = etree.fromstring(archive.read(rels), _SMALL_PARSER)
        for relationship in root.iter(_REL):
            kind = relationship.get("Type", "")
            target = relationship.get("Target", "")
            if relationship.get("TargetMode") == "External" or not target:
                continue
            path = posixpath.normpath(target.lstrip("/")).lower()
            if kind in _OFFICE_DOCUMENT and document is None:
                document = members.get(path)
            elif kind in _CORE_PROPERTIES and core is None:
                core = members.get(path)
    if document is None:
        document = members.get("word/document.xml")
    if core is None and rels is None:
        core = members.get("docprops/core.xml")
    return document, core


# --- the headline and metadata from the core properties ----------------------------------

_DC = "{http://purl.org/dc/elements/1.1/}"
_CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
_PROPERTIES = {"title": _DC + "title", "author": _DC + "creator",
               "subject": _DC + "subject", "keywords": _CP + "keywords"}

#: Titles that name no article: python-docx's made-up "Word Document", Word's and other
#: editors' defaults, template placeholders (compared case-insensitively).
_GENERIC_TITLE = re.compile(
    r"(?:(?:microsoft |ms )?word document|(?:new |blank |untitled )?document\s*\d*|doc\d*"
    r"|untitled\s*\d*|title|no title|\[?(?:document )?title\]?|click (?:or tap )?here to enter"
    r" text\.?|microsoft word - .*)",
    re.IGNORECASE,
)


def _core_properties(archive: zipfile.ZipFile, member: str | None) -> dict[str, str]:
    """Title, author, subject and keywords that are set; nothing when the part is absent."""
    if member is None:
        return {}
    root = etree.fromstring(archive.read(member), _SMALL_PARSER)
    found: dict[str, str] = {}
    for key, tag in _PROPERTIES.items():
        element = root.find(tag)
        value = text_or_none("".join(element.itertext())) if element is not None else None
        if value:
            found[key] = value
    return found


def _is_generic_title(title: str, name: str) -> bool:
    path = PurePath(name)
    own_names = {path.name.casefold(), path.stem.casefold()}
    return bool(_GENERIC_TITLE.fullmatch(title)) or title.casefold() in own_names


# --- the body -----------------------------------------------------------------------------

_W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # Strict Open XML
)
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"


def _local(tag: object) -> str | None:
    """The local name of a WordprocessingML element; None for anything else."""
    if not isinstance(tag, str) or not tag.startswith("{"):
        return None
    namespace, _, local = tag[1:].partition("}")
    if namespace in _W_NAMESPACES:
        return local
    if tag == _MC + "AlternateContent":
        return "AlternateContent"
    return None


def _attr(element: etree._Element, local: str) -> str | None:
    for namespace in _W_NAMESPACES:
        value = element.get(f"{{{namespace}}}{local}")
        if value is not None:
            return value
    return None


def _child(element: etree._Element, *path: str) -> etree._Element | None:
    """The first descendant along ``path`` of WordprocessingML local names."""
    found: etree._Element | None = element
    for local in path:
        if found is None:
            return None
        found = next((c for c in found if _local(c.tag) == local), None)
    return found


def _is_on(element: etree._Element | None) -> bool:
    """An on/off property (``<w:vanish/>``, ``<w:vanish w:val="false"/>``) that is on."""
    return element is not None and _attr(element, "val") not in ("0", "false", "off")


def _alternative(element: etree._Element) -> list[etree._Element]:
    """Markup compatibility: the Fallback (which every reader understands), else the first
    Choice; never both, which hold the same content twice."""
    fallback = element.find(_MC + "Fallback")
    chosen = fallback if fallback is not None else element.find(_MC + "Choice")
    return list(chosen) if chosen is not None else []


# Symbol font code points 0x20-0x7E and 0xA0-0xFF (Adobe's Symbol encoding); "\0" where
# a character is only a piece of a larger glyph (bracket and arrow extenders).
_SYMBOL_LOW = (
    " !∀#∃%&∋()∗+,−./0123456789:;<=>?≅ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ[∴]⊥_\0"
    "αβχδεφγηιϕκλμνοπθρστυϖωξψζ{|}∼"
)
_SYMBOL_HIGH = (
    "€ϒ′≤⁄∞ƒ♣♦♥♠↔←↑→↓°±″≥×∝∂•÷≠≡≈…\0\0↵ℵℑℜ℘⊗⊕∅∩∪⊃⊇⊄⊂⊆∈∉∠∇®©™∏√⋅¬∧∨⇔⇐⇑⇒⇓"
    "◊〈®©™∑" + "\0" * 11 + "〉∫" + "\0" * 13
)
_SYMBOL = {
    code: char
    for start, chars in ((0x20, _SYMBOL_LOW), (0xA0, _SYMBOL_HIGH))
    for code, char in enumerate(chars, start)
    if char != "\0"
}
# The Wingdings characters used as bullets, check marks and emoticons.
_WINGDINGS = {0x4A: "☺", 0x4B: "😐", 0x4C: "☹", 0x6C: "●", 0x6E: "■", 0x6F: "□", 0x71: "❑",
              0x76: "❖", 0xA7: "▪", 0xA8: "◻", 0xD8: "➢", 0xFB: "✗", 0xFC: "✓", 0xFD: "☒",
              0xFE: "☑"}
_SYMBOL_FONTS = {"symbol": _SYMBOL, "wingdings": _WINGDINGS}


def _symbol(element: etree._Element) -> str:
    """A ``w:sym`` as Unicode: the symbol fonts' characters mapped where they are known,
    any other code kept as it is (a private-use code stays private-use)."""
    try:
        code = int(_attr(element, "char") or "", 16)
    except ValueError:
        return ""
    table = _SYMBOL_FONTS.get((_attr(element, "font") or "").strip().lower())
    if table is not None and (code <= 0xFF or 0xF000 <= code <= 0xF0FF):
        mapped = table.get(code & 0xFF)
        if mapped:
            return mapped
    if code < 0x20 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF or code in (0xFFFE, 0xFFFF):
        return ""
    return chr(code)


_RUN_CHARACTERS = {"tab": "\t", "ptab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "\u2011"}
# Inline containers whose runs are read (hyperlinks, inserted text, content controls, ...).
_INLINE_CONTAINERS = {"hyperlink", "ins", "moveTo", "smartTag", "customXml", "fldSimple",
                      "bdo", "dir", "sdtContent"}
# Block containers whose paragraphs and tables are read in place.
_BLOCK_CONTAINERS = {"sdtContent", "customXml", "ins", "moveTo"}


@dataclass(slots=True)
class _Paragraph:
    """One paragraph's text; ``joined`` when its paragraph mark is a tracked deletion."""

    text: str
    joined: bool = False


@dataclass(slots=True)
class _Table:
    rows: list[list[str]]


@dataclass(slots=True)
class _Inline:
    """What a paragraph's runs produce: its text, and the text boxes anchored in it."""

    parts: list[str] = field(default_factory=list)
    boxes: list[_Paragraph | _Table] = field(default_factory=list)
    #: Open fields, innermost last: False while in the instruction, True in the result.
    fields: list[bool] = field(default_factory=list)

    @property
    def showing(self) -> bool:
        return all(self.fields)


def _blocks(children: Iterable[etree._Element]) -> Iterable[_Paragraph | _Table]:
    """The paragraphs and tables among ``children`` (of a body, cell, text box or content
    control), in order."""
    for element in children:
        local = _local(element.tag)
        if local == "p":
            yield from _paragraph(element)
        elif local == "tbl":
            yield _table(element)
        elif local == "sdt":
            content = _child(element, "sdtContent")
            if content is not None:
                yield from _blocks(content)
        elif local in _BLOCK_CONTAINERS:
            yield from _blocks(element)
        elif local == "AlternateContent":
            yield from _blocks(_alternative(element))


def _paragraph(element: etree._Element) -> Iterable[_Paragraph | _Table]:
    inline = _Inline()
    _runs(element, inline)
    mark = _child(element, "pPr", "rPr")
    joined = mark is not None and any(_local(c.tag) in ("del", "moveFrom") for c in mark)
    yield _Paragraph("".join(inline.parts), joined)
    yield from inline.boxes


def _runs(children: Iterable[etree._Element], inline: _Inline) -> None:
    for element in children:
        local = _local(element.tag)
        if local == "r":
            _run(element, inline)
        elif local in _INLINE_CONTAINERS:
            _runs(element, inline)
        elif local == "sdt":
            content = _child(element, "sdtContent")
            if content is not None:
                _runs(content, inline)
        elif local == "AlternateContent":
            _runs(_alternative(element), inline)
        # w:del, w:moveFrom (tracked removals), w:pPr, bookmarks, proofing marks: nothing.


def _run(run: etree._Element, inline: _Inline) -> None:
    properties = _child(run, "rPr")
    hidden = properties is not None and _is_on(_child(properties, "vanish"))
    for element in run:
        local = _local(element.tag)
        if local == "fldChar":
            kind = _attr(element, "fldCharType")
            if kind == "begin":
                inline.fields.append(False)
            elif kind == "separate" and inline.fields:
                inline.fields[-1] = True
            elif kind == "end" and inline.fields:
                inline.fields.pop()
            continue
        if hidden or not inline.showing:
            continue
        if local == "t":
            inline.parts.append(_text_of(element))
        elif local in _RUN_CHARACTERS:
            inline.parts.append(_RUN_CHARACTERS[local])
        elif local == "sym":
            inline.parts.append(_symbol(element))
        elif local == "ruby":
            base = _child(element, "rubyBase")
            if base is not None:
                _runs(base, inline)
        elif local == "AlternateContent":
            for chosen in _alternative(element):
                _boxes(chosen, inline)
        elif local in ("drawing", "pict", "object"):
            _boxes(element, inline)
        # w:delText, w:instrText, w:softHyphen, note and comment references: nothing.


def _text_of(element: etree._Element) -> str:
    """A ``w:t``'s text; an entity left unexpanded keeps its reference as written."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child, etree._Entity):
            parts.append(child.text or "")
        parts.append(child.tail or "")
    return "".join(parts)


_TEXT_BOX_CONTENT = tuple(f"{{{ns}}}txbxContent" for ns in _W_NAMESPACES)


def _boxes(element: etree._Element, inline: _Inline) -> None:
    """The text boxes in a drawing, each read as blocks of its own."""
    for content in element.iter(*_TEXT_BOX_CONTENT):
        outer = content.getparent()
        while outer is not None and outer is not element and outer.tag not in _TEXT_BOX_CONTENT:
            outer = outer.getparent()
        if outer is None or outer is element:  # a box inside a box is read with its outer box
            inline.boxes.extend(_blocks(content))


def _table(table: etree._Element) -> _Table:
    rows: list[list[str]] = []
    for row in _table_items(table, "tr"):
        row_properties = _child(row, "trPr")
        if row_properties is not None and _child(row_properties, "del") is not None:
            continue
        cells = []
        for cell in _table_items(row, "tc"):
            cell_properties = _child(cell, "tcPr")
            if cell_properties is not None:
                if _child(cell_properties, "cellDel") is not None:
                    continue
                legacy_merge = _child(cell_properties, "hMerge")
                if legacy_merge is not None and _attr(legacy_merge, "val") != "restart":
                    continue  # a legacy horizontal merge: its first cell holds the text
                merge = _child(cell_properties, "vMerge")
                if merge is not None and _attr(merge, "val") in (None, "continue"):
                    cells.append("")  # a vertical merge's text is in its first row
                    continue
            cells.append(_cell_text(cell))
        if any(cells):
            rows.append(cells)
    return _Table(rows)


def _table_items(parent: etree._Element, wanted: str) -> Iterable[etree._Element]:
    """Rows of a table or cells of a row, also when wrapped in content controls."""
    for element in parent:
        local = _local(element.tag)
        if local == wanted:
            yield element
        elif local == "sdt":
            content = _child(element, "sdtContent")
            if content is not None:
                yield from _table_items(content, wanted)
        elif local in ("customXml", "ins", "moveTo"):
            yield from _table_items(element, wanted)


_SPACES_AROUND_BREAK = re.compile(r"\s*\n\s*")


def _cell_text(cell: etree._Element) -> str:
    """A cell on one line: paragraphs and line breaks become spaces, nested tables are
    flattened in place."""
    pieces: list[str] = []
    glue = ""
    for block in _blocks(cell):
        if isinstance(block, _Table):
            text, joined = " | ".join(c for row in block.rows for c in row if c), False
        else:
            text = _SPACES_AROUND_BREAK.sub(" ", normalize_newlines(block.text)).strip()
            joined = block.joined
        if text:
            pieces.append((glue if pieces else "") + text)
        glue = "" if joined else " "
    return "".join(pieces)


def _table_text(table: _Table) -> str:
    return "\n".join(" | ".join(row).strip() for row in table.rows)


@dataclass(slots=True)
class _BodyText:
    """The body as its blocks' texts, and whether the first is a paragraph."""

    blocks: list[str]
    opens_with_paragraph: bool


def _read_body(stream: IO[bytes], name: str) -> _BodyText:
    """Each block under ``w:body`` read as soon as it ends, then dropped: memory holds one
    block (the limits checked before bound its size), not the document."""
    blocks: list[str] = []
    kinds: list[bool] = []
    pending = ""  # a paragraph whose mark was deleted, waiting for the next one
    body: etree._Element | None = None
    # types-lxml types resolve_entities as a bool; lxml 5 also takes "internal".
    events = etree.iterparse(  # type: ignore[call-overload]
        stream, events=("start", "end"), resolve_entities="internal", no_network=True,
        huge_tree=False, remove_comments=True, remove_pis=True,
    )
    for event, element in events:
        if event == "start":
            if body is None and element.getparent() is None and _local(element.tag) != "document":
                raise ImportFormatError(f"{name} is a zip archive but not a Word document.")
            if body is None and _local(element.tag) == "body" and element.getparent() is not None:
                body = element
            continue
        if body is None or element.getparent() is not body:
            continue
        for block in _blocks([element]):
            if isinstance(block, _Table):
                if pending.strip():  # a deleted paragraph mark does not join a table
                    blocks.append(normalize_newlines(pending).strip())
                    kinds.append(True)
                pending = ""
                text, is_paragraph = _table_text(block), False
            else:
                text, is_paragraph = pending + block.text, True
                pending = ""
                if block.joined:
                    pending = text
                    continue
            text = normalize_newlines(text).strip()
            if text:
                blocks.append(text)
                kinds.append(is_paragraph)
        element.clear()
        while element.getprevious() is not None:
            del body[0]
    if pending.strip():
        blocks.append(normalize_newlines(pending).strip())
        kinds.append(True)
    return _BodyText(blocks, bool(kinds) and kinds[0])


# --- reading -----------------------------------------------------------------------------


def read_docx(data: bytes, name: str) -> list[ImportedArticle]:
    _open_archive(data, name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            document, core = _package_parts(archive)
            if document is None:
                raise ImportFormatError(f"{name} is a zip archive but not a Word document.")
            with archive.open(document) as stream:
                body = _read_body(stream, name)
            try:
                properties = _core_properties(archive, core)
            except Exception:  # damaged document properties are not worth refusing the text for
                properties = {}
    except ImportFormatError:
        raise
    except etree.XMLSyntaxError as exc:
        if "amplification" in str(exc):
            raise ImportFormatError(
                f"{name} declares XML entities that expand too far; Word documents do not use them."
            ) from exc
        raise ImportFormatError(
            f"{name} has a damaged document body (invalid XML at line {exc.lineno})."
        ) from exc
    except Exception as exc:  # zipfile raises several types on damaged parts
        raise ImportFormatError(f"{name} has a damaged document body ({_why(exc)}).") from exc
    if not body.blocks:
        raise ImportFormatError(f"{name} contains no text.")

    property_title = clean_title(properties.pop("title", ""))
    if property_title and _is_generic_title(property_title, name):
        property_title = ""
    if property_title:
        composed = compose(property_title, "\n\n".join(body.blocks))
    elif body.opens_with_paragraph:
        # The first paragraph is the headline (a line break inside it becomes a space).
        composed = compose(body.blocks[0], "\n\n".join(body.blocks[1:]))
    else:
        # A table opens the document: its first row is the headline, the text unchanged.
        composed = compose(None, "\n\n".join(body.blocks))
    metadata: dict[str, object] = dict(properties)
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
