"""Fixtures for window tests: a small real project and a controller opened on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/ui drives Qt: marked ``gui``, so ``-m "not gui"`` runs the rest."""
    for item in items:
        if HERE in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.gui)


ARTICLES = [
    (
        "Migrants told to sign or be deported",
        "VARNOVKA, March 3 — Anton Korolev, a lawyer in Moscow, said 40 migrants were "
        "forced to sign army contracts.\n\nThe Ministry of Defence denied the report.",
    ),
    (
        "Prisoners 😀 recruited with pardons",
        "Заключённые из колонии were promised pardons by the Wagner Group.\n\n"
        "Zoe\u0301 Dupre\u0301 of Memorial said 200 men left in May.",
    ),
    (
        "عنوان عربي",
        "وصل محمد عبد الله إلى دمشق.\n\nLater, officials in Damascus declined to comment.",
    ),
]


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    """A project with three short articles (Latin, emoji/Cyrillic/combining, Arabic)."""
    from app.services.importing import import_articles
    from app.services.projects import create_project

    sources = tmp_path / "sources"
    sources.mkdir()
    for i, (title, body) in enumerate(ARTICLES):
        (sources / f"{i}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    path = tmp_path / "ui.loupe"
    with create_project(path) as project:
        import_articles(project, sorted(sources.glob("*.txt")))
    return path


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def controller(qtbot, project_file: Path) -> Iterator[object]:  # noqa: ANN001 - pytest-qt fixture
    """A CodingController on ``project_file`` as coder "ana", first article open."""
    from app.ui.controller import CodingController

    ctrl = CodingController()
    ctrl.open_project(project_file, "ana")
    ctrl.open_article(ctrl.order[0].id)
    yield ctrl
    ctrl.close_project()
