"""Three versions of the bundled coercion codebook, for the tests of codebook evolution.

- v1: the bundled ``coercion-v1.yaml`` (version given as ``1``).
- v2: ``Actor`` renamed ``Agent`` with ``role`` renamed ``function``; the options
  ``police`` and ``armed_forces`` of ``actor_type`` merged into ``law_enforcement``;
  relation ``said_by`` renamed ``attributed_to``; question ``sourcing`` renamed
  ``source_quality``; a new optional label ``Victim`` (additive).
- v3: ``Coercion`` split by ``coercion_type``: ``threat_of_deportation`` becomes the new
  label ``Deportation`` (without ``coercion_type``); a new required attribute
  ``Claim.certainty`` (default ``unclear`` in the map).
"""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path
from typing import Any

import yaml

from app.core.codebook import Codebook, default_codebook_path, parse_codebook

MAP_1_2 = """
labels: {Actor: Agent}
attributes: {Actor.role: Agent.function}
options: {Actor.actor_type: {police: law_enforcement, armed_forces: law_enforcement}}
relations: {said_by: attributed_to}
questions: {sourcing: source_quality}
"""

MAP_2_3 = """
split:
  Coercion: {by: coercion_type, into: {threat_of_deportation: Deportation}}
defaults: {Claim.certainty: unclear}
"""


def document_v1() -> dict[str, Any]:
    document = yaml.safe_load(default_codebook_path().read_text(encoding="utf-8"))
    document["version"] = "1"
    return document


def document_v2() -> dict[str, Any]:
    document = copy.deepcopy(document_v1())
    document["version"] = "2"
    labels = document["span_labels"]
    actor = next(label for label in labels if label["name"] == "Actor")
    actor["name"] = "Agent"
    for attribute in actor["attributes"]:
        if attribute["name"] == "role":
            attribute["name"] = "function"
        if attribute["name"] == "actor_type":
            options = [o for o in attribute["options"] if o["value"] not in ("police", "armed_forces")]
            attribute["options"] = [{"value": "law_enforcement"}, *options]
    labels.append({"name": "Victim", "key": "v", "color": "#8E44AD", "description": "A person coerced."})
    for relation in document["relation_types"]:
        relation["source"] = ["Agent" if n == "Actor" else n for n in relation["source"]]
        relation["target"] = ["Agent" if n == "Actor" else n for n in relation["target"]]
        if relation["name"] == "said_by":
            relation["name"] = "attributed_to"
    for question in document["questions"]:
        if question["name"] == "sourcing":
            question["name"] = "source_quality"
    return document


def document_v3() -> dict[str, Any]:
    document = copy.deepcopy(document_v2())
    document["version"] = "3"
    labels = document["span_labels"]
    used_keys = {label["key"].casefold() for label in labels}
    key = next(k for k in "dxyzq" if k not in used_keys)
    labels.append({"name": "Deportation", "key": key, "color": "#2E86C1",
                   "attributes": [{"name": "stage", "type": "single_choice",
                                   "options": [{"value": "threatened"}, {"value": "carried_out"}]}]})
    claim = next(label for label in labels if label["name"] == "Claim")
    claim["attributes"].append({"name": "certainty", "type": "single_choice", "required": True,
                                "options": [{"value": "certain"}, {"value": "unclear"}]})
    for relation in document["relation_types"]:
        for end in ("source", "target"):
            if "Coercion" in relation[end]:
                relation[end] = [*relation[end], "Deportation"]
    return document


def codebook(document: dict[str, Any]) -> Codebook:
    return parse_codebook(json.dumps(document), "test codebook")


def write_yaml(path: Any, document: dict[str, Any]) -> Any:
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def rows(path: Path | str, sql: str) -> list[tuple]:
    """The rows of ``sql`` on the project file at ``path``, through the raw driver (or on
    the project on the team server whose URL ``path`` is, through SQLAlchemy)."""
    if "://" in str(path):
        from sqlalchemy import create_engine, text

        engine = create_engine(str(path))
        try:
            with engine.connect() as server:
                return [tuple(row) for row in server.execute(text(sql))]
        finally:
            engine.dispose()
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
