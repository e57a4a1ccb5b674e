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

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any

from app.agreement import cohen_kappa, fleiss_kappa, gwet_ac1, percent_agreement
from app.core.codebook import Attribute, Codebook, Question, SpanLabel
from app.services.agreement_figures import (
    Figure,
    Measure,
    Settings,
    Where,
    alpha_figure,
    chance_figure,
)
from app.services.agreement_units import (
    CodedValue,
    Corpus,
    Disagreement,
    PairArticle,
    answer_units,
)

NO_INTERVAL = Settings(n_bootstrap=0)
Skipped = tuple[str, str, str]  # section, item, reason


def _differ(values: Sequence[Any]) -> bool:
    present = [v for v in values if v is not None]
    return len(present) >= 2 and any(v != present[0] for v in present)


def _article_figure(unit: dict[Hashable, Any], where: Where, categories: Any) -> Figure | None:
    if sum(v is not None for v in unit.values()) < 2:
        return None
    return chance_figure(percent_agreement, [unit], NO_INTERVAL, where, categories=categories)


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
        sub = [{c: u[c] for c in pair} for u in rows if set(pair) <= set(u)]
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
        tuple(disagreements),
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


def _attribute_measure(
    corpus: Corpus,
    label: SpanLabel,
    attribute: Attribute,
    option: str | None,
    comparisons: Sequence[PairArticle],
    settings: Settings,
) -> Measure:
    name = f"{label.name}.{attribute.name}" + ("" if option is None else f": {option}")
    level = "interval" if attribute.type == "number" else "nominal"
    categories: Any = None
    if attribute.type in ("boolean", "multi_choice"):
        categories = (False, True)
    elif attribute.type == "single_choice":
        categories = attribute.option_values
    entries = []  # (pair, article, unit, raw values with their spans)
    for pa in comparisons:
        for x, y in pa.matched:
            if x.label != label.name:
                continue
            raw = [(x, x.attributes.get(attribute.name)), (y, y.attributes.get(attribute.name))]
            value = [_attribute_value(option, r) for _, r in raw]
            entries.append((pa, {"first": value[0], "second": value[1]}, raw))
    every = Where("pooled", corpus.coders)
    units = [unit for _, unit, _ in entries]
    figures = [
        alpha_figure(units, settings, every, level=level, categories=categories),
        chance_figure(percent_agreement, units, settings, every, categories=categories),
    ]
    by_pair: dict[Any, list[Any]] = defaultdict(list)
    by_article: dict[str, list[Any]] = defaultdict(list)
    for pa, unit, _ in entries:  # grouped once: scanning every entry per pair and per
        by_pair[pa.pair].append(unit)  # article was quadratic in the corpus size
        if None not in unit.values():
            by_article[pa.article.id].append(unit)
    pairs = []
    for pair in corpus.pairs:
        sub = by_pair.get(pair, [])
        where = Where("pair", pair)
        pairs += [
            alpha_figure(sub, settings, where, level=level, categories=categories),
            chance_figure(percent_agreement, sub, settings, where, categories=categories),
        ]
    articles = []
    for article in corpus.articles:
        sub = by_article.get(article.id, [])
        if sub:
            where = Where("article", corpus.done[article.id], article.id)
            articles.append(
                chance_figure(percent_agreement, sub, NO_INTERVAL, where, categories=categories)
            )
    disagreements = []
    for pa, unit, raw in entries:
        if _differ(list(unit.values())):
            text = pa.article.text
            values = tuple(
                CodedValue(coder, r, a.start, a.end, text[a.start : a.end])
                for coder, (a, r) in zip(pa.pair, raw, strict=True)
            )
            disagreements.append(
                Disagreement(pa.article.id, pa.article.title, "value", name, values)
            )
    kinds = {"number": "number attribute", "boolean": "yes/no attribute"}
    kind = kinds.get(attribute.type, "choice attribute" if option is None else "option of a choice")
    return Measure(
        "attributes", f"attribute:{name}", name, kind, tuple(figures), tuple(pairs),
        tuple(articles), tuple(disagreements),
    )


def attribute_measures(
    corpus: Corpus, codebook: Codebook, comparisons: Sequence[PairArticle], settings: Settings
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
                _attribute_measure(corpus, label, attribute, o, comparisons, settings)
                for o in options
            ]
    return measures, skipped
