"""Entry point of the ``loupe`` command.

Exit codes: 0 success, 1 a user-facing error (one sentence on stderr), 2 a usage error.
Every command ends here: a refusal, or a failure of the computer (a read-only or locked
file, a full disk; see :mod:`app.store.failures`), is one sentence on stderr with its
file names escaped (:func:`app.core.printable.printable`); anything else is a bug, logged
with its traceback in ``loupe.log`` (:mod:`app.logs`) and named in one sentence. A
traceback on stderr appears only with ``--debug``.
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
    cmd_codebook,
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
    cmd_plan_reliability,
    cmd_preannotate,
    cmd_search,
    cmd_self_test,
    cmd_server,
    cmd_training,
)
from app.core.errors import LoupeError
from app.core.printable import printable
from app.logs import configure_logging, log_path
from app.paths import app_version

SUBCOMMANDS = (
    cmd_open, cmd_new, cmd_import, cmd_preannotate, cmd_info, cmd_agreement, cmd_export,
    cmd_import_annotations, cmd_coders, cmd_assign, cmd_assignments,
    cmd_package, cmd_merge, cmd_adjudicate, cmd_training, cmd_feedback, cmd_search, cmd_self_test,
    cmd_plan_reliability, cmd_codebook, cmd_server,
)
_OPTIONS_WITH_EXIT = {"-h", "--help", "--version"}
_TOP_LEVEL_FLAGS = {"--debug"}

log = logging.getLogger(__name__)


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
    parser.add_argument("--version", action="version", version=f"%(prog)s {app_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_with_default_command(list(sys.argv[1:] if argv is None else argv)))
    configure_logging(debug=args.debug)
    log.debug("loupe %s: %s", app_version(), args.command)
    try:
        return int(args.handler(args) or 0)
    except LoupeError as exc:
        log.info("refused: %s", exc.message, exc_info=exc.__cause__ is not None)
        if args.debug:
            raise
        say(exc.message)
        return exc.exit_code
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        say("interrupted; nothing of the unfinished step was written.")
        return 130
    except Exception as exc:
        sentence = failure_sentence(exc, getattr(args, "project", None))
        if sentence is None:  # a bug: one sentence here, the traceback in the log
            log.exception("unexpected error in `loupe %s`", args.command)
            sentence = (
                f"unexpected error ({type(exc).__name__}); the details are in {log_path()}, "
                "or run again with --debug to see them here."
            )
        else:
            log.warning("%s", sentence, exc_info=True)
        if args.debug:
            raise
        say(sentence)
        return 1


def failure_sentence(exc: BaseException, project: str | None) -> str | None:
    """One sentence for a failure that is not a bug (None for a bug): a database failure
    of ``project``, or a file that could not be read or written."""
    from app.store.failures import describe_database_error

    sentence = describe_database_error(exc, project or "the project file")
    if sentence is None and isinstance(exc, OSError) and exc.filename is not None:
        reason = exc.strerror or type(exc).__name__
        sentence = f"{exc.filename} could not be used: {reason[:1].lower()}{reason[1:]}."
    return sentence


def say(sentence: str) -> None:
    """Print one sentence on stderr, its control and bidi characters escaped."""
    print(f"loupe: {printable(sentence)}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
