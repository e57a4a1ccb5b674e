"""Agreement across codebook versions: which coding each item is measured on.

The report measures items as they stand in the current codebook, on the migrated
values (:mod:`app.services.codebook_versions`). An item whose meaning changed along the
versions (:func:`app.core.codebook.item_changes`: new, options gained or lost, a split)
is measured only on the articles whose coding is unambiguous for it: every coder's
coding of the article made under the version that gave the item its present meaning, or
(for a split) no span that kept its label for want of a value to split by. The measure's
note says so and how many of its coder's articles were left out.

``codebook_version=N`` measures as of version N (the pilot's reliability, say): only
articles whose coding was all made under version N or before, and only the items that
existed then (with their current names).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.codebook import Codebook, ItemChange, Step, item_changes, map_from_document
from app.core.errors import LoupeError
from app.services.projects import Project

Pairs = frozenset[tuple[str, str]]


@dataclass(frozen=True)
class Restriction:
    """Items measured without the (article id, coder id) pairs of ``excluded``."""

    keys: tuple[str, ...]
    excluded: Pairs
    note: str


@dataclass(frozen=True)
class VersionScope:
    """What the report measures, given the project's codebook versions."""

    #: Coder's articles left out of every measure (``codebook_version``'s later coding).
    excluded: Pairs
    restrictions: tuple[Restriction, ...]
    #: Items that did not exist at the requested version: (key, reason).
    absent: tuple[tuple[str, str], ...]
    label: str | None


def version_scope(project: Project, codebook_version: str | None = None) -> VersionScope:
    """The exclusions of the report for ``project`` (as of ``codebook_version``)."""
    versions = project.store.versions.history()
    number = versions[-1].number
    label = None
    if codebook_version is not None:
        chosen = next((v for v in versions if codebook_version in (str(v.number), v.version)), None)
        if chosen is None:
            known = ", ".join(f"{v.number} ({v.version})" for v in versions)
            raise LoupeError(f"The project has no codebook version {codebook_version!r}; it has {known}.")
        number = chosen.number
        label = f"version {chosen.number} ({chosen.version})"
    if len(versions) == 1:
        return VersionScope(frozenset(), (), (), label)
    books = [Codebook.from_content_json(v.content) for v in versions]
    steps = [
        Step(after.number, books[i], books[i + 1],
             map_from_document(after.map or {}, f"the map to version {after.number}", books[i], books[i + 1]))
        for i, after in enumerate(versions[1:])
    ]
    versions_store = project.store.versions
    excluded = frozenset(versions_store.coded_outside(last=number)) if number < versions[-1].number else frozenset()
    changes = item_changes(steps)
    absent = tuple(
        (key, f"it did not exist in {label}") for key, change in sorted(changes.items())
        if change.since is not None and change.since > number and change.why.startswith("new in")
    )
    gone = {key for key, _ in absent}
    groups: dict[tuple[int | None, tuple[str, str] | None, int], list[ItemChange]] = {}
    for key, change in sorted(changes.items()):
        if key in gone or change.version > number:
            continue
        groups.setdefault((change.since, change.split, change.version), []).append(change)
    restrictions = []
    for (since, split, version), members in groups.items():
        pairs: set[tuple[str, str]] = set()
        if since is not None:
            pairs |= versions_store.coded_outside(first=since)
        if split is not None:
            pairs |= versions_store.unsplit(split[0], split[1], version)
        pairs -= excluded
        restrictions.append(Restriction(tuple(c.key for c in members), frozenset(pairs), _note(members[0], len(pairs))))
    return VersionScope(excluded, tuple(restrictions), absent, label)


def _note(change: ItemChange, n_left_out: int) -> str:
    if change.since is None and change.split is None:
        return f"Its meaning changed ({change.why}); every coded value was migrated without doubt."
    if change.split is not None:
        label, by = change.split
        rule = (f"measured without the coders' articles where a {label} span coded before version "
                f"{change.version} had no {by} to split it by")
    else:
        rule = f"measured only on articles coded under version {change.since} or later"
    left = f"{n_left_out} coder's article{'s' if n_left_out != 1 else ''} left out" if n_left_out else "none left out"
    return f"Its meaning changed ({change.why}): {rule}; {left}."

