"""The codebook's measured items and the overlap warning of assign and Distribute."""

from __future__ import annotations

from app.core.codebook import load_default_codebook
from app.services.reliability_plan import measured_values, overlap_warning, plan


def test_every_measured_item_counts_its_values_and_the_largest_decides() -> None:
    codebook = load_default_codebook()
    items = dict(measured_values(codebook))
    assert items["question 'relevance'"] == 2
    assert items["the span labels"] == len(codebook.span_labels)
    assert all(k >= 2 for k in items.values())
    reliability = plan(codebook)
    assert reliability is not None
    assert reliability.minimum.values == max(items.values())
    assert items[reliability.item] == reliability.minimum.values


def test_the_warning_is_one_sentence_below_the_minimum_only() -> None:
    reliability = plan(load_default_codebook())
    assert reliability is not None
    n = reliability.minimum.units
    assert overlap_warning(reliability, n) is None
    warning = overlap_warning(reliability, n - 1)
    assert warning is not None
    assert warning.startswith(f"The overlap of {n - 1} article(s) is smaller than the {n} ")
    assert warning.count(". ") == 0 and warning.endswith(".")
    assert overlap_warning(None, 0) is None
