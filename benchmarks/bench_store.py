"""Opening a project: every check a file from outside must pass.

``ProjectStore.open`` checks the application id on the engine's first connection, runs
``PRAGMA integrity_check``, compares the file's schema with the migrations' (tables,
columns, keys, indexes; no triggers or views) and reads the revision, all through the
store's one connection. The baseline is the floor of any safe open: a bare ``sqlite3``
connection running the same integrity check. The ratio shows what the schema
comparison and the rest add on top; the time itself grows with the file (the
integrity check reads every page).
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import articles

ARTICLES = 2_000


def _project(folder: Path) -> Path:
    from app.core.articles import ImportedArticle
    from app.services.projects import create_project

    path = folder / "open.loupe"
    with create_project(path) as project:
        project.store.articles.add_batch(
            [(ImportedArticle(title=text.split("\n", 1)[0], text=text, origin="bench"), ())
             for text in articles(ARTICLES, words=300)],
            model=None,
        )
    return path


def _median(run, repeats: int = 7) -> float:  # noqa: ANN001 - a callable of no arguments
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_open_project() -> dict:
    from app.store.project_store import ProjectStore

    with tempfile.TemporaryDirectory(prefix="loupe-bench-open-") as tmp:
        path = _project(Path(tmp))
        ProjectStore.open(path).close()  # the reference schema is built once per process

        def ours() -> None:
            ProjectStore.open(path).close()

        def bare() -> None:
            conn = sqlite3.connect(path)
            try:
                assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                conn.execute("SELECT count(*) FROM project").fetchone()
            finally:
                conn.close()

        baseline = _median(bare)
        mine = _median(ours)
        size = path.stat().st_size
    return {
        "name": f"open a project of {ARTICLES:,} articles ({size / 1e6:.0f} MB): all checks",
        "ours": mine * 1000,
        "baseline": baseline * 1000,
        "unit": "ms",
        "baseline_name": "bare sqlite3 integrity_check of the same file",
        "target": "<= 2.0 at 2,000 articles; the overhead is a constant few ms, so the ratio falls as files grow",
        "notes": f"overhead over the bare integrity check: {(mine - baseline) * 1000:.1f} ms",
    }


BENCHMARKS = [bench_open_project]
