"""The codebook format, the default codebook and the codebook model."""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import paths
from app.core.codebook import (
    MAX_BYTES,
    Attribute,
    Codebook,
    Option,
    RelationType,
    default_codebook_path,
    load_codebook,
    load_default_codebook,
    parse_codebook,
    schema_path,
)
from app.core.errors import CodebookError

COERCION_TYPES = [
    "forced_recruitment",
    "recruitment_from_prison",
    "threat_of_deportation",
    "street_intimidation_by_police",
    "contract_signed_under_duress",
    "deception_or_false_promises",
    "non_payment",
    "abandonment_at_the_front",
    "other",
]


@pytest.fixture(scope="module")
def default() -> Codebook:
    return load_default_codebook()


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The default codebook as plain data, to be broken by tests (deep-copy first)."""
    return yaml.safe_load(default_codebook_path().read_text(encoding="utf-8"))


def dump(document: Any) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def error_of(text: str, origin: str = "coercion.yaml") -> str:
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, origin)
    return str(caught.value)


def minimal(**overrides: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": "Minimal",
        "version": "1",
        "span_labels": [{"name": "Actor", "key": "a", "color": "#000000"}],
    }
    document.update(overrides)
    return document


# ---------------------------------------------------------------------------
# The format and the default codebook


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_forbids_unknown_fields_everywhere() -> None:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    objects = [schema] + [d for d in schema["$defs"].values() if d.get("type") == "object"]
    assert len(objects) >= 6
    for definition in objects:
        assert definition["additionalProperties"] is False


def test_default_codebook_validates_against_the_schema_alone(document: dict[str, Any]) -> None:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)


def test_default_codebook_has_exactly_the_study_labels(default: Codebook) -> None:
    assert default.version == "1"
    assert [(label.name, label.key) for label in default.span_labels] == [
        ("Actor", "1"),
        ("Claim", "2"),
        ("Coercion", "3"),
    ]
    attributes = {
        label.name: [(a.name, a.type, a.required) for a in label.attributes]
        for label in default.span_labels
    }
    assert attributes == {
        "Actor": [("actor_type", "single_choice", True), ("role", "single_choice", True)],
        "Claim": [("claim_type", "single_choice", False), ("attribution", "single_choice", False)],
        "Coercion": [("coercion_type", "single_choice", False), ("stage", "single_choice", False)],
    }
    actor = default.label("Actor")
    assert actor.attribute("actor_type").option_values == (
        "state_authority",
        "armed_forces",
        "private_military_company",
        "police",
        "prison_administration",
        "non_state_armed_group",
        "civil_society_organisation",
        "news_outlet",
        "migrant_or_foreign_worker",
        "prisoner",
        "family_member",
        "international_body",
        "other",
    )
    assert actor.attribute("role").option_values == (
        "perpetrator",
        "target",
        "source_of_information",
        "witness",
        "advocate",
        "other",
    )
    claim = default.label("Claim")
    assert claim.attribute("claim_type").option_values == (
        "allegation",
        "confirmation",
        "denial",
        "statistic",
        "prediction",
        "official_statement",
    )
    assert claim.attribute("attribution").option_values == (
        "asserted_by_outlet",
        "named_source",
        "anonymous_source",
        "hedged",
    )
    coercion = default.label("Coercion")
    assert list(coercion.attribute("coercion_type").option_values) == COERCION_TYPES
    assert coercion.attribute("stage").option_values == ("threatened", "carried_out")


def test_default_codebook_has_exactly_the_study_relations_and_questions(
    default: Codebook,
) -> None:
    assert [(r.name, r.source, r.target, r.directed) for r in default.relation_types] == [
        ("said_by", ("Claim",), ("Actor",), True),
        ("perpetrator", ("Coercion",), ("Actor",), True),
        ("target", ("Coercion",), ("Actor",), True),
    ]
    assert [(q.name, q.type) for q in default.questions] == [
        ("relevance", "single_choice"),
        ("main_coercion_type", "single_choice"),
        ("sourcing", "ordinal"),
    ]
    assert default.question("relevance").required is True
    assert default.question("relevance").option_values == ("yes", "no")
    main = default.question("main_coercion_type").option_values
    assert sorted(main) == sorted(["none", *COERCION_TYPES])
    assert default.question("sourcing").option_values == (
        "unsourced",
        "single_source",
        "several_sources",
        "independently_confirmed",
    )


def test_default_codebook_reads_like_a_coding_manual(default: Codebook) -> None:
    colors = [label.color.lower() for label in default.span_labels]
    assert len(set(colors)) == len(colors)
    for label in default.span_labels:
        assert len(label.description) > 80, label.name
        assert 1 <= len(label.examples) <= 3, label.name
        for attribute in label.attributes:
            assert attribute.description, attribute.name
            assert all(option.description for option in attribute.options), attribute.name
    for relation in default.relation_types:
        assert relation.description
    for question in default.questions:
        assert question.prompt.endswith("?")
        assert all(option.description for option in question.options), question.name


def test_default_codebook_json_and_yaml_forms_are_the_same_codebook(
    document: dict[str, Any], default: Codebook
) -> None:
    as_json = json.dumps(document, indent="\t", ensure_ascii=False)  # tabs: PyYAML rejects them
    assert "\t" in as_json
    from_json = parse_codebook(as_json, "coercion.json")
    assert from_json == default
    assert from_json.sha256 == default.sha256


# ---------------------------------------------------------------------------
# Lookups and values


def test_lookups(default: Codebook) -> None:
    assert default.label("Claim").key == "2"
    assert default.label_for_key("3") is default.label("Coercion")
    assert default.label_for_key("9") is None
    assert default.relation_type("said_by").allows("Claim", "Actor")
    assert not default.relation_type("said_by").allows("Actor", "Claim")
    assert [r.name for r in default.relation_types_between("Coercion", "Actor")] == [
        "perpetrator",
        "target",
    ]
    assert default.question("sourcing").type == "ordinal"
    for lookup in (default.label, default.relation_type, default.question):
        with pytest.raises(KeyError):
            lookup("Nope")


def test_letter_keys_match_in_either_case() -> None:
    codebook = parse_codebook(dump(minimal()), "m.yaml")
    assert codebook.label_for_key("a").name == "Actor"
    assert codebook.label_for_key("A").name == "Actor"
    assert codebook.label_for_key("b") is None


def test_undirected_relation_allows_both_orders() -> None:
    undirected = RelationType(name="co", source=("A",), target=("B",), directed=False)
    directed = RelationType(name="to", source=("A",), target=("B",))
    assert undirected.allows("A", "B") and undirected.allows("B", "A")
    assert directed.allows("A", "B") and not directed.allows("B", "A")
    assert not undirected.allows("A", "A")


CHOICE = (Option("a"), Option("b"))


@pytest.mark.parametrize(
    ("attribute", "value", "valid"),
    [
        (Attribute("x", "single_choice", options=CHOICE), "a", True),
        (Attribute("x", "single_choice", options=CHOICE), "c", False),
        (Attribute("x", "single_choice", options=CHOICE), ["a"], False),
        (Attribute("x", "multi_choice", options=CHOICE), ["a", "b"], True),
        (Attribute("x", "multi_choice", options=CHOICE), [], True),
        (Attribute("x", "multi_choice", options=CHOICE), ["a", "a"], False),
        (Attribute("x", "multi_choice", options=CHOICE), ["c"], False),
        (Attribute("x", "multi_choice", options=CHOICE), "a", False),
        (Attribute("x", "boolean"), True, True),
        (Attribute("x", "boolean"), 1, False),
        (Attribute("x", "boolean"), "true", False),
        (Attribute("x", "text"), "anything", True),
        (Attribute("x", "text"), 3, False),
        (Attribute("x", "number", min=0, max=10), 10, True),
        (Attribute("x", "number", min=0, max=10), 2.5, True),
        (Attribute("x", "number", min=0, max=10), 11, False),
        (Attribute("x", "number", min=0, max=10), -1, False),
        (Attribute("x", "number"), True, False),
        (Attribute("x", "number"), float("nan"), False),
        (Attribute("x", "number"), "3", False),
        (Attribute("x", "text", required=True), None, True),
    ],
)
def test_attribute_validate(attribute: Attribute, value: Any, valid: bool) -> None:
    message = attribute.validate(value)
    if valid:
        assert message is None
    else:
        assert isinstance(message, str) and message.startswith("x: ")


def test_question_validate(default: Codebook) -> None:
    sourcing = default.question("sourcing")
    assert sourcing.validate("single_source") is None
    assert "is not one of" in sourcing.validate("two_sources")


def test_missing_required(default: Codebook) -> None:
    assert default.missing_required("Actor", {}) == ["actor_type", "role"]
    assert default.missing_required("Actor", {"actor_type": "police", "role": "  "}) == ["role"]
    assert default.missing_required("Actor", {"actor_type": "police", "role": "target"}) == []
    assert default.missing_required("Claim", {}) == []  # nothing required there
    with pytest.raises(KeyError):
        default.missing_required("Nope", {})


# ---------------------------------------------------------------------------
# Identity: canonical JSON and its hash


def test_content_json_is_canonical_and_hashed(default: Codebook) -> None:
    content = default.content_json()
    assert content == json.dumps(
        json.loads(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert default.sha256 == hashlib.sha256(content.encode("utf-8")).hexdigest()


def test_round_trip_through_content_json_keeps_the_hash(default: Codebook) -> None:
    restored = Codebook.from_content_json(default.content_json())
    assert restored == default
    assert restored.sha256 == default.sha256
    assert restored.content_json() == default.content_json()
    assert restored.label("Actor").attribute("role") == default.label("Actor").attribute("role")


def test_formatting_does_not_change_the_hash(document: dict[str, Any], default: Codebook) -> None:
    reordered = dict(reversed(list(copy.deepcopy(document).items())))
    assert parse_codebook(dump(reordered), "other.yaml").sha256 == default.sha256


def test_any_change_changes_the_hash(document: dict[str, Any], default: Codebook) -> None:
    changed = copy.deepcopy(document)
    changed["span_labels"][0]["description"] += " Also mark nicknames."
    assert parse_codebook(dump(changed), "changed.yaml").sha256 != default.sha256


def test_stored_content_is_validated_again(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["span_labels"][0]["key"] = "12"
    content = json.dumps(broken, sort_keys=True)
    with pytest.raises(CodebookError, match=r"^stored codebook: span_labels\[0\]\.key: "):
        Codebook.from_content_json(content)
    with pytest.raises(CodebookError, match="invalid JSON at line 1"):
        Codebook.from_content_json('{"name": ')


# ---------------------------------------------------------------------------
# Errors name the file and the path of the bad field


def _set(path: tuple[Any, ...], value: Any):
    def change(document: dict[str, Any]) -> None:
        node = document
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return change


def _delete(path: tuple[Any, ...]):
    def change(document: dict[str, Any]) -> None:
        node = document
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return change


SCHEMA_ERRORS = [
    (
        _set(("span_labels", 2, "attributes", 0, "type"), "choice"),
        "span_labels[2].attributes[0].type: 'choice' is not one of 'single_choice', 'multi_choice',",
    ),
    (
        _set(("span_labels", 0, "colour"), "#ffffff"),
        "span_labels[0].colour: unknown field; did you mean 'color'?",
    ),
    (_delete(("span_labels", 1, "color")), "span_labels[1].color: this required field is missing."),
    (
        _set(("span_labels", 1, "color"), "orange"),
        "span_labels[1].color: 'orange' is not valid: it must be a colour written #rrggbb.",
    ),
    (_set(("span_labels", 0, "key"), "10"), "span_labels[0].key: '10' is not valid"),
    (_set(("span_labels", 0, "key"), 1), "span_labels[0].key: 1 is read as a number, not text"),
    (
        _set(("span_labels", 0, "name"), "Actor type"),
        "span_labels[0].name: 'Actor type' is not valid",
    ),
    (_set(("version",), 1.0), "version: 1.0 is read as a number, not text; put it in quotes."),
    (_delete(("name",)), "coercion.yaml: name: this required field is missing."),
    (_set(("span_labels",), []), "span_labels: must not be empty."),
    (_set(("relation_types", 0, "source"), "Claim"), "relation_types[0].source: expected a list"),
    (
        _set(("relation_types", 1, "directed"), "yes"),
        "relation_types[1].directed: expected true or false, found text.",
    ),
    (
        _set(("questions", 0, "options", 0, "value"), True),
        "questions[0].options[0].value: true is read as true/false, not text",
    ),
    (_set(("questions", 2, "type"), "scale"), "questions[2].type: 'scale' is not one of"),
    (_delete(("questions", 1, "prompt")), "questions[1].prompt: this required field is missing."),
    (
        _set(("span_labels", 1, "attributes", 0, "required"), "no"),
        "span_labels[1].attributes[0].required: expected true or false",
    ),
    (_set(("span_labels", 0, "examples", 1), ""), "span_labels[0].examples[1]: must not be empty."),
    (
        _set(("frobnicate",), 1),
        "coercion.yaml: frobnicate: unknown field (allowed here: $schema, name,",
    ),
]


@pytest.mark.parametrize(("change", "expected"), SCHEMA_ERRORS)
def test_schema_errors_name_the_field(document: dict[str, Any], change: Any, expected: str) -> None:
    broken = copy.deepcopy(document)
    change(broken)
    message = error_of(dump(broken))
    assert message.startswith("coercion.yaml: ")
    assert expected in message
    assert "\n" not in message and "Traceback" not in message and "{'" not in message


SEMANTIC_ERRORS = [
    (
        _set(("span_labels", 2, "name"), "Actor"),
        "span_labels[2].name: duplicate span label name 'Actor': span_labels[0] has the same name.",
    ),
    (
        _set(("span_labels", 1, "name"), "actor"),
        "span_labels[1].name: duplicate span label name 'actor': span_labels[0] has the same name (ignoring case).",
    ),
    (
        _set(("span_labels", 2, "key"), "2"),
        "span_labels[2].key: duplicate key '2': span_labels[1] has the same key.",
    ),
    (
        _set(("span_labels", 0, "attributes", 1, "name"), "actor_type"),
        "span_labels[0].attributes[1].name: duplicate attribute name 'actor_type'",
    ),
    (
        _set(("relation_types", 2, "name"), "said_by"),
        "relation_types[2].name: duplicate relation type name 'said_by'",
    ),
    (
        _set(("questions", 2, "name"), "relevance"),
        "questions[2].name: duplicate question name 'relevance'",
    ),
    (
        _set(("span_labels", 2, "attributes", 1, "options", 1, "value"), "threatened"),
        "span_labels[2].attributes[1].options[1].value: duplicate option value 'threatened'",
    ),
    (
        _set(("relation_types", 0, "target"), ["Actr"]),
        "relation_types[0].target[0]: 'Actr' is not a span label of this codebook; did you mean 'Actor'?",
    ),
    (
        _set(("relation_types", 2, "source"), ["Coercion", "Event"]),
        "relation_types[2].source[1]: 'Event' is not a span label of this codebook.",
    ),
    (
        _delete(("span_labels", 1, "attributes", 0, "options")),
        "span_labels[1].attributes[0].options: 'claim_type' is a single_choice attribute and needs a list of options.",
    ),
    (
        _set(("questions", 0, "options"), []),
        "questions[0].options: 'relevance' is a single_choice question and needs a list of options.",
    ),
    (
        _set(("questions", 2, "options"), [{"value": "unsourced"}]),
        "questions[2].options: an ordinal scale needs at least two options.",
    ),
    (
        _set(
            ("span_labels", 0, "attributes"),
            [{"name": "age", "type": "number", "min": 90, "max": 18}],
        ),
        "span_labels[0].attributes[0].min: the minimum 90 is greater than the maximum 18.",
    ),
    (
        _set(("span_labels", 0, "attributes"), [{"name": "n", "type": "text", "max": 3}]),
        "span_labels[0].attributes[0].max: only number attributes have a max",
    ),
    (
        _set(("span_labels", 0, "attributes"), [{"name": "ok", "type": "boolean", "options": []}]),
        "span_labels[0].attributes[0].options: only choice attributes have options",
    ),
]


@pytest.mark.parametrize(("change", "expected"), SEMANTIC_ERRORS)
def test_semantic_errors_name_the_field(
    document: dict[str, Any], change: Any, expected: str
) -> None:
    broken = copy.deepcopy(document)
    change(broken)
    message = error_of(dump(broken))
    assert message.startswith("coercion.yaml: ")
    assert expected in message


def test_number_attribute_with_bounds_is_accepted() -> None:
    document = minimal()
    document["span_labels"][0]["attributes"] = [
        {"name": "age", "type": "number", "min": 14, "max": 90, "required": True}
    ]
    attribute = parse_codebook(dump(document), "m.yaml").label("Actor").attribute("age")
    assert (attribute.min, attribute.max, attribute.required) == (14, 90, True)
    assert attribute.validate(13) is not None


def test_long_values_are_truncated_in_messages(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["span_labels"][0]["color"] = "x" * 5000
    message = error_of(dump(broken))
    assert "span_labels[0].color: 'xxxx" in message
    assert len(message) < 300


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name: x\nversion: '1'\nspan_labels:\n  - name: A\n   key: '1'\n",
            "invalid YAML at line 5, column ",
        ),
        ("name: [unclosed\nversion: '1'\n", "invalid YAML at line "),
        ("name: x\nversion: '1'\nname: y\n", "line 3, column 1: the key 'name' appears twice"),
        ("name: x\n\tversion: '1'\n", "invalid YAML at line 2, column 1"),
        ("name: x\nversion: 2024-13-45\n", "line 2, column 10: '2024-13-45' cannot be read"),
        (
            "name: x\nversion: 2024-01-05\n",
            "version: a date is not allowed here; put the value in quotes",
        ),
        ('name: x\nversion: "a\x07b"\n', "line 2, column 12: the character U+0007 is not allowed"),
        ('{"name": "x", "name": "y"}', "the key 'name' appears twice in the same object"),
        ("- name: x\n- version: '1'\n", "the top level must be a mapping of codebook fields"),
        ("just a sentence\n", "the top level must be a mapping of codebook fields"),
        ("# nothing but a comment\n", "no codebook"),
        ("   \n\n", "the file is empty"),
        ("name: x\n1: y\n", "the key 1 is a number, not text"),
        ("name: x\nversion: !!binary aGVsbG8=\n", "version: binary data is not allowed here"),
        ("name: x\nversion: !!python/name:os.system\n", "could not determine a constructor"),
        ("a: &a [*a]\n", "a[0][0][0][0][0][0][0]...: nested too deeply"),
        ("name: x\nmin: .nan\n", "min: nan is not a finite number"),
        ("a: " + "[" * 3000 + "]" * 3000, "nested too deeply"),
    ],
)
def test_unreadable_text_gives_one_clear_sentence(text: str, expected: str) -> None:
    message = error_of(text)
    assert message.startswith("coercion.yaml: ")
    assert expected in message
    assert "\n" not in message and message.endswith((".", "?"))


def test_json_errors_give_line_and_column() -> None:
    text = '{"name": "x",\n "version": }'
    assert "coercion.json: invalid JSON at line 2, column 13: Expecting value." == error_of(
        text, "coercion.json"
    )
    # The same text is valid YAML flow style: a .yaml file is read as YAML.
    assert "coercion.yaml: span_labels: this required field is missing." == error_of(text)


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    assert "far too many for a codebook" in error_of("\n".join(lines))


# ---------------------------------------------------------------------------
# Files


def test_load_codebook_reports_the_file_name(tmp_path: Path, document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["span_labels"][2]["attributes"][0]["type"] = "choice"
    path = tmp_path / "coercion.yaml"
    path.write_text(dump(broken), encoding="utf-8")
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    assert str(caught.value).startswith(
        "coercion.yaml: span_labels[2].attributes[0].type: 'choice' is not one of"
    )


def test_load_codebook_accepts_a_byte_order_mark(tmp_path: Path, default: Codebook) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + default_codebook_path().read_bytes())
    assert load_codebook(path).sha256 == default.sha256


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "bad.yaml: the file is empty."),
        (b"\n  \n", "bad.yaml: the file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "bad.yaml: this is a binary file"),
        ("name: x\n".encode("utf-16"), "bad.yaml: the file is encoded as UTF-16"),
        (
            b"name: x\nversion: 'caf\xe9'\n",
            "not UTF-8 text (byte 0xe9 on line 2 cannot be decoded)",
        ),
        (b"name: x\n" + b"#" * MAX_BYTES, "bad.yaml: the file is larger than 2 MB"),
    ],
)
def test_load_codebook_refuses_bad_files(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    assert expected in str(caught.value)


def test_load_codebook_refuses_missing_files_and_folders(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match="no such codebook file"):
        load_codebook(tmp_path / "missing.yaml")
    with pytest.raises(CodebookError, match="is a folder"):
        load_codebook(tmp_path)


# ---------------------------------------------------------------------------
# Whatever the input, only CodebookError comes out


def _check_failure(message: str, origin: str) -> None:
    assert message.startswith(origin + ": ")
    assert "\n" not in message
    assert "Traceback" not in message
    assert len(message) < 600


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2000))
def test_random_bytes_raise_only_codebook_errors(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.yaml"
    path.write_bytes(data)
    try:
        load_codebook(path)
    except CodebookError as error:
        _check_failure(str(error), "fuzz.yaml")


YAMLISH = st.text(
    alphabet=st.sampled_from(list(":-[]{}#&*!|>'\"%@`,?\n\t 0123456789abcnxy.~\\\x00\u00e9\u0416")),
    max_size=200,
)


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(st.text(max_size=300), YAMLISH))
def test_random_text_raises_only_codebook_errors(text: str) -> None:
    try:
        parse_codebook(text, "fuzz.yaml")
    except CodebookError as error:
        _check_failure(str(error), "fuzz.yaml")


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["single_choice", "ordinal", "number", "Actor", "#abcdef", "1", "x"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


_DEFAULT_DOCUMENT = yaml.safe_load(default_codebook_path().read_text(encoding="utf-8"))
_DEFAULT_PATHS = _paths(_DEFAULT_DOCUMENT)


@settings(max_examples=300, deadline=None)
@given(
    changes=st.lists(
        st.tuples(st.sampled_from(_DEFAULT_PATHS), st.booleans(), JSON_VALUES),
        min_size=1,
        max_size=3,
    ),
    as_json=st.booleans(),
)
def test_damaged_default_codebook_raises_only_codebook_errors(
    changes: list[tuple[tuple[Any, ...], bool, Any]], as_json: bool
) -> None:
    document = copy.deepcopy(_DEFAULT_DOCUMENT)
    for path, delete, value in changes:
        node = document
        try:
            for part in path[:-1]:
                node = node[part]
            if delete:
                del node[path[-1]]
            else:
                node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the place
    text = json.dumps(document) if as_json else dump(document)
    try:
        codebook = parse_codebook(text, "fuzz.yaml")
    except CodebookError as error:
        _check_failure(str(error), "fuzz.yaml")
    else:
        assert Codebook.from_content_json(codebook.content_json()).sha256 == codebook.sha256


# ---------------------------------------------------------------------------
# Where bundled data is found


def test_schema_dir_in_a_source_checkout() -> None:
    assert paths.schema_dir() == Path(paths.__file__).resolve().parent.parent / "annotations_schema"
    assert (paths.schema_dir() / "codebook.schema.json").is_file()
    assert paths.sample_dir() == paths.resources_dir() / "sample"


def test_frozen_bundle_uses_meipass(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(paths, "IS_FROZEN", True)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.schema_dir() == tmp_path / "annotations_schema"
    assert paths.resources_dir() == tmp_path / "resources"
    assert default_codebook_path() == tmp_path / "annotations_schema" / "coercion-v1.yaml"
