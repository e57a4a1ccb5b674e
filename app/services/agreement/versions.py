"""Agreement across codebook versions: which coding each item is measured on.

The report measures items as they stand in the current codebook, on the migrated
values (:mod:`app.services.codebook_versions`). An item whose meaning changed along the
versions (:func:`app.core.codebook.item_changes`: new, options gained or lost, a split)
is measured only on the articles whose coding is unambiguous for it: every coder's
coding of the article made under the version that gave the item its present meaning, or
(for a split) no span that kept its label for want of a value to split by. The measure's
note says so and how many (article, coder) pairs were left out.

``codebook_version=N`` measures as of version N (the pilot's reliability, say): only
articles whose coding was all made under version N or before, and only the items that
existed then (with their current names).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from app.core.codebook import Codebook, ItemChange, Step, item_changes, map_from_document
from app.core.errors import LoupeError
from app.services.agreement.figures import Measure
from app.services.agreement.units import NotEnoughCodersError
from app.services.projects import Project

Pairs = frozenset[tuple[str, str]]
#: The report's measures by section ("questions", "spans", "attributes", "relations").
Sections = dict[str, list[Measure]]


@dataclass(frozen=True)
class Restriction:
    """Items measured without the (article id, coder id) pairs of ``excluded``."""

    keys: tuple[str, ...]
    excluded: Pairs
    note: str


@dataclass(frozen=True)
class VersionScope:
    """What the report measures, given the project's codebook versions."""

    #: (article id, coder id) pairs left out of every measure (coded after ``codebook_version``).
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
    left = f"{n_left_out} (article, coder) pair{'s' if n_left_out != 1 else ''} left out" if n_left_out else "none left out"
    return f"Its meaning changed ({change.why}): {rule}; {left}."



def apply_scope(
    scope: VersionScope, sections: Sections, build: Callable[[Pairs], Sections],
) -> list[tuple[str, str, str]]:
    """Measure each restricted item again without its excluded coding (``build`` measures
    every item on the coding less the pairs it is given) and note why; drop the items that
    did not exist at the requested version. Returns the items now not measured as
    (section, name, reason)."""
    skipped: list[tuple[str, str, str]] = []
    gone = dict(scope.absent)
    for name, measures in sections.items():
        kept = []
        for measure in measures:
            if measure.key in gone:
                skipped.append((name, measure.name, gone[measure.key]))
            else:
                kept.append(measure)
        measures[:] = kept
    for restriction in scope.restrictions:
        keys = set(restriction.keys)
        present = {m.key for measures in sections.values() for m in measures if m.key in keys}
        if not present:
            continue
        rebuilt: dict[str, Measure] = {}
        if restriction.excluded:
            try:
                again = build(scope.excluded | restriction.excluded)
            except NotEnoughCodersError:
                again = {}
            rebuilt = {m.key: m for measures in again.values() for m in measures if m.key in keys}
        for name, measures in sections.items():
            kept = []
            for measure in measures:
                if measure.key not in keys:
                    kept.append(measure)
                elif restriction.excluded and measure.key not in rebuilt:
                    skipped.append((name, measure.name, f"{restriction.note} No article is left to measure it on"))
                else:
                    base = rebuilt.get(measure.key, measure)
                    kept.append(replace(base, note=" ".join(p for p in (base.note, restriction.note) if p)))
            measures[:] = kept
    return skipped
