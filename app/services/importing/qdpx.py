"""Importing a REFI-QDA project file (``.qdpx``): its text sources become articles (or
find the article already in the project with the same text) and its coded selections
become annotations, its links relations, its variables answers.

Codes map to the codebook by name: a code named like a span label is that label; a
code under a label's attribute folder (``Label/attribute/value``) is that attribute's
value; :data:`~app.exchange.refi.UNCERTAIN_CODE` is the uncertain flag. A selection
with several label codes becomes one annotation per label. A code used in the file
that is none of these refuses the import, with a sentence listing every such code and
how many selections carry it. Selections belong to the coder named with ``--coder``,
else to the REFI user who coded them (a Loupe coder of that name, made if missing).

Every row is checked as a window edit is (:mod:`app.core.row_checks`) before anything
is written; the first problem refuses the whole file. Articles are written in one
transaction, then the coding in another. Importing the same file again adds nothing.

A discontinuous span of Loupe's own file is one selection per fragment, tied by their
descriptions (:func:`~app.exchange.refi.fragment_description`): a complete set of them,
coded alike, is read back as one annotation with those fragments. From any other
program, or an incomplete set, each selection is a span of its own.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.articles import ImportedArticle, text_sha256
from app.core.defaults import DEFAULT_MAX_FILE_BYTES
from app.core.edits import join_ranges
from app.core.errors import ImportFormatError, ModelError
from app.core.names import name_key
from app.core.records import Annotation, Article, Fragments, Relation, utc_now
from app.core.row_checks import (
    Endpoint,
    answer_problem,
    attributes_problem,
    fragments_problem,
    relation_problem,
    span_problem,
)
from app.exchange.readers.articletext import compose
from app.exchange.readers.plaintext import read_plaintext
from app.exchange.readers.qdpx import QdpxProject, QdpxSelection, QdpxSource, align, read_qdpx
from app.exchange.readers.textdecode import normalize_newlines
from app.exchange.refi import (
    ATTRIBUTES_NOTE,
    BOOLEAN_CODES,
    FRAGMENT_DESCRIPTION,
    UNCERTAIN_CODE,
    VARIABLE_OF_CODER,
    answer_value,
    parse_attribute_lines,
)
from app.services.importing.prehighlight import tag_texts
from app.services.progress import (
    CancelFn,
    OperationCancelled,
    ProgressFn,
    never_cancelled,
    no_progress,
)
from app.services.projects import Project
from app.store.exports import ExportQueries

if TYPE_CHECKING:
    from app.services.importing.run import ImportReport


@dataclass
class QdpxImportReport:
    sources: int = 0
    new_articles: int = 0
    matched_articles: int = 0
    selections: int = 0
    annotations: int = 0
    already_present: int = 0
    relations: int = 0
    answers: int = 0
    entities: int = 0
    coders: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warning: str | None = None


@dataclass
class _Span:
    key: str
    label: str
    start: int
    end: int
    coder: str
    attributes: dict[str, Any]
    note: str
    uncertain: bool
    #: A discontinuous span's fragments (start/end their envelope); empty if contiguous.
    fragments: Fragments = ()


@dataclass
class _Source:
    source: QdpxSource
    article: Article | None
    item: ImportedArticle | None
    text: str
    spans: list[_Span] = field(default_factory=list)


def _label_named(project: Project, name: str) -> str | None:
    labels = project.codebook.label_names
    if name in labels:
        return name
    key = name_key(name)
    return next((label for label in labels if name_key(label) == key), None)


def _meaning(project: Project, doc: QdpxProject, guid: str) -> tuple[str, ...] | None:
    """``("label", L)``, ``("value", L, attribute, value)``, ``("uncertain",)`` or None."""
    code = doc.codes.get(guid)
    if code is None:
        return None
    path = code.path
    owner = _label_named(project, path[-3]) if len(path) >= 3 else None
    if owner is not None:
        label = project.codebook.label(owner)
        attribute = next((a for a in label.attributes if name_key(a.name) == name_key(path[-2])), None)
        if attribute is not None:
            if attribute.type == "boolean" and path[-1] in BOOLEAN_CODES:
                return ("value", label.name, attribute.name, path[-1])
            if attribute.type in ("single_choice", "multi_choice"):
                value = next((v for v in attribute.option_values if v == path[-1]), None) or next(
                    (v for v in attribute.option_values if name_key(v) == name_key(path[-1])), None
                )
                if value is not None:
                    return ("value", label.name, attribute.name, value)
    if code.name == UNCERTAIN_CODE:
        return ("uncertain",)
    found = _label_named(project, code.name)
    return ("label", found) if found else None


def _refuse_unknown(project: Project, doc: QdpxProject, name: str) -> None:
    unknown: Counter[str] = Counter()
    for source in doc.sources:
        for selection in source.selections:
            for guid in {g for g, _ in selection.codings}:
                if _meaning(project, doc, guid) is None:
                    unknown[guid] += 1
    if not unknown:
        return
    shown = []
    for guid, count in sorted(unknown.items(), key=lambda item: (-item[1], item[0])):
        code = doc.codes.get(guid)
        what = "/".join(code.path) if code else f"{guid}, which its code book lacks"
        label = f", as label {name_key(code.name)}" if code and name_key(code.name) else ""
        shown.append(f"'{what}' ({count} selection{'s' if count != 1 else ''}{label})")
    raise ImportFormatError(
        f"{name} uses {len(unknown)} code{'s' if len(unknown) != 1 else ''} that "
        f"{'are' if len(unknown) != 1 else 'is'} neither a span label of the codebook nor a value of "
        f"its attributes: {'; '.join(shown)}. Add these labels to the codebook (a codebook name "
        f"matches a code whatever its case, accents and punctuation), or remove the codes, and "
        f"import again."
    )


def _coder_of(doc: QdpxProject, coder: str | None, *users: str) -> str:
    if coder:
        return coder
    for user in (*users, doc.creator):
        name = doc.users.get(user, "").strip()
        if name:
            return name
    raise ImportFormatError(
        "The file does not say who coded its selections; name the coder with --coder NAME."
    )


def _notes(doc: QdpxProject, refs: tuple[str, ...]) -> tuple[list[str], dict[str, Any], str | None]:
    texts: list[str] = []
    attributes: dict[str, Any] = {}
    problem = None
    for ref in dict.fromkeys(refs):
        name, text = doc.notes.get(ref, ("", ""))
        if name == ATTRIBUTES_NOTE:
            values, problem = parse_attribute_lines(text)
            attributes.update(values)
        elif text.strip():
            texts.append(text)
    return texts, attributes, problem


def _spans(
    project: Project, doc: QdpxProject, sel: QdpxSelection, coder: str | None, where: str,
    fragments: Fragments = (),
) -> list[_Span]:
    labels: dict[str, str] = {}  # label -> user who coded it
    values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    uncertain = False
    for guid, user in sel.codings:
        meaning = _meaning(project, doc, guid)
        if meaning is None:
            continue
        if meaning[0] == "label":
            labels.setdefault(meaning[1], user)
        elif meaning[0] == "value":
            values[meaning[1]][meaning[2]].append(meaning[3])
        else:
            uncertain = True
    for label in values:
        labels.setdefault(label, "")
    texts, loose, problem = _notes(doc, sel.notes)
    if problem:
        raise ImportFormatError(f"{where}: selection {sel.guid}: {problem}.")
    if sel.description.strip():
        texts.insert(0, sel.description)
    note = "\n\n".join(texts)
    spans = []
    for label_name, user in labels.items():
        span_label = project.codebook.label(label_name)
        attributes: dict[str, Any] = {}
        for name, chosen in values.get(label_name, {}).items():
            attribute = span_label.attribute(name)
            if attribute.type == "multi_choice":
                attributes[name] = list(dict.fromkeys(chosen))
            elif len(set(chosen)) > 1:
                raise ImportFormatError(
                    f"{where}: selection {sel.guid} has {len(set(chosen))} values of {label_name}'s "
                    f"{name}, which takes one."
                )
            else:
                attributes[name] = BOOLEAN_CODES[chosen[0]] if attribute.type == "boolean" else chosen[0]
        for name, value in loose.items():
            if len(labels) == 1 or any(a.name == name for a in span_label.attributes):
                attributes.setdefault(name, value)
        key = sel.guid if len(labels) == 1 else f"{sel.guid}/{label_name}"
        who = _coder_of(doc, coder, user, sel.user)
        spans.append(_Span(key, label_name, sel.start, sel.end, who, attributes, note, uncertain, fragments))
    return spans


def _candidates(raw: str, name: str) -> list[str]:
    """The texts the source may be stored as: as JSON Lines and brat imports store a text
    (outer white space dropped, headline first), and as ``loupe import`` stores a .txt."""
    found = [compose(None, normalize_newlines(raw)).text]
    try:
        found.append(read_plaintext(raw.encode("utf-8"), name)[0].text)
    except ImportFormatError:
        pass
    return list(dict.fromkeys(found))


def _units(doc: QdpxProject, selections: Sequence[QdpxSelection]) -> list[tuple[QdpxSelection, ...]]:
    """The selections as spans: one selection each, but the fragments of one discontinuous
    span of Loupe's own file together (in order), where the set is complete and coded alike."""
    if not doc.origin.startswith("Loupe"):
        return [(sel,) for sel in selections]
    sets: dict[str, dict[int, tuple[int, QdpxSelection]]] = defaultdict(dict)
    for sel in selections:
        found = FRAGMENT_DESCRIPTION.match(sel.description.strip())
        if found:
            sets[found["guid"].lower()][int(found["number"])] = (int(found["count"]), sel)
    whole: dict[str, tuple[QdpxSelection, ...]] = {}
    for guid, parts in sets.items():
        counts = {count for count, _ in parts.values()}
        ordered = tuple(parts[n][1] for n in sorted(parts))
        if (
            len(counts) == 1 and sorted(parts) == list(range(1, counts.pop() + 1)) and len(parts) >= 2
            and ordered[0].guid == guid and len({frozenset(p.codings) for p in ordered}) == 1
        ):
            whole[guid] = ordered
    members = {p.guid for parts in whole.values() for p in parts}
    units = []
    for sel in selections:
        if sel.guid in whole:
            units.append(whole[sel.guid])
        elif sel.guid not in members:
            units.append((sel,))
    return units


