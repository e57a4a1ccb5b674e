"""Reading brat standoff collections: ``<name>.ann`` files beside their ``<name>.txt``.

Text-bound annotations (``T``), attributes (``A``, and the older ``M``), binary relations
(``R``) and comments (``#``: ``AnnotatorNotes`` and other comments become notes, ``LoupeValue`` carries the
text and number attributes brat cannot hold), events, equivalences and normalisations
are read (see :func:`read_ann` for what each becomes). Offsets are code
points of the ``.txt`` text after brat's universal newlines (``\\r\\n`` -> ``\\n``).
A discontinuous span (``0 5;11 16``) keeps its fragments (the span's start and end are
their envelope); runs apart only by line breaks, as brat writes a span that crosses a
line, are joined back into one.

Names and values stay brat's here; :class:`app.exchange.bratschema.BratSchema` maps
them to the codebook. Every problem is an :class:`ImportFormatError` naming the file
and line.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from app.core.brat_conf import role_name
from app.core.errors import ImportFormatError
from app.core.exports import CodedFile, CodedRelation, CodedSpan
from app.exchange.bratschema import VALUE_COMMENT
from app.exchange.writers.brat import LINE_BREAKS

_OFFSETS = re.compile(r"^\d+ \d+(;\d+ \d+)*$")


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"{path.name} could not be read ({exc.strerror}).") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path.name} is not UTF-8 text (byte {exc.start}).") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


read_brat_text = _read_text  # a document's ``.txt`` as brat reads it


def _text_bound(ident: str, data: str, tail: str, text: str, where: str) -> CodedSpan:
    label, _, offsets = data.partition(" ")
    offsets = offsets.strip()
    if not label or not _OFFSETS.match(offsets):
        raise ImportFormatError(f"{where}: {ident} needs a type and offsets like '0 5' or '0 5;7 12'.")
    runs = [(int(first), int(last)) for first, last in (part.split() for part in offsets.split(";"))]
    for start, end in runs:
        if not 0 <= start < end <= len(text):
            raise ImportFormatError(
                f"{where}: {ident} has the offsets {start} {end}, outside the text "
                f"({len(text)} characters) or empty."
            )
    shown = " ".join(text[s:e] for s, e in runs)
    if tail and not tail.startswith(shown):
        raise ImportFormatError(
            f"{where}: the text of {ident} ({tail[:40]!r}) is not the text at its offsets "
            f"({shown[:40]!r}); are the offsets counted in bytes instead of characters?"
        )
    joined = _join_line_runs(sorted(runs), text)
    fragments = tuple(joined) if len(joined) > 1 else ()
    return CodedSpan(ident, label, joined[0][0], joined[-1][1], fragments=fragments)


def _join_line_runs(runs: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Fragments with runs joined where only line breaks (or nothing) lie between them or
    they overlap: brat writes a span that crosses a line as such runs, and one range is
    what was marked. Runs apart by any other character stay fragments of a discontinuous span."""
    joined: list[tuple[int, int]] = []
    for start, end in runs:
        if joined and (start <= joined[-1][1] or all(ch in LINE_BREAKS for ch in text[joined[-1][1] : start])):
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


#: The kinds of brat annotation, as counted and named in reports and ``--drop``.
KINDS = ("entities", "events", "relations", "equivalences", "normalisations", "attributes", "notes")


def _kinds() -> Counter[str]:
    return Counter(dict.fromkeys(KINDS, 0))


