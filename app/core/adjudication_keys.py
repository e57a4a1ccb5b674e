"""Adjudication rejections carried across a change of codebook.

An adjudicator's rejection names a group by its key: ``"Label:start-end"`` for the spans
of one extent (:func:`app.core.adjudication.span_groups`) and ``"Type:Source>Target"``
for a relation group, whose ends are span keys. Keys hold labels, so when the codebook
renames, merges, splits or drops a label, a rejection must follow the spans it was made
on, or the rejected disagreement would come back undecided after the change.

:func:`rekey` works this out from the spans themselves: the spans of the article at the
key's extent that had the key's label, and the label each has after the migration. A
split can send the spans of one extent to several labels; the group is then several
groups, each rejected as the one it came from was. Pure functions; nothing here touches
a database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

#: A span as the rekeying sees it: (id, label before the change, start, end).
Span = tuple[str, str, int, int]
#: The label a span has after the change (None: dropped), from its id and old label.
NewLabel = Callable[[str, str], str | None]


def parse_span_key(key: str) -> tuple[str, int, int] | None:
    """(label, start, end) of a span group's key, or None if it is no span key."""
    label, _, extent = key.rpartition(":")
    start, dash, end = extent.partition("-")
    if not label or not dash or not start.isdigit() or not end.isdigit():
        return None
    return label, int(start), int(end)


def _span_keys(key: str, spans: Sequence[Span], new_label: NewLabel) -> tuple[str, ...] | None:
    """The keys the span group ``key`` becomes (empty: all its spans dropped), or None
    when the article has no span of it (nothing to follow: the key stays)."""
    parsed = parse_span_key(key)
    if parsed is None:
        return None
    label, start, end = parsed
    found = [(span_id, old) for span_id, old, s, e in spans if old == label and (s, e) == (start, end)]
    if not found:
        return None
    labels = sorted({new for span_id, old in found if (new := new_label(span_id, old)) is not None})
    return tuple(f"{new}:{start}-{end}" for new in labels)


def rekey(
    key: str, spans: Sequence[Span], new_label: NewLabel, relation_type: Callable[[str], str | None]
) -> tuple[str, ...]:
    """The keys rejection ``key`` becomes on an article with ``spans``; ``(key,)`` when
    nothing changes, ``()`` when what it rejected is gone."""
    kind, colon, ends = key.partition(":")
    source, arrow, target = ends.partition(">")
    if colon and arrow:  # a relation group: its type and both ends follow the change
        new_type = relation_type(kind)
        if new_type is None:
            return ()
        sources = _span_keys(source, spans, new_label)
        targets = _span_keys(target, spans, new_label)
        sources = (source,) if sources is None else sources
        targets = (target,) if targets is None else targets
        return tuple(f"{new_type}:{s}>{t}" for s in sources for t in targets)
    keys = _span_keys(key, spans, new_label)
    return (key,) if keys is None else keys


def rekey_all(
    rejections: Iterable[tuple[str, str, str]],
    spans: Mapping[str, Sequence[Span]],
    new_label: NewLabel,
    relation_type: Callable[[str], str | None],
) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """For each (adjudicator id, article id, key) whose key changes: its new keys."""
    changed: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for adjudicator, article, key in rejections:
        keys = rekey(key, spans.get(article, ()), new_label, relation_type)
        if keys != (key,):
            changed[adjudicator, article, key] = keys
    return changed
