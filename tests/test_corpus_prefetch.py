"""The reader that has the kernel read one window of files ahead of the index build
(newslint.corpus.prefetch), on BBC articles copied to a temporary folder."""

from __future__ import annotations

import os
import shutil
import signal
import time

import pytest

from newslint.corpus import prefetch
from newslint.corpus.prefetch import Prefetch

from conftest import BBC, need  # noqa: E402


@pytest.fixture
def windows(tmp_path) -> list[list[str]]:
    """Three windows of ten BBC articles each, as files of their own (safe to evict)."""
    sources = sorted(need(BBC).glob("business/*.txt"))[:30]
    paths = []
    for src in sources:
        dst = tmp_path / src.name
        shutil.copyfile(src, dst)
        paths.append(str(dst))
    return [paths[0:10], paths[10:20], paths[20:30]]


@pytest.fixture
def asked(monkeypatch) -> list[str]:
    """The paths the reader asks the kernel to read (it runs in this process in these tests)."""
    seen: list[str] = []
    monkeypatch.setattr(prefetch, "_ask", seen.append)
    return seen


def resident(path: str) -> bool:
    """The reader's own probe of one file (mincore: looking starts no read)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return prefetch._cached(fd)
    finally:
        os.close(fd)


def _evict(paths: list[str]) -> None:
    """Drop the files' pages from the page cache (written back first: only clean pages go)."""
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    if any(resident(p) for p in paths):
        pytest.skip("this filesystem keeps its files in memory (tmpfs?): nothing to read ahead")


def _pipe_with(tokens: int) -> int:
    """The read end of a pipe holding `tokens` bytes, its write end closed (EOF after them)."""
    r, w = os.pipe()
    os.write(w, b"." * tokens)
    os.close(w)
    return r


needs_fadvise = pytest.mark.skipif(not hasattr(os, "posix_fadvise"),
                                  reason="reading ahead without reading needs posix_fadvise (Linux)")


@needs_fadvise
def test_a_cold_window_is_read_into_memory_ahead_of_this_process(windows):
    """The real thing: evicted files are not in memory; once the reader has advised the first
    window (and only it: no token came for the next), its files arrive in the page cache
    without this process reading them."""
    _evict(windows[0] + windows[1])
    r = _pipe_with(0)
    prefetch._warm(windows, r)
    os.close(r)
    deadline = time.monotonic() + 10
    while not all(resident(p) for p in windows[0]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(resident(p) for p in windows[0])
    assert not any(resident(p) for p in windows[1])


@needs_fadvise
def test_a_window_already_in_memory_is_not_read_ahead(windows, asked):
    for path in windows[0] + windows[1]:
        with open(path, "rb") as fh:
            fh.read()
    _evict(windows[2])
    assert prefetch._in_memory(windows[0] + windows[1]) and not prefetch._in_memory(windows[2][:1])
    assert not any(resident(p) for p in windows[2])  # probing started no read
    r = _pipe_with(2)
    prefetch._warm(windows, r)
    os.close(r)
    assert asked == windows[2]  # the two windows in memory cost only their probes


def test_the_reader_reads_the_first_window_unasked_then_one_per_token(windows, asked, monkeypatch):
    monkeypatch.setattr(prefetch, "_in_memory", lambda paths: False)  # only the pipe paces it
    r = _pipe_with(1)
    prefetch._warm(windows, r)
    os.close(r)
    assert asked == windows[0] + windows[1]  # the first window, one token, one more; then EOF


def test_the_reader_skips_files_it_cannot_open_and_does_not_hang_on_a_fifo(tmp_path, windows):
    """Between its stat and the read ahead a corpus path may be deleted or become a FIFO,
    whose plain open waits for a writer forever; the reader opens without blocking, and
    neither stops it (the probe included)."""
    fifo = tmp_path / "swapped.txt"
    os.mkfifo(fifo)
    gone = str(tmp_path / "deleted.txt")
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the reader blocked on the FIFO"))
    signal.alarm(10)
    try:
        assert prefetch._in_memory([gone, str(fifo)]) is True  # neither has anything to read ahead
        for path in (gone, str(fifo), windows[0][0]):
            prefetch._ask(path)
        r = _pipe_with(0)
        prefetch._warm([[str(fifo), gone] + windows[0]], r)
        os.close(r)
    finally:
        signal.alarm(0)


def test_a_prefetch_forks_only_for_enough_files_and_reaps_its_child(windows, monkeypatch):
    monkeypatch.setattr(prefetch, "MIN_FILES", 20)
    with Prefetch(windows[:1]) as few:  # 10 files
        few.advance()  # a no-op: no reader
        assert few.pid == 0
    with Prefetch(windows) as ahead:
        pid = ahead.pid
        assert pid > 0
        for _ in windows:
            ahead.advance()
    assert ahead.pid == 0 and ahead.fd == -1
    with pytest.raises(ChildProcessError):  # waited for: no zombie left behind
        os.waitpid(pid, 0)


def test_advancing_after_the_reader_finished_is_harmless(windows, monkeypatch):
    """The child has nothing to read (every window judged in memory) and exits after its
    last window; the writes that follow meet a closed pipe, which ends the prefetch instead
    of the run."""
    monkeypatch.setattr(prefetch, "MIN_FILES", 20)
    monkeypatch.setattr(prefetch, "_in_memory", lambda paths: True)
    with Prefetch(windows) as ahead:
        pid = ahead.pid
        ahead.advance()
        ahead.advance()  # the third and last window's token
        os.waitpid(pid, 0)  # the child has gone through its windows and exited
        ahead.pid = 0  # reaped here
        for _ in range(3):
            ahead.advance()
        assert ahead.fd == -1  # the broken pipe closed it


def test_no_fork_or_no_pipe_means_no_reader_and_no_leaked_descriptor(windows, monkeypatch):
    def fail(*_):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(prefetch, "MIN_FILES", 20)
    before = len(os.listdir("/proc/self/fd"))
    for name in ("fork", "pipe"):
        with monkeypatch.context() as m:
            m.setattr(prefetch.os, name, fail)
            with Prefetch(windows) as ahead:
                ahead.advance()  # nothing to tell: the windows are read here
                assert (ahead.pid, ahead.fd) == (0, -1)
    assert len(os.listdir("/proc/self/fd")) == before
