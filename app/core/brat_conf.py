"""brat's ``annotation.conf`` as a codebook document (the structure a YAML codebook has).

* ``[entities]``: each type a span label (``!Type``, a type only for the hierarchy, is left out);
* ``[relations]``: each type a relation type whose sources and targets are its ``Arg1`` and
  ``Arg2`` types (``<ENTITY>`` is every entity type); ``<REL-TYPE>:symmetric-transitive``
  makes it undirected and marks it as an equivalence (brat's ``*`` lines); ``<OVERLAP>`` is
  brat's own rule and is left out;
* ``[events]``: each event type a span label for its trigger (marked as an event type), and
  each role (``Org-Arg+``, ``Place-Arg?``, ``Person-Arg{2}`` without their counts) one
  relation type from the event types that have it to the role's types (``<EVENT>`` is every
  event type); a role shared by several event types is one relation type;
* ``[attributes]``: a binary attribute (no ``Value:``) becomes a boolean attribute marked as
  binary (brat writes it without a value when true), a multi-valued one a single choice; each
  is given to the labels of its ``Arg:`` types. The binary attribute ``uncertain`` is the
  coder's "uncertain" flag that every annotation has (Loupe's brat export declares it).

Every span label also gets the text attribute ``references`` (brat's normalisations, one
``DB:ID text`` a line) and every relation type not an equivalence the text attribute
``note`` (brat's notes on relations and event roles), so that nothing of a brat file is
left without a place. Macros (``<POG>=Person|Organization``) are expanded; brat's
``visual.conf`` and ``tools.conf`` are not read. The markers are plain sentences at the
start of descriptions, so the codebook stays a plain codebook. Pure Python.
"""

from __future__ import annotations

import re
from typing import Any

from app.core.errors import CodebookError

EVENT_TYPE = "brat event type."
EVENT_ROLE = "brat event role."
EQUIVALENCE = "brat equivalence (symmetric and transitive)."
BINARY = "brat binary attribute (present or absent)."
REFERENCES = "references"
REFERENCES_MARK = "brat normalisations:"
RELATION_NOTE = "note"
RELATION_NOTE_MARK = "brat notes"

_KEYS = "123456789abcdefghijklmnopqrstuvwxyz"
_COLORS = ("#56B4E9", "#E69F00", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
           "#999999", "#88CCEE", "#DDCC77", "#117733", "#AA4499", "#44AA99", "#882255")
_ROLE_COUNT = re.compile(r"(\{\d*(-\d*)?\}|[?*+])$")
_NOT_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def is_brat_conf(name: str) -> bool:
    """Whether a file name is that of a brat configuration (``annotation.conf``, ``*.conf``)."""
    return name.lower().endswith(".conf")


def codebook_name(brat: str) -> str:
    """The codebook name of a brat type, role or attribute (letters, digits, ``_``, ``-``)."""
    name = _NOT_NAME.sub("_", brat).strip("_") or "type"
    return name if name[0].isalpha() else f"T_{name}"


def role_name(arg: str) -> str:
    """An event argument's role without its count: ``Org-Arg2`` and ``Org-Arg+`` -> ``Org-Arg``."""
    return _ROLE_COUNT.sub("", arg).rstrip("0123456789") or arg


def _sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        header = line.strip()
        if header.startswith("[") and header.endswith("]"):
            current = sections.setdefault(header[1:-1].strip().lower(), [])
        elif current is not None:
            current.append(line)
    return sections


