"""Have the kernel read the next window of corpus files while this process signs the
current one.

The first build of an index reads every file. From a cold page cache a small file costs
0.15-0.5 ms here when read one after another, nearly all of it waiting on the disk, while
signing and committing a window is all CPU. A forked child asks the kernel to read a whole
window ahead (`posix_fadvise(WILLNEED)` per file: the requests queue up together, so the disk
serves many at once instead of one at a time; measured on 100,000 cold files read in inode
order: 14.4-15.2 s read one by one, 2.4-3.1 s with the window advised first). This process
then finds the window's files in memory.

The child is paced by a pipe: it advises the first window at once, and each window this
process starts lets it advise one more, so it is never more than a window (~80 MB) ahead and
its pages are used before the kernel reclaims them. A window whose sample of files is already
in memory (mincore(2) on their first page) is skipped, so a warm page cache costs the child a
few probes per window.
"""

from __future__ import annotations

import os
import stat

from newslint.corpus.fork import fork_child

MIN_FILES = 1000  # fewer files to read: not worth a process
_PROBE = 32  # files of a window probed before deciding it is already in memory
_CHUNK = 128 * 1024  # bytes of each file read ahead (a longer file's rest is read cold)
# how the corpus pass opens a path it stat'ed as a regular file: one swapped for a FIFO since
# must not hang the open (read() on a regular file ignores O_NONBLOCK)
READ_NONBLOCKING = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


_libc = None  # ctypes' handle on the C library, loaded by the child when it first probes


def _cached(fd: int) -> bool:
    """Whether the open file's first page is in the page cache: mincore(2) on a one-byte
    private mapping, which starts no read. (A read with RWF_NOWAIT is no probe: it starts
    the read, and on a fast disk it returns the data instead of failing.)"""
    global _libc
    import ctypes
    import mmap

    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_size == 0:
        return True  # nothing to read ahead (a path swapped for a FIFO since its stat, say)
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    with mmap.mmap(fd, 1, access=mmap.ACCESS_COPY) as mapped:
        vec = ctypes.create_string_buffer(1)
        addr = ctypes.addressof(ctypes.c_char.from_buffer(mapped))
        if _libc.mincore(ctypes.c_void_p(addr), ctypes.c_size_t(1), vec) != 0:
            raise OSError(ctypes.get_errno(), "mincore failed")
        return bool(vec.raw[0] & 1)


def _in_memory(paths: list[str]) -> bool:
    """Whether the first page of each of `paths` is in the page cache (False where the
    system cannot say: the window is then read ahead)."""
    for path in paths:
        try:
            fd = os.open(path, READ_NONBLOCKING)
        except OSError:
            continue  # gone since its stat: nothing to read
        try:
            if not _cached(fd):
                return False
        except (OSError, ValueError, AttributeError):  # not mappable, no mincore: cannot tell
            return False
        finally:
            os.close(fd)
    return True


def _ask(path: str) -> None:
    """Start reading `path`'s first `_CHUNK` bytes into the page cache."""
    try:
        fd = os.open(path, READ_NONBLOCKING)
    except OSError:
        return
    try:
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(fd, 0, _CHUNK, os.POSIX_FADV_WILLNEED)
        else:  # no way to queue the read: read it here and drop it
            os.read(fd, _CHUNK)
    except OSError:
        pass
    finally:
        os.close(fd)


def _warm(windows: list[list[str]], go: int) -> None:
    """The child: read ahead the first window at once, then one more per byte on `go`."""
    for k, window in enumerate(windows):
        if k and not os.read(go, 1):  # the parent closed the pipe: done
            return
        if _in_memory(window[:_PROBE]):
            continue
        for path in window:
            _ask(path)


class Prefetch:
    """`advance()` as each window's turn comes; the child then reads ahead the window after
    it (the first window it reads ahead unasked).

    Only where processes fork (else a no-op), and only for `MIN_FILES` files or more."""

    def __init__(self, windows: list[list[str]]):
        self.pid = 0
        self.fd = -1
        if sum(map(len, windows)) < MIN_FILES or not hasattr(os, "fork"):
            return
        try:
            self.pid, self.fd = fork_child(lambda go: _warm(windows, go), parent_reads=False)
        except OSError:  # out of descriptors, processes or memory: the files are read without help
            pass

    def advance(self) -> None:
        if self.fd < 0:
            return
        try:
            os.write(self.fd, b".")
        except OSError:  # the child has finished or died: reading goes on here
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
