"""Exporting a project: Excel, CSV, JSON Lines, doccano, brat, spaCy DocBin, and data sets
for SPSS, Stata and R (:mod:`app.services.exporting.statistics`).

:func:`export_project` is the one entry point for the command line and the window. It
streams from the project batch by batch (memory stays flat however large the project),
writes to a temporary folder beside the target (``.<name>.<pid>-<random>.partial``,
see :mod:`app.core.staging`; openpyxl's sheet files go there too) and moves the result
into place only when complete and synced, so a cancelled or failed export leaves
nothing half-written, and the next export to the same target removes what a killed one
left. A folder export (csv, brat, r) gets the permissions the user's umask gives. A full
disk is one sentence (an :class:`ExportError`). Runs on a worker thread;
``progress(done, total, text)`` and ``cancelled()`` as everywhere.

This module is the public face of the package: the window, the command line and the
benchmarks import it and nothing else from here (an import-linter contract in
``pyproject.toml`` keeps them on it), so names they need from the other modules are
re-exported below. The other modules are its parts and may change shape freely:

- ``scope``       which articles and coders an export covers, read in batches
- ``tables``      the rows of the sheets (articles, annotations, answers, codebook, ...)
- ``agreement``   the agreement sheets and Krippendorff's readings and their colours
- ``documents``   coded articles for the document formats
- ``qdpx``        the REFI-QDA project
- ``statistics``  data sets for SPSS, Stata and R
- ``summary``     the summary sheet
- ``training``    the training sheet

They never import this module.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from app.core.bulk import no_cycle_collection
from app.core.formats import EXPORT_FORMATS
from app.core.staging import (
    fsync_file,
    fsync_folder,
    partial_path,
    remove_leftovers,
    remove_partial,
)
from app.exchange.writers.brat import write_brat_folder
from app.exchange.writers.csv import write_csv_folder
from app.exchange.writers.jsonl import write_articles_jsonl, write_doccano_jsonl
from app.exchange.writers.xlsx import EXCEL_MAX_ROWS, WorkbookWriter
from app.nlp.docbin import DEFAULT_SPAN_KEY, write_docbin
from app.services.exporting.agreement import (
    READING_COLORS,
    RELIABLE,
    TENTATIVE,
    agreement_tables,
    reading,
)
from app.services.exporting.documents import coded_articles
from app.services.exporting.qdpx import write_qdpx_export
from app.services.exporting.scope import ExportError, resolve_scope
from app.services.exporting.statistics import STATISTICS_FORMATS, write_statistics
from app.services.exporting.summary import summary_table
from app.services.exporting.tables import (
    TableContext,
    annotations_table,
    answers_table,
    codebook_table,
    entities_table,
    relations_table,
)
from app.services.exporting.training import training_table
from app.services.progress import CancelFn, ProgressFn, never_cancelled, no_progress
from app.services.projects import Project
from app.store.exports import ExportQueries
from app.store.snapshots import read_snapshot

__all__ = [
    "FOLDER_FORMATS",
    "FORMATS",
    "READING_COLORS",
    "RELIABLE",
    "SINGLE_CODING",
    "TENTATIVE",
    "ExportError",
    "ExportReport",
    "TableContext",
    "annotations_table",
    "answers_table",
    "codebook_table",
    "export_format",
    "export_project",
    "reading",
    "resolve_scope",
]

FORMATS = EXPORT_FORMATS
#: Formats that write a folder rather than a file.
FOLDER_FORMATS = frozenset({"csv", "brat", "r"})
#: Formats that hold one coding per article (one coder, or the gold standard).
SINGLE_CODING = frozenset({"doccano", "brat", "docbin"})
_BY_EXTENSION = {".xlsx": "xlsx", ".jsonl": "jsonl", ".spacy": "docbin", ".sav": "sav", ".dta": "dta", ".qdpx": "qdpx"}


@dataclass
class ExportReport:
    path: Path
    format: str
    articles: int = 0
    annotations: int = 0
    relations: int = 0
    entities: int = 0
    sheets: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def export_format(out: str | Path, format: str | None = None) -> str:
    """The format asked for, or the one OUT's extension names."""
    if format is not None:
        if format not in FORMATS:
            raise ExportError(f"'{format}' is not an export format; use one of {', '.join(FORMATS)}.")
        return format
    found = _BY_EXTENSION.get(Path(out).suffix.lower())
    if found is None:
        raise ExportError(
            f"The format cannot be told from the name '{Path(out).name}'; end it in .xlsx, .jsonl, "
            ".spacy, .sav or .dta, or name a format with --format (csv, brat and r write a folder)."
        )
    return found


