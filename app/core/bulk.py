"""Building hundreds of thousands of small records without the cycle collector.

Python's cycle collector runs every few hundred allocations and walks every tracked
object of the older generations; while a report creates half a million tuples, it ran
so often that it took half the time. Plain records hold no reference cycles, so the
collector is paused while they are built and resumed afterwards (reference counting
frees memory as usual meanwhile).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause the cycle collector inside the block (nested use is fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
