"""brat standoff: per article ``<name>.txt`` and ``<name>.ann``, plus the collection's
``annotation.conf`` and ``visual.conf`` generated from the codebook.

Offsets are Unicode code points of the ``.txt`` file, which is written as UTF-8 with
``\\n`` line ends exactly as stored, as brat reads it. brat keeps one annotation per
line, so a span that crosses a line break is written as fragments split at the break
(``T1 Claim 0 12;14 30``), the way brat itself marks such spans; a reader joins runs
that only a line break separates back into one. A discontinuous span is written with its
fragments the same way (``T1 Claim 0 5;11 16``, its text the fragments' joined by a
space, as brat shows them). A line break at the very edge of a span cannot be marked in
brat and is left out (reported as a warning).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.core.brat_conf import EQUIVALENCE, EVENT_ROLE, EVENT_TYPE, REFERENCES, RELATION_NOTE
from app.core.codebook import Codebook
from app.core.exports import CodedArticle, CodedSpan
from app.exchange.bratschema import NOTE_COMMENT, VALUE_COMMENT, BratSchema, is_brat_text
from app.exchange.writers.cells import UNENCODABLE, replace_characters

#: Characters that end a line for brat (it splits lines like Python's ``splitlines``).
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


@dataclass
class BratReport:
    documents: int = 0
    spans: int = 0
    relations: int = 0
    warnings: list[str] = field(default_factory=list)


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` split into the runs of characters between line breaks."""
    runs: list[tuple[int, int]] = []
    run_start = None
    for i in range(start, end):
        if text[i] in LINE_BREAKS:
            if run_start is not None:
                runs.append((run_start, i))
                run_start = None
        elif run_start is None:
            run_start = i
    if run_start is not None:
        runs.append((run_start, end))
    return runs