@contextmanager
def _staged(out: Path, folder: bool) -> Iterator[Path]:
    """A temporary path beside ``out`` that replaces it once the block succeeds."""
    if not out.parent.is_dir():
        raise ExportError(f"The folder {out.parent} does not exist.")
    if folder and out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out} already exists and is not an empty folder; choose a new folder.")
    if not folder and out.is_dir():
        raise ExportError(f"{out} is a folder; name a file to export to.")
    remove_leftovers(out.parent, re.escape(out.name))
    staging = partial_path(out)
    try:
        staging.mkdir()  # 0o777 less the umask: a csv or brat folder becomes the export itself
    except OSError as exc:
        raise ExportError(f"Nothing can be written in {out.parent} ({exc.strerror or exc}).") from exc
    target = staging if folder else staging / out.name
    try:
        yield target
        if folder:
            if out.exists():
                out.rmdir()
            os.replace(staging, out)
        else:
            fsync_file(target)
            os.replace(target, out)
        fsync_folder(out.parent)
    except OSError as exc:  # a full disk, a file open in another program
        raise ExportError(f"{out} could not be written ({exc.strerror or exc}).") from exc
    finally:
        remove_partial(staging)


def _write_workbook(
    ctx: TableContext, target: Path, *, entities: bool, max_rows: int, resamples: int
) -> list[str]:
    project = ctx.project
    writer = WorkbookWriter(max_rows=max_rows, temp_dir=target.parent)
    try:
        writer.add_table(annotations_table(ctx))
        writer.add_table(relations_table(ctx))
        writer.add_table(answers_table(ctx))
        if entities:
            writer.add_table(entities_table(ctx))
        writer.add_table(codebook_table(project.codebook, project.store.versions.history()))
        for table in agreement_tables(
            project, ctx.scope, progress=ctx.progress, cancelled=ctx.cancelled, n_bootstrap=resamples
        ):
            writer.add_table(table)
        training = training_table(project, ctx.scope)
        if training is not None:
            writer.add_table(training)
        writer.add_table(summary_table(ctx, entities=entities), index=0)
        ctx.progress(0, 1, "Saving the workbook")
        writer.save(target)
    except BaseException:
        writer.discard()
        raise
    return list(writer.sheet_names)


def _doccano_layout(ctx: TableContext) -> tuple[str, list[str]]:
    """The doccano layout for the whole file and the questions whose answers it carries
    as document labels (the choice questions): relation extraction when the chosen
    coders have a live relation, intent detection (spans and document labels) when they
    have a live choice answer, sequence labelling otherwise. Two indexed look-ups that
    stop at their first row. Options that several choice questions offer are warned
    about: a doccano label names an option, not its question."""
    questions = [q for q in ctx.project.codebook.questions if q.is_choice]
    names = [q.name for q in questions]
    coder_ids = ctx.scope.coder_ids
    if ctx.queries.has_relations(coder_ids):
        layout = "relation_extraction"
    elif ctx.queries.has_answers(coder_ids, names):
        layout = "intent_detection"
    else:
        return "sequence_labeling", names
    offered: dict[str, tuple[str, list[str]]] = {}
    for q in questions:
        for value in dict.fromkeys(q.option_values):
            offered.setdefault(value.casefold(), (value, []))[1].append(q.name)
    for value, owners in offered.values():
        if len(set(owners)) > 1:
            ctx.warnings.append(
                f"doccano: the option '{value}' is offered by {' and '.join(owners)}; its document label "
                f"cannot tell which question it answers, so an import may give it to another."
            )
    return layout, names


