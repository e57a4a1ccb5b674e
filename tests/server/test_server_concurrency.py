"""Many writers at once on PostgreSQL: 20 coders, each on its own login, and the lead write
the same project through the window's service calls; nothing is lost or counted twice,
and a report reads one moment.

The two-session tests make the race happen every time: a third connection holds a lock
that both sessions must pass, and lets go once both are waiting at it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.core.adjudication import SetRejected
from app.core.edits import AddAnnotation, AddRelation, ChangeAnnotation, RemoveAnnotation, SetAnswer
from app.core.errors import LoupeError
from app.services.adjudication_writes import apply_decision
from app.services.coding import set_status
from app.services.editing import apply_edit, new_annotation, new_relation
from app.services.projects import Project, open_project
from app.services.team_server import publish, set_password
from app.store.snapshots import read_snapshot
from tests.server.cluster import Cluster
from tests.server.conftest import login
from tests.team_fixtures import span, team_project

N_CODERS = 20
ROUNDS = 12
POLICE = {"actor_type": "police", "role": "perpetrator"}
STATE = {"actor_type": "state_authority", "role": "perpetrator"}


@dataclass
class Team:
    cluster: Cluster
    url: str
    coders: dict[str, str]  # name -> coder id
    articles: dict[str, list[str]]  # name -> the coder's article ids
    hot: dict[str, str]  # name -> an annotation the coder and the lead both change
    passwords: dict[str, str] = field(default_factory=dict)

    def url_of(self, name: str) -> str:
        database = self.url.rsplit("/", 1)[1]
        return self.cluster.url(database, name, self.passwords[name])


def _publish_team(cluster: Cluster, url: str, folder: Path, names: list[str], per_coder: int) -> Team:
    """A project of ``per_coder`` articles for each of ``names`` (and judy, who adjudicates
    the first coder's articles), published to ``url`` with a login per coder, each coder
    with one Actor span already on their first article."""
    path = folder / "team.loupe"
    with team_project(path, n=len(names) * per_coder, coders=tuple(names)) as project:
        judy = project.store.coders.get_or_create("judy", "adjudicator")
        ids = [a.id for a in project.store.articles.list()]
        coders = {c.name: c.id for c in project.store.coders.list()}
        articles = {name: ids[i * per_coder : (i + 1) * per_coder] for i, name in enumerate(names)}
        hot = {}
        for name in names:
            project.store.assigning.give(coders[name], articles[name])
            first = project.store.articles.get(articles[name][0])
            start, end = span(first, "Kiresk")
            made = new_annotation(first.id, coders[name], "Actor", start, end, attributes=dict(POLICE))
            apply_edit(project, AddAnnotation(made))
            hot[name] = made.id
        articles["judy"] = list(articles[names[0]])
        project.store.assigning.give(judy.id, articles["judy"])
    publish(url, path)
    team = Team(cluster, url, coders, articles, hot)
    for name in [*names, "judy"]:
        secret = folder / f"{name}.pw"
        team.passwords[name] = f"{name}-secret"
        secret.write_text(team.passwords[name] + "\n", encoding="utf-8")
        set_password(url, name, secret)
    return team


@pytest.fixture
def team(pg_cluster, server_url, tmp_path) -> Team:
    names = [f"c{i:02d}" for i in range(1, N_CODERS + 1)]
    return _publish_team(pg_cluster, server_url, tmp_path, names, per_coder=2)


@pytest.fixture
def pair(pg_cluster, server_url, tmp_path) -> Team:
    return _publish_team(pg_cluster, server_url, tmp_path, ["ana"], per_coder=2)


def _run_all(workers: list[Callable[[], None]]) -> None:
    """Run the workers on threads at once; re-raise the first failure."""
    failures: list[BaseException] = []
    start = threading.Barrier(len(workers))

    def run(work: Callable[[], None]) -> None:
        try:
            start.wait()
            work()
        except BaseException as exc:  # noqa: BLE001 (handed to the test's thread)
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


# -- twenty coders and the lead ------------------------------------------------------------


@dataclass
class Expected:
    revisions: dict[str, int] = field(default_factory=dict)  # annotation id -> revision
    deleted: set[str] = field(default_factory=set)
    answers: Counter = field(default_factory=Counter)  # (article, coder, question) -> answers given
    hot_changes: Counter = field(default_factory=Counter)  # hot annotation id -> changes made
    reports: list[tuple[int, int]] = field(default_factory=list)


def _code(team: Team, name: str, expected: Expected, lock: threading.Lock) -> None:
    coder_id = team.coders[name]
    revisions: dict[str, int] = {}
    deleted: set[str] = set()
    answers: Counter = Counter()
    hot = 0
    with open_project(team.url_of(name)) as project:
        for i in range(ROUNDS):
            article = project.store.articles.get(team.articles[name][i % 2])
            start, end = span(article, "migrants")
            added = new_annotation(article.id, coder_id, "Actor", start, end, attributes=dict(POLICE))
            apply_edit(project, AddAnnotation(added))
            apply_edit(project, ChangeAnnotation(added.id, {"attributes": dict(STATE)}))
            revisions[added.id] = 2
            apply_edit(project, ChangeAnnotation(team.hot[name], {"note": f"{name} round {i}"}))
            hot += 1
            apply_edit(project, SetAnswer(article.id, coder_id, "relevance", "yes" if i % 2 else "no"))
            answers[(article.id, coder_id, "relevance")] += 1
            if i % 3 == 0:
                apply_edit(project, RemoveAnnotation(added.id))
                revisions[added.id] += 1
                deleted.add(added.id)
    with lock:
        expected.revisions.update(revisions)
        expected.deleted |= deleted
        expected.answers.update(answers)
        expected.hot_changes[team.hot[name]] += hot


def _lead(team: Team, names: list[str], expected: Expected, lock: threading.Lock) -> None:
    """The lead changes every coder's hot span (the rows the coders change too) and
    decides judy's gold on the first coder's articles, over and over."""
    judy = team.coders["judy"]
    changes: Counter = Counter()
    with open_project(team.url) as project:
        for i in range(ROUNDS):
            for name in names:
                apply_edit(project, ChangeAnnotation(team.hot[name], {"attributes": dict(STATE if i % 2 else POLICE)}))
                changes[team.hot[name]] += 1
            article = project.store.articles.get(team.articles["judy"][i % 2])
            start, end = span(article, "deportation")
            gold = new_annotation(article.id, judy, "Coercion", start, end)
            apply_decision(project, [
                AddAnnotation(gold), SetAnswer(article.id, judy, "relevance", "yes"),
                SetRejected(article.id, judy, f"Claim|{i}", True),
            ])
            expected.revisions[gold.id] = 1
            expected.answers[(article.id, judy, "relevance")] += 1
    with lock:
        expected.hot_changes.update(changes)


def _report(team: Team, expected: Expected, writing: threading.Event) -> None:
    """While the others write, count the live annotations twice inside one snapshot, on
    different connections and by different queries: they must agree."""
    with open_project(team.url) as project:
        while writing.is_set():
            with read_snapshot(project.store.engine):
                total = project.store.counts().annotations
                time.sleep(0.01)  # the coders commit meanwhile
                by_article = sum(
                    len(project.store.annotations.for_article(article.id))
                    for article in project.store.articles.list()
                )
            expected.reports.append((total, by_article))


def test_twenty_coders_and_the_lead_lose_no_edit(team):
    names = sorted(name for name in team.coders if name.startswith("c"))
    expected, lock, writing = Expected(), threading.Lock(), threading.Event()
    writing.set()
    coders = [lambda name=name: _code(team, name, expected, lock) for name in names]

    def lead() -> None:
        _lead(team, names, expected, lock)

    def report() -> None:
        _report(team, expected, writing)

    def writers() -> None:
        try:
            _run_all([*coders, lead])
        finally:
            writing.clear()

    _run_all([writers, report])

    with login(team.cluster, team.url, "lead", "pw") as conn:
        rows = {
            row[0]: row[1:]
            for row in conn.execute("SELECT id, revision, deleted_at, attributes FROM annotation").fetchall()
        }
        for annotation_id, revision in expected.revisions.items():
            assert rows[annotation_id][0] == revision, annotation_id
            assert (rows[annotation_id][1] is not None) == (annotation_id in expected.deleted)
        for hot, changes in expected.hot_changes.items():
            assert rows[hot][0] == 1 + changes == 1 + 2 * ROUNDS, hot  # the coder's and the lead's
        answers = Counter(
            tuple(row) for row in conn.execute("SELECT article_id, coder_id, question FROM document_code").fetchall()
        )
        assert {key: count for key, count in answers.items() if key in expected.answers} == {
            key: 1 for key in expected.answers
        }, "an answer is stored exactly once"
        revisions = dict(
            ((a, c, q), r) for a, c, q, r in conn.execute(
                "SELECT article_id, coder_id, question, revision FROM document_code"
            ).fetchall()
        )
        assert {key: revisions[key] for key in expected.answers} == dict(expected.answers)
        statuses = Counter(row[0] for row in conn.execute("SELECT status FROM assignment").fetchall())
        assert statuses["todo"] == 0
        (rejections,) = conn.execute("SELECT COUNT(*) FROM adjudication_rejection").fetchone()
        assert rejections == ROUNDS
    assert expected.reports, "the report ran while the coders wrote"
    assert all(total == by_article for total, by_article in expected.reports), expected.reports
    assert len({total for total, _ in expected.reports}) > 1, "the reports saw the coding grow"


# -- two windows of one coder --------------------------------------------------------------


def _waiting(conn, count: int) -> None:
    """Return once ``count`` sessions wait for a lock (at most 20 s)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        (found,) = conn.execute(
            "SELECT COUNT(DISTINCT pid) FROM pg_locks WHERE NOT granted"
        ).fetchone()
        if found >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"{count} sessions never waited for the held lock")


