"""Progress and cancellation callables passed into long services."""

from __future__ import annotations

from collections.abc import Callable

from app.core.errors import LoupeError

#: ``progress(done, total, text)``; called from the thread the service runs on.
ProgressFn = Callable[[int, int, str], None]
#: ``cancelled()`` returns True once the user asked to stop.
CancelFn = Callable[[], bool]


class OperationCancelled(LoupeError):
    """The user cancelled a long operation; nothing of it was written."""


def no_progress(_done: int, _total: int, _text: str) -> None:
    """The default progress callable: report nothing."""


def never_cancelled() -> bool:
    return False
