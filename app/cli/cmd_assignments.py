"""``loupe assignments PROJECT [--json]``: each coder's load and progress."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from app.cli.common import PROJECT_HELP

_ROW = "{:<24} {:<12} {:>8} {:>6} {:>12} {:>6} {:>8} {:>8}"


def time_spent(seconds: float) -> str:
    """``h:mm``, as in the lead's Assignments tab: minutes of work show (0.0 hours did not)."""
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "assignments", help="per coder: assigned, done, in progress, overlap",
        description="Show, per coder, the articles assigned, how many are to do, in "
        "progress and done, how many are in the overlap with other coders, and time spent "
        "(h:mm; seconds_spent in --json).",
    )
    parser.add_argument("project", help=PROJECT_HELP)
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.services.assignment import assignment_summary
    from app.services.projects import open_project

    with open_project(args.project) as project:
        loads = assignment_summary(project)
    if args.json:
        print(json.dumps([asdict(load) for load in loads], indent=2, ensure_ascii=False))
        return 0
    print(_ROW.format("coder", "role", "assigned", "todo", "in progress", "done", "overlap", "time"))
    for load in loads:
        print(
            _ROW.format(
                load.name[:24], load.role, load.assigned, load.todo, load.in_progress, load.done,
                load.overlap, time_spent(load.seconds_spent),
            )
        )
    return 0
