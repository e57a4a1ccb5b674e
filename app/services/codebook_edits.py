"""Editing a codebook in the window: a working copy of its document that remembers what
each item was called in the project's codebook, so that saving makes a new version whose
map says what the edits did: a renamed label is a rename (its annotations follow it), not
a deletion and an addition.

Pure Python; :mod:`app.ui.lead.codebook_editor` shows a :class:`WorkingCopy` in forms.
An item is addressed by its path in the document, e.g. ``("span_labels", 0)``,
``("span_labels", 0, "attributes", 1)``, ``("questions", 2, "options", 0)``. Each item
keeps, under hidden keys, the name it had in the project's codebook (``_was``; absent for
a new item), a stable id for labels (``_id``: relation types point at labels by id here,
so renaming a label carries its relations along) and the value the editor asked for a new
required attribute (``_default``). :meth:`WorkingCopy.document` is the plain codebook
document without them; :meth:`WorkingCopy.check` validates it as you type.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.codebook import (
    Codebook,
    CodebookMap,
    map_from_document,
    parse_codebook,
    unmapped_changes,
)
from app.core.errors import CodebookError

if TYPE_CHECKING:
    pass

ItemPath = tuple[str | int, ...]

ORIGIN = "The edited codebook"
GROUPS = ("span_labels", "relation_types", "questions")
#: Keys an item may leave out when they are empty (the schema's optional fields).
_OPTIONAL = {"description", "examples", "attributes", "options", "min", "max", "required", "directed"}
_HIDDEN = ("_was", "_id", "_default")
_COLOURS = ("#56B4E9", "#E69F00", "#CC79A7", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#999999")
_KEYS = "123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Problem:
    """Why the working copy cannot be saved: one sentence, and the item and field it is
    about when known (``item`` None: the codebook itself)."""

    sentence: str
    item: ItemPath | None = None
    field: str | None = None
    #: Nothing is wrong, there is only nothing to save yet.
    quiet: bool = False


@dataclass(frozen=True)
class Ready:
    """A valid new version and the map from the project's codebook to it."""

    codebook: Codebook
    cmap: CodebookMap


def kind_of(path: ItemPath) -> str:
    """"label", "relation", "question", "attribute" or "option"."""
    if len(path) == 2:
        return {"span_labels": "label", "relation_types": "relation", "questions": "question"}[str(path[0])]
    return "attribute" if path[-2] == "attributes" else "option"


def name_key(path: ItemPath) -> str:
    return "value" if kind_of(path) == "option" else "name"


def children_key(path: ItemPath) -> str | None:
    """The list an item holds (attributes of labels and relation types, options of
    attributes and questions), or None (options hold nothing)."""
    return {"label": "attributes", "relation": "attributes", "attribute": "options", "question": "options"}.get(
        kind_of(path)
    )


