"""``loupe export PROJECT OUT``: Excel, CSV, JSON Lines, doccano, brat, spaCy DocBin, SPSS,
Stata or a folder for R."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from app.cli.common import PROJECT_HELP, plural, progress_bar
from app.core.formats import EXPORT_FORMATS
from app.core.printable import printable
from app.core.records import STATUSES


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2024-03-31") from None


def statuses(text: str) -> list[str]:
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [s for s in chosen if s not in STATUSES]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"'{unknown[0] if unknown else text}' is not a status (use {','.join(STATUSES)})"
        )
    return chosen


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="export coding to Excel, CSV, JSON Lines, doccano, brat, spaCy, SPSS, Stata or R",
        description="Export the project's coding. The format follows OUT's extension (.xlsx, "
        ".jsonl, .spacy, .sav, .dta) unless --format names one; csv, brat and r write a new folder. "
        "doccano, brat and docbin hold one coding per article: name a coder or --gold.",
    )
    parser.add_argument("project", help=PROJECT_HELP)
    parser.add_argument("out", help="the file (or, for csv, brat and r, the new folder) to write")
    parser.add_argument("--format", choices=EXPORT_FORMATS, help="the export format")
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--coder", metavar="NAME", help="export only this coder's work")
    who.add_argument("--gold", action="store_true", help="export the gold standard (adjudicators' coding)")
    parser.add_argument("--entities", action="store_true", help="add the machine entities (xlsx, csv)")
    parser.add_argument(
        "--status", type=statuses, metavar="S1,S2",
        help=f"only work whose status is one of these ({','.join(STATUSES)})",
    )
    parser.add_argument("--from", dest="date_from", type=iso_date, metavar="DATE",
                        help="only articles published on or after DATE (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", type=iso_date, metavar="DATE",
                        help="only articles published on or before DATE (YYYY-MM-DD)")
    parser.add_argument("--span-key", default="sc", metavar="KEY",
                        help="the doc.spans group of a spaCy DocBin export (default: sc, as spancat)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.services.exporting import export_project
    from app.services.projects import open_project

    with open_project(args.project) as project, progress_bar() as progress:
        report = export_project(
            project, args.out, format=args.format, coder=args.coder, gold=args.gold,
            entities=args.entities, statuses=args.status, date_from=args.date_from,
            date_to=args.date_to, span_key=args.span_key, progress=progress,
        )
    for warning in report.warnings:
        print(f"warning: {printable(warning)}", file=sys.stderr)
    print(
        f"Exported {plural(report.articles, 'article')}, {plural(report.annotations, 'annotation')} "
        f"and {plural(report.relations, 'relation')} to {printable(report.path)} ({report.format})."
    )
    return 0
