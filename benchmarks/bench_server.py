"""The team server on a localhost PostgreSQL cluster (started here, removed afterwards).

1. Edit latency with 20 concurrent writers: 20 processes, each signed in as its own
   coder's login, each making LOUPE_BENCH_SERVER_EDITS edits (default 150) through
   :func:`app.services.editing.apply_edit`, the call the window makes on a key press,
   which returns once the row is committed: in turn add a span, change its attributes,
   answer a question, remove the span. Baseline in the same run: 20 processes, on the same
   logins, each doing a bare psycopg INSERT of a similar annotation row + COMMIT. The
   cluster runs with fsync on, as a real one does.

   The writers press keys at a fixed pace, LOUPE_BENCH_SERVER_RATE edits per second each
   (default 5: 100 edits a second from the team, some fifty times what 20 people coding
   produce), with their schedules spread over the period; an edit's latency runs from its
   scheduled key press to its commit, so an edit that had to wait for the one before it
   counts the wait (no coordinated omission). Printed: p50 and p99 in milliseconds
   (targets: p50 <= 10 ms, p99 <= 50 ms). A third figure has the writers edit as fast as
   they can: on a machine with fewer cores than writers that measures throughput, not
   latency (20 processes queue for 2 cores: latency = writers / throughput), so it has no
   target; it is printed with the committed edits per second.
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
    return int(os.environ.get("LOUPE_BENCH_SERVER_EDITS", "150"))


def _rate() -> float:
    return float(os.environ.get("LOUPE_BENCH_SERVER_RATE", "5"))


def _timed_edits(write: Any, n: int, pace: float, barrier: Any) -> list[float]:
    """Seconds from each edit's key press to its commit. ``pace`` seconds between a writer's
    key presses (0: as fast as it can); the first press falls at a random point of the first
    period, and a press that falls while the previous edit runs waits for it (counted)."""
    import random

    barrier.wait()
    times = []
    started = time.perf_counter() + random.uniform(0, pace)
    for i in range(n):
        pressed = max(started + i * pace, time.perf_counter()) if pace else time.perf_counter()
        while (ahead := pressed - time.perf_counter()) > 0:
            time.sleep(ahead)
        write(i)
        times.append(time.perf_counter() - pressed)
    return times


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# -- the writers (run in child processes) ----------------------------------------------------


def _loupe_writer(url: str, coder_id: str, article_ids: list[str], n: int, pace: float, barrier: Any,
                  out: Any) -> None:
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
        out.put(_timed_edits(lambda _: apply_edit(project, next(planned)), n, pace, barrier))


def _bare_writer(params: dict[str, Any], coder_id: str, article_ids: list[str], n: int, pace: float,
                 barrier: Any, out: Any) -> None:
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
        out.put(_timed_edits(write, n, pace, barrier))


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
    n, pace = _edits(), 1 / _rate()
    found: dict[str, Any] = {}
    for mode, every_pace in (("paced", pace), ("flat_out", 0.0)):
        bare_jobs = [(cluster.params(database, name, f"{name}-pw"), coders[name], articles[name], n, every_pace)
                     for name in names]
        loupe_jobs = [(cluster.url(database, name, f"{name}-pw"), coders[name], articles[name], n, every_pace)
                      for name in names]
        # The baseline before and after Loupe's writers, so that a change of load hits both.
        bare = _run_writers(_bare_writer, bare_jobs)
        ours = _run_writers(_loupe_writer, loupe_jobs)
        bare += _run_writers(_bare_writer, bare_jobs)
        every = [t for times in ours for t in times]
        both = [t for times in bare for t in times]
        found[mode] = {
            "ours_p50": _percentile(every, 0.5) * 1000, "ours_p99": _percentile(every, 0.99) * 1000,
            "bare_p50": _percentile(both, 0.5) * 1000, "bare_p99": _percentile(both, 0.99) * 1000,
            "edits": len(every),
        }
        if mode == "flat_out":
            found[mode]["edits_per_second"] = len(every) / max(sum(times) for times in ours)
    return found


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
    rate = _rate()
    name = (f"Server edit, key press to committed row, {N_WRITERS} writers at {rate:g} edits/s each "
            f"({N_WRITERS * rate:g}/s in all): {percentile}")
    found = _measured_latencies()
    if "skipped" in found:
        return _skipped(name, found["skipped"])
    paced = found["paced"]
    return {
        "name": name, "ours": paced[f"ours_{percentile}"], "baseline": paced[f"bare_{percentile}"], "unit": "ms",
        "baseline_name": f"bare psycopg INSERT + COMMIT of an annotation row at the same pace, same logins, "
        f"{N_WRITERS} processes",
        "target": target,
        "notes": f"{paced['edits']} edits, latency from the scheduled key press (waits counted); {_load()}",
    }


def bench_server_edit_p50() -> dict[str, Any]:
    return _latency("p50", "ours <= 10 ms")


def bench_server_edit_p99() -> dict[str, Any]:
    return _latency("p99", "ours <= 50 ms")


def bench_server_edit_flat_out() -> dict[str, Any]:
    name = f"Server edits, {N_WRITERS} writers as fast as they can (throughput; p50)"
    found = _measured_latencies()
    if "skipped" in found:
        return _skipped(name, found["skipped"])
    flat = found["flat_out"]
    return {
        "name": name, "ours": flat["ours_p50"], "baseline": flat["bare_p50"], "unit": "ms",
        "baseline_name": "bare psycopg INSERT + COMMIT, as fast as they can",
        "target": f"none: {N_WRITERS} processes share {os.cpu_count()} cores, so latency = writers / throughput",
        "notes": f"{flat['edits']} edits, {flat['edits_per_second']:.0f} committed edits/s in all; "
        f"p99 {flat['ours_p99']:.1f} ms (bare {flat['bare_p99']:.1f} ms); {_load()}",
    }


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


BENCHMARKS = [bench_server_edit_p50, bench_server_edit_p99, bench_server_edit_flat_out, bench_server_agreement]
