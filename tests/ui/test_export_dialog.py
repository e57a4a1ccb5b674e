"""File > Export: the dialog's choice runs the same export as the command line."""

from __future__ import annotations

from pathlib import Path

import openpyxl


def test_export_from_the_window_writes_the_workbook(qtbot, project_file: Path, settings_file: Path, tmp_path: Path) -> None:  # noqa: ANN001
    from app.ui.application import open_window
    from app.ui.export_dialog import ExportDialog, ExportTask

    window = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(window)
    text = window.controller.bundle.article.text
    start = text.index("Anton Korolev")
    window.controller.create_annotation("Actor", start, start + len("Anton Korolev"))
    dialog = ExportDialog(window.controller.coder_names(), project_file, window)
    qtbot.addWidget(dialog)
    assert dialog.target.text().endswith("ui-export.xlsx")
    out = tmp_path / "out.xlsx"
    dialog.target.setText(str(out))
    dialog.coding.setCurrentText("ana")
    task = ExportTask(window, dialog.options())
    with qtbot.waitSignal(task.done, timeout=60_000) as blocker:
        task.start()
    assert blocker.args[0] is not None and blocker.args[0].annotations == 1
    sheet = openpyxl.load_workbook(out, read_only=True)["Annotations"]
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "Anton Korolev" in values
    assert "Exported 1 annotations" in window.statusBar().currentMessage()
    window.close()


def test_export_refusal_is_one_sentence_in_the_window(qtbot, project_file: Path, settings_file: Path, tmp_path: Path) -> None:  # noqa: ANN001
    from app.ui.application import open_window
    from app.ui.export_dialog import ExportTask

    window = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(window)
    options = {"out": tmp_path / "x.spacy", "format": "docbin", "coder": None, "gold": True, "entities": False}
    task = ExportTask(window, options)
    with qtbot.waitSignal(task.done, timeout=60_000) as blocker:
        task.start()
    assert blocker.args[0] is None
    message = window.statusBar().currentMessage()
    assert message and "\n" not in message and "Traceback" not in message
    window.close()


def test_the_dialog_offers_refi_qda_and_writes_it(qtbot, project_file: Path, settings_file: Path, tmp_path: Path) -> None:  # noqa: ANN001
    import zipfile

    from app.ui.application import open_window
    from app.ui.export_dialog import ExportDialog, ExportTask

    window = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(window)
    text = window.controller.bundle.article.text
    start = text.index("Anton Korolev")
    window.controller.create_annotation("Actor", start, start + len("Anton Korolev"))
    dialog = ExportDialog(window.controller.coder_names(), project_file, window)
    qtbot.addWidget(dialog)
    dialog.format.setCurrentIndex(dialog.format.findData("qdpx"))
    assert dialog.target.text().endswith(".qdpx")
    out = tmp_path / "study.qdpx"
    dialog.target.setText(str(out))
    task = ExportTask(window, dialog.options())
    with qtbot.waitSignal(task.done, timeout=60_000) as blocker:
        task.start()
    assert blocker.args[0] is not None
    with zipfile.ZipFile(out) as archive:
        project = archive.read("project.qde").decode("utf-8")
    assert "PlainTextSelection" in project and "Actor" in project
    window.close()
