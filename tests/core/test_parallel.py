"""ordered_map: the results of map, on several threads."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from app.core import parallel
from app.core.parallel import ordered_map


def test_results_come_in_the_order_of_the_items_and_use_two_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOUPE_THREADS", "2")
    seen: set[str] = set()

    def slow_square(x: int) -> int:
        seen.add(threading.current_thread().name)
        time.sleep(0.01 * (5 - x % 5))  # later items finish first
        return x * x

    assert ordered_map(slow_square, range(10)) == [x * x for x in range(10)]
    assert len(seen) == 2 and all(name.startswith("loupe-work") for name in seen)


def test_floating_point_sums_are_those_of_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    parts = [rng.random(1000) * 10.0**k for k in range(-8, 9)]
    sums = {}
    for threads in ("1", "2", "4"):
        monkeypatch.setenv("LOUPE_THREADS", threads)
        total = np.zeros(1000)
        for found in ordered_map(np.cumsum, parts):
            total += found
        sums[threads] = total
    assert np.array_equal(sums["1"], sums["2"]) and np.array_equal(sums["1"], sums["4"])


def test_one_thread_runs_in_the_calling_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOUPE_THREADS", "1")
    assert parallel.workers() == 1
    assert set(ordered_map(lambda _: threading.current_thread(), range(4))) == {threading.current_thread()}


def test_the_first_failure_in_item_order_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOUPE_THREADS", "2")

    def check(x: int) -> int:
        if x in (3, 6):
            time.sleep(0.05 if x == 3 else 0)
            raise ValueError(f"item {x}")
        return x

    with pytest.raises(ValueError, match="item 3"):
        ordered_map(check, range(8))


def test_a_call_inside_a_worker_runs_serially(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOUPE_THREADS", "2")

    def inner(x: int) -> list[str]:
        return ordered_map(lambda _: threading.current_thread().name, range(3))

    for names in ordered_map(inner, range(4)):
        assert len(set(names)) == 1  # the worker's own thread, no pool of its own


@pytest.mark.parametrize("setting", ["", "0", "many", "-2"])
def test_a_missing_or_unreadable_setting_uses_the_cores(monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    monkeypatch.setenv("LOUPE_THREADS", setting)
    assert 1 <= parallel.workers() <= parallel.MOST
