"""The codebook editor's working copy, without Qt: edits become a checked new version and
a map in which renames are renames; problems name their item and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from app.core.codebook import Codebook, parse_codebook
from app.services.codebook_edits import (
    Problem,
    Ready,
    WorkingCopy,
    suggest_version,
    typed_default,
)
from app.services.codebook_text import codebook_yaml
from app.services.codebook_versions import adopt_codebook, history
from app.services.projects import open_project
from tests.codebook_versions import document_v1, rows
from tests.services.test_codebook_versions import coded_project

pytestmark = pytest.mark.both_backends

ACTOR, CLAIM, COERCION = ("span_labels", 0), ("span_labels", 1), ("span_labels", 2)
ACTOR_TYPE, ROLE = (*ACTOR, "attributes", 0), (*ACTOR, "attributes", 1)
SAID_BY = ("relation_types", 0)
SOURCING = ("questions", 2)


@pytest.fixture
def v1() -> Codebook:
    return parse_codebook(yaml.safe_dump(document_v1()), "v1.yaml")


def ready(working: WorkingCopy) -> Ready:
    result = working.check()
    assert isinstance(result, Ready), result
    return result


def test_renames_are_renames_and_deletions_drop(v1: Codebook) -> None:
    working = WorkingCopy(v1, ["1"])
    assert working.doc["version"] == "2"
    working.set_field(ACTOR, "name", "Agent")
    working.set_field(ROLE, "name", "function")
    working.set_field((*ACTOR_TYPE, "options", 3), "value", "law_enforcement")  # was police
    working.remove((*ACTOR_TYPE, "options", 1))  # armed_forces
    working.set_field(SAID_BY, "name", "attributed_to")
    working.set_field(SOURCING, "name", "source_quality")
    working.set_field((*SOURCING, "options", 0), "value", "no_source")
    working.remove((*COERCION, "attributes", 1))  # stage
    added = working.add(ACTOR_TYPE)
    working.set_field(added, "value", "militia")
    assert working.map_document() == {
        "labels": {"Actor": "Agent"},
        "attributes": {"Actor.role": "Agent.function", "Coercion.stage": None},
        "options": {"Actor.actor_type": {"armed_forces": None, "police": "law_enforcement"},
                    "sourcing": {"unsourced": "no_source"}},
        "relations": {"said_by": "attributed_to"},
        "questions": {"sourcing": "source_quality"},
    }
    assert working.deletions() == ["attribute Coercion.stage", "option armed_forces of Actor.actor_type"]
    result = ready(working)
    assert result.codebook.relation_type("attributed_to").target == ("Agent",)  # relations follow the label
    assert result.codebook.label("Agent").attribute("actor_type").option_values[-1] == "militia"
    assert result.cmap.labels == {"Actor": "Agent"}


def test_relations_point_at_labels_not_at_their_names(v1: Codebook) -> None:
    """Renaming Actor through a name another label has (Claim) does not take Claim's relations."""
    working = WorkingCopy(v1, ["1"])
    for name in ("Claim", "Claimant"):
        working.set_field(ACTOR, "name", name)
    said_by = working.document()["relation_types"][0]
    assert (said_by["source"], said_by["target"]) == (["Claim"], ["Claimant"])
    working.remove(ACTOR)
    assert working.document()["relation_types"][0]["target"] == []
    problem = working.check()
    assert problem == Problem("The edited codebook: relation_types[0].target: must not be empty.",
                              SAID_BY, "target")


