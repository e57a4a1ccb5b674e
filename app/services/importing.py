"""Importing articles: read every file, pre-highlight, then write ONE transaction.

Nothing is written until every file of the batch has been read and tagged, so a bad
file, a cancel or a killed process leaves the project as it was. With ``skip_bad``
the bad files are reported and the rest is imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.core.articles import ImportedArticle
from app.core.defaults import DEFAULT_MAX_FILE_BYTES
from app.core.errors import ImportFormatError, LoupeError, ModelError
from app.services.prehighlight import tag_texts
from app.services.progress import (
    CancelFn,
    OperationCancelled,
    ProgressFn,
    never_cancelled,
    no_progress,
)
from app.services.projects import Project


@dataclass
class ImportReport:
    imported: int = 0
    article_ids: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    bad_files: list[str] = field(default_factory=list)
    entities: int = 0
    annotations: int = 0
    model: str | None = None
    warning: str | None = None


def _check_spans(item: ImportedArticle, labels: set[str]) -> None:
    for span in item.spans:
        if span.label not in labels:
            raise ImportFormatError(
                f"{item.origin}: the span label '{span.label}' is not in the codebook "
                f"(labels: {', '.join(sorted(labels))})."
            )


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
) -> ImportReport:
    """Import files or folders into ``project``; see the module docstring."""
    if any(Path(p).suffix.lower() == ".qdpx" for p in inputs):  # REFI-QDA projects bring their coding
        from app.services.importing_qdpx import import_qdpx_files

        return import_qdpx_files(project, inputs, coder=coder, model=model, max_bytes=max_bytes,
                                 progress=progress, cancelled=cancelled)
    report = ImportReport()
    items, report.bad_files = read_sources(
        inputs, skip_bad=skip_bad, max_bytes=max_bytes, progress=progress, cancelled=cancelled
    )
    labels = {label.name for label in project.codebook.span_labels}
    if any(item.spans for item in items):
        if not coder:
            first = next(item for item in items if item.spans)
            raise LoupeError(
                f"{first.origin} has labelled spans; name the coder who owns them with --coder NAME."
            )
        for item in items:
            _check_spans(item, labels)

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
    if cancelled():
        raise OperationCancelled("The import was cancelled; nothing was imported.")
    progress(0, 1, "Saving")
    # Another process may have stored some of these texts since they were checked above:
    # the store checks again inside its write transaction and skips them.
    ids = project.store.articles.add_new(
        list(zip(new, entities, strict=True)),
        model=report.model,
        span_coder=coder if any(item.spans for item in new) else None,
    )
    progress(1, 1, "Saved")
    for item, article_id in zip(new, ids, strict=True):
        if article_id is None:
            report.duplicates.append(f"{item.origin}: already in the project")
    stored = [(item, spans) for item, spans, article_id in zip(new, entities, ids, strict=True) if article_id]
    report.article_ids = [article_id for article_id in ids if article_id is not None]
    report.imported = len(stored)
    report.entities = sum(len(spans) for _, spans in stored)
    report.annotations = sum(len(item.spans) for item, _ in stored)
    return report
