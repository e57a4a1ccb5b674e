"""Importing articles: read every file, pre-highlight, then write ONE transaction.

Nothing is written until every file of the batch has been read, checked and tagged, so
a bad file, a cancel or a killed process leaves the project as it was. With ``skip_bad``
the bad files are reported and the rest is imported.

Coding that comes with the articles (doccano JSON Lines: spans, relations, document
labels) belongs to the coder named with ``coder`` and goes through
:mod:`app.services.importing.coding`: names mapped to the codebook, every row checked as a
merge checks it. A line whose text is already in the project (or earlier in the batch)
is a duplicate, but its coding is not dropped: it attaches to that article, as
``import-annotations`` would attach it. The articles are written in one transaction and
their coding in the next; importing the same files again adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.core.articles import ImportedArticle, text_sha256
from app.core.defaults import DEFAULT_MAX_FILE_BYTES
from app.core.errors import ImportFormatError, LoupeError, ModelError
from app.core.exports import CodedFile
from app.services.importing.annotations import coded_file
from app.services.importing.brat import BratCounts, annotations_beside, read_brat_files
from app.services.importing.coding import (
    CodingCounts,
    check_coding,
    edge_spaces,
    map_categories,
    map_names,
    write_coding,
)
from app.services.importing.prehighlight import tag_texts
from app.services.progress import (
    CancelFn,
    OperationCancelled,
    ProgressFn,
    never_cancelled,
    no_progress,
)
from app.services.projects import Project, package_refusal
from app.store.exports import ExportQueries


@dataclass
class ImportReport:
    imported: int = 0
    article_ids: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    bad_files: list[str] = field(default_factory=list)
    entities: int = 0
    #: Spans written on the articles this import added.
    annotations: int = 0
    #: Spans of duplicate lines written on the article that has their text, and how many
    #: articles received them.
    attached_spans: int = 0
    attached_articles: int = 0
    relations: int = 0
    answers: int = 0
    #: Spans the coder already had (same label and offsets): not added twice.
    already_present: int = 0
    #: Spans that began or ended with white space, and how many of them were trimmed.
    edge_spans: int = 0
    trimmed: int = 0
    #: Sentences about coding that was left out (labels no question offers, ...).
    notes: list[str] = field(default_factory=list)
    #: brat annotations beside the .txt files: per kind, in the files, stored, left out.
    brat: BratCounts | None = None
    #: Relations given more than once: written once.
    repeated_relations: int = 0
    model: str | None = None
    warning: str | None = None


Prepared = list[tuple[ImportedArticle, CodedFile, dict[str, Any]]]


def _prepare_coding(
    project: Project, items: Sequence[ImportedArticle], coder: str | None, trim: bool, counts: CodingCounts
) -> Prepared:
    """The coding the articles brought, mapped to the codebook and checked, before anything
    is written; raises for unknown names, a missing coder or a row a merge would refuse."""
    carrying = [item for item in items if item.spans or item.relations or item.categories]
    if not carrying:
        return []
    files = map_names(project, [coded_file(item) for item in carrying])
    answers, counts.notes = map_categories(
        project, [item.categories for item in carrying], [item.origin for item in carrying]
    )
    owned = [
        (item, f, answer) for item, f, answer in zip(carrying, files, answers, strict=True)
        if f.spans or f.relations or answer
    ]
    if owned and not (coder and coder.strip()):
        first = owned[0][0]
        what = "labelled spans" if first.spans else "document labels"
        raise LoupeError(f"{first.origin} has {what}; name the coder who owns them with --coder NAME.")
    prepared: Prepared = []
    for item, f, answer in owned:
        f = edge_spaces(f, trim=trim, counts=counts)
        check_coding(project, f, item.origin, len(f.text), answer)
        prepared.append((item, f, answer))
    return prepared


def _write_coding(
    project: Project, coder: str, prepared: Prepared, stored: set[int], counts: CodingCounts, report: ImportReport
) -> None:
    """Write the checked coding onto the article of each text: one this import added
    (``stored`` holds their ``id()``), or one that was already there."""
    coder_id = project.store.coders.get_or_create(coder.strip()).id
    articles = ExportQueries(project.store.engine).articles_by_hash(item.sha256 for item, _, _ in prepared)
    targets = [(f, articles[item.sha256].id, answer) for item, f, answer in prepared]
    added = write_coding(project, coder_id, targets, counts)
    attached: set[str] = set()
    for (item, _, _), (_, article_id, _), count in zip(prepared, targets, added, strict=True):
        if id(item) in stored:
            report.annotations += count
        elif count:
            report.attached_spans += count
            attached.add(article_id)
    report.attached_articles = len(attached)


def _prepare_brat(
    project: Project, inputs: Sequence[str | Path], coder: str | None, trim: bool,
    drop: frozenset[str], counts: CodingCounts, report: ImportReport,
) -> list[CodedFile]:
    """The brat annotations beside the ``.txt`` files of ``inputs``, decoded and checked
    before anything is written; none (and a note) without a coder."""
    from app.exchange.readers import expand_inputs

    beside = annotations_beside(expand_inputs([Path(p) for p in inputs]))
    if not beside:
        return []
    if not (coder and coder.strip()):
        report.notes.append(
            f"{len(beside):,} brat .ann file{'s' if len(beside) != 1 else ''} beside the .txt files "
            f"({beside[0].name}{', ...' if len(beside) > 1 else ''}) left aside; give --coder NAME to import "
            "them as that coder's annotations."
        )
        return []
    report.brat = BratCounts()
    files = [edge_spaces(f, trim=trim, counts=counts) for f in read_brat_files(project, beside, drop, report.brat)]
    for f in files:
        check_coding(project, f, f.origin, len(f.text))
    return files


def _write_brat(
    project: Project, coder: str, files: list[CodedFile], counts: CodingCounts, report: ImportReport
) -> None:
    """Write the checked brat coding onto the articles that have the files' texts."""
    coder_id = project.store.coders.get_or_create(coder.strip()).id
    articles = ExportQueries(project.store.engine).articles_by_hash(text_sha256(f.text) for f in files)
    targets: list[tuple[CodedFile, str, dict[str, Any]]] = []
    for f in files:
        article = articles.get(text_sha256(f.text))
        if article is None:
            counts.notes.append(f"{f.origin}: its text is not that of any article; its annotations were not imported.")
        else:
            targets.append((f, article.id, {}))
    report.annotations += sum(write_coding(project, coder_id, targets, counts))