def _place(project: Project, queries: ExportQueries, doc: QdpxProject, coder: str | None, name: str) -> list[_Source]:
    texts = [_candidates(s.text, s.name) for s in doc.sources]
    existing = queries.articles_by_hash(text_sha256(t) for options in texts for t in options)
    placed: list[_Source] = []
    for source, options in zip(doc.sources, texts, strict=True):
        where = f"{name}: source '{source.name}'"
        article = next((existing[text_sha256(t)] for t in options if text_sha256(t) in existing), None)
        stored = article.text if article else options[0]
        item = None
        if article is None:
            composed = compose(None, normalize_newlines(source.text))
            item = ImportedArticle(
                title=composed.title, text=stored, origin=where,
                metadata={"qdpx_source": source.name, "qdpx_guid": source.guid},
            )
        maps = align(source.text, stored)
        if maps is None:  # pragma: no cover - the candidates differ from the source in white space only
            raise ImportFormatError(f"{where}: its text could not be matched to the stored text.")
        starts, ends = maps
        entry = _Source(source, article, item, stored)
        for unit in _units(doc, source.selections):
            ranges: Fragments = ()
            for sel in unit:
                if not 0 <= sel.start <= sel.end <= len(source.text):
                    raise ImportFormatError(
                        f"{where}: selection {sel.guid} ({sel.start}-{sel.end}) lies outside its "
                        f"{len(source.text):,} characters."
                    )
                if starts[sel.start] < ends[sel.end]:
                    ranges = join_ranges(ranges, starts[sel.start], ends[sel.end])
            sel = unit[0]
            if not ranges:
                doc.skipped.append(f"{where}: selection {sel.guid} holds only white space; skipped.")
                continue
            (start, _), (_, end) = ranges[0], ranges[-1]
            # The fragments' tie is no note of the span.
            description = sel.description if len(unit) == 1 else ""
            moved = QdpxSelection(sel.guid, start, end, sel.name, sel.user, description, sel.codings, sel.notes)
            fragments = ranges if len(ranges) > 1 else ()
            entry.spans.extend(_spans(project, doc, moved, coder, where, fragments))
        placed.append(entry)
    return placed


