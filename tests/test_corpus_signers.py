"""newslint.corpus.signers: signing processes forked once for a build of many windows."""

from __future__ import annotations

import os
import signal

import pytest

from newslint.corpus import CorpusOptions, analyze, engine
from newslint.corpus.shingle import ShingleSettings, content_hash
from newslint.corpus.signers import SignerPool

from conftest import BBC, need  # noqa: E402
from test_corpus_minhash import _facts_key  # noqa: E402


@pytest.fixture(scope="module")
def windows():
    """Three windows of real articles, each big enough to be shared with the signers."""
    need(BBC)
    datas = []
    for path in sorted(BBC.rglob("*.txt"))[:3 * (engine._POOL_MIN + 40)]:
        datas.append(path.read_bytes())
    datas.append(b"\xff\xfe not utf-8")  # a file that is not text comes back as such
    items = [(content_hash(d), d) for d in dict.fromkeys(datas)]
    size = len(items) // 3 + 1
    return [items[i:i + size] for i in range(0, len(items), size)]


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.parametrize("jobs", [2, 3])
def test_the_signers_forked_once_sign_every_window_as_this_process_would(windows, jobs):
    before = open_descriptors()
    with SignerPool(jobs, ShingleSettings(), 128, 1) as pool:
        pids = [w[0] for w in pool.workers]
        assert len(pids) == jobs - 1
        for items in windows:
            signed = pool.sign(items)
            assert len(signed) == len(items)
            assert _facts_key(signed) == _facts_key(engine.sign_many(items, ShingleSettings(), 128, 1))
        assert [w[0] for w in pool.workers] == pids  # the same processes served every window
    for pid in pids:  # ended and reaped when the pool was left
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    assert open_descriptors() == before


def test_a_signer_that_dies_costs_time_not_documents(windows, caplog):
    before = open_descriptors()
    with SignerPool(2, ShingleSettings(), 128, 1) as pool:
        first = pool.sign(windows[0])
        os.kill(pool.workers[0][0], signal.SIGKILL)  # killed between two windows (out of memory, say)
        with caplog.at_level("WARNING", logger="newslint.corpus"):
            second = pool.sign(windows[1])
        assert "signing process failed" in caplog.text
        assert pool.workers == []  # forgotten; what is left is signed here
        third = pool.sign(windows[2])
    for items, signed in zip(windows, (first, second, third)):
        assert _facts_key(signed) == _facts_key(engine.sign_many(items, ShingleSettings(), 128, 1))
    assert open_descriptors() == before


def test_an_interrupt_while_signing_ends_the_signers(windows, monkeypatch):
    """Ctrl-C while this process signs its share: the interrupt reaches the caller, the
    signer (mid-share) is killed and reaped, no descriptor is left open."""
    before = open_descriptors()
    real = engine.sign_many

    def interrupted(items, *args):
        if len(items) < len(windows[0]):  # this process's share, not a whole window
            raise KeyboardInterrupt
        return real(items, *args)

    with pytest.raises(KeyboardInterrupt):
        with SignerPool(2, ShingleSettings(), 128, 1) as pool:
            pid = pool.workers[0][0]
            monkeypatch.setattr(engine, "sign_many", interrupted)
            pool.sign(windows[0])
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    assert open_descriptors() == before


def test_no_process_to_fork_means_signing_here(windows, monkeypatch):
    def fail(*_):
        raise OSError(11, "Resource temporarily unavailable")

    before = open_descriptors()
    monkeypatch.setattr(os, "fork", fail)
    with SignerPool(2, ShingleSettings(), 128, 1) as pool:
        assert pool.workers == []
        signed = pool.sign(windows[0])
    monkeypatch.undo()
    assert _facts_key(signed) == _facts_key(engine.sign_many(windows[0], ShingleSettings(), 128, 1))
    assert open_descriptors() == before


def test_a_build_of_many_windows_signs_with_the_pool_and_finds_what_one_process_finds(monkeypatch):
    """The BBC corpus in windows of 500 files: two processes (the pool) and one give the same
    edges and diagnostics, and the pool's signers did sign."""
    need(BBC)
    monkeypatch.setattr(engine, "_READ_WINDOW", 500)
    shares = []
    real = SignerPool.sign

    def counted(self, items):
        shares.append(len(self.workers))
        return real(self, items)

    monkeypatch.setattr(SignerPool, "sign", counted)
    two = analyze(None, [str(BBC)], CorpusOptions(cwd=str(BBC), use_cache=False, use_git=False, jobs=2))
    assert len(shares) == 5 and all(n == 1 for n in shares)  # 2,225 files: five windows, one signer each
    one = analyze(None, [str(BBC)], CorpusOptions(cwd=str(BBC), use_cache=False, use_git=False, jobs=1))
    assert len(shares) == 5  # one process: no pool

    def edges(res):
        return sorted((e.code, e.a, e.b, e.jaccard) for e in res.edges)

    assert edges(two) == edges(one) and len(two.edges) > 150
    assert two.diagnostics == one.diagnostics
