"""Codebook maps: reading one, the changes that need one, migrating rows along it."""

from __future__ import annotations

import pytest

from app.core.codebook import (
    Chain,
    CodebookMap,
    Migrator,
    Step,
    item_changes,
    read_map_text,
    unmapped_changes,
)
from app.core.errors import CodebookError
from tests.codebook_versions import (
    MAP_1_2,
    MAP_2_3,
    codebook,
    document_v1,
    document_v2,
    document_v3,
)

V1, V2, V3 = codebook(document_v1()), codebook(document_v2()), codebook(document_v3())


def test_without_a_map_each_change_that_needs_one_is_named() -> None:
    changes = unmapped_changes(V1, V2)
    assert "the span label Actor is gone (map it under labels or split, or drop it with null)" in changes
    assert "the relation type said_by is gone (map it under relations, or drop it with null)" in changes
    assert "the question sourcing is gone (map it under questions, or drop it with null)" in changes
    assert len(changes) == 3


def test_the_map_covers_every_change() -> None:
    assert unmapped_changes(V1, V2, read_map_text(MAP_1_2, "map.yaml", V1, V2)) == []
    assert unmapped_changes(V2, V3, read_map_text(MAP_2_3, "map.yaml", V2, V3)) == []


def test_a_rename_alone_leaves_the_attribute_and_option_changes_named() -> None:
    cmap = read_map_text("labels: {Actor: Agent}\nrelations: {said_by: attributed_to}\n"
                         "questions: {sourcing: source_quality}", "m.yaml", V1, V2)
    changes = unmapped_changes(V1, V2, cmap)
    assert changes == [
        "the option armed_forces of Actor.actor_type is gone (map it under options, or drop it with null)",
        "the option police of Actor.actor_type is gone (map it under options, or drop it with null)",
        "Actor.role is not an attribute of Agent in the new codebook (rename it under attributes, or drop it with null)",
        "Agent.function is required and coded rows have no value for it (give one under defaults)",
    ]


def test_a_new_required_attribute_needs_a_default() -> None:
    split_only = read_map_text(
        "split: {Coercion: {by: coercion_type, into: {threat_of_deportation: Deportation}}}", "m.yaml", V2, V3)
    assert unmapped_changes(V2, V3, split_only) == [
        "Claim.certainty is required and coded rows have no value for it (give one under defaults)"
    ]


def test_purely_additive_changes_need_nothing() -> None:
    document = document_v1()
    document["version"] = "1b"
    document["span_labels"][0]["attributes"][0]["options"].append({"value": "mercenary_recruiter"})
    document["questions"].append({"name": "tone", "type": "text", "prompt": "Tone?"})
    assert unmapped_changes(V1, codebook(document)) == []


@pytest.mark.parametrize(("text", "message"), [
    ("labels: {Actr: Agent}", "m.yaml: labels: 'Actr' is not a span label of the project's codebook 1."),
    ("labels: {Actor: Agnt}", "m.yaml: labels.Actor: 'Agnt' is not a span label of the new codebook 2."),
    ("options: {Actor.actor_type: {polic: law_enforcement}}",
     "m.yaml: options.Actor.actor_type: 'polic' is not an option of Actor.actor_type."),
    ("attributes: {Actor.rol: function}", "m.yaml: attributes: 'Actor.rol' is not an attribute of the project's codebook."),
    ("labelz: {}", "m.yaml: labelz: unknown field; did you mean 'labels'?"),
    ("options: {relevance: {yes: 'y'}}", "m.yaml: options.relevance: the key True is true/false, not text; put it in quotes."),
    ("- Actor", "m.yaml: the top level must be a mapping (labels, split, attributes, options, relations, "
                "questions, defaults), not a list or a value."),
])
def test_a_bad_map_is_refused_in_one_sentence(text: str, message: str) -> None:
    with pytest.raises(CodebookError) as caught:
        read_map_text(text, "m.yaml", V1, V2)
    assert str(caught.value) == message


