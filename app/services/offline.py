"""Coding on when the team server cannot be reached, and nothing lost.

A window on a server keeps an :class:`OfflineCopy` of what it has open (see
:mod:`app.store.offline_copy`): the articles the coder opened and the coder's rows on
them, refreshed from the server at each article opened and each edit committed. When
the server cannot be reached (:class:`~app.core.errors.ServerUnreachable`), the window
opens the copy (:meth:`OfflineCopy.go_offline`) and codes in it; its state (offline,
and the version of each row when it went offline) is written beside the copy, so a
window killed while offline leaves the edits and the knowledge of which to send. When
the server answers, :meth:`OfflineCopy.send` sends the edits with the merge's rule of
versions, once.

One copy per server, project and coder, in the user data folder; it is an ordinary
project file (``loupe info`` reads it). ``copies.json`` there notes which coder each
login last coded as, so that a window started while the server cannot be reached opens
that coder's copy (:func:`known_copy`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from app.core.errors import ProjectError
from app.core.staging import fsync_file, fsync_folder, partial_path
from app.paths import user_data_dir
from app.services.projects import Project, open_project
from app.store import offline_copy


def offline_folder() -> Path:
    return user_data_dir() / "offline"


def _write_json(path: Path, data: Any) -> None:
    """Write ``data`` to ``path`` whole or not at all (a crash leaves the old file)."""
    partial = partial_path(path)
    try:
        partial.write_text(json.dumps(data), encoding="utf-8")
        fsync_file(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    fsync_folder(path.parent)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def known_copy(location_key: str, folder: Path | None = None) -> OfflineCopy | None:
    """The copy of the coder this login (``location_key``: the URL without its password)
    last coded as on this computer, or None if there is none."""
    folder = folder or offline_folder()
    coder_id = _read_json(folder / "copies.json").get(location_key)
    if not isinstance(coder_id, str):
        return None
    copy = OfflineCopy(location_key, coder_id, folder)
    return copy if copy.path.exists() else None


class OfflineCopy:
    """The copy of one coder's work on one server project (see the module)."""

    def __init__(self, location_key: str, coder_id: str, folder: Path | None = None) -> None:
        digest = hashlib.sha256(f"{location_key}\n{coder_id}".encode()).hexdigest()[:20]
        self.folder = folder or offline_folder()
        self.path = self.folder / f"{digest}.loupe"
        self.state_path = self.folder / f"{digest}.json"
        self.location_key, self.coder_id = location_key, coder_id
        self._engine: Any = None

    # -- state ---------------------------------------------------------------------------
    def _state(self) -> dict[str, Any]:
        return _read_json(self.state_path)

    def _write_state(self, state: dict[str, Any] | None) -> None:
        if state is None:
            self.state_path.unlink(missing_ok=True)
            return
        _write_json(self.state_path, state)

    def remember(self) -> None:
        """Note that this login codes as this coder (see :func:`known_copy`)."""
        index_path = self.folder / "copies.json"
        index = _read_json(index_path)
        if index.get(self.location_key) != self.coder_id:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_json(index_path, {**index, self.location_key: self.coder_id})

    @property
    def offline(self) -> bool:
        """Whether edits were made in the copy that the server does not have yet."""
        return bool(self._state().get("offline")) and self.path.exists()

    def _copy_engine(self, server: Project | None) -> Any:
        if self._engine is None:
            if self.path.exists():
                self._engine = offline_copy.open_copy(self.path)
            elif server is not None:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._engine = offline_copy.create(server.store.engine, self.path, self.coder_id)
            else:
                raise ProjectError("There is no copy of this project on this computer.")
        return self._engine

    # -- online --------------------------------------------------------------------------
    def follow(self, server: Project, article_id: str, *, edited: bool = False) -> None:
        """Copy ``article_id`` and the coder's rows on it as the server holds them now
        (``edited``: after an edit of the open article, the coder's rows only)."""
        if self.offline:
            return  # the copy holds edits the server lacks: never overwrite them
        engine = self._copy_engine(server)
        offline_copy.snapshot(server.store.engine, engine, article_id, self.coder_id, coding_only=edited)

    # -- offline -------------------------------------------------------------------------
    def go_offline(self) -> Project:
        """The copy as a project to code in (the server is gone); the versions of its rows
        are noted first, once, so that what changes from now on is sent later."""
        if not self.path.exists():
            raise ProjectError(
                "The team server cannot be reached and no article of this project was copied "
                "to this computer yet; try again when the server answers."
            )
        if not self.offline:
            self._write_state({
                "offline": True, "location": self.location_key, "coder": self.coder_id,
                "baseline": offline_copy.baseline(self._copy_engine(None)),
            })
        return open_project(self.path)

    def waiting(self) -> int:
        """Edits made in the copy that the server does not have yet."""
        if not self.offline:
            return 0
        return offline_copy.waiting(offline_copy.changed(self._copy_engine(None), self._state().get("baseline", {})))

    def send(self, server: Project) -> int:
        """Send the edits made offline to ``server``; returns how many it took. Raises
        ServerUnreachable (nothing sent, still offline) if it is gone again."""
        if not self.offline:
            return 0
        rows = offline_copy.changed(self._copy_engine(None), self._state().get("baseline", {}))
        taken = offline_copy.push(server.store.engine, rows)
        self._write_state(None)
        return taken

    def article_ids(self) -> set[str]:
        """The articles the copy holds (those that can be coded offline)."""
        with open_project(self.path) as project:
            return {article.id for article in project.store.articles.list()}

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def sent_sentence(count: int) -> str:
    return f"Back online: {count} edit{'s' if count != 1 else ''} made offline sent to the team server."


def waiting_sentence(count: int) -> str:
    return f"Offline \u2014 {count} edit{'s' if count != 1 else ''} waiting"

