"""File > Import offers what ``loupe import`` offers (coder, trimming, brat kinds to leave
out) when the chosen files can bring coding, and says what the import did."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from app.services.projects import open_project
from tests.ui.conftest import ARTICLES

NEW_TEXT = "Recruits\n\nAnton Korolev said the recruits were threatened by officers in Moscow.\n"


def jsonl(path: Path, *lines: tuple[str, list[tuple[str, str]]]) -> Path:
    """A doccano JSON Lines file: each line a text and its (label, quoted part) spans."""
    rows = []
    for text, spans in lines:
        labels = []
        for label, part in spans:
            start = text.index(part)
            labels.append([start, start + len(part), label])
        rows.append(json.dumps({"text": text, "label": labels}, ensure_ascii=False))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def window(qtbot, project_file: Path, settings_file: Path):  # noqa: ANN001, ANN201
    from app.ui import open_window

    win = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(win)
    yield win
    win.close()


def choose(monkeypatch: pytest.MonkeyPatch, window, *paths: Path) -> None:  # noqa: ANN001
    """File > Import with ``paths`` picked in the file dialog."""
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", staticmethod(lambda *args, **kwargs: ([str(p) for p in paths], ""))
    )
    window.actions_by_name["import_articles"].trigger()


def accept(qtbot, window):  # noqa: ANN001, ANN201
    """Press OK in the import dialog; the finished task's report."""
    from app.ui.import_dialog import ImportDialog

    dialog = window.findChild(ImportDialog, "importDialog")
    assert dialog is not None and dialog.isVisible()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    with qtbot.waitSignal(dialog.import_started, timeout=5_000) as started:
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    task = started.args[0]
    with qtbot.waitSignal(task.done, timeout=60_000) as finished:
        pass
    assert finished.args[0] is not None, window.statusBar().currentMessage()
    return task, finished.args[0]


def stored_spans(project_file: Path, coder: str) -> list[tuple[str, str]]:
    with open_project(project_file) as project:
        found = project.store.coders.find(coder)
        if found is None:
            return []
        out = []
        for article in project.store.articles.list():
            for a in project.store.annotations.for_article(article.id, found.id):
                out.append((a.label, article.text[a.start : a.end]))
        return sorted(out)


def test_doccano_spans_become_the_coding_of_the_coder_chosen_in_the_dialog(
    qtbot, window, monkeypatch, tmp_path, project_file  # noqa: ANN001
) -> None:
    from app.ui.import_dialog import ImportDialog

    source = jsonl(tmp_path / "coded.jsonl", (NEW_TEXT, [("Actor", "Anton Korolev"), ("Coercion", "threatened")]))
    choose(monkeypatch, window, source)
    dialog = window.findChild(ImportDialog, "importDialog")
    assert dialog is not None
    combo = dialog.coder_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["(none)", "ana"]
    assert dialog.drop_group.isHidden()  # no brat files among the chosen ones
    combo.setEditText("zoe")  # a coder the project does not have yet
    task, report = accept(qtbot, window)
    assert report.imported == 1 and report.annotations == 2
    assert stored_spans(project_file, "zoe") == [("Actor", "Anton Korolev"), ("Coercion", "threatened")]
    assert stored_spans(project_file, "ana") == []
    assert "Imported 1 article with" in window.statusBar().currentMessage()
    assert "2 annotations of zoe" in task.report_box.text()


def test_trim_checked_trims_span_edges_and_says_so(qtbot, window, monkeypatch, tmp_path, project_file) -> None:  # noqa: ANN001
    from app.ui.import_dialog import ImportDialog

    source = jsonl(tmp_path / "edges.jsonl", (NEW_TEXT, [("Actor", "Anton Korolev "), ("Actor", "Moscow")]))
    choose(monkeypatch, window, source)
    dialog = window.findChild(ImportDialog, "importDialog")
    dialog.coder_combo.setCurrentText("ana")
    dialog.trim_box.setChecked(True)
    task, report = accept(qtbot, window)
    assert (report.edge_spans, report.trimmed) == (1, 1)
    assert stored_spans(project_file, "ana") == [("Actor", "Anton Korolev"), ("Actor", "Moscow")]
    assert "Trimmed white space off the edges of 1 span." in task.report_box.text()


