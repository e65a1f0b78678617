"""Keep CPython's cycle collector off the big, long-lived containers of a run.

A full collection walks every tracked container, and a list, set or dict of a million
entries is walked entry by entry. How often full collections run grows with the objects a
run promotes, and what each costs grows with the corpus, so their total grows with the
square of it: at a million files the corpus pass spent 46.7 s in 118 full collections,
against 1.0 s in 21 at 100,000 files (bench/RESULTS.md, target 4, session 20).

`gc.freeze()` moves every object alive now into a generation the collector never visits;
objects made afterwards are collected as usual. Nothing is unfrozen afterwards: what was
alive is either still needed by the run (its report) or freed by its reference count, and
newslint makes no reference cycles of its own in these containers. It also keeps a forked
child's collections from writing into (and so copying) pages it shares with its parent,
which is what the CPython documentation recommends it for. A long-lived process that runs
many checks (the test suite, a library user) can hand the frozen objects back between
them with `gc.unfreeze()`, so that cycles made before a freeze can still be collected.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


def freeze_survivors() -> None:
    """Put every object alive now out of the cycle collector's way (see module docs)."""
    gc.freeze()


@contextmanager
def collector_paused():
    """No cycle collection while the block makes a few million objects that it mostly
    keeps; afterwards they are frozen (see module docs) and collection resumes as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
