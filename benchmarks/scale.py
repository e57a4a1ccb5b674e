"""Generated projects of 1,000, 10,000 and 100,000 articles for the scale benchmarks.

    .venv/bin/python -m benchmarks.scale 100000     # build (or find) the 100k project

A project is built once through Loupe's own import and assignment, then kept in
``$LOUPE_SCALE_DIR`` (default: the system's temporary folder, ``loupe-scale``) so that
later runs reuse it; nothing of it belongs in git. Each project has three coders;
``coder0`` is assigned about half of the articles (every coder gets an overlap), and
statuses are mixed so that "next unfinished" has to skip.

Two coded variants are copies of it, filled with plain ``sqlite3`` ``executemany`` (the
rows are what Loupe writes, generated, not checked one by one), for the lead's
operations (``benchmarks/bench_scale_lead.py``):

* :func:`build_coded`: about ten annotations per article, spread over the coders the
  article is assigned to (1,000,000 at 100,000 articles), with attributes, a note on
  one in ten, one relation and three answers per coder and article;
* :func:`build_agreement`: twenty coders who all finished the first tenth of the
  articles (10,000 overlapping articles at 100,000), five spans each near shared
  units, jittered per coder, one in ten with another label, and two answers each
  (1,000,000 spans at 100,000); the three base coders and their statuses are removed.

    .venv/bin/python -m benchmarks.scale --coded 100000
    .venv/bin/python -m benchmarks.scale --agreement 100000
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from benchmarks.corpus import articles

SIZES = (1_000, 10_000, 100_000)
CODERS = ("coder0", "coder1", "coder2")
#: Words per generated article: a short news report.
WORDS = 150
#: Cyrillic and Arabic sentences mixed into some articles, for search.
OTHER_SCRIPTS = (
    "Военкомат пообещал заключённым помилование в обмен на контракт.",
    "قال المهاجرون إنهم أجبروا على توقيع العقود تحت التهديد بالترحيل.",
)


def folder() -> Path:
    return Path(os.environ.get("LOUPE_SCALE_DIR") or Path(tempfile.gettempdir()) / "loupe-scale")


def project_path(n: int) -> Path:
    return folder() / f"scale-{n}.loupe"


def build(n: int) -> Path:
    """The generated project of ``n`` articles, built if it is not there yet."""
    path = project_path(n)
    if path.exists():
        return path
    from app.services.assignment import assign
    from app.services.importing import import_articles
    from app.services.projects import create_project

    folder().mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".building")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        stale.unlink(missing_ok=True)
    feed = path.with_suffix(".jsonl")
    rng = random.Random(n)
    sources = [f"news-{i}.example.org" for i in range(40)]
    with feed.open("w", encoding="utf-8") as out:
        for i, text in enumerate(articles(n, seed=n, words=WORDS)):
            title, body = text.split("\n\n", 1)
            if i % 10 == 3:
                body += "\n\n" + OTHER_SCRIPTS[i % 20 // 10]
            out.write(json.dumps({
                "title": title, "text": body, "source": rng.choice(sources),
                "published": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "id": f"ext-{i}",
            }) + "\n")
    with create_project(partial) as project:
        import_articles(project, [feed], model="no_such_pipeline_xyz", max_bytes=1 << 31)
        for name in CODERS:
            project.store.coders.get_or_create(name)
        assign(project, list(CODERS), overlap=0.2, seed=1)
    feed.unlink()
    conn = sqlite3.connect(partial)
    with conn:  # a coder half-way through: some done, some started
        conn.execute(
            "UPDATE assignment SET status = CASE abs(random()) % 3 WHEN 0 THEN 'done' "
            "WHEN 1 THEN 'in_progress' ELSE 'todo' END"
        )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    partial.rename(path)
    return path


#: Annotations per article in the coded variant.
PER_ARTICLE = 10
#: The agreement variant: its coders, the share of articles all of them finished, and
#: the spans each coder marked in each of them.
AGREEMENT_CODERS = tuple(f"rater{i:02d}" for i in range(20))
AGREEMENT_SHARE = 10
AGREEMENT_SPANS = 5
LABELS = ("Actor", "Claim", "Coercion")
ATTRIBUTES = {
    "Actor": ({"actor_type": "police", "role": "target"}, {"actor_type": "armed_forces", "role": "perpetrator"}),
    "Claim": ({"claim_type": "allegation", "attribution": "named_source"},
              {"claim_type": "denial", "attribution": "hedged"}),
    "Coercion": ({"coercion_type": "threat_of_deportation", "stage": "carried_out"},
                 {"coercion_type": "forced_recruitment", "stage": "threatened"}),
}
NOW = "2026-12-01T10:00:00.000000+00:00"
_ANNOTATION = (
    'INSERT INTO annotation (id, article_id, coder_id, label, start, "end", attributes, note, uncertain, '
    "created_at, updated_at, revision, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, NULL)"
)
_ANSWER = (
    "INSERT INTO document_code (id, article_id, coder_id, question, value, created_at, updated_at, "
    "revision, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, NULL)"
)
_RELATION = (
    "INSERT INTO relation (id, article_id, coder_id, label, source_id, target_id, attributes, created_at, "
    "updated_at, revision, deleted_at) VALUES (?, ?, ?, ?, ?, ?, '{}', ?, ?, 1, NULL)"
)


def coded_path(n: int) -> Path:
    return folder() / f"scale-{n}-coded.loupe"


def agreement_path(n: int) -> Path:
    return folder() / f"scale-{n}-agreement.loupe"


def _derived(path: Path, n: int, fill: Callable[[sqlite3.Connection], None]) -> Path:
    """A copy of the base project of ``n`` articles filled by ``fill`` (built once)."""
    if path.exists():
        return path
    base = build(n)
    partial = path.with_suffix(".building")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(base, partial)
    conn = sqlite3.connect(partial, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-400000")
    conn.execute("BEGIN")
    fill(conn)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    partial.rename(path)
    return path


def _lengths(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    return conn.execute("SELECT id, length(text) FROM article ORDER BY position").fetchall()


def _fill_coded(conn: sqlite3.Connection) -> None:
    rng = random.Random(7)
    coders_of: dict[str, list[str]] = {}
    for article_id, coder_id in conn.execute("SELECT article_id, coder_id FROM assignment ORDER BY coder_id"):
        coders_of.setdefault(article_id, []).append(coder_id)
    questions = (
        ("relevance", ("yes", "no")),
        ("main_coercion_type", ("none", "forced_recruitment", "threat_of_deportation")),
        ("sourcing", ("unsourced", "single_source", "several_sources")),
    )

    def rows() -> Iterator[tuple]:
        for article_id, length in _lengths(conn):
            coders = coders_of.get(article_id, [])
            for k in range(PER_ARTICLE if coders else 0):
                start = rng.randrange(max(1, length - 40))
                label = LABELS[k % 3]
                yield (str(uuid.uuid4()), article_id, coders[k % len(coders)], label, start,
                       start + 6 + rng.randrange(30), json.dumps(ATTRIBUTES[label][k % 2]),
                       "see the source" if k % 10 == 0 else "", int(k % 7 == 0), NOW, NOW)

    batch: list[tuple] = []
    links: list[tuple] = []
    first: dict[tuple[str, str], dict[str, str]] = {}
    for row in rows():
        batch.append(row)
        mine = first.setdefault((row[1], row[2]), {})
        mine.setdefault(row[3], row[0])
        if len(batch) == 50_000:
            conn.executemany(_ANNOTATION, batch)
            batch = []
    conn.executemany(_ANNOTATION, batch)
    for (article_id, coder_id), by_label in first.items():
        if "Claim" in by_label and "Actor" in by_label:
            links.append((str(uuid.uuid4()), article_id, coder_id, "said_by", by_label["Claim"],
                          by_label["Actor"], NOW, NOW))
    conn.executemany(_RELATION, links)
    conn.executemany(_ANSWER, (
        (str(uuid.uuid4()), article_id, coder_id, question, json.dumps(options[rng.randrange(len(options))]), NOW, NOW)
        for article_id, coders in coders_of.items() for coder_id in coders for question, options in questions
    ))


def _fill_agreement(conn: sqlite3.Connection) -> None:
    rng = random.Random(13)
    conn.execute("DELETE FROM assignment")
    conn.execute("DELETE FROM coder")
    ids = [str(uuid.uuid4()) for _ in AGREEMENT_CODERS]
    conn.executemany(
        "INSERT INTO coder (id, name, role, created_at) VALUES (?, ?, 'coder', ?)",
        [(i, name, NOW) for i, name in zip(ids, AGREEMENT_CODERS, strict=True)],
    )
    lengths = _lengths(conn)
    overlap = lengths[: max(1, len(lengths) // AGREEMENT_SHARE)]
    conn.executemany(
        "INSERT INTO assignment (article_id, coder_id, status, assigned, seconds_spent, updated_at) "
        "VALUES (?, ?, 'done', 1, 60.0, ?)",
        [(a, c, NOW) for a, _ in overlap for c in ids],
    )
    spans: list[tuple] = []
    answers: list[tuple] = []
    for article_id, length in overlap:
        slots = sorted(rng.sample(range(0, max(AGREEMENT_SPANS * 40, length - 40), 40), AGREEMENT_SPANS))
        kinds = [LABELS[rng.randrange(3)] for _ in slots]
        relevant = rng.random() < 0.7
        for coder_id in ids:
            for begin, label in zip(slots, kinds, strict=True):
                start = max(0, min(length - 20, begin + rng.randint(-2, 2)))
                end = min(length, start + 12 + rng.randint(-2, 6))
                if rng.random() < 0.1:
                    label = LABELS[rng.randrange(3)]
                spans.append((str(uuid.uuid4()), article_id, coder_id, label, start, end,
                              json.dumps(ATTRIBUTES[label][rng.random() < 0.2]), "", 0, NOW, NOW))
            yes = relevant if rng.random() < 0.9 else not relevant
            answers.append((str(uuid.uuid4()), article_id, coder_id, "relevance", json.dumps("yes" if yes else "no"),
                            NOW, NOW))
            answers.append((str(uuid.uuid4()), article_id, coder_id, "sourcing",
                            json.dumps(("unsourced", "single_source", "several_sources")[rng.randrange(3)]), NOW, NOW))
        if len(spans) >= 50_000:
            conn.executemany(_ANNOTATION, spans)
            spans = []
    conn.executemany(_ANNOTATION, spans)
    conn.executemany(_ANSWER, answers)


def build_coded(n: int) -> Path:
    """The base project of ``n`` articles with about ``10 n`` annotations (see the module notes)."""
    return _derived(coded_path(n), n, _fill_coded)


def build_agreement(n: int) -> Path:
    """The base project of ``n`` articles, its first tenth finished by twenty coders."""
    return _derived(agreement_path(n), n, _fill_agreement)


if __name__ == "__main__":
    builder, sizes = build, sys.argv[1:]
    if sizes and sizes[0] in ("--coded", "--agreement"):
        builder = build_coded if sizes[0] == "--coded" else build_agreement
        sizes = sizes[1:]
    for arg in sizes or [str(s) for s in SIZES]:
        print(builder(int(arg)))