def _edges_kept(runs: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether the runs written for ``[start, end)`` begin at its start and end at its end."""
    return any(s == start for s, _ in runs) and any(e == end for _, e in runs)


def _one_line(text: str) -> str:
    return "".join(" " if ch in LINE_BREAKS or ch == "\t" else ch for ch in text)


def _role_types(codebook: Codebook) -> tuple[set[str], set[str], set[str]]:
    """(event labels, event role relation types, equivalence relation types) of a codebook
    made from brat's annotation.conf (empty for others)."""
    events = {label.name for label in codebook.span_labels if label.description.startswith(EVENT_TYPE)}
    roles = {r.name for r in codebook.relation_types if r.description.startswith(EVENT_ROLE)}
    equivalences = {r.name for r in codebook.relation_types if r.description.startswith(EQUIVALENCE)}
    return events, roles, equivalences


def _chains(pairs: list[tuple[str, str]]) -> list[list[str]]:
    """The groups of ids that ``pairs`` link (each in order of first appearance)."""
    groups: list[list[str]] = []
    for first, second in pairs:
        found = [g for g in groups if first in g or second in g]
        merged = [i for g in found for i in g]
        for i in (first, second):
            if i not in merged:
                merged.append(i)
        groups = [g for g in groups if g not in found] + [merged]
    return groups


def ann_lines(item: CodedArticle, schema: BratSchema, report: BratReport) -> Iterator[str]:
    """The lines of one article's ``.ann`` file (its first coding only).

    With a codebook made from brat's annotation.conf, a span of an event type is written
    as its trigger (``T``) and its event (``E``, with one argument per relation of a role
    type from it, repeated roles numbered ``Org-Arg2``), the event's attributes and notes
    on the ``E``; relations of an equivalence type as ``*`` lines (one per linked group);
    ``references`` as ``N`` lines; a relation's ``note`` as an ``AnnotatorNotes`` comment.
    """
    text = item.article.text
    coding = item.codings[0] if item.codings else None
    if coding is None:
        return
    events, roles, equivalences = _role_types(schema.codebook)
    t_ids: dict[str, str] = {}
    counters = {"A": 0, "#": 0, "N": 0}

    def next_id(kind: str) -> str:
        counters[kind] += 1
        return f"{kind}{counters[kind]}"

    def extras(owner_id: str, owner_type: str, span: CodedSpan | None, attributes: dict) -> Iterator[str]:
        owner = schema.label_of.get(owner_type) or schema.relation_of.get(owner_type) or ""
        references = attributes.get(REFERENCES) if span and _brat_text(schema, owner, REFERENCES) else None
        note: str | None
        if span is not None:
            note = span.note
        else:
            note = attributes.get(RELATION_NOTE) if _brat_text(schema, owner, RELATION_NOTE) else None
        for name, value in schema.encode(owner_type, attributes):
            yield f"{next_id('A')}\t{name} {owner_id}" + ("" if value is None else f" {value}")
        if span is not None and span.uncertain:
            yield f"{next_id('A')}\t{schema.uncertain} {owner_id}"
        for loose in schema.loose_values(owner_type, attributes):
            yield f"{next_id('#')}\t{VALUE_COMMENT} {owner_id}\t{_one_line(loose)}"
        for line in note.split("\n") if note else []:
            yield f"{next_id('#')}\t{NOTE_COMMENT} {owner_id}\t{_one_line(line)}"
        if span is not None and isinstance(references, str):
            for line in references.split("\n"):
                reference, _, shown = line.partition(" ")
                yield f"{next_id('N')}\tReference {t_ids[span.key]} {_one_line(reference)}\t{_one_line(shown)}"

    e_ids: dict[str, str] = {}
    for span in coding.spans:
        runs = [run for start, end in span.ranges for run in fragments(text, start, end)]
        if not runs:
            report.warnings.append(f"{item.name}: a {span.label} span holds only line breaks; left out.")
            continue
        if any(not _edges_kept(runs, start, end) for start, end in span.ranges):
            report.warnings.append(
                f"{item.name}: the {span.label} span {span.start}-{span.end} begins or ends with a "
                "line break, which brat cannot mark; it was written without it."
            )
        t_ids[span.key] = f"T{len(t_ids) + 1}"
        if span.label in events:
            e_ids[span.key] = f"E{len(e_ids) + 1}"
    arguments: dict[str, list[tuple[str, str]]] = {}
    for relation in coding.relations:
        if relation.label in roles and relation.source in e_ids and relation.target in t_ids:
            role = schema.relation[relation.label]
            taken = sum(1 for r, _ in arguments.get(relation.source, []) if r.rstrip("0123456789") == role)
            name = role if not taken else f"{role}{taken + 1}"
            arguments.setdefault(relation.source, []).append((name, e_ids.get(relation.target, t_ids[relation.target])))
    for span in coding.spans:
        if span.key not in t_ids:
            continue
        t_id = t_ids[span.key]
        runs = [run for start, end in span.ranges for run in fragments(text, start, end)]
        owner_type = schema.entity[span.label]
        offsets = ";".join(f"{s} {e}" for s, e in runs)
        shown = " ".join(text[s:e] for s, e in runs)
        yield f"{t_id}\t{owner_type} {offsets}\t{shown}"
        owner_id = t_id
        if span.key in e_ids:
            owner_id = e_ids[span.key]
            args = "".join(f" {role}:{target}" for role, target in arguments.get(span.key, []))
            yield f"{owner_id}\t{owner_type}:{t_id}{args}"
        yield from extras(owner_id, owner_type, span, dict(span.attributes))
        report.spans += 1
    number = 0
    linked: dict[str, list[tuple[str, str]]] = {}
    for relation in coding.relations:
        if relation.source not in t_ids or relation.target not in t_ids:
            continue
        if relation.label in roles and relation.source in e_ids:
            report.relations += 1
            continue
        if relation.label in equivalences:
            linked.setdefault(relation.label, []).append((t_ids[relation.source], t_ids[relation.target]))
            report.relations += 1
            continue
        number += 1
        r_id = f"R{number}"
        owner_type = schema.relation[relation.label]
        yield f"{r_id}\t{owner_type} Arg1:{t_ids[relation.source]} Arg2:{t_ids[relation.target]}"
        yield from extras(r_id, owner_type, None, dict(relation.attributes))
        report.relations += 1
    for label, pairs in linked.items():
        for group in _chains(pairs):
            yield f"*\t{schema.relation[label]} {' '.join(group)}"


def _brat_text(schema: BratSchema, owner: str, name: str) -> bool:
    """Whether ``owner`` (a label or relation type) has the brat text attribute ``name``."""
    attribute = schema._attribute(owner, name)
    return attribute is not None and is_brat_text(attribute)


def annotation_conf(schema: BratSchema) -> str:
    codebook = schema.codebook
    events, roles, equivalences = _role_types(codebook)
    lines = ["# Generated by Loupe from the codebook "
             f"{_one_line(codebook.name)} (version {_one_line(codebook.version)}).", "", "[entities]"]
    lines += [schema.entity[label.name] for label in codebook.span_labels if label.name not in events]
    lines += ["", "[relations]"]
    for relation in codebook.relation_types:
        if relation.name in roles:
            continue
        arg1 = "|".join(schema.entity[name] for name in relation.source)
        arg2 = "|".join(schema.entity[name] for name in relation.target)
        kind = ", <REL-TYPE>:symmetric-transitive" if relation.name in equivalences else ""
        lines.append(f"{schema.relation[relation.name]}\tArg1:{arg1}, Arg2:{arg2}{kind}")
    lines += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]"]
    for label in codebook.span_labels:  # a codebook from brat's annotation.conf: its events again
        if label.name in events:
            args = [f"{schema.relation[r.name]}*:{'|'.join(schema.entity[t] for t in r.target)}"
                    for r in codebook.relation_types if r.name in roles and label.name in r.source]
            lines.append(f"{schema.entity[label.name]}\t{', '.join(args)}".rstrip())
    lines += ["", "[attributes]"]
    for attribute in schema.attributes.values():
        spec = f"{attribute.name}\tArg:{'|'.join(attribute.owners)}"
        if attribute.values:
            spec += f", Value:{'|'.join(attribute.values)}"
        lines.append(spec)
    lines.append(f"{schema.uncertain}\tArg:<ENTITY>")
    return "\n".join(lines) + "\n"


