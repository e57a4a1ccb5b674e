"""``loupe search PROJECT QUERY [--json] [--limit N] [filters] [--code LABEL --coder NAME [--yes]]``.

Keyword-in-context rows of a full-text search (:mod:`app.services.search`; the syntax is
:mod:`app.core.search_query`'s), and coding every hit as one label for one coder. Coding
is previewed (how many hits would get the label, how many carry it already) and written
only with ``--yes``, in one transaction: the command line has no undo.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from app.cli.cmd_export import iso_date
from app.cli.common import PROJECT_HELP, plural, positive_int
from app.core.printable import printable
from app.core.records import STATUSES

if TYPE_CHECKING:
    from app.core.records import Coder
    from app.services.projects import Project
    from app.services.search import CodingPlan, Hit, SearchResult

#: Hits shown unless --limit says otherwise: app.services.search.DEFAULT_LIMIT (not
#: imported here, so that parsing the arguments loads no database library).
DEFAULT_LIMIT = 500
#: Characters of a title shown in a row.
TITLE_WIDTH = 32
#: How a match stands out in its sentence: bold on a terminal, brackets in a pipe or file.
TTY_MARKS = ("\x1b[1m", "\x1b[22m")
PLAIN_MARKS = ("[[", "]]")
#: Placeholders while the sentence is made (Unicode noncharacters; no article keeps one).
_OPEN, _CLOSE = "\ufdd2", "\ufdd3"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "search", help="search the articles' titles and texts; code every hit",
        description="Search the titles and texts of the project's articles and print one row "
        "per hit: the article's number, its title, the match's position in the text (in "
        "characters) and the sentence with the match. QUERY is words (all must occur), "
        '"a phrase", prefix*, OR, NOT, NEAR(a b, 5), title:word; quote it for the shell. '
        "With --code LABEL --coder NAME every hit (up to --limit) is coded as LABEL for "
        "that coder, snapped to whole words, leaving out hits that carry the label already: "
        "first a preview with the count, then written with --yes.",
    )
    parser.add_argument("project", help=PROJECT_HELP)
    parser.add_argument("query", metavar="QUERY", help='what to search for, e.g. \'deport* NOT "police said"\'')
    parser.add_argument("--json", action="store_true", help="print the hits as JSON")
    parser.add_argument(
        "--limit", type=positive_int, default=DEFAULT_LIMIT, metavar="N",
        help=f"at most N hits (default {DEFAULT_LIMIT})",
    )
    parser.add_argument("--source", metavar="NAME", help="only articles from this source (exactly as imported)")
    parser.add_argument("--from", dest="date_from", type=iso_date, metavar="DATE",
                        help="only articles published on or after this day (2024-03-01)")
    parser.add_argument("--to", dest="date_to", type=iso_date, metavar="DATE",
                        help="only articles published on or before this day")
    parser.add_argument(
        "--coder", metavar="NAME",
        help="search only the articles this coder sees (their assignments, in a project with "
        "assignments); the coder whose annotations --code writes",
    )
    parser.add_argument("--status", choices=STATUSES, help="only articles with this status of --coder's")
    parser.add_argument("--code", metavar="LABEL", help="code every hit as this span label (needs --coder)")
    parser.add_argument("--yes", action="store_true", help="with --code: write the annotations (without: preview)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.core.errors import LoupeError
    from app.services.projects import open_project
    from app.services.search import code_hits, plan_coding, search, search_filters

    if args.code is not None and args.coder is None:
        raise LoupeError("--code needs --coder: name the coder whose annotations the hits become.")
    if args.yes and args.code is None:
        raise LoupeError("--yes writes what --code previews; give --code LABEL --coder NAME with it.")
    with open_project(args.project) as project:
        coder = _coder(project, args.coder, args.project) if args.coder is not None else None
        filters = search_filters(
            project, coder.id if coder else None, source=args.source,
            date_from=args.date_from.isoformat() if args.date_from else None,
            date_to=args.date_to.isoformat() if args.date_to else None, status=args.status,
        )
        result = search(project, args.query, filters, limit=args.limit)
        plan = None
        if args.code is not None and coder is not None:
            plan = plan_coding(project, coder.id, args.code.strip(), result.hits)
            if args.yes:
                code_hits(project, plan)
        if args.json:
            print(json.dumps(_as_json(args, result, plan, coder), indent=2, ensure_ascii=False))
            return 0
        marks = TTY_MARKS if _is_tty(sys.stdout) else PLAIN_MARKS
        for line in _rows(project, result.hits, marks):
            print(line)
    print(_summary(result))
    if plan is not None and coder is not None:
        print(_coding_line(plan, coder.name, written=args.yes, truncated=result.truncated))
    return 0


def _coder(project: Project, name: str, path: str) -> Coder:
    from app.core.errors import LoupeError
    from app.services.assignment import list_coders

    name = name.strip()
    found = next((c for c in list_coders(project) if c.name == name), None)
    if found is None:
        raise LoupeError(
            f"There is no coder named '{name}' in this project; "
            f"add one with `loupe coders {path} --add {name}`."
        )
    return found


def _is_tty(stream: Any) -> bool:
    return stream is not None and hasattr(stream, "isatty") and stream.isatty()


def marked_sentence(text: str, start: int, end: int, marks: tuple[str, str]) -> str:
    """The sentence of ``text[start:end]`` (as the hit's sentence is made) with the match
    between ``marks``, its control and bidi characters escaped."""
    from app.core.snippets import context

    marked = text[:start] + _OPEN + text[start:end] + _CLOSE + text[end:]
    sentence = printable(context(marked, start, end + 2))
    if sentence.count(_OPEN) != 1 or sentence.count(_CLOSE) != 1:  # cut by the window: show it plain
        sentence = sentence.replace(_OPEN, "").replace(_CLOSE, "")
    return sentence.replace(_OPEN, marks[0]).replace(_CLOSE, marks[1])


def _rows(project: Project, hits: list[Hit], marks: tuple[str, str]) -> list[str]:
    """One line per hit: number, title, position, the sentence with the match marked."""
    texts: dict[str, str] = {}
    lines = []
    for hit in hits:
        title = hit.title if len(hit.title) <= TITLE_WIDTH else hit.title[: TITLE_WIDTH - 1] + "\u2026"
        if hit.start < 0:  # the title matched, the text not
            where, sentence = "title", printable(hit.sentence)
        else:
            if hit.article_id not in texts:
                texts = {hit.article_id: project.store.articles.get(hit.article_id).text}
            where = str(hit.start)
            sentence = marked_sentence(texts[hit.article_id], hit.start, hit.end, marks)
        lines.append(f"{hit.number:>6}  {printable(title):<{TITLE_WIDTH}}  {where:>7}  {sentence}")
    return lines


def _summary(result: SearchResult) -> str:
    hits = len(result.hits)
    if not result.articles:
        return "No article matches."
    if result.truncated:
        more = "More than " if result.articles_at_least else ""
        return (
            f"{more}{plural(result.articles, 'article')} {'matches' if result.articles == 1 and not more else 'match'}; "
            f"only the first {plural(hits, 'hit')} {'is' if hits == 1 else 'are'} shown "
            "(raise --limit to see more)."
        )
    return f"{plural(hits, 'hit')} in {plural(result.articles, 'article')}."


def _coding_line(plan: CodingPlan, coder: str, *, written: bool, truncated: bool) -> str:
    already = "" if not plan.already else (
        f"; {plan.already} already {'carries' if plan.already == 1 else 'carry'} it"
    )
    if not plan.count:
        line = f"Nothing to code as {plan.label} for {coder}{already}."
    elif written:
        line = f"Coded {plural(plan.count, 'occurrence')} as {plan.label} for {coder}{already}."
    else:
        line = (
            f"Would code {plural(plan.count, 'occurrence')} as {plan.label} for {coder}{already}; "
            "nothing is written without --yes."
        )
    if truncated:
        line += " Only the hits shown count: raise --limit to code the rest."
    return line


def _as_json(args: argparse.Namespace, result: SearchResult, plan: CodingPlan | None, coder: Coder | None) -> dict:
    data: dict[str, Any] = {
        "query": args.query, "fts_query": result.query, "articles": result.articles,
        "articles_at_least": result.articles_at_least,
        "truncated": result.truncated, "hits": [asdict(hit) for hit in result.hits],
    }
    if plan is not None and coder is not None:
        data["coding"] = {
            "label": plan.label, "coder": coder.name, "count": plan.count, "already": plan.already,
            "written": bool(args.yes),
        }
    return data
