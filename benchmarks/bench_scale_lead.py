"""The lead's operations across project sizes (issue 14, parts 4 and 5).

Each benchmark runs at every size in ``$LOUPE_SCALE_SIZES`` (default ``1000,10000``;
add ``100000`` for the full run, which takes over half an hour on a 2-core
machine), on the generated projects of :mod:`benchmarks.scale` (built once, kept
outside git), and prints the figure at each size and the growth factor from the
smallest size to the largest against the growth of the data (100x for 1,000 to
100,000 articles). A cost that grows faster than the data is a failure, not a number.

1. Export to .xlsx of the coded project (about ten annotations per article: 1,000,000
   at 100,000 articles, with relations and answers), in a fresh process, CPU seconds,
   against a bare openpyxl write-only loop of the same rows (the Annotations, Relations,
   Article answers and Codebook sheets, computed beforehand in memory). Target: ours /
   bare <= 1.3 at every size.
2. Peak memory growth of that export (peak RSS during the export over RSS before it, in
   the same fresh process). Target: < 100 MB at every size, flat across sizes.
3. ``loupe info`` on the coded project: wall time of the whole command in a fresh
   process (start of Python included), against a bare ``sqlite3`` process counting the
   same rows. Target: ours <= 1 s.
4. The lead's cycle on a copy of the base project: add 20 coders, ``assign`` (overlap
   0.05; overlap articles go to every coder), ``write_package`` for each coder, then (not
   timed) each coder's package gets five annotations and three answers per article it
   holds (629,675 annotations in all at 100,000 articles) and its statuses done, then
   ``merge_files`` of the 20 packages (backup and every check included). Target: the
   three timed steps <= 30 s in all. Baseline, stated: bare ``sqlite3`` moving the same
   data: ``executemany`` of the same assignment rows, per coder a new file filled by
   ``ATTACH`` + ``CREATE TABLE .. AS SELECT`` of its articles, and per package ``ATTACH``
   + ``INSERT OR REPLACE`` of its annotations and answers.
5. The agreement report (``n_bootstrap=0``) of twenty coders who all finished a tenth of
   the articles (10,000 overlapping articles and 1,000,000 spans at 100,000). Target:
   <= 10 s at 100,000 articles (twenty coders by 10,000 articles is the size the issue
   names; the smaller sizes show the growth).

    LOUPE_SCALE_SIZES=1000,10000,100000 .venv/bin/python -m benchmarks.run --only scale_lead
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from benchmarks import scale

ROOT = Path(__file__).resolve().parent.parent
TEAM = tuple(f"team{i:02d}" for i in range(20))
#: The cycle's overlap (an overlap article goes to every coder) and the annotations each
#: coder makes per article: 629,675 in the 20 packages at 100,000 articles.
OVERLAP = 0.05
PER_ARTICLE = 5


def sizes() -> list[int]:
    raw = os.environ.get("LOUPE_SCALE_SIZES", "1000,10000")
    return sorted(int(s) for s in raw.replace(" ", "").split(",") if s)


def growth(figures: dict[int, float]) -> tuple[float, float]:
    """(growth of the figure, growth of the data) from the smallest size to the largest."""
    small, large = min(figures), max(figures)
    return (figures[large] / figures[small] if figures[small] else float("inf")), large / small


def per_size(figures: dict[int, float], unit: str, fmt: str = ".2f") -> str:
    return ", ".join(f"{n:,}: {v:{fmt}} {unit}" for n, v in sorted(figures.items()))


def growth_note(figures: dict[int, float]) -> tuple[str, bool]:
    grew, data = growth(figures)
    ok = grew <= data * 1.1  # no faster than the data (a tenth for machine noise)
    return f"growth x{grew:.1f} for data x{data:.0f} ({'not faster than the data' if ok else 'FASTER THAN THE DATA'})", ok


# -- 1, 2: export ------------------------------------------------------------------------
_EXPORT = """
import gc, json, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})


def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(key)


path, out, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
if mode == "bare":
    from benchmarks.bench_scale_lead import bare_sheets, bare_write
    sheets = bare_sheets(path)
    gc.collect()
    gc.freeze()
    started = time.process_time()
    bare_write(sheets, out)
    print(json.dumps({{"cpu": time.process_time() - started, "rows": sum(len(s[2]) for s in sheets)}}))
