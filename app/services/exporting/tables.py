"""The tables of a spreadsheet export, streamed from the project batch by batch.

Each function returns a :class:`~app.core.exports.Table` whose rows are a generator:
nothing is read until a writer consumes it, and no list of all rows is ever built.
While the rows stream, :class:`Tally` counts what the Summary sheet reports.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.codebook import Attribute, Codebook
from app.core.exports import (
    Column,
    Table,
    choice_text,
    fragment_offsets,
    published_value,
    span_text,
    utc_datetime,
)
from app.core.records import Coder
from app.core.snippets import SentenceContext
from app.services.exporting.scope import ExportScope, iter_batches
from app.services.progress import CancelFn, ProgressFn
from app.services.projects import Project
from app.store.codebook_versions import Version
from app.store.exports import ExportQueries


@dataclass
class Tally:
    """Counts gathered while the tables stream, for the Summary sheet and the report."""

    articles: int = 0
    annotations: int = 0
    relations: int = 0
    answer_rows: int = 0
    entities: int = 0
    by_label: Counter[str] = field(default_factory=Counter)
    coders: set[str] = field(default_factory=set)
    done: Counter[str] = field(default_factory=Counter)


@dataclass
class TableContext:
    project: Project
    scope: ExportScope
    queries: ExportQueries
    progress: ProgressFn
    cancelled: CancelFn
    tally: Tally = field(default_factory=Tally)
    warnings: list[str] = field(default_factory=list)

    def coder_names(self) -> dict[str, str]:
        return {c.id: c.name for c in self.project.store.coders.list()}

    def coder_roles(self) -> dict[str, str]:
        """Each coder's role (coder, lead, adjudicator): an adjudicator's rows are the
        gold standard, and the Role column lets a spreadsheet filter them apart."""
        return {c.id: c.role for c in self.project.store.coders.list()}

    def batches(self, text: str, *, pairs: bool = True) -> Iterator[Any]:
        return iter_batches(
            self.project, self.scope, self.queries, progress=self.progress,
            cancelled=self.cancelled, text=text, pairs=pairs,
        )


def _attribute_kind(attribute: Attribute) -> str:
    return {"boolean": "boolean", "number": "value"}.get(attribute.type, "text")


def attribute_columns(owners: Sequence[tuple[str, Sequence[Attribute]]]) -> list[tuple[str, str, Column]]:
    """(owner, attribute name, column) for every attribute; an attribute name used by
    two owners gets one column per owner, named ``Owner: name``."""
    counts = Counter(a.name for _, attributes in owners for a in attributes)
    return [
        (owner, a.name, Column(a.name if counts[a.name] == 1 else f"{owner}: {a.name}", _attribute_kind(a)))
        for owner, attributes in owners
        for a in attributes
    ]


class AttributeCells:
    """The attribute cells of a row: one per attribute column, empty for other owners."""

    def __init__(self, columns: Sequence[tuple[str, str, Column]]) -> None:
        self._width = len(columns)
        self._by_owner: dict[str, list[tuple[int, str]]] = {}
        for index, (owner, name, _) in enumerate(columns):
            self._by_owner.setdefault(owner, []).append((index, name))

    def __call__(self, owner: str, attributes: dict[str, Any]) -> list[Any]:
        cells: list[Any] = [None] * self._width
        if attributes:
            for index, name in self._by_owner.get(owner, ()):
                value = attributes.get(name)
                if value is not None:
                    cells[index] = value if type(value) is str else choice_text(value)
        return cells


def annotations_table(ctx: TableContext) -> Table:
    codebook = ctx.project.codebook
    attrs = attribute_columns([(label.name, label.attributes) for label in codebook.span_labels])
    columns = [
        Column("Article id", width=38), Column("Title", width=40), Column("Coder", width=16),
        Column("Role", width=12), Column("Label", width=14), *(c for _, _, c in attrs), Column("Text", width=50),
        Column("Start", "integer"), Column("End", "integer"), Column("Fragments", width=18),
        Column("Context", width=60),
        Column("Note", width=30), Column("Uncertain", "boolean"), Column("Created (UTC)", "datetime"),
        Column("Updated (UTC)", "datetime"), Column("Annotation id", width=38),
    ]

    def rows() -> Iterator[list[Any]]:
        names, roles = ctx.coder_names(), ctx.coder_roles()
        tally = ctx.tally
        by_label = tally.by_label
        attribute_cells = AttributeCells(attrs)
        for batch in ctx.batches("Annotations", pairs=False):
            tally.articles += len(batch.articles)
            by_id = {a.id: a for a in batch.articles}
            coded = batch.coded
            article_id, title, text, contexts = None, "", "", SentenceContext("")
            # Plain tuples in the order of ExportQueries.annotation_rows: no record per row.
            for (i, article, coder, label, start, end, attributes, note, uncertain, made, changed,
                 fragments) in ctx.queries.annotation_rows(batch.ids, ctx.scope.coder_ids):
                if not coded(article, coder):
                    continue
                if article != article_id:
                    found = by_id[article]
                    article_id, title, text = article, found.title, found.text
                    contexts = SentenceContext(text)
                created = utc_datetime(made)
                tally.annotations += 1
                by_label[label] += 1
                yield [
                    article, title, names.get(coder, coder), roles.get(coder), label,
                    *attribute_cells(label, attributes),
                    span_text(text, fragments) if fragments else text[start:end], start, end,
                    fragment_offsets(fragments) if fragments else "", contexts(start, end), note, uncertain,
                    created, created if changed == made else utc_datetime(changed), i,
                ]

    return Table("Annotations", columns, rows(), empty_note="No annotations match this export.")


def relations_table(ctx: TableContext) -> Table:
    codebook = ctx.project.codebook
    attrs = attribute_columns([(r.name, r.attributes) for r in codebook.relation_types])
    columns = [
        Column("Article id", width=38), Column("Title", width=40), Column("Coder", width=16),
        Column("Role", width=12), Column("Relation", width=14), Column("Source label", width=14), Column("Source text", width=40),
        Column("Source start", "integer"), Column("Source end", "integer"),
        Column("Target label", width=14), Column("Target text", width=40),
        Column("Target start", "integer"), Column("Target end", "integer"), *(c for _, _, c in attrs),
        Column("Created (UTC)", "datetime"), Column("Updated (UTC)", "datetime"),
        Column("Relation id", width=38), Column("Source id", width=38), Column("Target id", width=38),
    ]

    def rows() -> Iterator[list[Any]]:
        names, roles = ctx.coder_names(), ctx.coder_roles()
        attribute_cells = AttributeCells(attrs)
        for batch in ctx.batches("Relations", pairs=False):
            by_id = {a.id: a for a in batch.articles}
            for r, source, target in ctx.queries.relations(batch.ids, ctx.scope.coder_ids):
                if not batch.coded(r.article_id, r.coder_id):
                    continue
                text = by_id[r.article_id].text
                ctx.tally.relations += 1
                yield [
                    r.article_id, by_id[r.article_id].title, names.get(r.coder_id, r.coder_id),
                    roles.get(r.coder_id), r.label,
                    source.label, span_text(text, source.ranges), source.start, source.end,
                    target.label, span_text(text, target.ranges), target.start, target.end,
                    *attribute_cells(r.label, r.attributes),
                    utc_datetime(r.created_at), utc_datetime(r.updated_at), r.id, source.id, target.id,
                ]

    return Table("Relations", columns, rows(), empty_note="No relations match this export.")


def answers_table(ctx: TableContext) -> Table:
    questions = ctx.project.codebook.questions
    columns = [
        Column("Article id", width=38), Column("Title", width=40), Column("Published", "date"),
        Column("Coder", width=16), Column("Role", width=12), Column("Status", width=12),
        *(Column(q.name, "text", width=max(14, len(q.name) + 3)) for q in questions),
        Column("Updated (UTC)", "datetime"),
    ]

    def rows() -> Iterator[list[Any]]:
        coders: list[Coder] = sorted(ctx.project.store.coders.list(), key=lambda c: c.name)
        tally = ctx.tally
        for batch in ctx.batches("Article answers"):
            answers = ctx.queries.answers(batch.ids, ctx.scope.coder_ids)
            for article in batch.articles:
                for coder in coders:
                    if not batch.includes(article.id, coder.id):
                        continue
                    given = answers.get((article.id, coder.id), {})
                    status = batch.status(article.id, coder.id)
                    tally.coders.add(coder.name)
                    tally.answer_rows += 1
                    if status == "done":
                        tally.done[coder.name] += 1
                    updated = max((a.updated_at for a in given.values()), default=None)
                    yield [
                        article.id, article.title, published_value(article.published), coder.name, coder.role,
                        status,
                        *(choice_text(given[q.name].value) if q.name in given else None for q in questions),
                        utc_datetime(updated),
                    ]

    return Table("Article answers", columns, rows(), empty_note="No coder's work matches this export.")


def entities_table(ctx: TableContext) -> Table:
    columns = [
        Column("Article id", width=38), Column("Title", width=40), Column("Label", width=10),
        Column("Text", width=30), Column("Start", "integer"), Column("End", "integer"),
        Column("Model", width=24),
    ]

    def rows() -> Iterator[list[Any]]:
        for batch in ctx.batches("Entities"):
            by_id = {a.id: a for a in batch.articles}
            for e in ctx.queries.entities(batch.ids):
                article = by_id[e.article_id]
                ctx.tally.entities += 1
                yield [article.id, article.title, e.label, article.text[e.start : e.end], e.start, e.end, e.model]

    return Table("Entities", columns, rows(), empty_note="No entities were stored for these articles.")


def codebook_table(codebook: Codebook, versions: Sequence[Version] = ()) -> Table:
    """The codebook, one row per label, attribute, option, relation type and question,
    then one row per version of the project's history (``versions``: oldest first), with
    the map that migrated the coding and what it changed."""
    columns = [
        Column("Kind", width=14), Column("Name", width=20), Column("Attribute", width=18),
        Column("Option", width=24), Column("Type", width=14), Column("Required", "boolean"),
        Column("Key", width=6), Column("Colour", width=9), Column("Description", width=80),
    ]

    def options(kind_owner: str, name: str, attribute: Any) -> Iterator[list[Any]]:
        for option in attribute.options:
            yield ["option", kind_owner, name, option.value, "", None, None, None, option.description]

    def rows() -> Iterator[list[Any]]:
        for label in codebook.span_labels:
            examples = "".join(f"\nExample: {e}" for e in label.examples)
            yield ["span label", label.name, None, None, None, None, label.key, label.color,
                   label.description + examples]
            for a in label.attributes:
                yield ["attribute", label.name, a.name, None, a.type, a.required, None, None, a.description]
                yield from options(label.name, a.name, a)
        for relation in codebook.relation_types:
            kind = f"{' | '.join(relation.source)} -> {' | '.join(relation.target)}"
            yield ["relation type", relation.name, None, None, kind, None, None, None, relation.description]
            for a in relation.attributes:
                yield ["attribute", relation.name, a.name, None, a.type, a.required, None, None, a.description]
                yield from options(relation.name, a.name, a)
        for q in codebook.questions:
            yield ["question", q.name, None, None, q.type, q.required, None, None,
                   f"{q.prompt}\n{q.description}".strip()]
            yield from options(q.name, "", q)
        for v in versions:
            changes = "; ".join(f"{text}: {count}" for text, count in v.report.get("lines", []))
            mapped = json.dumps(v.map, ensure_ascii=False, sort_keys=True) if v.map else ""
            text = "\n".join(part for part in (
                f"Map: {mapped}" if mapped else ("First version" if v.number == 1 else "Additive (no map)"),
                f"Changed: {changes}" if changes else "",
            ) if part)
            yield ["version", f"{v.number}: {v.name} {v.version}", None, None, v.adopted_at[:19].replace("T", " "),
                   None, None, None, text]

    return Table("Codebook", columns, rows())
