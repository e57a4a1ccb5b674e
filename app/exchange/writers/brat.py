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

from app.core.codebook import Codebook
from app.core.exports import CodedArticle, CodedSpan
from app.exchange.bratschema import NOTE_COMMENT, VALUE_COMMENT, BratSchema
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


def ann_lines(item: CodedArticle, schema: BratSchema, report: BratReport) -> Iterator[str]:
    """The lines of one article's ``.ann`` file (its first coding only)."""
    text = item.article.text
    coding = item.codings[0] if item.codings else None
    if coding is None:
        return
    t_ids: dict[str, str] = {}
    counters = {"A": 0, "#": 0}

    def next_id(kind: str) -> str:
        counters[kind] += 1
        return f"{kind}{counters[kind]}"

    def extras(owner_id: str, owner_type: str, span: CodedSpan | None, attributes: dict) -> Iterator[str]:
        for name, value in schema.encode(owner_type, attributes):
            yield f"{next_id('A')}\t{name} {owner_id}" + ("" if value is None else f" {value}")
        if span is not None and span.uncertain:
            yield f"{next_id('A')}\t{schema.uncertain} {owner_id}"
        for loose in schema.loose_values(owner_type, attributes):
            yield f"{next_id('#')}\t{VALUE_COMMENT} {owner_id}\t{_one_line(loose)}"
        if span is not None and span.note:
            yield f"{next_id('#')}\t{NOTE_COMMENT} {owner_id}\t{_one_line(span.note)}"

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
        t_id = f"T{len(t_ids) + 1}"
        t_ids[span.key] = t_id
        owner_type = schema.entity[span.label]
        offsets = ";".join(f"{s} {e}" for s, e in runs)
        shown = " ".join(text[s:e] for s, e in runs)
        yield f"{t_id}\t{owner_type} {offsets}\t{shown}"
        yield from extras(t_id, owner_type, span, dict(span.attributes))
        report.spans += 1
    number = 0
    for relation in coding.relations:
        if relation.source not in t_ids or relation.target not in t_ids:
            continue
        number += 1
        r_id = f"R{number}"
        owner_type = schema.relation[relation.label]
        yield f"{r_id}\t{owner_type} Arg1:{t_ids[relation.source]} Arg2:{t_ids[relation.target]}"
        yield from extras(r_id, owner_type, None, dict(relation.attributes))
        report.relations += 1


def annotation_conf(schema: BratSchema) -> str:
    codebook = schema.codebook
    lines = ["# Generated by Loupe from the codebook "
             f"{_one_line(codebook.name)} (version {_one_line(codebook.version)}).", "", "[entities]"]
    lines += [schema.entity[label.name] for label in codebook.span_labels]
    lines += ["", "[relations]"]
    for relation in codebook.relation_types:
        arg1 = "|".join(schema.entity[name] for name in relation.source)
        arg2 = "|".join(schema.entity[name] for name in relation.target)
        lines.append(f"{schema.relation[relation.name]}\tArg1:{arg1}, Arg2:{arg2}")
    lines += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]", "", "[attributes]"]
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
