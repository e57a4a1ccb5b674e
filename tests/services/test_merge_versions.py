"""Merging coders' packages made under older codebook versions into a project at version 3."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.core.edits import AddRelation, SetAnswer
from app.services.assignment import assign
from app.services.codebook_versions import upgrade_codebook
from app.services.coding import article_listing
from app.services.editing import add_annotation, apply_edit, new_relation
from app.services.importing import import_articles
from app.services.merge_checks import MergeError
from app.services.merging import merge_files
from app.services.packages import write_package
from app.services.projects import create_project, open_project
from tests.codebook_versions import (
    MAP_1_2,
    MAP_2_3,
    document_v1,
    document_v2,
    document_v3,
    rows,
    write_yaml,
)
from tests.team_fixtures import NO_MODEL, code, span, write_articles

N = 6


def code_ben_v2(path: Path) -> None:
    """ben codes his version-2 package with version 2's names."""
    with open_project(path) as package:
        ben = package.store.coders.find("ben")
        assert ben is not None and package.codebook.version == "2"
        articles = {a.id: a for a in package.store.articles.list()}
        for row in article_listing(package, ben.id):
            article = articles[row.id]
            start, end = span(article, "Officers of the migration police")
            agent = add_annotation(package, article_id=article.id, coder_id=ben.id, label="Agent", start=start,
                                   end=end, attributes={"actor_type": "law_enforcement", "function": "perpetrator"})
            start, end = span(article, "threatened them with deportation")
            coercion = add_annotation(package, article_id=article.id, coder_id=ben.id, label="Coercion", start=start,
                                      end=end, attributes={"coercion_type": "threat_of_deportation"})
            apply_edit(package, AddRelation(new_relation(article.id, ben.id, "perpetrator", coercion.id, agent.id)))
            apply_edit(package, SetAnswer(article.id, ben.id, "source_quality", "several_sources"))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """lead.loupe at version 3; ana.loupe packaged (and coded) at version 1, ben.loupe at
    version 2; lead-v2.loupe, a copy of the lead at version 2; ana-v3.loupe, at version 3."""
    folder = tmp_path_factory.mktemp("versions")
    for name, document in (("v1", document_v1()), ("v2", document_v2()), ("v3", document_v3())):
        write_yaml(folder / f"{name}.yaml", document)
    (folder / "map-1-2.yaml").write_text(MAP_1_2, encoding="utf-8")
    (folder / "map-2-3.yaml").write_text(MAP_2_3, encoding="utf-8")
    lead_path = folder / "lead.loupe"
    with create_project(lead_path, codebook_path=folder / "v1.yaml") as lead:
        import_articles(lead, [write_articles(folder, N)], model=NO_MODEL)
        for name in ("ana", "ben"):
            lead.store.coders.get_or_create(name)
        assign(lead, ["ana", "ben"], overlap=1.0, seed=3)
        write_package(lead, "ana", folder / "ana.loupe")
        upgrade_codebook(lead, folder / "v2.yaml", folder / "map-1-2.yaml")
        write_package(lead, "ben", folder / "ben.loupe")
    shutil.copy(lead_path, folder / "lead-v2.loupe")
    with open_project(lead_path) as lead:
        upgrade_codebook(lead, folder / "v3.yaml", folder / "map-2-3.yaml")
        write_package(lead, "ana", folder / "ana-v3.loupe")
    with open_project(folder / "ana.loupe") as package:
        ana = package.store.coders.find("ana")
        assert ana is not None and package.codebook.version == "1"
        articles = {a.id: a for a in package.store.articles.list()}
        for i, row in enumerate(article_listing(package, ana.id)):
            code(package, articles[row.id], ana.id, variant=i % 2)
    code_ben_v2(folder / "ben.loupe")
    return folder


