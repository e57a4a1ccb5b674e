"""Aligning several coders' coding of one article into what an adjudicator decides on.

Pure functions over records; nothing here touches a database.

* **Span groups.** Spans of one label that overlap (directly or through a chain of
  overlapping spans, any coder) form a group, keyed ``"Label:start-end"`` by its extent.
  A coder's *version* of a group is the set of their spans in it (offsets and
  attributes, and the fragments of a discontinuous span: the same envelope with other
  fragments is another span); coders with identical versions share one. A group is ``agreed`` when
  every coder who finished the article has the same version, else ``disagreed``.
* **Gold.** The adjudicator's spans are placed in the group of their label they overlap
  most. A group is *accepted* when the gold holds spans in it (``accepted_version`` says
  which version they equal, if any), *rejected* when its key is among the recorded
  rejections and the gold holds none, and undecided otherwise.
* **Relation groups.** A coder's relation joins the groups of its two ends; relations of
  one type between the same two groups form one relation group, decided like spans.
* **Answers.** Per question, each coder's answer and the gold's; ``agreed`` when every
  coder gave the same answer.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.errors import LoupeError
from app.core.records import Annotation, Fragments, Relation

AGREED, DISAGREED, UNANSWERED = "agreed", "disagreed", "unanswered"
ACCEPTED, REJECTED = "accepted", "rejected"


class AdjudicationError(LoupeError):
    """Something adjudication cannot do as asked (no such group, not an overlap article...)."""


#: What identifies a span's content: start, end, its attributes as canonical JSON and
#: its fragments (empty for a contiguous span).
Signature = tuple[int, int, str, Fragments]


def signature(annotation: Annotation) -> Signature:
    if not annotation.attributes:
        return (annotation.start, annotation.end, "", annotation.fragments)
    attributes = json.dumps(annotation.attributes, sort_keys=True, ensure_ascii=False)
    return (annotation.start, annotation.end, attributes, annotation.fragments)


@dataclass(frozen=True)
class Version:
    """Spans some coders marked identically in one group (``spans`` are the first coder's)."""

    coders: tuple[str, ...]
    spans: tuple[Annotation, ...]

    @property
    def signatures(self) -> tuple[Signature, ...]:
        return tuple(sorted(signature(a) for a in self.spans))


@dataclass(frozen=True)
class SpanGroup:
    key: str
    label: str
    start: int
    end: int
    versions: tuple[Version, ...]
    #: Coders who finished the article and marked nothing in this group.
    missing: tuple[str, ...]
    status: str
    gold: tuple[Annotation, ...]
    #: Index into ``versions`` of the version the gold equals, if it equals one.
    accepted_version: int | None
    decision: str | None

    def version_of(self, coder: str) -> Version | None:
        return next((v for v in self.versions if coder in v.coders), None)

    @property
    def decided(self) -> bool:
        return self.decision is not None


@dataclass(frozen=True)
class RelationGroup:
    key: str
    label: str
    source_group: str
    target_group: str
    #: Coders who drew this relation, and one of their relations per coder.
    coders: tuple[str, ...]
    relations: tuple[Relation, ...]
    #: The spans at the two ends of the first coder's relation.
    ends: tuple[Annotation, Annotation]
    missing: tuple[str, ...]
    status: str
    gold: tuple[Relation, ...]
    decision: str | None

    @property
    def decided(self) -> bool:
        return self.decision is not None


@dataclass(frozen=True)
class AnswerChoice:
    question: str
    #: (coder, answer or None) for every coder who finished the article.
    values: tuple[tuple[str, Any], ...]
    gold: Any
    status: str

    @property
    def decided(self) -> bool:
        return self.gold is not None or self.status == UNANSWERED

    def distinct(self) -> list[Any]:
        """The different answers given, in the order of the coders."""
        found: list[Any] = []
        for _, value in self.values:
            if value is not None and value not in found:
                found.append(value)
        return found


@dataclass(frozen=True)
class SetRejected:
    """Record (or withdraw) the adjudicator's rejection of a group: the gold holds none
    of it. Applying it returns the opposite record, so the window can undo it. A step of
    a decision, written in the decision's one transaction with its coding edits."""

    article_id: str
    adjudicator_id: str
    key: str
    rejected: bool

    def describe(self) -> str:
        return "Reject" if self.rejected else "Withdraw rejection"

    def inverse(self) -> SetRejected:
        return SetRejected(self.article_id, self.adjudicator_id, self.key, not self.rejected)


def _overlap(a: Annotation, start: int, end: int) -> int:
    """Characters of ``[start, end)`` that ``a`` covers (its fragments, not their gaps)."""
    return sum(max(0, min(last, end) - max(first, start)) for first, last in a.ranges)


def _clusters(spans: Sequence[Annotation]) -> list[list[Annotation]]:
    """Spans of one label linked by overlap, found with a sweep over sorted starts."""
    clusters: list[list[Annotation]] = []
    reach = -1
    for a in sorted(spans, key=lambda s: (s.start, s.end, s.id)):
        if not clusters or a.start >= reach:
            clusters.append([])
            reach = a.end
        reach = max(reach, a.end)
        clusters[-1].append(a)
    return clusters


def _versions(members: Sequence[Annotation], names: Mapping[str, str], coders: Sequence[str]) -> tuple[
    tuple[Version, ...], tuple[str, ...]
]:
    by_coder: dict[str, list[Annotation]] = defaultdict(list)
    for a in members:
        by_coder[names[a.coder_id]].append(a)
    found: dict[tuple[Signature, ...], tuple[list[str], tuple[Annotation, ...]]] = {}
    for coder in coders:
        spans = by_coder.get(coder)
        if not spans:
            continue
        ordered = tuple(sorted(spans, key=lambda a: (a.start, a.end, a.id)))
        key = tuple(sorted(signature(a) for a in ordered))
        found.setdefault(key, ([], ordered))[0].append(coder)
    versions = sorted(found.values(), key=lambda v: (-len(v[0]), v[0][0]))
    missing = tuple(c for c in coders if c not in by_coder)
    return tuple(Version(tuple(who), spans) for who, spans in versions), missing


def align_spans(
    coded: Sequence[Annotation],
    names: Mapping[str, str],
    coders: Sequence[str],
    gold: Sequence[Annotation],
    rejected: Collection[str] = (),
) -> tuple[list[SpanGroup], list[Annotation]]:
    """Span groups of the coders' annotations, and the gold spans that fall in no group.

    ``names`` maps coder ids to names; ``coders`` are the names of the coders who
    finished the article (their order is the order versions list them in).
    """
    by_label: dict[str, list[Annotation]] = defaultdict(list)
    for a in coded:
        if a.coder_id in names:
            by_label[a.label].append(a)
    raw = []
    for label in sorted(by_label):
        for members in _clusters(by_label[label]):
            start, end = min(a.start for a in members), max(a.end for a in members)
            raw.append((label, start, end, members))
    raw.sort(key=lambda g: (g[1], g[2], g[0]))
    placed: dict[int, list[Annotation]] = defaultdict(list)
    loose = []
    for g in gold:
        best = max(
            ((i, _overlap(g, s, e)) for i, (label, s, e, _) in enumerate(raw) if label == g.label),
            key=lambda item: item[1], default=(None, 0),
        )
        if best[0] is None or best[1] == 0:
            loose.append(g)
        else:
            placed[best[0]].append(g)
    groups = []
    for i, (label, start, end, members) in enumerate(raw):
        versions, missing = _versions(members, names, coders)
        status = AGREED if len(versions) == 1 and not missing else DISAGREED
        mine = tuple(sorted(placed.get(i, ()), key=lambda a: (a.start, a.end, a.id)))
        key = f"{label}:{start}-{end}"
        accepted_version = None
        decision = None
        if mine:
            decision = ACCEPTED
            wanted = tuple(sorted(signature(a) for a in mine))
            accepted_version = next(
                (k for k, v in enumerate(versions) if v.signatures == wanted), None
            )
        elif key in rejected:
            decision = REJECTED
        groups.append(
            SpanGroup(key, label, start, end, versions, missing, status, mine, accepted_version, decision)
        )
    return groups, loose


def align_relations(
    coded: Sequence[Relation],
    coded_spans: Sequence[Annotation],
    names: Mapping[str, str],
    coders: Sequence[str],
    groups: Sequence[SpanGroup],
    gold: Sequence[Relation],
    rejected: Collection[str] = (),
) -> list[RelationGroup]:
    """Relation groups: relations of one type between the same two span groups."""
    spans = {a.id: a for a in coded_spans}
    where: dict[str, str] = {}
    for group in groups:
        for a in coded_spans:
            if a.label == group.label and group.start <= a.start and a.end <= group.end:
                where.setdefault(a.id, group.key)
        for a in group.gold:
            where[a.id] = group.key
    found: dict[tuple[str, str, str], dict[str, Relation]] = defaultdict(dict)
    for r in coded:
        if r.coder_id in names and r.source_id in where and r.target_id in where:
            found[r.label, where[r.source_id], where[r.target_id]].setdefault(names[r.coder_id], r)
    gold_by_key: dict[tuple[str, str, str], list[Relation]] = defaultdict(list)
    for r in gold:
        if r.source_id in where and r.target_id in where:
            gold_by_key[r.label, where[r.source_id], where[r.target_id]].append(r)
    out = []
    for (label, source, target), by_coder in sorted(found.items(), key=lambda kv: kv[0]):
        who = tuple(c for c in coders if c in by_coder)
        missing = tuple(c for c in coders if c not in by_coder)
        key = f"{label}:{source}>{target}"
        mine = tuple(gold_by_key.get((label, source, target), ()))
        decision = ACCEPTED if mine else REJECTED if key in rejected else None
        out.append(
            RelationGroup(
                key, label, source, target, who, tuple(by_coder[c] for c in who),
                (spans[by_coder[who[0]].source_id], spans[by_coder[who[0]].target_id]), missing,
                AGREED if not missing else DISAGREED, mine, decision,
            )
        )
    return out


def align_answers(
    questions: Sequence[str],
    answers: Mapping[str, Mapping[str, Any]],
    coders: Sequence[str],
    gold: Mapping[str, Any],
) -> list[AnswerChoice]:
    """Per question, every coder's answer (``answers[coder][question]``) and the gold's."""
    out = []
    for question in questions:
        values = tuple((c, answers.get(c, {}).get(question)) for c in coders)
        given = [v for _, v in values if v is not None]
        if not given:
            status = UNANSWERED
        elif len(given) == len(values) and all(v == given[0] for v in given):
            status = AGREED
        else:
            status = DISAGREED
        out.append(AnswerChoice(question, values, gold.get(question), status))
    return out