def read_ann(ann_path: Path, text: str, counts: Counter[str] | None = None) -> CodedFile:
    """One ``.ann`` file against its document ``text``; ``counts`` (when given) gains how
    many annotations of each kind (:data:`KINDS`) the file holds.

    Events become their trigger span (which takes the event's attributes, notes and
    normalisations) and one relation per argument, keyed ``E1:Role`` and labelled with
    the role without its number (``Org-Arg2`` -> ``Org-Arg``); an argument that is an
    event points at that event's trigger. An equivalence (``* Equiv T1 T2 T3``) becomes
    the relations T1-T2 and T2-T3 of its type, keyed ``*1.1``, ``*1.2``. Normalisations
    (``N1 Reference T1 DB:ID text``) become the attribute ``#references``, one ``DB:ID
    text`` a line; notes on relations and events' arguments the attribute ``#note``.
    A value-less (binary) attribute has the value ``True``. A trigger's attributes hold
    ``#event``, its event's id.
    """
    spans: dict[str, CodedSpan] = {}
    attributes: dict[str, dict[str, Any]] = {}
    notes: dict[str, list[str]] = {}
    references: dict[str, list[str]] = {}
    relations: list[CodedRelation] = []
    events: dict[str, tuple[str, str, list[tuple[str, str]]]] = {}  # id -> (type, trigger, args)
    found = _kinds()
    content = _read_text(ann_path)
    for number, line in enumerate(content.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{ann_path.name}, line {number}"
        ident, tab, rest = line.partition("\t")
        if not tab or not ident:
            raise ImportFormatError(f"{where}: expected an id, a tab and an annotation.")
        data, _, tail = rest.partition("\t")
        kind = ident[0]
        fields = data.split()
        if kind == "T":
            if ident in spans:
                raise ImportFormatError(f"{where}: the id {ident} is used twice.")
            spans[ident] = _text_bound(ident, data, tail, text, where)
        elif kind in "AM":
            if len(fields) not in (2, 3):
                raise ImportFormatError(f"{where}: expected 'NAME TARGET [VALUE]'.")
            attributes.setdefault(fields[1], {})[fields[0]] = fields[2] if len(fields) == 3 else True
            found["attributes"] += 1
        elif kind == "R":
            args = dict(part.split(":", 1) for part in fields[1:] if ":" in part)
            if len(fields) != 3 or set(args) != {"Arg1", "Arg2"}:
                raise ImportFormatError(f"{where}: expected 'TYPE Arg1:T1 Arg2:T2'.")
            relations.append(CodedRelation(ident, fields[0], args["Arg1"], args["Arg2"]))
            found["relations"] += 1
        elif kind == "E":
            if not fields or ":" not in fields[0] or any(":" not in f for f in fields):
                raise ImportFormatError(f"{where}: expected 'TYPE:TRIGGER ROLE:ID ...'.")
            event_type, _, trigger = fields[0].partition(":")
            roles = [(role, arg) for role, _, arg in (f.partition(":") for f in fields[1:])]
            events[ident] = (event_type, trigger, roles)
            found["events"] += 1
        elif kind == "N":
            if len(fields) != 3 or ":" not in fields[2]:
                raise ImportFormatError(f"{where}: expected 'Reference TARGET DB:ID' and the text.")
            references.setdefault(fields[1], []).append(f"{fields[2]} {tail}".rstrip())
            found["normalisations"] += 1
        elif kind == "*":
            if len(fields) < 3:
                raise ImportFormatError(f"{where}: expected 'TYPE ID ID ...'.")
            for n, (first, second) in enumerate(zip(fields[1:], fields[2:], strict=False), start=1):
                relations.append(CodedRelation(f"{ident}{number}.{n}", fields[0], first, second))
            found["equivalences"] += 1
        elif kind == "#":
            if len(fields) != 2:
                continue
            if fields[0] != VALUE_COMMENT:  # AnnotatorNotes, and any other kind of comment brat shows
                notes.setdefault(fields[1], []).append(tail)
                found["notes"] += 1
            else:
                name, eq, value = tail.partition("=")
                try:
                    attributes.setdefault(fields[1], {})["#" + name] = json.loads(value) if eq else None
                except ValueError:
                    raise ImportFormatError(f"{where}: the value of {name} is not valid JSON.") from None
        else:
            raise ImportFormatError(f"{where}: {ident} is not a brat annotation id (T, A, R, #, E, N, M, *).")
    trigger_of = {ident: trigger for ident, (_, trigger, _) in events.items()}
    seen_triggers: dict[str, str] = {}
    for ident, (event_type, trigger, roles) in events.items():
        if trigger not in spans:
            raise ImportFormatError(f"{ann_path.name}: the event {ident} has the trigger {trigger}, which is not a span.")
        if spans[trigger].label != event_type:
            raise ImportFormatError(
                f"{ann_path.name}: the event {ident} is a {event_type} but its trigger {trigger} is a {spans[trigger].label}."
            )
        if trigger in seen_triggers:
            raise ImportFormatError(
                f"{ann_path.name}: the events {seen_triggers[trigger]} and {ident} share the trigger {trigger}; "
                "Loupe keeps one event per trigger (copy the trigger for the second event)."
            )
        seen_triggers[trigger] = ident
        attributes.setdefault(trigger, {})["#event"] = ident  # marks the trigger; not an attribute
        for role, arg in roles:
            target = trigger_of.get(arg, arg)
            relations.append(CodedRelation(f"{ident}:{role}", role_name(role), trigger, target))
        if ident in attributes:
            attributes.setdefault(trigger, {}).update(attributes.pop(ident))
        for owned in (notes, references):
            if ident in owned:
                owned[trigger] = owned.get(trigger, []) + owned.pop(ident)
    for relation in relations:
        for arg in (relation.source, relation.target):
            if arg not in spans:
                raise ImportFormatError(f"{ann_path.name}: {relation.key} refers to {arg}, which is not a span.")
    relation_keys = {r.key for r in relations}
    for target in list(attributes) + list(notes) + list(references):
        if target not in spans and target not in relation_keys:
            raise ImportFormatError(f"{ann_path.name}: an attribute or note refers to {target}, which is not defined.")
    found["entities"] += len(spans) - len(seen_triggers)
    if counts is not None:
        counts.update(found)

    def span_attributes(key: str) -> dict[str, Any]:
        own = dict(attributes.get(key, {}))
        if key in references:
            own["#references"] = "\n".join(references[key])
        return own

    def relation_attributes(key: str) -> dict[str, Any]:
        own = dict(attributes.get(key, {}))
        if key in notes:
            own["#note"] = "\n".join(notes[key])
        if key in references:  # brat allows it; no codebook holds it (refused or dropped)
            own["#references"] = "\n".join(references[key])
        return own

    return CodedFile(
        name=ann_path.stem,
        text=text,
        origin=ann_path.name,
        spans=tuple(
            CodedSpan(
                s.key, s.label, s.start, s.end, span_attributes(key), "\n".join(notes.get(key, [])),
                fragments=s.fragments,
            )
            for key, s in spans.items()
        ),
        relations=tuple(
            CodedRelation(r.key, r.label, r.source, r.target, relation_attributes(r.key)) for r in relations
        ),
    )


def read_brat_folder(folder: Path, counts: Counter[str] | None = None) -> list[CodedFile]:
    """Every ``.ann`` file under ``folder`` (sorted by path) with its ``.txt``; ``counts``
    gains the kinds of annotation they hold (see :func:`read_ann`)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ImportFormatError(f"{folder} is not a folder of brat files.")
    found = sorted(p for p in folder.rglob("*.ann") if not p.name.startswith("."))
    if not found:
        raise ImportFormatError(f"{folder} contains no .ann files.")
    files: list[CodedFile] = []
    for ann_path in found:
        txt_path = ann_path.with_suffix(".txt")
        if not txt_path.is_file():
            raise ImportFormatError(f"{ann_path.name} has no {txt_path.name} beside it.")
        files.append(read_ann(ann_path, _read_text(txt_path), counts))
    return files
