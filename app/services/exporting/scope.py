"""Which coding an export carries: the coders, statuses and publication dates chosen,
and the article batches it streams through.

* coders: one coder by name, the gold standard (the coders with the role
  "adjudicator"), or everyone;
* statuses: a coder's work on an article is exported only when the coder's status on
  it is one of these (no status row counts as "todo");
* dates: articles published from ``date_from`` to ``date_to`` (inclusive); with either
  given, articles without an ISO publication date are left out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date

from app.core.errors import LoupeError
from app.core.exports import published_day
from app.core.records import STATUSES, Article, Coder
from app.services.progress import CancelFn, OperationCancelled, ProgressFn
from app.services.projects import Project
from app.store.exports import ExportQueries, Pair

#: Articles per batch: small enough that a batch's annotations are a few megabytes.
BATCH_ARTICLES = 100


class ExportError(LoupeError):
    """An export that cannot be made as asked (unknown coder, no gold standard, ...)."""


@dataclass(frozen=True)
class ExportScope:
    coders: tuple[Coder, ...]
    #: ``None`` when every coder of the project is exported.
    coder_ids: tuple[str, ...] | None = None
    statuses: frozenset[str] | None = None
    date_from: date | None = None
    date_to: date | None = None
    gold: bool = False

    def accepts_article(self, article: Article) -> bool:
        if self.date_from is None and self.date_to is None:
            return True
        day = published_day(article.published)
        if day is None:
            return False
        return (self.date_from is None or day >= self.date_from) and (
            self.date_to is None or day <= self.date_to
        )

    def accepts_status(self, status: str) -> bool:
        return self.statuses is None or status in self.statuses

    def describe(self) -> str:
        parts = []
        if self.gold:
            parts.append("gold standard (" + ", ".join(c.name for c in self.coders) + ")")
        elif self.coder_ids is not None:
            parts.append("coder " + ", ".join(c.name for c in self.coders))
        else:
            parts.append("all coders")
        if self.statuses is not None:
            parts.append("status " + ", ".join(s for s in STATUSES if s in self.statuses))
        if self.date_from or self.date_to:
            parts.append(
                f"published {self.date_from.isoformat() if self.date_from else '...'} to "
                f"{self.date_to.isoformat() if self.date_to else '...'}"
            )
        return "; ".join(parts)


def resolve_scope(
    project: Project,
    *,
    coder: str | None = None,
    gold: bool = False,
    statuses: Collection[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> ExportScope:
    """Check the choice of coders, statuses and dates against the project."""
    if coder is not None and gold:
        raise ExportError("Choose either one coder or the gold standard, not both.")
    everyone = project.store.coders.list()
    if statuses is not None:
        unknown = sorted(set(statuses) - set(STATUSES))
        if unknown:
            raise ExportError(
                f"'{unknown[0]}' is not a status; use {', '.join(STATUSES)}."
            )
    if date_from and date_to and date_from > date_to:
        raise ExportError(f"The start date {date_from} is after the end date {date_to}.")
    chosen_statuses = None if statuses is None else frozenset(statuses)
    if coder is not None:
        found = [c for c in everyone if c.name == coder]
        if not found:
            names = ", ".join(c.name for c in everyone) or "none yet"
            raise ExportError(f"There is no coder named '{coder}' in this project (coders: {names}).")
        return ExportScope(tuple(found), (found[0].id,), chosen_statuses, date_from, date_to)
    if gold:
        adjudicators = [c for c in everyone if c.role == "adjudicator"]
        if not adjudicators:
            raise ExportError(
                "This project has no gold standard: no coder has the role 'adjudicator'."
            )
        return ExportScope(
            tuple(adjudicators), tuple(c.id for c in adjudicators), chosen_statuses,
            date_from, date_to, gold=True,
        )
    return ExportScope(tuple(everyone), None, chosen_statuses, date_from, date_to)


@dataclass
class ArticleBatch:
    """A few articles with the (article, coder) pairs whose work is exported (``pairs``
    is left empty by ``iter_batches(..., pairs=False)``; :meth:`coded` answers then)."""

    articles: list[Article]
    statuses: dict[Pair, str]
    pairs: set[Pair] = field(default_factory=set)
    accepted: frozenset[str] | None = None

    @property
    def ids(self) -> list[str]:
        return [a.id for a in self.articles]

    def status(self, article_id: str, coder_id: str) -> str:
        return self.statuses.get((article_id, coder_id), "todo")

    def includes(self, article_id: str, coder_id: str) -> bool:
        return (article_id, coder_id) in self.pairs

    def coded(self, article_id: str, coder_id: str) -> bool:
        """:meth:`includes` for a pair known to have live coding (an annotation or a
        relation of the coder on the article): whether its status is exported. Needs
        no ``pairs``: such a pair is always among the worked ones."""
        return self.accepted is None or self.statuses.get((article_id, coder_id), "todo") in self.accepted


def iter_batches(
    project: Project,
    scope: ExportScope,
    queries: ExportQueries,
    *,
    progress: ProgressFn,
    cancelled: CancelFn,
    text: str,
    pairs: bool = True,
) -> Iterator[ArticleBatch]:
    """The exported articles in import order, batch by batch, reporting progress;
    without their worked ``pairs`` (one query less per batch) when ``pairs`` is false."""
    total = project.store.articles.count()
    done = 0
    progress(0, total, text)
    for articles in queries.iter_articles(BATCH_ARTICLES):
        if cancelled():
            raise OperationCancelled("The export was cancelled; nothing was written.")
        done += len(articles)
        kept = [a for a in articles if scope.accepts_article(a)]
        if kept:
            ids = [a.id for a in kept]
            statuses = queries.statuses(ids, scope.coder_ids)
            batch = ArticleBatch(kept, statuses, accepted=scope.statuses)
            if pairs:
                batch.pairs = {
                    pair for pair in queries.worked_pairs(ids, scope.coder_ids)
                    if scope.accepts_status(batch.status(*pair))
                }
            yield batch
        progress(done, total, text)
