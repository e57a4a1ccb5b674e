"""Figures of the agreement report: one coefficient with its parts and its interval.

A :class:`Figure` is one value (``nan`` when undefined, with ``note`` saying why) at one
scope: ``"pooled"`` over every article (the headline), ``"pair"`` for one coder pair
over the articles both finished, or ``"article"`` for one article. A :class:`Measure`
is everything measured about one question, option, span label, attribute or relation
type: its pooled figures, its per-pair and per-article figures and the disagreements
behind them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from app.agreement import AgreementError, bootstrap, krippendorff_alpha, percent_agreement
from app.agreement.kalpha import kalpha
from app.agreement.reliability_data import ReliabilityData
from app.agreement.results import AgreementResult, AlphaResult
from app.agreement.span_intervals import document_weights, f1_interval
from app.services.agreement.lists import Disagreements, between
from app.services.agreement.options import OptionAgreement
from app.services.agreement.units import Disagreement

# Any keys, not Hashable: a mapping is invariant in its key type (see app.agreement's Units).
Unit = Mapping[Any, Any]
NAN = float("nan")


@dataclass(frozen=True)
class Settings:
    """How intervals are computed: ``n_bootstrap`` resamples (0: none), seed, coverage;
    ``per_article``: whether each measure keeps its figures per article (the window's
    drill-down; the Excel export shows none, and at 100,000 articles they are tens of
    megabytes). It is left out of :meth:`AgreementReport.to_dict`."""

    n_bootstrap: int = 1000
    seed: int = 1
    confidence: float = 0.95
    per_article: bool = field(default=True, metadata={"plain": False})


@dataclass(frozen=True)
class Interval:
    """A confidence interval and how it was obtained.

    ``method`` is ``"kalpha"`` (Hayes & Krippendorff's bootstrap of alpha, ``n_draws``
    pairs per resample, ``below`` the share of resamples under each minimum alpha) or
    ``"bootstrap"`` (percentile bootstrap over units).
    """

    low: float
    high: float
    level: float
    method: str
    n_resamples: int
    seed: int
    n_draws: int | None = None
    below: dict[str, float] = field(default_factory=dict)
    note: str | None = None

    def q(self, alpha_min: float) -> float | None:
        """KALPHA's q: the probability of failure to achieve an alpha of at least
        ``alpha_min``, the share of resamples below it (None if not computed)."""
        return self.below.get(f"{alpha_min:g}")


@dataclass(frozen=True)
class Figure:
    """One coefficient at one scope.

    ``n_units`` counts what entered: pairable units (alpha, kappa family, percent
    agreement), spans or relations of both coders (F1), units marked (alpha_U).
    ``components`` holds the parts the value is computed from (e.g. observed and
    expected disagreement; p_a and p_e; matched, precision, recall).
    """

    coefficient: str
    value: float
    scope: str
    level: str
    n_units: int
    n_coders: int
    components: dict[str, Any]
    interval: Interval | None = None
    coders: tuple[str, ...] = ()
    article_id: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Measure:
    """Everything measured about one item of the codebook, for drill-down."""

    section: str
    key: str
    name: str
    kind: str
    figures: tuple[Figure, ...]
    pairs: tuple[Figure, ...] = ()
    articles: tuple[Figure, ...] = ()
    disagreements: Disagreements = field(default_factory=Disagreements)
    note: str | None = None
    options: tuple[OptionAgreement, ...] = ()  # per option of a single choice

    def figure(self, coefficient: str, level: str | None = None) -> Figure | None:
        """The pooled figure of this coefficient (and level), if the measure has one."""
        for f in self.figures:
            if f.coefficient == coefficient and (level is None or f.level == level):
                return f
        return None

    def disagreements_for(
        self, article_id: str | None = None, coders: Sequence[str] | None = None
    ) -> tuple[Disagreement, ...]:
        """The disagreements on one article and/or between the given coders.

        With ``coders``, a disagreement of values counts when two of these coders gave
        different values; a span or relation disagreement when it is between them.
        """
        if article_id is None and coders is None:
            return tuple(self.disagreements)
        if coders is None:
            return tuple(self.disagreements.on_article(article_id or ""))
        if article_id is None:
            return self.disagreements.between(coders)
        return tuple(d for d in self.disagreements.on_article(article_id) if between(d, coders))


@dataclass(frozen=True)
class Where:
    """The scope of a figure: pooled, one coder pair or one article."""

    scope: str = "pooled"
    coders: tuple[str, ...] = ()
    article_id: str | None = None


def _undefined(coefficient: str, level: str, where: Where, reason: str) -> Figure:
    return Figure(
        coefficient, NAN, where.scope, level, 0, len(where.coders), {}, None,
        where.coders, where.article_id, reason,
    )


def _joined(*notes: str | None) -> str | None:
    return " ".join(n for n in notes if n) or None


def _prepared(units: Sequence[Unit] | ReliabilityData | None) -> list[Unit] | ReliabilityData:
    if units is None:
        return []
    return units if isinstance(units, ReliabilityData) else list(units)


def _known(computed: Any) -> Any:
    """A result computed beforehand; its error raised again."""
    if isinstance(computed, AgreementError):
        raise computed
    return computed


def alpha_figure(
    units: Sequence[Unit] | ReliabilityData | None,
    settings: Settings,
    where: Where,
    *,
    level: str = "nominal",
    categories: Sequence[Any] | None = None,
    computed: AlphaResult | AgreementError | None = None,
) -> Figure:
    """Krippendorff's alpha with its KALPHA interval; ``computed`` is alpha of ``units``
    (or the error it raised) when it is known already: ``units`` then serve only the
    interval, and may be ``None`` when there is none to compute."""
    units = _prepared(units)
    try:
        result = _known(computed) or krippendorff_alpha(units, level, categories)
    except AgreementError as exc:
        return _undefined("krippendorff_alpha", level, where, str(exc))
    interval, problem = None, None
    if settings.n_bootstrap and math.isfinite(result.value):
        try:
            k = kalpha(
                units, level, categories, n=settings.n_bootstrap, seed=settings.seed,
                confidence=settings.confidence,
            )
            interval = Interval(
                k.low, k.high, k.level, "kalpha", k.n, settings.seed, k.n_draws,
                {f"{m:g}": q for m, q in k.below.items()}, k.note,
            )
        except AgreementError as exc:
            problem = f"No interval: {exc}"
    components = {
        "observed_disagreement": result.observed_disagreement,
        "expected_disagreement": result.expected_disagreement,
        "n_pairable_values": result.n_pairable_values,
        "n_units_with_a_value": result.n_units,
    }
    return Figure(
        "krippendorff_alpha", result.value, where.scope, result.level,
        result.n_pairable_units, len(where.coders) or result.n_coders, components, interval,
        where.coders, where.article_id, _joined(result.note, problem),
    )


def chance_figure(
    measure: Callable[..., Any],
    units: Sequence[Unit] | ReliabilityData | None,
    settings: Settings,
    where: Where,
    computed: AgreementResult | AgreementError | None = None,
    **options: Any,
) -> Figure:
    """A kappa-family coefficient or percent agreement, with a unit-bootstrap interval;
    ``computed`` as in :func:`alpha_figure`."""
    name = measure.__name__
    weights = options.get("weights")
    level = f"{weights} weights" if weights else "nominal"
    if measure is percent_agreement:
        level = "exact"
    units = _prepared(units)
    try:
        result = _known(computed) or measure(units, **options)
    except AgreementError as exc:
        return _undefined(name, level, where, str(exc))
    interval, problem = None, None
    if settings.n_bootstrap and math.isfinite(result.value):
        try:
            b = bootstrap(
                measure, units, n=settings.n_bootstrap, seed=settings.seed,
                level=settings.confidence, **options,
            )
            interval = Interval(
                b.low, b.high, b.level, "bootstrap", b.n, settings.seed, note=b.note
            )
        except AgreementError as exc:
            problem = f"No interval: {exc}"
    components = {
        "observed_agreement": result.observed,
        "expected_agreement": result.expected,
        "n_units_with_a_value": result.n_units,
        "n_pairable_values": result.n_pairable_values,
    }
    return Figure(
        name, result.value, where.scope, level, result.n_pairable_units,
        len(where.coders) or result.n_coders, components, interval, where.coders,
        where.article_id, _joined(result.note, problem),
    )


def percent_figure(value: float, n_units: int, n_values: int, where: Where) -> Figure:
    """Percent agreement counted directly, for units that all have two or more values,
    with the fields :func:`chance_figure` gives ``percent_agreement`` (no interval)."""
    components = {
        "observed_agreement": value,
        "expected_agreement": None,
        "n_units_with_a_value": n_units,
        "n_pairable_values": n_values,
    }
    return Figure(
        "percent_agreement", value, where.scope, "exact", n_units, len(where.coders),
        components, None, where.coders, where.article_id,
    )


@dataclass
class Counts:
    """Spans (or relations) of the first and second coder of pairs, and how many matched."""

    n_a: int = 0
    n_b: int = 0
    matched: int = 0

    def add(self, n_a: int, n_b: int, matched: int) -> None:
        self.n_a += n_a
        self.n_b += n_b
        self.matched += matched

    @property
    def f1(self) -> float:
        total = self.n_a + self.n_b
        return 2 * self.matched / total if total else NAN


def f1_figure(
    counts: Counts, level: str, where: Where, coefficient: str = "f1", note: str | None = None
) -> Figure:
    """F1 from pooled counts: ``2 matched / (n_a + n_b)``; precision against the second
    coder of a pair, recall against the first (the reference)."""
    components = {
        "matched": counts.matched,
        "n_first": counts.n_a,
        "n_second": counts.n_b,
        "precision": counts.matched / counts.n_b if counts.n_b else None,
        "recall": counts.matched / counts.n_a if counts.n_a else None,
    }
    if not counts.n_a + counts.n_b:
        note = _joined(note, "Neither coder marked one.")
    return Figure(
        coefficient, counts.f1, where.scope, level, counts.n_a + counts.n_b, len(where.coders),
        components, None, where.coders, where.article_id, note,
    )


class ArticleResamples:
    """The resampled articles of F1 intervals, drawn once per number of articles: with
    one seed the draw depends on nothing else, so every figure over as many articles
    (every pair that finished the same articles, say) shares one matrix."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._drawn: dict[int, np.ndarray] = {}

    def __call__(self, n_articles: int) -> np.ndarray:
        if n_articles not in self._drawn:
            self._drawn[n_articles] = document_weights(n_articles, self.settings.n_bootstrap, self.settings.seed)
        return self._drawn[n_articles]