def read_sources(
    inputs: Sequence[str | Path],
    *,
    skip_bad: bool = False,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    progress: ProgressFn = no_progress,
    cancelled: CancelFn = never_cancelled,
) -> tuple[list[ImportedArticle], list[str]]:
    """Read every input file; returns (articles, messages about skipped files).

    Links and special files found inside a folder are always skipped (and reported),
    ``skip_bad`` or not: they are not articles. A file the caller named is read even
    through a symbolic link.
    """
    # The readers pull in HTML and Word parsers: load them only when importing.
    from app.exchange.readers import expand_inputs, read_articles

    bad: list[str] = []
    named = [Path(p) for p in inputs]
    files = expand_inputs(named, skipped=bad)
    named_files = {p for p in named if not p.is_dir()}
    articles: list[ImportedArticle] = []
    for index, path in enumerate(files):
        if cancelled():
            raise OperationCancelled("The import was cancelled; nothing was imported.")
        progress(index, len(files), f"Reading {path.name}")
        try:
            articles.extend(
                read_articles(path, max_bytes=max_bytes, follow_symlinks=path in named_files)
            )
        except ImportFormatError as exc:
            if not skip_bad:
                raise
            bad.append(exc.message)
    progress(len(files), len(files), "Read")
    return articles, bad


