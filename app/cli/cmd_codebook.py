"""``loupe codebook PROJECT [--upgrade NEW.yaml [--map MAP.yaml] [--dry-run]] [--history]
[--export FILE [--version N]]``: the project's codebook, its versions, and changing it."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from app.cli.common import PROJECT_HELP
from app.core.printable import printable

if TYPE_CHECKING:
    from app.services.projects import Project

def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "codebook", help="show, export or change the project's codebook (migrating the coding)",
        description="Show the project's codebook and its versions, export one as YAML, or adopt a new "
        "version: --upgrade NEW.yaml migrates every annotation, relation and answer in one step. Without "
        "--map only additive changes (new labels, attributes, options, questions, relation types) are "
        "accepted; a map renames, merges, splits or drops what the new version changes. A change that "
        "would break a coded row is refused, naming the rows, and nothing is changed.",
    )
    parser.add_argument("project", help=PROJECT_HELP)
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--upgrade", metavar="NEW", help="adopt the codebook file NEW (YAML or JSON) as a new version")
    action.add_argument("--history", action="store_true", help="list the codebook versions the project has used")
    action.add_argument("--export", metavar="FILE", help="write the codebook (or --version N) as YAML")
    parser.add_argument("--map", metavar="MAP", help="with --upgrade: the map from the current version to NEW")
    parser.add_argument("--dry-run", action="store_true", help="with --upgrade: report what would change, change nothing")
    parser.add_argument("--version", metavar="N", help="with --export: the version number (or version name) to export")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.core.errors import LoupeError
    from app.services.projects import open_project

    if (args.map or args.dry_run) and not args.upgrade:
        raise LoupeError("--map and --dry-run go with --upgrade NEW.yaml.")
    if args.version and not args.export:
        raise LoupeError("--version goes with --export FILE.")
    with open_project(args.project) as project:
        if args.upgrade:
            return _upgrade(project, args)
        if args.history:
            return _history(project, args.json)
        if args.export:
            return _export(project, args.export, args.version)
        return _history(project, args.json, current_only=True)


def _upgrade(project: Project, args: argparse.Namespace) -> int:
    from app.services.codebook_versions import upgrade_codebook

    report = upgrade_codebook(project, args.upgrade, args.map, dry_run=args.dry_run)
    if args.json:
        print(json.dumps({"from": report.before, "to": report.after, "number": report.number,
                          "dry_run": report.dry_run, **report.as_dict()}, indent=2, ensure_ascii=False))
        return 0
    from app.services.codebook_text import format_report

    for line in format_report(report):
        print(line)
    return 0


def _history(project: Project, as_json: bool, current_only: bool = False) -> int:
    from app.services.codebook_versions import history

    versions = history(project)
    if current_only:
        versions = versions[-1:]
    if as_json:
        print(json.dumps([{"number": v.number, "name": v.name, "version": v.version, "sha256": v.sha256,
                           "adopted_at": v.adopted_at, "map": v.map, "report": v.report} for v in versions],
                         indent=2, ensure_ascii=False))
        return 0
    for v in versions:
        print(f"{v.number:>3}  {v.name} {v.version}  adopted {v.adopted_at[:19].replace('T', ' ')} UTC")
        changed = v.report.get("changed", {})
        if v.number > 1:
            counts = ", ".join(f"{n:,} {k}s" for k, n in changed.items() if n) or "no coded row"
            print(f"     migrated: {counts} changed" + ("" if v.map else " (additive, no map)"))
        for text, count in v.report.get("lines", []):
            print(f"       {text}  ({count:,})")
    return 0


def _export(project: Project, target: str, reference: str | None) -> int:
    from app.services.codebook_text import codebook_yaml
    from app.services.codebook_versions import codebook_at, history

    version, codebook = codebook_at(project, reference or str(history(project)[-1].number))
    text = codebook_yaml(json.loads(codebook.content_json()))
    try:
        with open(target, "w", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as exc:
        from app.core.errors import LoupeError

        raise LoupeError(f"{printable(target)} cannot be written ({exc.strerror or type(exc).__name__}).") from None
    print(f"Wrote codebook {codebook.name} {codebook.version} (version {version.number}) to {printable(target)}.")
    return 0
