"""The team server on a localhost PostgreSQL cluster (started here, removed afterwards).

1. Edit latency with 20 concurrent writers: 20 processes, each signed in as its own
   coder's login, each making LOUPE_BENCH_SERVER_EDITS edits (default 200) through
   :func:`app.services.editing.apply_edit`, the call the window makes on a key press,
   which returns once the row is committed: in turn add a span, change its attributes,
   answer a question, remove the span. Baseline in the same run: 20 processes, on the same
   logins, each doing a bare psycopg INSERT of a similar annotation row + COMMIT. Printed:
   p50 and p99 in milliseconds (targets: p50 <= 10 ms, p99 <= 50 ms). The cluster runs
   with fsync on, as a real one does.
2. The agreement report (no bootstrap: the reading is what differs) of the 1,000-article
   generated agreement project published to the server, against the same report on the
   SQLite file in the same run. Target: ours / SQLite <= 1.5.

Skipped, with the reason printed, without psycopg or PostgreSQL's server programs.

    PYTHONPATH=. .venv/bin/python -m benchmarks.run --only server
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import statistics
import tempfile
import time
import uuid
from functools import cache
from pathlib import Path
from typing import Any

N_WRITERS = 20
SCALE_DIR = Path(os.environ.get("LOUPE_SCALE_DIR", "/tmp/loupe-scale"))
AGREEMENT_PROJECT = SCALE_DIR / "scale-1000-agreement.loupe"


def _edits() -> int:
    return int(os.environ.get("LOUPE_BENCH_SERVER_EDITS", "200"))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# -- the writers (run in child processes) ----------------------------------------------------


def _loupe_writer(url: str, coder_id: str, article_ids: list[str], n: int, barrier: Any, out: Any) -> None:
    from app.core.edits import AddAnnotation, ChangeAnnotation, RemoveAnnotation, SetAnswer
    from app.services.editing import apply_edit, new_annotation
    from app.services.projects import open_project

    with open_project(url) as project:
        spans = {}
        for article_id in article_ids:
            text = project.store.articles.get(article_id).text
            start = text.index("migrants")
            spans[article_id] = (start, start + len("migrants"))

        def edits() -> Any:
            for i in range(10**9):
                article_id = article_ids[i % len(article_ids)]
                added = new_annotation(article_id, coder_id, "Actor", *spans[article_id],
                                       attributes={"actor_type": "police", "role": "perpetrator"})
                yield AddAnnotation(added)
                yield ChangeAnnotation(added.id, {"attributes": {"actor_type": "state_authority", "role": "target"}})
                yield SetAnswer(article_id, coder_id, "relevance", "yes" if i % 2 else "no")
                yield RemoveAnnotation(added.id)

        planned = edits()
        for _ in range(8):  # warm up: connections, statement caches
            apply_edit(project, next(planned))
        barrier.wait()
        times = []
        for _ in range(n):
            edit = next(planned)
            started = time.perf_counter()
            apply_edit(project, edit)
            times.append(time.perf_counter() - started)
        out.put(times)


def _bare_writer(params: dict[str, Any], coder_id: str, article_ids: list[str], n: int, barrier: Any, out: Any) -> None:
    import psycopg
    from psycopg.types.json import Json

    insert = (
        'INSERT INTO annotation (id, article_id, coder_id, label, start, "end", attributes, note, uncertain, '
        "created_at, updated_at, revision, deleted_at, codebook_version, coded_version) "
        "VALUES (%s, %s, %s, 'Actor', 10, 18, %s, '', false, %s, %s, 1, NULL, 1, 1)"
    )
    with psycopg.connect(**params) as conn:
        def write(i: int) -> None:
            now = "2026-12-07T00:00:00.000000Z"
            conn.execute(insert, (str(uuid.uuid4()), article_ids[i % len(article_ids)], coder_id,
                                  Json({"actor_type": "police", "role": "perpetrator"}), now, now))
            conn.commit()

        for i in range(8):
            write(i)
        barrier.wait()
        times = []
        for i in range(n):
            started = time.perf_counter()
            write(i)
            times.append(time.perf_counter() - started)
        out.put(times)


def _run_writers(target: Any, jobs: list[tuple[Any, ...]]) -> list[list[float]]:
    """Each job's edit times (seconds), the jobs run at once in processes of their own."""
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(len(jobs)), context.Queue()
    processes = [context.Process(target=target, args=(*job, barrier, out)) for job in jobs]
    for process in processes:
        process.start()
    times = [out.get(timeout=900) for _ in processes]
    for process in processes:
        process.join()
        if process.exitcode:
            raise RuntimeError(f"a writer process failed (exit code {process.exitcode})")
    return times


# -- the cluster and the project ------------------------------------------------------------


def _team_project(folder: Path, names: list[str]) -> tuple[Path, dict[str, str], dict[str, list[str]]]:
    from tests.team_fixtures import team_project

    path = folder / "team.loupe"
    with team_project(path, n=2 * len(names), coders=tuple(names)) as project:
        ids = [a.id for a in project.store.articles.list()]
        coders = {c.name: c.id for c in project.store.coders.list()}
        articles = {name: ids[2 * i : 2 * i + 2] for i, name in enumerate(names)}
        for name in names:
            project.store.assigning.give(coders[name], articles[name])
    return path, coders, articles


