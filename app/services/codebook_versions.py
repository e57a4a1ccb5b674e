"""Changing a project's codebook mid-study: a new version, and every coded row migrated.

``loupe codebook P --upgrade NEW.yaml [--map MAP.yaml]`` and the window's codebook editor
call :func:`adopt_codebook`: the new codebook's ``version`` must be new to the project,
every change that is not additive must be covered by the map (else the refusal names
each one), and every annotation, relation and answer is migrated along the map and
checked against the new codebook with the checks every row from outside passes
(:mod:`app.core.row_checks`). One transaction: a single row that would break refuses the
whole change, listing the rows, and leaves the project as it was.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.adjudication_keys import rekey_all
from app.core.codebook import (
    Chain,
    Codebook,
    CodebookMap,
    Migrator,
    load_codebook,
    map_from_document,
    read_map_file,
    unmapped_changes,
)
from app.core.errors import CodebookError
from app.core.row_checks import Endpoint, answer_problem, attributes_problem, relation_problem
from app.services.projects import Project
from app.store.codebook_versions import CodingRows, Rewrites, Version

#: Rows named in a refusal; the rest are counted.
SHOWN_PROBLEMS = 12


@dataclass(frozen=True)
class UpgradeReport:
    """What a change of codebook did (or, for a dry run, would do)."""

    before: str
    after: str
    number: int
    live: dict[str, int]
    changed: dict[str, int]
    dropped: dict[str, int]
    lines: tuple[tuple[str, int], ...]
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"live": self.live, "changed": self.changed, "dropped": self.dropped, "lines": [list(x) for x in self.lines]}


def upgrade_codebook(
    project: Project, codebook_path: str | Path, map_path: str | Path | None = None, *, dry_run: bool = False,
) -> UpgradeReport:
    """Adopt the codebook file at ``codebook_path``, migrating along the map file."""
    new = load_codebook(codebook_path)
    cmap = read_map_file(map_path, project.codebook, new) if map_path is not None else CodebookMap()
    return adopt_codebook(project, new, cmap, dry_run=dry_run)


def adopt_codebook(project: Project, new: Codebook, cmap: CodebookMap, *, dry_run: bool = False) -> UpgradeReport:
    """Make ``new`` the project's codebook, migrating every coded row along ``cmap``."""
    old = project.codebook
    history = project.store.versions.history()
    if new.sha256 == old.sha256:
        raise CodebookError(f"The project already uses this codebook ({old.name} {old.version}); nothing changes.")
    if any(v.version == new.version for v in history):
        raise CodebookError(
            f"The project has already used a codebook with version {new.version!r}; "
            "give the new codebook a version of its own."
        )
    uncovered = unmapped_changes(old, new, cmap)
    if uncovered:
        raise CodebookError(
            f"The codebook cannot change from version {old.version} to {new.version} without a map "
            f"for {len(uncovered)} change{'s' if len(uncovered) != 1 else ''}: {'; '.join(uncovered)}."
        )
    coders = {coder.id: coder.name for coder in project.store.coders.list()}
    plan = _Plan(Migrator(old, new, cmap), Migrator(old, new, cmap), new, coders, Migrator(old, new, cmap))
    number = history[-1].number + 1 if history else 1
    if dry_run:
        project.store.versions.preview(plan)
    else:
        number = project.store.versions.adopt(
            (new.name, new.version, new.content_json(), new.sha256), None if cmap.is_empty() else cmap.document(),
            plan.run,
        )
        project.codebook = new
    return plan.finish(f"{old.name} {old.version}", f"{new.name} {new.version}", number, dry_run)


