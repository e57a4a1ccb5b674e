"""The coding window: opening big articles, one annotation, cold start.

1. Open an article of 10,000 words with 1,000 entities and 300 annotations, until every
   highlight is drawn (target <= 30 ms); and of 100,000 characters with 10,000
   highlights (target <= 150 ms). Baseline: the same text put into a plain
   QPlainTextEdit and painted, without highlights.
2. One annotation from key press to committed row (target: median <= 10 ms).
   Baseline: the bare service write of the same annotation.
3. Cold start of ``loupe`` to a shown window on the sample project (target <= 1.5 s).
   Baseline: a Python process that shows an empty QPlainTextEdit and quits.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

WORDS = "recruits were taken from the detention centre and driven to a training camp".split()


def _text(n_chars: int, rng: random.Random) -> str:
    paragraphs, size = [], 0
    while size < n_chars:
        paragraph = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 90))) + "."
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return "Headline of a long report\n\n" + "\n\n".join(paragraphs)[:n_chars]


def _spans(text: str, n: int, rng: random.Random) -> list[tuple[int, int]]:
    spans = []
    for _ in range(n):
        start = rng.randrange(0, len(text) - 30)
        spans.append((start, start + rng.randint(3, 25)))
    return spans


def _open_article(n_chars: int, n_entities: int, n_annotations: int) -> tuple[float, float]:
    from PySide6.QtWidgets import QApplication, QPlainTextEdit

    from app.core.articles import ImportedArticle
    from app.services.editing import add_annotation
    from app.services.projects import create_project
    from app.ui.application import ensure_application
    from app.ui.article_view import ArticleView
    from app.ui.controller import CodingController

    app = ensure_application()
    rng = random.Random(3)
    text = _text(n_chars, rng)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "big.loupe")
        with create_project(path) as project:
            entities = [(s, e, rng.choice(["PERSON", "ORG", "GPE", "DATE"])) for s, e in _spans(text, n_entities, rng)]
            (article_id,) = project.store.articles.add_batch(
                [(ImportedArticle(title="Headline", text=text, origin="bench"), entities)], model="bench"
            )
            coder = project.store.coders.get_or_create("bench")
            for s, e in _spans(text, n_annotations, rng):
                add_annotation(project, article_id=article_id, coder_id=coder.id,
                               label=rng.choice(["Actor", "Claim", "Coercion"]), start=s, end=e)
        controller = CodingController()
        controller.open_project(path, "bench")
        view = ArticleView(controller)
        view.resize(1000, 800)
        view.show()
        plain = QPlainTextEdit()
        plain.resize(1000, 800)
        plain.show()
        app.processEvents()
        ours, bare = [], []
        for _ in range(5):
            started = time.perf_counter()
            controller.open_article(article_id)
            view.viewport().repaint()
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            plain.setPlainText(text)
            plain.viewport().repaint()
            bare.append(time.perf_counter() - started)
            app.processEvents()
        assert len(controller.bundle.entities) == n_entities
        view.close()
        plain.close()
        controller.close_project()
    QApplication.processEvents()
    return statistics.median(ours), statistics.median(bare)


def bench_open_10k_words() -> dict:
    ours, bare = _open_article(60_000, 1_000, 300)
    return {
        "name": "open article: 10,000 words, 1,000 entities, 300 annotations, drawn",
        "ours": ours * 1000, "baseline": bare * 1000, "unit": "ms",
        "baseline_name": "plain QPlainTextEdit, same text, no highlights",
        "target": "ours <= 30 ms", "notes": "median of 5",
    }


def bench_open_100k_chars() -> dict:
    ours, bare = _open_article(100_000, 6_000, 4_000)
    return {
        "name": "open article: 100,000 characters, 10,000 highlights, drawn",
        "ours": ours * 1000, "baseline": bare * 1000, "unit": "ms",
        "baseline_name": "plain QPlainTextEdit, same text, no highlights",
        "target": "ours <= 150 ms", "notes": "median of 5; 6,000 entities + 4,000 annotations",
    }


def bench_key_to_committed_row(n: int = 200) -> dict:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest

    from app.core.articles import ImportedArticle
    from app.services.editing import add_annotation
    from app.services.projects import create_project, open_project
    from app.ui.application import open_window

    rng = random.Random(5)
    text = _text(20_000, rng)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "keys.loupe")
        with create_project(path) as project:
            entities = [(s, e, "PERSON") for s, e in _spans(text, 300, rng)]
            project.store.articles.add_batch(
                [(ImportedArticle(title="Headline", text=text, origin="bench"), entities)], model="bench"
            )
        window = open_window(path, "bench", settings_path=Path(tmp, "settings.ini"))
        view = window.article_panel.view
        view.setFocus()
        from PySide6.QtWidgets import QApplication

        while not window.isActiveWindow():  # shortcuts reach only the active window
            QApplication.processEvents()
        ours = []
        starts = [i * 90 for i in range(n)]
        for start in starts:
            cursor = QTextCursor(view.document())
            cursor.setPosition(start)
            cursor.setPosition(start + 8, QTextCursor.MoveMode.KeepAnchor)
            view.setTextCursor(cursor)
            began = time.perf_counter()
            QTest.keyClick(view, Qt.Key.Key_1)
            ours.append(time.perf_counter() - began)
        stored = len(window.controller.bundle.annotations)
        window.close()
        assert stored == n, stored
        bare = []
        with open_project(path) as project:
            article_id = project.store.articles.list()[0].id
            coder = project.store.coders.get_or_create("bench")
            for start in starts:
                began = time.perf_counter()
                add_annotation(project, article_id=article_id, coder_id=coder.id, label="Actor",
                               start=start + 1, end=start + 7)
                bare.append(time.perf_counter() - began)
    return {
        "name": f"one annotation, key press to committed row (median of {n})",
        "ours": statistics.median(ours) * 1000, "baseline": statistics.median(bare) * 1000,
        "unit": "ms", "baseline_name": "the service write alone, no window",
        "target": "ours <= 10 ms",
        "notes": f"p95 {statistics.quantiles(ours, n=20)[-1] * 1000:.2f} ms; article of 20,000 characters",
    }


_BARE_START = (
    "import sys; from PySide6.QtWidgets import QApplication, QPlainTextEdit; "
    "from PySide6.QtCore import QTimer; app = QApplication(sys.argv); w = QPlainTextEdit(); "
    "w.show(); QTimer.singleShot(0, app.quit); app.exec()"
)


def bench_cold_start(repeats: int = 5) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, LOUPE_DATA_DIR=tmp, LOUPE_QUIT_WHEN_SHOWN="1",
                   LOUPE_SETTINGS=str(Path(tmp, "settings.ini")))
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        # Build the sample project first: its one-time import is not part of a start.
        subprocess.run([sys.executable, "-m", "app", "--summary"], env=env, check=True,
                       capture_output=True)
        ours, bare = [], []
        for _ in range(repeats):
            began = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "app", "--coder", "bench"], env=env,
                                  capture_output=True, text=True)
            ours.append(time.perf_counter() - began)
            assert done.returncode == 0, done.stderr
            assert "ready spacy_loaded=False" in done.stdout, (done.stdout, done.stderr)
            began = time.perf_counter()
            subprocess.run([sys.executable, "-c", _BARE_START], env=env, check=True)
            bare.append(time.perf_counter() - began)
    return {
        "name": "cold start of loupe to a shown window on the sample project",
        "ours": statistics.median(ours), "baseline": statistics.median(bare), "unit": "s",
        "baseline_name": "python showing an empty QPlainTextEdit",
        "target": "ours <= 1.5 s", "notes": f"median of {repeats}",
    }


BENCHMARKS = [bench_open_10k_words, bench_open_100k_chars, bench_key_to_committed_row, bench_cold_start]