@pytest.fixture
def team(template: Path, tmp_path: Path) -> Path:
    for path in template.iterdir():
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_packages_of_versions_1_and_2_merge_into_version_3(team: Path) -> None:
    packages = {name: (team / name).read_bytes() for name in ("ana.loupe", "ben.loupe")}
    with open_project(team / "lead.loupe") as lead:
        report = merge_files(lead, [team / "ana.loupe", team / "ben.loupe"], make_backup=False)
    assert all(f.changed for f in report.files)
    lead_file = team / "lead.loupe"
    spans = rows(lead_file, "SELECT c.name, a.label, a.deleted_at IS NULL, a.codebook_version, a.coded_version, "
                            "count(*) FROM annotation a JOIN coder c ON c.id = a.coder_id GROUP BY 1, 2, 3, 4, 5")
    assert sorted(spans) == [
        ("ana", "Agent", 1, 3, 1, N), ("ana", "Claim", 1, 3, 1, N), ("ana", "Coercion", 0, 3, 1, N),
        ("ben", "Agent", 1, 3, 2, N), ("ben", "Deportation", 1, 3, 2, N),
    ]
    assert rows(lead_file, "SELECT DISTINCT json_extract(attributes, '$.certainty') FROM annotation "
                           "WHERE label = 'Claim'") == [("unclear",)]
    assert sorted(rows(lead_file, "SELECT DISTINCT json_extract(attributes, '$.actor_type') FROM annotation "
                                  "WHERE label = 'Agent'")) == [("law_enforcement",), ("state_authority",)]
    assert rows(lead_file, "SELECT DISTINCT attributes FROM annotation WHERE label = 'Deportation'") == [("{}",)]
    relations = rows(lead_file, "SELECT c.name, r.label, count(*) FROM relation r JOIN coder c ON c.id = r.coder_id "
                                "GROUP BY 1, 2")
    assert sorted(relations) == [("ana", "attributed_to", N), ("ben", "perpetrator", N)]
    answers = rows(lead_file, "SELECT c.name, d.question, count(*) FROM document_code d "
                              "JOIN coder c ON c.id = d.coder_id GROUP BY 1, 2")
    assert sorted(answers) == [("ana", "relevance", N), ("ana", "source_quality", N), ("ben", "source_quality", N)]
    assert {name: (team / name).read_bytes() for name in packages} == packages  # the coders' files untouched
    with open_project(team / "lead.loupe") as lead:  # merging them again changes nothing
        again = merge_files(lead, [team / "ana.loupe", team / "ben.loupe"], make_backup=False)
    assert not any(f.changed for f in again.files)


def test_a_package_of_a_newer_version_is_refused(team: Path) -> None:
    with open_project(team / "lead-v2.loupe") as lead, pytest.raises(MergeError) as caught:
        merge_files(lead, [team / "ana-v3.loupe"], make_backup=False)
    assert str(caught.value) == (
        "Nothing was merged: ana-v3.loupe was made with a newer codebook version (Coercion into armed "
        "service 3) than the project's (Coercion into armed service 2); merge it into the project that has "
        "that version."
    )


def test_a_package_that_no_longer_fits_is_refused_with_its_rows(team: Path) -> None:
    """ben's version-2 package, merged into a lead whose version 3 narrowed ``perpetrator``."""
    document = document_v3()
    document["version"] = "3b"
    for relation in document["relation_types"]:
        if relation["name"] == "perpetrator":
            relation["target"] = ["Victim"]
    write_yaml(team / "v3b.yaml", document)
    with open_project(team / "lead-v2.loupe") as lead:
        upgrade_codebook(lead, team / "v3b.yaml", team / "map-2-3.yaml")  # the lead has no perpetrators yet
        with pytest.raises(MergeError) as caught:
            merge_files(lead, [team / "ben.loupe"], make_backup=False)
    message = str(caught.value)
    assert message.startswith("Nothing was merged: ben.loupe cannot be brought from codebook version 2 to 3b: "
                              "The codebook cannot change to version 3b:")
    assert "; nothing was changed: relation " in message and f"{N} coded rows would not fit it" in message
    assert "perpetrator cannot link Deportation to Agent" in message  # ben's Coercions became Deportations
