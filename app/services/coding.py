"""What the coding window shows and the article-level actions around it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from app.core.edits import Changes
from app.core.errors import LoupeError
from app.core.records import Annotation, Answer, Article, ArticleListing, Entity, Relation, utc_now
from app.services.projects import Project

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


def training_articles(project: Project) -> list[str]:
    """Ids of the training articles, in project order."""
    return list(project.store.settings().get(TRAINING, []))


def training_first(listing: Sequence[ArticleListing], training: Sequence[str]) -> list[ListedArticle]:
    """``listing`` with the training articles in it first, in training-set order, then
    the others in their order."""
    rank = {article_id: i for i, article_id in enumerate(training)}
    rows = [
        ListedArticle(r.id, r.position, r.title, r.source, r.published, r.status, r.language, training=r.id in rank)
        for r in listing
    ]
    first = sorted((r for r in rows if r.training), key=lambda r: rank[r.id])
    return first + [r for r in rows if not r.training]


def article_listing(project: Project, coder_id: str) -> list[ListedArticle]:
    """The articles this coder may see (blinded to other coders' work), training articles
    first. An adjudicator codes the gold of those articles: their list keeps import order."""
    store = project.store
    listing = store.assignments.listing(coder_id)
    if any(c.id == coder_id and c.role == "adjudicator" for c in store.coders.list()):
        return training_first(listing, ())
    return training_first(listing, training_articles(project))


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
    """The next article after ``current_id`` that is not done, wrapping around."""
    if not listing:
        return None
    ids = [row.id for row in listing]
    start = ids.index(current_id) + 1 if current_id in ids else 0
    for offset in range(len(listing)):
        row = listing[(start + offset) % len(listing)]
        if row.status != "done" and row.id != current_id:
            return row
    return None
