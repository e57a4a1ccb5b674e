"""Signing in to a team server from the window.

A URL opens as written when it carries a password or libpq finds one (``PGPASSWORD``,
``~/.pgpass`` or ``PGPASSFILE``); otherwise the window asks for it, and again if the
server refuses it. The password stays in the URL held in memory for this session only:
settings, recent projects and the title show the URL without it.

When the server cannot be reached at sign-in, the window opens the copy of the project
this computer keeps (:meth:`MainWindow.open_offline`) and codes offline; once the server
answers, the edits are sent, after asking for the password if the server wants one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from app.core.errors import LoupeError, ServerUnreachable
from app.core.location import location_key, location_name, login_of, with_password
from app.services.projects import open_project
from app.services.team_server import password_refused

if TYPE_CHECKING:
    from app.ui.window_parts import ProjectWindow

#: Times a wrong password is asked again before the window gives up.
TRIES = 3


def _opens(url: str) -> None:
    """Open and close the project at ``url``: raises LoupeError with one sentence."""
    open_project(url).close()


def ask_password(parent: QWidget | None, url: str, wrong: bool) -> str | None:
    """The password typed for ``url``'s login, or None if the dialog was cancelled."""
    dialog = QInputDialog(parent)
    dialog.setObjectName("serverPasswordDialog")
    dialog.setWindowTitle("Sign in to the team server")
    login = login_of(url) or "your login"
    first = "The server refused that password. " if wrong else ""
    dialog.setLabelText(f"{first}Password of {login} on {location_name(url)}:")
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    dialog.setToolTip(location_key(url))
    if dialog.exec() != QInputDialog.DialogCode.Accepted:
        return None
    return dialog.textValue()


def sign_in(parent: QWidget | None, url: str) -> str | None:
    """The URL to open the project with (``url`` itself, or with the password asked for),
    or None if the user cancelled. Any other failure raises LoupeError."""
    attempt = url
    for tries in range(TRIES + 1):
        try:
            _opens(attempt)
            return attempt
        except LoupeError as exc:
            if not password_refused(exc.message) or tries == TRIES:
                raise
        password = ask_password(parent, url, wrong=attempt != url)
        if password is None:
            return None
        attempt = with_password(url, password)
    return None  # not reached: the last try raises


def open_on_server(window: ProjectWindow, url: str, coder_name: str | None = None) -> bool:
    """Sign in to ``url`` and open it in ``window`` (as ``coder_name``, the login's coder,
    or the coder asked for); when the server cannot be reached, open this computer's copy
    offline. False if the user cancelled; raises LoupeError with one sentence."""
    try:
        signed = sign_in(window, url)
    except ServerUnreachable as exc:
        window.open_offline(url, exc)
        return True
    if signed is None:
        return False
    coder = coder_name or window.ask_coder(signed)
    if coder is None:
        return False
    window.open_project(signed, coder)
    return True


def sign_in_again(window: ProjectWindow) -> None:
    """The server is back but wants a password the window does not have: ask for it,
    then send the edits. Cancelled, the edits wait for the next sign-in."""
    mode = window.controller.offline
    if mode is None or not mode.offline:
        return
    try:
        signed = sign_in(window, location_key(mode.location))
    except ServerUnreachable:  # gone again: keep trying
        mode.keep_trying()
        return
    except LoupeError as exc:
        window.statusBar().showMessage(exc.message, 10_000)
        return
    if signed is None:
        return
    mode.keep_trying(signed)