def export_project(
    project: Project,
    out: str | Path,
    *,
    format: str | None = None,
    coder: str | None = None,
    gold: bool = False,
    entities: bool = False,
    statuses: Collection[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    span_key: str = DEFAULT_SPAN_KEY,
    max_sheet_rows: int = EXCEL_MAX_ROWS,
    agreement_resamples: int = 1000,
    progress: ProgressFn = no_progress,
    cancelled: CancelFn = never_cancelled,
) -> ExportReport:
    """Export the project's coding to ``out`` in ``format`` (default: from the name).

    ``agreement_resamples``: the bootstrap resamples of each interval on the agreement
    sheets of a workbook (0: no intervals, which at 100,000 articles saves about 20 MB
    of memory, 57 MB at the peak instead of 79 MB, and a few seconds)."""
    out = Path(out)
    chosen = export_format(out, format)
    if agreement_resamples < 0 or agreement_resamples == 1:
        raise ExportError("The number of bootstrap resamples must be 0 (no intervals) or 2 or more.")
    if span_key != DEFAULT_SPAN_KEY and chosen != "docbin":
        raise ExportError(f"A span key names the span group of a spaCy DocBin; the {chosen} format has none.")
    if not span_key.strip():
        raise ExportError("The span key cannot be empty: name the group of doc.spans, e.g. 'sc'.")
    scope = resolve_scope(
        project, coder=coder, gold=gold, statuses=statuses, date_from=date_from, date_to=date_to
    )
    if chosen in SINGLE_CODING and scope.coder_ids is None:
        coders = project.store.coders.list()
        if len(coders) != 1:
            raise ExportError(
                f"A {chosen} export holds one coding per article; choose one with --coder NAME or --gold."
            )
        scope = resolve_scope(
            project, coder=coders[0].name, statuses=statuses, date_from=date_from, date_to=date_to
        )
    ctx = TableContext(project, scope, ExportQueries(project.store.engine), progress, cancelled)
    report = ExportReport(out, chosen)
    # Hundreds of thousands of rows become short-lived tuples and cells: see app.core.bulk.
    # One moment of a project that coders may be writing to (app.store.snapshots).
    with _staged(out, chosen in FOLDER_FORMATS) as target, no_cycle_collection(), read_snapshot(project.store.engine):
        if chosen == "xlsx":
            report.sheets = _write_workbook(
                ctx, target, entities=entities, max_rows=max_sheet_rows, resamples=agreement_resamples
            )
        elif chosen == "csv":
            tables = [annotations_table(ctx), relations_table(ctx), answers_table(ctx)]
            if entities:
                tables.append(entities_table(ctx))
            tables.append(codebook_table(project.codebook, project.store.versions.history()))
            written = write_csv_folder(target, tables)
            write_csv_folder(target, [summary_table(ctx, entities=entities)])
            report.sheets = [*written, "summary.csv"]
        elif chosen == "jsonl":
            write_articles_jsonl(target, coded_articles(ctx, single=False))
        elif chosen == "doccano":
            layout, questions = _doccano_layout(ctx)
            write_doccano_jsonl(target, coded_articles(ctx, single=True), layout=layout, questions=questions)
        elif chosen == "brat":
            brat = write_brat_folder(target, project.codebook, coded_articles(ctx, single=True))
            ctx.warnings.extend(brat.warnings)
        elif chosen == "qdpx":
            write_qdpx_export(ctx, target)
        elif chosen in STATISTICS_FORMATS:
            report.sheets = write_statistics(ctx, target, chosen, out)
        else:
            write_docbin(target, coded_articles(ctx, single=True), span_key=span_key)
        progress(1, 1, "Exported")
    tally = ctx.tally
    report.articles, report.annotations = tally.articles, tally.annotations
    report.relations, report.entities = tally.relations, tally.entities
    report.warnings = list(ctx.warnings)
    return report
