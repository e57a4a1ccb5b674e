"""The window's side of coding offline (see :mod:`app.services.offline`).

The controller hands each failure to reach the team server to :class:`OfflineMode`,
which swaps the controller's project for the copy on this computer, says "Offline — N
edits waiting", and every few seconds tries the server again; when it answers, the
edits are sent, the controller gets the server back and the window says how many went.
A window started while the server cannot be reached opens the copy straight away
(:meth:`CodingController.open_offline`); if the server, once back, asks for a password
the window did not have, :attr:`OfflineMode.password_needed` asks the window to sign in.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.errors import LoupeError, ServerUnreachable
from app.core.location import location_key
from app.services.offline import OfflineCopy, sent_sentence, waiting_sentence
from app.services.projects import Project, open_project
from app.services.team_server import password_refused

if TYPE_CHECKING:
    from app.ui.controller import CodingController

log = logging.getLogger(__name__)

#: How often the server is tried again while offline.
RETRY_MS = 5_000


class OfflineMode(QObject):
    #: "" when online, else "Offline — N edits waiting".
    state_changed = Signal(str)
    #: The server answers again but refuses the login without a password (a window
    #: started offline from a URL without one): the window asks for it, see
    #: :func:`app.ui.server_sign_in.sign_in_again`.
    password_needed = Signal()

    def __init__(self, controller: CodingController, location: str, coder_id: str) -> None:
        super().__init__(controller)
        self.controller = controller
        self.location = location  # with the password typed at sign-in, in memory only
        self.copy = OfflineCopy(location_key(location), coder_id)
        self.copy.remember()
        self._offline = False
        self.timer = QTimer(self)
        self.timer.setObjectName("offlineRetryTimer")
        self.timer.setInterval(RETRY_MS)
        self.timer.timeout.connect(self.try_server)
        #: After edits: the copy follows once the key press has returned (edits of one
        #: turn of the event loop are followed once).
        self.edited = QTimer(self)
        self.edited.setSingleShot(True)
        self.edited.setInterval(0)
        self.edited.timeout.connect(self._follow_edits)

    @property
    def offline(self) -> bool:
        """Whether the window codes in the copy (the server could not be reached)."""
        return self._offline

    def resume(self) -> str | None:
        """At sign-in: send what a window closed (or killed) while offline kept."""
        project = self.controller.project
        if project is None or not self.copy.offline:
            return None
        return sent_sentence(self.copy.send(project))

    def follow(self, article_id: str, *, edited: bool = False) -> None:
        """Keep the copy of ``article_id`` current (online only; never fatal)."""
        project = self.controller.project
        if self.offline or project is None:
            return
        try:
            self.copy.follow(project, article_id, edited=edited)
        except Exception as exc:  # noqa: BLE001 - the copy is insurance: coding on the server goes on
            # (a server gone between the edit and this read is found at the next edit).
            log.warning("the offline copy could not follow article %s: %s", article_id, exc)

    def after_edit(self) -> None:
        self.edited.start()

    def _follow_edits(self) -> None:
        bundle = self.controller.bundle
        if bundle is not None:
            self.follow(bundle.article.id, edited=True)

    def go_offline(self) -> None:
        """Code in the copy from now on; raises LoupeError if there is none yet."""
        if self.offline:
            return
        copy = self.start_offline()
        server = self.controller.project
        self.controller.project = copy
        if server is not None:
            server.close()
        self.announce()

    def start_offline(self) -> Project:
        """The copy to code in, trying the server every few seconds from now on; raises
        LoupeError if there is no copy yet."""
        copy = self.copy.go_offline()
        self._offline = True
        self.timer.start()
        return copy

    def announce(self) -> None:
        """Say how many edits wait (after each edit made offline)."""
        if self.offline:
            self.state_changed.emit(waiting_sentence(self.copy.waiting()))

    def try_server(self) -> bool:
        """Try the server; if it answers, send the edits and code on it again."""
        if not self.offline:
            return True
        try:
            server = open_project(self.location)
        except LoupeError as exc:
            if password_refused(exc.message):
                self.timer.stop()  # asked once; the edits wait for the next sign-in otherwise
                self.password_needed.emit()
            return False
        try:
            sent = self.copy.send(server)
        except ServerUnreachable:
            server.close()
            return False
        copy, self.controller.project = self.controller.project, server
        self._offline = False
        self.timer.stop()
        if copy is not None:
            copy.close()
        self.state_changed.emit("")
        self.controller.message.emit(sent_sentence(sent))
        self.controller.back_online()
        return True

    def keep_trying(self, location: str | None = None) -> None:
        """Try the server again from now on (with ``location``, signed in anew: at once)."""
        self.timer.start()
        if location is not None:
            self.location = location
            self.try_server()

    def close(self) -> None:
        self.timer.stop()
        self.edited.stop()
        self.copy.close()
