"""``loupe import-annotations PROJECT SOURCE --coder NAME --format brat|doccano``."""

from __future__ import annotations

import argparse
import sys

from app.cli.cmd_import import edge_lines
from app.cli.common import PROJECT_HELP, plural, progress_bar
from app.core.formats import ANNOTATION_FORMATS
from app.core.printable import printable


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import-annotations", help="import brat or doccano coding onto the project's articles",
        description="Import coded files as one coder's annotations. Each document is matched "
        "to an article of the project by its text (or its name); labels and attributes are "
        "checked against the codebook. Nothing is written unless every file is good.",
    )
    parser.add_argument("project", help=PROJECT_HELP)
    parser.add_argument("source", metavar="FOLDER", help="a brat folder, or a doccano .jsonl file or folder")
    parser.add_argument("--coder", required=True, metavar="NAME", help="the coder who owns the annotations")
    parser.add_argument("--format", required=True, choices=ANNOTATION_FORMATS, help="the format of the files")
    parser.add_argument("--skip-unmatched", action="store_true",
                        help="skip documents that match no article instead of stopping")
    parser.add_argument("--trim-spans", action="store_true",
                        help="move the edges of spans that begin or end with white space in to their "
                        "other characters (a span of white space only is left out and reported)")
    parser.add_argument("--drop", metavar="KIND,...", default="",
                        help="brat: leave out the annotations of these kinds that the codebook cannot hold "
                        "(entities, events, relations, equivalences, normalisations, attributes, notes) "
                        "instead of refusing the import")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.services.importing import import_annotations, parse_drop
    from app.services.projects import open_project

    drop = parse_drop(args.drop)

    with open_project(args.project) as project, progress_bar() as progress:
        report = import_annotations(
            project, args.source, coder=args.coder, format=args.format,
            skip_unmatched=args.skip_unmatched, trim_spans=args.trim_spans, drop=drop, progress=progress,
        )
    for origin in report.skipped:
        print(f"skipped: {printable(origin)} matches no article", file=sys.stderr)
    for note in report.notes:
        print(f"not imported: {printable(note)}", file=sys.stderr)
    rows = f"{plural(report.annotations, 'annotation')} and {plural(report.relations, 'relation')}"
    if report.answers:
        rows = (f"{plural(report.annotations, 'annotation')}, {plural(report.relations, 'relation')} "
                f"and {plural(report.answers, 'answer')}")
    print(
        f"Imported {rows} of {report.coder} on {plural(len(report.articles), 'article')}; "
        f"{plural(report.already_present, 'span')} already present."
    )
    for line in edge_lines(report.edge_spans, report.trimmed, args.trim_spans):
        print(line)
    if report.repeated_relations:
        print(f"{plural(report.repeated_relations, 'relation')} given more than once, written once.")
    for line in report.brat.lines() if report.brat and report.brat.notable else []:
        print(f"brat {line}")
    return 0
