"""The bundled sample project, built from ``resources/sample`` on first use."""

from __future__ import annotations

from pathlib import Path

from app.core.errors import LoupeError
from app.paths import sample_dir, user_data_dir
from app.services.projects import create_project, open_project

SAMPLE_FILE = "sample.loupe"


def ensure_sample_project(folder: Path | None = None) -> Path:
    """Path of the sample project, creating and importing it if needed."""
    folder = user_data_dir() if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SAMPLE_FILE
    sources = sorted(sample_dir().glob("*.txt"))
    if not sources:
        raise LoupeError(f"The sample articles are missing from {sample_dir()}.")
    project = open_project(path) if path.exists() else create_project(path, name="Sample project")
    with project:
        if project.store.articles.count() == 0:
            from app.services.importing import import_articles

            import_articles(project, sources)
    return path
