"""Helpers shared by the subcommands: progress bars and argument types."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tqdm import tqdm

from app.services.progress import ProgressFn


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[ProgressFn]:
    """A ``progress(done, total, text)`` callable drawing one tqdm bar on stderr.

    Quiet when stderr is not a terminal, so scripts and logs stay clean.
    """
    bar: tqdm | None = None
    show = enabled and sys.stderr.isatty()

    def progress(done: int, total: int, text: str) -> None:
        nonlocal bar
        if not show:
            return
        if bar is None or bar.desc != text or bar.total != total:
            if bar is not None:
                bar.close()
            bar = tqdm(total=total, desc=text, unit="item", leave=False, file=sys.stderr)
        bar.n = done
        bar.refresh()

    try:
        yield progress
    finally:
        if bar is not None:
            bar.close()


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``1 article``, ``2 articles``."""
    return f"{count} {noun if count == 1 else plural_form or noun + 's'}"


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be 1 or more")
    return value


def megabytes(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of megabytes") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be more than 0")
    return int(value * 1024 * 1024)


#: The help of a command's project argument: a file, or a database on a team server.
PROJECT_HELP = "the project file, or the project's postgresql:// URL on a team server"
LEAD_PROJECT_HELP = "the lead's project file, or the project's postgresql:// URL on a team server"
