"""Measures of article questions.

Article questions (one unit per article): single choice gives nominal alpha, Fleiss'
kappa, Gwet's AC1 and percent agreement, with Cohen's kappa per coder pair; an ordinal
scale gives ordinal alpha over the options in codebook order and quadratic-weighted
kappa per pair; a multiple-choice question gives one nominal yes/no unit per option.

The answers are read once into a matrix of category codes (coders x articles); the
pooled data and each pair's data are parts of it, and percent agreement of every pair
comes from one pass (:mod:`app.agreement.paired`). Answers outside the codebook's
options go the reference route, the values themselves, so that the figure says what
is wrong.

Attributes of matched spans: :mod:`app.services.agreement.attributes`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import Any

import numpy as np

from app.agreement import cohen_kappa, fleiss_kappa, gwet_ac1, percent_agreement
from app.agreement.errors import AgreementError
from app.agreement.paired import PairedCodes, paired_percent
from app.agreement.reliability_data import ReliabilityData, from_columns
from app.agreement.results import AgreementResult
from app.core.codebook import Codebook, Question
from app.core.parallel import ordered_map
from app.services.agreement.answers import direct_codes
from app.services.agreement.figures import (
    Disagreements,
    Figure,
    Measure,
    Settings,
    Where,
    alpha_figure,
    chance_figure,
    percent_figure,
)
from app.services.agreement.options import question_options
from app.services.agreement.units import (
    CodedValue,
    Corpus,
    Disagreement,
    answer_units,
)

NO_INTERVAL = Settings(n_bootstrap=0)
Skipped = tuple[str, str, str]  # section, item, reason


def _differ(values: Sequence[Any]) -> bool:
    present = [v for v in values if v is not None]
    return len(present) >= 2 and any(v != present[0] for v in present)


def _article_figure(unit: dict[str, Any], where: Where, categories: Any) -> Figure | None:
    """Percent agreement on one article's unit (``None`` with fewer than two values):
    the share of agreeing pairs of values, counted directly; a value outside the
    categories goes through :func:`percent_agreement` for its message."""
    present = [v for v in unit.values() if v is not None]
    if len(present) < 2:
        return None
    try:
        counts = Counter(present)
        known = categories is None or all(v in categories for v in counts)
    except TypeError:
        known = False
    if not known:
        return chance_figure(percent_agreement, [unit], NO_INTERVAL, where, categories=categories)
    r = len(present)
    value = sum(n * (n - 1) for n in counts.values()) / (r * (r - 1))
    return percent_figure(value, 1, r, where)


def _question_measure(
    corpus: Corpus, question: Question, option: str | None, settings: Settings
) -> Measure:
    ordinal = question.type == "ordinal"
    categories = question.option_values if option is None else (False, True)
    codes, nan = direct_codes(corpus.answer_columns, corpus.members, question.name, option, categories)
    # The units (article -> coder -> answer) are read only when needed: for answers that
    # are not all among the categories, and for the list of disagreements.
    units_of = cache(lambda: answer_units(corpus, question.name, option))
    units: Any = _Lazy(units_of) if codes is not None and not nan else units_of()
    rows: ReliabilityData | list[dict[str, Any]] = [] if codes is not None else list(units.values())
    if codes is not None:
        first = corpus.members.argmax(axis=0)  # the mapping form lists coders as they come
        order = np.lexsort((np.arange(len(corpus.coders)), first))
        rows = ReliabilityData(tuple(corpus.coders[i] for i in order.tolist()), tuple(categories), codes[order])
    every = Where("pooled", corpus.coders)
    figures = [
        alpha_figure(
            rows, settings, every, level="ordinal" if ordinal else "nominal",
            categories=categories,
        )
    ]
    if question.type == "single_choice":
        figures += [
            chance_figure(fleiss_kappa, rows, settings, every, categories=categories),
            chance_figure(gwet_ac1, rows, settings, every, categories=categories),
        ]
    figures.append(chance_figure(percent_agreement, rows, settings, every, categories=categories))
    def pair_figures(item: tuple[tuple[str, str], Any, Any]) -> list[Figure]:
        pair, sub, percent = item
        where = Where("pair", pair)
        return [
            chance_figure(
                cohen_kappa, sub, settings, where, categories=categories, coders=pair,
                weights="quadratic" if ordinal else None,
            ),
            chance_figure(percent_agreement, sub, settings, where, percent, categories=categories),
        ]

    pairs = [f for found in ordered_map(pair_figures, list(_pair_data(corpus, units, codes, categories))) for f in found]
    name = question.name if option is None else f"{question.name}: {option}"
    articles: list[Figure] = []
    if settings.per_article and codes is not None and not nan:
        articles = _article_figures(corpus, codes, len(categories))
    elif settings.per_article:
        for article in corpus.articles:
            unit = units[article.id]
            found = _article_figure(unit, Where("article", tuple(unit), article.id), categories)
            if found is not None:
                articles.append(found)
    kind = {"single_choice": "single choice", "ordinal": "ordinal scale"}
    return Measure(
        "questions",
        f"question:{name}",
        name,
        kind.get(question.type, "option of a multiple choice"),
        tuple(figures),
        tuple(pairs),
        tuple(articles),
        Disagreements(lambda: _disagreements(corpus, units, name)),
        options=question_options(question.type, rows),
    )


class _Lazy:
    """A mapping read when first indexed."""

    def __init__(self, read: Callable[[], dict[str, Any]]) -> None:
        self._read = read

    def __getitem__(self, key: str) -> Any:
        return self._read()[key]


def _article_figures(corpus: Corpus, codes: np.ndarray, n_categories: int) -> list[Figure]:
    """:func:`_article_figure` of every article with two or more answers, from the codes
    (every answer among the categories): the share of agreeing pairs of values."""
    present = codes >= 0
    r = present.sum(axis=0)
    k, coder = np.nonzero(present.T)
    counts = np.bincount(k * n_categories + codes[coder, k], minlength=len(corpus.articles) * n_categories)
    counts = counts.reshape(len(corpus.articles), n_categories)
    agreeing = (counts * (counts - 1)).sum(axis=1)
    out = []
    for n, pairs, values in zip(np.flatnonzero(r >= 2).tolist(), agreeing[r >= 2].tolist(), r[r >= 2].tolist(), strict=True):
        article = corpus.articles[n]
        where = Where("article", corpus.done[article.id], article.id)
        out.append(percent_figure(pairs / (values * (values - 1)), 1, values, where))
    return out


def _disagreements(corpus: Corpus, units: dict[str, dict[str, Any]], name: str) -> list[Disagreement]:
    """The articles whose coders' answers differ (listed when first read)."""
    out = []
    for article in corpus.articles:
        unit = units[article.id]
        if _differ(list(unit.values())):
            values = tuple(CodedValue(str(c), v) for c, v in unit.items())
            out.append(Disagreement(article.id, article.title, "value", name, values))
    return out


