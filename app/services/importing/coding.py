"""Coding that comes with imported files (spans, relations, document labels), made ready
to be written as one coder's rows.

Shared by ``loupe import`` (doccano JSON Lines bring their coding with the articles, and
a line whose text is already in the project brings it to that article) and ``loupe
import-annotations`` (brat, doccano onto the project's articles). In order:

1. :func:`map_names`: span labels and relation types matched to the codebook by name
   (exactly, else ignoring case, accents and punctuation when that names one); names
   that match nothing refuse the import in one sentence listing each with its count.
2. :func:`map_categories`: document labels (doccano text classification) become answers
   to the one choice question whose options hold them; labels no question offers, or
   several do, are reported and not imported.
3. :func:`edge_spaces`: spans that begin or end with white space are counted and, on
   request, trimmed to their non-white-space core; a span of white space only is then
   left out (and said), with the relations that link it.
4. :func:`check_coding`: every row checked as a merge checks a coder's rows
   (:mod:`app.core.row_checks`); the first problem refuses the whole import.
5. :func:`write_coding`: the rows written beside what the coder already has: a span the
   coder already has (same label, offsets and fragments) or a relation already drawn is not added
   twice, an answer already given is not written again.

Nothing is written before every row is checked. Pure except :func:`write_coding`.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from app.core.codebook import Question
from app.core.errors import ImportFormatError
from app.core.exports import CodedFile
from app.core.names import name_resolver
from app.core.records import Annotation, Fragments, Relation, utc_now
from app.core.row_checks import (
    Endpoint,
    answer_problem,
    attributes_problem,
    fragments_problem,
    relation_problem,
    span_problem,
)
from app.services.projects import Project
from app.store.exports import ExportQueries


@dataclass
class CodingCounts:
    """What happened to the coding of an import: rows written, rows the coder already
    had, spans with white space at an edge (``edge_spans``, counted before trimming) and
    how many of them were trimmed; ``notes`` are sentences about what was left out."""

    annotations: int = 0
    relations: int = 0
    answers: int = 0
    already_present: int = 0
    edge_spans: int = 0
    trimmed: int = 0
    #: Relations given more than once (same type, source and target): written once.
    repeated_relations: int = 0
    notes: list[str] = field(default_factory=list)


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def file_names(origins: Iterable[str]) -> str:
    """The files ``origins`` (``feed.jsonl, line 3``) come from, for the start of a sentence."""
    names = list(dict.fromkeys(origin.rsplit(", line ", 1)[0] for origin in origins))
    if len(names) <= 3:
        return ", ".join(names)
    return f"{names[0]} and {len(names) - 1} other files"


def _listed(counts: Counter[str], noun: str) -> str:
    return ", ".join(f"'{name}' ({_plural(count, noun)})" for name, count in counts.most_common())


def _unknown(counts: Counter[str], kind: str, noun: str, known: Sequence[str]) -> str:
    offered = f"{kind}s: {', '.join(known)}" if known else f"the codebook has no {kind}s"
    if len(counts) == 1:
        ((name, count),) = counts.items()
        return f"the {kind} '{name}' is not in the codebook ({_plural(count, noun)}; {offered})"
    return f"the {kind}s {_listed(counts, noun)} are not in the codebook ({offered})"


def map_names(project: Project, files: Sequence[CodedFile]) -> list[CodedFile]:
    """``files`` with span labels and relation types named as in the codebook.

    Raises :class:`ImportFormatError` naming every label and relation type that is not
    in the codebook, with how many spans and relations carry it.
    """
    codebook = project.codebook
    label_of = name_resolver(codebook.label_names)
    type_of = name_resolver(t.name for t in codebook.relation_types)
    bad_labels: Counter[str] = Counter()
    bad_types: Counter[str] = Counter()
    where: list[str] = []
    mapped: list[CodedFile] = []
    for f in files:
        spans = []
        for s in f.spans:
            label = label_of(s.label)
            if label is None:
                bad_labels[s.label] += 1
                where.append(f.origin)
            spans.append(replace(s, label=label or s.label))
        relations = []
        for r in f.relations:
            label = type_of(r.label)
            if label is None:
                bad_types[r.label] += 1
                where.append(f.origin)
            relations.append(replace(r, label=label or r.label))
        mapped.append(replace(f, spans=tuple(spans), relations=tuple(relations)))
    if bad_labels or bad_types:
        parts = []
        if bad_labels:
            parts.append(_unknown(bad_labels, "span label", "span", codebook.label_names))
        if bad_types:
            names = [t.name for t in codebook.relation_types]
            parts.append(_unknown(bad_types, "relation type", "relation", names))
        raise ImportFormatError(f"{file_names(where)}: {'; '.join(parts)}.")
    return mapped


def map_categories(
    project: Project, categories: Sequence[Sequence[str]], origins: Sequence[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Answers (``{question: value}``) for each document's labels, and notes on the labels
    that were not imported.

    When exactly one choice question offers every label used, all labels answer it.
    Otherwise each label answers the one question that offers it; a label no question
    offers, or several do, is reported. A multiple-choice question gets the list of the
    document's labels; any other gets the label (several labels for one single-choice
    question are refused by :func:`check_coding`).
    """
    used: Counter[str] = Counter(label for labels in categories for label in dict.fromkeys(labels))
    answers: list[dict[str, Any]] = [{} for _ in categories]
    if not used:
        return answers, []
    questions = [q for q in project.codebook.questions if q.is_choice]
    option_of = {q.name: name_resolver(q.option_values) for q in questions}
    offering = {label: [q for q in questions if option_of[q.name](label)] for label in used}
    whole = [q for q in questions if all(q in offering[label] for label in used)]
    target: dict[str, Question] = {}
    missing: Counter[str] = Counter()
    ambiguous: Counter[str] = Counter()
    for label, count in used.items():
        if len(whole) == 1:
            target[label] = whole[0]
        elif len(offering[label]) == 1:
            target[label] = offering[label][0]
        elif offering[label]:
            ambiguous[label] = count
        else:
            missing[label] = count
    for answer, labels in zip(answers, categories, strict=True):
        chosen: dict[str, list[str]] = {}
        for label in dict.fromkeys(labels):
            question = target.get(label)
            if question is not None:
                value = option_of[question.name](label)
                assert value is not None
                chosen.setdefault(question.name, []).append(value)
        for name, values in chosen.items():
            question = project.codebook.question(name)
            if question.type == "multi_choice":
                answer[name] = [v for v in question.option_values if v in values]
            else:
                answer[name] = values[0] if len(values) == 1 else values
    notes = []
    where = file_names(o for o, labels in zip(origins, categories, strict=True) if labels)
    if missing:
        notes.append(
            f"{where}: document labels that no question of the codebook offers were not imported: "
            f"{_listed(missing, 'document')}; add a question with these options and import again "
            f"(the answers then attach to the articles already imported)."
        )
    if ambiguous:
        shown = ", ".join(
            f"'{label}' ({' or '.join(q.name for q in offering[label])}; {_plural(n, 'document')})"
            for label, n in ambiguous.most_common()
        )
        notes.append(
            f"{where}: document labels that several questions offer were not imported: {shown}."
        )
    return answers, notes


