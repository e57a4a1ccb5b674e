"""Adjudication: deciding, group by group, what the gold standard of an article holds.

The gold standard is the coding of a coder with the role "adjudicator" (no separate
tables), so it travels, merges and exports like any coding (``export --gold``). For an
article that two or more coders marked done, :func:`adjudication_view` aligns their
spans into groups, their relations and their answers (see :mod:`app.core.adjudication`)
and says what the gold already holds. The edits that accept or reject are planned in
:mod:`app.services.adjudication_edits` and applied, one decision in one transaction, by
:mod:`app.services.adjudication_writes`; rejections ("the gold holds none of this
group") are rows of their own, since no row of the gold can say so. An article's gold
is finished when the adjudicator marks it done (:func:`finish_article`): only then do
feedback and training use it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.core.adjudication import (
    AGREED,
    UNANSWERED,
    AdjudicationError,
    AnswerChoice,
    RelationGroup,
    SetRejected,
    SpanGroup,
    align_answers,
    align_relations,
    align_spans,
)
from app.core.bulk import no_cycle_collection
from app.core.records import Annotation, Article, Coder
from app.services.adjudication_writes import Planned, apply_decision, gold_repository
from app.services.coding import set_status
from app.services.projects import Project

#: The project setting that held the rejections before schema 0003 moved them into
#: their own table; packages still leave it out of the settings they carry.
REJECTIONS = "adjudication_rejections"

@dataclass(frozen=True)
class ArticleProgress:
    """How far the gold standard of one overlap article is."""

    article_id: str
    title: str
    coders: tuple[str, ...]
    groups: int
    agreed: int
    decided: int
    relations: int
    relations_decided: int
    questions: int
    questions_decided: int
    #: The adjudicator marked the article done: its gold standard is finished.
    done: bool

    @property
    def undecided(self) -> int:
        return (
            self.groups - self.decided + self.relations - self.relations_decided
            + self.questions - self.questions_decided
        )


@dataclass(frozen=True)
class AdjudicationView:
    """Everything the adjudicator decides on for one article."""

    article: Article
    #: ``None`` only in progress figures of a project without an adjudicator yet.
    adjudicator: Coder | None
    coders: tuple[str, ...]
    coder_ids: dict[str, str]
    groups: tuple[SpanGroup, ...]
    gold_only: tuple[Annotation, ...]
    relations: tuple[RelationGroup, ...]
    answers: tuple[AnswerChoice, ...]
    done: bool

    def group(self, key: str) -> SpanGroup:
        found = next((g for g in self.groups if g.key == key), None)
        if found is None:
            raise AdjudicationError(
                f"'{self.article.title}' has no span group {key} (the coding may have changed)."
            )
        return found

    def relation(self, key: str) -> RelationGroup:
        found = next((r for r in self.relations if r.key == key), None)
        if found is None:
            raise AdjudicationError(
                f"'{self.article.title}' has no relation group {key} (the coding may have changed)."
            )
        return found

    def answer(self, question: str) -> AnswerChoice:
        found = next((a for a in self.answers if a.question == question), None)
        if found is None:
            raise AdjudicationError(f"'{question}' is not an article question of the codebook.")
        return found

    def text(self, start: int, end: int) -> str:
        return self.article.text[start:end]

    @property
    def progress(self) -> ArticleProgress:
        return _progress(self.article, self.coders, self.groups, self.relations, self.answers, self.done)


def _progress(
    article: Article, coders: tuple[str, ...], groups: Sequence[SpanGroup],
    relations: Sequence[RelationGroup], answers: Sequence[AnswerChoice], done: bool,
) -> ArticleProgress:
    asked = [a for a in answers if a.status != UNANSWERED]
    return ArticleProgress(
        article.id, article.title, coders, len(groups), sum(g.status == AGREED for g in groups),
        sum(g.decided for g in groups), len(relations), sum(r.decided for r in relations),
        len(asked), sum(a.decided for a in asked), done,
    )


def ensure_adjudicator(project: Project, name: str) -> Coder:
    """The adjudicator called ``name``, created with that role if the project has no such coder."""
    name = name.strip()
    if not name:
        raise AdjudicationError("Name the adjudicator.")
    found = project.store.coders.find(name)
    if found is not None and found.role != "adjudicator":
        raise AdjudicationError(
            f"{name} is a {found.role} of this project, not an adjudicator; choose another name."
        )
    return found or project.store.coders.get_or_create(name, "adjudicator")


def adjudicators(project: Project) -> list[Coder]:
    return [c for c in project.store.coders.list() if c.role == "adjudicator"]


def _adjudicator(project: Project, adjudicator_id: str) -> Coder:
    found = next((c for c in adjudicators(project) if c.id == adjudicator_id), None)
    if found is None:
        raise AdjudicationError("The gold standard is coded by an adjudicator; that coder is not one.")
    return found


def rejections(project: Project, adjudicator_id: str) -> dict[str, set[str]]:
    """Article id -> keys of the groups this adjudicator rejected."""
    return gold_repository(project).rejections(adjudicator_id)


def set_rejected(project: Project, edit: SetRejected) -> SetRejected:
    """Record or withdraw one rejection (a decision of its own); returns the record that reverses it."""
    (inverse,) = apply_decision(project, [edit])
    assert isinstance(inverse, SetRejected)
    return inverse


def apply_all(project: Project, edits: Sequence[Planned]) -> list[Planned]:
    """Apply one decision's planned edits in one transaction; returns their inverses in
    the order that undoes them (see :func:`~app.services.adjudication_writes.apply_decision`)."""
    return apply_decision(project, edits)


def _coders(project: Project) -> dict[str, str]:
    return {c.id: c.name for c in project.store.coders.list() if c.role != "adjudicator"}


def _finished(
    names: dict[str, str], done: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """Overlap article id -> names of the coders (not adjudicators) who finished it."""
    found = {}
    for article_id, ids in done.items():
        finished = tuple(sorted(names[c] for c in ids if c in names))
        if len(finished) >= 2:
            found[article_id] = finished
    return found


def _build(
    project: Project, articles: Sequence[Article], done_by: dict[str, tuple[str, ...]],
    names: dict[str, str], adjudicator: Coder | None,
) -> list[AdjudicationView]:
    finished = _finished(names, done_by)
    queries = project.store.reliability
    ids = [a.id for a in articles]
    gold_id = [adjudicator.id] if adjudicator else []
    every = list(names) + gold_id
    spans: dict[str, list[Annotation]] = defaultdict(list)
    # A discontinuous span's fragments are part of what it is: two spans with the same
    # envelope but other fragments are two versions of a group, and accepting one copies them.
    fragments = queries.fragments(ids, every) if ids and every else {}
    for a in queries.annotations(ids, every):
        found = fragments.get(a.id)
        spans[a.article_id].append(replace(a, fragments=found) if found else a)
    relations: dict[str, list[Any]] = defaultdict(list)
    for r in queries.relations(ids, every):
        relations[r.article_id].append(r)
    answers: dict[str, dict[str, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    for answer in queries.answers(ids, every):
        who = "" if adjudicator and answer.coder_id == adjudicator.id else names[answer.coder_id]
        answers[answer.article_id][who][answer.question] = answer.value
    rejected = rejections(project, adjudicator.id) if adjudicator else {}
    done = set()
    if adjudicator is not None:
        done = {a for a, c in done_by.items() if adjudicator.id in c}
    questions = [q.name for q in project.codebook.questions]
    views = []
    for article in articles:
        coders = finished[article.id]
        mine = {i: n for i, n in names.items() if n in coders}
        coded = [a for a in spans[article.id] if a.coder_id in mine]
        gold = [a for a in spans[article.id] if adjudicator and a.coder_id == adjudicator.id]
        groups, loose = align_spans(coded, mine, coders, gold, rejected.get(article.id, ()))
        linked = [r for r in relations[article.id] if r.coder_id in mine]
        gold_links = [r for r in relations[article.id] if adjudicator and r.coder_id == adjudicator.id]
        aligned = align_relations(
            linked, coded, mine, coders, groups, gold_links, rejected.get(article.id, ())
        )
        given = answers[article.id]
        choices = align_answers(questions, given, coders, given.get("", {}))
        views.append(
            AdjudicationView(
                article, adjudicator, coders,
                {n: i for i, n in mine.items()}, tuple(groups), tuple(loose), tuple(aligned),
                tuple(choices), article.id in done,
            )
        )
    return views


def adjudication_view(project: Project, article_id: str, adjudicator_id: str) -> AdjudicationView:
    """The groups, relations and answers of one overlap article, with the gold's decisions."""
    adjudicator = _adjudicator(project, adjudicator_id)
    names = _coders(project)
    done_by = project.store.reliability.done_coders_by_article([article_id])
    article = project.store.articles.get(article_id)
    if article_id not in _finished(names, done_by):
        raise AdjudicationError(
            f"'{article.title}' cannot be adjudicated yet: two or more coders must mark it done first."
        )
    return _build(project, [article], done_by, names, adjudicator)[0]


