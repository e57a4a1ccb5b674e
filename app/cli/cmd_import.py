"""``loupe import PROJECT FILE_OR_FOLDER...``: import articles and pre-highlight them."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from app.cli.common import megabytes, plural, positive_int, progress_bar
from app.core.defaults import DEFAULT_MAX_FILE_BYTES
from app.core.printable import printable

if TYPE_CHECKING:
    from app.services.importing import ImportReport


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import", help="import articles (txt, csv, tsv, jsonl, docx, html)",
        description="Import articles into a project and pre-highlight their named entities. "
        "The whole batch is one transaction: a bad file stops the import and nothing is "
        "written, unless --skip-bad is given.",
    )
    parser.add_argument("project", help="the project file")
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
    from app.services.importing import import_articles
    from app.services.importing_brat import parse_drop
    from app.services.projects import open_project

    drop = parse_drop(args.drop)
    with open_project(args.project) as project, progress_bar() as progress:
        report = import_articles(
            project, args.inputs, coder=args.coder, model=args.model, skip_bad=args.skip_bad,
            n_process=args.processes, max_bytes=args.max_file_size, progress=progress,
            trim_spans=args.trim_spans, drop=drop,
        )
    for message in report.bad_files:
        print(f"skipped: {printable(message)}", file=sys.stderr)
    for message in report.duplicates:
        print(f"duplicate: {printable(message)}")
    for note in report.notes:
        print(f"not imported: {printable(note)}", file=sys.stderr)
    if report.warning:
        print(f"warning: {printable(report.warning)}", file=sys.stderr)
    extra = f", {plural(report.annotations, 'annotation')} of {args.coder or 'the coders of the file'}" if report.annotations else ""
    model = f" ({report.model})" if report.model else ""
    print(
        f"Imported {plural(report.imported, 'article')} with "
        f"{plural(report.entities, 'entity', 'entities')}{model}{extra}; "
        f"{plural(len(report.duplicates), 'duplicate')} skipped"
        + (f", {plural(len(report.bad_files), 'bad file')} skipped." if report.bad_files else ".")
    )
    for line in coding_lines(report, args.coder, args.trim_spans):
        print(line)
    return 0


def coding_lines(report: ImportReport, coder: str | None, trim: bool) -> list[str]:
    """What happened to the coding that came with the articles, a sentence each."""
    lines = []
    if report.attached_spans:
        lines.append(
            f"Attached {plural(report.attached_spans, 'span')} to "
            f"{plural(report.attached_articles, 'existing article')} (lines whose text was already imported)."
        )
    if report.relations or report.answers:
        lines.append(
            f"Imported {plural(report.relations, 'relation')} and {plural(report.answers, 'answer')} of {coder}."
        )
    if report.already_present:
        lines.append(f"{plural(report.already_present, 'span')} of {coder} already present.")
    lines.extend(edge_lines(report.edge_spans, report.trimmed, trim))
    if report.repeated_relations:
        lines.append(f"{plural(report.repeated_relations, 'relation')} given more than once, written once.")
    if report.brat is not None:
        lines.extend(f"brat {line}" for line in report.brat.lines())
    return lines


def edge_lines(edges: int, trimmed: int, trim: bool) -> list[str]:
    """The sentence about spans with white space at an edge (none when there are none)."""
    if not edges:
        return []
    if not trim:
        verb = "begins or ends" if edges == 1 else "begin or end"
        return [f"{plural(edges, 'span')} {verb} with white space (--trim-spans trims them)."]
    left = edges - trimmed
    parts = [f"trimmed white space off the edges of {plural(trimmed, 'span')}"] if trimmed else []
    if left:
        parts.append(f"left out {plural(left, 'span')} of white space only")
    sentence = "; ".join(parts)
    return [sentence[0].upper() + sentence[1:] + "."]