def _check(project: Project, entry: _Source, name: str) -> None:
    where = f"{name}: source '{entry.source.name}'"
    for span in entry.spans:
        problem = span_problem(span.label, span.start, span.end, len(entry.text), project.codebook) or (
            fragments_problem(span.fragments, span.start, span.end, len(entry.text))
        ) or attributes_problem(project.codebook.label(span.label), span.attributes)
        if problem:
            raise ImportFormatError(f"{where}: selection {span.key}: {problem}.")


def import_qdpx(
    project: Project,
    path: str | Path,
    *,
    coder: str | None = None,
    model: str | None = None,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    progress: ProgressFn = no_progress,
    cancelled: CancelFn = never_cancelled,
) -> QdpxImportReport:
    """Import the project exchange file at ``path`` (see the module notes)."""
    path = Path(path)
    coder = coder.strip() if coder and coder.strip() else None
    progress(0, 1, f"Reading {path.name}")
    doc = read_qdpx(path, max_bytes=max_bytes)
    _refuse_unknown(project, doc, path.name)
    queries = ExportQueries(project.store.engine)
    placed = _place(project, queries, doc, coder, path.name)
    for entry in placed:
        _check(project, entry, path.name)
    links, answers = _links_and_answers(project, doc, placed, coder, path.name)
    report = QdpxImportReport(sources=len(placed), skipped=list(doc.skipped))
    report.selections = sum(len(e.source.selections) for e in placed)
    if cancelled():
        raise OperationCancelled("The import was cancelled; nothing was imported.")
    _store_articles(project, placed, model, report, progress, cancelled)
    _store_coding(project, queries, placed, links, answers, report)
    progress(1, 1, "Imported")
    return report


