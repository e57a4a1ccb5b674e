"""``loupe info PROJECT [--json]``: what a project holds."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from app.cli.common import PROJECT_HELP
from app.core.printable import printable
from app.core.records import ProjectCounts


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "info", help="counts of articles, entities, coders and annotations",
        description="Show what a project holds. With --json, \"answers\" counts the article "
        "answers (the text's Answers); \"document_codes\" is the same count under its old name, "
        "kept for scripts written before.",
    )
    parser.add_argument("project", help=PROJECT_HELP)
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(handler=run)


def format_counts(counts: ProjectCounts) -> str:
    by_label = ", ".join(f"{label} {n}" for label, n in counts.entities_by_label.items())
    lines = [
        f"Project      {counts.name}",
        f"File         {printable(counts.path)}",
        f"Codebook     {counts.codebook}",
        f"Articles     {counts.articles}",
        f"Entities     {counts.entities}" + (f"  ({by_label})" if by_label else ""),
        f"Coders       {counts.coders}",
        f"Annotations  {counts.annotations}",
        f"Relations    {counts.relations}",
        f"Answers      {counts.document_codes}",
        f"Model        {counts.settings.get('model', '-')}",
    ]
    return "\n".join(lines)


def counts_json(counts: ProjectCounts) -> dict:
    """The counts for ``--json``: "answers" beside the old "document_codes" (same number)."""
    data = asdict(counts)
    keyed: dict = {}
    for key, value in data.items():
        keyed[key] = value
        if key == "document_codes":
            keyed["answers"] = value
    return keyed


def run(args: argparse.Namespace) -> int:
    from app.services.projects import project_counts

    counts = project_counts(args.project)
    if args.json:
        print(json.dumps(counts_json(counts), indent=2, ensure_ascii=False))
    else:
        print(format_counts(counts))
    return 0