def with_f1_interval(
    figure: Figure, counts: tuple[np.ndarray, np.ndarray, np.ndarray], resamples: ArticleResamples
) -> Figure:
    """``figure`` (F1, micro or macro) with its interval from a bootstrap over articles:
    ``counts`` are the spans of the first and second coder and the matches, per article
    and label."""
    settings = resamples.settings
    if not settings.n_bootstrap or not math.isfinite(figure.value):
        return figure
    try:
        b = f1_interval(
            *counts, macro=figure.coefficient == "f1_macro", seed=settings.seed,
            level=settings.confidence, weights=resamples(len(counts[0])), n=settings.n_bootstrap,
        )
    except AgreementError as exc:
        return replace(figure, note=_joined(figure.note, f"No interval: {exc}"))
    interval = Interval(b.low, b.high, b.level, "bootstrap_articles", b.n, settings.seed, note=b.note)
    return replace(figure, interval=interval)


def macro_f1_figure(per_label: Sequence[Counts], level: str, where: Where) -> Figure:
    """The mean over labels of each label's F1 (labels that someone used)."""
    used = [c for c in per_label if c.n_a + c.n_b]
    value = sum(c.f1 for c in used) / len(used) if used else NAN
    return Figure(
        "f1_macro", value, where.scope, level, sum(c.n_a + c.n_b for c in used),
        len(where.coders), {"n_labels": len(used)}, None, where.coders, where.article_id,
        None if used else "Neither coder marked a span.",
    )
