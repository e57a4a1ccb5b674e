"""The coding window and search at 1,000, 10,000 and 100,000 articles (issue "Scale").

Each benchmark runs at every size of :func:`benchmarks.scale.sizes` on the generated
projects of :mod:`benchmarks.scale` (coder0 is assigned about half of the articles), and
reports the figure at the largest size, a baseline measured in the same run, and in its
notes the figure at each size with the growth factor from the smallest to the largest
(the data grows 100-fold; a window whose cost does not grow with the project keeps that
factor near 1).

1. Start to a usable window (article list filled, first article open), in a fresh
   process: target <= 1.5 s and <= 400 MB at 100,000. Baseline: a process that shows an
   empty Qt window.
2. Next / previous / next unfinished article, median: target <= 30 ms. Baseline: the
   same article loaded by the service alone (no window).
3. Sorting the list by title, filtering it by status and by text, median: target
   <= 100 ms. Baseline: the bare SQL that returns the same ids (sqlite3, no Loupe).
4. Find in Project, median over five queries (a common word, a phrase, a prefix,
   Cyrillic, Arabic) as coder0: target <= 100 ms. Baseline: the bare FTS5 query of the
   matching rows (sqlite3).
"""

from __future__ import annotations

import functools
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.scale import SIZES, build

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
CODER = "coder0"
QUERIES = ("deportation", '"training camp"', "passport*", "заключённым", "المهاجرون")

START = r"""
import sys, time
def peak_mb():
    # VmHWM is this process's peak; getrusage's ru_maxrss would start at the size of
    # the benchmark process that launched this one (kept across fork and exec).
    for line in open("/proc/self/status", encoding="ascii"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM")
began = time.perf_counter()
from PySide6.QtWidgets import QApplication
from app.ui.application import open_window
window = open_window(sys.argv[1], sys.argv[2], settings_path=sys.argv[3])
app = QApplication.instance()
app.processEvents()
assert window.controller.bundle is not None and window.article_list.model.rowCount() > 0
elapsed = time.perf_counter() - began
print(elapsed, peak_mb())
"""

EMPTY = r"""
import sys, time
def peak_mb():
    # VmHWM is this process's peak; getrusage's ru_maxrss would start at the size of
    # the benchmark process that launched this one (kept across fork and exec).
    for line in open("/proc/self/status", encoding="ascii"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM")
began = time.perf_counter()
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.show()
app.processEvents()
print(time.perf_counter() - began, peak_mb())
"""


def sizes() -> list[int]:
    """The sizes to run: ``$LOUPE_SCALE_SIZES`` (comma-separated), else all three."""
    raw = os.environ.get("LOUPE_SCALE_SIZES")
    return sorted(int(n) for n in raw.split(",")) if raw else list(SIZES)


def _child(code: str, *args: str) -> tuple[float, float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True)
    seconds, megabytes = out.stdout.split()[-2:]
    return float(seconds), float(megabytes)


def _settings(n: int) -> str:
    return str(build(n).with_suffix(".bench.ini"))


def _growth(label: str, unit: str, per_size: dict[int, float]) -> str:
    first, last = min(per_size), max(per_size)
    figures = ", ".join(f"{n:,}: {value:.1f} {unit}" for n, value in sorted(per_size.items()))
    factor = per_size[last] / per_size[first] if per_size[first] else float("inf")
    return f"{label} {figures}; growth x{factor:.2f} for {last // first}x the articles"


def _result(name: str, per_size: dict[int, float], baseline: float, unit: str, base_name: str,
            target: str, extra: str = "") -> dict[str, Any]:
    largest = max(per_size)
    return {
        "name": f"{name} ({largest:,} articles)", "ours": per_size[largest], "baseline": baseline,
        "unit": unit, "baseline_name": base_name, "target": target,
        "notes": _growth("per size:", unit, per_size) + (f"; {extra}" if extra else ""),
    }


def bench_scale_window_start() -> dict:
    times, memory = {}, {}
    for n in sizes():
        build(n)
        _child(START, str(build(n)), CODER, _settings(n))  # migrates an older file once
        runs = [_child(START, str(build(n)), CODER, _settings(n)) for _ in range(3)]
        times[n] = min(r[0] for r in runs) * 1000
        memory[n] = max(r[1] for r in runs)
    bare = min(_child(EMPTY)[0] for _ in range(3)) * 1000
    return _result(
        "window start to a usable window", times, bare, "ms", "empty Qt window in a fresh process",
        "ours <= 1,500 ms and <= 400 MB at 100,000; growth near 1",
        _growth("peak memory", "MB", memory),
    )


