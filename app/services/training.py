"""The training set: gold-standard articles the lead lets coders compare themselves with.

The lead marks articles whose gold is finished as training articles (a project setting,
:data:`~app.services.coding.TRAINING`); a coder's list shows them first
(:func:`app.services.coding.article_listing`). Their gold travels in a coder's package
(only theirs: every other article's gold stays in the lead's file), so that a coder can
compare their coding with it, offline, once they have marked the article done
(:mod:`app.services.feedback`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.records import Article
from app.services.coding import TRAINING, training_articles
from app.services.feedback import (
    FeedbackError,
    LabelScore,
    RunningScores,
    gold_coder,
    running_scores,
)
from app.services.projects import Project

#: The state of an article's gold standard (any adjudicator's): done, being coded, none.
GOLD_FINISHED, GOLD_IN_PROGRESS, NO_GOLD = "finished", "in progress", "none"


@dataclass(frozen=True)
class CoderTraining:
    """One coder on the training set: articles they were given, finished, and scores."""

    coder: str
    assigned: int
    done: int
    scores: RunningScores


@dataclass(frozen=True)
class TrainingReport:
    articles: tuple[tuple[str, str], ...]  # (id, title)
    coders: tuple[CoderTraining, ...]


@dataclass(frozen=True)
class TrainingCandidate:
    """An article as the lead chooses training articles: its gold and whether it is one."""

    article_id: str
    position: int
    title: str
    gold: str
    training: bool


def training_candidates(project: Project) -> list[TrainingCandidate]:
    """Every article, in project order, with the state of its gold standard and whether
    it is in the training set: a few reads, whatever the number of articles."""
    store = project.store
    gold: dict[str, str] = {}
    for coder in store.coders.list():
        if coder.role != "adjudicator":
            continue
        for row in store.assignments.listing(coder.id):
            if row.status == "done":
                gold[row.id] = GOLD_FINISHED
            elif row.status == "in_progress" and gold.get(row.id) != GOLD_FINISHED:
                gold[row.id] = GOLD_IN_PROGRESS
    training = set(training_articles(project))
    return [
        TrainingCandidate(a, position, title, gold.get(a, NO_GOLD), a in training)
        for a, position, title, _source in store.assigning.article_heads()  # no texts
    ]


def pooled_spans(scores: RunningScores, mode: str = "overlap") -> LabelScore:
    """Span counts summed over every label (micro average): precision, recall, F1."""
    rows = [s for s in scores.labels if s.mode == mode]
    return LabelScore(
        "all labels", mode, sum(s.n_gold for s in rows), sum(s.n_coded for s in rows), sum(s.matched for s in rows)
    )


def pooled_answers(scores: RunningScores) -> tuple[int, int]:
    """(answers as in the gold, answers compared) over every question."""
    return sum(q.n_agreed for q in scores.questions), sum(q.n_articles for q in scores.questions)


def resolve_articles(project: Project, references: Sequence[str]) -> list[Article]:
    """Articles named by id or external id; refuses an unknown one."""
    articles = project.store.articles.list()
    by_ref = {a.id: a for a in articles}
    by_ref.update({a.external_id: a for a in articles if a.external_id and a.external_id not in by_ref})
    found = []
    for reference in references:
        article = by_ref.get(reference.strip())
        if article is None:
            raise FeedbackError(f"There is no article with the id '{reference.strip()}' in this project.")
        found.append(article)
    return found


def _store(project: Project, ids: set[str]) -> list[str]:
    ordered = [a.id for a in project.store.articles.list() if a.id in ids]
    project.store.update_settings({TRAINING: ordered})
    return ordered


def mark_training(project: Project, references: Sequence[str]) -> list[str]:
    """Add articles (ids or external ids) to the training set; each needs a finished gold."""
    chosen = resolve_articles(project, references)
    for article in chosen:
        if gold_coder(project, article.id) is None:
            raise FeedbackError(
                f"'{article.title}' has no finished gold standard yet: adjudicate it and mark "
                "the gold done first."
            )
    return _store(project, set(training_articles(project)) | {a.id for a in chosen})


def unmark_training(project: Project, references: Sequence[str]) -> list[str]:
    chosen = {a.id for a in resolve_articles(project, references)}
    return _store(project, set(training_articles(project)) - chosen)


def package_gold(project: Project) -> tuple[list[str], list[str]]:
    """(adjudicator ids, training article ids with a finished gold): what packages carry."""
    articles = [a for a in training_articles(project) if gold_coder(project, a) is not None]
    adjudicators = [c.id for c in project.store.coders.list() if c.role == "adjudicator"]
    return (adjudicators, articles) if articles else ([], [])


def training_report(project: Project) -> TrainingReport:
    """Per coder (not adjudicators): training articles assigned, done, and scores on them."""
    ids = training_articles(project)
    titles = {a.id: a.title for a in project.store.reliability.articles(ids)}
    rows = []
    for coder in project.store.coders.list():
        if coder.role == "adjudicator":
            continue
        listing = project.store.assignments.statuses(coder.id, ids)  # the training articles only
        given = [a for a in ids if a in listing]
        done = [a for a in given if listing[a] == "done"]
        rows.append(CoderTraining(coder.name, len(given), len(done), running_scores(project, coder.name, set(done))))
    return TrainingReport(tuple((a, titles.get(a, "")) for a in ids), tuple(rows))
