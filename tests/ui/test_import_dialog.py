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
    from app.ui.application import open_window

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


def dialog_of(window):  # noqa: ANN001, ANN201
    """The import dialog on screen (one that was closed may await deletion)."""
    from app.ui.import_dialog import ImportDialog

    (dialog,) = [d for d in window.findChildren(ImportDialog, "importDialog") if d.isVisible()]
    return dialog


def accept(qtbot, window):  # noqa: ANN001, ANN201
    """Press OK in the import dialog; the finished task's report."""
    dialog = dialog_of(window)
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

    source = jsonl(tmp_path / "coded.jsonl", (NEW_TEXT, [("Actor", "Anton Korolev"), ("Coercion", "threatened")]))
    choose(monkeypatch, window, source)
    dialog = dialog_of(window)
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

    source = jsonl(tmp_path / "edges.jsonl", (NEW_TEXT, [("Actor", "Anton Korolev "), ("Actor", "Moscow")]))
    choose(monkeypatch, window, source)
    dialog = dialog_of(window)
    dialog.coder_combo.setCurrentText("ana")
    dialog.trim_box.setChecked(True)
    task, report = accept(qtbot, window)
    assert (report.edge_spans, report.trimmed) == (1, 1)
    assert stored_spans(project_file, "ana") == [("Actor", "Anton Korolev"), ("Actor", "Moscow")]
    assert "Trimmed white space off the edges of 1 span." in task.report_box.text()


def test_untrimmed_edges_are_counted_with_the_dialogs_own_words(
    qtbot, window, monkeypatch, tmp_path, project_file  # noqa: ANN001
) -> None:

    source = jsonl(tmp_path / "edges.jsonl", (NEW_TEXT, [("Actor", "Anton Korolev ")]))
    choose(monkeypatch, window, source)
    dialog_of(window).coder_combo.setCurrentText("ana")
    task, _ = accept(qtbot, window)
    assert stored_spans(project_file, "ana") == [("Actor", "Anton Korolev ")]
    text = task.report_box.text()
    assert "1 span begins or ends with white space (“Trim white space at span edges” trims them)." in text
    assert "--trim-spans" not in text


def test_the_message_lists_spans_attached_to_articles_already_in_the_project(
    qtbot, window, monkeypatch, tmp_path, project_file  # noqa: ANN001
) -> None:

    title, body = ARTICLES[0]
    existing = f"{title}\n\n{body}\n"  # the text the project fixture imported
    source = jsonl(tmp_path / "again.jsonl", (existing, [("Actor", "Anton Korolev")]))
    choose(monkeypatch, window, source)
    dialog_of(window).coder_combo.setCurrentText("ana")
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

    with open_project(project_file) as project:
        before = project.store.articles.count()
    choose(monkeypatch, window, jsonl(tmp_path / "coded.jsonl", (NEW_TEXT, [])))
    dialog = dialog_of(window)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert window.task_runner.running() == []
    with open_project(project_file) as project:
        assert project.store.articles.count() == before


def brat_folder(folder: Path) -> Path:
    """A .txt with a brat .ann beside it: two entities and a normalisation, which the
    default codebook cannot hold (its labels have no 'references' attribute)."""
    folder.mkdir()
    (folder / "a.txt").write_text(NEW_TEXT, encoding="utf-8")
    anton, moscow = NEW_TEXT.index("Anton Korolev"), NEW_TEXT.index("Moscow")
    (folder / "a.ann").write_text(
        f"T1\tActor {anton} {anton + 13}\tAnton Korolev\nT2\tActor {moscow} {moscow + 6}\tMoscow\n"
        "N1\tReference T2 Wikipedia:534366\tMoscow\n",
        encoding="utf-8",
    )
    return folder / "a.txt"


def test_brat_kinds_the_codebook_cannot_hold_are_refused_then_left_out_when_ticked(
    qtbot, window, monkeypatch, tmp_path, project_file  # noqa: ANN001
) -> None:

    source = brat_folder(tmp_path / "brat")
    choose(monkeypatch, window, source)
    dialog = dialog_of(window)
    assert not dialog.drop_group.isHidden() and not dialog.trim_box.isHidden()
    dialog.coder_combo.setCurrentText("ana")
    with qtbot.waitSignal(dialog.import_started) as started:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    with qtbot.waitSignal(started.args[0].done, timeout=60_000) as refused:
        pass
    assert refused.args[0] is None  # nothing imported; the refusal names the dialog's box
    message = window.statusBar().currentMessage()
    assert "normalisations: 1" in message and "--drop" not in message
    assert "by ticking normalisations under \u201cLeave out what the codebook cannot hold\u201d" in message

    choose(monkeypatch, window, source)
    dialog = dialog_of(window)
    dialog.coder_combo.setCurrentText("ana")
    dialog.drop_boxes["normalisations"].setChecked(True)
    task, report = accept(qtbot, window)
    assert report.imported == 1
    assert stored_spans(project_file, "ana") == [("Actor", "Anton Korolev"), ("Actor", "Moscow")]
    text = task.report_box.text()
    assert "brat entities: 2 in the files, 2 stored" in text
    assert "brat normalisations: 1 in the files, 0 stored, 1 left out (as asked)" in text


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


def test_a_refi_qda_project_offers_its_own_coders_and_neither_trimming_nor_brat_kinds(qtbot) -> None:  # noqa: ANN001
    from app.services.importing import CodingInFiles
    from app.ui.import_dialog import ImportDialog

    dialog = ImportDialog(CodingInFiles(any=True, qdpx=True), ["ana", "ben"])
    qtbot.addWidget(dialog)
    assert dialog.coder_combo.itemText(0) == "(the coders named in the file)"
    assert dialog.coder() is None  # the selections go to the users who coded them
    dialog.coder_combo.setCurrentText("ben")
    assert dialog.coder() == "ben"
    assert dialog.trim_box.isHidden() and dialog.drop_group.isHidden()
    assert (dialog.trim_spans(), dialog.drop()) == (False, frozenset())
