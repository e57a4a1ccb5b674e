"""What the REFI-QDA project writer and reader (``.qdpx``) agree on.

REFI-QDA (the Rotterdam Exchange Format Initiative, read and written by MAXQDA, ATLAS.ti,
NVivo, QDA Miner and QualCoder) has codes, selections, notes, links and variables,
but no attributes of a coded span. Loupe maps its coding onto it so that another
program shows something sensible and Loupe reads everything back:

- each span label is a code; each choice or yes/no attribute of it is a code folder
  under the label (``isCodable="false"``) whose codable children are the values
  (``true``/``false`` for yes/no). A span is one ``PlainTextSelection`` coded with its
  label's code and with one value code per chosen value.
- text and number attributes, and every attribute of a relation, have no code: they
  travel in a note named :data:`ATTRIBUTES_NOTE`, one ``name: value`` line each, the
  value written as JSON (so text keeps its line breaks and numbers their type).
- the uncertain flag is the code :data:`UNCERTAIN_CODE`.
- a span's note is a ``Note`` the selection refers to (``NoteRef``).
- a discontinuous span is one selection per fragment, each coded as the span is, named
  ``text (fragment k of n)`` and described by :func:`fragment_description`, which names
  the first fragment's selection (the span's own GUID, the one links point to). Other
  programs show n coded selections; Loupe reads its own file's set back as one span.
- relations are ``Link``s from one selection to another, named by their type.
- article questions are ``Variable``s with ``TextValue``s on each source; when the
  answers of several coders are exported, there is one variable per question and
  coder, named ``question [coder]``.

Pure Python, no I/O.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

NAMESPACE = "urn:QDA-XML:project:1.0"
#: The code of the uncertain flag (not a codebook label).
UNCERTAIN_CODE = "uncertain (Loupe)"
#: The name of the note that carries attributes that are not codes.
ATTRIBUTES_NOTE = "Loupe attributes"
#: Values of a yes/no attribute as codes.
BOOLEAN_CODES = {"true": True, "false": False}
_GUID_NAMESPACE = uuid.UUID("6f1d2b1e-4c1a-5d0e-9a57-4c6f75706521")
_GUID = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$")
#: The description of a fragment's selection: its place and the first fragment's GUID.
FRAGMENT_DESCRIPTION = re.compile(
    r"^Loupe: fragment (?P<number>[1-9][0-9]*) of (?P<count>[1-9][0-9]*) of one discontinuous span "
    r"\{(?P<guid>[0-9a-fA-F-]{36})\}\.$"
)


def fragment_description(number: int, count: int, first: str) -> str:
    """What a fragment's selection says of itself (see :data:`FRAGMENT_DESCRIPTION`)."""
    return f"Loupe: fragment {number} of {count} of one discontinuous span {{{plain_guid(first)}}}."


#: Characters XML 1.0 cannot hold (C0 controls but tab, line feed and carriage return;
#: surrogates; U+FFFE and U+FFFF).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def derived_guid(*parts: str) -> str:
    """A GUID that is the same every time for the same ``parts`` (codes, notes, variables)."""
    return str(uuid.uuid5(_GUID_NAMESPACE, "\x1f".join(parts)))


def as_guid(value: str) -> str:
    """``value`` when it is a GUID already (Loupe's ids are UUIDs), else one derived from it."""
    return value if _GUID.match(value) else derived_guid("id", value)


def plain_guid(value: str) -> str:
    """A GUID without braces, lower case, for comparing references."""
    return value.strip().strip("{}").lower()


def xml_text(value: str) -> str:
    """``value`` with the characters XML cannot hold replaced by U+FFFD, one for one."""
    return XML_ILLEGAL.sub("\ufffd", value) if XML_ILLEGAL.search(value) else value


def label_code(label: str) -> str:
    return derived_guid("label", label)


def attribute_code(label: str, attribute: str) -> str:
    return derived_guid("attribute", label, attribute)


def value_code(label: str, attribute: str, value: str) -> str:
    return derived_guid("value", label, attribute, value)


def uncertain_code() -> str:
    return derived_guid("uncertain")


def attribute_lines(values: Mapping[str, Any]) -> str:
    """``name: value`` lines, the value as JSON (one line, non-ASCII kept)."""
    return "\n".join(f"{name}: {json.dumps(value, ensure_ascii=False)}" for name, value in values.items())


def parse_attribute_lines(text: str) -> tuple[dict[str, Any], str | None]:
    """The values of an attributes note, or (what was read, why the rest was not)."""
    values: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, sep, raw = line.partition(": ")
        if not sep:
            return values, f"line {number} of its '{ATTRIBUTES_NOTE}' note is not 'name: value'"
        try:
            values[name] = json.loads(raw)
        except ValueError:
            return values, f"the value of {name} in its '{ATTRIBUTES_NOTE}' note is not JSON"
    return values, None


def answer_text(value: Any) -> str:
    """An answer as the text of a ``TextValue``: options of a multiple choice joined by
    ``; `` (as JSON when an option itself holds ``;``)."""
    if isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
        if any(";" in item for item in items) or any(item != item.strip() or not item for item in items):
            return json.dumps(items, ensure_ascii=False)
        return "; ".join(items)
    return str(value)


def answer_value(text: str, multiple: bool) -> Any:
    """The inverse of :func:`answer_text` for a question of one or several answers."""
    if not multiple:
        return text
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return parsed
    return [part.strip() for part in stripped.split(";") if part.strip()]


VARIABLE_OF_CODER = re.compile(r"^(?P<question>.*) \[(?P<coder>[^\[\]]+)\]$", re.DOTALL)


def variable_name(question: str, coder: str, several: bool) -> str:
    return f"{question} [{coder}]" if several else question


def names(items: Iterable[str]) -> str:
    return ", ".join(f"'{item}'" for item in items)