class WorkingCopy:
    """The codebook being edited, as plain data, with what each item was called before."""

    def __init__(self, codebook: Codebook, used_versions: Iterable[str] = ()) -> None:
        self.original = codebook
        self.used_versions = {*used_versions, codebook.version}
        self.doc: dict[str, Any] = json.loads(codebook.content_json())
        self._next_id = 0
        for group in GROUPS:
            self.doc.setdefault(group, [])
        ids = {}
        for label in self.doc["span_labels"]:
            label["_id"] = ids[label["name"]] = self._new_id()
        for relation in self.doc["relation_types"]:
            for end in ("source", "target"):
                relation[end] = [ids[name] for name in relation[end]]
        for group in GROUPS:
            for item in self.doc[group]:
                _remember(item)
        self.doc["version"] = suggest_version(codebook.version, self.used_versions)

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    # -- reading -----------------------------------------------------------------------
    def item(self, path: ItemPath) -> dict[str, Any]:
        node: Any = self.doc
        for part in path:
            node = node[part]
        if not isinstance(node, dict):
            raise KeyError(path)
        return node

    def items(self, path: ItemPath) -> list[dict[str, Any]]:
        """The list at ``path``: a group (``("span_labels",)``) or an item's children."""
        if len(path) == 1:
            return list(self.doc[str(path[0])])
        key = children_key(path)
        return list(self.item(path).get(key, [])) if key else []

    def title(self, path: ItemPath) -> str:
        item = self.item(path)
        return str(item.get(name_key(path), ""))

    def label_choices(self) -> list[tuple[int, str]]:
        """The span labels as (id, current name), for the ends of relation types."""
        return [(label["_id"], label["name"]) for label in self.doc["span_labels"]]

    def needs_default(self, path: ItemPath) -> bool:
        """Whether the attribute at ``path`` is required and coded rows of its (existing)
        owner have no value for it: a new attribute, or one that was optional."""
        if kind_of(path) != "attribute":
            return False
        owner, attribute = self.item(path[:2]), self.item(path)
        if "_was" not in owner or not attribute.get("required"):
            return False
        if "_was" not in attribute:
            return True
        before = _owner(self.original, str(path[0]), owner["_was"])
        found = next((a for a in before.attributes if a.name == attribute["_was"]), None) if before else None
        return found is None or not found.required

    # -- changing ----------------------------------------------------------------------
    def set_field(self, path: ItemPath, key: str, value: Any) -> None:
        """Set one field; an empty optional field is left out of the document."""
        item = self.item(path)
        if key in _OPTIONAL and value in (None, "", [], ()):
            item.pop(key, None)
        else:
            item[key] = value

    def add(self, parent: ItemPath) -> ItemPath:
        """A new item at the end of ``parent`` (a group, or an item with children)."""
        if len(parent) == 1:
            group = str(parent[0])
            siblings = self.doc[group]
            item = _new_item(group, siblings, self)
            siblings.append(item)
            return (group, len(siblings) - 1)
        key = children_key(parent)
        if key is None:
            raise ValueError("an option holds nothing")
        siblings = self.item(parent).setdefault(key, [])
        if key == "attributes":
            siblings.append({"name": _free("new_attribute", [a["name"] for a in siblings]), "type": "text"})
        else:
            siblings.append({"value": _free("new_option", [o["value"] for o in siblings])})
        return (*parent, key, len(siblings) - 1)

    def remove(self, path: ItemPath) -> None:
        siblings = self._siblings(path)
        removed = siblings.pop(int(path[-1]))
        if kind_of(path) == "label":
            for relation in self.doc["relation_types"]:
                for end in ("source", "target"):
                    relation[end] = [i for i in relation[end] if i != removed["_id"]]
        parent = path[:-2]
        if parent and not siblings:
            self.item(parent).pop(str(path[-2]), None)

    def move(self, path: ItemPath, step: int) -> ItemPath:
        """Move an item up (-1) or down (+1) among its siblings; returns its new path."""
        siblings = self._siblings(path)
        index = int(path[-1])
        to = index + step
        if not 0 <= to < len(siblings):
            return path
        siblings[index], siblings[to] = siblings[to], siblings[index]
        return (*path[:-1], to)

    def _siblings(self, path: ItemPath) -> list[dict[str, Any]]:
        if len(path) == 2:
            return _list_of(self.doc[str(path[0])])
        return _list_of(self.item(path[:-2])[str(path[-2])])

    # -- results -----------------------------------------------------------------------
    def document(self) -> dict[str, Any]:
        """The codebook document, as the format has it (no hidden keys)."""
        names = dict(self.label_choices())
        document = _strip(copy.deepcopy(self.doc))
        for relation in document.get("relation_types", []):
            for end in ("source", "target"):
                relation[end] = [names[i] for i in relation[end]]
        for group in ("relation_types", "questions"):
            if not document.get(group):
                document.pop(group, None)
        return document

    def check(self) -> Ready | Problem:
        """The new version and its map, or the first reason it cannot be saved."""
        try:
            new = parse_codebook(json.dumps(self.document(), ensure_ascii=False), ORIGIN)
        except CodebookError as exc:
            return _problem_at(exc.message)
        if new.version in self.used_versions:
            return Problem(
                f"The project has already used version {new.version!r}; give this codebook a version of its own.",
                None, "version",
            )
        if _without_version(new) == _without_version(self.original):
            return Problem("Nothing has changed yet.", quiet=True)
        try:
            cmap = map_from_document(self.map_document(), "The edits", self.original, new)
        except CodebookError as exc:
            return Problem(exc.message)
        uncovered = unmapped_changes(self.original, new, cmap)
        if uncovered:
            clauses = "; ".join(uncovered).replace("give one under defaults", "give a default for coded rows")
            return Problem(f"Saving needs a decision for {len(uncovered)} change"
                           f"{'s' if len(uncovered) != 1 else ''}: {clauses}.", *self._default_missing())
        return Ready(new, cmap)

    def _default_missing(self) -> tuple[ItemPath | None, str | None]:
        for group in ("span_labels", "relation_types"):
            for i, owner in enumerate(self.doc[group]):
                for j, _attribute in enumerate(owner.get("attributes", [])):
                    path: ItemPath = (group, i, "attributes", j)
                    if self.needs_default(path) and not str(self.item(path).get("_default", "")).strip():
                        return path, "_default"
        return None, None

    def deletions(self) -> list[str]:
        """What the edits delete that the project's codebook has, e.g. "label Coercion"."""
        document = self.map_document()
        found = [f"{what} {name}" for part, what in (("labels", "label"), ("relations", "relation type"),
                                                     ("questions", "question"), ("attributes", "attribute"))
                 for name, after in document.get(part, {}).items() if after is None]
        found += [f"option {value} of {owner}" for owner, values in document.get("options", {}).items()
                  for value, after in values.items() if after is None]
        return found

    def map_document(self) -> dict[str, Any]:
        """The map from the project's codebook to the edited one, as plain data."""
        result: dict[str, dict[str, Any]] = {k: {} for k in ("labels", "attributes", "options", "relations",
                                                             "questions", "defaults")}
        for group, part in (("span_labels", "labels"), ("relation_types", "relations"), ("questions", "questions")):
            current = {item["_was"]: item for item in self.doc[group] if "_was" in item}
            for before in _originals(self.original, group):
                item = current.get(before.name)
                if item is None:
                    result[part][before.name] = None
                    continue
                if item["name"] != before.name:
                    result[part][before.name] = item["name"]
                if group == "questions":
                    _options_map(result["options"], before.name, before, item)
                    continue
                attributes = {a["_was"]: a for a in item.get("attributes", []) if "_was" in a}
                for attribute in before.attributes:
                    dotted = f"{before.name}.{attribute.name}"
                    after = attributes.get(attribute.name)
                    if after is None:
                        result["attributes"][dotted] = None
                        continue
                    if after["name"] != attribute.name:
                        result["attributes"][dotted] = f"{item['name']}.{after['name']}"
                    _options_map(result["options"], dotted, attribute, after)
        for group in ("span_labels", "relation_types"):
            for i, owner in enumerate(self.doc[group]):
                for j, attribute in enumerate(owner.get("attributes", [])):
                    text = str(attribute.get("_default", "")).strip()
                    if text and self.needs_default((group, i, "attributes", j)):
                        result["defaults"][f"{owner['name']}.{attribute['name']}"] = typed_default(attribute, text)
        return {k: v for k, v in result.items() if v}


