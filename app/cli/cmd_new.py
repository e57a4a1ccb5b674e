"""``loupe new PROJECT [--codebook FILE]``: create a project file."""

from __future__ import annotations

import argparse

from app.core.printable import printable


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "new", help="create a project file",
        description="Create a project file (.loupe) with a codebook.",
    )
    parser.add_argument("project", help="the project file to create, e.g. study.loupe")
    parser.add_argument(
        "--codebook", metavar="FILE",
        help="codebook in YAML or JSON, or brat's annotation.conf (default: the bundled coercion-v1 codebook)",
    )
    parser.add_argument("--name", help="project name (default: the file name)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.services.projects import create_project
    from app.services.team_server import shown

    with create_project(args.project, codebook_path=args.codebook, name=args.name) as project:
        codebook = project.codebook
        print(
            f"Created {printable(shown(args.project))} with codebook {codebook.name} {codebook.version} "
            f"({len(codebook.span_labels)} span labels, {len(codebook.questions)} article questions)."
        )
    return 0
