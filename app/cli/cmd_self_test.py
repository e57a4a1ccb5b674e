"""``loupe self-test`` (also ``loupe --self-test``): check that this installation works.

Not listed in ``loupe --help``: it is for checking an installed program (the smoke
test of every built bundle runs it), not for daily use. It builds the sample project in
a temporary folder, opens the window on it, writes an annotation, checks the drawn
highlights, runs the bundled spaCy pipeline, exports to Excel and checks that nothing
reached for the network; one line per check, exit code 0 only if all passed.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    # No help= : a subparser without help is left out of the command list.
    parser = subparsers.add_parser(
        "self-test",
        description="Check that this installation of Loupe works: sample project, window, "
        "highlights, annotation, spaCy pipeline, Excel export, no network use. Prints one "
        "line per check; exits with 0 only if all passed. Writes only to a temporary "
        "folder (or --keep FOLDER).",
    )
    parser.add_argument(
        "--keep", type=Path, metavar="FOLDER",
        help="write the sample project, settings and export into FOLDER and keep them",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # The window is drawn offscreen unless a display is asked for: the check needs none.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.ui.self_test import NetworkAudit, run_self_test

    audit = NetworkAudit().install()  # before the services and spaCy are imported
    return run_self_test(args.keep, audit=audit, report=lambda line: print(line, flush=True))
