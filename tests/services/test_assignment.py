"""Coders and assignment: balanced allocation, a stratified reproducible overlap, and
re-assignment that never takes coded work away."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.allocation import allocate, stratified_sample
from app.services.assignment import AssignmentError, add_coder, assign, assignment_summary
from app.services.importing import import_articles
from app.services.projects import Project, open_project
from tests.team_fixtures import NO_MODEL, SOURCES, code, team_project, write_articles

pytestmark = pytest.mark.both_backends


def articles_with_sources(counts: dict[str, int]) -> list[tuple[str, str | None]]:
    return [(f"{source}-{i}", source) for source, n in counts.items() for i in range(n)]


def test_every_article_once_except_the_overlap_in_balanced_counts() -> None:
    articles = articles_with_sources({"a": 50, "b": 30, "c": 20})
    allocation = allocate(articles, ["x", "y", "z"], share=0.2, seed=5)
    assert len(allocation.overlap) == 20
    for article_id, coders in allocation.coders_of.items():
        expected = ("x", "y", "z") if article_id in allocation.overlap else None
        assert coders == expected if expected else len(coders) == 1
    singles = Counter(c for a, cs in allocation.coders_of.items() if a not in allocation.overlap for c in cs)
    assert sum(singles.values()) == 80 and max(singles.values()) - min(singles.values()) <= 1


def test_overlap_is_stratified_by_source_and_reproducible() -> None:
    articles = articles_with_sources({"a": 50, "b": 30, "c": 20})
    sample = stratified_sample(articles, 10, random.Random(1))
    assert Counter(a.split("-")[0] for a in sample) == {"a": 5, "b": 3, "c": 2}
    first = allocate(articles, ["x", "y"], share=0.1, seed=9)
    assert allocate(articles, ["x", "y"], share=0.1, seed=9) == first
    assert allocate(articles, ["x", "y"], share=0.1, seed=10).overlap != first.overlap
    # Remainders go to the larger source: 7 of (50, 30, 20) -> 3.5, 2.1, 1.4 -> 4, 2, 1.
    sample = stratified_sample(articles, 7, random.Random(1))
    assert Counter(a.split("-")[0] for a in sample) == {"a": 4, "b": 2, "c": 1}


def test_kept_work_stays_and_counts_towards_its_coder() -> None:
    articles = articles_with_sources({"a": 10})
    kept = {"a-0": {"x"}, "a-1": {"x"}, "a-2": {"gone"}}
    allocation = allocate(articles, ["x", "y"], share=0.0, seed=1, kept=kept)
    assert allocation.coders_of["a-0"] == ("x",) and allocation.coders_of["a-1"] == ("x",)
    assert allocation.coders_of["a-2"] == ("gone",)  # not handed to a second coder
    assert (allocation.count("x"), allocation.count("y")) == (5, 4)


@pytest.fixture
def team(project_location: str | Path, tmp_path: Path) -> Project:
    with team_project(project_location, n=30, folder=tmp_path) as project:
        yield project


def pairs(project: Project) -> dict[str, set[str]]:
    ids = {c.id: c.name for c in project.store.coders.list()}
    out: dict[str, set[str]] = {}
    for state in project.store.assigning.work_states():
        if state.assigned:
            out.setdefault(state.article_id, set()).add(ids[state.coder_id])
    return out


def test_assign_gives_overlap_to_everyone_and_the_rest_once(team: Project) -> None:
    report = assign(team, ["alice", "bob", "carol"], overlap=0.2, seed=3)
    assert (report.distributed, report.overlap, report.seed) == (30, 6, 3)
    assigned = pairs(team)
    assert len(assigned) == 30
    assert sum(len(c) == 3 for c in assigned.values()) == 6
    assert sum(len(c) == 1 for c in assigned.values()) == 24
    assert report.new_per_coder == {"alice": 14, "bob": 14, "carol": 14}
    # The overlap follows the sources (15, 10 and 5 articles): 3, 2 and 1.
    sources = {a.id: a.source for a in team.store.articles.list()}
    overlap_sources = Counter(sources[a] for a, c in assigned.items() if len(c) == 3)
    assert overlap_sources == {SOURCES[0]: 3, SOURCES[1]: 2, SOURCES[2]: 1}
    loads = {load.name: load for load in assignment_summary(team)}
    assert (loads["alice"].assigned, loads["alice"].overlap, loads["alice"].todo) == (14, 6, 14)
    assert loads["lena"].assigned == 0


def test_same_seed_same_assignment(tmp_path: Path) -> None:
    results = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        with team_project(tmp_path / name / "study.loupe", n=30) as project:
            assign(project, ["alice", "bob"], overlap=0.3, seed=11)
            titles = {a.id: a.title for a in project.store.articles.list()}
            results.append({titles[a]: c for a, c in pairs(project).items()})
    assert results[0] == results[1]


def test_reassign_distributes_only_new_articles(team: Project, tmp_path: Path) -> None:
    assign(team, ["alice", "bob"], overlap=0.2, seed=1)
    before = pairs(team)
    import_articles(team, [write_articles(tmp_path, 10, start=100)], model=NO_MODEL)
    report = assign(team, ["alice", "bob", "carol"], overlap=0.0, seed=2)
    assert (report.distributed, report.left_alone, report.overlap) == (10, 30, 0)
    after = pairs(team)
    assert {a: after[a] for a in before} == before
    assert sorted(report.new_per_coder.values()) == [3, 3, 4]
    again = assign(team, ["alice", "bob", "carol"], overlap=0.5, seed=3)
    assert again.distributed == 0 and pairs(team) == after


def test_replace_never_drops_coded_work(team: Project) -> None:
    assign(team, ["alice", "bob", "carol"], overlap=0.0, seed=1)
    carol = team.store.coders.find("carol")
    articles = {a.id: a for a in team.store.articles.list()}
    carols = sorted(a for a, c in pairs(team).items() if c == {"carol"})
    code(team, articles[carols[0]], carol.id)  # done
    team.store.assignments.set_status(carols[1], carol.id, "in_progress", "2030-01-01T00:00:00+00:00")
    before = {(a, c) for a, cs in pairs(team).items() for c in cs}
    report = assign(team, ["alice", "bob"], overlap=0.0, seed=1, replace=True)
    after = pairs(team)
    assert after[carols[0]] == {"carol"} and after[carols[1]] == {"carol"}
    assert {a for a, c in after.items() if "carol" in c} == {carols[0], carols[1]}
    after_pairs = {(a, c) for a, cs in after.items() for c in cs}
    assert report.kept == 2 and report.removed == len(before - after_pairs) >= 8
    assert sum(report.new_per_coder.values()) == len(after_pairs - before)
    assert all(len(c) == 1 for c in after.values()) and len(after) == 30
    counts = Counter(next(iter(c)) for c in after.values())
    assert counts["alice"] == 14 and counts["bob"] == 14
    assert len(team.store.annotations.for_article(carols[0], carol.id)) == 2


def test_unknown_coder_and_bad_share_are_refused(team: Project) -> None:
    with pytest.raises(AssignmentError, match="no coder named 'dave'"):
        assign(team, ["alice", "dave"], overlap=0.2)
    with pytest.raises(AssignmentError, match="between 0 and 1"):
        assign(team, ["alice"], overlap=1.5)
    assert pairs(team) == {}
    with pytest.raises(AssignmentError, match="comma"):
        add_coder(team, "a,b")


def test_cli_coders_assign_and_assignments(
    project_location: str | Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project_location
    team_project(path, n=12, coders=(), folder=tmp_path).close()
    assert main(["coders", str(path), "--add", "ann"]) == 0
    assert main(["coders", str(path), "--add", "ben"]) == 0
    assert main(["coders", str(path), "--add", "gil", "--role", "adjudicator"]) == 0
    assert main(["coders", str(path), "--add", "ann"]) == 0
    out = capsys.readouterr().out
    assert "Added ann (coder)." in out and "already a coder" in out
    assert main(["coders", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == ["ann\tcoder", "ben\tcoder", "gil\tadjudicator", "lena\tlead"]
    assert main(["assign", str(path), "--coders", "ann,ben", "--overlap", "0.25", "--seed", "4"]) == 0
    assert "Distributed 12 articles (3 in the overlap" in capsys.readouterr().out
    assert main(["assignments", str(path), "--json"]) == 0
    loads = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert (loads["ann"]["assigned"], loads["ben"]["assigned"]) == (3 + 5, 3 + 4)
    assert loads["ann"]["overlap"] == loads["ben"]["overlap"] == 3 and loads["gil"]["assigned"] == 0
    assert main(["assign", str(path), "--coders", "ann,zed"]) == 1
    assert "no coder named 'zed'" in capsys.readouterr().err
    with open_project(path) as project:
        assert len(pairs(project)) == 12