def _on_a_cluster(measure: Any) -> dict[str, Any]:
    """``measure(cluster, folder)`` on a cluster started for it, or why none can start."""
    from tests.server.cluster import ClusterUnavailable, running_cluster, unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        return {"skipped": reason}
    folder = Path(tempfile.mkdtemp(prefix="loupe-bench-server-"))
    try:
        with running_cluster("fsync=on") as cluster:
            return measure(cluster, folder)
    except ClusterUnavailable as exc:
        return {"skipped": str(exc)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@cache
def _measured_latencies() -> dict[str, Any]:
    """The writers' measurement, made once for the p50 and p99 benchmarks."""
    return _on_a_cluster(_latencies)


def _latencies(cluster: Any, folder: Path) -> dict[str, Any]:
    from app.services.team_server import publish, set_password

    names = [f"w{i:02d}" for i in range(1, N_WRITERS + 1)]
    path, coders, articles = _team_project(folder, names)
    database = cluster.new_database()
    url = cluster.url(database)
    publish(url, path)
    for name in names:
        secret = folder / f"{name}.pw"
        secret.write_text(f"{name}-pw\n", encoding="utf-8")
        set_password(url, name, secret)
    n = _edits()
    # The baseline before and after Loupe's writers, so that a change of load hits both.
    bare_jobs = [(cluster.params(database, name, f"{name}-pw"), coders[name], articles[name], n) for name in names]
    loupe_jobs = [(cluster.url(database, name, f"{name}-pw"), coders[name], articles[name], n) for name in names]
    bare = _run_writers(_bare_writer, bare_jobs)
    ours = _run_writers(_loupe_writer, loupe_jobs)
    bare += _run_writers(_bare_writer, bare_jobs)
    every = [t for times in ours for t in times]
    both = [t for times in bare for t in times]
    return {
        "ours_p50": _percentile(every, 0.5) * 1000, "ours_p99": _percentile(every, 0.99) * 1000,
        "bare_p50": _percentile(both, 0.5) * 1000, "bare_p99": _percentile(both, 0.99) * 1000,
        "edits": len(every), "edits_per_second": len(every) / max(sum(times) for times in ours),
    }


def _agreement(cluster: Any, folder: Path) -> dict[str, Any]:
    if not AGREEMENT_PROJECT.exists():
        return {"skipped": f"{AGREEMENT_PROJECT} is missing (python -m benchmarks.scale makes it)"}
    from app.services.agreement.report import agreement_report
    from app.services.projects import open_project
    from app.services.team_server import publish

    copy = folder / "agreement.loupe"
    shutil.copyfile(AGREEMENT_PROJECT, copy)
    url = cluster.url(cluster.new_database())
    publish(url, copy)
    timings: dict[str, list[float]] = {"sqlite": [], "server": []}
    figures = {}
    for _ in range(3):
        for kind, target in (("sqlite", str(copy)), ("server", url)):
            with open_project(target) as project:
                started = time.perf_counter()
                report = agreement_report(project, n_bootstrap=0)
                timings[kind].append(time.perf_counter() - started)
                figures[kind] = report.to_dict()
    same = figures["sqlite"] == figures["server"]
    return {
        "agreement_server": statistics.median(timings["server"]),
        "agreement_sqlite": statistics.median(timings["sqlite"]),
        "agreement_same": same,
    }


# -- the benchmarks -------------------------------------------------------------------------


def _skipped(name: str, reason: str) -> dict[str, Any]:
    return {"name": name, "skipped": reason}


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _latency(percentile: str, target: str) -> dict[str, Any]:
    name = f"Server edit, key press to committed row, {N_WRITERS} concurrent writers: {percentile}"
    found = _measured_latencies()
    if "skipped" in found:
        return _skipped(name, found["skipped"])
    return {
        "name": name, "ours": found[f"ours_{percentile}"], "baseline": found[f"bare_{percentile}"], "unit": "ms",
        "baseline_name": f"bare psycopg INSERT + COMMIT of an annotation row, same logins, {N_WRITERS} processes",
        "target": target,
        "notes": f"{found['edits']} edits, {found['edits_per_second']:.0f} committed edits/s in all; {_load()}",
    }


def bench_server_edit_p50() -> dict[str, Any]:
    return _latency("p50", "ours <= 10 ms")


def bench_server_edit_p99() -> dict[str, Any]:
    return _latency("p99", "ours <= 50 ms")


def bench_server_agreement() -> dict[str, Any]:
    name = "Agreement report of 1,000 articles on the server (no bootstrap)"
    found = _on_a_cluster(_agreement)
    if "skipped" in found:
        return _skipped(name, found["skipped"])
    return {
        "name": name, "ours": found["agreement_server"], "baseline": found["agreement_sqlite"], "unit": "s",
        "baseline_name": "the same report on the SQLite file (median of 3)", "target": "ratio <= 1.5",
        "notes": ("the same figures on both" if found["agreement_same"] else "THE FIGURES DIFFER") + f"; {_load()}",
    }


BENCHMARKS = [bench_server_edit_p50, bench_server_edit_p99, bench_server_agreement]
