"""A coder who opens a package of an older codebook than one seen on this computer for
the same project is told that the lead has a newer codebook (the file still works)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services.assignment import assign
from app.services.codebook_versions import upgrade_codebook
from app.services.importing import import_articles
from app.services.packages import write_package
from app.services.projects import create_project
from tests.codebook_versions import MAP_1_2, document_v1, document_v2, write_yaml
from tests.team_fixtures import NO_MODEL, write_articles


@pytest.fixture
def packages(tmp_path: Path) -> Path:
    """ana-v1.loupe and ana-v2.loupe: ana's packages before and after the lead's version 2."""
    write_yaml(tmp_path / "v1.yaml", document_v1())
    write_yaml(tmp_path / "v2.yaml", document_v2())
    (tmp_path / "map.yaml").write_text(MAP_1_2, encoding="utf-8")
    with create_project(tmp_path / "lead.loupe", codebook_path=tmp_path / "v1.yaml") as lead:
        import_articles(lead, [write_articles(tmp_path, 4)], model=NO_MODEL)
        lead.store.coders.get_or_create("ana")
        lead.store.coders.get_or_create("ben")
        assign(lead, ["ana", "ben"], overlap=1.0, seed=1)
        write_package(lead, "ana", tmp_path / "ana-v1.loupe")
        upgrade_codebook(lead, tmp_path / "v2.yaml", tmp_path / "map.yaml")
        write_package(lead, "ana", tmp_path / "ana-v2.loupe")
    return tmp_path


def test_an_older_package_than_one_seen_here_says_the_lead_has_a_newer_codebook(qtbot, packages: Path) -> None:  # noqa: ANN001
    from app.ui.application import open_window

    settings = packages / "settings.ini"
    first = open_window(packages / "ana-v1.loupe", "ana", settings_path=settings)
    qtbot.addWidget(first)
    assert first.codebook_notice.isHidden()  # nothing newer seen yet
    first.open_project(packages / "ana-v2.loupe", "ana")
    assert first.codebook_notice.isHidden()
    assert first.controller.project is not None and first.controller.project.codebook.version == "2"
    first.close()

    again = open_window(packages / "ana-v1.loupe", "ana", settings_path=settings)
    qtbot.addWidget(again)
    assert not again.codebook_notice.isHidden()
    assert again.codebook_notice.toolTip() == (
        "Codebook version 1; the lead has a newer one (Coercion into armed service 2, version 2). "
        "This file still works and merges; ask the lead for a new package."
    )
    assert again.statusBar().currentMessage() == again.codebook_notice.toolTip()
    assert again.controller.project is not None and again.controller.project.codebook.version == "1"
    again.open_project(packages / "ana-v2.loupe", "ana")
    assert again.codebook_notice.isHidden()
