"""Merging coders' returned files into the lead's project.

A lead's project of 100 articles assigned to 10 coders, a package per coder, and
20,000 annotations added to each package (200,000 in all). Two figures, in seconds:

1. ``merge_files`` of the 10 files into the project (checks of every file, the backup,
   version comparison, bulk upserts, the merge log; one transaction). Target: < 10 s.
2. Merging the same 10 files again, which must change nothing. Target: < 3 s.

Baseline for both, measured in the same run on a copy of the same project: a bare
``sqlite3`` ``ATTACH`` + ``INSERT OR REPLACE INTO annotation SELECT * FROM ...`` of the
same rows, one transaction per file (SQLite cannot attach inside a transaction), with
the same pragmas (no checks, no version comparison, no backup; the second round
rewrites every row again).

    .venv/bin/python -m benchmarks.run --only merge
"""

from __future__ import annotations

import atexit
import functools
import shutil
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks.corpus import articles

N_ARTICLES = 100
N_CODERS = 10
PER_FILE = 20_000
LABELS = ("Actor", "Claim", "Coercion")


@functools.cache
def _prepared() -> Path:
    """A folder with lead.loupe and c0.loupe .. c9.loupe (built once per run)."""
    from app.core.records import Annotation, utc_now
    from app.services.assignment import assign
    from app.services.importing import import_articles
    from app.services.packages import write_package
    from app.services.projects import create_project, open_project

    folder = Path(tempfile.mkdtemp(prefix="loupe-bench-merge-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    sources = folder / "src"
    sources.mkdir()
    for i, text in enumerate(articles(N_ARTICLES, words=250)):
        (sources / f"{i:03d}.txt").write_text(text, encoding="utf-8")
    names = [f"c{i}" for i in range(N_CODERS)]
    with create_project(folder / "lead.loupe") as lead:
        import_articles(lead, [sources], model="no_such_pipeline_xyz")
        for name in names:
            lead.store.coders.get_or_create(name)
        assign(lead, names, overlap=1.0, seed=1)
    with open_project(folder / "lead.loupe") as lead:
        for name in names:
            write_package(lead, name, folder / f"{name}.loupe")
    for name in names:
        with open_project(folder / f"{name}.loupe") as package:
            coder_id = package.store.coders.find(name).id
            article_ids = [a.id for a in package.store.articles.list()]
            now = utc_now()
            package.store.annotations.add_many(
                Annotation(
                    id=str(uuid.uuid4()), article_id=article_ids[i % len(article_ids)],
                    coder_id=coder_id, label=LABELS[i % 3], start=i % 900, end=i % 900 + 12,
                    attributes={"claim_type": "allegation"} if i % 3 == 1 else {},
                    created_at=now, updated_at=now,
                )
                for i in range(PER_FILE)
            )
    return folder


def _packages(folder: Path) -> list[Path]:
    return [folder / f"c{i}.loupe" for i in range(N_CODERS)]


def _ours(lead: Path, packages: list[Path]) -> tuple[float, int]:
    from app.services.merging import merge_files
    from app.services.projects import open_project

    with open_project(lead) as project:
        started = time.perf_counter()
        report = merge_files(project, packages)
        elapsed = time.perf_counter() - started
    return elapsed, report.total("annotation")


def _bare(lead: Path, packages: list[Path]) -> float:
    conn = sqlite3.connect(lead, isolation_level=None)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=FULL"):
        conn.execute(f"PRAGMA {pragma}")
    started = time.perf_counter()
    conn.execute("BEGIN")
    for path in packages:
        conn.execute("ATTACH DATABASE ? AS pkg", (str(path),))
        conn.execute("INSERT OR REPLACE INTO annotation SELECT * FROM pkg.annotation")
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE pkg")
        conn.execute("BEGIN")
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    assert conn.execute("SELECT COUNT(*) FROM annotation").fetchone()[0] == N_CODERS * PER_FILE
    conn.close()
    return elapsed


def _copies(tag: str) -> tuple[Path, Path, list[Path]]:
    folder = _prepared()
    run = folder / tag
    run.mkdir()
    ours, bare = run / "ours.loupe", run / "bare.loupe"
    shutil.copy(folder / "lead.loupe", ours)
    shutil.copy(folder / "lead.loupe", bare)
    return ours, bare, _packages(folder)


def bench_merge_ten_files() -> dict:
    ours_lead, bare_lead, packages = _copies("first")
    ours, merged = _ours(ours_lead, packages)
    bare = _bare(bare_lead, packages)
    assert merged == N_CODERS * PER_FILE, merged
    return {
        "name": f"merge {N_CODERS} coder files x {PER_FILE:,} annotations into a project",
        "ours": ours,
        "baseline": bare,
        "unit": "s",
        "baseline_name": "bare sqlite3 ATTACH + INSERT OR REPLACE ... SELECT, same rows",
        "target": "ours < 10 s",
        "notes": "ours includes checking every file (integrity, project, codebook, article "
        "texts), the backup of the project and the merge log",
    }


def bench_remerge_ten_files() -> dict:
    ours_lead, bare_lead, packages = _copies("again")
    _ours(ours_lead, packages)
    _bare(bare_lead, packages)
    ours, merged = _ours(ours_lead, packages)
    bare = _bare(bare_lead, packages)
    assert merged == 0, merged
    return {
        "name": f"merge the same {N_CODERS} files again (changes nothing)",
        "ours": ours,
        "baseline": bare,
        "unit": "s",
        "baseline_name": "the bare INSERT OR REPLACE again (rewrites every row)",
        "target": "ours < 3 s",
        "notes": "ours reads and compares every row, writes none; includes checks and backup",
    }


BENCHMARKS = [bench_merge_ten_files, bench_remerge_ten_files]
