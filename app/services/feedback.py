"""Feedback: one coder's coding of an article compared with the gold standard.

A coder sees the gold of an article only after marking it done, and only when its gold
is finished (an adjudicator marked it done); :func:`feedback` refuses otherwise, with
one sentence. It reads the coder's own coding and the gold, never another coder's.
Spans are matched as in the agreement report (same label; exact, or overlapping one to
one), with the gold as the reference: recall = matched / gold spans, precision =
matched / the coder's spans. Beside the article, the coder's running scores over every
article they finished that has a finished gold.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from app.agreement import AgreementError, cohen_kappa, span_agreement
from app.core.errors import LoupeError
from app.core.records import Annotation, Coder
from app.services.projects import Project


class FeedbackError(LoupeError):
    """Feedback that may not be shown yet (article not done, no gold) or cannot be made."""


@dataclass(frozen=True)
class SpanRef:
    label: str
    start: int
    end: int
    text: str
    attributes: dict[str, Any]


@dataclass(frozen=True)
class SpanMatch:
    gold: SpanRef
    coded: SpanRef
    exact: bool


@dataclass(frozen=True)
class AttributeDifference:
    label: str
    attribute: str
    text: str
    gold: Any
    coded: Any


@dataclass(frozen=True)
class AnswerComparison:
    question: str
    gold: Any
    coded: Any

    @property
    def agree(self) -> bool:
        return self.gold == self.coded


@dataclass(frozen=True)
class LabelScore:
    label: str
    mode: str
    n_gold: int
    n_coded: int
    matched: int

    @property
    def precision(self) -> float | None:
        return self.matched / self.n_coded if self.n_coded else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.n_gold if self.n_gold else None

    @property
    def f1(self) -> float | None:
        total = self.n_gold + self.n_coded
        return 2 * self.matched / total if total else None


@dataclass(frozen=True)
class QuestionScore:
    question: str
    n_articles: int
    n_agreed: int
    #: Cohen's kappa of the coder against the gold (single choice and ordinal scales).
    kappa: float | None

    @property
    def share(self) -> float | None:
        return self.n_agreed / self.n_articles if self.n_articles else None


@dataclass(frozen=True)
class RunningScores:
    """A coder's agreement with the gold over the articles counted."""

    n_articles: int
    labels: tuple[LabelScore, ...]
    questions: tuple[QuestionScore, ...]
    attributes_compared: int
    attributes_agreed: int


@dataclass(frozen=True)
class FeedbackReport:
    article_id: str
    title: str
    coder: str
    gold_by: str
    matched: tuple[SpanMatch, ...]
    missed: tuple[SpanRef, ...]
    extra: tuple[SpanRef, ...]
    attributes: tuple[AttributeDifference, ...]
    answers: tuple[AnswerComparison, ...]
    running: RunningScores

    @property
    def differences(self) -> int:
        """Everything that differs from the gold on this article."""
        return (
            sum(not m.exact for m in self.matched) + len(self.missed) + len(self.extra)
            + len(self.attributes) + sum(not a.agree for a in self.answers)
        )


def _ref(text: str, a: Annotation) -> SpanRef:
    return SpanRef(a.label, a.start, a.end, text[a.start : a.end], dict(a.attributes))


def compare_spans(
    gold: Sequence[Annotation], coded: Sequence[Annotation]
) -> tuple[list[tuple[Annotation, Annotation]], list[Annotation], list[Annotation]]:
    """(matched gold/coded pairs by overlap matching, gold spans missed, extra coded spans)."""
    if not gold and not coded:
        return [], [], []
    result = span_agreement(
        [(a.start, a.end, a.label) for a in gold], [(a.start, a.end, a.label) for a in coded], "overlap",
        # Discontinuous spans overlap only where their fragments do, not over their gaps.
        fragments_a={i: a.fragments for i, a in enumerate(gold) if a.fragments},
        fragments_b={i: a.fragments for i, a in enumerate(coded) if a.fragments},
    )
    pools: list[dict[tuple[int, int, Hashable], list[Annotation]]] = [defaultdict(list), defaultdict(list)]
    for pool, spans in zip(pools, (gold, coded), strict=True):
        for a in spans:
            pool[a.start, a.end, a.label].append(a)
    matched = [(pools[0][x].pop(0), pools[1][y].pop(0)) for x, y in result.matched]
    return matched, [a for p in pools[0].values() for a in p], [a for p in pools[1].values() for a in p]


def gold_coder(project: Project, article_id: str, done: Collection[str] | None = None) -> Coder | None:
    """The adjudicator (first by name) who marked the article's gold done, if any."""
    for coder in sorted(project.store.coders.list(), key=lambda c: c.name):
        if coder.role != "adjudicator":
            continue
        if done is not None and coder.id in done:
            return coder
        if done is None and project.store.assignments.status(article_id, coder.id) == "done":
            return coder
    return None


def _coder(project: Project, name: str) -> Coder:
    found = project.store.coders.find(name)
    if found is None:
        raise FeedbackError(f"There is no coder named '{name}' in this project.")
    return found


