"""``loupe coders PROJECT [--add NAME [--role ROLE]]``: list or add coders."""

from __future__ import annotations

import argparse

from app.cli.common import PROJECT_HELP
from app.core.team import ROLES


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "coders", help="list the coders of a project, or add one",
        description="List the coders of a project (name and role), or add one with --add.",
    )
    parser.add_argument("project", help=PROJECT_HELP)
    parser.add_argument("--add", metavar="NAME", help="add a coder with this name")
    parser.add_argument(
        "--role", choices=ROLES, default="coder", help="role of the added coder (default: coder)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.services.assignment import add_coder, list_coders
    from app.services.projects import open_project

    with open_project(args.project) as project:
        if args.add is not None:
            coder, new = add_coder(project, args.add, args.role)
            if new:
                print(f"Added {coder.name} ({coder.role}).")
            else:
                print(f"{coder.name} is already a coder of this project ({coder.role}); nothing changed.")
            return 0
        coders = list_coders(project)
    if not coders:
        print("No coders yet; add one with --add NAME.")
    for coder in coders:
        print(f"{coder.name}\t{coder.role}")
    return 0
