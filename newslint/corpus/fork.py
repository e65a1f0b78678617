"""A forked child joined to this process by a pipe: the one way the corpus pass starts its
helpers (the signers of engine.sign_pending, the reader of prefetch.Prefetch)."""

from __future__ import annotations

import os
from typing import Callable


def fork_child(work: Callable[[int], None], parent_reads: bool) -> tuple[int, int]:
    """(pid, this process's end of the pipe) of a forked child that runs `work(its end)` and
    exits: status 0, or 1 if `work` raised; it never returns into the caller's code. The
    child writes and this process reads when `parent_reads`, else the other way round.
    Raises OSError (out of descriptors, processes or memory) with nothing left open."""
    r, w = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        raise
    mine, theirs = (r, w) if parent_reads else (w, r)
    if pid == 0:
        code = 1
        try:
            os.close(mine)
            work(theirs)
            code = 0
        finally:
            os._exit(code)
    os.close(theirs)
    return pid, mine