def edge_spaces(f: CodedFile, *, trim: bool, counts: CodingCounts) -> CodedFile:
    """``f`` with the spans that begin or end with white space counted in ``counts`` and,
    when ``trim``, moved in to their first and last character that is not white space.

    A span of white space only is then left out with the relations that link it, and
    said in ``counts.notes``. Spans outside the text are left for :func:`check_coding`.
    """
    text = f.text
    spans = []
    dropped: list[str] = []
    for s in f.spans:
        in_text = type(s.start) is int and type(s.end) is int and 0 <= s.start < s.end <= len(text)
        if not in_text or s.fragments:  # a discontinuous span's fragments are kept as they are
            spans.append(s)
            continue
        piece = text[s.start : s.end]
        core = piece.strip()
        if len(core) == len(piece):
            spans.append(s)
            continue
        counts.edge_spans += 1
        if not trim:
            spans.append(s)
        elif not core:
            dropped.append(s.key)
        else:
            lead = len(piece) - len(piece.lstrip())
            spans.append(replace(s, start=s.start + lead, end=s.start + lead + len(core)))
            counts.trimmed += 1
    if not dropped:
        return replace(f, spans=tuple(spans)) if trim else f
    gone = set(dropped)
    relations = tuple(r for r in f.relations if r.source not in gone and r.target not in gone)
    linked = len(f.relations) - len(relations)
    counts.notes.append(
        f"{f.origin}: {_plural(len(dropped), 'span')} of white space only "
        f"({', '.join(dropped[:5])}{', ...' if len(dropped) > 5 else ''}) left out"
        + (f", with the {_plural(linked, 'relation')} linking them." if linked else ".")
    )
    return replace(f, spans=tuple(spans), relations=relations)


