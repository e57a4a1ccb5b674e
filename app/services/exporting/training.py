"""The Training sheet of the Excel export: each coder on the training set.

One row per coder (not adjudicators; only the exported coder when the export holds one
coder's work): training articles given and done, span precision, recall and F1 pooled
over labels (overlap matching, the gold as reference, as ``loupe feedback``; exact F1
beside it), answers and attributes as in the gold. The figures are those of
:func:`app.services.training.training_report`. The sheet is written only when the
project has a training set.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.core.exports import Column, Table
from app.services.exporting.scope import ExportScope
from app.services.projects import Project
from app.services.training import CoderTraining, pooled_answers, pooled_spans, training_report


def _rows(coders: list[CoderTraining]) -> Iterator[list[Any]]:
    for c in coders:
        spans, exact = pooled_spans(c.scores), pooled_spans(c.scores, "exact")
        agreed, compared = pooled_answers(c.scores)
        yield [
            c.coder, c.assigned, c.done, spans.n_gold, spans.n_coded, spans.matched,
            spans.precision, spans.recall, spans.f1, exact.f1, agreed, compared,
            c.scores.attributes_agreed, c.scores.attributes_compared,
        ]


def training_table(project: Project, scope: ExportScope) -> Table | None:
    """The Training sheet, or None when no article is a training article."""
    report = training_report(project)
    if not report.articles:
        return None
    names = None if scope.coder_ids is None else {c.name for c in scope.coders}
    coders = [c for c in report.coders if names is None or c.coder in names]
    columns = [
        Column("Coder", width=16), Column("Training articles given", "integer"),
        Column("Done", "integer"), Column("Gold spans", "integer"), Column("Coder's spans", "integer"),
        Column("Matched", "integer"), Column("Precision", "number"), Column("Recall", "number"),
        Column("F1", "number"), Column("F1 (exact)", "number"), Column("Answers as gold", "integer"),
        Column("Answers compared", "integer"), Column("Attributes as gold", "integer"),
        Column("Attributes compared", "integer"),
    ]
    return Table(
        "Training", columns, _rows(coders),
        empty_note=f"No coder of this export has training articles ({len(report.articles)} in the set).",
    )
