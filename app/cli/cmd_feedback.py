"""``loupe feedback PROJECT --coder NAME --article ID [--json]``."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.services.feedback import FeedbackReport, RunningScores, SpanRef


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "feedback", help="compare a coder's finished article with its gold standard",
        description="Compare one coder's coding of an article with the article's gold standard: "
        "spans matched, missed and extra, attribute and answer differences, and the coder's "
        "running precision, recall and F1 over every finished article with a gold standard. "
        "Refused until the coder has marked the article done and its gold is finished.",
    )
    parser.add_argument("project", help="the project file (or a coder's package)")
    parser.add_argument("--coder", metavar="NAME", required=True, help="whose coding to compare")
    parser.add_argument("--article", metavar="ID", required=True, help="article id or external id")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    parser.set_defaults(handler=run)


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _span(ref: SpanRef) -> str:
    return f"{ref.label} \u201c{ref.text}\u201d [{ref.start}-{ref.end}]"


def running_dict(scores: RunningScores) -> dict[str, Any]:
    data = asdict(scores)
    data["labels"] = [
        {**asdict(s), "precision": s.precision, "recall": s.recall, "f1": s.f1} for s in scores.labels
    ]
    data["questions"] = [{**asdict(q), "share": q.share} for q in scores.questions]
    return data


def running_lines(scores: RunningScores) -> list[str]:
    lines = [f"Running scores over {scores.n_articles} finished article(s) with a gold standard:"]
    for s in scores.labels:
        lines.append(
            f"  {s.label:<10} {s.mode:<8} precision {_percent(s.precision):>5}  recall "
            f"{_percent(s.recall):>5}  F1 {_percent(s.f1):>5}  (gold {s.n_gold}, yours {s.n_coded})"
        )
    for q in scores.questions:
        kappa = "n/a" if q.kappa is None else f"{q.kappa:.2f}"
        lines.append(f"  {q.question:<19} agreed {q.n_agreed}/{q.n_articles}  kappa {kappa}")
    if scores.attributes_compared:
        lines.append(
            f"  attributes of matched spans: {scores.attributes_agreed}/{scores.attributes_compared} agree"
        )
    return lines


def format_feedback(report: FeedbackReport) -> str:
    exact = sum(m.exact for m in report.matched)
    lines = [
        f"Feedback for {report.coder} on '{report.title}' (gold standard by {report.gold_by})",
        f"Spans: {exact} matched exactly, {len(report.matched) - exact} with other boundaries, "
        f"{len(report.missed)} missed, {len(report.extra)} extra.",
    ]
    for m in report.matched:
        if not m.exact:
            lines.append(f"  boundary  gold {_span(m.gold)}  yours {_span(m.coded)}")
    lines += [f"  missed    {_span(ref)}" for ref in report.missed]
    lines += [f"  extra     {_span(ref)}" for ref in report.extra]
    for d in report.attributes:
        lines.append(f"  {d.label} \u201c{d.text}\u201d {d.attribute}: gold {d.gold}, yours {d.coded}")
    if report.answers:
        lines.append("Answers:")
        for a in report.answers:
            mark = "same" if a.agree else "differs"
            lines.append(f"  {a.question:<19} gold {a.gold}  yours {a.coded}  {mark}")
    return "\n".join([*lines, "", *running_lines(report.running)])


def run(args: argparse.Namespace) -> int:
    from app.services.feedback import feedback
    from app.services.projects import open_project
    from app.services.training import resolve_articles

    with open_project(args.project) as project:
        (article,) = resolve_articles(project, [args.article])
        report = feedback(project, args.coder, article.id)
    if args.json:
        data = asdict(report)
        data["running"] = running_dict(report.running)
        data["differences"] = report.differences
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(format_feedback(report))
    return 0
