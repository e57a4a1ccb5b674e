"""``loupe preannotate PROJECT``: re-run entity pre-highlighting."""

from __future__ import annotations

import argparse

from app.cli.common import PROJECT_HELP, positive_int, progress_bar


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "preannotate", help="re-run entity pre-highlighting, e.g. with another model",
        description="Replace the machine entities of every article (coders' annotations are "
        "never touched). With --model the new pipeline becomes the project's setting.",
    )
    parser.add_argument("project", help=PROJECT_HELP)
    parser.add_argument("--model", help="spaCy pipeline name or folder (default: the project's)")
    parser.add_argument(
        "--labels", metavar="L1,L2",
        help="entity labels to keep, comma-separated (stored as the project's setting)",
    )
    parser.add_argument("--processes", type=positive_int, default=1, help="processes for spaCy (default 1)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.services.importing import preannotate
    from app.services.projects import open_project

    with open_project(args.project) as project, progress_bar() as progress:
        labels = [label.strip() for label in (args.labels or "").split(",") if label.strip()]
        model_id, stored = preannotate(
            project, model=args.model, labels=labels or None, n_process=args.processes,
            progress=progress,
        )
    print(f"Stored {stored} entities from {model_id}.")
    return 0
