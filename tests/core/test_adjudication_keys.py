"""Rejection keys across a change of codebook (app.core.adjudication_keys)."""

from __future__ import annotations

from app.core.adjudication_keys import parse_span_key, rekey, rekey_all

SPANS = [
    ("a1", "Actor", 0, 5), ("a2", "Actor", 0, 5),  # two coders' Actors at one extent
    ("c1", "Coercion", 10, 20), ("c2", "Coercion", 10, 20),
    ("x1", "Claim", 30, 40),
]
#: Actor renamed; c1 split off to Deportation, c2 stays; Claim dropped.
NEW = {"a1": "Agent", "a2": "Agent", "c1": "Deportation", "c2": "Coercion", "x1": None}


def new_label(span_id: str, _old: str) -> str | None:
    return NEW[span_id]


def relation_type(name: str) -> str | None:
    return {"said_by": "attributed_to", "perpetrator": "perpetrator"}.get(name)


def test_span_keys_follow_renames_splits_and_drops() -> None:
    assert rekey("Actor:0-5", SPANS, new_label, relation_type) == ("Agent:0-5",)
    assert rekey("Coercion:10-20", SPANS, new_label, relation_type) == ("Coercion:10-20", "Deportation:10-20")
    assert rekey("Claim:30-40", SPANS, new_label, relation_type) == ()
    # No span of the key in the article: nothing to follow, the key stays.
    assert rekey("Actor:50-60", SPANS, new_label, relation_type) == ("Actor:50-60",)
    assert rekey("Label:with:colons:1-2", SPANS, new_label, relation_type) == ("Label:with:colons:1-2",)


def test_relation_keys_follow_their_type_and_both_ends() -> None:
    assert rekey("said_by:Claim:30-40>Actor:0-5", SPANS, new_label, relation_type) == ()  # its source is gone
    assert rekey("perpetrator:Coercion:10-20>Actor:0-5", SPANS, new_label, relation_type) == (
        "perpetrator:Coercion:10-20>Agent:0-5", "perpetrator:Deportation:10-20>Agent:0-5")
    assert rekey("gone:Actor:0-5>Actor:0-5", SPANS, new_label, relation_type) == ()  # its type is dropped


def test_rekey_all_lists_only_what_changes() -> None:
    rejections = [("gail", "art1", "Actor:0-5"), ("gail", "art1", "Actor:50-60"), ("gail", "art2", "Actor:0-5")]
    assert rekey_all(rejections, {"art1": SPANS}, new_label, relation_type) == {("gail", "art1", "Actor:0-5"): ("Agent:0-5",)}
    assert parse_span_key("Actor:0-5") == ("Actor", 0, 5)
    assert parse_span_key("said_by:x>y") is None
