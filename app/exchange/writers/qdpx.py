"""REFI-QDA project exchange (``.qdpx``): a zip of ``project.qde`` and ``sources/``.

Each article is a ``TextSource`` whose text is ``sources/<article id>.txt`` (UTF-8, no
byte order mark, ``\\n`` line ends, exactly the stored text), referred to as
``internal://<article id>.txt``. Selection positions are Unicode code points of that
text, counted from 0, the end exclusive: what the standard (REFI-QDA 1.5, 10.2) counts,
and Loupe's own offsets. How codes, attributes, notes, relations and answers map onto
the standard is described in :mod:`app.exchange.refi`.

The XML is streamed: each source's element is written to a file beside the target as
soon as its article is read (notes and links likewise), and ``project.qde`` is put
together from those files at the end, so memory does not grow with the project.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

from lxml import etree

from app.core.codebook import Codebook, SpanLabel
from app.core.exports import CodedArticle, CodedSpan, Coding
from app.core.records import Coder
from app.exchange.refi import (
    ATTRIBUTES_NOTE,
    BOOLEAN_CODES,
    NAMESPACE,
    UNCERTAIN_CODE,
    answer_text,
    as_guid,
    attribute_code,
    attribute_lines,
    derived_guid,
    fragment_description,
    label_code,
    uncertain_code,
    value_code,
    variable_name,
    xml_text,
)

_RGB_LENGTHS = (4, 7)
_SNIPPET = 60


@dataclass
class QdpxReport:
    sources: int = 0
    selections: int = 0
    codings: int = 0
    notes: int = 0
    links: int = 0
    variable_values: int = 0
    warnings: list[str] = field(default_factory=list)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _sub(parent: Any, tag: str, **attributes: str) -> Any:
    return etree.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})


def _text_child(parent: Any, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = xml_text(text)


def _color(value: str) -> str | None:
    ok = value.startswith("#") and len(value) in _RGB_LENGTHS
    return value if ok and all(c in "0123456789abcdefABCDEF" for c in value[1:]) else None


def _code(parent: Any, guid: str, name: str, codable: bool, description: str = "", color: str = "") -> Any:
    code = _sub(parent, "Code", guid=guid, name=name, isCodable="true" if codable else "false")
    if color and _color(color):
        code.set("color", color)
    if description:
        _text_child(code, "Description", description)
    return code


def codebook_element(codebook: Codebook) -> Any:
    """``<CodeBook>``: labels, their choice and yes/no attributes as folders of value
    codes, and the uncertain flag."""
    book = etree.Element("CodeBook")
    codes = etree.SubElement(book, "Codes")
    for label in codebook.span_labels:
        code = _code(codes, label_code(label.name), label.name, True, label.description, label.color)
        for attribute in label.attributes:
            values = _value_names(attribute.type, attribute.option_values)
            if values is None:
                continue
            folder = _code(
                code, attribute_code(label.name, attribute.name), attribute.name, False,
                attribute.description or f"{attribute.type.replace('_', ' ')} attribute of {label.name}",
            )
            for value in values:
                _code(folder, value_code(label.name, attribute.name, value), value, True)
    _code(codes, uncertain_code(), UNCERTAIN_CODE, True, "Loupe: the coder was not sure of this span.")
    return book


def _value_names(kind: str, options: Sequence[str]) -> Sequence[str] | None:
    if kind in ("single_choice", "multi_choice"):
        return options
    if kind == "boolean":
        return tuple(BOOLEAN_CODES)
    return None


class _Parts:
    """Element files beside the target, put together into ``project.qde`` at the end."""

    def __init__(self, folder: Path, stem: str) -> None:
        self.paths = {name: folder / f".{stem}.{name}.xml" for name in ("sources", "notes", "links")}
        self.files: dict[str, IO[bytes]] = {name: path.open("wb") for name, path in self.paths.items()}
        self.counts = dict.fromkeys(self.paths, 0)

    def add(self, part: str, element: Any) -> None:
        self.files[part].write(etree.tostring(element, encoding="utf-8"))
        self.files[part].write(b"\n")
        self.counts[part] += 1

    def copy(self, part: str, out: IO[bytes]) -> None:
        self.files[part].close()
        with self.paths[part].open("rb") as handle:
            shutil.copyfileobj(handle, out, 1 << 20)

    def close(self) -> None:
        for name, handle in self.files.items():
            handle.close()
            self.paths[name].unlink(missing_ok=True)


class _ArticleWriter:
    def __init__(self, codebook: Codebook, users: dict[str, str], several: bool, report: QdpxReport) -> None:
        self.codebook = codebook
        self.users = users
        self.several = several
        self.report = report
        self.variables: dict[str, str] = {}

    def _note(self, parts: _Parts, owner: str, kind: str, name: str, text: str, user: str) -> str:
        guid = derived_guid("note", owner, kind)
        note = etree.Element("Note", guid=guid, name=xml_text(name), creatingUser=user)
        _text_child(note, "PlainTextContent", text)
        parts.add("notes", note)
        self.report.notes += 1
        return guid

    def _codings(
        self, selection: Any, span: CodedSpan, label: SpanLabel | None, user: str, number: int = 1
    ) -> dict[str, Any]:
        """Code the selection (of fragment ``number``); returns the attributes no code holds."""
        codes = [label_code(span.label)]
        loose: dict[str, Any] = {}
        for name, value in span.attributes.items():
            attribute = next((a for a in label.attributes if a.name == name), None) if label else None
            kind = attribute.type if attribute else ""
            if value is None:
                continue
            if kind == "single_choice" and isinstance(value, str):
                codes.append(value_code(span.label, name, value))
            elif kind == "multi_choice" and isinstance(value, list):
                codes.extend(value_code(span.label, name, str(v)) for v in value)
            elif kind == "boolean" and isinstance(value, bool):
                codes.append(value_code(span.label, name, "true" if value else "false"))
            else:
                loose[name] = value
        if span.uncertain:
            codes.append(uncertain_code())
        for code in codes:
            parts = ("coding", span.key, code) if number == 1 else ("coding", span.key, code, str(number))
            coding = _sub(selection, "Coding", guid=derived_guid(*parts), creatingUser=user)
            _sub(coding, "CodeRef", targetGUID=code)
            self.report.codings += 1
        return loose

    def selection(self, source: Any, parts: _Parts, text: str, span: CodedSpan, user: str) -> None:
        """One selection per range the span covers: a discontinuous span's fragments are
        selections of their own, coded alike and tied by name and description (see
        :mod:`app.exchange.refi`), never one selection stretched over the gaps. The
        first carries the span's GUID (links point to it) and its notes."""
        try:
            label: SpanLabel | None = self.codebook.label(span.label)
        except KeyError:
            label = None
        ranges = span.ranges
        first = as_guid(span.key)
        for number, (start, end) in enumerate(ranges, start=1):
            snippet = " ".join(text[start:end].split())
            if len(snippet) > _SNIPPET:
                snippet = snippet[: _SNIPPET - 1] + "\u2026"
            guid = first if number == 1 else derived_guid("fragment", span.key, str(number))
            if len(ranges) > 1:
                snippet = f"{snippet} (fragment {number} of {len(ranges)})"
            selection = _sub(
                source, "PlainTextSelection", guid=guid, name=snippet,
                startPosition=str(start), endPosition=str(end), creatingUser=user,
            )
            if len(ranges) > 1:
                _text_child(selection, "Description", fragment_description(number, len(ranges), first))
            loose = self._codings(selection, span, label, user, number)
            if number == 1:
                if span.note:
                    note = self._note(parts, span.key, "note", f"Note on {span.label}", span.note, user)
                    _sub(selection, "NoteRef", targetGUID=note)
                if loose:
                    note = self._note(parts, span.key, "attributes", ATTRIBUTES_NOTE, attribute_lines(loose), user)
                    _sub(selection, "NoteRef", targetGUID=note)
            self.report.selections += 1

    def article(self, item: CodedArticle, parts: _Parts) -> None:
        article = item.article
        guid = as_guid(article.id)
        source = etree.Element(
            "TextSource", guid=guid, name=xml_text(article.title or article.id),
            plainTextPath=f"internal://{guid}.txt",
        )
        if len(item.codings) == 1:
            source.set("creatingUser", self.users[item.codings[0].coder])
        for coding in item.codings:
            user = self.users[coding.coder]
            for span in coding.spans:
                self.selection(source, parts, article.text, span, user)
        for coding in item.codings:
            self._answers(source, coding)
        parts.add("sources", source)
        for coding in item.codings:
            for relation in coding.relations:
                self._link(parts, coding, relation)
        self.report.sources += 1

    def _answers(self, source: Any, coding: Coding) -> None:
        for question, value in coding.answers.items():
            if value is None:
                continue
            name = variable_name(question, coding.coder, self.several)
            guid = self.variables.setdefault(name, derived_guid("variable", name))
            holder = _sub(source, "VariableValue")
            _sub(holder, "VariableRef", targetGUID=guid)
            _text_child(holder, "TextValue", answer_text(value))
            self.report.variable_values += 1

    def _link(self, parts: _Parts, coding: Coding, relation: Any) -> None:
        try:
            directed = self.codebook.relation_type(relation.label).directed
        except KeyError:
            directed = True
        link = etree.Element(
            "Link", guid=as_guid(relation.key), name=xml_text(relation.label),
            direction="OneWay" if directed else "Associative",
            originGUID=as_guid(relation.source), targetGUID=as_guid(relation.target),
        )
        if relation.attributes:
            user = self.users[coding.coder]
            guid = self._note(
                parts, relation.key, "attributes", ATTRIBUTES_NOTE, attribute_lines(relation.attributes), user
            )
            _sub(link, "NoteRef", targetGUID=guid)
        parts.add("links", link)
        self.report.links += 1


