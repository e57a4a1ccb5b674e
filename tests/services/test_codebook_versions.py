"""Changing a project's codebook: three versions, every coded row migrated and accounted for."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.core.edits import AddRelation, SetAnswer
from app.core.errors import CodebookError
from app.services.codebook_versions import chain_from, codebook_at, history, upgrade_codebook
from app.services.editing import add_annotation, apply_edit, new_relation
from app.services.importing import import_articles
from app.services.projects import Project, create_project, open_project
from tests.codebook_versions import (
    MAP_1_2,
    MAP_2_3,
    document_v1,
    document_v2,
    document_v3,
    rows,
    write_yaml,
)
from tests.team_fixtures import NO_MODEL, code, dump, span, write_articles

pytestmark = pytest.mark.both_backends


def coded_project(folder: Path, location: str | Path | None = None) -> Path | str:
    """Six articles coded by two coders under version 1 (spans, relations, answers, a tombstone),
    with Coercion spans of two kinds and one Actor without a role; at ``location`` (default:
    study.loupe in ``folder``)."""
    path = location or folder / "study.loupe"
    with create_project(path, codebook_path=write_yaml(folder / "v1.yaml", document_v1())) as project:
        import_articles(project, [write_articles(folder, 6)], model=NO_MODEL)
        for name in ("ana", "ben"):
            coder = project.store.coders.get_or_create(name)
            for i, article in enumerate(project.store.articles.list()):
                code(project, article, coder.id, variant=i % 2)
                start, end = span(article, "threatened them with deportation")
                kind = "threat_of_deportation" if i % 3 else "non_payment"
                coercion = add_annotation(project, article_id=article.id, coder_id=coder.id, label="Coercion",
                                          start=start, end=end, attributes={"coercion_type": kind})
                start, end = span(article, "Officers of the migration police")
                actor = add_annotation(project, article_id=article.id, coder_id=coder.id, label="Actor",
                                       start=start, end=end, attributes={"actor_type": "armed_forces"})
                apply_edit(project, AddRelation(new_relation(article.id, coder.id, "perpetrator", coercion.id, actor.id)))
    return path


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(coded_project(tmp_path_factory.mktemp("study")))


@pytest.fixture
def location(backend: str, project_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """The coded project of a test: a copy of the module's file, or built anew on a new
    database of the server (the codebooks and maps are beside ``project_path`` either way)."""
    if backend == "server":
        return coded_project(project_path.parent, request.getfixturevalue("server_url"))
    return project_path


@pytest.fixture
def project_path(study: Path, tmp_path: Path) -> Path:
    for name in ("v1.yaml",):
        (tmp_path / name).write_bytes((study.parent / name).read_bytes())
    target = tmp_path / "study.loupe"
    source = sqlite3.connect(study)
    with sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    write_yaml(tmp_path / "v2.yaml", document_v2())
    write_yaml(tmp_path / "v3.yaml", document_v3())
    (tmp_path / "map-1-2.yaml").write_text(MAP_1_2, encoding="utf-8")
    (tmp_path / "map-2-3.yaml").write_text(MAP_2_3, encoding="utf-8")
    return target


def test_three_versions_migrate_every_row(location: Path | str, project_path: Path) -> None:
    folder = project_path.parent
    before = rows(location, "SELECT label, count(*) FROM annotation WHERE deleted_at IS NULL GROUP BY label")
    assert dict(before) == {"Actor": 24, "Claim": 12, "Coercion": 12}
    with open_project(location) as project:
        first = upgrade_codebook(project, folder / "v2.yaml", folder / "map-1-2.yaml")
        assert (first.before, first.after, first.number) == ("Coercion into armed service 1",
                                                            "Coercion into armed service 2", 2)
        assert first.live == {"annotation": 48, "relation": 24, "answer": 24}
        assert first.changed == {"annotation": 24, "relation": 12, "answer": 12}
        assert dict(first.lines) == {
            "Actor → Agent": 24, "Actor.actor_type: armed_forces → law_enforcement": 12,
            "Actor.actor_type: police → law_enforcement": 6, "Actor.role → Agent.function": 12,
            "said_by → attributed_to": 12, "sourcing → source_quality": 12,
        }
        second = upgrade_codebook(project, folder / "v3.yaml", folder / "map-2-3.yaml")
        assert second.number == 3 and project.codebook.version == "3"
        assert dict(second.lines) == {"Coercion → Deportation": 8, "Claim.certainty: default unclear": 12,
                                      "Coercion: stays Coercion (coercion_type: not split off)": 4}
    after = dict(rows(location, "SELECT label, count(*) FROM annotation WHERE deleted_at IS NULL GROUP BY label"))
    assert after == {"Agent": 24, "Claim": 12, "Coercion": 4, "Deportation": 8}
    assert sum(after.values()) == sum(dict(before).values())  # every span accounted for
    assert rows(location, "SELECT DISTINCT CAST(attributes AS TEXT) FROM annotation WHERE label = 'Deportation'") == [("{}",)]
    agents = rows(location, "SELECT CAST(attributes AS TEXT) FROM annotation WHERE label = 'Agent'")
    assert {json.loads(cell)["actor_type"] for (cell,) in agents} == {"law_enforcement", "state_authority"}
    assert dict(rows(location, "SELECT label, count(*) FROM relation WHERE deleted_at IS NULL GROUP BY label")) == {
        "attributed_to": 12, "perpetrator": 12}
    assert dict(rows(location, "SELECT question, count(*) FROM document_code GROUP BY question")) == {
        "relevance": 12, "source_quality": 12}
    for table in ("annotation", "relation", "document_code"):  # migrated under 3, coded under 1
        assert rows(location, f"SELECT DISTINCT codebook_version, coded_version FROM {table}") == [(3, 1)]
    with open_project(location) as project:
        assert [(v.number, v.version) for v in history(project)] == [(1, "1"), (2, "2"), (3, "3")]
        assert history(project)[2].map["split"] == {"Coercion": {"by": "coercion_type",
                                                                 "into": {"threat_of_deportation": "Deportation"}}}
        article = project.store.articles.list()[0]
        coder = project.store.coders.find("ana")
        assert coder is not None
        apply_edit(project, SetAnswer(article.id, coder.id, "relevance", "no"))
        assert codebook_at(project, "1")[1].version == "1"
        assert chain_from(project, 1).annotation("Actor", {"actor_type": "police"}) == (
            "Agent", {"actor_type": "law_enforcement"})
    assert rows(location, "SELECT codebook_version, coded_version FROM document_code "
                              "WHERE question = 'relevance' AND CAST(value AS TEXT) = '\"no\"' AND revision > 1") == [(3, 3)]


def test_without_a_map_the_refusal_names_each_change_and_nothing_changes(location: Path | str, project_path: Path) -> None:
    before = dump(location)
    with open_project(location) as project, pytest.raises(CodebookError) as caught:
        upgrade_codebook(project, project_path.parent / "v2.yaml")
    assert str(caught.value).startswith(
        "The codebook cannot change from version 1 to 2 without a map for 3 changes: the span label Actor is gone")
    assert dump(location) == before


def test_a_row_that_would_not_fit_refuses_the_whole_change(location: Path | str, project_path: Path) -> None:
    document = document_v2()
    for relation in document["relation_types"]:
        if relation["name"] == "perpetrator":
            relation["target"] = ["Victim"]  # the coded perpetrator relations point at Agents
    write_yaml(project_path.parent / "v2-narrow.yaml", document)
    before = dump(location)
    with open_project(location) as project, pytest.raises(CodebookError) as caught:
        upgrade_codebook(project, project_path.parent / "v2-narrow.yaml", project_path.parent / "map-1-2.yaml")
    message = str(caught.value)
    assert message.startswith("The codebook cannot change to version 2: 12 coded rows would not fit it; "
                              "nothing was changed: relation ")
    assert "perpetrator cannot link Coercion to Agent (allowed: Coercion to Victim)" in message
    assert "; and" not in message and "coder ana" in message
    assert dump(location) == before


def test_a_version_already_used_or_the_same_codebook_is_refused(location: Path | str, project_path: Path) -> None:
    folder = project_path.parent
    with open_project(location) as project:
        with pytest.raises(CodebookError, match="already uses this codebook"):
            upgrade_codebook(project, folder / "v1.yaml")
        document = document_v1()
        document["description"] = "changed wording"
        write_yaml(folder / "v1-again.yaml", document)
        with pytest.raises(CodebookError, match="already used a codebook with version '1'"):
            upgrade_codebook(project, folder / "v1-again.yaml")


def test_a_dry_run_reports_and_changes_nothing(location: Path | str, project_path: Path) -> None:
    before = dump(location)
    with open_project(location) as project:
        report = upgrade_codebook(project, project_path.parent / "v2.yaml", project_path.parent / "map-1-2.yaml",
                                  dry_run=True)
        assert report.dry_run and report.changed["annotation"] == 24
        assert project.codebook.version == "1"
    assert dump(location) == before


def test_an_additive_version_needs_no_map(location: Path | str, project_path: Path) -> None:
    document = document_v1()
    document["version"] = "1.1"
    document["questions"].append({"name": "tone", "type": "text", "prompt": "Tone of the article?"})
    write_yaml(project_path.parent / "v1-1.yaml", document)
    with open_project(location) as project:
        report = upgrade_codebook(project, project_path.parent / "v1-1.yaml")
        assert report.lines == () and report.changed == {"annotation": 0, "relation": 0, "answer": 0}
    with open_project(location) as reopened:
        assert reopened.codebook.version == "1.1" and isinstance(reopened, Project)


def test_the_excel_codebook_sheet_lists_the_versions(location: Path | str, project_path: Path) -> None:
    import openpyxl

    from app.services.exporting import export_project

    folder = project_path.parent
    with open_project(location) as project:
        upgrade_codebook(project, folder / "v2.yaml", folder / "map-1-2.yaml")
        upgrade_codebook(project, folder / "v3.yaml", folder / "map-2-3.yaml")
        export_project(project, folder / "out.xlsx")
    book = openpyxl.load_workbook(folder / "out.xlsx", read_only=True)
    rows = [row for row in book["Codebook"].iter_rows(values_only=True) if row[0] == "version"]
    assert [row[1] for row in rows] == [
        "1: Coercion into armed service 1", "2: Coercion into armed service 2", "3: Coercion into armed service 3"]
    assert rows[0][8] == "First version"
    assert rows[2][8].startswith('Map: {"attributes": {}, "defaults": {"Claim.certainty": "unclear"}')
    assert "Changed: Claim.certainty: default unclear: 12; Coercion → Deportation: 8" in rows[2][8]
    book.close()


def test_adjudicators_rejections_follow_renamed_and_split_labels(location: Path | str, project_path: Path) -> None:
    """A rejected disagreement stays rejected after the codebook renames (Actor → Agent) and
    splits (Coercion → Deportation) its labels, and renames its relation type."""
    from app.core.adjudication import REJECTED
    from app.services.adjudication import adjudication_view, apply_all
    from app.services.adjudication_edits import reject_group, reject_relation

    folder = project_path.parent
    with open_project(location) as project:
        gail = project.store.coders.get_or_create("gail", "adjudicator")
        article = project.store.articles.list()[1]  # coercion_type threat_of_deportation: split off
        view = adjudication_view(project, article.id, gail.id)
        wanted = {group.label: group.key for group in view.groups}
        rejected = [wanted["Actor"], wanted["Coercion"]]
        for key in rejected:
            apply_all(project, reject_group(project, article.id, gail.id, key))
        relation = next(r for r in view.relations if r.label == "said_by")
        apply_all(project, reject_relation(project, article.id, gail.id, relation.key))
        upgrade_codebook(project, folder / "v2.yaml", folder / "map-1-2.yaml")
        report = upgrade_codebook(project, folder / "v3.yaml", folder / "map-2-3.yaml")
        assert dict(report.lines)["adjudication rejections following their labels"] == 1
        after = adjudication_view(project, article.id, gail.id)
    decided = {group.label: group.decision for group in after.groups}
    assert decided["Agent"] == decided["Deportation"] == REJECTED
    assert {r.label: r.decision for r in after.relations}["attributed_to"] == REJECTED
    keys = {key for (key,) in rows(location, "SELECT key FROM adjudication_rejection")}
    assert not any(key.startswith(("Actor:", "Coercion:", "said_by:")) for key in keys)
    assert len(keys) == 3