def _behind_lock(team: Team, lock_sql: str, params: tuple, steps: list[Callable[[], object]]) -> list[object]:
    """Hold ``lock_sql``'s lock on a lead connection, start the steps one after the other
    on threads (each once the earlier ones wait), then let go; the steps' results."""
    import psycopg

    results: list[object] = [None] * len(steps)
    database = team.url.rsplit("/", 1)[1]
    with psycopg.connect(**team.cluster.params(database, "lead", "pw")) as holder, \
            login(team.cluster, team.url, "lead", "pw") as watcher:
        holder.execute(lock_sql, params)
        threads = []
        for i, step in enumerate(steps):
            def run(i: int = i, step: Callable[[], object] = step) -> None:
                try:
                    results[i] = step()
                except LoupeError as exc:
                    results[i] = exc
            threads.append(threading.Thread(target=run))
            threads[-1].start()
            _waiting(watcher, i + 1)
        holder.rollback()
        for thread in threads:
            thread.join()
    return results


def _windows(team: Team, name: str = "ana") -> tuple[Project, Project]:
    return open_project(team.url_of(name)), open_project(team.url_of(name))


def _row(team: Team, sql: str, *params: object) -> tuple:
    with login(team.cluster, team.url, "lead", "pw") as conn:
        return conn.execute(sql, params).fetchone()


