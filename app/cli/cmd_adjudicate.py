"""``loupe adjudicate PROJECT --adjudicator NAME [--accept-agreements] [--finish] [--json]``."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from app.cli.common import LEAD_PROJECT_HELP

_ROW = "{:<40} {:<22} {:>7} {:>7} {:>8} {:>9} {:>9}  {}"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "adjudicate", help="progress of the gold standard on the overlap articles",
        description="Show, per article that two or more coders marked done, how many span "
        "groups, relations and answers the adjudicator has decided. The adjudicator is "
        "created with the role 'adjudicator' if the project has no coder of that name. "
        "Disagreements are decided in the window (Team > Adjudicate).",
    )
    parser.add_argument("project", help=LEAD_PROJECT_HELP)
    parser.add_argument("--adjudicator", metavar="NAME", required=True, help="who codes the gold standard")
    parser.add_argument(
        "--accept-agreements", action="store_true",
        help="accept into the gold every group, relation and answer all coders agree on",
    )
    parser.add_argument(
        "--finish", action="store_true",
        help="mark the gold done on every article with nothing left to decide",
    )
    parser.add_argument("--json", action="store_true", help="print the progress as JSON")
    parser.set_defaults(handler=run)


def _fraction(done: int, total: int) -> str:
    return f"{done}/{total}"


def run(args: argparse.Namespace) -> int:
    from app.core.errors import LoupeError
    from app.services.adjudication import (
        AdjudicationError,
        adjudication_progress,
        ensure_adjudicator,
        finish_article,
    )
    from app.services.adjudication_edits import accept_agreements
    from app.services.projects import open_project

    with open_project(args.project) as project:
        adjudicator = ensure_adjudicator(project, args.adjudicator)
        rows = adjudication_progress(project, adjudicator.id)
        if not rows:
            raise AdjudicationError(
                "No article has been finished by two or more coders yet; there is nothing to adjudicate."
            )
        accepted = accept_agreements(project, adjudicator.id) if args.accept_agreements else 0
        finished, refused = [], []
        if args.finish:
            for row in adjudication_progress(project, adjudicator.id):
                if row.undecided or row.done:
                    continue
                try:
                    finish_article(project, row.article_id, adjudicator.id)
                    finished.append(row.title)
                except LoupeError as exc:  # a required field of the gold is still empty
                    refused.append(f"{row.title}: {exc.message}")
        rows = adjudication_progress(project, adjudicator.id)
    if args.json:
        print(json.dumps(
            {
                "adjudicator": adjudicator.name, "accepted_edits": accepted,
                "finished": finished, "refused": refused,
                "articles": [{**asdict(r), "undecided": r.undecided} for r in rows],
            },
            indent=2, ensure_ascii=False,
        ))
        return 0
    done = sum(r.done for r in rows)
    print(
        f"Gold standard by {adjudicator.name}: {len(rows)} overlap article(s), {done} finished, "
        f"{sum(not r.undecided for r in rows)} with nothing left to decide."
    )
    if args.accept_agreements:
        print(f"Accepted the agreements: {accepted} edit(s) to the gold standard.")
    if args.finish:
        print(f"Marked the gold done on {len(finished)} article(s).")
    for message in refused:
        print(f"  not finished: {message}")
    print()
    print(_ROW.format("Article", "Coders", "Groups", "Agreed", "Decided", "Relations", "Questions", "Gold"))
    for r in rows:
        state = "done" if r.done else "ready" if not r.undecided else f"{r.undecided} open"
        print(_ROW.format(
            r.title[:40], ", ".join(r.coders)[:22], r.groups, r.agreed, _fraction(r.decided, r.groups),
            _fraction(r.relations_decided, r.relations), _fraction(r.questions_decided, r.questions),
            state,
        ).rstrip())
    return 0
