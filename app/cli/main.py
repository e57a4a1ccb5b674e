"""Entry point of the ``loupe`` command.

Exit codes: 0 success, 1 a user-facing error (one sentence on stderr), 2 a usage error.
A traceback is printed only with ``--debug``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from app.cli import (
    cmd_adjudicate,
    cmd_agreement,
    cmd_assign,
    cmd_assignments,
    cmd_coders,
    cmd_export,
    cmd_feedback,
    cmd_import,
    cmd_import_annotations,
    cmd_info,
    cmd_merge,
    cmd_new,
    cmd_open,
    cmd_package,
    cmd_preannotate,
    cmd_self_test,
    cmd_training,
)
from app.core.errors import LoupeError

SUBCOMMANDS = (
    cmd_open, cmd_new, cmd_import, cmd_preannotate, cmd_info, cmd_agreement, cmd_export,
    cmd_import_annotations, cmd_coders, cmd_assign, cmd_assignments,
    cmd_package, cmd_merge, cmd_adjudicate, cmd_training, cmd_feedback, cmd_self_test,
)
_OPTIONS_WITH_EXIT = {"-h", "--help", "--version"}
_TOP_LEVEL_FLAGS = {"--debug"}


def _with_default_command(argv: list[str]) -> list[str]:
    """``loupe``, ``loupe FILE`` and ``loupe --coder X`` mean ``loupe open ...``;
    ``loupe --self-test`` means ``loupe self-test``."""
    argv = ["self-test" if arg == "--self-test" else arg for arg in argv]
    if _OPTIONS_WITH_EXIT & set(argv):
        return argv
    # cmd_import_annotations -> import-annotations
    names = {module.__name__.split(".cmd_", 1)[-1].replace("_", "-") for module in SUBCOMMANDS}
    for index, arg in enumerate(argv):
        if arg in _TOP_LEVEL_FLAGS:
            continue
        return argv if arg in names else [*argv[:index], "open", *argv[index:]]
    return [*argv, "open"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loupe",
        description="Loupe: hand-code news articles offline. "
        "With no subcommand, opens a project (the bundled sample project by default).",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(subparsers)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("loupe-coder")
    except PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_with_default_command(list(sys.argv[1:] if argv is None else argv)))
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING)
    try:
        return int(args.handler(args) or 0)
    except LoupeError as exc:
        if args.debug:
            raise
        print(f"loupe: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("loupe: interrupted; nothing of the unfinished step was written.", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one sentence, the traceback with --debug
        if args.debug:
            raise
        print(
            f"loupe: unexpected error ({type(exc).__name__}: {exc}); "
            "run again with --debug for details.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