def test_untrimmed_edges_are_counted_with_the_dialogs_own_words(
    qtbot, window, monkeypatch, tmp_path, project_file  # noqa: ANN001
) -> None:
    from app.ui.import_dialog import ImportDialog

    source = jsonl(tmp_path / "edges.jsonl", (NEW_TEXT, [("Actor", "Anton Korolev ")]))
    choose(monkeypatch, window, source)
    window.findChild(ImportDialog, "importDialog").coder_combo.setCurrentText("ana")
    task, _ = accept(qtbot, window)
    assert stored_spans(project_file, "ana") == [("Actor", "Anton Korolev ")]
    text = task.report_box.text()
    assert "1 span begins or ends with white space (“Trim white space at span edges” trims them)." in text
    assert "--trim-spans" not in text


def test_the_message_lists_spans_attached_to_articles_already_in_the_project(
    qtbot, window, monkeypatch, tmp_path, project_file  # noqa: ANN001
) -> None:
    from app.ui.import_dialog import ImportDialog

    title, body = ARTICLES[0]
    existing = f"{title}\n\n{body}\n"  # the text the project fixture imported
    source = jsonl(tmp_path / "again.jsonl", (existing, [("Actor", "Anton Korolev")]))
    choose(monkeypatch, window, source)
    window.findChild(ImportDialog, "importDialog").coder_combo.setCurrentText("ana")
    task, report = accept(qtbot, window)
    assert report.imported == 0 and report.attached_spans == 1
    assert stored_spans(project_file, "ana") == [("Actor", "Anton Korolev")]
    attached = "Attached 1 span to 1 existing article (lines whose text was already imported)."
    assert attached in task.report_box.text()
    assert attached in window.statusBar().currentMessage()
    assert "duplicate: again.jsonl" in task.report_box.detailedText()
    # The open article shows the coding that was attached to it.
    assert window.controller.bundle is not None
    assert [a.label for a in window.controller.bundle.annotations] == ["Actor"]


def test_cancel_imports_nothing(qtbot, window, monkeypatch, tmp_path, project_file) -> None:  # noqa: ANN001
    from app.ui.import_dialog import ImportDialog

    with open_project(project_file) as project:
        before = project.store.articles.count()
    choose(monkeypatch, window, jsonl(tmp_path / "coded.jsonl", (NEW_TEXT, [])))
    dialog = window.findChild(ImportDialog, "importDialog")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert window.task_runner.running() == []
    with open_project(project_file) as project:
        assert project.store.articles.count() == before


def test_brat_files_offer_the_kinds_to_leave_out(qtbot, window, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    from app.ui.import_dialog import ImportDialog

    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text(NEW_TEXT, encoding="utf-8")
    start = NEW_TEXT.index("Anton Korolev")
    (folder / "a.ann").write_text(f"T1\tActor {start} {start + 13}\tAnton Korolev\n", encoding="utf-8")
    choose(monkeypatch, window, folder / "a.txt")
    dialog = window.findChild(ImportDialog, "importDialog")
    assert not dialog.drop_group.isHidden()
    dialog.drop_boxes["events"].setChecked(True)
    assert dialog.drop() == frozenset({"events"})
    dialog.reject()


def test_a_plain_text_file_is_imported_without_the_dialog(qtbot, window, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    from app.ui.import_dialog import ImportDialog

    source = tmp_path / "plain.txt"
    source.write_text(NEW_TEXT, encoding="utf-8")
    choose(monkeypatch, window, source)
    assert window.findChild(ImportDialog) is None
    (task,) = window.task_runner.running()
    with qtbot.waitSignal(task.done, timeout=60_000) as finished:
        pass
    assert finished.args[0].imported == 1
    assert window.statusBar().currentMessage().startswith("Imported 1 article with")
    assert task.report_box.text().startswith("Imported 1 article with")
