"""Plain records of articles and spans, shared by importers, the store and services."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


def text_sha256(text: str) -> str:
    """Hash of an article's stored text; identical texts are duplicates."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class SourceSpan:
    """A labelled span that came with an imported article (e.g. doccano ``label``).

    Offsets are half-open code-point offsets into :attr:`ImportedArticle.text`.
    ``key`` is the span's id in its file (a doccano entity ``id``), which relations name.
    """

    start: int
    end: int
    label: str
    key: str = ""


@dataclass(frozen=True, slots=True)
class SourceRelation:
    """A typed link between two spans of the same imported article, by their keys
    (doccano ``relations``: ``from_id`` -> ``to_id``)."""

    key: str
    label: str
    source: str
    target: str


@dataclass(frozen=True, slots=True)
class ImportedArticle:
    """One article as read from a source file, before it is stored.

    ``text`` already begins with the headline as its first paragraph and uses ``\\n``
    line endings; ``origin`` says where it came from (``file.csv, line 12``) for messages.
    ``warnings`` are sentences for the import report about what reading changed (bytes
    that could not be decoded); they are not stored.
    """

    title: str
    text: str
    origin: str
    external_id: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    language: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    spans: tuple[SourceSpan, ...] = ()
    #: Relations between :attr:`spans` and document labels (doccano text classification
    #: ``label``/``labels``/``cats``), both owned by the coder named at import.
    relations: tuple[SourceRelation, ...] = ()
    categories: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def sha256(self) -> str:
        return text_sha256(self.text)
