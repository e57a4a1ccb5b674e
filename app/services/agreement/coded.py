"""Measures of coded values: article questions and the attributes of matched spans.

Article questions (one unit per article): single choice gives nominal alpha, Fleiss'
kappa, Gwet's AC1 and percent agreement, with Cohen's kappa per coder pair; an ordinal
scale gives ordinal alpha over the options in codebook order and quadratic-weighted
kappa per pair; a multiple-choice question gives one nominal yes/no unit per option.

Attributes (one unit per pair of spans matched by overlap matching): nominal alpha for
single choice and yes/no, one yes/no unit per option of a multiple choice, interval
alpha for numbers; percent agreement beside it. Free text is not compared.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from app.agreement import cohen_kappa, fleiss_kappa, gwet_ac1, percent_agreement
from app.agreement.errors import AgreementError
from app.agreement.reliability_data import ReliabilityData, from_columns
from app.core.codebook import Attribute, Codebook, Question, SpanLabel
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
from app.services.agreement.units import (
    CodedValue,
    Corpus,
    Disagreement,
    PairMatch,
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
    units = answer_units(corpus, question.name, option)
    rows = list(units.values())
    ordinal = question.type == "ordinal"
    categories = question.option_values if option is None else (False, True)
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
    pairs = []
    for pair in corpus.pairs:
        both = [u for u in rows if pair[0] in u and pair[1] in u]
        sub = _data({c: [u[c] for u in both] for c in pair}, categories)
        where = Where("pair", pair)
        pairs += [
            chance_figure(
                cohen_kappa, sub, settings, where, categories=categories, coders=pair,
                weights="quadratic" if ordinal else None,
            ),
            chance_figure(percent_agreement, sub, settings, where, categories=categories),
        ]
    name = question.name if option is None else f"{question.name}: {option}"
    articles, disagreements = [], []
    for article in corpus.articles:
        unit = units[article.id]
        found = _article_figure(unit, Where("article", tuple(unit), article.id), categories)
        if found is not None:
            articles.append(found)
        if _differ(list(unit.values())):
            values = tuple(CodedValue(str(c), v) for c, v in unit.items())
            disagreements.append(Disagreement(article.id, article.title, "value", name, values))
    kind = {"single_choice": "single choice", "ordinal": "ordinal scale"}
    return Measure(
        "questions",
        f"question:{name}",
        name,
        kind.get(question.type, "option of a multiple choice"),
        tuple(figures),
        tuple(pairs),
        tuple(articles),
        Disagreements(disagreements),
    )


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


def _attribute_value(option: str | None, raw: Any) -> Any:
    if raw is None or option is None:
        return raw
    return option in raw if isinstance(raw, list) else None


def _attribute_disagreements(
    corpus: Corpus, differing: Sequence[tuple[int, np.ndarray, np.ndarray]], name: str, attribute: str
) -> list[Disagreement]:
    """The matched span pairs whose values differ, by article, coder pair and position."""
    s = corpus.spans
    if not differing:
        return []
    pair = np.concatenate([np.full(len(x), p) for p, x, _ in differing])
    first = np.concatenate([x for _, x, _ in differing])
    second = np.concatenate([y for _, _, y in differing])
    order = np.lexsort((s.start[first], pair, s.article[first]))
    starts, ends, articles = s.start.tolist(), s.end.tolist(), s.article.tolist()
    out = []
    for p, x, y in zip(pair[order].tolist(), first[order].tolist(), second[order].tolist(), strict=True):
        article = corpus.articles[articles[x]]
        values = tuple(
            CodedValue(coder, s.attributes[r].get(attribute), starts[r], ends[r], article.text[starts[r]:ends[r]])
            for coder, r in zip(corpus.pairs[p], (x, y), strict=True)
        )
        out.append(Disagreement(article.id, article.title, "value", name, values))
    return out


def _attribute_measure(
    corpus: Corpus,
    label: SpanLabel,
    attribute: Attribute,
    option: str | None,
    matches: Sequence[PairMatch],
    settings: Settings,
) -> Measure:
    name = f"{label.name}.{attribute.name}" + ("" if option is None else f": {option}")
    level = "interval" if attribute.type == "number" else "nominal"
    categories: Any = None
    if attribute.type in ("boolean", "multi_choice"):
        categories = (False, True)
    elif attribute.type == "single_choice":
        categories = attribute.option_values
    s = corpus.spans
    index = corpus.labels.index(label.name)
    entries = []  # (pair, rows of the first coder, rows of the second), matched by overlap
    columns = []
    for m in matches:
        xa, xb = m.overlap
        keep = s.label[xa] == index
        entries.append((m, xa[keep], xb[keep]))
        columns.append([
            [_attribute_value(option, s.attributes[r].get(attribute.name)) for r in rows.tolist()]
            for rows in (xa[keep], xb[keep])
        ])
    every = Where("pooled", corpus.coders)
    pooled = _data(
        {"first": [v for c in columns for v in c[0]], "second": [v for c in columns for v in c[1]]},
        categories,
    )
    figures = [
        alpha_figure(pooled, settings, every, level=level, categories=categories),
        chance_figure(percent_agreement, pooled, settings, every, categories=categories),
    ]
    pairs = []
    for m, (first, second) in zip(matches, columns, strict=True):
        sub = _data({"first": first, "second": second}, categories)
        where = Where("pair", m.pair)
        pairs += [
            alpha_figure(sub, settings, where, level=level, categories=categories),
            chance_figure(percent_agreement, sub, settings, where, categories=categories),
        ]
    agree = np.zeros(len(corpus.articles), dtype=np.int64)
    both = np.zeros(len(corpus.articles), dtype=np.int64)
    for (_, rows_a, _), (first, second) in zip(entries, columns, strict=True):
        for k, x, y in zip(s.article[rows_a].tolist(), first, second, strict=True):
            if x is not None and y is not None:
                both[k] += 1
                agree[k] += x == y
    articles = []
    for k in np.flatnonzero(both).tolist():
        article = corpus.articles[k]
        where = Where("article", corpus.done[article.id], article.id)
        n = int(both[k])
        articles.append(percent_figure(float(agree[k]) / n, n, 2 * n, where))
    kinds = {"number": "number attribute", "boolean": "yes/no attribute"}
    kind = kinds.get(attribute.type, "choice attribute" if option is None else "option of a choice")
    differing = []
    for p, ((_, rows_a, rows_b), (first, second)) in enumerate(zip(entries, columns, strict=True)):
        mask = np.fromiter(
            (x is not None and y is not None and x != y for x, y in zip(first, second, strict=True)),
            dtype=bool, count=len(first),
        )
        if mask.any():
            differing.append((p, rows_a[mask], rows_b[mask]))
    found = Disagreements(lambda: _attribute_disagreements(corpus, differing, name, attribute.name))
    return Measure(
        "attributes", f"attribute:{name}", name, kind, tuple(figures), tuple(pairs),
        tuple(articles), found,
    )


def _data(columns: dict[str, list[Any]], categories: Any) -> ReliabilityData | list[dict[str, Any]]:
    """Values read column-wise; when a value does not fit, the mapping form, whose
    coefficient then says what is wrong."""
    try:
        return from_columns(columns, categories)
    except AgreementError:
        return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def attribute_measures(
    corpus: Corpus, codebook: Codebook, matches: Sequence[PairMatch], settings: Settings
) -> tuple[list[Measure], list[Skipped]]:
    """One measure per attribute of each span label (per option of a multiple choice)."""
    measures, skipped = [], []
    for label in codebook.span_labels:
        for attribute in label.attributes:
            name = f"{label.name}.{attribute.name}"
            if attribute.type == "text":
                skipped.append(("attributes", name, "free-text attributes are not compared"))
                continue
            options = attribute.option_values if attribute.type == "multi_choice" else (None,)
            measures += [
                _attribute_measure(corpus, label, attribute, o, matches, settings)
                for o in options
            ]
    return measures, skipped