def _links_and_answers(
    project: Project, doc: QdpxProject, placed: list[_Source], coder: str | None, name: str,
) -> tuple[list[tuple[str, str, str, str, dict[str, Any]]], list[tuple[_Source, str, str, Any]]]:
    """Relations as (type, source key, target key, coder, attributes) and answers as
    (source, coder, question, value), checked."""
    by_selection: dict[str, list[tuple[_Source, _Span]]] = defaultdict(list)
    for entry in placed:
        for span in entry.spans:
            by_selection[span.key.split("/")[0]].append((entry, span))
    relations = []
    skipped: Counter[str] = Counter()
    for link in doc.links:
        ends = [by_selection.get(link.origin), by_selection.get(link.target)]
        if not ends[0] or not ends[1]:
            skipped["do not link two selections Loupe reads"] += 1
            continue
        try:
            relation_type = project.codebook.relation_type(link.name)
        except KeyError:
            skipped[f"are named '{link.name}', not a relation type of the codebook"] += 1
            continue
        pairs = [
            (a, b) for a in ends[0] for b in ends[1]
            if relation_type.allows(a[1].label, b[1].label) and a[1].coder == b[1].coder and a[0] is b[0]
        ]
        (entry, source), (_, target) = pairs[0] if pairs else (ends[0][0], ends[1][0])
        _, attributes, problem = _notes(doc, link.notes)
        article_id = entry.article.id if entry.article else entry.source.guid
        endpoints = {s.key: Endpoint(article_id, s.coder, s.label) for s in entry.spans}
        problem = problem or relation_problem(
            project.codebook, link.name, article_id, source.coder, source.key, target.key, endpoints
        ) or attributes_problem(relation_type, attributes)
        if problem:
            raise ImportFormatError(f"{name}: link {link.guid}: {problem}.")
        relations.append((link.name, source.key, target.key, source.coder, attributes))
    for reason, count in skipped.items():
        doc.skipped.append(f"{name}: {count} link{'s' if count != 1 else ''} {reason}; skipped.")
    answers = []
    questions = {q.name: q for q in project.codebook.questions}
    unknown: Counter[str] = Counter()
    for entry in placed:
        for guid, text in entry.source.values:
            variable = doc.variables.get(guid, "")
            question, who = variable, None
            if variable not in questions and (found := VARIABLE_OF_CODER.match(variable)):
                question, who = found["question"], found["coder"]
            if question not in questions:
                unknown[variable] += 1
                continue
            value = answer_value(text, questions[question].type == "multi_choice")
            problem = answer_problem(project.codebook, question, value)
            if problem:
                raise ImportFormatError(f"{name}: source '{entry.source.name}': variable '{variable}': {problem}.")
            answers.append((entry, coder or who or _coder_of(doc, None, entry.source.user), question, value))
    if unknown:
        shown = ", ".join(f"'{v}' ({n})" for v, n in unknown.most_common())
        doc.skipped.append(f"{name}: variables that are not questions of the codebook were skipped: {shown}.")
    return relations, answers


