"""The disagreements behind a measure of the agreement report, listed on demand.

A report over thousands of articles has hundreds of thousands of disagreements; the
report computes its figures without them, and each measure lists its own when the lead
drills down (or the report is exported or printed as JSON). Counts and lists per
article and per coder pair are indexed once, so a table of 2,000 article rows costs one
pass over the list, not 2,000.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import overload

from app.core.bulk import no_cycle_collection
from app.services.agreement.units import Disagreement


def between(d: Disagreement, coders: Sequence[str]) -> bool:
    """Whether ``d`` is a disagreement among ``coders``: for values, two of them gave
    different values; for spans and relations, every coder of ``d`` is among them."""
    mine = [v for v in d.values if v.coder in coders]
    if d.kind != "value":
        return len(mine) == len(d.values)
    present = [v.value for v in mine if v.value is not None]
    return len(present) >= 2 and any(v != present[0] for v in present)


class Disagreements(Sequence[Disagreement]):
    """The disagreements behind one measure: a sequence built on first reading (from
    ``items``, or by calling it), with indexes by article and by coder pair."""

    def __init__(self, items: Sequence[Disagreement] | Callable[[], Sequence[Disagreement]] = ()) -> None:
        self._build = items if callable(items) else None
        self._items: tuple[Disagreement, ...] | None = None if callable(items) else tuple(items)
        self._by_article: dict[str, list[Disagreement]] | None = None
        self._by_coders: dict[tuple[str, ...], tuple[Disagreement, ...]] = {}
        self._pairs: tuple[dict[frozenset[str], list[int]], list[int]] | None = None

    def _all(self) -> tuple[Disagreement, ...]:
        if self._items is None:
            assert self._build is not None
            with no_cycle_collection():
                self._items = tuple(self._build())
            self._build = None
        return self._items

    def __len__(self) -> int:
        return len(self._all())

    @overload
    def __getitem__(self, index: int) -> Disagreement: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Disagreement, ...]: ...

    def __getitem__(self, index: int | slice) -> Disagreement | tuple[Disagreement, ...]:
        return self._all()[index]

    def __iter__(self) -> Iterator[Disagreement]:
        return iter(self._all())

    def stream(self) -> Iterator[Disagreement]:
        """Every disagreement, as iterating does, but without keeping the list when it
        is not built yet: for a reader that passes over each measure's list once (the
        Excel export), so that only one measure's list is held at a time."""
        if self._items is not None:
            return iter(self._items)
        assert self._build is not None
        with no_cycle_collection():
            return iter(self._build())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Disagreements):
            return self._all() == other._all()
        return isinstance(other, tuple | list) and self._all() == tuple(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        state = "not built" if self._items is None else f"{len(self._items)}"
        return f"Disagreements({state})"

    def on_article(self, article_id: str) -> list[Disagreement]:
        if self._by_article is None:
            index: dict[str, list[Disagreement]] = defaultdict(list)
            for d in self._all():
                index[d.article_id].append(d)
            self._by_article = dict(index)
        return self._by_article.get(article_id, [])

    def between(self, coders: Sequence[str]) -> tuple[Disagreement, ...]:
        key = tuple(coders)
        if key not in self._by_coders:
            items = self._all()
            if len(set(key)) == 2:
                # A disagreement of two values is between its two coders (it exists only
                # because they differ); wider ones (article questions) are checked.
                pairs, wide = self._pair_index()
                found = pairs.get(frozenset(key), []) + [n for n in wide if between(items[n], key)]
                self._by_coders[key] = tuple(items[n] for n in sorted(found))
            else:
                self._by_coders[key] = tuple(d for d in items if between(d, key))
        return self._by_coders[key]

    def _pair_index(self) -> tuple[dict[frozenset[str], list[int]], list[int]]:
        if self._pairs is None:
            pairs: dict[frozenset[str], list[int]] = defaultdict(list)
            wide: list[int] = []
            for n, d in enumerate(self._all()):
                if len(d.values) == 2:
                    pairs[frozenset((d.values[0].coder, d.values[1].coder))].append(n)
                else:
                    wide.append(n)
            self._pairs = (dict(pairs), wide)
        return self._pairs

    def build_indexes(self, pairs: Sequence[Sequence[str]] = ()) -> None:
        """Build the list and its indexes by article and by each coder pair now (on a
        worker thread, say), so that drilling down later costs nothing."""
        self.on_article("")
        for pair in pairs:
            self.between(pair)


