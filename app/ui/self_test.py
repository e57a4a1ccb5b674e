"""``loupe self-test``: check that this installation of Loupe works, end to end.

Run on a field laptop after installing, and by the smoke test of every built bundle.
It builds the sample project from the bundled sources in a temporary folder, opens it
in the window, writes an annotation, checks that the article is drawn with its
highlights, runs the bundled spaCy pipeline on a sentence, imports an HTML page, a CSV
table and a Word file, exports the project to Excel, and watches, through a Python
audit hook, that nothing tries to reach the network (and refuses it if something does).
Prints one line per check; nothing outside the temporary folder (or the folder given)
is written, the user's settings and data included.

GUI thread only (it is the whole program while it runs).
"""

from __future__ import annotations

import inspect
import socket
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication

#: A sentence in which the English pipeline finds people and places.
MODEL_SENTENCE = "Vladimir Putin met Emmanuel Macron in Paris on Monday to discuss Ukraine."
#: A pixel counts as drawn in a colour when every channel is within this of it.
COLOR_TOLERANCE = 8
#: How many such pixels make a highlight visible (a short word is several hundred).
MIN_PIXELS = 20

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "", None}


class NetworkBlocked(OSError):
    """Raised by :class:`NetworkAudit` in place of a network call it refuses."""


@dataclass
class NetworkAudit:
    """An audit hook that records every attempt to resolve or reach a network host,
    and with ``block`` refuses it (the call raises :class:`NetworkBlocked`).

    Connections to this machine (loopback, Unix sockets) are allowed and not counted.
    Audit hooks cannot be removed: install one per process, in a process that ends
    afterwards (``loupe self-test``, or a test's subprocess).
    """

    block: bool = True
    attempts: list[str] = field(default_factory=list)
    installed: bool = False

    def install(self) -> NetworkAudit:
        if not self.installed:
            sys.addaudithook(self)
            self.installed = True
        return self

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        attempt = None
        if event == "socket.connect":
            sock, address = args[0], args[1]
            family = getattr(sock, "family", None)
            if family in (socket.AF_INET, socket.AF_INET6) and address[0] not in _LOCAL_HOSTS:
                attempt = f"connect {address}"
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
            if args and args[0] not in _LOCAL_HOSTS:
                attempt = f"{event.split('.', 1)[1]} {args[0]}"
        elif event == "urllib.Request":
            attempt = f"request {args[0]}"
        if attempt is not None:
            self.attempts.append(attempt)
            if self.block:
                raise NetworkBlocked(f"Loupe works offline; refused: {attempt}")


@dataclass
class Check:
    name: str
    status: str  # "ok", "FAIL" or "skip"
    detail: str