@functools.cache
def _window(n: int) -> Any:
    from PySide6.QtWidgets import QApplication

    from app.ui.application import open_window

    window = open_window(build(n), CODER, settings_path=_settings(n))
    QApplication.instance().processEvents()
    return window


def _median_ms(action: Callable[[], object], repeats: int) -> float:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        if app is not None:
            app.processEvents()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench_scale_window_navigation() -> dict:
    from app.services import coding

    ours, bare = {}, {}
    for n in sizes():
        c = _window(n).controller
        steps = [
            functools.partial(c.go_relative, 1), functools.partial(c.go_relative, -1), c.go_next_unfinished,
        ]
        ours[n] = statistics.median(_median_ms(step, 15) for step in steps)
        loads = [functools.partial(coding.load_article, c.project, i, c.coder.id) for i in c.order.ids[:15]]
        bare[n] = statistics.median(_median_ms(load, 1) for load in loads)
    largest = max(ours)
    return _result(
        "next / previous / next unfinished article, median", ours, bare[largest], "ms",
        "the same article loaded by the service alone", "ours <= 30 ms; growth near 1",
    )


def _bare_ids(path: Path, sql: str, *params: object) -> Callable[[], object]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    return lambda: conn.execute(sql, params).fetchall()


def _list_changes(panel: Any) -> list[Callable[[], None]]:
    """Sorting by title, filtering by status, filtering by text: each there and back."""
    from PySide6.QtCore import Qt

    from app.ui.article_list_model import Column

    def sort_title() -> None:
        panel.view.sortByColumn(Column.TITLE, Qt.SortOrder.AscendingOrder)
        panel.view.sortByColumn(Column.NUMBER, Qt.SortOrder.AscendingOrder)

    def filter_done() -> None:
        panel.status_filter.setCurrentIndex(panel.status_filter.findText("Done"))
        panel.status_filter.setCurrentIndex(panel.status_filter.findText("All"))

    def filter_text() -> None:
        panel.search.setText("Moscow")
        panel._reorder()  # at once, without the typing pause
        panel.search.setText("")
        panel._reorder()

    return [sort_title, filter_done, filter_text]


def bench_scale_window_sort_filter() -> dict:
    ours, bare = {}, {}
    for n in sizes():
        window = _window(n)
        # Each change is two list changes (there and back): halved for one.
        ours[n] = statistics.median(_median_ms(change, 5) / 2 for change in _list_changes(window.article_list))
        join = ("SELECT a.id, s.status FROM assignment s JOIN article a ON a.id = s.article_id "
                "WHERE s.coder_id = ?")
        bare[n] = statistics.median(
            _median_ms(_bare_ids(build(n), sql, window.controller.coder.id), 5) for sql in (
                join + " ORDER BY a.title COLLATE NOCASE",
                join + " AND s.status = 'done' ORDER BY a.position",
                join + " AND a.title LIKE '%Moscow%' ORDER BY a.position",
            )
        )
    largest = max(ours)
    return _result(
        "sort by title / filter by status / filter by text, median", ours, bare[largest], "ms",
        "bare sqlite3 query of the same ids", "ours <= 100 ms; growth at most that of the ids listed",
    )


def bench_scale_search() -> dict:
    from app.services.projects import open_project
    from app.services.search import search, search_filters

    ours, bare = {}, {}
    for n in sizes():
        with open_project(build(n)) as project:
            coder = project.store.coders.get_or_create(CODER).id
            filters = search_filters(project, coder)
            ours[n] = statistics.median(
                _median_ms(functools.partial(search, project, q, filters, limit=50), 5) for q in QUERIES
            )
        sql = ("SELECT rowid, highlight(article_fts, 1, '[', ']') FROM article_fts "
               "WHERE article_fts MATCH ? ORDER BY rowid LIMIT 50")
        bare[n] = statistics.median(_median_ms(_bare_ids(build(n), sql, q), 5) for q in QUERIES)
    largest = max(ours)
    return _result(
        "Find in Project as a coder, median of five queries (50 hits)", ours, bare[largest], "ms",
        "bare FTS5 query of 50 matching texts (no coder, no count)", "ours <= 100 ms",
    )


BENCHMARKS = [
    bench_scale_window_start, bench_scale_window_navigation, bench_scale_window_sort_filter,
    bench_scale_search,
]
