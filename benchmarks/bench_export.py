"""Excel export of a large project: time against bare openpyxl, and flat memory.

1. ``export_project`` of 300,000 annotations (3,000 generated articles x 100 spans with
   attributes and notes) to .xlsx, every sheet included, against a bare openpyxl
   write-only loop appending the same cells (the rows of the Annotations, Article
   answers and Codebook sheets, computed beforehand) to a workbook. Each run in a fresh
   process, alternated, best of three, in CPU seconds of the process (steadier than
   wall-clock time on a shared machine); target ours / bare <= 1.3.
2. Peak memory growth of the export (peak resident set size over the size before the
   export, in a fresh subprocess per run; Linux) with 300,000 annotations minus that
   with 30,000: target under 60 MB. The baseline is the same export made by building
   the list of all Annotations rows first.
"""

from __future__ import annotations

import atexit
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from benchmarks.corpus import articles

N_ANNOTATIONS = 300_000
SMALL = 30_000
PER_ARTICLE = 100
ROOT = Path(__file__).resolve().parent.parent
_WORD = re.compile(r"\w+")
_built: dict[int, Path] = {}


def _workdir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="loupe-bench-export-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def build_project(n_annotations: int) -> Path:
    """A project with ``n_annotations`` annotations of two coders (built once per run)."""
    if n_annotations in _built:
        return _built[n_annotations]
    from app.core.articles import ImportedArticle
    from app.core.records import Annotation, utc_now
    from app.services.projects import create_project

    path = _workdir() / f"bench-{n_annotations}.loupe"
    rng = random.Random(11)
    n_articles = n_annotations // PER_ARTICLE
    texts = articles(n_articles, seed=5, words=400)
    attributes = {
        "Actor": lambda: {"actor_type": rng.choice(["police", "prisoner", "armed_forces"]), "role": "target"},
        "Claim": lambda: {"claim_type": "allegation", "attribution": "named_source"},
        "Coercion": lambda: {"coercion_type": "threat_of_deportation", "stage": "carried_out"},
    }
    with create_project(path) as project:
        store = project.store
        coders = [store.coders.get_or_create(name).id for name in ("ana", "ben")]
        ids: list[str] = []
        for i in range(0, n_articles, 500):
            batch = [
                (ImportedArticle(title=t.split("\n", 1)[0], text=t, origin=f"bench {i + k}",
                                 external_id=f"bench-{i + k}", published="2024-03-05"), ())
                for k, t in enumerate(texts[i : i + 500])
            ]
            ids += store.articles.add_batch(batch, model=None)
        now = utc_now()

        def annotations():
            for article_id, text in zip(ids, texts, strict=True):
                words = [m.span() for m in _WORD.finditer(text)]
                for k in range(PER_ARTICLE):
                    first = rng.randrange(len(words) - 4)
                    start, end = words[first][0], words[first + rng.randrange(4)][1]
                    label = ("Actor", "Claim", "Coercion")[k % 3]
                    yield Annotation(
                        str(uuid.uuid4()), article_id, coders[k % 2], label, start, end,
                        attributes[label](), "see the source" if k % 10 == 0 else "", k % 7 == 0,
                        1, now, now,
                    )

        store.annotations.add_many(annotations())
    _built[n_annotations] = path
    return path


def _bare_rows(path: Path) -> list[tuple[str, list, list]]:
    """The header and rows of the big sheets, exactly as the export computes them."""
    from app.services.exporting import (
        TableContext,
        annotations_table,
        answers_table,
        codebook_table,
        resolve_scope,
    )
    from app.services.progress import never_cancelled, no_progress
    from app.services.projects import open_project
    from app.store.exports import ExportQueries

    with open_project(path) as project:
        ctx = TableContext(project, resolve_scope(project), ExportQueries(project.store.engine),
                           no_progress, never_cancelled)
        tables = [annotations_table(ctx), answers_table(ctx), codebook_table(project.codebook)]
        return [(t.name, [c.name for c in t.columns], list(t.rows)) for t in tables]


