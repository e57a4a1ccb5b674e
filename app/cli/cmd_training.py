"""``loupe training PROJECT [--mark ID,... | --unmark ID,... | --report] [--json]``."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from app.cli.common import LEAD_PROJECT_HELP


def _ids(text: str) -> list[str]:
    found = [part.strip() for part in text.split(",") if part.strip()]
    if not found:
        raise argparse.ArgumentTypeError("name at least one article id")
    return found


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "training", help="the training set: gold-standard articles coders compare themselves with",
        description="List, mark or unmark training articles. A training article needs a finished "
        "gold standard; its gold travels in the packages of the coders it is assigned to, who "
        "can compare their coding with it once they have marked the article done.",
    )
    parser.add_argument("project", help=LEAD_PROJECT_HELP)
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--mark", type=_ids, metavar="ID,...", help="add articles (ids or external ids)")
    action.add_argument("--unmark", type=_ids, metavar="ID,...", help="remove articles from the set")
    action.add_argument("--report", action="store_true", help="per coder: training articles done and scores")
    parser.add_argument("--json", action="store_true", help="print as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.cli.cmd_feedback import running_dict, running_lines
    from app.services.projects import open_project
    from app.services.training import mark_training, training_report, unmark_training

    with open_project(args.project) as project:
        if args.mark:
            mark_training(project, args.mark)
        elif args.unmark:
            unmark_training(project, args.unmark)
        report = training_report(project)
    articles = [{"id": i, "title": t} for i, t in report.articles]
    if args.json:
        data: dict = {"articles": articles}
        if args.report:
            data["coders"] = [
                {**asdict(c), "scores": running_dict(c.scores)} for c in report.coders
            ]
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print(f"Training set: {len(articles)} article(s).")
    for a in articles:
        print(f"  {a['id']}  {a['title']}")
    if args.report:
        for c in report.coders:
            print(f"\n{c.coder}: {c.assigned} training article(s) assigned, {c.done} done.")
            if c.done:
                print("\n".join(running_lines(c.scores)))
    return 0
