"""Generated projects of 1,000, 10,000 and 100,000 articles for the scale benchmarks.

    .venv/bin/python -m benchmarks.scale 100000     # build (or find) the 100k project

A project is built once through Loupe's own import and assignment, then kept in
``$LOUPE_SCALE_DIR`` (default: the system's temporary folder, ``loupe-scale``) so that
later runs reuse it; nothing of it belongs in git. Each project has three coders, a lead
and an adjudicator; ``coder0`` is assigned about half of the articles (every coder gets
an overlap), and statuses are mixed so that "next unfinished" has to skip.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import sys
import tempfile
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


if __name__ == "__main__":
    for arg in sys.argv[1:] or [str(s) for s in SIZES]:
        print(build(int(arg)))
