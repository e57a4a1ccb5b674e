"""Importing coded files (brat standoff, doccano JSON Lines) as one coder's annotations
on articles already in the project.

Each document is matched to an article by its text (SHA-256, so the offsets fit), or
else by its name (a brat file stem, a doccano ``id``) as an article id or external id,
in which case its text must still be the article's text. Labels, attributes and
relation types are checked against the codebook. Everything is written in ONE
transaction: a bad file leaves the project as it was. Spans (and relations) the coder
already has are not added twice, so importing the same files again changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.articles import text_sha256
from app.core.errors import ImportFormatError
from app.core.exports import CodedFile, CodedRelation, CodedSpan
from app.core.formats import ANNOTATION_FORMATS
from app.core.records import Annotation, Article, Relation, utc_now
from app.core.row_checks import Endpoint, attributes_problem, relation_problem, span_problem
from app.exchange.bratschema import BratSchema
from app.exchange.readers import expand_inputs, read_articles
from app.exchange.readers.brat import read_brat_folder
from app.services.progress import (
    CancelFn,
    OperationCancelled,
    ProgressFn,
    never_cancelled,
    no_progress,
)
from app.services.projects import Project
from app.store.exports import ExportQueries


@dataclass
class AnnotationImportReport:
    coder: str
    files: int = 0
    annotations: int = 0
    relations: int = 0
    already_present: int = 0
    articles: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _brat_files(project: Project, source: Path) -> list[CodedFile]:
    schema = BratSchema(project.codebook)
    decoded = []
    for raw in read_brat_folder(source):
        spans, relations = [], []
        for s in raw.spans:
            label = schema.label_of.get(s.label)
            if label is None:
                raise ImportFormatError(f"{raw.origin}: {s.key} has the type {s.label}, not a span label of the codebook.")
            attributes, uncertain, problems = schema.decode(s.label, s.attributes)
            if problems:
                raise ImportFormatError(f"{raw.origin}: {s.key}: {problems[0]}.")
            spans.append(CodedSpan(s.key, label, s.start, s.end, attributes, s.note, uncertain))
        for r in raw.relations:
            label = schema.relation_of.get(r.label)
            if label is None:
                raise ImportFormatError(f"{raw.origin}: {r.key} has the type {r.label}, not a relation type of the codebook.")
            attributes, _, problems = schema.decode(r.label, r.attributes)
            if problems:
                raise ImportFormatError(f"{raw.origin}: {r.key}: {problems[0]}.")
            relations.append(CodedRelation(r.key, label, r.source, r.target, attributes))
        decoded.append(CodedFile(raw.name, raw.text, raw.origin, tuple(spans), tuple(relations)))
    return decoded


def _doccano_files(source: Path) -> list[CodedFile]:
    files = []
    for path in expand_inputs([source]):
        if path.suffix.lower() not in (".jsonl", ".ndjson"):
            continue
        for item in read_articles(path):
            spans = tuple(CodedSpan(str(n), s.label, s.start, s.end) for n, s in enumerate(item.spans, 1))
            name = item.external_id or item.origin
            files.append(CodedFile(name, item.text, item.origin, spans, external_id=item.external_id))
    if not files:
        raise ImportFormatError(f"{source} holds no JSON Lines files.")
    return files


def read_coded_files(project: Project, source: str | Path, format: str) -> list[CodedFile]:
    """The documents of a brat folder or a doccano file (or folder of them)."""
    if format == "brat":
        return _brat_files(project, Path(source))
    if format == "doccano":
        return _doccano_files(Path(source))
    raise ImportFormatError(f"'{format}' is not a format of coded files; use {' or '.join(ANNOTATION_FORMATS)}.")


def _match(queries: ExportQueries, files: Sequence[CodedFile]) -> list[Article | None]:
    by_hash = queries.articles_by_hash(text_sha256(f.text) for f in files)
    names = [n for f in files for n in (f.name, f.external_id) if n]
    by_id = queries.articles_by_id(names)
    by_external = queries.articles_by_external_id(names)
    found: list[Article | None] = []
    for f in files:
        article = by_hash.get(text_sha256(f.text))
        if article is None:
            article = next(
                (m[n] for n in (f.external_id, f.name) if n for m in (by_id, by_external) if n in m), None
            )
            if article is not None and article.text != f.text:
                raise ImportFormatError(
                    f"{f.origin}: its text differs from that of the article it names "
                    f"({article.title[:60]}), so its offsets would not fit."
                )
        found.append(article)
    return found


def _check(project: Project, f: CodedFile, article: Article) -> None:
    """Every span and relation of ``f`` as a merge checks a coder's rows
    (:mod:`app.core.row_checks`); the first problem refuses the whole import."""
    codebook = project.codebook
    ends = {s.key: Endpoint(article.id, "", s.label) for s in f.spans}
    for s in f.spans:
        problem = span_problem(s.label, s.start, s.end, len(article.text), codebook) or attributes_problem(
            codebook.label(s.label), s.attributes
        )
        if problem:
            raise ImportFormatError(f"{f.origin}: {s.key}: {problem}.")
    for r in f.relations:
        problem = relation_problem(codebook, r.label, article.id, "", r.source, r.target, ends)
        if problem is None:
            problem = attributes_problem(codebook.relation_type(r.label), r.attributes)
        if problem:
            raise ImportFormatError(f"{f.origin}: {r.key}: {problem}.")


def import_annotations(
    project: Project,
    source: str | Path,
    *,
    coder: str,
    format: str,
    skip_unmatched: bool = False,
    progress: ProgressFn = no_progress,
    cancelled: CancelFn = never_cancelled,
) -> AnnotationImportReport:
    """Import the coded files at ``source`` as annotations of ``coder`` (see the module notes)."""
    if not coder or not coder.strip():
        raise ImportFormatError("Name the coder who owns the imported annotations.")
    files = read_coded_files(project, source, format)
    queries = ExportQueries(project.store.engine)
    articles = _match(queries, files)
    report = AnnotationImportReport(coder=coder, files=len(files))
    for f, article in zip(files, articles, strict=True):
        if article is None:
            if not skip_unmatched:
                raise ImportFormatError(
                    f"{f.origin} matches no article of the project (by its text or its name); "
                    "import the articles first."
                )
            report.skipped.append(f.origin)
        else:
            _check(project, f, article)
    coder_id = project.store.coders.get_or_create(coder.strip()).id
    now = utc_now()
    annotations: list[Annotation] = []
    relations: list[Relation] = []
    for index, (f, article) in enumerate(zip(files, articles, strict=True)):
        if cancelled():
            raise OperationCancelled("The import was cancelled; nothing was imported.")
        progress(index, len(files), "Reading coded files")
        if article is None:
            continue
        report.articles.append(article.id)
        existing = queries.span_ids(article.id, coder_id)
        ids: dict[str, str] = {}
        for s in f.spans:
            key = (s.label, s.start, s.end)
            if key in existing:
                ids[s.key] = existing[key]
                report.already_present += 1
                continue
            ids[s.key] = existing[key] = str(uuid.uuid4())
            annotations.append(Annotation(
                ids[s.key], article.id, coder_id, s.label, s.start, s.end, dict(s.attributes),
                s.note, s.uncertain, 1, now, now,
            ))
        linked = {(r.label, r.source_id, r.target_id) for r in project.store.relations.for_article(article.id, coder_id)}
        for r in f.relations:
            triple: Any = (r.label, ids[r.source], ids[r.target])
            if triple in linked:
                continue
            linked.add(triple)
            relations.append(Relation(
                str(uuid.uuid4()), article.id, coder_id, r.label, ids[r.source], ids[r.target],
                dict(r.attributes), 1, now, now,
            ))
    report.annotations = project.store.annotations.add_many(annotations, relations)
    report.relations = len(relations)
    progress(len(files), len(files), "Imported")
    return report
