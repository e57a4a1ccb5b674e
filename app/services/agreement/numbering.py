"""Values numbered for NumPy: a million ids, labels or JSON texts as an int64 column.

The agreement report reads 1,000,000 spans and 400,000 answers as rows of Python values;
these turn a column of them into numbers with C loops (each distinct value numbered
once, then one dict lookup per value), never a Python loop of ours per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def lookup(index: dict[Any, int], keys: Sequence[Any]) -> np.ndarray:
    """``index[k]`` for every key, as an array."""
    return np.fromiter(map(index.__getitem__, keys), dtype=np.int64, count=len(keys))


def numbered(values: Sequence[Any], numbers: dict[Any, int]) -> np.ndarray:
    """Each value's number in ``numbers``; values not there yet are numbered in order of
    first use."""
    for value in dict.fromkeys(values):
        numbers.setdefault(value, len(numbers))
    return lookup(numbers, values)


def renumbered(found: np.ndarray, values: Sequence[Any], numbers: dict[Any, int]) -> np.ndarray:
    """``found`` (numbers into ``values``) as numbers in ``numbers``, values not numbered
    yet numbered in order of first use in ``found``."""
    used, first = np.unique(found, return_index=True)
    at = np.empty(len(values), dtype=np.int64)
    for n in used[np.argsort(first)].tolist():
        at[n] = numbers.setdefault(values[n], len(numbers))
    return at[found]
