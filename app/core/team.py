"""Records of the team workflow: assignment, coder packages and merges.

Plain frozen dataclasses that the store and the services return, so the command line
and the window show the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

#: The roles a coder can have: ``adjudicator`` codes the gold standard, ``lead`` runs the project.
ROLES = ("coder", "lead", "adjudicator")

#: Project setting naming the coder a package file was written for.
PACKAGE_FOR = "package_for"
#: Kinds of coded work a merge brings back, in report order.
MERGE_KINDS = ("annotation", "relation", "answer", "status")
#: What a merge did to a row.
MERGE_ACTIONS = ("added", "updated", "deleted")


@dataclass(frozen=True, slots=True)
class WorkState:
    """One coder's standing on one article, as assignment sees it."""

    article_id: str
    coder_id: str
    assigned: bool
    has_work: bool


@dataclass(frozen=True, slots=True)
class AssignmentCell:
    """One coder's standing on one article, as the lead's article table shows it.

    ``status`` is None when the coder has no status row there (coded work merged in
    without an assignment); ``worked`` is true when the article can no longer be taken
    back from the coder (see :mod:`app.store.assigning`).
    """

    article_id: str
    coder_id: str
    status: str | None
    assigned: bool
    worked: bool


@dataclass(frozen=True, slots=True)
class ArticleAssignment:
    """One row of the lead's article table: an article and who codes it.

    ``coders`` maps a coder's name to their cell, for coders and leads with an
    assignment, a status or work on the article; ``overlap`` is true when two or more
    coders are assigned to it (the same rule as :class:`CoderLoad`'s overlap).
    """

    article_id: str
    position: int
    title: str
    source: str | None
    coders: dict[str, AssignmentCell]
    overlap: bool

    def status(self, coder: str) -> str | None:
        """The coder's status if the article is assigned to them, else None."""
        cell = self.coders.get(coder)
        return cell.status if cell is not None and cell.assigned else None

    @property
    def assigned_to(self) -> tuple[str, ...]:
        return tuple(name for name, cell in self.coders.items() if cell.assigned)


@dataclass(frozen=True, slots=True)
class CoderLoad:
    """One row of ``loupe assignments``."""

    name: str
    role: str
    assigned: int
    todo: int
    in_progress: int
    done: int
    overlap: int
    seconds_spent: float


@dataclass(frozen=True)
class AssignReport:
    """What ``assign`` did."""

    seed: int
    replace: bool
    distributed: int
    overlap: int
    new_per_coder: dict[str, int]
    kept: int
    removed: int
    left_alone: int


@dataclass(frozen=True)
class PackageReport:
    """What a coder's package holds."""

    path: str
    coder: str
    articles: int
    entities: int
    annotations: int
    relations: int
    answers: int
    size_bytes: int


@dataclass
class FileMerge:
    """What one returned file changed: counts per (coder name, kind, action)."""

    file: str
    package_for: str | None
    coders_added: list[str] = field(default_factory=list)
    counts: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def add(self, coder: str, kind: str, action: str, n: int = 1) -> None:
        key = (coder, kind, action)
        self.counts[key] = self.counts.get(key, 0) + n

    @property
    def changed(self) -> int:
        return sum(self.counts.values()) + len(self.coders_added)

    def summary(self) -> dict[str, dict[str, dict[str, int]]]:
        """{coder: {kind: {action: n}}}, for the merge log and JSON output."""
        out: dict[str, dict[str, dict[str, int]]] = {}
        for (coder, kind, action), n in sorted(self.counts.items()):
            out.setdefault(coder, {}).setdefault(kind, {})[action] = n
        return out


@dataclass(frozen=True)
class MergeReport:
    """What a merge did, file by file; ``backup`` is the copy made before writing."""

    files: list[FileMerge]
    backup: str | None

    def total(self, kind: str | None = None, action: str | None = None) -> int:
        return sum(
            n
            for f in self.files
            for (_coder, k, a), n in f.counts.items()
            if (kind is None or k == kind) and (action is None or a == action)
        )

    @property
    def changed(self) -> bool:
        return any(f.changed for f in self.files)


def describe_counts(counts: Iterable[tuple[tuple[str, str, str], int]]) -> dict[str, str]:
    """Per coder, one line such as ``annotations +12 ~3 -1; answers +4``."""
    names = {"annotation": "annotations", "relation": "relations", "answer": "answers", "status": "statuses"}
    signs = {"added": "+", "updated": "~", "deleted": "-"}
    table: dict[str, dict[str, dict[str, int]]] = {}
    for (coder, kind, action), n in counts:
        table.setdefault(coder, {}).setdefault(kind, {})[action] = n
    lines: dict[str, str] = {}
    for coder in sorted(table):
        parts = []
        for kind in MERGE_KINDS:
            actions = table[coder].get(kind)
            if actions:
                figures = " ".join(f"{signs[a]}{actions[a]}" for a in MERGE_ACTIONS if actions.get(a))
                parts.append(f"{names[kind]} {figures}")
        lines[coder] = "; ".join(parts)
    return lines
