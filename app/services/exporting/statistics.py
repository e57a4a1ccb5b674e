"""Data sets for SPSS, Stata and R: one row per article and coder.

The rows are the (article, coder) pairs the export's scope carries, as in the
``Article answers`` table (:func:`app.services.exporting.tables.answers_table`): every
coder's work by default, one coder's with ``--coder``, the gold standard's with
``--gold``; an adjudicator's rows have ``gold`` = 1. Columns: the article (id, external
id, title, source, published as stored and as a date), the coder, role, gold flag,
status and seconds spent; one column per article question (a choice as an integer
code 1..n in the codebook's order, with the options as value labels, so an ordinal
question's codes keep its order; a multiple choice as one 0/1 column per option; free
text as text); then the number of the coder's spans per label, and per label and value
of each choice or yes/no attribute. An unanswered question is missing, never 0; a
count is 0 when the coder marked no such span.

Everything is read through the export's scope and batches (:mod:`app.services.exporting.scope`),
so progress, cancelling and the Summary counts work as for every other export.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.core.codebook import Codebook
from app.core.exports import published_day
from app.core.records import STATUSES
from app.exchange.writers.statistics import (
    R_FILES,
    Dataset,
    StatisticsUnavailable,
    StatisticsWriteError,
    Variable,
    write_dta,
    write_r_folder,
    write_sav,
)
from app.services.exporting.scope import ExportError
from app.services.exporting.summary import program_version
from app.services.exporting.tables import TableContext
from app.store.coders import ROLES

#: Export formats written here: SPSS, Stata, and a folder for R.
STATISTICS_FORMATS = ("sav", "dta", "r")
_WRITERS: dict[str, Callable[[Path, Dataset], list[str]]] = {
    "sav": write_sav, "dta": write_dta, "r": write_r_folder,
}
_NO_YES = ((0, "no"), (1, "yes"))
_CHOSEN = ((0, "not chosen"), (1, "chosen"))

#: How an answer becomes the cells of its columns: (value or None) -> cells.
AnswerCells = Callable[[Any], list[Any]]


def _coded(values: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    return tuple((index + 1, value) for index, value in enumerate(values))


def _fixed_variables() -> list[Variable]:
    return [
        Variable("article_id", "Article id (Loupe)", "string"),
        Variable("external_id", "Article id in the imported source", "string"),
        Variable("title", "Headline", "string"),
        Variable("source", "Source (outlet)", "string"),
        Variable("published", "Published, as imported", "string"),
        Variable("published_date", "Published: the day, when the date is ISO 8601", "date"),
        Variable("coder", "Coder", "string"),
        Variable("role", "The coder's role", "code", _coded(ROLES)),
        Variable("gold", "Gold standard: coding of an adjudicator", "code", _NO_YES),
        Variable("status", "The coder's status on the article", "code", _coded(STATUSES), "ordinal"),
        Variable("seconds_spent", "Time spent coding the article, in seconds", "number"),
    ]


class _Columns:
    """The codebook's columns and how each answer and span fills them."""

    def __init__(self, codebook: Codebook, warn: Callable[[str], None]) -> None:
        self.variables = _fixed_variables()
        self.answers: list[tuple[str, AnswerCells]] = []
        self._warn = warn
        self._warned: set[tuple[str, str]] = set()
        for question in codebook.questions:
            self._question(question.name, question.type, question.prompt, question.option_values)
        first_count = len(self.variables)
        #: label -> column of its count; (label, attribute, value) -> column of that count.
        self.label_column: dict[str, int] = {}
        self.value_column: dict[tuple[str, str, Any], int] = {}
        for label in codebook.span_labels:
            self.label_column[label.name] = len(self.variables)
            self.variables.append(Variable(f"n_{label.name}", f"Number of {label.name} spans", "count"))
            for attribute in label.attributes:
                if attribute.type in ("single_choice", "multi_choice"):
                    values: list[tuple[Any, str]] = [(v, v) for v in attribute.option_values]
                elif attribute.type == "boolean":
                    values = [(True, "true"), (False, "false")]
                else:
                    continue
                for value, text in values:
                    self.value_column[(label.name, attribute.name, value)] = len(self.variables)
                    self.variables.append(Variable(
                        f"n_{label.name}_{attribute.name}_{text}",
                        f"Number of {label.name} spans whose {attribute.name} is {text}", "count",
                    ))
        self.count_slice = slice(first_count, len(self.variables))

    def _question(self, name: str, kind: str, prompt: str, options: tuple[str, ...]) -> None:
        if kind in ("single_choice", "ordinal"):
            codes = {value: index + 1 for index, value in enumerate(options)}
            measure = "ordinal" if kind == "ordinal" else "nominal"
            self.variables.append(Variable(name, prompt, "code", _coded(options), measure))

            def cells(value: Any) -> list[Any]:
                if value is None:
                    return [None]
                code = codes.get(value) if isinstance(value, str) else None
                if code is None:
                    self._unknown(name, value)
                return [code]
        elif kind == "multi_choice":
            for option in options:
                self.variables.append(
                    Variable(f"{name}_{option}", f"{prompt} [{option}]", "code", _CHOSEN)
                )

            def cells(value: Any) -> list[Any]:
                if value is None:
                    return [None] * len(options)
                chosen = set(value) if isinstance(value, (list, tuple)) else {value}
                for unknown in sorted(str(v) for v in chosen - set(options)):
                    self._unknown(name, unknown)
                return [int(option in chosen) for option in options]
        else:  # text
            self.variables.append(Variable(name, prompt, "string"))

            def cells(value: Any) -> list[Any]:
                return [None if value is None else value if isinstance(value, str) else str(value)]

        self.answers.append((name, cells))

    def _unknown(self, question: str, value: Any) -> None:
        key = (question, str(value))
        if key not in self._warned:
            self._warned.add(key)
            self._warn(
                f"The answer '{value}' to '{question}' is not an option of the codebook; it is "
                "exported as missing."
            )


