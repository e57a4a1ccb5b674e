"""Preferences and remembered window state, in one ini file (QSettings).

Preferences (what the user chose) and state (what the window remembers) are kept in
separate groups. Project data never lives here. Tests pass a temporary file path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

SETTINGS_VERSION = 1
MAX_RECENT = 8


class Settings:
    """Typed access to Loupe's settings file (``LOUPE_SETTINGS`` names another file).

    Use from the GUI thread only.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        path = path or os.environ.get("LOUPE_SETTINGS") or None
        if path is None:
            self._qs = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Loupe", "Loupe")
        else:
            self._qs = QSettings(str(path), QSettings.Format.IniFormat)
        self._upgrade()

    def _upgrade(self) -> None:
        version = self._get("meta/version", 0, int)
        # Upgrade steps go here, one per version, when a setting changes meaning.
        if version != SETTINGS_VERSION:
            self._qs.setValue("meta/version", SETTINGS_VERSION)

    def _get(self, key: str, default: Any, kind: type) -> Any:
        value = self._qs.value(key, default)
        if kind is bool:
            return value in (True, "true", "1", 1) if not isinstance(value, bool) else value
        try:
            return kind(value)
        except (TypeError, ValueError):
            return default

    def sync(self) -> None:
        self._qs.sync()

    @property
    def file_name(self) -> str:
        return self._qs.fileName()

    # -- preferences ---------------------------------------------------------------
    @property
    def snap_to_words(self) -> bool:
        return self._get("preferences/snap_to_words", True, bool)

    @snap_to_words.setter
    def snap_to_words(self, value: bool) -> None:
        self._qs.setValue("preferences/snap_to_words", bool(value))

    @property
    def font_size(self) -> float:
        return self._get("preferences/font_size", 12.0, float)

    @font_size.setter
    def font_size(self, value: float) -> None:
        self._qs.setValue("preferences/font_size", float(value))

    @property
    def show_relations(self) -> bool:
        return self._get("preferences/show_relations", True, bool)

    @show_relations.setter
    def show_relations(self, value: bool) -> None:
        self._qs.setValue("preferences/show_relations", bool(value))

    def hidden_entity_labels(self) -> set[str]:
        value = self._qs.value("preferences/hidden_entity_labels", "")
        items = value if isinstance(value, list) else str(value or "").split(",")
        return {item for item in items if item}

    def set_hidden_entity_labels(self, labels: set[str]) -> None:
        self._qs.setValue("preferences/hidden_entity_labels", ",".join(sorted(labels)))

    # -- remembered state -------------------------------------------------------------
    def recent_projects(self) -> list[str]:
        value = self._qs.value("state/recent_projects", [])
        items = value if isinstance(value, list) else [value] if value else []
        return [str(item) for item in items if item]

    def add_recent_project(self, path: str) -> None:
        items = [path, *[p for p in self.recent_projects() if p != path]][:MAX_RECENT]
        self._qs.setValue("state/recent_projects", items)

    def last_coder(self, project: str) -> str | None:
        return self._qs.value(f"state/coder/{_key(project)}") or None

    def set_last_coder(self, project: str, coder: str) -> None:
        self._qs.setValue(f"state/coder/{_key(project)}", coder)

    def last_article(self, project: str) -> str | None:
        return self._qs.value(f"state/article/{_key(project)}") or None

    def set_last_article(self, project: str, article_id: str) -> None:
        self._qs.setValue(f"state/article/{_key(project)}", article_id)

    def newest_codebook(self, project_id: str) -> tuple[int, str] | None:
        """The newest codebook version (number, name) seen on this computer in any file of
        the project ``project_id``."""
        number = self._get(f"state/codebook/{project_id}/number", 0, int)
        return (number, self._qs.value(f"state/codebook/{project_id}/name") or "") if number else None

    def set_newest_codebook(self, project_id: str, number: int, name: str) -> None:
        self._qs.setValue(f"state/codebook/{project_id}/number", number)
        self._qs.setValue(f"state/codebook/{project_id}/name", name)

    def window_geometry(self) -> QByteArray | None:
        return self._qs.value("state/geometry")

    def window_state(self) -> QByteArray | None:
        return self._qs.value("state/window_state")

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self._qs.setValue("state/geometry", geometry)
        self._qs.setValue("state/window_state", state)


def _key(project: str) -> str:
    """A settings key for a project path (QSettings keys cannot hold slashes)."""
    import hashlib

    return hashlib.sha1(str(Path(project).resolve()).encode("utf-8")).hexdigest()[:16]