def _pair_data(
    corpus: Corpus, units: dict[str, dict[str, Any]], codes: np.ndarray | None, categories: Any
) -> Iterator[tuple[tuple[str, str], Any, AgreementResult | AgreementError | None]]:
    """Each coder pair with its data (the articles both finished) and, when the answers
    fit the categories, its percent agreement."""
    if codes is None:
        rows = list(units.values())
        for pair in corpus.pairs:
            both = [u for u in rows if pair[0] in u and pair[1] in u]
            yield pair, values_data({c: [u[c] for u in both] for c in pair}, categories), None
        return
    index = [[corpus.coder_index(c) for c in pair] for pair in corpus.pairs]
    shared = [np.flatnonzero(corpus.members[:, i].all(axis=1)) for i in index]
    parts = [codes[i][:, k] for i, k in zip(index, shared, strict=True)]
    bounds = np.concatenate([[0], np.cumsum([len(k) for k in shared])]).astype(np.int64)
    joined = np.concatenate([np.zeros((2, 0), dtype=np.int64), *parts], axis=1)
    percents = paired_percent(PairedCodes(tuple(categories), joined[0], joined[1], bounds))
    for pair, part, percent in zip(corpus.pairs, parts, percents[:-1], strict=True):
        yield pair, ReliabilityData(pair, tuple(categories), part), percent


def question_measures(
    corpus: Corpus, codebook: Codebook, settings: Settings
) -> tuple[list[Measure], list[Skipped]]:
    """One measure per question (per option of a multiple-choice question)."""
    measures, skipped = [], []
    for question in codebook.questions:
        if question.type == "text":
            skipped.append(("questions", question.name, "free-text answers are not compared"))
            continue
        options = question.option_values if question.type == "multi_choice" else (None,)
        measures += [_question_measure(corpus, question, o, settings) for o in options]
    return measures, skipped


def values_data(columns: dict[str, list[Any]], categories: Any) -> ReliabilityData | list[dict[str, Any]]:
    """Values read column-wise; when a value does not fit, the mapping form, whose
    coefficient then says what is wrong."""
    try:
        return from_columns(columns, categories)
    except AgreementError:
        return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
