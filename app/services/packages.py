"""Coder packages: one project file per coder with only what that coder may see.

A package holds the coder's assigned articles with their entities, the codebook, the
coder's own earlier work on them and the coder's own record, and nothing of any other
coder (blind coding). It has the project's id and codebook, so that merging it back
can check where it came from, and its settings name the coder (:data:`PACKAGE_FOR`),
so that opening it in Loupe goes straight to coding as that coder. The one exception
to blindness is the training set: the finished gold standard of the training articles
among the coder's travels with them (:mod:`app.services.training`), and the
adjudicator's record of rejections does not.
"""

from __future__ import annotations

from pathlib import Path

from app.core.errors import LoupeError
from app.core.team import PACKAGE_FOR, PackageReport
from app.services.adjudication import REJECTIONS
from app.services.projects import Project
from app.services.training import package_gold
from app.store.engine import shown_location
from app.store.packages import write_package as _write_package


class PackageError(LoupeError):
    """A package that cannot be written (unknown coder, nothing assigned, file exists)."""


def write_package(project: Project, coder_name: str, target: str | Path) -> PackageReport:
    """Write the package of ``coder_name`` to ``target`` (a new file)."""
    store = project.store
    lead = Path(shown_location(store.location))  # a file's name, or the server's URL without its password
    target = Path(target)
    settings = store.settings()
    if settings.get(PACKAGE_FOR):
        raise PackageError(
            f"{lead.name} is itself a package for {settings[PACKAGE_FOR]}; "
            "write packages from the lead's project."
        )
    coder = store.coders.find(coder_name)
    if coder is None:
        raise PackageError(f"There is no coder named '{coder_name}' in {lead.name}.")
    if not store.assigning.has_assigned(coder.id):  # one EXISTS, not every coder's load
        raise PackageError(
            f"{coder.name} has no assigned articles in {lead.name}; assign some with `loupe assign` first."
        )
    if target.exists():
        raise PackageError(f"{target} already exists; choose another file name.")
    if not target.parent.is_dir():
        raise PackageError(f"The folder {target.parent} does not exist.")
    shared = {key: value for key, value in settings.items() if key != REJECTIONS}
    gold_coders, gold_articles = package_gold(project)
    counts = _write_package(
        store.engine, target, coder_id=coder.id, settings={**shared, PACKAGE_FOR: coder.name},
        gold_coders=gold_coders, gold_articles=gold_articles,
    )
    return PackageReport(
        path=str(target), coder=coder.name, size_bytes=target.stat().st_size, **counts
    )
