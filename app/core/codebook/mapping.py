"""A codebook map: how the codes of one codebook version become codes of the next.

The map is a small YAML (or JSON) document in the format of
``annotations_schema/codebook-map.schema.json``::

    labels: {Actor: Agent}                  # rename; two old names to one new name merge
    split:                                  # one old label into several, by an attribute
      Coercion: {by: coercion_type, into: {threat_of_deportation: Deportation}}
    attributes: {Actor.role: Actor.function}          # rename (label.attribute)
    options: {Actor.actor_type: {police: law_enforcement}}   # rename or merge options
    relations: {said_by: attributed_to}
    questions: {sourcing: source_quality}
    defaults: {Claim.attribution: asserted}           # a new required attribute's value

``null`` in place of a new name drops what the old name holds (the annotations of a
label, an attribute's values, an option from the answers). Names on the left are the old
codebook's, on the right the new one's; :func:`read_map` checks both against the two
codebooks, so a misspelt name is refused in one sentence before anything is migrated.
Options of an article question are named by the question alone (``options: {sourcing:
{...}}``); an attribute is ``Label.attribute`` (or ``relation_type.attribute``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.codebook.checks import _check_plain_data
from app.core.codebook.loader import _decode, _parse_document, read_limited
from app.core.codebook.messages import _sentence, _short
from app.core.codebook.model import Codebook
from app.core.codebook.parts import Attribute, Question, RelationType, SpanLabel
from app.core.codebook.schema import _error_rank, _map_validator, _schema_message
from app.core.errors import CodebookError

MAP_KINDS = ("labels", "split", "attributes", "options", "relations", "questions", "defaults")


@dataclass(frozen=True)
class Split:
    """One old label divided among new labels by the value of one of its attributes."""

    by: str
    into: Mapping[str, str]


@dataclass(frozen=True)
class CodebookMap:
    """A checked map (see the module's docstring); every part may be empty."""

    labels: Mapping[str, str | None] = field(default_factory=dict)
    split: Mapping[str, Split] = field(default_factory=dict)
    attributes: Mapping[str, str | None] = field(default_factory=dict)
    options: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    relations: Mapping[str, str | None] = field(default_factory=dict)
    questions: Mapping[str, str | None] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not any(self.document().values())

    def document(self) -> dict[str, Any]:
        """The map as plain data (what the project stores in its history)."""
        return {
            "labels": dict(self.labels),
            "split": {old: {"by": s.by, "into": dict(s.into)} for old, s in self.split.items()},
            "attributes": dict(self.attributes),
            "options": {owner: dict(values) for owner, values in self.options.items()},
            "relations": dict(self.relations),
            "questions": dict(self.questions),
            "defaults": dict(self.defaults),
        }

    def to_json(self) -> str:
        return json.dumps(self.document(), sort_keys=True, ensure_ascii=False)


def read_map_text(text: str, origin: str, old: Codebook, new: Codebook) -> CodebookMap:
    """Parse map ``text`` (YAML or JSON) and check it against both codebooks."""
    document = _parse_document(text.removeprefix("\ufeff"), origin) if text.strip() else {}
    return map_from_document(document if document is not None else {}, origin, old, new)


def read_map_bytes(data: bytes, origin: str, old: Codebook, new: Codebook) -> CodebookMap:
    return read_map_text(_decode(data, origin), origin, old, new)


def read_map_file(path: str | Path, old: Codebook, new: Codebook) -> CodebookMap:
    """Read and check the map file at ``path`` (YAML or JSON, UTF-8)."""
    path = Path(path)
    return read_map_bytes(read_limited(path, "map"), path.name or str(path), old, new)


def map_from_document(document: Any, origin: str, old: Codebook, new: Codebook) -> CodebookMap:
    """A :class:`CodebookMap` from parsed data; :class:`CodebookError` names the first
    field that breaks the format or names what neither codebook has."""
    if not isinstance(document, dict):
        raise CodebookError(
            f"{origin}: the top level must be a mapping ({', '.join(MAP_KINDS)}), not a list or a value."
        )
    _check_plain_data(document, origin)
    errors = list(_map_validator().iter_errors(document))
    if errors:
        error = min(errors, key=lambda e: _error_rank(document, e))
        raise CodebookError(_sentence(f"{origin}: {_schema_message(error)}"))
    cmap = CodebookMap(
        labels=dict(document.get("labels", {})),
        split={k: Split(v["by"], dict(v["into"])) for k, v in document.get("split", {}).items()},
        attributes=dict(document.get("attributes", {})),
        options={k: dict(v) for k, v in document.get("options", {}).items()},
        relations=dict(document.get("relations", {})),
        questions=dict(document.get("questions", {})),
        defaults=dict(document.get("defaults", {})),
    )
    problem = next(_name_problems(cmap, old, new), None)
    if problem:
        raise CodebookError(_sentence(f"{origin}: {problem}"))
    return cmap


def owner_of(codebook: Codebook, name: str) -> SpanLabel | RelationType | None:
    """The span label, else the relation type, called ``name``."""
    for lookup in (codebook.label, codebook.relation_type):
        try:
            return lookup(name)
        except KeyError:
            continue
    return None


def attribute_of(codebook: Codebook, dotted: str) -> Attribute | None:
    owner_name, _, name = dotted.partition(".")
    owner = owner_of(codebook, owner_name)
    if owner is None:
        return None
    try:
        return owner.attribute(name)
    except KeyError:
        return None


def question_of(codebook: Codebook, name: str) -> Question | None:
    try:
        return codebook.question(name)
    except KeyError:
        return None


def new_owners(cmap: CodebookMap, new: Codebook, old_owner: str) -> set[str]:
    """The names an old label's (or relation type's) rows may carry in the new codebook."""
    if old_owner in cmap.split:
        names = set(cmap.split[old_owner].into.values())
        if old_owner in set(new.label_names):
            names.add(old_owner)
        return names
    for renames in (cmap.labels, cmap.relations):
        if old_owner in renames:
            after = renames[old_owner]
            return {after} if after is not None else set()
    return {old_owner} if owner_of(new, old_owner) is not None else set()


def _name_problems(cmap: CodebookMap, old: Codebook, new: Codebook) -> Any:
    """What the map names that the codebooks do not have, one clause each."""
    old_labels, new_labels = set(old.label_names), set(new.label_names)
    old_relations = {r.name for r in old.relation_types}
    new_relations = {r.name for r in new.relation_types}
    for kind, olds, news, what in (
        ("labels", old_labels, new_labels, "span label"),
        ("relations", old_relations, new_relations, "relation type"),
        ("questions", {q.name for q in old.questions}, {q.name for q in new.questions}, "question"),
    ):
        for before, after in getattr(cmap, kind).items():
            if before not in olds:
                yield f"{kind}: {_short(before)} is not a {what} of the project's codebook {old.version}"
            elif after is not None and after not in news:
                yield f"{kind}.{before}: {_short(after)} is not a {what} of the new codebook {new.version}"
    for before, split in cmap.split.items():
        attribute = attribute_of(old, f"{before}.{split.by}") if before in old_labels else None
        if before not in old_labels:
            yield f"split: {_short(before)} is not a span label of the project's codebook {old.version}"
        elif attribute is None or not attribute.is_choice:
            yield f"split.{before}.by: {_short(split.by)} is not a choice attribute of {before}"
        elif before in cmap.labels:
            yield f"split.{before}: {before} is also renamed under labels; name its labels in one place"
        else:
            for value, target in split.into.items():
                if value not in attribute.option_values:
                    yield f"split.{before}.into: {_short(value)} is not an option of {before}.{split.by}"
                elif target not in new_labels:
                    yield f"split.{before}.into.{value}: {_short(target)} is not a span label of the new codebook"
    for before, after in cmap.attributes.items():
        if attribute_of(old, before) is None:
            yield f"attributes: {_short(before)} is not an attribute of the project's codebook"
        elif after is not None:
            name = after.rpartition(".")[2]
            owners = new_owners(cmap, new, before.partition(".")[0])
            if not any(attribute_of(new, f"{owner}.{name}") for owner in owners):
                yield (
                    f"attributes.{before}: {_short(name)} is not an attribute of "
                    f"{' or '.join(sorted(owners)) or 'any new label'} in the new codebook"
                )
    for owner, values in cmap.options.items():
        found = attribute_of(old, owner) if "." in owner else question_of(old, owner)
        if found is None or not found.is_choice:
            yield f"options: {_short(owner)} is not a choice attribute or question of the project's codebook"
            continue
        for value in values:
            if value not in found.option_values:
                yield f"options.{owner}: {_short(value)} is not an option of {owner}"
    for dotted, value in cmap.defaults.items():
        attribute = attribute_of(new, dotted)
        if attribute is None:
            yield f"defaults: {_short(dotted)} is not an attribute of the new codebook"
        elif attribute.validate(value):
            yield f"defaults.{dotted}: {attribute.validate(value)}"
