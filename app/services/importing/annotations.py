"""Importing coded files (brat standoff, doccano JSON Lines) as one coder's annotations
on articles already in the project.

Each document is matched to an article by its text (SHA-256, so the offsets fit), or
else by its name (a brat file stem, a doccano ``id``) as an article id or external id,
in which case its text must still be the article's text. Labels, attributes and
relation types are checked against the codebook (doccano names matched as
:func:`~app.services.importing.coding.map_names` does; doccano relations become
relations, document labels answers). Spans and relations are written in ONE
transaction: a bad file leaves the project as it was. Spans (and relations) the coder
already has are not added twice, so importing the same files again changes nothing.
Spans that begin or end with white space are counted, and trimmed with ``trim_spans``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.articles import ImportedArticle, text_sha256
from app.core.errors import ImportFormatError
from app.core.exports import CodedFile, CodedRelation, CodedSpan
from app.core.formats import ANNOTATION_FORMATS
from app.core.records import Article
from app.exchange.readers import expand_inputs, read_articles
from app.services.importing.brat import BratCounts, read_brat
from app.services.importing.coding import (
    CodingCounts,
    check_coding,
    edge_spaces,
    map_categories,
    map_names,
    write_coding,
)
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
    answers: int = 0
    already_present: int = 0
    #: Spans that began or ended with white space, and how many of them were trimmed.
    edge_spans: int = 0
    trimmed: int = 0
    #: Relations given more than once in the files (or already drawn): written once.
    repeated_relations: int = 0
    articles: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: Sentences about coding left out (labels no question offers, spans of white space only).
    notes: list[str] = field(default_factory=list)
    #: brat: per kind of annotation, how many the files hold, were stored, were left out.
    brat: BratCounts | None = None


def coded_file(item: ImportedArticle) -> CodedFile:
    """The coding an imported article brought (doccano spans and relations) as a coded file."""
    spans = tuple(CodedSpan(s.key or str(n), s.label, s.start, s.end) for n, s in enumerate(item.spans, 1))
    relations = tuple(CodedRelation(r.key, r.label, r.source, r.target) for r in item.relations)
    name = item.external_id or item.origin
    return CodedFile(name, item.text, item.origin, spans, relations, external_id=item.external_id)


def _doccano_items(source: Path) -> list[ImportedArticle]:
    items = []
    for path in expand_inputs([source]):
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            items.extend(read_articles(path))
    if not items:
        raise ImportFormatError(f"{source} holds no JSON Lines files.")
    return items


def read_coded_files(
    project: Project, source: str | Path, format: str, *,
    drop: frozenset[str] = frozenset(), brat: BratCounts | None = None,
) -> list[CodedFile]:
    """The documents of a brat folder or a doccano file (or folder of them); for brat,
    ``drop`` and ``brat`` as :func:`app.services.importing.brat.read_brat` takes them."""
    if format == "brat":
        return read_brat(project, Path(source), drop, brat)
    if format == "doccano":
        return [coded_file(item) for item in _doccano_items(Path(source))]
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


def import_annotations(
    project: Project,
    source: str | Path,
    *,
    coder: str,
    format: str,
    skip_unmatched: bool = False,
    trim_spans: bool = False,
    drop: frozenset[str] = frozenset(),
    progress: ProgressFn = no_progress,
    cancelled: CancelFn = never_cancelled,
) -> AnnotationImportReport:
    """Import the coded files at ``source`` as annotations of ``coder`` (see the module notes)."""
    if not coder or not coder.strip():
        raise ImportFormatError("Name the coder who owns the imported annotations.")
    answers: list[dict[str, Any]]
    counts = CodingCounts()
    if format == "doccano":
        items = _doccano_items(Path(source))
        files = map_names(project, [coded_file(item) for item in items])
        answers, counts.notes = map_categories(
            project, [item.categories for item in items], [item.origin for item in items]
        )
    else:
        brat = BratCounts() if format == "brat" else None
        files = read_coded_files(project, source, format, drop=drop, brat=brat)
        answers = [{} for _ in files]
    files = [edge_spaces(f, trim=trim_spans, counts=counts) for f in files]
    queries = ExportQueries(project.store.engine)
    articles = _match(queries, files)
    report = AnnotationImportReport(coder=coder, files=len(files))
    if format == "brat":
        report.brat = brat
    for f, article, answer in zip(files, articles, answers, strict=True):
        if article is None:
            if not skip_unmatched:
                raise ImportFormatError(
                    f"{f.origin} matches no article of the project (by its text or its name); "
                    "import the articles first."
                )
            report.skipped.append(f.origin)
        else:
            check_coding(project, f, article.id, len(article.text), answer)
    if cancelled():
        raise OperationCancelled("The import was cancelled; nothing was imported.")
    progress(0, 1, "Importing coded files")
    coder_id = project.store.coders.get_or_create(coder.strip()).id
    matched = [(f, a.id, answer) for f, a, answer in zip(files, articles, answers, strict=True) if a is not None]
    report.articles = list(dict.fromkeys(article_id for _, article_id, _ in matched))
    write_coding(project, coder_id, matched, counts)
    report.annotations, report.relations, report.answers = counts.annotations, counts.relations, counts.answers
    report.already_present, report.notes = counts.already_present, counts.notes
    report.edge_spans, report.trimmed = counts.edge_spans, counts.trimmed
    report.repeated_relations = counts.repeated_relations
    progress(1, 1, "Imported")
    return report
