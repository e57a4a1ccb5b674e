"""``loupe [PROJECT]``: open a project (the bundled sample project by default).

Until the coding window exists this prints the project's summary.
"""

from __future__ import annotations

import argparse

from app.cli.cmd_info import format_counts
from app.services.projects import project_counts
from app.services.sample import ensure_sample_project


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "open", help="open a project (default: the bundled sample project)",
        description="Open a project file; with no file, the bundled sample project "
        "(created in your user data folder on first use). `loupe PROJECT` is the same.",
    )
    parser.add_argument("project", nargs="?", help="the project file")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    path = args.project or ensure_sample_project()
    print(format_counts(project_counts(path)))
    return 0
