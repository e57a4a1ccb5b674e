"""brat standoff coding checked against the project's codebook, all of it or nothing.

:func:`app.exchange.readers.brat.read_ann` reads every kind of brat annotation (entities,
events, relations, equivalences, normalisations, attributes, notes). Here each is mapped
to the codebook: span labels and relation types by brat name (then as
:func:`~app.core.names.name_resolver` matches names), attributes by
:class:`~app.exchange.bratschema.BratSchema`. What the codebook cannot hold (a type it
lacks, an attribute or value it does not offer, normalisations on a label without the
``references`` attribute, notes on a relation type without the ``note`` attribute) is
collected over every file and refused in ONE sentence listing each kind with its count
and names, unless ``drop`` names the kind: those items are then left out (with the
relations that link a left-out span) and counted as dropped. A codebook made from the
collection's own ``annotation.conf`` holds everything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.core.brat_conf import REFERENCES, RELATION_NOTE
from app.core.errors import ImportFormatError
from app.core.exports import CodedFile, CodedRelation, CodedSpan
from app.core.names import name_resolver
from app.exchange.bratschema import BratSchema
from app.exchange.readers.brat import KINDS, read_ann, read_brat_folder, read_brat_text
from app.services.projects import Project


@dataclass
class BratCounts:
    """Per kind (:data:`KINDS`): how many the files hold, how many were kept for the
    project and how many were left out on request (``--drop``)."""

    found: Counter[str] = field(default_factory=Counter)
    kept: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)

    @property
    def notable(self) -> bool:
        """Whether the files hold more than spans, relations, attributes and notes (events,
        equivalences, normalisations) or something was left out: then the kinds are listed."""
        return bool(self.found["events"] or self.found["equivalences"] or self.found["normalisations"]
                    or sum(self.dropped.values()))

    def lines(self) -> list[str]:
        """One line per kind present: ``events: 23 in the files, 23 stored``."""
        out = []
        for kind in KINDS:
            if self.found[kind] or self.dropped[kind]:
                line = f"{kind}: {self.found[kind]:,} in the files, {self.kept[kind]:,} stored"
                if self.dropped[kind]:
                    line += f", {self.dropped[kind]:,} left out (--drop)"
                out.append(line)
        return out


def parse_drop(text: str | Iterable[str] | None) -> frozenset[str]:
    """The kinds named by ``--drop`` (``events,normalisations``); unknown names refused."""
    if not text:
        return frozenset()
    names = [n.strip().lower() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    unknown = [n for n in names if n not in KINDS]
    if unknown:
        raise ImportFormatError(
            f"--drop names {', '.join(repr(n) for n in unknown)}, not a kind of brat annotation "
            f"({', '.join(KINDS)})."
        )
    return frozenset(names)


def _relation_kind(key: str) -> str:
    return "equivalences" if key.startswith("*") else "events" if ":" in key else "relations"


#: Why an item is refused, as said after its count (``{names}`` lists the names).
_REASONS = {
    "label": "of the type{s} {names}, not {a}span label{s} of the codebook",
    "relation": "of the type{s} {names}, not {a}relation type{s} of the codebook",
    "role": "with the argument role{s} {names}, not {a}relation type{s} of the codebook",
    "attribute": "not in the codebook: {names}",
    "references": f"on span labels without the '{REFERENCES}' attribute: {{names}}",
    "note": f"on relation types without the '{RELATION_NOTE}' attribute: {{names}}",
    "on_relation": "on relations ({names}), which have no references",
}


class _Refusals:
    def __init__(self) -> None:
        self.items: dict[str, dict[str, Counter[str]]] = {}

    def add(self, kind: str, reason: str, name: str) -> None:
        self.items.setdefault(kind, {}).setdefault(reason, Counter())[name] += 1

    def sentence(self, origins: Sequence[str]) -> str:
        parts = []
        for kind in KINDS:
            for reason, names in self.items.get(kind, {}).items():
                many = len(names) > 1
                listed = ", ".join(f"{name} ({n:,})" if many else name for name, n in names.most_common())
                said = _REASONS[reason].format(s="s" if many else "", a="" if many else "a ", names=listed)
                parts.append(f"{kind}: {sum(names.values()):,} {said}")
        where = origins[0] if len(origins) == 1 else f"{origins[0]} and {len(origins) - 1} other files"
        return (
            f"{where}: brat annotations the codebook cannot hold: {'; '.join(parts)}. Leave them out "
            f"with --drop {','.join(k for k in KINDS if k in self.items)}, or make the project from the "
            "collection's configuration (loupe new PROJECT --codebook FOLDER/annotation.conf)."
        )


def decode_brat(
    project: Project, raw_files: Sequence[CodedFile], drop: frozenset[str] = frozenset(),
    counts: BratCounts | None = None,
) -> list[CodedFile]:
    """``raw_files`` (brat names) as coded files of the codebook; see the module notes."""
    codebook = project.codebook
    schema = BratSchema(codebook)
    counts = counts if counts is not None else BratCounts()
    label_of = name_resolver(codebook.label_names)
    type_of = name_resolver(t.name for t in codebook.relation_types)
    refused = _Refusals()
    where: list[str] = []
    decoded: list[CodedFile] = []

    def refuse(f: CodedFile, kind: str, reason: str, name: str) -> bool:
        """True when the item is to be left out (dropped); records a refusal otherwise."""
        if kind in drop:
            counts.dropped[kind] += 1
            return True
        refused.add(kind, reason, name)
        where.append(f.origin)
        return False

    for f in raw_files:
        spans: list[CodedSpan] = []
        gone: set[str] = set()
        for s in f.spans:
            kind = "events" if "#event" in s.attributes else "entities"
            label = schema.label_of.get(s.label) or label_of(s.label)
            if label is None:
                gone.add(s.key)
                if refuse(f, kind, "label", s.label):  # what it carries goes with it
                    counts.dropped["attributes"] += sum(1 for k in s.attributes if not k.startswith("#"))
                    counts.dropped["normalisations"] += len(str(s.attributes.get("#" + REFERENCES, "")).splitlines())
                    counts.dropped["notes"] += len(s.note.split("\n")) if s.note else 0
                continue
            raw = {k: v for k, v in s.attributes.items() if k != "#event"}
            loose = {k: v for k, v in raw.items() if k.startswith("#")}
            brat = {k: v for k, v in raw.items() if not k.startswith("#")}
            kept_brat: dict[str, Any] = {}
            for name, value in brat.items():
                _, _, problems = schema.decode(schema.entity.get(label, s.label), {name: value})
                if problems and refuse(f, "attributes", "attribute", f"{name} on {s.label}"):
                    continue
                kept_brat[name] = value
            references = loose.pop("#" + REFERENCES, None)
            if references is not None:
                offered = any(a.name == REFERENCES for a in codebook.label(label).attributes)
                if offered:
                    loose["#" + REFERENCES] = references
                elif refuse(f, "normalisations", "references", s.label):
                    counts.dropped["normalisations"] += references.count("\n")
                else:
                    loose["#" + REFERENCES] = references
            attributes, uncertain, _ = schema.decode(schema.entity.get(label, s.label), {**kept_brat, **loose})
            counts.kept[kind] += 1
            counts.kept["attributes"] += len(kept_brat)
            counts.kept["normalisations"] += len(str(loose.get("#" + REFERENCES, "")).splitlines())
            counts.kept["notes"] += len(s.note.split("\n")) if s.note else 0
            spans.append(CodedSpan(s.key, label, s.start, s.end, attributes, s.note, uncertain, s.fragments))
        relations: list[CodedRelation] = []
        lines_dropped: set[str] = set()
        lines_refused: set[str] = set()
        for r in f.relations:
            kind = _relation_kind(r.key)
            item = r.key.split(":")[0].rsplit(".", 1)[0]  # the brat line: R1, E1, *3
            if kind == "events" and r.source in gone:  # the event itself is refused or left out
                continue
            label = schema.relation_of.get(r.label) or type_of(r.label)
            carried = len(str(r.attributes.get("#" + RELATION_NOTE, "")).splitlines())
            if label is None:
                if item not in lines_refused:
                    lines_refused.add(item)
                    if refuse(f, kind, "role" if kind == "events" else "relation", r.label):
                        counts.dropped["notes"] += carried
                continue
            if r.source in gone or r.target in gone:  # a span left out or refused: its links too
                if kind != "events" and item not in lines_dropped:
                    lines_dropped.add(item)
                    counts.dropped[kind] += 1 if kind in drop or "entities" in drop or "events" in drop else 0
                    counts.dropped["notes"] += carried
                continue
            raw = dict(r.attributes)
            for _ in str(raw.pop("#" + REFERENCES, "")).splitlines():
                refuse(f, "normalisations", "on_relation", r.label)
            note = raw.pop("#" + RELATION_NOTE, None)
            if note is not None and all(a.name != RELATION_NOTE for a in codebook.relation_type(label).attributes):
                if refuse(f, "notes", "note", r.label):
                    note = None
            if note is not None:
                raw["#" + RELATION_NOTE] = note
                counts.kept["notes"] += len(note.split("\n"))
            attributes, _, problems = schema.decode(schema.relation.get(label, r.label), raw)
            for problem in problems:
                refuse(f, "attributes", "attribute", problem.removeprefix("the attribute "))
            counts.kept["attributes"] += sum(1 for k in raw if not k.startswith("#"))
            if kind == "relations":
                counts.kept["relations"] += 1
            relations.append(CodedRelation(r.key, label, r.source, r.target, attributes))
        equivalences = {r.key.rsplit(".", 1)[0] for r in relations if r.key.startswith("*")}
        counts.kept["equivalences"] += len(equivalences)
        decoded.append(replace(f, spans=tuple(spans), relations=tuple(relations)))
    if refused.items:
        raise ImportFormatError(refused.sentence(list(dict.fromkeys(where))))
    return decoded


def read_brat(
    project: Project, source: Path, drop: frozenset[str] = frozenset(), counts: BratCounts | None = None
) -> list[CodedFile]:
    """The brat folder ``source`` decoded for the project (see :func:`decode_brat`)."""
    counts = counts if counts is not None else BratCounts()
    return decode_brat(project, read_brat_folder(source, counts.found), drop, counts)


def read_brat_files(
    project: Project, ann_paths: Sequence[Path], drop: frozenset[str] = frozenset(),
    counts: BratCounts | None = None,
) -> list[CodedFile]:
    """The ``.ann`` files ``ann_paths`` (each beside its ``.txt``) decoded for the project."""
    counts = counts if counts is not None else BratCounts()
    raw = [read_ann(p, read_brat_text(p.with_suffix(".txt")), counts.found) for p in ann_paths]
    return decode_brat(project, raw, drop, counts)


def annotations_beside(paths: Iterable[Path]) -> list[Path]:
    """The ``.ann`` files beside the ``.txt`` files among ``paths`` (the files an import reads)."""
    found = []
    for path in paths:
        ann = path.with_suffix(".ann")
        if path.suffix.lower() == ".txt" and ann.is_file():
            found.append(ann)
    return found
