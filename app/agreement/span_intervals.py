"""Confidence intervals of span F1: a percentile bootstrap over documents.

Span counts are not independent within a document (one coder's reading of an article
shapes all of its spans), so the resampled unit is the document: each resample draws
as many documents as there are, with replacement, sums their counts and recomputes F1
(a cluster bootstrap; Efron & Tibshirani, 1993, ch. 13; Field & Welsh, 2007). The
interval is the central ``level`` share of the resampled values; resamples on which F1
is undefined (no span at all) are left out and counted. The same ``seed`` gives the
same interval; 1,000 resamples of 2,000 documents cost a few matrix products.

Counts are given per document and label: spans of the first coder (``n_a``), of the
second (``n_b``) and matched pairs (``matched``), each an array ``(documents, labels)``.
Micro F1 is ``2 sum(matched) / sum(n_a + n_b)``; macro F1 the mean over the labels
used in the resample of each label's F1.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from app.agreement.bootstrap import _multiplicities, percentile_interval
from app.agreement.errors import AgreementError
from app.agreement.results import BootstrapResult

#: Cells (resamples x documents) of one block: 500,000 float64 cells are 4 MB.
_CELLS_PER_CHUNK = 500_000


def _f1(n_a: np.ndarray, n_b: np.ndarray, matched: np.ndarray, macro: bool) -> np.ndarray:
    """F1 of summed counts ``(..., labels)``; NaN where no span was marked."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if not macro:
            total = (n_a + n_b).sum(axis=-1)
            return np.where(total > 0, 2.0 * matched.sum(axis=-1) / total, np.nan)
        total = n_a + n_b
        per_label = np.where(total > 0, 2.0 * matched / total, np.nan)
        used = (total > 0).sum(axis=-1)
        return np.where(used > 0, np.nansum(per_label, axis=-1) / np.maximum(used, 1), np.nan)


def _f1_of(counts: Sequence[np.ndarray], macro: bool) -> np.ndarray:
    """:func:`_f1` of the three counts ``(n_a, n_b, matched)``."""
    n_a, n_b, matched = counts
    return _f1(n_a, n_b, matched, macro)


def _block_rows(n_documents: int) -> int:
    """Resamples per block."""
    return max(1, _CELLS_PER_CHUNK // max(n_documents, 1))


def document_weights(n_documents: int, n: int = 1000, seed: int | None = 0) -> np.ndarray:
    """The resamples as multiplicities ``(n, n_documents)``: what :func:`f1_interval`
    draws with this ``seed``, to share between the figures of one set of documents.

    The smallest unsigned integer type that holds them (one byte unless a document was
    drawn more than 255 times), drawn block by block."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, n_documents), dtype=np.uint8)
    step = _block_rows(n_documents)
    for start in range(0, n, step):
        drawn = _multiplicities(rng, min(step, n - start), n_documents)
        if drawn.size and drawn.max() > np.iinfo(out.dtype).max:
            out = out.astype(np.min_scalar_type(n_documents))
        out[start : start + len(drawn)] = drawn
    return out


def _blocks(weights: np.ndarray | None, n: int, n_documents: int, seed: int | None) -> Iterator[np.ndarray]:
    """The resamples as float64 multiplicities, a block of rows at a time: rows of
    ``weights``, or drawn with ``seed`` as :func:`document_weights` draws them."""
    step = _block_rows(n_documents)
    if weights is not None:
        for start in range(0, len(weights), step):
            yield weights[start : start + step].astype(np.float64)
        return
    rng = np.random.default_rng(seed)
    for start in range(0, n, step):
        yield _multiplicities(rng, min(step, n - start), n_documents)


def f1_interval(
    n_a: np.ndarray,
    n_b: np.ndarray,
    matched: np.ndarray,
    *,
    macro: bool = False,
    n: int = 1000,
    seed: int | None = 0,
    level: float = 0.95,
    weights: np.ndarray | None = None,
) -> BootstrapResult:
    """Percentile bootstrap interval of micro (or ``macro``) F1, resampling documents.

    ``weights`` are resamples drawn beforehand (:func:`document_weights`; then ``n``
    is their number). Raises :class:`AgreementError` when F1 is undefined on the data
    (no span), when ``n`` < 2, or when fewer than two resamples give a value.
    """
    counts = [np.asarray(x, dtype=np.float64) for x in (n_a, n_b, matched)]
    counts = [c[:, None] if c.ndim == 1 else c for c in counts]
    if len({c.shape for c in counts}) != 1:
        raise AgreementError("The span counts must have one row per document and one column per label.")
    if n < 2:
        raise AgreementError("The bootstrap needs at least two resamples.")
    if not 0.0 < level < 1.0:
        raise AgreementError("The confidence level must lie strictly between 0 and 1.")
    estimate = float(_f1_of([c.sum(axis=0) for c in counts], macro))
    if np.isnan(estimate):
        raise AgreementError("Neither coder marked a span, so F1 has no interval.")
    n_docs = counts[0].shape[0]
    if weights is not None and weights.shape[1] != n_docs:
        raise AgreementError("The resamples were drawn for another number of documents.")
    values = np.concatenate(
        [_f1_of([block @ c for c in counts], macro) for block in _blocks(weights, n, n_docs, seed)]
    )  # (resamples,)
    return percentile_interval(
        "f1_macro" if macro else "f1", estimate, values, level, seed, "had no span"
    )