def test_problems_name_their_item_and_field(v1: Codebook) -> None:
    working = WorkingCopy(v1, ["1", "2"])
    assert working.doc["version"] == "3"
    assert working.check() == Problem("Nothing has changed yet.", quiet=True)
    working.set_field(CLAIM, "name", "actor")
    assert working.check() == Problem(
        "The edited codebook: span_labels[1].name: duplicate span label name 'actor': span_labels[0] "
        "has the same name (ignoring case).", CLAIM, "name")
    working.set_field(CLAIM, "name", "Claim")
    working.set_field((*ACTOR_TYPE, "options", 2), "value", "")
    problem = working.check()
    assert isinstance(problem, Problem) and (problem.item, problem.field) == ((*ACTOR_TYPE, "options", 2), "value")
    working.set_field((*ACTOR_TYPE, "options", 2), "value", "pmc")
    working.doc["version"] = "2"
    assert working.check() == Problem(
        "The project has already used version '2'; give this codebook a version of its own.", None, "version")
    working.doc["version"] = "2b"
    assert ready(working).cmap.options == {"Actor.actor_type": {"private_military_company": "pmc"}}


def test_a_new_required_attribute_needs_a_default(v1: Codebook) -> None:
    working = WorkingCopy(v1, ["1"])
    attribute = working.add(CLAIM)
    assert attribute == (*CLAIM, "attributes", 2)
    working.set_field(attribute, "name", "certainty")
    working.set_field(attribute, "type", "number")
    working.set_field(attribute, "required", True)
    assert working.needs_default(attribute)
    problem = working.check()
    assert problem == Problem(
        "Saving needs a decision for 1 change: Claim.certainty is required and coded rows have no value "
        "for it (give a default for coded rows).", attribute, "_default")
    working.set_field(attribute, "_default", "0.5")
    assert ready(working).cmap.defaults == {"Claim.certainty": 0.5}
    # An existing required attribute, or one of a new label, needs none.
    assert not working.needs_default(ROLE)
    label = working.add(("span_labels",))
    required = working.add(label)
    working.set_field(required, "required", True)
    assert not working.needs_default(required)


def test_typed_defaults_and_suggested_versions() -> None:
    assert typed_default({"type": "boolean"}, "Yes") is True
    assert typed_default({"type": "number"}, "3") == 3
    assert typed_default({"type": "number"}, "three") == "three"
    assert typed_default({"type": "multi_choice"}, "a, b,") == ["a", "b"]
    assert suggest_version("1", ["1", "2"]) == "3"
    assert suggest_version("1.4", ["1.4"]) == "1.5"
    assert suggest_version("pilot", ["pilot"]) == "pilot.1"


def test_moves_and_the_exported_yaml(v1: Codebook) -> None:
    working = WorkingCopy(v1, ["1"])
    assert working.move(COERCION, 1) == COERCION  # already last
    assert working.move(COERCION, -1) == CLAIM
    assert [label["name"] for label in working.document()["span_labels"]] == ["Actor", "Coercion", "Claim"]
    text = codebook_yaml(working.document())
    assert text.startswith("name: Coercion into armed service\nversion: '2'\ndescription:")
    assert "_was" not in text and "_id" not in text
    assert parse_codebook(text, "edited.yaml").label_names == ("Actor", "Coercion", "Claim")


def test_the_map_of_the_edits_migrates_a_coded_project(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    path = coded_project(tmp_path, request.getfixturevalue("server_url") if backend == "server" else None)
    with open_project(path) as project:
        working = WorkingCopy(project.codebook, [v.version for v in history(project)])
        working.set_field(ACTOR, "name", "Agent")
        working.set_field((*ACTOR_TYPE, "options", 1), "value", "military")  # was armed_forces
        result = ready(working)
        report = adopt_codebook(project, result.codebook, result.cmap)
    assert report.changed["annotation"] == 24 and report.dropped == {"annotation": 0, "relation": 0, "answer": 0}
    found = rows(path, "SELECT label, CAST(attributes AS TEXT) FROM annotation "
                       "WHERE deleted_at IS NULL AND label IN ('Actor', 'Agent')")
    pairs = {(label, json.loads(attributes).get("actor_type")) for label, attributes in found}
    assert {label for label, _ in pairs} == {"Agent"} and ("Agent", "military") in pairs