def _variables_element(codebook: Codebook, variables: dict[str, str]) -> Any:
    holder = etree.Element("Variables")
    prompts = {q.name: q.prompt for q in codebook.questions}
    for name, guid in variables.items():
        variable = _sub(holder, "Variable", guid=guid, name=name, typeOfVariable="Text")
        question = name if name in prompts else name.rsplit(" [", 1)[0]
        if prompts.get(question):
            _text_child(variable, "Description", prompts[question])
    return holder


def write_qdpx(
    target: Path,
    articles: Iterable[CodedArticle],
    *,
    codebook: Codebook,
    coders: Sequence[Coder],
    project_name: str,
    origin: str,
) -> QdpxReport:
    """Write ``articles`` (with their codings) to the ``.qdpx`` file ``target``.

    ``coders`` are the coders whose work may appear (their ids become the users' GUIDs);
    with more than one, each question's answers get one variable per coder.
    """
    report = QdpxReport()
    users = {c.name: as_guid(c.id) for c in coders}
    writer = _ArticleWriter(codebook, users, len(coders) > 1, report)
    parts = _Parts(target.parent, target.name)
    try:
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for item in articles:
                guid = as_guid(item.article.id)
                archive.writestr(f"sources/{guid}.txt", item.article.text.encode("utf-8"))
                writer.article(item, parts)
            with archive.open("project.qde", "w", force_zip64=True) as out:
                _write_project(out, parts, writer, codebook, coders, project_name, origin)
    finally:
        parts.close()
    return report


