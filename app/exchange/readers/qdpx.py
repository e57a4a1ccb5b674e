"""Reading REFI-QDA project files (``.qdpx``) written by Loupe or another program.

:func:`read_qdpx` returns what Loupe can use: users, codes (with their place in the
code tree), notes, links, variables and the text sources with their selections. It
reads the zip without unpacking it: every entry is checked against the size limit
before it is read, and ``project.qde`` is parsed without entities, DTDs or network.

Text sources: the plain text is ``plainTextPath`` (``internal://<name>``, found in the
zip's ``sources/`` folder whatever its case: NVivo writes ``Sources/``) or the inline
``PlainTextContent``. A byte order mark is dropped. A source whose plain text is empty
or missing (a Word file alone, a PDF, a picture, audio, video, an external file) is
skipped and said so.

Positions: REFI-QDA 1.5 (10.2) counts Unicode code points from 0 (the end exclusive, as
every program writes it). NVivo counts UTF-16 code units instead (an emoji is 2),
which differs only where a text has characters beyond U+FFFF: for a file whose
``origin`` names NVivo, or whose selection names (the quoted text some programs put
there) fit the text only when so counted, positions are read as UTF-16 units and
turned into code points. Line ends count as they are in the file (``\\r\\n`` is 2):
:func:`align` moves positions onto the text as Loupe stores it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree

from app.core.errors import ImportFormatError
from app.exchange.refi import NAMESPACE, plain_guid

_NS = f"{{{NAMESPACE}}}"
_INTERNAL = "internal://"
_OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")


@dataclass(frozen=True, slots=True)
class QdpxCode:
    guid: str
    name: str
    #: Names from the top of the code tree down to this code.
    path: tuple[str, ...]
    codable: bool


@dataclass(frozen=True, slots=True)
class QdpxSelection:
    guid: str
    start: int
    end: int
    name: str
    user: str
    description: str
    #: (code GUID, GUID of the user who applied it, or "").
    codings: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]


@dataclass
class QdpxSource:
    guid: str
    name: str
    text: str
    user: str
    selections: list[QdpxSelection] = field(default_factory=list)
    #: (variable GUID, value as text).
    values: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class QdpxLink:
    guid: str
    name: str
    origin: str
    target: str
    notes: tuple[str, ...]


@dataclass
class QdpxProject:
    origin: str
    creator: str
    users: dict[str, str] = field(default_factory=dict)
    codes: dict[str, QdpxCode] = field(default_factory=dict)
    notes: dict[str, tuple[str, str]] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    links: list[QdpxLink] = field(default_factory=list)
    sources: list[QdpxSource] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: "code points" or "UTF-16 units", per source GUID, for the report.
    units: dict[str, str] = field(default_factory=dict)


def _guid(element: Any, name: str = "guid") -> str:
    return plain_guid(element.get(name) or "")


def _child_text(element: Any, tag: str) -> str:
    found = element.find(_NS + tag)
    return (found.text or "") if found is not None else ""


def _codes(parent: Any, path: tuple[str, ...], out: dict[str, QdpxCode]) -> None:
    for code in parent.findall(_NS + "Code"):
        name = code.get("name") or ""
        here = (*path, name)
        out[_guid(code)] = QdpxCode(_guid(code), name, here, (code.get("isCodable") or "true") == "true")
        _codes(code, here, out)


def _position(element: Any, name: str, origin: str) -> int:
    raw = element.get(name)
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ImportFormatError(
            f"{origin}: a selection's {name} {raw!r} is not a whole number."
        ) from None


def _selection(element: Any, origin: str) -> QdpxSelection:
    codings = tuple(
        (_guid(ref, "targetGUID"), _guid(coding, "creatingUser"))
        for coding in element.findall(_NS + "Coding")
        for ref in coding.findall(_NS + "CodeRef")
    )
    notes = tuple(_guid(ref, "targetGUID") for ref in element.findall(_NS + "NoteRef"))
    notes += tuple(
        _guid(ref, "targetGUID")
        for coding in element.findall(_NS + "Coding")
        for ref in coding.findall(_NS + "NoteRef")
    )
    return QdpxSelection(
        _guid(element), _position(element, "startPosition", origin), _position(element, "endPosition", origin),
        element.get("name") or "", _guid(element, "creatingUser"), _child_text(element, "Description"),
        codings, notes,
    )


class _Archive:
    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = path
        self.max_bytes = max_bytes
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ImportFormatError(f"{path.name} is not a REFI-QDA project file (not a zip archive).") from exc
        self.by_name = {info.filename.lower(): info for info in self.zip.infolist() if not info.is_dir()}

    def read(self, info: zipfile.ZipInfo) -> bytes:
        if info.file_size > self.max_bytes:
            raise ImportFormatError(
                f"{self.path.name}: {info.filename} is {info.file_size:,} bytes unpacked, more than the "
                f"import limit of {self.max_bytes:,} (set a larger one with --max-file-size)."
            )
        try:
            with self.zip.open(info) as handle:
                data = handle.read(self.max_bytes + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
            raise ImportFormatError(f"{self.path.name}: {info.filename} could not be unpacked ({exc}).") from exc
        if len(data) > self.max_bytes:
            raise ImportFormatError(f"{self.path.name}: {info.filename} is larger than it says.")
        return data

    def source(self, reference: str) -> zipfile.ZipInfo | None:
        if not reference.lower().startswith(_INTERNAL):
            return None
        name = PurePosixPath(reference[len(_INTERNAL) :].lstrip("/")).name.lower()
        return self.by_name.get(f"sources/{name}")


def _decode(data: bytes, where: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{where} is not UTF-8 text, as REFI-QDA requires.") from exc
    if "\x00" in text:
        raise ImportFormatError(f"{where} looks like a binary file, not text.")
    return text


def _utf16_to_points(text: str) -> list[int] | None:
    """For each UTF-16 offset 0..n of ``text``, its code point offset (None if all BMP)."""
    if all(ord(c) <= 0xFFFF for c in text):
        return None
    table: list[int] = []
    for index, char in enumerate(text):
        table.append(index)
        if ord(char) > 0xFFFF:
            table.append(index + 1)  # inside the pair: after the character
    table.append(len(text))
    return table


def _fits(text: str, selection: QdpxSelection, start: int, end: int) -> bool:
    quoted = " ".join(selection.name.rstrip("\u2026").split())
    return bool(quoted) and " ".join(text[start:end].split()).startswith(quoted[:40])


def _counts_utf16(project_origin: str, text: str, table: list[int], selections: Sequence[QdpxSelection]) -> bool:
    """Whether the positions of this source count UTF-16 units (see the module notes)."""
    for s in selections:
        if not s.name.strip() or s.end > len(table) - 1:
            continue
        as_points = 0 <= s.start <= s.end <= len(text) and _fits(text, s, s.start, s.end)
        as_units = 0 <= s.start <= s.end and _fits(text, s, table[s.start], table[s.end])
        if as_points != as_units:
            return as_units
    return "nvivo" in project_origin.lower()


def _in_points(project: QdpxProject, source: QdpxSource) -> None:
    table = _utf16_to_points(source.text)
    if table is None or not _counts_utf16(project.origin, source.text, table, source.selections):
        project.units[source.guid] = "code points"
        return
    project.units[source.guid] = "UTF-16 units"
    last = len(table) - 1

    def moved(offset: int) -> int:
        return table[offset] if 0 <= offset <= last else offset + len(source.text) - last

    source.selections = [
        QdpxSelection(s.guid, moved(s.start), moved(s.end), s.name, s.user, s.description, s.codings, s.notes)
        for s in source.selections
    ]


def _text_source(archive: _Archive, element: Any, project: QdpxProject) -> QdpxSource | None:
    name = element.get("name") or _guid(element)
    where = f"{archive.path.name}: source '{name}'"
    selections = [_selection(s, where) for s in element.findall(_NS + "PlainTextSelection")]
    inline = element.find(_NS + "PlainTextContent")
    text = ""
    if inline is not None and inline.text:
        text = inline.text
    else:
        reference = element.get("plainTextPath") or ""
        info = archive.source(reference)
        if info is not None:
            text = _decode(archive.read(info), where)
        elif reference and not reference.lower().startswith(_INTERNAL):
            project.skipped.append(
                f"{where}: its text is an external file ({reference}), not in the project file; "
                f"{len(selections)} selections skipped."
            )
            return None
    if not text.strip():
        rich = element.get("richTextPath") or ""
        beside = f" (only {PurePosixPath(rich).suffix or 'a rich text file'} beside it, which is not read)" if rich else ""
        project.skipped.append(
            f"{where}: its plain text is empty or missing{beside}; {len(selections)} selections skipped."
        )
        return None
    source = QdpxSource(_guid(element), name, text, _guid(element, "creatingUser"), selections)
    for value in element.findall(_NS + "VariableValue"):
        ref = value.find(_NS + "VariableRef")
        if ref is None:
            continue
        found = next((child for child in value if child.tag != _NS + "VariableRef"), None)
        if found is not None:
            source.values.append((_guid(ref, "targetGUID"), found.text or ""))
    _in_points(project, source)
    return source


def read_qdpx(path: str | Path, *, max_bytes: int) -> QdpxProject:
    """Everything Loupe reads from the project exchange file at ``path``."""
    path = Path(path)
    archive = _Archive(path, max_bytes)
    info = archive.by_name.get("project.qde")
    if info is None:
        raise ImportFormatError(f"{path.name} has no project.qde, so it is not a REFI-QDA project file.")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(archive.read(info), parser)
    except etree.XMLSyntaxError as exc:
        raise ImportFormatError(f"{path.name}: project.qde is not well-formed XML ({exc}).") from exc
    if root.tag != _NS + "Project":
        raise ImportFormatError(f"{path.name}: project.qde is not a REFI-QDA project (its root is not Project).")
    project = QdpxProject(root.get("origin") or "", _guid(root, "creatingUserGUID"))
    for user in root.iterfind(f"{_NS}Users/{_NS}User"):
        project.users[_guid(user)] = user.get("name") or ""
    book = root.find(f"{_NS}CodeBook/{_NS}Codes")
    if book is not None:
        _codes(book, (), project.codes)
    for variable in root.iterfind(f"{_NS}Variables/{_NS}Variable"):
        project.variables[_guid(variable)] = variable.get("name") or ""
    for note in root.iterfind(f"{_NS}Notes/{_NS}Note"):
        project.notes[_guid(note)] = (note.get("name") or "", _child_text(note, "PlainTextContent"))
    for link in root.iterfind(f"{_NS}Links/{_NS}Link"):
        project.links.append(QdpxLink(
            _guid(link), link.get("name") or "", _guid(link, "originGUID"), _guid(link, "targetGUID"),
            tuple(_guid(ref, "targetGUID") for ref in link.findall(_NS + "NoteRef")),
        ))
    sources = root.find(_NS + "Sources")
    for element in sources if sources is not None else ():
        tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if tag == "TextSource":
            found = _text_source(archive, element, project)
            if found is not None:
                project.sources.append(found)
        elif tag in _OTHER_SOURCES:
            count = len(element.findall(f".//{_NS}PlainTextSelection")) + sum(
                1 for child in element if isinstance(child.tag, str) and child.tag.endswith("Selection")
            )
            project.skipped.append(
                f"{path.name}: source '{element.get('name') or ''}' is a {tag[:-6].lower()} source, "
                f"which Loupe does not read; {count} selections skipped."
            )
    return project


def align(raw: str, stored: str) -> tuple[list[int], list[int]] | None:
    """Where each offset of ``raw`` falls in ``stored``, when ``stored`` differs from it
    only in white space (line ends, outer blank lines, a blank line after the headline).

    Returns (starts, ends): ``starts[i]`` places a span starting at ``i`` (on the next
    kept character), ``ends[i]`` a span ending at ``i`` (after the last kept one); or
    ``None`` when the texts differ in more than white space.
    """
    if raw == stored:
        identity = list(range(len(raw) + 1))
        return identity, identity
    starts = [0] * (len(raw) + 1)
    ends = [0] * (len(raw) + 1)
    i = j = 0
    n, m = len(raw), len(stored)
    while i < n:
        if j < m and raw[i] == stored[j]:
            starts[i] = j
            i += 1
            j += 1
        elif raw[i].isspace():
            starts[i] = j  # dropped
            i += 1
        elif j < m and stored[j].isspace():
            j += 1  # inserted
            continue
        else:
            return None
        ends[i] = j
    while j < m and stored[j].isspace():
        j += 1
    if j != m:
        return None
    starts[n] = ends[n]
    return starts, ends