def feedback(project: Project, coder_name: str, article_id: str) -> FeedbackReport:
    """How ``coder_name``'s coding of the article differs from its gold standard."""
    coder = _coder(project, coder_name)
    store = project.store
    article = store.articles.get(article_id)
    if store.assignments.status(article_id, coder.id) != "done":
        raise FeedbackError(
            f"Mark '{article.title}' done first: your coding is compared with the gold "
            "standard only once you have finished the article."
        )
    gold = gold_coder(project, article_id)
    if gold is None:
        raise FeedbackError(f"There is no finished gold standard for '{article.title}' yet.")
    gold_spans = store.annotations.for_article(article_id, gold.id)
    coded = store.annotations.for_article(article_id, coder.id)
    matched, missed, extra = compare_spans(gold_spans, coded)
    text = article.text
    differences = [
        AttributeDifference(g.label, name, text[c.start : c.end], g.attributes.get(name), c.attributes.get(name))
        for g, c in matched
        for name in sorted(set(g.attributes) | set(c.attributes))
        if g.attributes.get(name) != c.attributes.get(name)
    ]
    gold_answers = store.answers.for_article(article_id, gold.id)
    coded_answers = store.answers.for_article(article_id, coder.id)
    answers = []
    for question in project.codebook.questions:
        g, c = gold_answers.get(question.name), coded_answers.get(question.name)
        if g is not None or c is not None:
            answers.append(
                AnswerComparison(question.name, None if g is None else g.value, None if c is None else c.value)
            )
    return FeedbackReport(
        article.id, article.title, coder.name, gold.name,
        tuple(SpanMatch(_ref(text, g), _ref(text, c), (g.start, g.end) == (c.start, c.end)) for g, c in matched),
        tuple(_ref(text, a) for a in missed), tuple(_ref(text, a) for a in extra),
        tuple(differences), tuple(answers), running_scores(project, coder.name),
    )


def running_scores(
    project: Project, coder_name: str, article_ids: Collection[str] | None = None
) -> RunningScores:
    """The coder's agreement with the gold over every article they finished that has a
    finished gold (or over those of ``article_ids``)."""
    coder = _coder(project, coder_name)
    queries = project.store.reliability
    gold_of: dict[str, str] = {}
    wanted = None if article_ids is None else list(article_ids)
    for article_id, done in queries.done_coders_by_article(wanted).items():
        if coder.id in done and (article_ids is None or article_id in article_ids):
            found = gold_coder(project, article_id, done)
            if found is not None:
                gold_of[article_id] = found.id
    ids = list(gold_of)
    who = [coder.id, *set(gold_of.values())]
    spans: dict[tuple[str, str], list[Annotation]] = defaultdict(list)
    for a in queries.annotations(ids, who):
        spans[a.article_id, a.coder_id].append(a)
    answers: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for answer in queries.answers(ids, who):
        answers[answer.article_id, answer.coder_id][answer.question] = answer.value
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    compared = agreed = 0
    units: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for article_id, gold_id in gold_of.items():
        gold, coded = spans[article_id, gold_id], spans[article_id, coder.id]
        matched, _missed, _extra = compare_spans(gold, coded)
        for mode in ("exact", "overlap"):
            hits = [(g, c) for g, c in matched if mode == "overlap" or (g.start, g.end) == (c.start, c.end)]
            for label in {a.label for a in gold} | {a.label for a in coded}:
                counts = tally[label, mode]
                counts[0] += sum(a.label == label for a in gold)
                counts[1] += sum(a.label == label for a in coded)
                counts[2] += sum(g.label == label for g, _ in hits)
        for g, c in matched:
            for name in set(g.attributes) | set(c.attributes):
                compared += 1
                agreed += g.attributes.get(name) == c.attributes.get(name)
        for question in project.codebook.questions:
            pair = {
                "gold": answers[article_id, gold_id].get(question.name),
                "coder": answers[article_id, coder.id].get(question.name),
            }
            if pair["gold"] is not None or pair["coder"] is not None:
                units[question.name].append(pair)
    labels = [
        LabelScore(label, mode, *tally[label, mode])
        for label in project.codebook.label_names
        for mode in ("exact", "overlap")
        if (label, mode) in tally
    ]
    questions = [_question_score(project, name, rows) for name, rows in units.items()]
    return RunningScores(len(ids), tuple(labels), tuple(questions), compared, agreed)


def _question_score(project: Project, name: str, rows: list[dict[str, Any]]) -> QuestionScore:
    both = [r for r in rows if r["gold"] is not None and r["coder"] is not None]
    question = project.codebook.question(name)
    kappa = None
    if question.type in ("single_choice", "ordinal") and both:
        try:
            value = cohen_kappa(
                both, "quadratic" if question.type == "ordinal" else None, question.option_values,
                coders=("gold", "coder"),
            ).value
            kappa = value if math.isfinite(value) else None
        except AgreementError:
            kappa = None
    return QuestionScore(name, len(rows), sum(r["gold"] == r["coder"] for r in rows), kappa)