@dataclass
class _Plan:
    """Migrates and checks every row read from the store; what to write is its result."""

    live: Migrator
    tombstones: Migrator
    new: Codebook
    coders: dict[str, str]
    #: Works out the new names of relation types in rejection keys (its tally is not reported).
    keys: Migrator
    counts: dict[str, Counter[str]] = field(default_factory=lambda: {k: Counter() for k in ("live", "changed", "dropped")})
    problems: list[str] = field(default_factory=list)
    memo: dict[tuple[str, bool, str, str | None], tuple[Any, ...]] = field(default_factory=dict)

    def __call__(self, rows: CodingRows) -> Rewrites:
        rewrites = Rewrites()
        ends: dict[str, Endpoint] = {}
        linked = rows.linked()  # only these annotations' ends are looked up by the relations
        dropped = rewrites.dropped
        for row_id, article, coder, label, text, deleted in rows.annotations():
            after, values, changed, problem = self._migrated("annotation", deleted, label, text)
            if after is None:
                dropped["annotation"].add(row_id)
                continue
            if changed:
                rewrites.annotations[row_id] = (after, values)
            if row_id in linked:
                ends[row_id] = Endpoint(article, coder, after)
            if problem:
                self._problem("annotation", row_id, article, coder, problem)
        for row_id, article, coder, label, source, target, text, deleted in rows.relations():
            if source in dropped["annotation"] or target in dropped["annotation"]:
                self._count("relation", deleted, True, True)
                if not deleted:
                    self.live.tally["relations dropped with their annotations"] += 1
                dropped["relation"].add(row_id)
                continue
            after, values, changed, problem = self._migrated("relation", deleted, label, text)
            if after is None:
                dropped["relation"].add(row_id)
                continue
            if changed:
                rewrites.relations[row_id] = (after, values)
            if not deleted:
                problem = relation_problem(self.new, after, article, coder, source, target, ends) or problem
                if problem:
                    self._problem("relation", row_id, article, coder, problem)
        self._rekey_rejections(rows, rewrites)
        for row_id, question, text, deleted in rows.answers():
            after, value, changed, problem = self._migrated("answer", deleted, question, text)
            if after is None:
                dropped["answer"].add(row_id)
            elif changed:
                rewrites.answers[row_id] = (after, value)
            if problem:
                self._problem("answer", row_id, None, None, problem)
        if self.problems:
            shown = self.problems[:SHOWN_PROBLEMS]
            more = len(self.problems) - len(shown)
            raise CodebookError(
                f"The codebook cannot change to version {self.new.version}: {len(self.problems)} coded "
                f"row{'s' if len(self.problems) != 1 else ''} would not fit it; nothing was changed: "
                + "; ".join(shown) + (f"; and {more} more" if more else "") + "."
            )
        return rewrites

    def _rekey_rejections(self, rows: CodingRows, rewrites: Rewrites) -> None:
        """Adjudicators' rejections follow their spans' labels (:mod:`app.core.adjudication_keys`)."""
        rejections = rows.rejections()
        if not rejections:
            return
        relabelled, dropped = rewrites.annotations, rewrites.dropped["annotation"]

        def new_label(span_id: str, old: str) -> str | None:
            if span_id in dropped:
                return None
            return relabelled[span_id][0] if span_id in relabelled else old

        rewrites.rejections = rekey_all(
            rejections, rows.spans_in({article for _adjudicator, article, _key in rejections}),
            new_label, lambda kind: self.keys.relation(kind, {})[0],
        )
        if rewrites.rejections:
            self.live.tally["adjudication rejections following their labels"] += len(rewrites.rejections)

    def run(self, rows: CodingRows) -> tuple[Rewrites, dict[str, Any]]:
        """The rewrites and the report the project keeps in its history."""
        rewrites = self(rows)
        return rewrites, self.finish("", "", 0, False).as_dict()

    def _migrated(self, kind: str, deleted: bool, name: str, text: str | None) -> tuple[str | None, Any, bool, str | None]:
        """(new name or None when dropped, new value, changed, problem) of one row, worked
        out once per distinct (kind, name, stored value): most rows repeat a few."""
        key = (kind, deleted, name, text)
        step = self.tombstones if deleted else self.live
        hit = self.memo.get(key)
        if hit is None:
            before = Counter(step.tally)
            value = _parsed(kind, text)
            after: str | None
            migrated: Any
            if kind == "annotation":
                after, migrated = step.annotation(name, value)
            elif kind == "relation":
                after, migrated = step.relation(name, value)
            else:
                after, migrated = step.answer(name, value) if value is not None else (name, None)
            problem = None if after is None or deleted else self._check(kind, after, migrated)
            hit = (after, migrated, (after, migrated) != (name, value), problem, step.tally - before)
            self.memo[key] = hit
        elif hit[4]:
            step.tally.update(hit[4])
        self._count(kind, deleted, hit[0] is None, hit[2])
        return hit[0], hit[1], hit[2], hit[3]

    def _check(self, kind: str, name: str, value: Any) -> str | None:
        if kind == "annotation":
            return _label_problem(self.new, name, value)
        if kind == "answer":
            return answer_problem(self.new, name, value)
        try:
            return attributes_problem(self.new.relation_type(name), value)
        except KeyError:
            return None  # the relation's own check names its type

    def _count(self, kind: str, deleted: bool, dropped: bool, changed: bool) -> None:
        if deleted:
            return
        self.counts["live"][kind] += 1
        if dropped:
            self.counts["dropped"][kind] += 1
        elif changed:
            self.counts["changed"][kind] += 1

    def _problem(self, kind: str, row_id: str, article: str | None, coder: str | None, problem: str) -> None:
        where = f" (article {article}, coder {self.coders.get(coder or '', coder)})" if article else ""
        self.problems.append(f"{kind} {row_id}{where}: {problem}")

    def finish(self, before: str, after: str, number: int, dry_run: bool) -> UpgradeReport:
        kinds = ("annotation", "relation", "answer")
        live, changed, dropped = ({k: self.counts[part][k] for k in kinds} for part in ("live", "changed", "dropped"))
        return UpgradeReport(
            before, after, number, live, changed, dropped,
            lines=tuple(sorted(self.live.tally.items())), dry_run=dry_run,
        )