def import_articles(
    project: Project,
    inputs: Sequence[str | Path],
    *,
    coder: str | None = None,
    model: str | None = None,
    skip_bad: bool = False,
    n_process: int = 1,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    progress: ProgressFn = no_progress,
    cancelled: CancelFn = never_cancelled,
    trim_spans: bool = False,
    drop: frozenset[str] = frozenset(),
) -> ImportReport:
    """Import files or folders into ``project``; see the module docstring.

    ``trim_spans`` moves the edges of imported spans that begin or end with white space
    in to their first and last other character (such spans are counted either way).
    A ``.txt`` with a brat ``.ann`` beside it brings that file's annotations as ``coder``'s
    (without a coder they are left aside, and said); ``drop`` names the kinds of brat
    annotation to leave out where the codebook cannot hold them
    (:mod:`app.services.importing.brat`). A coder's package is refused
    (:func:`package_refusal`).
    """
    refusal = package_refusal(project)
    if refusal:
        raise LoupeError(refusal)
    if any(Path(p).suffix.lower() == ".qdpx" for p in inputs):  # REFI-QDA projects bring their coding
        from app.services.importing.qdpx import import_qdpx_files

        return import_qdpx_files(project, inputs, coder=coder, model=model, max_bytes=max_bytes,
                                 progress=progress, cancelled=cancelled)
    report = ImportReport()
    items, report.bad_files = read_sources(
        inputs, skip_bad=skip_bad, max_bytes=max_bytes, progress=progress, cancelled=cancelled
    )
    # What reading changed (bytes that could not be decoded) is said, not just logged.
    read_warnings = [warning for item in items for warning in item.warnings]
    counts = CodingCounts()
    prepared = _prepare_coding(project, items, coder, trim_spans, counts)
    brat_files = _prepare_brat(project, inputs, coder, trim_spans, drop, counts, report)

    existing = project.store.articles.existing_hashes(item.sha256 for item in items)
    seen: dict[str, str] = {}
    new: list[ImportedArticle] = []
    for item in items:
        digest = item.sha256
        if digest in existing:
            report.duplicates.append(f"{item.origin}: already in the project")
        elif digest in seen:
            report.duplicates.append(f"{item.origin}: same text as {seen[digest]}")
        else:
            seen[digest] = item.origin
            new.append(item)

    settings = project.store.settings()
    entities: list[list[tuple[int, int, str]]] = [[] for _ in new]
    if new:
        try:
            model_id, entities = tag_texts(
                [item.text for item in new],
                model or settings.get("model"),
                settings.get("entity_labels"),
                n_process=n_process,
                progress=progress,
                cancelled=cancelled,
            )
            report.model = model_id
        except ModelError as exc:
            report.warning = (
                f"{exc.message} The articles were imported without entity highlights; "
                f"run `loupe preannotate` once a pipeline is installed."
            )
    if read_warnings:
        report.warning = " ".join([*read_warnings, *([report.warning] if report.warning else [])])
    if cancelled():
        raise OperationCancelled("The import was cancelled; nothing was imported.")
    progress(0, 1, "Saving")
    # Another process may have stored some of these texts since they were checked above:
    # the store checks again inside its write transaction and skips them.
    # The articles alone: their coding follows, with that of duplicate lines.
    bare = [replace(item, spans=(), relations=(), categories=()) for item in new]
    ids = project.store.articles.add_new(list(zip(bare, entities, strict=True)), model=report.model)
    if prepared and coder:
        added = {id(item) for item, article_id in zip(new, ids, strict=True) if article_id}
        _write_coding(project, coder, prepared, added, counts, report)
    if brat_files and coder:
        _write_brat(project, coder, brat_files, counts, report)
    report.relations, report.answers, report.already_present = counts.relations, counts.answers, counts.already_present
    report.edge_spans, report.trimmed, report.notes = counts.edge_spans, counts.trimmed, report.notes + counts.notes
    report.repeated_relations = counts.repeated_relations
    progress(1, 1, "Saved")
    for item, article_id in zip(new, ids, strict=True):
        if article_id is None:
            report.duplicates.append(f"{item.origin}: already in the project")
    stored = [(item, spans) for item, spans, article_id in zip(new, entities, ids, strict=True) if article_id]
    report.article_ids = [article_id for article_id in ids if article_id is not None]
    report.imported = len(stored)
    report.entities = sum(len(spans) for _, spans in stored)
    return report
