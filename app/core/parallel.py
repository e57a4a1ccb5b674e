"""Work spread over the computer's cores, with results as if done one after the other.

The agreement report compares every pair of coders (190 pairs for 20 coders), each
pair with a handful of NumPy operations over 100,000-element arrays. NumPy releases
Python's interpreter lock inside those operations, so two threads comparing two pairs
at once use two cores: :func:`ordered_map` is ``list(map(fn, items))`` done that way.

* The results come back in the order of ``items`` and the caller combines them in that
  order: a sum of floating-point results is the same to the last bit however many
  threads ran.
* The first exception (in the order of ``items``) is raised, as ``map`` would.
* A call made inside a worker runs serially: nested calls never wait on each other.
* ``LOUPE_THREADS`` caps the threads (``1``: everything in the calling thread, as
  before), for a machine shared with other work; by default, the cores this process
  may use, at most :data:`MOST`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: More threads than this gain nothing: between NumPy's operations the threads queue for
#: the interpreter lock.
MOST = 4
_inside = threading.local()


def workers() -> int:
    """How many threads :func:`ordered_map` uses (see the module notes)."""
    setting = os.environ.get("LOUPE_THREADS", "").strip()
    if setting.isdigit() and int(setting) >= 1:
        return int(setting)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        cores = os.cpu_count() or 1
    return max(1, min(cores, MOST))


def _marked(fn: Callable[[T], R]) -> Callable[[T], R]:
    def run(item: T) -> R:
        _inside.active = True
        try:
            return fn(item)
        finally:
            _inside.active = False

    return run


def ordered_map(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[fn(x) for x in items]``, computed on up to :func:`workers` threads."""
    work = list(items)
    threads = min(workers(), len(work))
    if threads < 2 or getattr(_inside, "active", False):
        return [fn(x) for x in work]
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="loupe-work") as pool:
        return list(pool.map(_marked(fn), work))