def visual_conf(schema: BratSchema) -> str:
    codebook = schema.codebook
    lines = ["[labels]"]
    for label in codebook.span_labels:
        lines.append(f"{schema.entity[label.name]} | {_one_line(label.name)}")
    for relation in codebook.relation_types:
        lines.append(f"{schema.relation[relation.name]} | {_one_line(relation.name)}")
    lines += ["", "[drawing]", "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
              "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5"]
    for label in codebook.span_labels:
        lines.append(f"{schema.entity[label.name]}\tbgColor:{label.color}, borderColor:darken")
    return "\n".join(lines) + "\n"


def write_brat_folder(folder: Path, codebook: Codebook, articles: Iterable[CodedArticle]) -> BratReport:
    """Write the collection into ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    schema = BratSchema(codebook)
    report = BratReport()
    for name, conf in (("annotation.conf", annotation_conf(schema)), ("visual.conf", visual_conf(schema))):
        (folder / name).write_text(replace_characters(conf, UNENCODABLE), encoding="utf-8")
    for item in articles:
        # A surrogate (UTF-8 cannot hold it) becomes U+FFFD, one for one: offsets stay valid.
        text = replace_characters(item.article.text, UNENCODABLE)
        (folder / f"{item.name}.txt").write_text(text, encoding="utf-8", newline="")
        lines = "".join(line + "\n" for line in ann_lines(item, schema, report))
        (folder / f"{item.name}.ann").write_text(
            replace_characters(lines, UNENCODABLE), encoding="utf-8", newline=""
        )
        report.documents += 1
    return report