def _macros(sections: dict[str, list[str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for lines in sections.values():
        for line in lines:
            head = line.strip()
            if head.startswith("<") and ">=" in head:
                name, _, value = head.partition("=")
                found[name.strip()] = value.strip()
    return found


def _type_name(line: str) -> tuple[str, str]:
    """(type, the rest) of a definition line; a leading ``!`` is kept on the type."""
    stripped = line.strip()
    parts = re.split(r"\s+", stripped, maxsplit=1)
    return parts[0], parts[1] if len(parts) > 1 else ""


def _args(rest: str, macros: dict[str, str]) -> list[tuple[str, list[str]]]:
    out = []
    for part in rest.split(","):
        key, colon, value = part.strip().partition(":")
        if not colon:
            continue
        for macro, expansion in macros.items():
            value = value.replace(macro, expansion)
        out.append((key.strip(), [v.strip() for v in value.split("|") if v.strip()]))
    return out


def annotation_conf_document(text: str, origin: str, *, title: str | None = None) -> dict[str, Any]:
    """The codebook document of brat configuration ``text``; ``origin`` names it in messages."""
    sections = _sections(text)
    macros = _macros(sections)
    definitions = {s: [ln for ln in sections.get(s, []) if not (ln.strip().startswith("<") and ">=" in ln)]
                   for s in ("entities", "relations", "events", "attributes")}
    entities = [t for t, _ in map(_type_name, definitions["entities"]) if not t.startswith("!")]
    events: dict[str, list[tuple[str, list[str]]]] = {}
    for line in definitions["events"]:
        name, rest = _type_name(line)
        if not name.startswith("!"):
            events[name] = _args(rest, macros)
    if not entities and not events:
        raise CodebookError(f"{origin}: brat configuration without entity or event types.")
    labels = entities + list(events)
    if len(labels) > len(_KEYS):
        raise CodebookError(
            f"{origin}: {len(labels)} entity and event types; a codebook has keys for {len(_KEYS)} span labels."
        )

    def expand(types: list[str]) -> list[str]:
        out: list[str] = []
        for t in types:
            if t in ("<ENTITY>", "<ANY>"):
                out += entities + (list(events) if t == "<ANY>" else [])
            elif t == "<EVENT>":
                out += list(events)
            elif t in labels:
                out.append(t)
        return [codebook_name(t) for t in dict.fromkeys(out)]

    attributes: dict[str, list[dict[str, Any]]] = {label: [] for label in labels}
    for line in definitions["attributes"]:
        name, rest = _type_name(line)
        if name.startswith("!"):
            continue
        by_key = dict(_args(rest, macros))
        values = [v.split(":", 1)[0] for v in by_key.get("Value", [])]
        if name == "uncertain" and not values:  # the flag every annotation has (Loupe's exports write it)
            continue
        if values:
            spec: dict[str, Any] = {"name": codebook_name(name), "type": "single_choice",
                                    "options": [{"value": codebook_name(v) if not v[0].isalnum() else v}
                                                for v in values]}
        else:
            spec = {"name": codebook_name(name), "type": "boolean", "description": BINARY}
        for owner in expand(by_key.get("Arg", [])):
            brat_owner = next(lb for lb in labels if codebook_name(lb) == owner)
            attributes[brat_owner].append(spec)
    reference = {"name": REFERENCES, "type": "text",
                 "description": f"{REFERENCES_MARK} one 'DB:ID text' a line."}
    span_labels = []
    for n, label in enumerate(labels):
        own = attributes[label]
        if all(a["name"] != REFERENCES for a in own):
            own = [*own, reference]
        span_labels.append({
            "name": codebook_name(label), "key": _KEYS[n], "color": _COLORS[n % len(_COLORS)],
            "description": (f"{EVENT_TYPE} Its trigger; its arguments are relations of its roles."
                            if label in events else "brat entity type."),
            "attributes": own,
        })
    note = {"name": RELATION_NOTE, "type": "text", "description": f"{RELATION_NOTE_MARK} (AnnotatorNotes)."}
    relation_types = []
    for line in definitions["relations"]:
        name, rest = _type_name(line)
        if name.startswith(("!", "<")):
            continue
        args = _args(rest, macros)
        ends = {key: expand(values) for key, values in args if not key.startswith("<")}
        kind = " ".join(v for key, values in args if key == "<REL-TYPE>" for v in values)
        source, target = ends.get("Arg1", []), ends.get("Arg2", [])
        if not source or not target:
            continue
        spec = {"name": codebook_name(name), "source": source, "target": target}
        if "symmetric" in kind:
            spec["directed"] = False
        if "transitive" in kind:
            spec["description"] = EQUIVALENCE
        else:
            spec["attributes"] = [note]
        relation_types.append(spec)
    roles: dict[str, dict[str, list[str]]] = {}
    for event, event_args in events.items():
        for arg, types in event_args:
            role_ends = roles.setdefault(role_name(arg), {"source": [], "target": []})
            role_ends["source"].append(codebook_name(event))
            role_ends["target"] += expand(types)
    taken = {r["name"].casefold() for r in relation_types}
    for role, role_ends in roles.items():
        name = codebook_name(role)
        if name.casefold() in taken:
            raise CodebookError(f"{origin}: the event role {role} has the name of a relation type.")
        taken.add(name.casefold())
        relation_types.append({
            "name": name, "source": list(dict.fromkeys(role_ends["source"])),
            "target": list(dict.fromkeys(role_ends["target"])) or [codebook_name(labels[0])],
            "description": EVENT_ROLE, "attributes": [note],
        })
    return {
        "name": title or "brat annotation.conf", "version": "1",
        "description": f"Converted from brat's {origin}.",
        "span_labels": span_labels, "relation_types": relation_types,
    }
