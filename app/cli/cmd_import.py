"""``loupe import PROJECT FILE_OR_FOLDER...``: import articles and pre-highlight them."""

from __future__ import annotations

import argparse
import sys

from app.cli.common import PROJECT_HELP, megabytes, positive_int, progress_bar
from app.core.defaults import DEFAULT_MAX_FILE_BYTES


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import", help="import articles (txt, csv, tsv, jsonl, docx, html)",
        description="Import articles into a project and pre-highlight their named entities. "
        "The whole batch is one transaction: a bad file stops the import and nothing is "
        "written, unless --skip-bad is given.",
    )
    parser.add_argument("project", help=PROJECT_HELP)
    parser.add_argument("inputs", nargs="+", metavar="FILE_OR_FOLDER", help="files or folders")
    parser.add_argument("--coder", help="coder who owns the coding in brat .ann files beside the .txt files, "
                        "in JSON Lines (doccano) files (spans, "
                        "relations, document labels; also on articles already in the project) "
                        "and REFI-QDA (.qdpx) selections (default for .qdpx: the users who coded them)")
    parser.add_argument("--trim-spans", action="store_true",
                        help="move the edges of spans that begin or end with white space in to their "
                        "other characters (a span of white space only is left out and reported)")
    parser.add_argument("--drop", metavar="KIND,...", default="",
                        help="brat (.ann beside .txt): leave out the annotations of these kinds that the "
                        "codebook cannot hold (entities, events, relations, equivalences, normalisations, "
                        "attributes, notes) instead of refusing the import")
    parser.add_argument("--model", help="spaCy pipeline name or folder (default: the project's)")
    parser.add_argument("--skip-bad", action="store_true", help="report bad files and import the rest")
    parser.add_argument("--processes", type=positive_int, default=1, help="processes for spaCy (default 1)")
    parser.add_argument(
        "--max-file-size", type=megabytes, default=DEFAULT_MAX_FILE_BYTES, metavar="MB",
        help=f"largest file to read, in MB (default {DEFAULT_MAX_FILE_BYTES // 2**20})",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.services.importing import import_articles, import_lines, parse_drop
    from app.services.projects import open_project

    drop = parse_drop(args.drop)
    with open_project(args.project) as project, progress_bar() as progress:
        report = import_articles(
            project, args.inputs, coder=args.coder, model=args.model, skip_bad=args.skip_bad,
            n_process=args.processes, max_bytes=args.max_file_size, progress=progress,
            trim_spans=args.trim_spans, drop=drop,
        )
    for line in import_lines(report, args.coder, args.trim_spans):
        print(line.text, file=sys.stderr if line.error else sys.stdout)
    return 0


def edge_lines(edges: int, trimmed: int, trim: bool) -> list[str]:
    """The sentence about spans with white space at an edge (``loupe import-annotations``)."""
    from app.services.importing import edge_lines as lines

    return lines(edges, trimmed, trim)