def test_two_windows_changing_one_annotation_take_turns(pair):
    first, second = _windows(pair)
    hot = pair.hot["ana"]
    try:
        inverses = _behind_lock(pair, "SELECT 1 FROM annotation WHERE id = %s FOR UPDATE", (hot,), [
            lambda: apply_edit(first, ChangeAnnotation(hot, {"note": "first"}))[0],
            lambda: apply_edit(second, ChangeAnnotation(hot, {"note": "second"}))[0],
        ])
    finally:
        first.close()
        second.close()
    revision, note = _row(pair, "SELECT revision, note FROM annotation WHERE id = %s", hot)
    assert revision == 3  # 1, and one for each window
    later, earlier = ("second", "first") if note == "second" else ("first", "second")
    undo = {"first": inverses[0], "second": inverses[1]}
    # The later change was made on the earlier one's result: undoing it brings that back,
    # not the note both windows saw when they started.
    assert undo[later].after == {"note": earlier}
    assert undo[earlier].after == {"note": ""}


def test_two_windows_answering_a_new_question_write_one_row(pair):
    first, second = _windows(pair)
    article, ana = pair.articles["ana"][1], pair.coders["ana"]
    try:
        # The answers' inserts wait for the article row (their foreign key) until both have looked.
        _behind_lock(pair, "SELECT 1 FROM article WHERE id = %s FOR UPDATE", (article,), [
            lambda: apply_edit(first, SetAnswer(article, ana, "relevance", "yes")),
            lambda: apply_edit(second, SetAnswer(article, ana, "relevance", "no")),
        ])
    finally:
        first.close()
        second.close()
    rows = _row(pair, "SELECT COUNT(*), MAX(revision) FROM document_code WHERE article_id = %s AND coder_id = %s",
                article, ana)
    assert rows == (1, 2)