def _remember(item: dict[str, Any]) -> None:
    item["_was"] = item.get("name", item.get("value"))
    for key in ("attributes", "options"):
        for child in item.get(key, []):
            _remember(child)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in _HIDDEN}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _list_of(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise KeyError(value)
    return value


def _free(base: str, taken: Iterable[str]) -> str:
    used = {name.casefold() for name in taken}
    candidates = [base, *(f"{base}_{n}" for n in range(2, 1000))]
    return next(c for c in candidates if c.casefold() not in used)


def _new_item(group: str, siblings: list[dict[str, Any]], working: WorkingCopy) -> dict[str, Any]:
    names = [item["name"] for item in siblings]
    if group == "span_labels":
        keys = {item["key"].casefold() for item in siblings}
        colours = {item["color"].upper() for item in siblings}
        return {"name": _free("NewLabel", names), "key": next((k for k in _KEYS if k not in keys), ""),
                "color": next((c for c in _COLOURS if c not in colours), _COLOURS[-1]), "_id": working._new_id()}
    if group == "relation_types":
        first = [working.label_choices()[0][0]] if working.label_choices() else []
        return {"name": _free("new_relation", names), "source": first, "target": list(first), "directed": True}
    return {"name": _free("new_question", names), "type": "text", "prompt": "New question?"}


def _originals(codebook: Codebook, group: str) -> tuple[Any, ...]:
    return {"span_labels": codebook.span_labels, "relation_types": codebook.relation_types,
            "questions": codebook.questions}[group]


def _owner(codebook: Codebook, group: str, name: str) -> Any:
    return next((item for item in _originals(codebook, group) if item.name == name), None)


def _options_map(target: dict[str, Any], owner: str, before: Any, after: dict[str, Any]) -> None:
    current = {o["_was"]: o["value"] for o in after.get("options", []) if "_was" in o}
    changes = {value: current.get(value) for value in before.option_values if current.get(value) != value}
    if changes:
        target[owner] = changes


def typed_default(attribute: dict[str, Any], text: str) -> Any:
    """A default typed in a text box, as a value of the attribute's type (text that does
    not read as one is kept, and the map's check says why it does not fit)."""
    kind = attribute.get("type")
    if kind == "boolean":
        return {"true": True, "yes": True, "false": False, "no": False}.get(text.casefold(), text)
    if kind == "number":
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return text
    if kind == "multi_choice":
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def _without_version(codebook: Codebook) -> dict[str, Any]:
    document = json.loads(codebook.content_json())
    document.pop("version", None)
    for group in ("relation_types", "questions"):
        if not document.get(group):
            document.pop(group, None)
    return dict(document)


_PATH = re.compile(r"^[^:]*: ((?:span_labels|relation_types|questions|version|name)[\w\[\].-]*): ")


def _problem_at(sentence: str) -> Problem:
    """The problem, with the item and field its sentence names (``span_labels[1].key``)."""
    found = _PATH.match(sentence)
    if not found:
        return Problem(sentence)
    parts: list[str | int] = [int(n) if n else str(w) for w, n in re.findall(r"([A-Za-z_]\w*)|\[(\d+)\]", found[1])]
    if len(parts) == 1:
        return Problem(sentence, None, str(parts[0]))
    item: ItemPath = tuple(parts[:2])
    rest = parts[2:]
    while len(rest) >= 2 and rest[0] in ("attributes", "options") and isinstance(rest[1], int):
        item, rest = (*item, *rest[:2]), rest[2:]
    field = next((str(p) for p in rest if isinstance(p, str)), None)
    return Problem(sentence, item if len(item) >= 2 and isinstance(item[1], int) else None, field)


def suggest_version(current: str, used: Iterable[str]) -> str:
    """The next version after ``current`` that the project has not used: its last number
    counted up (``1`` -> ``2``, ``1.4`` -> ``1.5``), else ``current.1``."""
    taken = set(used)
    match = re.match(r"^(.*?)(\d+)$", current)
    stem, number = (match[1], int(match[2])) if match else (f"{current}.", 0)
    for n in range(number + 1, number + 1000):
        if f"{stem}{n}" not in taken:
            return f"{stem}{n}"
    return f"{current}-new"
