"""Signing processes forked once for a first build of many windows, fed each window's share.

`engine.sign_pending` forks its signers anew for every window, so they find the window's data
in their copy of this process's memory. Over a first build of a million files this process
grows to 2.4 GB, and every fork copies its page tables and every page either side writes
while the child lives: the signing's system time grew with the square of the corpus (16.7 s
at a million files against 0.75 s at 100,000; an idle fork and exit of a 1.8 GB Python
process measured 77 ms). A `SignerPool` forks its signers at the build's start, while this
process is small, and sends each window's share through a pipe as a pickle (a few tens of MB a window,
a few ms); the results come back as `sign_pending`'s children send them.

A signer that cannot be started, dies or sends a broken answer costs time, not documents:
its share is signed here, as `sign_pending` does for a failed child.
"""

from __future__ import annotations

import logging
import os
import pickle

from newslint.corpus.fork import fork_child

log = logging.getLogger("newslint.corpus")


def _serve(requests: int, answers: int, settings, num_perm: int, seed: int) -> None:
    """A signer's life: sign each share it is sent (one pickle each way, through buffered
    pipe files: pickle reads exactly one message), until its request pipe closes."""
    from newslint.corpus.engine import pack_facts, sign_many

    # descriptors inherited from the parent (the index, the prefetch reader's pipe, other
    # signers' pipes) would keep their other ends from seeing end of file
    for fd in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else ():
        if int(fd) > 2 and int(fd) not in (requests, answers):
            try:
                os.close(int(fd))
            except OSError:
                pass
    with os.fdopen(requests, "rb") as inbox, os.fdopen(answers, "wb") as outbox:
        while True:
            try:
                items = pickle.load(inbox)
            except EOFError:
                return
            pickle.dump(pack_facts(sign_many(items, settings, num_perm, seed)), outbox, protocol=5)
            outbox.flush()


class SignerPool:
    """`sign(items)`: `engine.sign_pending`'s results, signed by this process and `jobs - 1`
    signers forked when the pool opens. A context manager: leaving it ends the signers."""

    def __init__(self, jobs: int, settings, num_perm: int, seed: int):
        self.settings, self.num_perm, self.seed = settings, num_perm, seed
        self.workers: list[list] = []  # [pid, request file, answer file] of each live signer
        for _ in range(max(0, jobs - 1)):
            try:
                self.workers.append(self._start())
            except OSError:  # no process or pipe to be had: fewer signers (none: all signed here)
                log.info("corpus: a signing process could not be started")
                break

    def _start(self) -> list:
        req_r, req_w = os.pipe()
        try:
            pid, ans_r = fork_child(lambda ans_w: _serve(req_r, ans_w, self.settings, self.num_perm, self.seed),
                                    parent_reads=True)
        except OSError:
            os.close(req_r)
            os.close(req_w)
            raise
        os.close(req_r)
        return [pid, os.fdopen(req_w, "wb"), os.fdopen(ans_r, "rb")]

    def sign(self, items: list[tuple[bytes, bytes]]) -> list:
        from newslint.corpus.engine import _POOL_MIN, _shares, sign_many, unpack_facts

        if not self.workers or len(items) < _POOL_MIN:
            return sign_many(items, self.settings, self.num_perm, self.seed)
        shares = _shares([len(d) for _, d in items], len(self.workers) + 1)
        sent = []  # (worker, lo, hi) of each share handed out
        for worker, (lo, hi) in zip(list(self.workers), shares[1:]):
            try:
                pickle.dump(items[lo:hi], worker[1], protocol=5)
                worker[1].flush()
                sent.append((worker, lo, hi))
            except OSError:  # it died: its share is signed here below
                self._lost(worker)
                sent.append((None, lo, hi))
        lo, hi = shares[0]
        out = sign_many(items[lo:hi], self.settings, self.num_perm, self.seed)
        for worker, lo, hi in sent:
            packed = None
            if worker is not None:
                try:
                    packed = pickle.load(worker[2])
                except Exception:  # no answer (end of file) or a broken one
                    pass
                if packed is None:
                    self._lost(worker)
            if packed is None:
                log.warning("corpus: a signing process failed; signing its %d documents in-process", hi - lo)
                out.extend(sign_many(items[lo:hi], self.settings, self.num_perm, self.seed))
            else:
                out.extend(unpack_facts(packed))
        return out

    def _lost(self, worker: list) -> None:
        """End one signer (dead or misbehaving) and forget it."""
        if worker in self.workers:
            self.workers.remove(worker)
        self._end(worker, kill=True)

    @staticmethod
    def _end(worker: list, kill: bool) -> None:
        pid, requests, answers = worker
        for fh in (requests, answers):
            try:
                fh.close()  # the requests' end of file tells a signer to finish
            except OSError:  # its buffer could not be flushed to a dead signer
                pass
        try:
            if kill:
                os.kill(pid, 9)
            os.waitpid(pid, 0)
        except OSError:
            pass

    def close(self, kill: bool = True) -> None:
        """End every signer: killed (it may be mid-share), or, at the end of a build that went
        well, by the end of file of its requests (it has nothing more to do)."""
        workers, self.workers = self.workers, []
        for worker in workers:
            self._end(worker, kill=kill)

    def __enter__(self) -> "SignerPool":
        return self

    def __exit__(self, exc_type, *_) -> None:
        self.close(kill=exc_type is not None)