class SelfTest:
    """The checks, in order; each one records a :class:`Check`."""

    def __init__(self, folder: Path, report: Callable[[str], None]) -> None:
        self.folder = folder
        self.report = report
        self.checks: list[Check] = []
        self.project_path: Path | None = None
        self.window: Any = None
        self.annotation: tuple[str, str, int, int] | None = None  # id, label, start, end

    def record(self, name: str, status: str, detail: str) -> None:
        self.checks.append(Check(name, status, detail))
        self.report(f"{status:<4}  {name}: {detail}")

    def run_check(self, name: str, step: Callable[[], tuple[str, str]]) -> None:
        """Run one step; a step returns (status, detail) or raises (a failure)."""
        started = time.perf_counter()
        try:
            status, detail = step()
        except Exception as exc:  # a self-test reports every failure and goes on
            status = "FAIL"
            detail = f"{type(exc).__name__}: {exc}"
            if exc.__cause__ is not None:
                detail += f" (because {type(exc.__cause__).__name__}: {exc.__cause__})"
            last = traceback.extract_tb(exc.__traceback__)[-1:]
            if last:
                detail += f" (at {Path(last[0].filename).name}:{last[0].lineno})"
        self.record(name, status, f"{detail} [{time.perf_counter() - started:.1f} s]")

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if check.status == "FAIL"]

    # -- the checks ------------------------------------------------------------------
    def bundled_data(self) -> tuple[str, str]:
        from app.paths import root_dir, sample_dir, schema_dir

        codebooks = sorted(p.name for p in schema_dir().glob("*.yaml"))
        samples = sorted(sample_dir().glob("*.txt"))
        if not codebooks or not samples:
            return "FAIL", f"codebooks {codebooks} or sample articles missing under {root_dir()}"
        return "ok", f"{len(codebooks)} codebook(s), {len(samples)} sample articles in {root_dir()}"

    def sample_project(self) -> tuple[str, str]:
        from app.services.projects import project_counts
        from app.services.sample import ensure_sample_project

        self.project_path = ensure_sample_project(self.folder / "data")
        counts = project_counts(self.project_path)
        if counts.articles == 0:
            return "FAIL", f"the sample project at {self.project_path} has no articles"
        if counts.entities == 0:
            return "FAIL", "the import found no entities: the spaCy pipeline did not run"
        return "ok", f"{counts.articles} articles, {counts.entities} entities in {self.project_path}"

    def open_window(self) -> tuple[str, str]:
        from app.ui.application import ensure_application
        from app.ui.main_window import MainWindow
        from app.ui.settings import Settings

        if self.project_path is None:
            return "FAIL", "no sample project to open"
        app = ensure_application()
        self.window = MainWindow(Settings(self.folder / "settings.ini"))
        self.window.resize(1200, 800)
        self.window.open_project(self.project_path, "self-test")
        self.window.show()
        app.processEvents()
        bundle = self.window.controller.bundle
        if bundle is None:
            return "FAIL", "no article was opened"
        shown = self.window.article_panel.view.toPlainText()
        if not shown or shown != bundle.article.text:
            return "FAIL", "the article text is not shown"
        if self.window.windowIcon().pixmap(32, 32).isNull():
            return "FAIL", "the window icon (resources/icons/loupe.svg) did not load"
        return "ok", (
            f"'{bundle.article.title}' shown with {len(bundle.entities)} entities "
            f"on the '{app.platformName()}' platform"
        )

    def write_annotation(self) -> tuple[str, str]:
        from app.services.coding import load_article
        from app.services.projects import open_project

        if self.window is None or self.window.controller.bundle is None or self.project_path is None:
            return "FAIL", "the window is not open"
        controller = self.window.controller
        article, coder = controller.bundle.article, controller.coder
        label = controller.project.codebook.span_labels[0].name
        end = article.text.find("\n")  # the headline: a span wide enough to see
        end = end if end > 0 else min(len(article.text), 40)
        annotation_id = controller.create_annotation(label, 0, end)
        if annotation_id is None:
            return "FAIL", "the annotation was refused"
        controller.select(None)  # the fill alone, without the selection outline
        self.annotation = (annotation_id, label, 0, end)
        # Read back through a second connection, as another program would.
        with open_project(self.project_path) as project:
            stored = load_article(project, article.id, coder.id).annotations
        if annotation_id not in {a.id for a in stored}:
            return "FAIL", "the annotation is not in the project file"
        text = article.text
        return "ok", f"{label} [0, {end}) '{text[:end]}' committed to the project file"

    def draw_highlights(self) -> tuple[str, str]:
        from app.ui.colors import background_for, entity_color, label_color

        if self.window is None or self.annotation is None:
            return "FAIL", "no annotation to draw"
        view = self.window.article_panel.view
        controller = self.window.controller
        base = view.viewport().palette().color(QPalette.ColorRole.Base)
        fill = background_for(
            label_color(controller.project.codebook.label(self.annotation[1]).color),
            base.lightness() < 128,
        )
        expected = _over(fill, base)
        grabbed = view.viewport().grab()
        grabbed.save(str(self.folder / "article-view.png"))  # to look at when a check fails
        shown = _pixels(grabbed.toImage())
        fill_pixels = int(_near(shown, expected, COLOR_TOLERANCE).sum())
        if fill_pixels < MIN_PIXELS:
            return "FAIL", (
                f"the annotation's colour {expected.name()} is not drawn "
                f"({fill_pixels} pixels of {shown.shape[1]}x{shown.shape[0]})"
            )
        detail = f"annotation fill {expected.name()}: {fill_pixels} pixels"
        labels = {e.label for e in controller.bundle.entities}
        if not labels:
            return "ok", detail + "; the article has no entities"
        # The entity underlines are what changes when every entity type is hidden.
        hidden_before = set(view.hidden_entity_labels)
        view.set_hidden_entity_labels(labels)
        plain = _pixels(view.viewport().grab().toImage())
        view.set_hidden_entity_labels(hidden_before)
        changed = (shown != plain).any(axis=2)
        coloured = sum(int((_near(shown, entity_color(label), 48) & changed).sum()) for label in labels)
        if coloured < MIN_PIXELS:
            return "FAIL", f"{detail}; entity underlines not drawn ({coloured} pixels)"
        return "ok", f"{detail}; underlines of {len(labels)} entity types: {coloured} pixels"

    def read_formats(self) -> tuple[str, str]:
        from app.services.importing import import_articles
        from app.services.projects import create_project, project_counts

        sources = self.folder / "formats"
        sources.mkdir(exist_ok=True)
        body = "Anna Petrova, a lawyer in Kazan, said recruits were threatened with prison."
        (sources / "page.html").write_text(
            f"<html><head><title>Web page</title></head><body><article><h1>Web page</h1>"
            f"<p>{body} " + "The ministry declined to comment on the report. " * 6
            + "</p></article></body></html>", encoding="utf-8")
        (sources / "table.csv").write_text(f"title,text\nTable row,\"{body}\"\n", encoding="utf-8")
        _write_minimal_docx(sources / "document.docx", "Word document", body)
        path = self.folder / "formats.loupe"
        with create_project(path) as project:
            import_articles(project, sorted(sources.iterdir()))
        counts = project_counts(path)
        if counts.articles != 3:
            return "FAIL", f"{counts.articles} of 3 articles imported (HTML, CSV, Word)"
        return "ok", f"HTML, CSV and Word articles imported, {counts.entities} entities"

    def run_model(self) -> tuple[str, str]:
        from app.core.defaults import DEFAULT_MODEL
        from app.services.importing import tag_texts

        model_id, (spans,) = tag_texts([MODEL_SENTENCE], DEFAULT_MODEL, None)
        found = [f"{MODEL_SENTENCE[s:e]}/{label}" for s, e, label in spans]
        wanted = {label for _, _, label in spans} & {"PERSON", "GPE"}
        if not wanted:
            return "FAIL", f"{model_id} found no person or place in {MODEL_SENTENCE!r}: {found}"
        return "ok", f"{model_id}: {', '.join(found)}"

    def export_excel(self) -> tuple[str, str]:
        import importlib

        try:
            exporting = importlib.import_module("app.services.exporting")
        except ModuleNotFoundError:
            return "skip", "this build has no export service (app.services.exporting)"
        export_project = getattr(exporting, "export_project", None)
        if export_project is None or "out" not in inspect.signature(export_project).parameters:
            return "skip", "the export service has no export_project(project, out, ...)"
        from app.services.projects import open_project

        if self.project_path is None:
            return "FAIL", "no project to export"
        out = self.folder / "self-test.xlsx"
        with open_project(self.project_path) as project:
            report = export_project(project, out)
        with zipfile.ZipFile(out) as workbook:
            names = workbook.namelist()
            xml = b"".join(workbook.read(n) for n in names if n.startswith("xl/") and n.endswith(".xml"))
        if "xl/workbook.xml" not in names:
            return "FAIL", f"{out} is not an Excel workbook"
        annotation_id = self.annotation[0] if self.annotation else None
        if annotation_id and annotation_id.encode() not in xml:
            return "FAIL", f"the annotation {annotation_id} is not in {out.name}"
        sheets = getattr(report, "sheets", [])
        return "ok", f"{out.name}, {out.stat().st_size // 1024} KB, sheets: {', '.join(sheets)}"

    def no_network(self, audit: NetworkAudit) -> tuple[str, str]:
        if not audit.installed:
            return "skip", "network use was not audited"
        if audit.attempts:
            return "FAIL", "tried to reach the network: " + "; ".join(audit.attempts[:5])
        return "ok", "no host was looked up and no connection was attempted"

    def close(self) -> None:
        if self.window is not None:
            self.window.close()
            self.window.controller.close_project()
            self.window.deleteLater()
            QApplication.processEvents()
            self.window = None


