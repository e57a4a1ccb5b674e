"""The REFI-QDA (``.qdpx``) export: the articles, every exported coder's spans,
relations and answers, for MAXQDA, ATLAS.ti, NVivo, QDA Miner and QualCoder.

Unlike doccano, brat and DocBin, a project exchange file holds several coders: each is
a REFI user, each span a selection created by its coder (see :mod:`app.exchange.refi`).
"""

from __future__ import annotations

from pathlib import Path

from app.exchange.writers.qdpx import QdpxReport, write_qdpx
from app.services.exporting.documents import coded_articles
from app.services.exporting.summary import program_version
from app.services.exporting.tables import TableContext


def write_qdpx_export(ctx: TableContext, target: Path) -> QdpxReport:
    """Write the exported coding to ``target`` (a staging path; see :mod:`app.services.exporting`)."""
    project = ctx.project
    chosen = ctx.scope.coder_ids
    coders = sorted(
        (c for c in project.store.coders.list() if chosen is None or c.id in chosen), key=lambda c: c.name
    )
    report = write_qdpx(
        target,
        coded_articles(ctx, single=False),
        codebook=project.codebook,
        coders=coders,
        project_name=project.store.project_name(),
        origin=f"Loupe {program_version()}",
    )
    ctx.warnings.extend(report.warnings)
    return report
