"""Telling a team server that cannot be reached from every other database failure.

A window on a server must go on when the network drops (:mod:`app.services.offline`), so
a failure to reach the server is raised as :class:`ServerUnreachable`, with one sentence,
from every statement, commit and connection of the engine: SQLAlchemy's ``handle_error``
event sees each failure first and may replace the exception. A refused password, a
permission or a constraint is no loss of the server and stays what it was.

A pooled connection can have been cut while it waited (the server restarted, a laptop
slept): :func:`ping_after_idle` tries it before use once it has been idle for a while,
and the pool replaces a dead one unseen. A coder's edits in a row skip that round trip,
which SQLAlchemy's ``pool_pre_ping`` would make before every one of them.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, event, exc

from app.core.errors import ServerUnreachable

#: SQLSTATE classes of a lost or refused connection, and of a server shutting down.
_LOST = ("08", "57P01", "57P02", "57P03")
#: libpq's words when a connection cannot be made at all (these have no SQLSTATE).
_CANNOT_CONNECT = (
    "connection refused", "could not connect", "connection to server", "timeout expired",
    "server closed the connection", "no route to host", "network is unreachable",
    "could not translate host name", "connection timed out", "consuming input failed",
)
#: A pooled connection idle for this long is tried before it is used.
IDLE_PING_SECONDS = 5.0
_NOT_THE_NETWORK = ("password", "authentication", "does not exist", "permission denied", "certificate")


def unreachable(exc: BaseException | None, is_disconnect: bool = False) -> bool:
    """Whether ``exc`` (the driver's exception) means the server cannot be reached."""
    if exc is None:
        return False
    sqlstate = getattr(exc, "sqlstate", None) or ""
    if sqlstate.startswith(_LOST):
        return True
    text = str(exc).lower()
    if any(words in text for words in _NOT_THE_NETWORK):
        return False
    return is_disconnect or any(words in text for words in _CANNOT_CONNECT)


def _reason(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0].strip() if lines else type(exc).__name__


def watch(engine: Engine, shown: str) -> None:
    """Raise :class:`ServerUnreachable` for ``engine``'s failures to reach ``shown``."""

    @event.listens_for(engine, "handle_error")
    def _lost(context: Any) -> None:
        original = context.original_exception
        if unreachable(original, bool(context.is_disconnect)):
            raise ServerUnreachable(
                f"The team server {shown} cannot be reached ({_reason(original)})."
            ) from original


def ping_after_idle(engine: Engine) -> None:
    """Try a pooled connection of ``engine`` before use when it has been idle for
    :data:`IDLE_PING_SECONDS`; a dead one is replaced (the pool connects anew)."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_from"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _try_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_from = record.info.get("idle_from")
        if idle_from is None or time.monotonic() - idle_from < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as cut:  # noqa: BLE001 - any failure: the pool connects anew (or says why not)
            raise exc.DisconnectionError(str(cut)) from cut
