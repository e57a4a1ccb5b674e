"""Telling a coder that the lead has a newer codebook than the file they opened.

An offline coder's file cannot know of a later codebook, but this computer may have seen
one: the newest version of each project's codebook opened here is remembered (by project
id, in the settings). A file of an older version still works and merges (its coding is
migrated then); the status bar says so, with the version the lead has.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from app.services.codebook_versions import standing
from app.services.projects import Project
from app.ui.settings import Settings


def newer_codebook_notice(settings: Settings, project: Project) -> str | None:
    """The notice for ``project``'s file, or ``None`` when its codebook is the newest seen
    here (which is then remembered)."""
    project_id, number, name = standing(project)
    seen = settings.newest_codebook(project_id)
    if seen is not None and seen[0] > number:
        return (
            f"Codebook version {number}; the lead has a newer one ({seen[1]}, version {seen[0]}). "
            "This file still works and merges; ask the lead for a new package."
        )
    settings.set_newest_codebook(project_id, number, name)
    return None


def show_notice(label: QLabel, notice: str | None) -> None:
    label.setText("\u26a0 Newer codebook at the lead" if notice else "")
    label.setToolTip(notice or "")
    label.setVisible(notice is not None)
