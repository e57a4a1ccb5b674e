"""A throwaway PostgreSQL cluster for the team-server tests.

The fixtures ``pg_cluster`` and ``server_url`` live in :mod:`tests.conftest` (the service
tests marked ``both_backends`` use them too). The session starts one cluster (:func:`tests.server.cluster.running_cluster`): ``initdb`` as the ``postgres`` user into a temporary
folder, ``pg_ctl start`` on 127.0.0.1 and a free port with its socket in that folder, a
``lead`` role (login, password ``pw``, may create roles) that owns the databases the
tests make. Every test gets a database of its own (``server_url``), and the cluster is
stopped and removed at the end. No containers and no mocks: without PostgreSQL's server
programs (Debian's ``postgresql`` package, which ``packaging/bootstrap.py test``
installs) or psycopg the tests are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.server.cluster import LEAD_PASSWORD, Cluster

__all__ = ["LEAD_PASSWORD", "Cluster", "login"]


@contextlib.contextmanager
def login(cluster: Cluster, url: str, user: str, password: str) -> Iterator[object]:
    """A psycopg connection as ``user`` to the database of ``url`` (autocommit)."""
    import psycopg

    database = url.rsplit("/", 1)[1]
    with psycopg.connect(**cluster.params(database, user, password), autocommit=True) as conn:
        yield conn


@dataclass
class Study:
    """A coded project file: ana and ben with an overlap, judy adjudicating the overlap."""

    path: Path
    coders: dict[str, str]  # name -> coder id
    assigned: dict[str, set[str]]  # name -> article ids
    articles: set[str]


@pytest.fixture
def study(_study_template: Study, tmp_path: Path) -> Study:
    """A copy of the session's coded project file for one test (which may change it)."""
    path = tmp_path / "study.loupe"
    for suffix in ("", "-wal"):
        made = _study_template.path.with_name(_study_template.path.name + suffix)
        if made.exists():
            shutil.copyfile(made, path.with_name(path.name + suffix))
    return Study(path, _study_template.coders, _study_template.assigned, _study_template.articles)


@pytest.fixture(scope="session")
def _study_template(tmp_path_factory: pytest.TempPathFactory) -> Study:
    from app.services.assignment import assign
    from tests.team_fixtures import code, team_project

    path = tmp_path_factory.mktemp("study") / "study.loupe"
    with team_project(path, n=12, coders=("ana", "ben")) as project:
        judy = project.store.coders.get_or_create("judy", "adjudicator")
        assign(project, ["ana", "ben"], overlap=0.5, seed=3)
        current, _worked = project.store.assigning.pairs()
        coders = {c.name: c.id for c in project.store.coders.list()}
        assigned = {name: {a for a, c in current if c == cid} for name, cid in coders.items()}
        overlap = sorted(assigned["ana"] & assigned["ben"])
        project.store.assigning.give(judy.id, overlap)
        assigned["judy"] = set(overlap)
        articles = {a.id: a for a in project.store.articles.list()}
        for variant, name in enumerate(("ana", "ben")):
            for article_id in sorted(assigned[name])[:4]:
                code(project, articles[article_id], coders[name], variant=variant)
        code(project, articles[overlap[0]], judy.id)
    _rows_of_every_table(path, coders)
    return Study(path, coders, assigned, set(articles))


def _rows_of_every_table(path: Path, coders: dict[str, str]) -> None:
    """Give the tables the coding above leaves empty rows (a discontinuous span's
    fragments, a rejection, a merge log entry, an entity on every article) and a time
    spent that is no round number."""
    import json
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        with conn:
            span, start, end = conn.execute(
                'SELECT id, start, "end" FROM annotation WHERE coder_id = ? AND deleted_at IS NULL '
                'AND "end" - start > 6 ORDER BY id LIMIT 1', (coders["ana"],)
            ).fetchone()
            conn.executemany("INSERT INTO annotation_fragment VALUES (?, ?, ?)",
                             [(span, start, start + 2), (span, end - 2, end)])
            (article,) = conn.execute(
                "SELECT article_id FROM assignment WHERE coder_id = ? ORDER BY article_id LIMIT 1",
                (coders["judy"],),
            ).fetchone()
            conn.execute("INSERT INTO adjudication_rejection VALUES (?, ?, 'Claim|0|5', '2026-12-01T00:00:00.000000Z')",
                         (coders["judy"], article))
            conn.execute("INSERT INTO merge_log VALUES ('m1', '2026-12-01T00:00:00.000000Z', 'ana.loupe', ?, 'ana', ?)",
                         ("0" * 64, json.dumps({"ana": {"annotation": 3}, "ünï": [1.5, None, True]})))
            conn.execute("INSERT INTO entity (article_id, start, \"end\", label, model) "
                         "SELECT id, 0, 6, 'ORG', 't' FROM article")
            conn.execute("UPDATE assignment SET seconds_spent = 12.345678901234567 WHERE coder_id = ?",
                         (coders["ana"],))
    finally:
        conn.close()