def test_a_done_status_is_not_undone_by_a_span_added_at_once(pair):
    first, second = _windows(pair)
    article_id, ana = pair.articles["ana"][1], pair.coders["ana"]
    article = first.store.articles.get(article_id)
    start, end = span(article, "Kiresk")
    apply_edit(first, SetAnswer(article_id, ana, "relevance", "no"))  # all "done" asks for
    with login(pair.cluster, pair.url, "lead", "pw") as conn:
        conn.execute("UPDATE assignment SET status = 'todo' WHERE article_id = %s", (article_id,))
    try:
        _behind_lock(pair, "SELECT 1 FROM assignment WHERE article_id = %s FOR UPDATE", (article_id,), [
            lambda: set_status(first, article_id, ana, "done"),
            lambda: apply_edit(second, AddAnnotation(new_annotation(
                article_id, ana, "Actor", start, end, attributes=dict(POLICE)))),
        ])
    finally:
        first.close()
        second.close()
    assert _row(pair, "SELECT status FROM assignment WHERE article_id = %s AND coder_id = %s",
                article_id, ana) == ("done",)


def test_a_relation_drawn_while_its_end_is_removed_is_not_left_dangling(pair):
    first, second = _windows(pair)
    article_id, ana = pair.articles["ana"][0], pair.coders["ana"]
    article = first.store.articles.get(article_id)
    start, end = span(article, "migrants were forced to sign contracts")
    claim = new_annotation(article_id, ana, "Claim", start, end, attributes={"claim_type": "allegation"})
    apply_edit(first, AddAnnotation(claim))
    relation = new_relation(article_id, ana, "said_by", claim.id, pair.hot["ana"])
    try:
        results = _behind_lock(pair, "SELECT 1 FROM annotation WHERE id = %s FOR UPDATE", (pair.hot["ana"],), [
            lambda: apply_edit(first, RemoveAnnotation(pair.hot["ana"])),
            lambda: apply_edit(second, AddRelation(relation)),
        ])
    finally:
        first.close()
        second.close()
    (dangling,) = _row(
        pair,
        "SELECT COUNT(*) FROM relation r JOIN annotation a ON a.id IN (r.source_id, r.target_id) "
        "WHERE r.deleted_at IS NULL AND a.deleted_at IS NOT NULL",
    )
    assert dangling == 0
    removed, added = results
    assert not isinstance(removed, LoupeError)
    if isinstance(added, LoupeError):
        assert "no longer exists" in str(added)
    else:  # drawn first: the removal took it along
        assert removed[0].relation_ids == (relation.id,)


def test_a_report_reads_one_moment(pair):
    ana = pair.coders["ana"]
    with open_project(pair.url) as lead, open_project(pair.url_of("ana")) as window:
        article = window.store.articles.get(pair.articles["ana"][1])
        start, end = span(article, "Kiresk")
        before = lead.store.counts().annotations
        with read_snapshot(lead.store.engine):
            assert lead.store.counts().annotations == before
            # The coder's window (another thread) commits a span meanwhile.
            added = threading.Thread(target=apply_edit, args=(window, AddAnnotation(new_annotation(
                article.id, ana, "Actor", start, end, attributes=dict(POLICE)))))
            added.start()
            added.join()
            assert lead.store.counts().annotations == before
            assert len(lead.store.annotations.for_article(article.id)) == 0
        assert lead.store.counts().annotations == before + 1
