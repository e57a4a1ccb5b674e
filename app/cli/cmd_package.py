"""``loupe package PROJECT --coder NAME -o FILE``: write a coder's package."""

from __future__ import annotations

import argparse

from app.cli.common import LEAD_PROJECT_HELP, plural
from app.core.printable import printable


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "package", help="write one coder's package file",
        description="Write a new project file for one coder: the articles assigned to "
        "the coder with their entities, the codebook and the coder's own earlier work, "
        "and nothing of any other coder. The coder opens it in Loupe, codes, and sends "
        "it back for `loupe merge`.",
    )
    parser.add_argument("project", help=LEAD_PROJECT_HELP)
    parser.add_argument("--coder", required=True, help="the coder the package is for")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="the package file to write")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.services.packages import write_package
    from app.services.projects import open_project

    with open_project(args.project) as project:
        report = write_package(project, args.coder, args.output)
    print(
        f"Wrote {printable(report.path)} for {report.coder}: {plural(report.articles, 'article')}, "
        f"{plural(report.annotations, 'annotation')}, {plural(report.relations, 'relation')}, "
        f"{plural(report.answers, 'answer')} ({report.size_bytes / 1024:.0f} KB)."
    )
    return 0