def adjudication_views(
    project: Project, adjudicator_id: str | None = None, article_ids: Sequence[str] | None = None
) -> list[AdjudicationView]:
    """:func:`adjudication_view` of every overlap article (import order), or of those
    among ``article_ids``, read in one batch.

    Without ``adjudicator_id`` the first adjudicator by name counts (none: nothing decided).
    """
    everyone = adjudicators(project)
    if adjudicator_id is None:
        adjudicator = everyone[0] if everyone else None
    else:
        adjudicator = _adjudicator(project, adjudicator_id)
    names = _coders(project)
    done_by = project.store.reliability.done_coders_by_article(article_ids)
    articles = project.store.reliability.articles(list(_finished(names, done_by)))
    with no_cycle_collection():  # tens of thousands of records: see app.core.bulk
        return _build(project, articles, done_by, names, adjudicator)


def adjudication_progress(
    project: Project, adjudicator_id: str | None = None, article_ids: Sequence[str] | None = None
) -> list[ArticleProgress]:
    """Per overlap article (import order), or per one of ``article_ids`` that is one:
    groups, decisions and whether the gold is done. Each article costs its alignment
    (milliseconds with twenty coders): a window asks only for the rows it shows.

    Without ``adjudicator_id`` the first adjudicator by name counts (none: nothing decided).
    """
    return [view.progress for view in adjudication_views(project, adjudicator_id, article_ids)]


def overlap_articles(project: Project) -> list[str]:
    """Ids of the overlap articles (finished by two or more coders), in import order:
    the rows of :func:`adjudication_progress` without their figures."""
    return project.store.assignment_listing.overlap()


def finish_article(project: Project, article_id: str, adjudicator_id: str) -> None:
    """Mark the gold of an article done; refused while anything is undecided."""
    view = adjudication_view(project, article_id, adjudicator_id)
    left = view.progress.undecided
    if left:
        raise AdjudicationError(
            f"The gold standard of '{view.article.title}' is not finished: "
            f"{left} {'decision is' if left == 1 else 'decisions are'} still open."
        )
    set_status(project, article_id, adjudicator_id, "done")
