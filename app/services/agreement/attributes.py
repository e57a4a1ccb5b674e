"""Measures of the attributes of matched spans.

One unit per pair of spans matched by overlap matching (the two coders' values):
nominal alpha for single choice and yes/no, one yes/no unit per option of a multiple
choice, interval alpha for numbers; percent agreement beside it. Free text is not
compared.

Every coder pair is measured at once: the value of each span is read once per distinct
set of attributes and turned into a category code, the matched units of all pairs are
laid end to end (:class:`app.agreement.paired.PairedCodes`), and alpha and percent
agreement of every pair come from a few array passes. A pair holding a value the
coefficient cannot take (outside the codebook's options, not a number) is measured from
its values instead, so that its figure says what is wrong, as before.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.agreement import percent_agreement
from app.agreement.paired import PairedCodes, paired_alpha, paired_percent
from app.core.codebook import Attribute, Codebook, SpanLabel
from app.core.parallel import ordered_map
from app.services.agreement.coded import Skipped, values_data
from app.services.agreement.figures import (
    Disagreements,
    Measure,
    Settings,
    Where,
    alpha_figure,
    chance_figure,
    percent_figure,
)
from app.services.agreement.matching import PairMatch
from app.services.agreement.options import attribute_options
from app.services.agreement.units import CodedValue, Corpus, Disagreement

MISSING, NOT_A_NUMBER = -1, -2  # codes of a missing value and of NaN (never equal)


def _attribute_value(option: str | None, raw: Any) -> Any:
    if raw is None or option is None:
        return raw
    return option in raw if isinstance(raw, list) else None


@dataclass(frozen=True, eq=False)
class Coded:
    """Each span's value as a code: an index into ``categories``, :data:`MISSING`,
    :data:`NOT_A_NUMBER`, or from ``len(categories)`` on for other values (equal values,
    equal codes). ``odd`` marks the values that reliability data refuses (outside the
    categories, not a number where numbers are compared): their pairs go the reference route.
    """

    codes: np.ndarray
    odd: np.ndarray
    categories: tuple[Any, ...]
    observed: bool  # the categories are the values found (numbers), not the codebook's


def _code_values(values: list[Any], categories: Any) -> tuple[list[int], list[bool], tuple[Any, ...]]:
    plain: tuple[type, ...] = (int, float, str, bool)
    if categories is None:
        plain = (int, float)
        categories = tuple(sorted({v for v in values if type(v) in plain and not math.isnan(v)}))
    index = {c: i for i, c in enumerate(categories)}
    others: list[Any] = []
    codes, odd = [], []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            codes.append(MISSING if v is None else NOT_A_NUMBER)
            odd.append(False)
        elif type(v) in plain and v in index:
            codes.append(index[v])
            odd.append(False)
        else:
            known = next((i for i, c in enumerate([*categories, *others]) if _equal(c, v)), None)
            if known is None:
                others.append(v)
                known = len(categories) + len(others) - 1
            codes.append(known)
            odd.append(True)
    return codes, odd, categories


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - a value that cannot be compared is another value
        return False


def _coded(corpus: Corpus, label: int, attribute: str, option: str | None, categories: Any) -> Coded:
    s = corpus.spans
    values = [_attribute_value(option, found.get(attribute)) for found in s.attribute_sets]
    codes, odd, cats = _code_values(values, categories)
    sets = np.where(s.label == label, s.attribute_set, len(codes))
    return Coded(
        np.asarray(codes + [MISSING], dtype=np.int64)[sets], np.asarray(odd + [False], dtype=bool)[sets],
        cats, categories is None,
    )


class MatchedUnits:
    """The units of every pair end to end, per label: rows of the first and of the second
    coder's spans matched by overlap, each pair's bounds, and the article of each unit
    (each pair's matches come grouped by label from :func:`compare_pairs`)."""

    def __init__(self, corpus: Corpus, matches: Sequence[PairMatch]) -> None:
        self._matches = matches
        self._spans = corpus.spans
        self._found: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}

    def of_label(self, label: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if label not in self._found:
            empty = np.zeros(0, dtype=np.int64)
            slices = [slice(m.label_bounds[label], m.label_bounds[label + 1]) for m in self._matches]
            a = np.concatenate([empty, *(m.by_label[0][at] for m, at in zip(self._matches, slices, strict=True))])
            b = np.concatenate([empty, *(m.by_label[1][at] for m, at in zip(self._matches, slices, strict=True))])
            bounds = np.concatenate([[0], np.cumsum([at.stop - at.start for at in slices])]).astype(np.int64)
            self._found[label] = (a, b, bounds, self._spans.article[a])
        return self._found[label]


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
    units: MatchedUnits,
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
    coded = _coded(corpus, index, attribute.name, option, categories)
    rows_a, rows_b, bounds, article = units.of_label(index)
    ca, cb = coded.codes[rows_a], coded.codes[rows_b]
    if coded.odd.any() or (coded.codes == NOT_A_NUMBER).any():
        odd = coded.odd[rows_a] | coded.odd[rows_b]  # values reliability data refuses
        regular = lambda c: np.where(odd | (c == NOT_A_NUMBER), MISSING, c)  # noqa: E731
        paired = PairedCodes(coded.categories, regular(ca), regular(cb), bounds, coded.observed)
    else:  # no span of the label has such a value (the common case): the codes as they are
        odd = np.zeros(len(ca), dtype=bool)
        paired = PairedCodes(coded.categories, ca, cb, bounds, coded.observed)
    odd_pairs = set(np.repeat(np.arange(len(matches)), np.diff(bounds))[odd].tolist()) if odd.any() else set()

    def values(lo: int, hi: int) -> Any:
        """Units lo:hi read from their values (the reference route, for odd values)."""
        column = lambda rows: [_attribute_value(option, s.attributes[r].get(attribute.name)) for r in rows]  # noqa: E731
        return values_data(
            {"first": column(rows_a[lo:hi].tolist()), "second": column(rows_b[lo:hi].tolist())}, categories
        )

    every = Where("pooled", corpus.coders)
    alphas, percents = paired_alpha(paired, level), paired_percent(paired)
    pooled: Any = values(0, len(rows_a)) if odd_pairs else None
    if not odd_pairs and settings.n_bootstrap:
        pooled = paired.pooled()
    alpha, percent = (None, None) if odd_pairs else (alphas[-1], percents[-1])
    figures = [
        alpha_figure(pooled, settings, every, level=level, categories=categories, computed=alpha),
        chance_figure(percent_agreement, pooled, settings, every, percent, categories=categories),
    ]
    pairs = []
    for p, m in enumerate(matches):
        where = Where("pair", m.pair)
        if p in odd_pairs:
            sub, alpha, percent = values(int(bounds[p]), int(bounds[p + 1])), None, None
        else:
            sub = paired.group(p) if settings.n_bootstrap else None
            alpha, percent = alphas[p], percents[p]
        pairs += [
            alpha_figure(sub, settings, where, level=level, categories=categories, computed=alpha),
            chance_figure(percent_agreement, sub, settings, where, percent, categories=categories),
        ]
    both = (ca != MISSING) & (cb != MISSING)
    agree = both & (ca == cb) & (ca != NOT_A_NUMBER)
    n_articles = len(corpus.articles)
    n_both = np.bincount(article[both], minlength=n_articles)
    n_agree = np.bincount(article[agree], minlength=n_articles)
    articles = []
    for k in np.flatnonzero(n_both).tolist() if settings.per_article else ():
        at = corpus.articles[k]
        n = int(n_both[k])
        articles.append(percent_figure(float(n_agree[k]) / n, n, 2 * n, Where("article", corpus.done[at.id], at.id)))
    kinds = {"number": "number attribute", "boolean": "yes/no attribute"}
    kind = kinds.get(attribute.type, "choice attribute" if option is None else "option of a choice")
    differs = both & ~agree
    differing = []
    for p in range(len(matches)):
        lo, hi = int(bounds[p]), int(bounds[p + 1])
        mask = differs[lo:hi]
        if mask.any():
            differing.append((p, rows_a[lo:hi][mask], rows_b[lo:hi][mask]))
    found = Disagreements(lambda: _attribute_disagreements(corpus, differing, name, attribute.name))
    return Measure(
        "attributes", f"attribute:{name}", name, kind, tuple(figures), tuple(pairs),
        tuple(articles), found, options=attribute_options(attribute.type, paired, bool(odd_pairs)),
    )


def attribute_measures(
    corpus: Corpus, codebook: Codebook, matches: Sequence[PairMatch], settings: Settings
) -> tuple[list[Measure], list[Skipped]]:
    """One measure per attribute of each span label (per option of a multiple choice)."""
    tasks: list[tuple[SpanLabel, Attribute, str | None]] = []
    skipped: list[Skipped] = []
    units = MatchedUnits(corpus, matches)
    for label in codebook.span_labels:
        for attribute in label.attributes:
            name = f"{label.name}.{attribute.name}"
            if attribute.type == "text":
                skipped.append(("attributes", name, "free-text attributes are not compared"))
                continue
            options = attribute.option_values if attribute.type == "multi_choice" else (None,)
            tasks += [(label, attribute, o) for o in options]
    # Attributes on several cores (each a few passes over millions of matched units).
    # Each label's units once, before the attributes that share them ask for them at once.
    ordered_map(units.of_label, sorted({corpus.labels.index(label.name) for label, _, _ in tasks}))
    measures = ordered_map(lambda task: _attribute_measure(corpus, *task, matches, settings, units), tasks)
    return measures, skipped
