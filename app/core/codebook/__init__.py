"""The codebook model: what coders may mark, link and answer.

A codebook is a YAML or JSON document in the format of
``annotations_schema/codebook.schema.json``. :func:`parse_codebook` and
:func:`load_codebook` read one, check it against the schema and against the rules a
schema cannot express, and return an immutable :class:`Codebook`. Anything wrong
raises :class:`~app.core.errors.CodebookError` with one sentence naming the file and
the path of the bad field, e.g.
``coercion.yaml: span_labels[2].attributes[0].type: 'choice' is not one of ...``.

Names (of labels, attributes, relation types, questions), option values and label
keys must be unique within their list, compared without regard to case: they become
column names and keyboard shortcuts, where ``Actor`` and ``actor`` would collide.

A project stores the codebook it uses as :meth:`Codebook.content_json` (canonical
JSON) together with :attr:`Codebook.sha256`; :meth:`Codebook.from_content_json`
restores it.

This module is the public face of the package: everything outside ``app.core.codebook``
imports from here and nothing else (an import-linter contract in ``pyproject.toml``
keeps it so). The code is in the package's modules, which may change shape freely:

- ``parts``     the parts of a codebook (labels, attributes, relation types, questions)
- ``model``     the :class:`Codebook` itself
- ``loader``    reading files and text
- ``schema``    the JSON Schema
- ``checks``    the rules a schema cannot express
- ``mapping``   codebook maps: how the codes of one version become the next one's
- ``changes``   which changes between two versions need a map
- ``migration`` migrating coded rows along a map
- ``meaning``   which items changed meaning along the versions (for agreement)
- ``messages``  the wording of messages (:func:`_describe` and :func:`_short` are also
  used by :mod:`app.core.row_checks`, so they are re-exported here)
"""

from __future__ import annotations

from app.core.codebook.changes import unmapped_changes
from app.core.codebook.loader import (
    DEFAULT_CODEBOOK_FILE,
    MAX_BYTES,
    default_codebook_path,
    load_codebook,
    load_default_codebook,
    parse_codebook,
)
from app.core.codebook.mapping import (
    CodebookMap,
    Split,
    map_from_document,
    read_map_bytes,
    read_map_file,
    read_map_text,
)
from app.core.codebook.meaning import ItemChange, Step, item_changes
from app.core.codebook.messages import _describe as _describe
from app.core.codebook.messages import _short as _short
from app.core.codebook.migration import Chain, Migrator
from app.core.codebook.model import Codebook
from app.core.codebook.parts import (
    ATTRIBUTE_TYPES,
    CHOICE_TYPES,
    QUESTION_TYPES,
    Attribute,
    Option,
    Question,
    RelationType,
    SpanLabel,
)
from app.core.codebook.schema import SCHEMA_FILE, schema_path

__all__ = [
    "ATTRIBUTE_TYPES",
    "CHOICE_TYPES",
    "DEFAULT_CODEBOOK_FILE",
    "MAX_BYTES",
    "QUESTION_TYPES",
    "SCHEMA_FILE",
    "Attribute",
    "Chain",
    "ItemChange",
    "Codebook",
    "CodebookMap",
    "Migrator",
    "Option",
    "Question",
    "RelationType",
    "SpanLabel",
    "Split",
    "Step",
    "default_codebook_path",
    "item_changes",
    "load_codebook",
    "load_default_codebook",
    "map_from_document",
    "parse_codebook",
    "read_map_bytes",
    "read_map_file",
    "read_map_text",
    "schema_path",
    "unmapped_changes",
]
