"""What the coding window shows and the article-level actions around it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple, TypeVar, overload

from app.core.edits import Changes
from app.core.errors import LoupeError
from app.core.records import Annotation, Answer, Article, ArticleListing, Entity, Relation, utc_now
from app.services.projects import Project
from app.store.listing import ListingSummary

#: A row of an article listing: the window's rows (ListedArticle) come back as they went in.
ListingT = TypeVar("ListingT", bound=ArticleListing)

@dataclass(frozen=True)
class ArticleBundle:
    """Everything the window needs to show one article to one coder."""

    article: Article
    entities: list[Entity]
    annotations: list[Annotation]
    relations: list[Relation]
    answers: dict[str, Answer]
    status: str


#: Project setting: ids of the training articles, in project order
#: (kept by :mod:`app.services.training`; read here so the coding window need not load it).
TRAINING = "training_articles"


@dataclass(frozen=True, slots=True)
class ListedArticle(ArticleListing):
    """A row of a coder's article list; ``training`` when it is a training article, which
    the coder codes first and compares with the gold standard once done."""

    training: bool = False

    @classmethod
    def of(cls, row: ArticleListing, training: bool) -> ListedArticle:
        return cls(row.id, row.position, row.title, row.source, row.published, row.status, row.language,
                   training=training)


def training_articles(project: Project) -> list[str]:
    """Ids of the training articles, in project order."""
    return list(project.store.settings().get(TRAINING, []))


def training_first(listing: Sequence[ArticleListing], training: Sequence[str]) -> list[ListedArticle]:
    """``listing`` with the training articles in it first, in training-set order, then
    the others in their order."""
    rank = {article_id: i for i, article_id in enumerate(training)}
    rows = [ListedArticle.of(r, r.id in rank) for r in listing]
    first = sorted((r for r in rows if r.training), key=lambda r: rank[r.id])
    return first + [r for r in rows if not r.training]


def _training_for(project: Project, coder_id: str) -> list[str]:
    """The coder's training articles; an adjudicator codes the gold of those articles,
    so their list keeps import order."""
    if any(c.id == coder_id and c.role == "adjudicator" for c in project.store.coders.list()):
        return []
    return training_articles(project)


def article_listing(project: Project, coder_id: str) -> list[ListedArticle]:
    """The articles this coder may see (blinded to other coders' work), training articles
    first, with every column: for reports and tests. The window reads
    :func:`article_order` and the rows it shows (:func:`listing_rows`)."""
    return training_first(project.store.assignments.listing(coder_id), _training_for(project, coder_id))


class OrderedArticle(NamedTuple):
    id: str
    status: str
    training: bool


class ArticleOrder(Sequence[OrderedArticle]):
    """The coder's articles in list order (training articles first) as ids and statuses
    only: what moving between articles needs, a few megabytes for 100,000 articles.
    A status changed by the coder is set here (:meth:`set_status`), not read again."""

    def __init__(self, rows: Sequence[tuple[str, str]], training: Iterable[str] = ()) -> None:
        self._ids = [row[0] for row in rows]
        self._statuses = [row[1] for row in rows]
        self._index = {article_id: i for i, article_id in enumerate(self._ids)}
        self._training = frozenset(training)

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, i: int) -> OrderedArticle: ...
    @overload
    def __getitem__(self, i: slice) -> list[OrderedArticle]: ...
    def __getitem__(self, i: int | slice) -> OrderedArticle | list[OrderedArticle]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        article_id = self._ids[i]
        return OrderedArticle(article_id, self._statuses[i], article_id in self._training)

    @property
    def ids(self) -> list[str]:
        return self._ids

    def position(self, article_id: str | None) -> int:
        """The index of ``article_id``, or -1."""
        return -1 if article_id is None else self._index.get(article_id, -1)

    def status(self, article_id: str) -> str | None:
        i = self.position(article_id)
        return None if i < 0 else self._statuses[i]

    def set_status(self, article_id: str, status: str) -> bool:
        """Record a status the coder set; False if the article is not in the order."""
        i = self.position(article_id)
        if i >= 0:
            self._statuses[i] = status
        return i >= 0

    def is_training(self, article_id: str) -> bool:
        return article_id in self._training and article_id in self._index

    def done(self) -> int:
        return self._statuses.count("done")

    def next_unfinished(self, current_id: str | None) -> str | None:
        """The next article after ``current_id`` that is not done, wrapping around."""
        count = len(self._ids)
        start = self.position(current_id) + 1
        for offset in range(count):
            i = (start + offset) % count
            if self._statuses[i] != "done" and self._ids[i] != current_id:
                return self._ids[i]
        return None


def article_order(project: Project, coder_id: str) -> ArticleOrder:
    """The coder's articles in list order, for moving between them."""
    training = _training_for(project, coder_id)
    return ArticleOrder(project.store.listing.order(coder_id, first=training), training)


def listing_order(
    project: Project, coder_id: str, *, sort: str = "position", descending: bool = False,
    status: str | None = None, needle: str = "",
) -> list[str]:
    """The ids of the coder's articles as the list shows them: sorted by ``sort`` (see
    :data:`app.store.listing.SORT_KEYS`; "position" keeps training articles first),
    filtered by status and by text in the title or source."""
    training = _training_for(project, coder_id)
    rows = project.store.listing.order(
        coder_id, sort=sort, descending=descending, status=status, needle=needle.strip(), first=training
    )
    return [row[0] for row in rows]


def listing_rows(project: Project, coder_id: str, article_ids: Sequence[str]) -> dict[str, ListedArticle]:
    """The rows of some articles of the list (those a view draws), by id."""
    training = set(_training_for(project, coder_id))
    rows = project.store.listing.rows(coder_id, article_ids)
    return {article_id: ListedArticle.of(r, article_id in training) for article_id, r in rows.items()}


def listing_summary(project: Project, coder_id: str) -> ListingSummary:
    """Counts over the coder's articles: total, done, and which columns have values."""
    return project.store.listing.summary(coder_id)


def load_article(project: Project, article_id: str, coder_id: str) -> ArticleBundle:
    store = project.store
    return ArticleBundle(
        article=store.articles.get(article_id),
        entities=store.articles.entities(article_id),
        annotations=store.annotations.for_article(article_id, coder_id),
        relations=store.relations.for_article(article_id, coder_id),
        answers=store.answers.for_article(article_id, coder_id),
        status=store.assignments.status(article_id, coder_id),
    )


def refresh_article(
    project: Project, bundle: ArticleBundle, coder_id: str, changes: Changes | None = None
) -> ArticleBundle:
    """``bundle`` with the parts an edit changed re-read (all coder parts if unknown).

    The text and the entities never change while coding, so they are not read again.
    """
    store, article_id = project.store, bundle.article.id
    parts: dict[str, Any] = {}
    if changes is None or changes.annotation_ids or changes.relation_ids:
        parts["annotations"] = store.annotations.for_article(article_id, coder_id)
        parts["relations"] = store.relations.for_article(article_id, coder_id)
    if changes is None or changes.question:
        parts["answers"] = store.answers.for_article(article_id, coder_id)
    if changes is None or changes.status:
        parts["status"] = store.assignments.status(article_id, coder_id)
    return replace(bundle, **parts)


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def missing_for_done(project: Project, article_id: str, coder_id: str) -> list[str]:
    """What must still be filled in before the article can be marked done."""
    codebook = project.codebook
    article_text = project.store.articles.get(article_id).text
    missing: list[str] = []
    for annotation in project.store.annotations.for_article(article_id, coder_id):
        names = codebook.missing_required(annotation.label, annotation.attributes)
        if names:
            snippet = article_text[annotation.start : annotation.end]
            snippet = snippet if len(snippet) <= 40 else snippet[:37] + "..."
            missing.append(f"{annotation.label} \u201c{snippet}\u201d: {', '.join(names)}")
    answers = project.store.answers.for_article(article_id, coder_id)
    for question in codebook.questions:
        if question.required and (
            question.name not in answers or _is_empty(answers[question.name].value)
        ):
            missing.append(f"question \u201c{question.prompt or question.name}\u201d")
    return missing


def set_status(project: Project, article_id: str, coder_id: str, status: str) -> None:
    """Set the coder's status on an article; "done" is refused while fields are missing."""
    if status == "done":
        missing = missing_for_done(project, article_id, coder_id)
        if missing:
            raise LoupeError("Not done yet; still to fill in: " + "; ".join(missing) + ".")
    project.store.assignments.set_status(article_id, coder_id, status, utc_now())


#: One stay on an article counts at most this long (a window left open overnight
#: should not add a night of coding).
MAX_VISIT_SECONDS = 15 * 60


def record_time(project: Project, article_id: str, coder_id: str, seconds: float) -> float:
    """Add the time a coder spent on an article; returns the seconds counted."""
    counted = min(max(seconds, 0.0), MAX_VISIT_SECONDS)
    if counted >= 1.0:
        project.store.assignments.add_time(article_id, coder_id, counted, utc_now())
        return counted
    return 0.0


def next_unfinished(listing: Sequence[ListingT], current_id: str | None) -> ListingT | None:
    """The next article after ``current_id`` that is not done, wrapping around (a whole
    listing's form of :meth:`ArticleOrder.next_unfinished`)."""
    found = ArticleOrder([(row.id, row.status) for row in listing]).next_unfinished(current_id)
    return None if found is None else next(row for row in listing if row.id == found)
