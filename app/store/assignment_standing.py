"""Every article's assignments, read once and kept until the project changes.

The lead's Assignments table sorts by a coder's column and filters by "assigned to
nobody", "in the overlap" and "assigned to ana". In SQL each of these is a subquery over
the assignments (140,000 rows at 100,000 articles) probed by an article id that is a
36-character string: 250 ms for one filter, every time the filter changes. Read once,
the standing of every article is a few dictionaries, each sort or filter is one pass
over the ids (tens of milliseconds at 100,000), and the last few orders are kept, so
going back to one costs nothing.

The copy is kept only while the file is unchanged: SQLite's ``PRAGMA data_version``,
read on a connection of its own that never writes, changes whenever any other
connection (another program, or this one's own pooled connections) commits. So a merge,
a reassignment or a coder's status written by the lead's own window is seen at the next
sort or filter, and nothing stale is ever shown. A server has no such counter: there the
copy is read again for every order (the lead's server is not a file another program
changes unseen, but correctness first).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

#: A coder's column sorts by status in the order of the work, assigned ones after the
#: others, articles without their row first (-1).
_STATUS_RANK = {"todo": 1, "in_progress": 2, "done": 3}
#: Orders kept per state of the file.
KEPT = 16
#: Rows of a query (SQL, parameters) as plain tuples.
Tuples = Callable[[str, dict[str, Any]], list[tuple[Any, ...]]]


@dataclass
class Standing:
    """The assignments of every article, as the Assignments table sorts and filters them."""

    #: Every article id in import order.
    ids: list[str]
    #: Article id -> number of coders assigned to it (absent: nobody).
    assigned: dict[str, int]
    #: Coder id -> {article id: rank} for each of the coder's assignment rows, read when
    #: the coder's column is first sorted or filtered by (:meth:`read_ranks`).
    ranks: dict[str, dict[str, int]] = field(default_factory=dict)
    #: The orders already worked out, most recent last (see :meth:`remember`).
    orders: dict[tuple[str | None, ...], list[str]] = field(default_factory=dict)

    def remember(self, key: tuple[str | None, ...], ids: list[str]) -> list[str]:
        """Keep the order ``ids`` under ``key``: switching back and forth between filters
        then costs nothing. At most :data:`KEPT` orders (under a megabyte each at 100,000)."""
        self.orders.pop(key, None)
        self.orders[key] = ids
        while len(self.orders) > KEPT:
            del self.orders[next(iter(self.orders))]
        return ids

    def read_ranks(self, coder_id: str | None, tuples: Tuples) -> None:
        if coder_id is None or coder_id in self.ranks:
            return
        rows = tuples("SELECT article_id, status, assigned FROM assignment WHERE coder_id = :coder", {"coder": coder_id})
        self.ranks[coder_id] = {a: _STATUS_RANK.get(status, 0) + 4 * bool(assigned) for a, status, assigned in rows}

    def by_coder(self, ids: list[str], coder_id: str) -> list[str]:
        """``ids`` stably sorted by ``coder_id``'s rank on each (-1: no row)."""
        ranks = dict.fromkeys(ids, -1)
        ranks.update(self.ranks.get(coder_id, {}))
        return sorted(ids, key=ranks.__getitem__)

    def by_overlap(self, ids: list[str]) -> list[str]:
        """``ids`` with those assigned to two or more coders last, each part in order."""
        assigned = self.assigned
        return [i for i in ids if assigned.get(i, 0) < 2] + [i for i in ids if assigned.get(i, 0) > 1]

    def shown(self, ids: list[str], show: str, coder_id: str | None) -> list[str]:
        """Those of ``ids`` that filter ``show`` ("", "unassigned", "overlap", "coder")
        keeps (comprehensions without a call per id)."""
        assigned = self.assigned
        if show == "unassigned":
            return [i for i in ids if i not in assigned]
        if show == "overlap":
            return [i for i in ids if assigned.get(i, 0) > 1]
        if show == "coder":
            ranks = self.ranks.get(coder_id or "", {})
            return [i for i in ids if ranks.get(i, 0) >= 4]
        return ids


def read_standing(tuples: Tuples, *, sqlite: bool) -> Standing:
    """Read every article id in import order and how many coders each is assigned to."""
    # On SQLite the covering index in import order: the articles' text is never read.
    source = "article INDEXED BY ix_article_order" if sqlite else "article"
    ids = [row[0] for row in tuples(f"SELECT id FROM {source} ORDER BY position", {})]
    assigned = Counter(row[0] for row in tuples("SELECT article_id FROM assignment WHERE assigned", {}))
    return Standing(ids, assigned)


class StandingCache:
    """One :class:`Standing` per state of the file (see the module's docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._probe: Any = None
        self._version: int | None = None
        self._standing: Standing | None = None

    def get(self, tuples: Tuples) -> Standing:
        version = self._data_version()
        if self._standing is None or version is None or version != self._version:
            self._standing = read_standing(tuples, sqlite=self._engine.dialect.name == "sqlite")
            self._version = version
        return self._standing

    def _data_version(self) -> int | None:
        if self._engine.dialect.name != "sqlite":
            return None
        if self._probe is None:
            # A pooled connection kept for this alone: data_version counts the commits
            # of every *other* connection, so this one must never write.
            self._probe = self._engine.raw_connection()
        return int(self._probe.cursor().execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        if self._probe is not None:
            self._probe.close()
            self._probe = None
        self._standing = None
