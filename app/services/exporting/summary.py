"""The Summary sheet of a spreadsheet export: what was exported, from what, by what."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from app.core.exports import Column, Table
from app.paths import app_version as program_version
from app.services.exporting.tables import TableContext


def summary_table(ctx: TableContext, *, entities: bool, exported_at: datetime | None = None) -> Table:
    """Built after the other tables have streamed: it reports their counts."""
    store = ctx.project.store
    codebook = ctx.project.codebook
    tally = ctx.tally
    when = (exported_at or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)

    def rows() -> Iterator[list[Any]]:
        yield ["Project", store.project_name()]
        yield ["Project file", store.location]
        yield ["Codebook", codebook.name]
        yield ["Codebook version", codebook.version]
        yield ["Exported at (UTC)", when]
        yield ["Loupe version", program_version()]
        yield ["Exported coding", ctx.scope.describe()]
        yield ["Articles", tally.articles]
        yield ["Coders", len(tally.coders)]
        yield ["Coder names", ", ".join(sorted(tally.coders))]
        yield ["Annotations", tally.annotations]
        yield ["Relations", tally.relations]
        yield ["Article x coder rows", tally.answer_rows]
        if entities:
            yield ["Entities", tally.entities]
        labels = list(codebook.label_names) + sorted(set(tally.by_label) - set(codebook.label_names))
        for label in labels:
            yield [f"Annotations: {label}", tally.by_label.get(label, 0)]
        for name in sorted(tally.coders):
            yield [f"Articles done: {name}", tally.done.get(name, 0)]
        for warning in ctx.warnings:
            yield ["Warning", warning]

    return Table("Summary", [Column("Item", width=34), Column("Value", "value", width=60)], rows())
