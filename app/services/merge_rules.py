"""What a merge knows of the lead's project, and the rule of versions its checks apply.

Shared by :mod:`app.services.merge_checks` (the checks of each file's rows) and
:mod:`app.services.merging` (which makes one :class:`Lead` per merge).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.core.codebook import Codebook
from app.core.errors import LoupeError
from app.core.records import Coder
from app.core.row_checks import parse_timestamp

Row = tuple[Any, ...]


class MergeError(LoupeError):
    """A returned file that cannot be merged; nothing of the merge was written."""


@dataclass
class Lead:
    """What the checks know of the lead's project, shared by every file of one merge.

    ``claimed`` maps the id of each row new to the project that an earlier file of the
    same merge brings to (coder id, article id): a later file cannot give it to another.
    """

    codebook: Codebook
    coders: dict[str, Coder]
    latest: datetime
    max_seconds: float
    claimed: dict[str, tuple[str, str]] = field(default_factory=dict)

    def name(self, coder_id: Any) -> str:
        coder = self.coders.get(coder_id)
        return coder.name if coder is not None else repr(coder_id)


def not_newer(revision: Any, updated_at: Any, have_revision: int, have_updated_at: str) -> bool:
    """Whether a version (revision, updated_at) is no newer than the project's, so that
    the merge will not write it (a stale copy, or the project's own row sent back)."""
    return type(revision) is int and type(updated_at) is str and (revision, updated_at) <= (have_revision, have_updated_at)


def unchanged(row: Row, current: Row | None, revision: int | None, updated: int) -> bool:
    """Whether merging ``row`` (another coder's) would change nothing: the project has it
    as it is, or a newer version of it."""
    if current is None:
        return False
    if row == current:
        return True
    version = (row[revision], row[updated]) if revision is not None else (0, row[updated])
    if not (isinstance(version[0], int) and isinstance(version[1], str) and parse_timestamp(version[1])):
        return False
    return version < ((current[revision], current[updated]) if revision is not None else (0, current[updated]))
