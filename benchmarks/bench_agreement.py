"""Agreement coefficients at the scale of a large project.

1. Nominal and interval Krippendorff's alpha on 5 coders x 200,000 units, 10 values,
   10% missing, against the ``krippendorff`` package on the same array in the same run
   (the two values must agree to 1e-9). Target: ours / package <= 1.
2. Unitizing alpha_U and u-alpha on 100,000 spans (5 coders, 10 categories). Baseline:
   the 2 s budget itself. Target: ours / 2 s <= 1.
3. Bootstrap of nominal alpha, 1,000 resamples of 10,000 units (3 coders). Baseline: the
   3 s budget. Target: ours / 3 s <= 1.

Times are the best of a few repeats (time.perf_counter), in seconds; lower is better.

    .venv/bin/python benchmarks/bench_agreement.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from app.agreement import bootstrap, krippendorff_alpha, u_alpha, unitizing_alpha  # noqa: E402


def best_of(repeats: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - started)
    return best, value


def reliability_matrix(n_coders: int, n_units: int, n_values: int, seed: int = 0) -> np.ndarray:
    """Coders x units, values 1..n_values, 70% copying a hidden true value, 10% missing."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, n_values + 1, n_units)
    noise = rng.integers(1, n_values + 1, (n_coders, n_units))
    data = np.where(rng.random((n_coders, n_units)) < 0.7, truth, noise).astype(np.float64)
    data[rng.random(data.shape) < 0.1] = np.nan
    return data


def spans(n_spans: int, n_coders: int = 5, n_categories: int = 10, seed: int = 0):
    """Spans near shared true units, jittered per coder, none overlapping within a coder."""
    rng = np.random.default_rng(seed)
    per_coder = n_spans // n_coders
    begins = np.arange(per_coder) * 40 + 2
    lengths = rng.integers(1, 31, per_coder)
    categories = rng.integers(0, n_categories, per_coder)
    out = []
    for c in range(n_coders):
        b = begins + rng.integers(-2, 3, per_coder)
        ln = np.maximum(1, lengths + rng.integers(-2, 3, per_coder))
        k = np.where(
            rng.random(per_coder) < 0.9, categories, rng.integers(0, n_categories, per_coder)
        )
        out += [(f"coder{c}", int(x), int(y), int(z)) for x, y, z in zip(b, ln, k, strict=True)]
    return out, int(begins[-1] + 80)


def _alpha_vs_package(level: str) -> dict:
    import krippendorff

    data = reliability_matrix(5, 200_000, 10)
    ours, result = best_of(3, lambda: krippendorff_alpha(data, level))
    theirs, value = best_of(
        3, lambda: krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    )
    assert abs(result.value - value) <= 1e-9, (result.value, value)
    return {
        "name": f"{level} alpha, 5 coders x 200,000 units, 10 values, 10% missing",
        "ours": ours,
        "baseline": theirs,
        "unit": "s",
        "baseline_name": "krippendorff package, same array, same run",
        "target": "<= 1",
        "notes": f"alpha = {result.value:.6f}, equal to the package's to 1e-9",
    }


def bench_nominal_alpha() -> dict:
    return _alpha_vs_package("nominal")


def bench_interval_alpha() -> dict:
    return _alpha_vs_package("interval")


def bench_unitizing_alpha() -> dict:
    marked, length = spans(100_000)
    ours, result = best_of(3, lambda: unitizing_alpha(marked, 0, length))
    return {
        "name": "unitizing alpha_U, 100,000 spans, 5 coders, 10 categories",
        "ours": ours,
        "baseline": 2.0,
        "unit": "s",
        "baseline_name": "time budget of 2 s",
        "target": "<= 1",
        "notes": f"alpha_U = {result.value:.6f}",
    }


def bench_u_alpha() -> dict:
    marked, length = spans(100_000)
    ours, result = best_of(3, lambda: u_alpha(marked, 0, length))
    return {
        "name": "u-alpha, 100,000 spans, 5 coders, 10 categories",
        "ours": ours,
        "baseline": 2.0,
        "unit": "s",
        "baseline_name": "time budget of 2 s",
        "target": "<= 1",
        "notes": f"u-alpha = {result.value:.6f}",
    }


def bench_bootstrap() -> dict:
    data = reliability_matrix(3, 10_000, 5, seed=1)
    ours, result = best_of(3, lambda: bootstrap(krippendorff_alpha, data, n=1000, seed=0))
    return {
        "name": "bootstrap of nominal alpha, 1,000 resamples of 10,000 units",
        "ours": ours,
        "baseline": 3.0,
        "unit": "s",
        "baseline_name": "time budget of 3 s",
        "target": "<= 1",
        "notes": f"alpha = {result.estimate:.4f}, 95% interval [{result.low:.4f}, {result.high:.4f}]",
    }


BENCHMARKS = [
    bench_nominal_alpha,
    bench_interval_alpha,
    bench_unitizing_alpha,
    bench_u_alpha,
    bench_bootstrap,
]


if __name__ == "__main__":
    for bench in BENCHMARKS:
        r = bench()
        print(
            f"{r['name']}\n  ours      {r['ours']:.4f} {r['unit']}\n"
            f"  baseline  {r['baseline']:.4f} {r['unit']}  ({r['baseline_name']})\n"
            f"  ratio     {r['ours'] / r['baseline']:.3f}  (target {r['target']})\n"
            f"  notes     {r['notes']}",
            flush=True,
        )
