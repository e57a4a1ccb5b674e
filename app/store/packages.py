"""Writing a coder's package: a new project file with only what one coder may see.

The package is written fresh through the standard library driver: the lead's file is
attached read-only, the schema is copied statement by statement (so it is exactly the
lead's, at the same migration), and only the coder's rows are copied. Nothing else
ever enters the file, and it is vacuumed before it is renamed into place, so no
freed page or journal can hold another coder's work.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.core.errors import ProjectError
from app.store.engine import APPLICATION_ID

#: Each table of coded material and the query that selects the coder's share of it,
#: plus the live gold (adjudicators' rows) of the training articles in the package.
_COPY = {
    "article": "SELECT a.* FROM lead.article a WHERE a.id IN (SELECT id FROM temp.pkg_article)",
    "entity": "SELECT e.* FROM lead.entity e WHERE e.article_id IN (SELECT id FROM temp.pkg_article)",
    "coder": "SELECT c.* FROM lead.coder c WHERE c.id = :coder OR (c.id IN (SELECT id FROM temp.pkg_gold_coder)"
    " AND EXISTS (SELECT 1 FROM temp.pkg_gold))",
    "annotation": "SELECT x.* FROM lead.annotation x WHERE x.coder_id = :coder"
    " AND x.article_id IN (SELECT id FROM temp.pkg_article)"
    " UNION ALL SELECT x.* FROM lead.annotation x WHERE x.deleted_at IS NULL"
    " AND x.coder_id IN (SELECT id FROM temp.pkg_gold_coder) AND x.article_id IN (SELECT id FROM temp.pkg_gold)",
    "relation": "SELECT x.* FROM lead.relation x WHERE x.coder_id = :coder"
    " AND x.article_id IN (SELECT id FROM temp.pkg_article)"
    " UNION ALL SELECT x.* FROM lead.relation x WHERE x.deleted_at IS NULL"
    " AND x.coder_id IN (SELECT id FROM temp.pkg_gold_coder) AND x.article_id IN (SELECT id FROM temp.pkg_gold)"
    " AND x.source_id IN (SELECT id FROM main.annotation) AND x.target_id IN (SELECT id FROM main.annotation)",
    "document_code": "SELECT x.* FROM lead.document_code x WHERE x.coder_id = :coder"
    " AND x.article_id IN (SELECT id FROM temp.pkg_article)"
    " UNION ALL SELECT x.* FROM lead.document_code x WHERE x.deleted_at IS NULL"
    " AND x.coder_id IN (SELECT id FROM temp.pkg_gold_coder) AND x.article_id IN (SELECT id FROM temp.pkg_gold)",
}
_ASSIGNMENTS = """
INSERT INTO main.assignment (article_id, coder_id, status, assigned, seconds_spent, updated_at)
SELECT article_id, coder_id, status, assigned, seconds_spent, updated_at FROM lead.assignment
WHERE (coder_id = :coder AND article_id IN (SELECT id FROM temp.pkg_article))
OR (coder_id IN (SELECT id FROM temp.pkg_gold_coder) AND article_id IN (SELECT id FROM temp.pkg_gold))
ORDER BY id
"""


def _uri(path: Path, mode: str) -> str:
    return f"{path.resolve().as_uri()}?mode={mode}"


def write_package(
    lead: Path, target: Path, *, coder_id: str, settings: dict[str, Any],
    gold_coders: Sequence[str] = (), gold_articles: Sequence[str] = (),
) -> dict[str, int]:
    """Write ``target`` holding the coder's assigned articles and own work; return counts.

    ``settings`` replaces the project settings in the package. The live coding of
    ``gold_coders`` (adjudicators) on those of ``gold_articles`` (training articles) that
    are in the package travels too, with their records and statuses; counts are of the
    coder's own rows. The file appears under its name only once complete; on any error
    nothing is left behind.
    """
    partial = target.with_name(f".{target.name}.partial")
    for leftover in (partial, partial.with_name(partial.name + "-journal")):
        leftover.unlink(missing_ok=True)
    conn = sqlite3.connect(_uri(partial, "rwc"), uri=True, isolation_level=None)
    try:
        counts = _fill(conn, lead, coder_id, settings, gold_coders, gold_articles)
        conn.execute("VACUUM")
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        if problems:
            raise ProjectError(f"The package for {target.name} failed its integrity check ({problems[0]}).")
        conn.close()
        os.replace(partial, target)
    except BaseException:
        conn.close()
        partial.unlink(missing_ok=True)
        raise
    return counts


def _fill(
    conn: sqlite3.Connection, lead: Path, coder_id: str, settings: dict[str, Any],
    gold_coders: Sequence[str], gold_articles: Sequence[str],
) -> dict[str, int]:
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("ATTACH DATABASE ? AS lead", (_uri(lead, "ro"),))
    conn.execute("BEGIN")
    schema = conn.execute(
        "SELECT type, sql FROM lead.sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
        "ORDER BY type = 'index', rowid"
    ).fetchall()
    for _type, sql in schema:
        conn.execute(sql)
    conn.execute("INSERT INTO main.alembic_version SELECT * FROM lead.alembic_version")
    conn.execute(
        "INSERT INTO main.codebook SELECT c.* FROM lead.codebook c "
        "JOIN lead.project p ON p.codebook_id = c.id"
    )
    conn.execute(
        "INSERT INTO main.project (id, name, created_at, codebook_id, settings) "
        "SELECT id, name, created_at, codebook_id, ? FROM lead.project",
        (json.dumps(settings, ensure_ascii=False),),
    )
    conn.execute(
        "CREATE TEMP TABLE pkg_article AS SELECT DISTINCT article_id AS id FROM lead.assignment "
        "WHERE coder_id = ? AND assigned",
        (coder_id,),
    )
    conn.execute("CREATE TEMP TABLE pkg_gold_coder (id TEXT PRIMARY KEY)")
    conn.executemany(
        "INSERT OR IGNORE INTO temp.pkg_gold_coder VALUES (?)", [(c,) for c in gold_coders if c != coder_id]
    )
    conn.execute("CREATE TEMP TABLE pkg_gold (id TEXT PRIMARY KEY)")
    conn.executemany(
        "INSERT OR IGNORE INTO temp.pkg_gold SELECT id FROM temp.pkg_article WHERE id = ?",
        [(a,) for a in gold_articles],
    )
    params = {"coder": coder_id}
    for table, query in _COPY.items():
        conn.execute(f"INSERT INTO main.{table} {query}", params)
    conn.execute(_ASSIGNMENTS, params)
    violations = conn.execute("PRAGMA main.foreign_key_check").fetchall()
    if violations:
        raise ProjectError(f"The package would be inconsistent ({violations[0][0]} refers to a missing row).")
    counts = {
        "articles": _count(conn, "article"),
        "entities": _count(conn, "entity"),
        "annotations": _count(conn, "annotation", coder_id),
        "relations": _count(conn, "relation", coder_id),
        "answers": _count(conn, "document_code", coder_id),
    }
    conn.execute("COMMIT")
    for temporary in ("pkg_article", "pkg_gold", "pkg_gold_coder"):
        conn.execute(f"DROP TABLE temp.{temporary}")
    conn.execute("DETACH DATABASE lead")
    return counts


def _count(conn: sqlite3.Connection, table: str, coder_id: str | None = None) -> int:
    """Rows of ``table``, or with ``coder_id`` the coder's live ones."""
    if coder_id is None:
        return conn.execute(f"SELECT COUNT(*) FROM main.{table}").fetchone()[0]
    return conn.execute(
        f"SELECT COUNT(*) FROM main.{table} WHERE deleted_at IS NULL AND coder_id = ?", (coder_id,)
    ).fetchone()[0]