def _store_articles(
    project: Project, placed: list[_Source], model: str | None, report: QdpxImportReport,
    progress: ProgressFn, cancelled: CancelFn,
) -> None:
    new = [e for e in placed if e.article is None and e.item is not None]
    seen: dict[str, _Source] = {}
    for entry in new:
        seen.setdefault(entry.text, entry)
    unique = list(seen.values())
    items = [e.item for e in unique if e.item is not None]  # all of them (see new)
    entities: list[list[Any]] = [[] for _ in unique]
    if unique:
        settings = project.store.settings()
        try:
            report_model, entities = tag_texts(
                [e.text for e in unique], model or settings.get("model"), settings.get("entity_labels"),
                progress=progress, cancelled=cancelled,
            )
        except ModelError as exc:
            report_model = None
            report.warning = f"{exc.message} The articles were imported without entity highlights."
        ids = project.store.articles.add_new(
            list(zip(items, entities, strict=True)), model=report_model,
        )
        report.entities = sum(len(s) for s, i in zip(entities, ids, strict=True) if i)
        report.new_articles = sum(1 for i in ids if i)
    queries = ExportQueries(project.store.engine)
    stored = queries.articles_by_hash(text_sha256(e.text) for e in placed)
    for entry in placed:
        if entry.article is None:
            entry.article = stored[text_sha256(entry.text)]
        else:
            report.matched_articles += 1


def _store_coding(
    project: Project, queries: ExportQueries, placed: list[_Source],
    links: list[tuple[str, str, str, str, dict[str, Any]]], answers: list[tuple[_Source, str, str, Any]],
    report: QdpxImportReport,
) -> None:
    names = {e.coder for entry in placed for e in entry.spans} | {a[1] for a in answers} | {r[3] for r in links}
    coder_ids = {name: project.store.coders.get_or_create(name).id for name in sorted(names)}
    report.coders = sorted(names)
    now = utc_now()
    ids: dict[str, str] = {}
    annotations: list[Annotation] = []
    for entry in placed:
        assert entry.article is not None
        existing: dict[str, dict[tuple[str, int, int, Fragments], str]] = {}
        for span in entry.spans:
            coder_id = coder_ids[span.coder]
            known = existing.setdefault(coder_id, queries.span_ids(entry.article.id, coder_id))
            key = (span.label, span.start, span.end, span.fragments)
            if key in known:
                ids[span.key] = known[key]
                report.already_present += 1
                continue
            ids[span.key] = known[key] = str(uuid.uuid4())
            annotations.append(Annotation(
                ids[span.key], entry.article.id, coder_id, span.label, span.start, span.end,
                span.attributes, span.note, span.uncertain, 1, now, now, fragments=span.fragments,
            ))
    article_of = {span.key: entry.article.id for entry in placed for span in entry.spans if entry.article}
    relations: list[Relation] = []
    linked: dict[tuple[str, str], set[tuple[str, str, str]]] = {}
    for label, source, target, coder, attributes in links:
        article_id, coder_id = article_of[source], coder_ids[coder]
        known_links = linked.setdefault((article_id, coder_id), {
            (r.label, r.source_id, r.target_id) for r in project.store.relations.for_article(article_id, coder_id)
        })
        triple = (label, ids[source], ids[target])
        if triple in known_links:
            continue
        known_links.add(triple)
        relations.append(Relation(
            str(uuid.uuid4()), article_id, coder_id, label, ids[source], ids[target], attributes, 1, now, now,
        ))
    report.annotations = project.store.annotations.add_many(annotations, relations)
    report.relations = len(relations)
    for entry, coder, question, value in answers:
        assert entry.article is not None
        coder_id = coder_ids[coder]
        current = project.store.answers.for_article(entry.article.id, coder_id).get(question)
        if current is not None and current.value == value:
            continue
        project.store.answers.set(entry.article.id, coder_id, question, value, now)
        report.answers += 1


def import_qdpx_files(
    project: Project,
    inputs: Sequence[str | Path],
    *,
    coder: str | None = None,
    model: str | None = None,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    progress: ProgressFn = no_progress,
    cancelled: CancelFn = never_cancelled,
) -> ImportReport:
    """``loupe import P study.qdpx``: each file imported in turn, reported as an article
    import (sources already in the project as duplicates, what was left out as skipped)."""
    from app.services.importing.run import ImportReport

    others = [str(p) for p in inputs if Path(p).suffix.lower() != ".qdpx"]
    if others:
        raise ImportFormatError(
            f"Import REFI-QDA project files on their own; {others[0]} is not one (import it separately)."
        )
    total = ImportReport()
    for given in inputs:
        found = import_qdpx(
            project, given, coder=coder, model=model, max_bytes=max_bytes, progress=progress, cancelled=cancelled
        )
        total.imported += found.new_articles
        total.entities += found.entities
        total.annotations += found.annotations
        total.duplicates.extend(
            [f"{Path(given).name}: {found.matched_articles} sources already in the project; their coding was added"]
            if found.matched_articles else []
        )
        total.bad_files.extend(found.skipped)
        total.warning = found.warning or total.warning
    return total
