"""The reader that warms the page cache one window ahead of the index build
(newslint.corpus.prefetch), on BBC articles."""

from __future__ import annotations

import os

import pytest

from newslint.corpus import prefetch
from newslint.corpus.prefetch import Prefetch

from conftest import BBC, need  # noqa: E402


@pytest.fixture
def windows() -> list[list[str]]:
    paths = sorted(str(p) for p in need(BBC).glob("business/*.txt"))[:30]
    return [paths[0:10], paths[10:20], paths[20:30]]


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """The paths the reader opens (it runs in this process in these tests, not forked)."""
    seen: list[str] = []
    real = os.open

    def spy(path, *a, **k):
        seen.append(path)
        return real(path, *a, **k)

    monkeypatch.setattr(prefetch.os, "open", spy)
    return seen


def _pipe_with(tokens: int) -> int:
    """The read end of a pipe holding `tokens` bytes, its write end closed (EOF after them)."""
    r, w = os.pipe()
    os.write(w, b"." * tokens)
    os.close(w)
    return r


def test_the_reader_reads_one_window_per_token_and_stops_at_eof(windows, opened, monkeypatch):
    monkeypatch.setattr(prefetch, "_WARM_SECONDS", 0.0)  # never judged warm: only the pipe paces it
    r = _pipe_with(2)
    prefetch._warm(windows, r)
    os.close(r)
    assert opened == windows[0] + windows[1]  # two tokens, two windows, in order; then EOF


def test_the_reader_gives_up_once_its_sample_reads_from_memory(windows, opened, monkeypatch):
    """A warm page cache makes the reads pure CPU: after its sample the reader quits though
    the pipe would let it read every window. (The threshold is raised so that the decision,
    not this machine's speed, is what the test holds.)"""
    monkeypatch.setattr(prefetch, "_SAMPLE", 4)
    monkeypatch.setattr(prefetch, "_WARM_SECONDS", 1.0)
    r = _pipe_with(3)
    prefetch._warm(windows, r)
    os.close(r)
    assert opened == windows[0][:4]


def test_the_reader_skips_files_it_cannot_open(tmp_path, windows, opened, monkeypatch):
    monkeypatch.setattr(prefetch, "_WARM_SECONDS", 0.0)
    gone = str(tmp_path / "deleted.txt")
    r = _pipe_with(1)
    prefetch._warm([[gone] + windows[0]], r)
    os.close(r)
    assert opened == [gone] + windows[0]


def test_a_prefetch_forks_only_for_two_windows_or_more_and_reaps_its_child(windows):
    with Prefetch(windows[:1]) as one:
        one.advance()  # a no-op: nothing to read ahead
        assert one.pid == 0
    with Prefetch(windows) as ahead:
        pid = ahead.pid
        assert pid > 0
        for _ in windows:
            ahead.advance()
    assert ahead.pid == 0 and ahead.fd == -1
    with pytest.raises(ChildProcessError):  # waited for: no zombie left behind
        os.waitpid(pid, 0)


def test_advancing_after_the_reader_gave_up_is_harmless(windows, monkeypatch):
    """The child quits at once (judged warm after one file); the writes that follow meet a
    closed pipe, which ends the prefetch instead of the run."""
    monkeypatch.setattr(prefetch, "_SAMPLE", 1)
    monkeypatch.setattr(prefetch, "_WARM_SECONDS", 1.0)
    with Prefetch(windows) as ahead:
        pid = ahead.pid
        ahead.advance()
        os.waitpid(pid, 0)  # the child has read its one file and exited
        ahead.pid = 0  # reaped here
        for _ in range(3):
            ahead.advance()
        assert ahead.fd == -1  # the broken pipe closed it


def test_a_path_swapped_for_a_fifo_does_not_hang_the_reader(tmp_path, windows, opened, monkeypatch):
    """Between its stat and the read ahead a corpus path may become a FIFO, whose plain open
    waits for a writer forever; the reader opens without blocking and goes on."""
    import signal

    fifo = tmp_path / "swapped.txt"
    os.mkfifo(fifo)
    monkeypatch.setattr(prefetch, "_WARM_SECONDS", 0.0)
    r = _pipe_with(1)
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the reader blocked on the FIFO"))
    signal.alarm(10)
    try:
        prefetch._warm([[str(fifo)] + windows[0]], r)
    finally:
        signal.alarm(0)
        os.close(r)
    assert opened == [str(fifo)] + windows[0]


def test_no_fork_or_no_pipe_means_no_reader_and_no_leaked_descriptor(windows, monkeypatch):
    def fail(*_):
        raise OSError(11, "Resource temporarily unavailable")

    before = len(os.listdir("/proc/self/fd"))
    for name in ("fork", "pipe"):
        with monkeypatch.context() as m:
            m.setattr(prefetch.os, name, fail)
            with Prefetch(windows) as ahead:
                ahead.advance()  # nothing to tell: the windows are read here
                assert (ahead.pid, ahead.fd) == (0, -1)
    assert len(os.listdir("/proc/self/fd")) == before