else:
    from app.services.exporting import export_project
    from app.services.projects import open_project
    with open_project(path) as project:
        gc.collect()
        Path("/proc/self/clear_refs").write_text("5")
        before = status("VmRSS")
        started = time.process_time()
        report = export_project(project, out)
        cpu = time.process_time() - started
        peak = status("VmHWM")
    print(json.dumps({{"cpu": cpu, "growth_mb": peak - before, "annotations": report.annotations}}))
"""


def bare_sheets(path: Path) -> list[tuple[str, list, list]]:
    """The header and rows of the row sheets, exactly as the export computes them."""
    from app.services.exporting import (
        TableContext,
        annotations_table,
        answers_table,
        codebook_table,
        relations_table,
        resolve_scope,
    )
    from app.services.progress import never_cancelled, no_progress
    from app.services.projects import open_project
    from app.store.exports import ExportQueries

    with open_project(path) as project:
        ctx = TableContext(project, resolve_scope(project), ExportQueries(project.store.engine),
                           no_progress, never_cancelled)
        tables = [annotations_table(ctx), relations_table(ctx), answers_table(ctx), codebook_table(project.codebook)]
        return [(t.name, [c.name for c in t.columns], list(t.rows)) for t in tables]


def bare_write(sheets: list[tuple[str, list, list]], out: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, header, rows in sheets:
        sheet = book.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    book.save(out)


def _export_run(path: Path, out: Path, mode: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", _EXPORT.format(root=str(ROOT)), str(path), str(out), mode],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    out.unlink(missing_ok=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


_export_results: dict[int, tuple[dict, dict]] = {}


def _export(n: int) -> tuple[dict, dict]:
    """(ours, bare) at size ``n``: best of three below 100,000 articles, one run at it."""
    if n not in _export_results:
        path = scale.build_coded(n)
        with tempfile.TemporaryDirectory(prefix="loupe-bench-scale-") as folder:
            runs = 1 if n >= 100_000 else 3
            ours = [_export_run(path, Path(folder) / "ours.xlsx", "ours") for _ in range(runs)]
            bare = [_export_run(path, Path(folder) / "bare.xlsx", "bare") for _ in range(runs)]
        best = min(ours, key=lambda r: r["cpu"])
        best["growth_mb"] = max(r["growth_mb"] for r in ours)
        _export_results[n] = best, min(bare, key=lambda r: r["cpu"])
    return _export_results[n]


def bench_scale_lead_export_xlsx() -> dict:
    results = {n: _export(n) for n in sizes()}
    ours = {n: r[0]["cpu"] for n, r in results.items()}
    bare = {n: r[1]["cpu"] for n, r in results.items()}
    ratios = {n: ours[n] / bare[n] for n in ours}
    note, _ = growth_note(ours)
    largest = max(ours)
    return {
        "name": f"export the coded project to .xlsx at {per_size({n: n for n in ours}, 'articles', ',')}",
        "ours": ours[largest],
        "baseline": bare[largest],
        "unit": "CPU s",
        "baseline_name": "bare openpyxl write-only loop of the same rows, precomputed in memory",
        "target": "<= 1.3 at every size; growth not faster than the data",
        "notes": f"annotations {per_size({n: r[0]['annotations'] for n, r in results.items()}, '', ',')}; "
        f"ours {per_size(ours, 's')}; bare {per_size(bare, 's')}; ratio "
        f"{per_size(ratios, '', '.2f')}; ours {note}; bare growth x{growth(bare)[0]:.1f}",
    }


def bench_scale_lead_export_memory() -> dict:
    results = {n: _export(n) for n in sizes()}
    mb = {n: r[0]["growth_mb"] for n, r in results.items()}
    largest = max(mb)
    return {
        "name": "peak memory growth of the .xlsx export across sizes",
        "ours": mb[largest],
        "baseline": 100.0,
        "unit": "MB",
        "baseline_name": "the 100 MB budget",
        "target": "< 1 at every size (flat)",
        "notes": f"peak RSS over RSS before the export: {per_size(mb, 'MB', '.1f')}; "
        f"growth x{growth(mb)[0]:.2f} for data x{growth(mb)[1]:.0f}",
    }


# -- 3: loupe info --------------------------------------------------------------------------
_BARE_INFO = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
for table in ("article", "entity", "coder"):
    conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
for table in ("annotation", "relation", "document_code"):
    conn.execute(f"SELECT COUNT(*) FROM {table} WHERE deleted_at IS NULL").fetchone()
"""