def _over(color: QColor, base: QColor) -> QColor:
    """``color`` (with its alpha) painted over the opaque ``base``."""
    a = color.alphaF()
    return QColor(
        round(color.red() * a + base.red() * (1 - a)),
        round(color.green() * a + base.green() * (1 - a)),
        round(color.blue() * a + base.blue() * (1 - a)),
    )


def _write_minimal_docx(path: Path, title: str, body: str) -> None:
    """The smallest Word file with two paragraphs (a title and a body)."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    paragraphs = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in (title, body))
    with zipfile.ZipFile(path, "w") as docx:
        docx.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>"))
        docx.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'))
        docx.writestr("word/document.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{w}"><w:body>'
            f"{paragraphs}</w:body></w:document>"))


def _pixels(image: QImage) -> np.ndarray:
    """An image as a (height, width, 3) array of 8-bit red, green, blue."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    height, width, stride = image.height(), image.width(), image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), dtype=np.uint8, count=height * stride)
    return rows.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()


def _near(pixels: np.ndarray, color: QColor, tolerance: int) -> np.ndarray:
    """Where ``pixels`` are within ``tolerance`` of ``color`` on every channel."""
    target = np.array([color.red(), color.green(), color.blue()], dtype=np.int16)
    return (np.abs(pixels.astype(np.int16) - target) <= tolerance).all(axis=2)


def run_self_test(
    folder: Path | None = None,
    *,
    audit: NetworkAudit | None = None,
    report: Callable[[str], None] = print,
) -> int:
    """Run every check; 0 if all passed (skips allowed), else 1.

    ``folder`` receives the sample project, settings and export (default: a temporary
    folder, removed afterwards). ``audit`` is a :class:`NetworkAudit` installed by the
    caller as early as it can; without one, one is installed now.
    """
    audit = (audit or NetworkAudit()).install()
    with tempfile.TemporaryDirectory(prefix="loupe-self-test-") as scratch:
        work = Path(folder) if folder is not None else Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        test = SelfTest(work, report)
        try:
            test.run_check("bundled data", test.bundled_data)
            test.run_check("sample project", test.sample_project)
            test.run_check("window", test.open_window)
            test.run_check("annotation", test.write_annotation)
            test.run_check("highlights drawn", test.draw_highlights)
            test.run_check("spaCy pipeline", test.run_model)
            test.run_check("importers", test.read_formats)
            test.run_check("Excel export", test.export_excel)
        finally:
            test.close()
        test.run_check("offline", lambda: test.no_network(audit))
    failed = test.failed
    if failed:
        report(f"self-test: {len(failed)} of {len(test.checks)} checks failed "
               f"({', '.join(check.name for check in failed)})")
        return 1
    report(f"self-test: all {len(test.checks)} checks passed")
    return 0