def test_migrating_spans_relations_and_answers_along_two_maps() -> None:
    first = Migrator(V1, V2, read_map_text(MAP_1_2, "m", V1, V2))
    second = Migrator(V2, V3, read_map_text(MAP_2_3, "m", V2, V3))
    chain = Chain([first, second])
    assert chain.annotation("Actor", {"actor_type": "police", "role": "target"}) == (
        "Agent", {"actor_type": "law_enforcement", "function": "target"})
    assert chain.annotation("Coercion", {"coercion_type": "threat_of_deportation", "stage": "threatened"}) == (
        "Deportation", {"stage": "threatened"})
    assert chain.annotation("Coercion", {"coercion_type": "non_payment"}) == (
        "Coercion", {"coercion_type": "non_payment"})
    assert chain.annotation("Claim", {"claim_type": "denial"}) == (
        "Claim", {"claim_type": "denial", "certainty": "unclear"})
    assert chain.relation("said_by", {}) == ("attributed_to", {})
    assert chain.answer("sourcing", "single_source") == ("source_quality", "single_source")
    assert chain.answer("relevance", "yes") == ("relevance", "yes")
    assert chain.tally() == {
        "Actor → Agent": 1, "Actor.actor_type: police → law_enforcement": 1,
        "Actor.role → Agent.function": 1, "Coercion → Deportation": 1,
        "Claim.certainty: default unclear": 1, "said_by → attributed_to": 1,
        "sourcing → source_quality": 1, "Coercion: stays Coercion (coercion_type: not split off)": 1,
    }


def test_merged_options_in_a_list_are_kept_once_and_dropped_options_go() -> None:
    document = document_v1()
    document["version"] = "2"
    question = next(q for q in document["questions"] if q["name"] == "main_coercion_type")
    question["type"] = "multi_choice"
    question["options"] = [o for o in question["options"] if o["value"] not in ("non_payment", "other")]
    new = codebook(document)
    cmap = read_map_text(
        "options: {main_coercion_type: {non_payment: null, other: none}}", "m", V1, new)
    assert unmapped_changes(V1, new, cmap) == []
    step = Migrator(V1, new, cmap)
    assert step.answer("main_coercion_type", "other") == ("main_coercion_type", ["none"])
    assert step.answer("main_coercion_type", "non_payment") == (None, None)
    assert step.answer("main_coercion_type", "forced_recruitment") == ("main_coercion_type", ["forced_recruitment"])


def test_an_empty_map_is_empty() -> None:
    assert CodebookMap().is_empty()
    assert not read_map_text(MAP_1_2, "m", V1, V2).is_empty()


def test_items_whose_meaning_changed_along_two_versions() -> None:
    steps = [Step(2, V1, V2, read_map_text(MAP_1_2, "m", V1, V2)), Step(3, V2, V3, read_map_text(MAP_2_3, "m", V2, V3))]
    changes = item_changes(steps)
    split = ("Coercion", "coercion_type")
    assert {key: (c.version, c.since, c.split) for key, c in changes.items()} == {
        "span:Victim": (2, 2, None),
        "attribute:Agent.actor_type": (2, None, None),
        "span:Coercion": (3, None, split), "attribute:Coercion.coercion_type": (3, None, split),
        "attribute:Coercion.stage": (3, None, split),
        "span:Deportation": (3, None, split), "attribute:Deportation.stage": (3, None, split),
        "attribute:Claim.certainty": (3, 3, None),
    }
    assert changes["attribute:Agent.actor_type"].why == (
        "options merged into law_enforcement in version 2 (earlier values migrated)")
    assert changes["attribute:Claim.certainty"].why == "new in version 3; earlier rows were given the map's default"
    assert changes["span:Deportation"].why == "split from Coercion by coercion_type in version 3"


def test_a_change_is_carried_through_a_later_rename_and_new_options_count() -> None:
    document = document_v1()
    document["version"] = "1b"
    for label in document["span_labels"]:
        if label["name"] == "Actor":
            label["attributes"][0]["options"].append({"value": "militia"})
    v1b = codebook(document)
    renamed = document_v2()
    renamed["version"] = "2b"
    for label in renamed["span_labels"]:
        if label["name"] == "Agent":
            label["attributes"][0]["options"].append({"value": "militia"})
    v2b = codebook(renamed)
    steps = [Step(2, V1, v1b, CodebookMap()), Step(3, v1b, v2b, read_map_text(MAP_1_2, "m", v1b, v2b))]
    changes = item_changes(steps)
    assert changes["attribute:Agent.actor_type"].since == 2  # gained militia at 2, merged (no exclusion) at 3
    assert changes["attribute:Agent.actor_type"].why == (
        "options gained militia in version 2; options merged into law_enforcement in version 3 "
        "(earlier values migrated)")
    assert "attribute:Actor.actor_type" not in changes
    assert item_changes(steps[:1])["attribute:Actor.actor_type"].why == "options gained militia in version 2"
