"""Keeping Python's cycle collector out of the way of an archive's worth of objects.

The collector runs after every 700 new containers, and a full collection each time the
surviving ones grow by a quarter; each pass walks every object it tracks. Building
100,000 records (tuples, dates, articles) thus costs pass after pass over everything
built so far (two thirds of the time of loading the cache), and every later full pass
walks the whole archive again: seconds, in a build that keeps it to the end.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_freezing = 0  # how many `gc_frozen` blocks are running


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block without the cycle collector, then turn it back on as it was.

    For blocks that build many objects and no reference cycles: reference counting
    frees them all the same. Inside `gc_frozen`, what the block built is frozen too.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if _freezing:
            gc.freeze()
        gc.enable()


@contextmanager
def gc_frozen() -> Iterator[None]:
    """Leave every object alive at the start of the block out of the collector's passes.

    So too what `gc_paused` blocks build within it. They are all handed back when the
    block ends, so any cycle among them is collected then. If something else froze
    objects first, the block leaves the collector alone.
    """
    global _freezing
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    _freezing += 1
    try:
        yield
    finally:
        _freezing -= 1
        gc.unfreeze()
