"""``loupe [PROJECT]``: open a project in the window (the bundled sample by default)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.cli.cmd_info import format_counts
from app.core.errors import LoupeError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "open", help="open a project in the window (default: the bundled sample project)",
        description="Open a project file in the coding window; with no file, the bundled "
        "sample project (created in your user data folder on first use). "
        "`loupe PROJECT` is the same.",
    )
    parser.add_argument("project", nargs="?", help="the project file, or a team server's postgresql:// URL")
    parser.add_argument("--coder", help="code as this coder (default: remembered, or asked)")
    parser.add_argument(
        "--summary", action="store_true",
        help="print the project's summary instead of opening the window",
    )
    parser.set_defaults(handler=run)


def _has_display() -> bool:
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _from_terminal() -> bool:
    """Whether someone reads stderr: started from a terminal rather than a launcher."""
    stream = sys.stderr
    return stream is not None and hasattr(stream, "isatty") and stream.isatty()


def run(args: argparse.Namespace) -> int:
    from app.services.projects import project_counts
    from app.services.sample import ensure_sample_project

    if args.project and "://" in args.project:
        if args.summary or not _has_display():
            print(format_counts(project_counts(args.project)))
            return 0
        from app.ui.application import run_gui

        # The window signs in (asking for the password if libpq has none) and refuses
        # what the server refuses with one sentence.
        return run_gui(args.project, args.coder)
    if args.summary or not _has_display():
        path = Path(args.project) if args.project else ensure_sample_project()
        print(format_counts(project_counts(path)))
        if not args.summary:
            print("(No display found, so the window was not opened.)", file=sys.stderr)
        return 0
    if args.project:
        try:
            project_counts(args.project, check=True)  # refuses a bad file with one sentence before Qt starts
        except LoupeError as exc:
            if not _from_terminal():  # a launcher or a file manager: nobody reads stderr
                from app.ui.application import show_refusal

                show_refusal(exc.message)
            raise
    from app.ui.application import run_gui

    # Without a file the window reopens the last project, or the sample on a first start.
    return run_gui(Path(args.project) if args.project else None, args.coder)
