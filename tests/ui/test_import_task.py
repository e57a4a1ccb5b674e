"""Importing from the window runs in the background and can be cancelled."""

from __future__ import annotations

from pathlib import Path

from app.services.projects import open_project


def article_count(path: Path) -> int:
    with open_project(path) as project:
        return project.store.articles.count()


def write_sources(folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(n):
        path = folder / f"{i}.txt"
        path.write_text(f"Report {i}\n\nAnton Korolev said {i} men were sent to the front.", encoding="utf-8")
        paths.append(path)
    return paths


def test_import_in_the_background_adds_articles_to_the_list(qtbot, project_file, settings_file, tmp_path) -> None:  # noqa: ANN001
    from app.ui.application import open_window
    from app.ui.import_task import run_import

    window = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(window)
    before = len(window.controller.order)
    task = run_import(window, write_sources(tmp_path / "new", 4))
    assert window.isEnabled()  # the event loop keeps running while it works
    with qtbot.waitSignal(task.done, timeout=60_000) as blocker:
        pass
    assert blocker.args[0].imported == 4
    assert len(window.controller.order) == before + 4
    assert article_count(project_file) == before + 4
    window.close()


def test_cancelled_import_leaves_the_project_as_it_was(qtbot, project_file, settings_file, tmp_path) -> None:  # noqa: ANN001
    from app.ui.application import open_window
    from app.ui.import_task import ImportTask

    window = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(window)
    before = article_count(project_file)
    task = ImportTask(window, write_sources(tmp_path / "new", 30))
    task.worker.cancel_event.set()  # the coder pressed Cancel before it could finish
    with qtbot.waitSignal(task.done, timeout=60_000) as blocker:
        task.start()
    assert blocker.args[0] is None
    assert "cancelled" in window.statusBar().currentMessage()
    assert article_count(project_file) == before
    window.close()