def _wall(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def bench_scale_lead_info() -> dict:
    ours: dict[int, float] = {}
    bare: dict[int, float] = {}
    for n in sizes():
        path = str(scale.build_coded(n))
        _wall([sys.executable, "-m", "app.cli.main", "info", path])  # warm the page cache
        ours[n] = min(_wall([sys.executable, "-m", "app.cli.main", "info", path]) for _ in range(3))
        bare[n] = min(_wall([sys.executable, "-c", _BARE_INFO, path]) for _ in range(3))
    note, _ = growth_note(ours)
    largest = max(ours)
    return {
        "name": "loupe info on the coded project, whole command in a fresh process",
        "ours": ours[largest],
        "baseline": bare[largest],
        "unit": "s",
        "baseline_name": "a bare sqlite3 process counting the same rows",
        "target": "ours <= 1 s at every size",
        "notes": f"ours {per_size(ours, 's')}; bare {per_size(bare, 's')}; {note}",
    }


# -- 4: assign, package, merge ------------------------------------------------------------
def _code_package(path: Path, coder_name: str) -> int:
    """Five annotations and three answers per article of the package, statuses done (the
    coder's work, written with sqlite3 as the coder's Loupe would have; not timed)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    coder_id = conn.execute("SELECT id FROM coder WHERE name = ?", (coder_name,)).fetchone()[0]
    articles = conn.execute(
        "SELECT a.id, length(a.text) FROM article a JOIN assignment s ON s.article_id = a.id "
        "WHERE s.coder_id = ? ORDER BY a.position", (coder_id,),
    ).fetchall()
    spans, answers = [], []
    for i, (article_id, length) in enumerate(articles):
        for k in range(PER_ARTICLE):
            start = (i * 37 + k * 53) % max(1, length - 40)
            label = scale.LABELS[k % 3]
            spans.append((str(uuid.uuid4()), article_id, coder_id, label, start, start + 8 + k,
                          json.dumps(scale.ATTRIBUTES[label][k % 2]), "", 0, scale.NOW, scale.NOW))
        for question, value in (("relevance", "yes"), ("main_coercion_type", "none"), ("sourcing", "unsourced")):
            answers.append((str(uuid.uuid4()), article_id, coder_id, question, json.dumps(value), scale.NOW, scale.NOW))
    conn.executemany(scale._ANNOTATION, spans)
    conn.executemany(scale._ANSWER, answers)
    conn.execute("UPDATE assignment SET status = 'done', updated_at = ? WHERE coder_id = ?", (scale.NOW, coder_id))
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return len(spans)


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _cycle(n: int, folder: Path) -> dict:
    from app.services.assignment import assign
    from app.services.merging import merge_files
    from app.services.packages import write_package
    from app.services.projects import open_project

    lead = folder / "lead.loupe"
    shutil.copyfile(scale.build(n), lead)
    bare_lead = folder / "bare.loupe"
    shutil.copyfile(lead, bare_lead)
    with open_project(lead) as project:
        for name in TEAM:
            project.store.coders.get_or_create(name)
        seconds = {"assign": _timed(lambda: assign(project, list(TEAM), overlap=OVERLAP, seed=3, replace=True))}
        seconds["package"] = _timed(lambda: [write_package(project, name, folder / f"{name}.loupe") for name in TEAM])
    packages = [folder / f"{name}.loupe" for name in TEAM]
    annotations = sum(_code_package(path, name) for path, name in zip(packages, TEAM, strict=True))
    with open_project(lead) as project:
        seconds["merge"] = _timed(lambda: merge_files(project, packages))
    seconds["bare"] = _bare_cycle(lead, bare_lead, folder, packages)
    seconds["annotations"] = annotations
    return seconds


def _bare_cycle(lead: Path, bare_lead: Path, folder: Path, packages: list[Path]) -> float:
    """Bare sqlite3 moving the same data (see the module notes)."""
    source = sqlite3.connect(lead)
    coders = source.execute("SELECT id, name, role, created_at FROM coder").fetchall()
    team = {i for i, name, _, _ in coders if name in TEAM}
    pairs = source.execute("SELECT article_id, coder_id, updated_at FROM assignment WHERE assigned").fetchall()
    pairs = [p for p in pairs if p[1] in team]
    source.close()
    conn = sqlite3.connect(bare_lead, isolation_level=None)
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("BEGIN")
    conn.execute("DELETE FROM assignment")
    conn.executemany("INSERT OR IGNORE INTO coder VALUES (?, ?, ?, ?)", coders)
    conn.execute("COMMIT")
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO assignment (article_id, coder_id, status, assigned, seconds_spent, updated_at) "
        "VALUES (?, ?, 'todo', 1, 0.0, ?)", pairs,
    )
    conn.execute("COMMIT")
    for i, coder_id in enumerate(sorted(team)):
        conn.execute("ATTACH DATABASE ? AS pkg", (str(folder / f"bare-{i}.sqlite"),))
        conn.execute("BEGIN")
        conn.execute(
            "CREATE TABLE pkg.article AS SELECT * FROM article WHERE id IN "
            "(SELECT article_id FROM assignment WHERE coder_id = ?)", (coder_id,),
        )
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE pkg")
    for path in packages:
        conn.execute("ATTACH DATABASE ? AS pkg", (str(path),))
        conn.execute("BEGIN")
        for table in ("annotation", "document_code"):
            # The bare copy keeps the base file's schema; a package may have more columns.
            names = ", ".join(f'"{row[1]}"' for row in conn.execute(f"PRAGMA main.table_info({table})"))
            conn.execute(f"INSERT OR REPLACE INTO {table} ({names}) SELECT {names} FROM pkg.{table}")
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE pkg")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def bench_scale_lead_assign_package_merge() -> dict:
    results = {}
    for n in sizes():
        with tempfile.TemporaryDirectory(prefix="loupe-bench-cycle-") as folder:
            results[n] = _cycle(n, Path(folder))
    total = {n: r["assign"] + r["package"] + r["merge"] for n, r in results.items()}
    bare = {n: r["bare"] for n, r in results.items()}
    note, _ = growth_note(total)
    largest = max(total)
    steps = "; ".join(
        f"{n:,}: assign {r['assign']:.2f} s, 20 packages {r['package']:.2f} s, merge of {r['annotations']:,} "
        f"annotations {r['merge']:.2f} s" for n, r in sorted(results.items())
    )
    return {
        "name": "assign 20 coders, write 20 packages, merge the 20 coded packages",
        "ours": total[largest],
        "baseline": bare[largest],
        "unit": "s",
        "baseline_name": "bare sqlite3: executemany of the assignment, CREATE TABLE AS SELECT per coder, "
        "ATTACH + INSERT OR REPLACE per package",
        "target": "ours <= 30 s at every size",
        "notes": f"{steps}; total {per_size(total, 's')}; bare {per_size(bare, 's')}; {note}",
    }


# -- 5: agreement ---------------------------------------------------------------------------
def bench_scale_lead_agreement() -> dict:
    from app.services.agreement.report import agreement_report
    from app.services.projects import open_project

    seconds: dict[int, float] = {}
    spans: dict[int, int] = {}
    for n in sizes():
        with open_project(scale.build_agreement(n)) as project:
            started = time.perf_counter()
            report = agreement_report(project, n_bootstrap=0)
            seconds[n] = time.perf_counter() - started
        spans[n] = n // scale.AGREEMENT_SHARE * len(scale.AGREEMENT_CODERS) * scale.AGREEMENT_SPANS
        del report
    note, _ = growth_note(seconds)
    largest = max(seconds)
    return {
        "name": f"agreement report of {len(scale.AGREEMENT_CODERS)} coders on a tenth of the articles, no intervals",
        "ours": seconds[largest],
        "baseline": 10.0,
        "unit": "s",
        "baseline_name": "the 10 s budget (at 10,000 overlapping articles, i.e. 100,000 articles)",
        "target": "<= 1 at 100,000 articles; growth not faster than the data",
        "notes": f"overlapping articles {per_size({n: n // scale.AGREEMENT_SHARE for n in seconds}, '', ',')}; "
        f"spans {per_size(spans, '', ',')}; report {per_size(seconds, 's')}; {note}",
    }


BENCHMARKS = [
    bench_scale_lead_export_xlsx,
    bench_scale_lead_export_memory,
    bench_scale_lead_info,
    bench_scale_lead_assign_package_merge,
    bench_scale_lead_agreement,
]


if __name__ == "__main__":
    for bench in BENCHMARKS:
        print(bench(), flush=True)