def _write_project(
    out: IO[bytes], parts: _Parts, writer: _ArticleWriter, codebook: Codebook,
    coders: Sequence[Coder], project_name: str, origin: str,
) -> None:
    now = _now()
    creator = f" creatingUserGUID={quoteattr(as_guid(coders[0].id))}" if coders else ""
    out.write(
        (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<Project xmlns="{NAMESPACE}" name={quoteattr(xml_text(project_name))} '
            f"origin={quoteattr(xml_text(origin))}{creator} creationDateTime=\"{now}\">\n"
        ).encode()
    )
    if coders:
        holder = etree.Element("Users")
        for coder in coders:
            _sub(holder, "User", guid=as_guid(coder.id), name=coder.name)
        out.write(etree.tostring(holder, encoding="utf-8") + b"\n")
    out.write(etree.tostring(codebook_element(codebook), encoding="utf-8") + b"\n")
    if writer.variables:
        out.write(etree.tostring(_variables_element(codebook, writer.variables), encoding="utf-8") + b"\n")
    for part, wrapper in (("sources", "Sources"), ("notes", "Notes"), ("links", "Links")):
        if parts.counts[part]:
            out.write(f"<{wrapper}>\n".encode())
            parts.copy(part, out)
            out.write(f"</{wrapper}>\n".encode())
    out.write(b"</Project>\n")
