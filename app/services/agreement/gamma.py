"""γ figures of the agreement report's span measures (:mod:`app.agreement.gamma`).

γ (Mathet, Widlöcher & Métivier, 2015) aligns the coders' spans, overlapping and nested
ones included, and compares position and label at once. For all coders (the articles
every coder finished) and for each coder pair (the articles both finished), one γ is
computed on the continuum made by concatenating those articles' texts (each shifted by
the lengths before it, as for the pooled alpha_U), with every span's label as its
category; each range a span covers is a unit (a discontinuous span's fragments, as for
alpha_U), and overlapping spans of one coder stay as they are. That one computation
gives:

* ``All labels``: γ (``gamma``) and γ-cat (``gamma_cat``, agreement on the labels of
  aligned spans);
* each label: γ-k (``gamma_k``, Mathet 2017: γ-cat restricted to the pairs where one span
  has that label).

pygamma-agreement's defaults: alpha = beta = delta_empty = 1, 30 continua sampled by
its statistical sampler, seeded with the report's seed. No interval. A continuum of more
than :data:`GAMMA_MAX_UNITS` units is not computed (about a millisecond per unit).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from app.agreement.errors import AgreementError
from app.agreement.gamma import DEFAULT_SAMPLES, GammaResult, gamma_agreement
from app.services.agreement.figures import NAN, Figure, Where
from app.services.agreement.units import Corpus

#: Above this many units on one continuum γ is not computed (the report would take
#: several seconds more per continuum).
GAMMA_MAX_UNITS = 5_000


Units = tuple[np.ndarray, np.ndarray, np.ndarray]


def _continuum(
    corpus: Corpus, units: Units, counts: np.ndarray, chosen: np.ndarray, coders: Sequence[str]
) -> tuple[int, dict[str, list[tuple[int, int, int]]] | None]:
    """The number of units, and the continuum (None above :data:`GAMMA_MAX_UNITS`);
    ``counts``: the units per article and coder."""
    s = corpus.spans
    rows, starts, ends = units
    index = np.array([corpus.coder_index(c) for c in coders], dtype=np.int64)
    n_units = int(counts[chosen][:, index].sum())
    if n_units > GAMMA_MAX_UNITS:
        return n_units, None
    article = s.article[rows]
    keep = chosen[article] & np.isin(s.coder[rows], index)
    lengths = np.diff(corpus.offsets)
    shifted = np.cumsum(np.where(chosen, lengths, 0)) - np.where(chosen, lengths, 0)
    begin = (shifted[article[keep]] + starts[keep]).tolist()
    end = (shifted[article[keep]] + ends[keep]).tolist()
    coder, label = s.coder[rows][keep].tolist(), s.label[rows][keep].tolist()
    continuum: dict[str, list[tuple[int, int, int]]] = {name: [] for name in coders}
    for b, e, k, x in zip(begin, end, coder, label, strict=True):
        continuum[corpus.coders[k]].append((b, e, x))
    return n_units, continuum


Figures = dict[int | None, list[Figure]]


def gamma_figures(
    corpus: Corpus, pairs: Sequence[tuple[tuple[str, ...], np.ndarray]], seed: int
) -> tuple[Figures, list[Figures]]:
    """The figures for all coders (over the articles every coder finished), then for each
    pair ``(coders, articles both finished)``: γ and γ-cat under key None, γ-k under each
    label's index."""
    units = corpus.spans.units()
    shape = corpus.members.shape
    rows = units[0]
    cell = corpus.spans.article[rows] * shape[1] + corpus.spans.coder[rows]
    counts = np.bincount(cell, minlength=shape[0] * shape[1]).reshape(shape)
    everyone = np.asarray(corpus.members.all(axis=1))
    return (
        _figures(corpus, units, counts, everyone, Where("pooled", corpus.coders), seed),
        [_figures(corpus, units, counts, shared, Where("pair", pair), seed) for pair, shared in pairs],
    )


def _figures(
    corpus: Corpus, units: Units, counts: np.ndarray, chosen: np.ndarray, where: Where, seed: int
) -> Figures:
    n_articles = int(chosen.sum())
    n_units, continuum = _continuum(corpus, units, counts, chosen, where.coders) if n_articles else (0, None)
    result: GammaResult | None = None
    problem: str | None = None
    if not n_articles:
        problem = f"No article was finished by all {len(where.coders)} coders."
    elif continuum is None:
        problem = (
            f"Not computed: {n_units:,} spans on this continuum, more than the report's "
            f"{GAMMA_MAX_UNITS:,} (gamma takes about a millisecond per span)."
        )
    else:
        try:
            result = gamma_agreement(continuum, n_samples=DEFAULT_SAMPLES, seed=seed)
        except AgreementError as error:
            problem = str(error)
    pooled = f"Pooled over the concatenated continuum of {n_articles} articles."
    note = f"{pooled} {problem}" if problem else pooled
    parts: dict[str, object] = {"n_articles": n_articles}
    if result is not None:
        parts |= {
            "observed_disorder": result.observed_disorder,
            "expected_disorder": result.expected_disorder,
            "n_samples": result.n_samples, "seed": result.seed,
            "unitary_alignments": result.unitary_alignments, "alignment": result.method,
        }

    def figure(coefficient: str, value: float | None, extra: str | None = None) -> Figure:
        said = f"{note} {extra}" if extra else note
        return Figure(
            coefficient, NAN if value is None else float(value), where.scope, "gamma", n_units,
            len(where.coders), dict(parts), None, where.coders, where.article_id, said,
        )

    if result is None:
        out: Figures = {None: [figure("gamma", None), figure("gamma_cat", None)]}
        out |= {k: [figure("gamma_k", None)] for k in range(len(corpus.labels))}
        return out
    out = {None: [figure("gamma", result.gamma), figure("gamma_cat", result.gamma_cat)]}
    for k in range(len(corpus.labels)):
        if k in result.gamma_k:
            out[k] = [figure("gamma_k", result.gamma_k[k])]
        else:
            out[k] = [figure("gamma_k", None, "No coder marked a span of this label.")]
    return out
