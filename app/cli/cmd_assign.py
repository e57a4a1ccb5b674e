"""``loupe assign PROJECT --coders a,b,c [--overlap 0.2] [--seed N] [--replace]``, or
``loupe assign PROJECT --coders a --articles 3,5-9,ID [--remove]`` for single articles."""

from __future__ import annotations

import argparse
import sys

from app.cli.common import PROJECT_HELP, plural


def share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"'{text}' must be a share between 0 and 1")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "assign", help="assign articles to coders, with an overlap every coder codes",
        description="Give every article to exactly one of the coders, in balanced counts, "
        "except an overlap sample (stratified by source) that every listed coder codes. "
        "Only articles nobody is assigned to yet are distributed, unless --replace is "
        "given; --replace allocates every article afresh but never takes an article "
        "away from a coder who has worked on it.",
    )
    parser.add_argument("project", help=PROJECT_HELP)
    parser.add_argument("--coders", required=True, metavar="A,B,C", help="coder names, comma-separated")
    parser.add_argument(
        "--overlap", type=share, default=0.2, metavar="SHARE",
        help="share of the articles every coder codes (default 0.2)",
    )
    parser.add_argument("--seed", type=int, help="seed of the overlap sample and the shuffle (default: random, printed)")
    parser.add_argument(
        "--replace", action="store_true",
        help="re-allocate every article (assignments with work are kept)",
    )
    parser.add_argument(
        "--articles", metavar="REFS",
        help="give these articles to the one coder named instead of distributing: "
        "positions as numbered in the window (5, 5-9) or article ids, comma-separated",
    )
    parser.add_argument(
        "--remove", action="store_true",
        help="with --articles: take the articles back from the coder (refused for work done)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.services.assignment import assign
    from app.services.projects import open_project
    from app.services.reliability_plan import overlap_articles, overlap_warning, plan

    names = [name.strip() for name in args.coders.split(",") if name.strip()]
    if args.articles is not None or args.remove:
        return run_articles(args, names)
    with open_project(args.project) as project:
        report = assign(project, names, overlap=args.overlap, seed=args.seed, replace=args.replace)
        reliability = plan(project.codebook) if len(set(names)) > 1 and report.distributed else None
        overlap = overlap_articles(project) if reliability is not None else 0
    if not report.replace and report.left_alone:
        print(
            f"{plural(report.left_alone, 'article')} already assigned or worked on "
            "left as they are (use --replace to re-allocate them)."
        )
    print(
        f"Distributed {plural(report.distributed, 'article')} "
        f"({report.overlap} in the overlap every coder codes; seed {report.seed})."
    )
    for name, count in report.new_per_coder.items():
        print(f"  {name}: {plural(count, 'new article')}")
    if report.kept or report.removed:
        print(
            f"Kept {plural(report.kept, 'assignment')} with work; "
            f"removed {plural(report.removed, 'assignment')} without work."
        )
    warning = overlap_warning(reliability, overlap)
    if warning is not None:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def run_articles(args: argparse.Namespace, names: list[str]) -> int:
    """Give the named articles to one coder, or take them back with --remove."""
    from app.services.assignment import (
        AssignmentError,
        give_articles,
        resolve_articles,
        take_back_articles,
    )
    from app.services.projects import open_project

    if args.articles is None:
        raise AssignmentError("--remove takes back the articles named with --articles; name them.")
    if args.replace or args.seed is not None:
        raise AssignmentError("--seed and --replace distribute the project; with --articles, leave them out.")
    if len(names) != 1:
        raise AssignmentError("With --articles, name exactly one coder with --coders.")
    (name,) = names
    with open_project(args.project) as project:
        ids = resolve_articles(project, args.articles.split(","))
        if args.remove:
            removed = take_back_articles(project, ids, name)
            print(f"Took {plural(removed, 'article')} back from {name}.")
            return 0
        new = give_articles(project, ids, name)
    already = f" ({len(ids) - new} already theirs)" if len(ids) > new else ""
    print(f"Gave {plural(new, 'article')} to {name}{already}.")
    return 0