def _title(ctx: TableContext) -> str:
    codebook = ctx.project.codebook
    return f"{ctx.project.store.project_name()}: {codebook.name} {codebook.version}"


def statistics_dataset(ctx: TableContext) -> Dataset:
    """Read the export's (article, coder) pairs into a :class:`Dataset`."""
    project, queries, coder_ids, tally = ctx.project, ctx.queries, ctx.scope.coder_ids, ctx.tally
    columns = _Columns(project.codebook, ctx.warnings.append)
    exported_at = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    dataset = Dataset(columns.variables, _title(ctx), [
        f"Exported coding: {ctx.scope.describe()}",
        f"Exported at (UTC): {exported_at.isoformat(sep=' ')}",
        f"Loupe version: {program_version()}",
    ])
    role_code = {role: index + 1 for index, role in enumerate(ROLES)}
    status_code = {status: index + 1 for index, status in enumerate(STATUSES)}
    coders = sorted(project.store.coders.list(), key=lambda c: c.name)
    width = columns.count_slice.stop - columns.count_slice.start
    first = columns.count_slice.start
    uncounted: set[str] = set()
    for batch in ctx.batches("Statistics data"):
        tally.articles += len(batch.articles)
        answers = queries.answers(batch.ids, coder_ids)
        seconds = queries.seconds_spent(batch.ids, coder_ids)
        counts: dict[tuple[str, str], list[int]] = {}
        for a in queries.annotations(batch.ids, coder_ids):
            if not batch.includes(a.article_id, a.coder_id):
                continue
            tally.annotations += 1
            tally.by_label[a.label] += 1
            column = columns.label_column.get(a.label)
            if column is None:
                uncounted.add(a.label)
                continue
            row = counts.get((a.article_id, a.coder_id))
            if row is None:
                row = counts[(a.article_id, a.coder_id)] = [0] * width
            row[column - first] += 1
            for name, value in (a.attributes or {}).items():
                values = value if isinstance(value, list) else (value,)
                for item in values:
                    try:
                        found = columns.value_column.get((a.label, name, item))
                    except TypeError:  # an unhashable value from an older codebook
                        found = None
                    if found is not None:
                        row[found - first] += 1
        for article in batch.articles:
            day = published_day(article.published)
            for coder in coders:
                pair = (article.id, coder.id)
                if not batch.includes(*pair):
                    continue
                status = batch.status(*pair)
                tally.coders.add(coder.name)
                tally.answer_rows += 1
                if status == "done":
                    tally.done[coder.name] += 1
                given = answers.get(pair, {})
                cells: list[Any] = [
                    article.id, article.external_id, article.title, article.source, article.published,
                    day, coder.name, role_code.get(coder.role),
                    int(coder.role == "adjudicator"), status_code.get(status), seconds.get(pair),
                ]
                for name, answer_cells in columns.answers:
                    answer = given.get(name)
                    cells.extend(answer_cells(None if answer is None else answer.value))
                cells.extend(counts.get(pair) or [0] * width)
                dataset.append(cells)
    for label in sorted(uncounted):
        ctx.warnings.append(f"Spans labelled '{label}' are not in the codebook and are not counted.")
    return dataset


_log = logging.getLogger(__name__)


def write_statistics(ctx: TableContext, target: Path, format: str, out: Path) -> list[str]:
    """Write the data set as ``format`` (sav, dta or r) to ``target``; returns the files
    of an R folder (none for a single file). ``out`` is the path the user named, for messages."""
    dataset = statistics_dataset(ctx)
    ctx.progress(0, 1, "Writing the data set")
    try:
        _WRITERS[format](target, dataset)
        return list(R_FILES) if format == "r" else []
    except StatisticsUnavailable as exc:
        _log.warning("SPSS/Stata writer unavailable: %s", exc)
        raise ExportError(
            "SPSS and Stata files need the pyreadstat and pandas packages, which this "
            "installation lacks; export for R with --format r instead."
        ) from exc
    except StatisticsWriteError as exc:
        raise ExportError(f"{out} could not be written ({exc}).") from exc
