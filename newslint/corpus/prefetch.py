"""Read the next window of corpus files into the page cache while this process signs the
current one.

The first build of an index reads every file. From a cold page cache a small file costs
~0.3 ms here, mostly waiting on the disk (~0.1 ms of it CPU), while signing and committing
a window is all CPU: done in turn, a million files spent 500 s reading and 225 s signing and
committing. A forked process that only reads (and drops what it read) keeps the disk busy
meanwhile; this process then finds the window's files in memory.

The child is paced by a pipe: each window this process starts lets it read one more, so it
is never more than a window (~80 MB) ahead and its pages are used before the kernel reclaims
them. On a warm page cache it gives up after a sample (its reads would only cost CPU).
"""

from __future__ import annotations

import os
import time

from newslint.corpus.fork import fork_child

_SAMPLE = 500  # files timed before deciding the cache is warm
_WARM_SECONDS = 30e-6  # a mean read faster than this came from memory
_CHUNK = 128 * 1024  # bytes of each file read ahead (a longer file's rest is read cold)


def _warm(windows: list[list[str]], go: int) -> None:
    """The child: for each byte on `go`, read the files of the next window."""
    buf = bytearray(_CHUNK)
    sampled, started = 0, 0.0
    for window in windows:
        if not os.read(go, 1):  # the parent closed the pipe: done, or gave up
            return
        if not sampled:
            started = time.perf_counter()  # not counting the wait for the first window
        for path in window:
            try:  # non-blocking: a path swapped for a FIFO since its stat must not hang here
                fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            except OSError:
                continue
            try:
                os.readv(fd, [buf])
            except OSError:
                pass
            finally:
                os.close(fd)
            if sampled < _SAMPLE:
                sampled += 1
                if sampled == _SAMPLE and time.perf_counter() - started < _SAMPLE * _WARM_SECONDS:
                    return


class Prefetch:
    """`advance()` as each window's turn comes; the child then reads the window after it.

    Only where processes fork (else a no-op), and only for two windows or more."""

    def __init__(self, windows: list[list[str]]):
        self.pid = 0
        self.fd = -1
        if len(windows) < 2 or not hasattr(os, "fork"):
            return
        try:
            self.pid, self.fd = fork_child(lambda go: _warm(windows[1:], go), parent_reads=False)
        except OSError:  # out of descriptors, processes or memory: the files are read without help
            pass

    def advance(self) -> None:
        if self.fd >= 0:
            try:
                os.write(self.fd, b".")
            except OSError:  # the child has given up (warm cache) or died: reading goes on here
                self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.pid:
            try:
                os.kill(self.pid, 9)  # it only reads: nothing to finish
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = 0

    def __enter__(self) -> "Prefetch":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