def _parsed(kind: str, text: str | None) -> Any:
    if kind == "answer":
        return None if text is None else json.loads(text)
    return {} if text is None or text == "{}" else json.loads(text)


def _label_problem(codebook: Codebook, label: str, attributes: Any) -> str | None:
    try:
        owner = codebook.label(label)
    except KeyError:
        return f"its label {label} is not a span label of the new codebook"
    return attributes_problem(owner, attributes)


def standing(project: Project) -> tuple[str, int, str]:
    """(project id, number, "name version") of the codebook this file uses: a coder's
    window compares it with the newest version seen of the same project."""
    current = project.store.versions.history()[-1]
    return project.store.versions.project_id(), current.number, f"{current.name} {current.version}"


def history(project: Project) -> list[Version]:
    """The codebooks the project has used, oldest first (numbered from 1)."""
    return project.store.versions.history()


def codebook_at(project: Project, reference: str) -> tuple[Version, Codebook]:
    """The project's codebook version ``reference``: its number in the history, or its
    ``version`` field."""
    versions = history(project)
    for version in versions:
        if reference in (str(version.number), version.version):
            return version, Codebook.from_content_json(version.content)
    known = ", ".join(f"{v.number} ({v.version})" for v in versions)
    raise CodebookError(f"The project has no codebook version {reference!r}; it has {known}.")


def chain_from(project: Project, number: int) -> Chain:
    """The migrations from version ``number`` of the history to the current one."""
    versions = history(project)
    steps = []
    for before, after in zip(versions, versions[1:], strict=False):
        if after.number <= number:
            continue
        old, new = Codebook.from_content_json(before.content), Codebook.from_content_json(after.content)
        cmap = map_from_document(after.map or {}, f"the map to version {after.number}", old, new)
        steps.append(Migrator(old, new, cmap))
    return Chain(steps)
