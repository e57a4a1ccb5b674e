"""``loupe import-annotations PROJECT SOURCE --coder NAME --format brat|doccano``."""

from __future__ import annotations

import argparse
import sys

from app.cli.common import plural, progress_bar
from app.core.formats import ANNOTATION_FORMATS
from app.core.printable import printable


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import-annotations", help="import brat or doccano coding onto the project's articles",
        description="Import coded files as one coder's annotations. Each document is matched "
        "to an article of the project by its text (or its name); labels and attributes are "
        "checked against the codebook. Nothing is written unless every file is good.",
    )
    parser.add_argument("project", help="the project file")
    parser.add_argument("source", metavar="FOLDER", help="a brat folder, or a doccano .jsonl file or folder")
    parser.add_argument("--coder", required=True, metavar="NAME", help="the coder who owns the annotations")
    parser.add_argument("--format", required=True, choices=ANNOTATION_FORMATS, help="the format of the files")
    parser.add_argument("--skip-unmatched", action="store_true",
                        help="skip documents that match no article instead of stopping")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.services.importing_annotations import import_annotations
    from app.services.projects import open_project

    with open_project(args.project) as project, progress_bar() as progress:
        report = import_annotations(
            project, args.source, coder=args.coder, format=args.format,
            skip_unmatched=args.skip_unmatched, progress=progress,
        )
    for origin in report.skipped:
        print(f"skipped: {printable(origin)} matches no article", file=sys.stderr)
    print(
        f"Imported {plural(report.annotations, 'annotation')} and "
        f"{plural(report.relations, 'relation')} of {report.coder} on "
        f"{plural(len(report.articles), 'article')}; "
        f"{plural(report.already_present, 'span')} already present."
    )
    return 0
