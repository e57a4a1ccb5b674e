"""Shared fixtures. Qt runs offscreen: set before anything imports Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real user data folder from a test."""
    folder = tmp_path_factory.mktemp("loupe-data")
    monkeypatch.setenv("LOUPE_DATA_DIR", str(folder))
    monkeypatch.setenv("LOUPE_SETTINGS", str(folder / "settings.ini"))


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    return tmp_path / "study.loupe"


@pytest.fixture
def project(project_path: Path) -> Iterator[object]:
    """A new, empty project with the default codebook."""
    from app.services.projects import create_project

    with create_project(project_path) as opened:
        yield opened