def check_coding(
    project: Project, f: CodedFile, article_id: str, length: int, answers: Mapping[str, Any] | None = None
) -> None:
    """Every span, relation and answer of ``f`` as a merge checks a coder's rows, for an
    article of ``length`` code points; the first problem raises :class:`ImportFormatError`."""
    codebook = project.codebook
    ends = {s.key: Endpoint(article_id, "", s.label) for s in f.spans}
    for s in f.spans:
        problem = (
            span_problem(s.label, s.start, s.end, length, codebook)
            or fragments_problem(s.fragments, s.start, s.end, length)
            or attributes_problem(codebook.label(s.label), s.attributes)
        )
        if problem:
            raise ImportFormatError(f"{f.origin}: {s.key}: {problem}.")
    for r in f.relations:
        problem = relation_problem(codebook, r.label, article_id, "", r.source, r.target, ends)
        if problem is None:
            problem = attributes_problem(codebook.relation_type(r.label), r.attributes)
        if problem:
            raise ImportFormatError(f"{f.origin}: {r.key}: {problem}.")
    for question, value in (answers or {}).items():
        problem = answer_problem(codebook, question, value)
        if problem:
            raise ImportFormatError(f"{f.origin}: its document labels as an answer to {problem}.")


def write_coding(
    project: Project,
    coder_id: str,
    items: Sequence[tuple[CodedFile, str, Mapping[str, Any]]],
    counts: CodingCounts,
) -> list[int]:
    """Write each ``(file, article id, answers)`` as the coder's rows; returns how many
    spans each item added (its others the coder already had, or an earlier item gave).

    Spans and relations are one transaction; answers follow, one row each. When two items
    answer the same single-choice question of one article differently, the first stays.
    """
    queries = ExportQueries(project.store.engine)
    now = utc_now()
    known: dict[str, dict[tuple[str, int, int, Fragments], str]] = {}
    linked: dict[str, set[tuple[str, str, str]]] = {}
    answered: dict[str, dict[str, Any]] = {}
    annotations: list[Annotation] = []
    relations: list[Relation] = []
    added: list[int] = []
    for f, article_id, answers in items:
        spans = known.setdefault(article_id, queries.span_ids(article_id, coder_id))
        ids: dict[str, str] = {}
        before = len(annotations)
        for s in f.spans:
            # A span the coder has is known by its label and fragment set, not its envelope alone.
            key = (s.label, s.start, s.end, tuple((first, last) for first, last in s.fragments))
            if key in spans:
                ids[s.key] = spans[key]
                counts.already_present += 1
                continue
            ids[s.key] = spans[key] = str(uuid.uuid4())
            annotations.append(Annotation(
                ids[s.key], article_id, coder_id, s.label, s.start, s.end, dict(s.attributes),
                s.note, s.uncertain, 1, now, now, fragments=s.fragments,
            ))
        added.append(len(annotations) - before)
        drawn = linked.get(article_id)
        if drawn is None:
            drawn = linked[article_id] = {
                (r.label, r.source_id, r.target_id) for r in project.store.relations.for_article(article_id, coder_id)
            }
        for r in f.relations:
            triple = (r.label, ids[r.source], ids[r.target])
            if triple in drawn:
                counts.repeated_relations += 1
                continue
            drawn.add(triple)
            relations.append(Relation(
                str(uuid.uuid4()), article_id, coder_id, r.label, ids[r.source], ids[r.target],
                dict(r.attributes), 1, now, now,
            ))
        merged = answered.setdefault(article_id, {})
        for question, value in answers.items():
            if question not in merged:
                merged[question] = value
            elif isinstance(value, list) and merged[question] != value:
                options = project.codebook.question(question).option_values
                chosen = set(merged[question]) | set(value)
                merged[question] = [v for v in options if v in chosen]
            elif merged[question] != value:
                counts.notes.append(
                    f"{f.origin}: its answer {value!r} to {question} differs from that of an "
                    f"earlier line with the same text ({merged[question]!r}), which was kept."
                )
    counts.annotations += project.store.annotations.add_many(annotations, relations)
    counts.relations += len(relations)
    for article_id, merged in answered.items():
        current = project.store.answers.for_article(article_id, coder_id) if merged else {}
        for question, value in merged.items():
            if question in current and current[question].value == value:
                continue
            project.store.answers.set(article_id, coder_id, question, value, now)
            counts.answers += 1
    return added
