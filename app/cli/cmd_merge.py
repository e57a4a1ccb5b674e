"""``loupe merge PROJECT FILE...``: bring coders' returned files back into the project."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.cli.common import LEAD_PROJECT_HELP, plural, progress_bar
from app.core.printable import printable


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "merge", help="merge coders' returned files into the project",
        description="Merge returned files (coders' packages) into the project: every "
        "annotation, relation, answer, status and time spent, matched by id; the newer "
        "revision wins and deletions carry over. Merging a file again changes nothing. "
        "Files of another project or codebook version, with a changed article text, or "
        "damaged are refused, and then nothing is merged. The project file is backed up "
        "beside itself first (the last 5 backups are kept).",
    )
    parser.add_argument("project", help=LEAD_PROJECT_HELP)
    parser.add_argument("files", nargs="+", metavar="FILE", help="returned files (.loupe)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.core.team import describe_counts
    from app.services.merging import merge_files
    from app.services.projects import open_project

    with open_project(args.project) as project, progress_bar() as progress:
        report = merge_files(project, args.files, progress=progress)
    if args.json:
        print(json.dumps(
            {
                "backup": report.backup,
                "files": [
                    {"file": f.file, "package_for": f.package_for, "coders_added": f.coders_added,
                     "counts": f.summary()}
                    for f in report.files
                ],
            },
            indent=2, ensure_ascii=False,
        ))
        return 0
    if report.backup:
        print(f"Backed up the project to {printable(Path(report.backup).name)}.")
    for merged in report.files:
        who = f" (package for {merged.package_for})" if merged.package_for else ""
        if not merged.changed:
            print(f"{printable(merged.file)}{who}: nothing new.")
            continue
        print(f"{printable(merged.file)}{who}:")
        if merged.coders_added:
            print(f"  new {plural(len(merged.coders_added), 'coder')}: {', '.join(merged.coders_added)}")
        for coder, line in describe_counts(merged.counts.items()).items():
            print(f"  {coder}: {line}")
    print("(+ added, ~ updated, - deleted)" if report.changed else "The project is unchanged.")
    return 0
