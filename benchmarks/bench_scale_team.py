"""The lead's Team window at 1,000, 10,000 and 100,000 articles (issue "Scale").

Each benchmark runs at every size of :func:`benchmarks.bench_scale_window.sizes` on the
generated projects of :mod:`benchmarks.scale` (a copy, since the window may write), and
reports the figure at the largest size, a baseline measured in the same run, and in its
notes the figure at each size with the growth factor from the smallest to the largest
(the data grows 100-fold; a table whose cost does not grow with the project keeps that
factor near 1).

1. The Assignments tab shown (both tables read, the rows in view drawn): target
   <= 1,500 ms at 100,000. Baseline: the bare SQL of the article ids in project order.
2. The Assignments table sorted by title, by a coder's column and back by number, and
   filtered by text and by "assigned to nobody", median: target <= 100 ms. Baseline: the
   bare SQL of the ids sorted by title. The notes add each change made first after
   another program committed to the file (the window then reads the assignments again).
3. The Training tab shown (candidate articles and the training report).
4. The Adjudication tab shown on the agreement variant (twenty coders, a tenth of the
   articles finished by all of them; an adjudicator added beforehand), started as that
   adjudicator (its own connection, the overlap articles listed, the first one open).
   Baseline: the bare SQL of the overlap articles' ids.
"""

from __future__ import annotations

import functools
import os
import shutil
import sqlite3
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.bench_scale_window import _result, sizes
from benchmarks.scale import build, build_agreement

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _app() -> Any:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _copy(path: Path) -> Path:
    """A fresh copy of a generated project (the window may write: an adjudicator)."""
    target = path.with_name(path.stem + ".team.loupe")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(path, target)
    return target


def _timed_ms(action: Callable[[], object]) -> float:
    app = _app()
    started = time.perf_counter()
    action()
    app.processEvents()
    return (time.perf_counter() - started) * 1000


def _median_ms(action: Callable[[], object], repeats: int) -> float:
    return statistics.median(_timed_ms(action) for _ in range(repeats))


@functools.cache
def _lead_window(path: Path) -> Any:
    from app.ui.lead.lead_window import LeadWindow

    _app()
    return LeadWindow(path)


def _bare(path: Path, sql: str) -> Callable[[], object]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    return lambda: conn.execute(sql).fetchall()


def _fresh_window(path: Path) -> Any:
    from app.ui.lead.lead_window import LeadWindow

    _app()
    return LeadWindow(path)


def bench_scale_team_assignments_open() -> dict:
    ours, bare = {}, {}
    for n in sizes():
        path = _copy(build(n))
        runs = []
        for _ in range(3):
            window = _fresh_window(path)
            runs.append(_timed_ms(window.show_assignments))
            window.close()
            window.deleteLater()
        ours[n] = min(runs)
        bare[n] = _median_ms(_bare(path, "SELECT id FROM article ORDER BY position"), 3)
    largest = max(ours)
    return _result(
        "Team window, Assignments tab shown", ours, bare[largest], "ms",
        "bare sqlite3 query of every article id in order", "ours <= 1,500 ms at 100,000; growth near 1",
    )


def _assignment_changes(view: Any) -> list[Callable[[], None]]:
    from PySide6.QtCore import Qt

    def sort(column: int) -> Callable[[], None]:
        def change() -> None:
            view.articles_view.sortByColumn(column, Qt.SortOrder.AscendingOrder)
            view.articles_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        return change

    def filter_text() -> None:
        view.search.setText("Moscow")
        view.search.setText("")

    def filter_unassigned() -> None:
        view.show_filter.setCurrentIndex(view.show_filter.findData("unassigned"))
        view.show_filter.setCurrentIndex(0)

    return [sort(1), sort(3), filter_text, filter_unassigned]


def _touch(path: Path) -> Callable[[], None]:
    """A commit by another program that changes nothing the table shows (a coder's time
    on one article, as the coding window writes every half minute): the window's copy
    of the assignments (kept per state of the file) must be read again."""
    conn = sqlite3.connect(path)

    def touch() -> None:
        conn.execute("UPDATE assignment SET seconds_spent = seconds_spent + 1 WHERE id = (SELECT min(id) FROM assignment)")
        conn.commit()
    return touch


def bench_scale_team_assignments_sort_filter() -> dict:
    ours, bare, each, cold = {}, {}, {}, {}
    for n in sizes():
        path = _copy(build(n))
        window = _lead_window(path)
        window.show_assignments()
        _app().processEvents()
        changes = _assignment_changes(window.assignments)
        # Each change is two table changes (there and back): halved for one.
        each[n] = [_median_ms(change, 5) / 2 for change in changes]
        ours[n] = statistics.median(each[n])
        touch = _touch(path)
        # Not halved: the first table change reads the file again, the way back is cheap.
        cold[n] = [statistics.median((touch(), _timed_ms(change))[1] for _ in range(3)) for change in changes]
        bare[n] = _median_ms(_bare(path, "SELECT id FROM article ORDER BY title COLLATE NOCASE, position"), 5)
    largest = max(ours)
    names = ("title", "a coder's column", "text", "unassigned")
    figures = ", ".join(f"{what} {ms:.0f} ms" for what, ms in zip(names, each[largest], strict=True))
    after = ", ".join(f"{what} {ms:.0f} ms" for what, ms in zip(names, cold[largest], strict=True))
    return _result(
        "Assignments table sorted (title, a coder) and filtered (text, unassigned), median", ours,
        bare[largest], "ms", "bare sqlite3 query of the ids sorted by title", "ours <= 100 ms; growth near 1",
        f"each at {largest:,}: {figures}; the first after another program changed the file: {after}",
    )


def bench_scale_team_training_open() -> dict:
    ours, bare = {}, {}
    for n in sizes():
        path = _copy(build(n))
        window = _fresh_window(path)
        ours[n] = _timed_ms(window.show_training)
        window.close()
        bare[n] = _median_ms(_bare(path, "SELECT id, title FROM article ORDER BY position"), 3)
    largest = max(ours)
    return _result(
        "Team window, Training tab shown", ours, bare[largest], "ms",
        "bare sqlite3 query of every article id and title", "ours <= 1,500 ms at 100,000; growth near 1",
    )


def bench_scale_team_adjudication_open() -> dict:
    from app.services.assignment import add_coder
    from app.services.projects import open_project

    ours, bare = {}, {}
    for n in sizes():
        path = _copy(build_agreement(n))
        with open_project(path) as project:  # before the window, which would start at once
            add_coder(project, "judge", "adjudicator")
        window = _fresh_window(path)
        ours[n] = _timed_ms(lambda w=window: w.show_adjudication("judge"))
        window.close()
        bare[n] = _median_ms(_bare(path, (
            "SELECT article_id FROM assignment WHERE status = 'done' GROUP BY article_id HAVING count(*) > 1"
        )), 3)
    largest = max(ours)
    return _result(
        "Team window, Adjudication tab shown (agreement variant, first article open)", ours, bare[largest],
        "ms", "bare sqlite3 query of the overlap articles' ids", "ours <= 1,500 ms at 100,000; growth near 1",
    )


BENCHMARKS = [
    bench_scale_team_assignments_open, bench_scale_team_assignments_sort_filter,
    bench_scale_team_training_open, bench_scale_team_adjudication_open,
]