def _bare_write(sheets: list[tuple[str, list, list]], out: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, header, rows in sheets:
        sheet = book.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    book.save(out)


_TIME = """
import gc, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from benchmarks.bench_export import _bare_rows, _bare_write
from app.services.exporting import export_project
from app.services.projects import open_project

path, out, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
if mode == "bare":
    sheets = _bare_rows(path)
    gc.collect()
    gc.freeze()  # the collector would otherwise walk the precomputed rows again and again
    started = time.process_time()
    _bare_write(sheets, out)
else:
    with open_project(path) as project:
        started = time.process_time()
        report = export_project(project, out)
        assert report.annotations > 0
print(time.process_time() - started)
"""


def _cpu_seconds(path: Path, out: Path, mode: str) -> float:
    result = subprocess.run(
        [sys.executable, "-c", _TIME.format(root=str(ROOT)), str(path), str(out), mode],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    return float(result.stdout.strip().splitlines()[-1])


def bench_export_xlsx() -> dict:
    path = build_project(N_ANNOTATIONS)
    out = path.parent / "out"
    out.mkdir(exist_ok=True)
    ours, bare = [], []
    for attempt in range(3):  # alternated, so that machine noise hits both alike
        ours.append(_cpu_seconds(path, out / f"ours-{attempt}.xlsx", "ours"))
        bare.append(_cpu_seconds(path, out / f"bare-{attempt}.xlsx", "bare"))
    return {
        "name": f"export {N_ANNOTATIONS:,} annotations to .xlsx (best of 3)",
        "ours": min(ours),
        "baseline": min(bare),
        "unit": "CPU s",
        "baseline_name": "bare openpyxl write-only loop, same cells precomputed in memory",
        "target": "<= 1.3",
        "notes": f"each run in a fresh process; ours {', '.join(f'{t:.1f}' for t in ours)}, bare "
        f"{', '.join(f'{t:.1f}' for t in bare)} CPU s; ours reads the project, checks every "
        "text cell and writes every sheet",
    }


_MEASURE = """
import gc, json, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from app.services.exporting import TableContext, annotations_table, export_project, resolve_scope
from app.services.progress import never_cancelled, no_progress
from app.services.projects import open_project
from app.store.exports import ExportQueries
from app.exchange.writers.xlsx import WorkbookWriter


def status(key):
    # VmHWM is this process's peak; unlike getrusage's ru_maxrss it does not start
    # at the size of the (large) benchmark process that launched this one.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(key)


path, out, naive = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "naive"
with open_project(path) as project:
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from here
    before = status("VmRSS")
    if naive:
        ctx = TableContext(project, resolve_scope(project), ExportQueries(project.store.engine),
                           no_progress, never_cancelled)
        table = annotations_table(ctx)
        table.rows = list(table.rows)
        writer = WorkbookWriter()
        writer.add_table(table)
        writer.save(out)
    else:
        export_project(project, out)
    peak = status("VmHWM")
print(json.dumps({{"growth_mb": peak - before}}))
"""


def _growth(path: Path, naive: bool) -> float:
    out = path.parent / f"memory-{'naive' if naive else 'ours'}.xlsx"
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE.format(root=str(ROOT)), str(path), str(out),
         "naive" if naive else "ours"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])["growth_mb"]


def bench_export_memory() -> dict:
    small, large = build_project(SMALL), build_project(N_ANNOTATIONS)
    ours_small, ours_large = _growth(small, False), _growth(large, False)
    naive_small, naive_large = _growth(small, True), _growth(large, True)
    return {
        "name": f"peak memory growth of the .xlsx export, {N_ANNOTATIONS:,} vs {SMALL:,} annotations",
        "ours": ours_large - ours_small,
        "baseline": naive_large - naive_small,
        "unit": "MB",
        "baseline_name": "the same export building the list of all Annotations rows first",
        "target": "ours < 60 MB (absolute); ratio well below 1",
        "notes": f"peak RSS growth during the export: ours {ours_small:.1f} MB at {SMALL:,}, "
        f"{ours_large:.1f} MB at {N_ANNOTATIONS:,}; list-first {naive_small:.1f} / {naive_large:.1f} MB",
    }


BENCHMARKS = [bench_export_xlsx, bench_export_memory]
