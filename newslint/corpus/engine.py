"""The corpus pass: refresh the index, find candidate pairs, verify them exactly, report.

    corpus paths ──stat──▶ unchanged? content hash from the stat cache (file not read)
                 ──read──▶ content hash ──known?──▶ facts from the index (not re-signed)
                                        ──new────▶ shingles + MinHash (shared with forked processes when many)
    facts ──LSH bands (r=2)──▶ candidate pairs touching a queried file
          ──exact Jaccard / containment on the shingle fingerprint sets──▶ edges
          ──line fingerprints' document frequency──▶ corpus boilerplate
    edges ──▶ FileFindings per queried file ──rules (NL401/402/403/202)──▶ Diagnostics
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import stat as statmod
import time
from array import array
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from newslint.corpus import minhash as mh
from newslint.corpus.shingle import (
    DocFacts,
    ShingleSettings,
    content_hash,
    doc_facts,
    isin,
    sorted_unique,
    verification_set,
    value_counts,
)
from newslint.corpus.textfacts import EMPTY_NORMHASH
from newslint.corpus.model import (  # noqa: F401  (CorpusOptions, CorpusStats, Edge, FileFindings: re-exported)
    TOO_LARGE, CorpusOptions, CorpusStats, Edge, FileFindings, add_edge_findings, classify, corpus_bytes, decode_text,
    file_edges, left_out_note, opened_path, relative, rule_diagnostics,
)
from newslint.corpus.fork import fork_child
from newslint.corpus.prefetch import READ_NONBLOCKING, Prefetch
from newslint.corpus.signers import SignerPool
from newslint.corpus.verify import UnionFind, could_pass, similarity
from newslint.diagnostics import Diagnostic
from newslint.files import stat_key
from newslint.gcpause import collector_paused, freeze_survivors

log = logging.getLogger("newslint.corpus")

MAX_BYTES = 50 * 1024 * 1024
_READ_WINDOW = 20_000  # files read before their new contents are signed (bounds the raw text held)
_VERIFY_BLOCK = 10_000  # candidate pairs whose shingle sets are held at once
_POOL_MIN = 400  # fewer new documents than this are signed in-process (forking costs more)


@dataclass
class CorpusResult:
    diagnostics: dict[str, list[Diagnostic]]
    findings: dict[str, FileFindings]
    edges: list[Edge]
    stats: CorpusStats
    notes: list[str]
    skipped: list[str]  # display names of files left out (not text)
    index_location: str = ""
    # NL202's data, for `ctx.settings["corpus-boilerplate"]` (see CorpusBoilerplate.check)
    boilerplate: dict = field(default_factory=dict)
    # queried files this pass opened and read (display name -> size when stat'ed): their
    # open succeeded, so `check` need not open them again to find which cannot be read (each
    # name is opened as the system resolves it: model.opened_path)
    opened: dict[str, int] = field(default_factory=dict)
    # display names of corpus files found but not readable (a broken symlink, no permission)
    unreadable: list[str] = field(default_factory=list)
    # (display name, reason) of folders the corpus walk could not list: their files are left out
    unlisted: list[tuple[str, str]] = field(default_factory=list)

    def clusters(self) -> list[dict]:
        """Connected components of the verified edges: members and pairwise figures."""
        uf = UnionFind()
        for e in self.edges:
            uf.union(e.a, e.b)
        by_root: dict[str, list[Edge]] = {}
        for e in self.edges:
            by_root.setdefault(uf.find(e.a), []).append(e)
        out = []
        for members in uf.groups():
            # each pair named in path order: an edge's own order follows the order the files were
            # read in, which differs between a run that builds the index and one that reuses it
            pairs = sorted((e.a, e.b, e.code, e.jaccard, e.containment_ab, e.containment_ba) if e.a <= e.b else
                           (e.b, e.a, e.code, e.jaccard, e.containment_ba, e.containment_ab)
                           for e in by_root.get(uf.find(members[0]), []))
            out.append({
                "members": members,
                "pairs": [
                    {"a": a, "b": b, "code": code, "jaccard": round(j, 4),
                     "containment_a_in_b": round(ab, 4),
                     "containment_b_in_a": round(ba, 4)}
                    for a, b, code, j, ab, ba in pairs
                ],
            })
        out.sort(key=lambda c: (-len(c["members"]), c["members"]))
        return out


# -- reading and signing ------------------------------------------------------------------

def skip_facts(chash: bytes) -> DocFacts:
    empty64 = np.zeros(0, dtype=np.uint64)
    return DocFacts(chash, b"", "skip", 0, empty64, np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64), 1, 0)


def sign(data: bytes, settings: ShingleSettings, num_perm: int, seed: int, chash: bytes | None = None) -> DocFacts:
    text = decode_text(data)
    if text is None:
        return skip_facts(chash or content_hash(data))
    facts = doc_facts(data, text, settings, chash)
    facts.sig = mh.signature(facts.shingles, num_perm, seed)
    return facts


def sign_many(items: list[tuple[bytes, bytes]], settings: ShingleSettings, num_perm: int, seed: int) -> list[DocFacts]:
    """`sign` for many (content hash, data): fingerprints and signatures computed in groups."""
    from newslint.corpus.shingle import batch_facts

    out: list[DocFacts] = []
    texts = []
    for chash, data in items:
        text = decode_text(data)
        if text is None:
            out.append(skip_facts(chash))
        else:
            texts.append((chash, data, text))
    facts = batch_facts(texts, settings)
    sigs = mh.signatures([f.shingles for f in facts], num_perm, seed)
    for f, sig in zip(facts, sigs):
        f.sig = sig
    return out + facts


def pack_facts(facts: list[DocFacts]) -> tuple:
    """Many DocFacts as a few flat arrays: what crosses a pipe. Pickling one object and three
    small arrays per document cost as much as the signing saved on two cores."""
    scalars = [(f.chash, f.normhash, f.mode, f.n, f.head_row, f.head_len) for f in facts]
    # the receiver only stores and verifies the shingles: their low 32 bits are all it needs
    shingles = _flat([f.shingles for f in facts])
    return (scalars, (shingles[0], shingles[1].astype(np.uint32))) + tuple(
        _flat([getattr(f, name) for f in facts]) for name in ("line_hashes", "sig"))


def unpack_facts(packed: tuple) -> list[DocFacts]:
    scalars, shingles, lines, sigs = packed
    return [DocFacts(chash=c, normhash=h, mode=mode, n=n, shingles=sh, sig=sig, line_hashes=ln,
                     head_row=hr, head_len=hl)
            for (c, h, mode, n, hr, hl), sh, ln, sig in zip(scalars, _split(*shingles), _split(*lines), _split(*sigs))]


def _flat(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(sizes, all values) of a list of 1-d arrays of one dtype."""
    sizes = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
    return sizes, (np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.uint64))


def _split(sizes: np.ndarray, values: np.ndarray) -> list[np.ndarray]:
    return np.split(values, np.cumsum(sizes)[:-1]) if sizes.size else []


def sign_pending(items: list[tuple[bytes, bytes]], settings: ShingleSettings, num_perm: int, seed: int,
                 jobs: int) -> list[DocFacts]:
    """`sign_many` for many new documents, shared with `jobs - 1` forked processes when there
    are enough. The children are forked after every file is read, so they find the data in
    their copy of this process's memory; each signs a share of about equal bytes and sends
    its results back through a pipe as a few flat arrays, while this process signs the first
    share. (A multiprocessing pool left this process idle and cost its task and result
    threads: measured slower than this on two cores.) A refresh of more than one window signs
    with newslint.corpus.signers.SignerPool instead: forked once, not from a grown process."""
    if jobs <= 1 or len(items) < _POOL_MIN or not hasattr(os, "fork"):
        return sign_many(items, settings, num_perm, seed)
    shares = _shares([len(d) for _, d in items], jobs)
    children: list[tuple[int, int]] = []
    try:
        for lo, hi in shares[1:]:
            try:
                children.append(_fork_signer(items[lo:hi], settings, num_perm, seed))
            except OSError:  # no process or pipe to be had: signed here, as a failed child's share
                children.append((0, -1))
        lo, hi = shares[0]
        out = sign_many(items[lo:hi], settings, num_perm, seed)
        for k, (pid, fd) in enumerate(children):
            children[k] = (pid, -1)  # _collect closes fd, also when interrupted while it waits for the child
            packed = _collect(pid, fd) if pid else None
            children[k] = (0, -1)
            lo, hi = shares[k + 1]
            if packed is None:  # the child died (killed, out of memory) or never ran: its share is signed here
                log.warning("corpus: a signing process failed; signing its %d documents in-process", hi - lo)
                out.extend(sign_many(items[lo:hi], settings, num_perm, seed))
            else:
                out.extend(unpack_facts(packed))
        return out
    finally:
        for pid, fd in children:  # only after an exception: do not leave workers behind
            if pid:
                if fd >= 0:
                    os.close(fd)
                try:
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                except OSError:
                    pass


def _shares(sizes: list[int], parts: int) -> list[tuple[int, int]]:
    """`parts` consecutive (lo, hi) ranges of about equal total size (none empty)."""
    total = sum(sizes) or 1
    bounds, acc, k = [0], 0, 1
    for i, size in enumerate(sizes):
        acc += size
        if k < parts and acc >= total * k / parts and i + 1 < len(sizes):
            bounds.append(i + 1)
            k += 1
    bounds.append(len(sizes))
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def _fork_signer(items: list[tuple[bytes, bytes]], settings: ShingleSettings, num_perm: int,
                 seed: int) -> tuple[int, int]:
    """(pid, read end of its pipe) of a forked child that signs `items` and writes the
    pickled `pack_facts` of the result."""
    import pickle

    def work(w: int) -> None:
        data = pickle.dumps(pack_facts(sign_many(items, settings, num_perm, seed)), protocol=5)
        with os.fdopen(w, "wb") as fh:
            fh.write(data)

    return fork_child(work, parent_reads=True)


def _collect(pid: int, fd: int):
    """What a `_fork_signer` child sent (None if it failed), once it has exited."""
    import pickle

    with os.fdopen(fd, "rb") as fh:
        data = fh.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return None
    try:
        return pickle.loads(data)
    except Exception:  # a truncated stream: the child died while writing
        return None


def read_file(path: str) -> bytes | None:
    """The file's bytes; for a file over MAX_BYTES a marker (size + first MiB), never the file.

    Not `read(MAX_BYTES + 1)`: CPython allocates the whole size first (an mmap) and shrinks
    it in place, leaving one memory map per file read; 65,530 files exhaust vm.max_map_count.
    None for a path that is no longer a regular file: the caller's stat saw one, but it may
    have been swapped since, and opening a FIFO waits for a writer (so it is opened without
    blocking, as newslint.source._open_regular does, without its second stat on this hot path).
    Plain os.read calls, not a file object: io.open's own fstat and isatty probe and the
    buffered reader cost 2.7 of 6.7-7.0 us a file (50,000 generated articles, warm), and
    every file of a first build or a `--no-cache` check passes here.
    """
    try:
        fd = os.open(path, READ_NONBLOCKING)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not statmod.S_ISREG(st.st_mode):
            return None
        if st.st_size > MAX_BYTES:
            return TOO_LARGE + str(st.st_size).encode() + b"\0" + _read_upto(fd, 1 << 20)
        data = os.read(fd, st.st_size + 1)  # the whole file, as its stat measured it
        if not data:
            return data
        more = os.read(fd, 1 << 16)  # b"": the end; else it grew since the stat: read on to its end
        return data if not more else data + more + _read_upto(fd, -1)
    except OSError:
        return None
    finally:
        os.close(fd)


def _read_upto(fd: int, limit: int) -> bytes:
    """Up to `limit` bytes (-1: all) from `fd`'s position to its end."""
    parts = []
    while limit:
        chunk = os.read(fd, 1 << 20 if limit < 0 else min(limit, 1 << 20))
        if not chunk:
            break
        parts.append(chunk)
        if limit > 0:
            limit -= len(chunk)
    return b"".join(parts)


# -- the pass -------------------------------------------------------------------------------

def open_index(options: CorpusOptions, root: str, must_persist: bool = False):
    from newslint.corpus.store import MemoryIndex, SqliteIndex

    settings = options.index_settings()
    if not options.use_cache:
        return MemoryIndex(settings)
    if options.index_url:
        from newslint.corpus.redis_index import RedisIndex

        return RedisIndex(options.index_url, root, settings, options, rebuild=options.rebuild)
    import sqlite3

    try:
        if options.cache_dir:
            from newslint.cache import mark_cache_dir
            from newslint.corpus.store import DB_NAME

            path = os.path.join(mark_cache_dir(options.cache_dir), DB_NAME)
            return SqliteIndex(root, settings, path=path, rebuild=options.rebuild)
        return SqliteIndex(root, settings, rebuild=options.rebuild)
    except (OSError, sqlite3.OperationalError) as exc:
        if isinstance(exc, sqlite3.OperationalError) and "unable to open" not in str(exc):
            raise  # locked or busy past the timeout: not a folder problem
        if must_persist:  # `newslint index`: an index kept in memory is no index built
            raise RuntimeError(f"cannot save the corpus index: {exc}") from None
        # a cache folder that cannot be made or written (a read-only checkout) costs speed,
        # not the run: this run keeps its index in memory
        index = MemoryIndex(settings)
        index.notes.append(f"corpus index disabled ({exc}); this run keeps it in memory")
        return index


def _home_of(cwd: str, files) -> str:
    """Where to look for the git repository of the checked files: the cwd when they all lie
    below it (a hook, CI: one string test a file), else the folder they share. Run from
    outside the repository, or from another one, the copy of a committed article was compared
    with nothing, or with the other repository's files (found by a review)."""
    prefix = cwd.rstrip(os.sep) + os.sep
    if all(p.startswith(prefix) for p in files):
        return cwd
    try:
        return os.path.commonpath([os.path.dirname(p) for p in files])
    except ValueError:  # no files, or paths on different drives
        return cwd


class CorpusRun:
    def __init__(self, options: CorpusOptions, files_only: bool = False):
        self.options = options
        self.stats = CorpusStats()
        self.notes: list[str] = []
        self.files_only = files_only  # the query paths are files (from `check`'s discovery): no stat each
        self.git_raw: list[bytes] = []  # `git ls-files -s -z` when the corpus is the git repository
        self.tracked = 0  # how many of the corpus paths (the first ones) git tracks
        self.stamps = array("q")  # per corpus path, the hash of its stat key before it was read (_stat_all)
        self.opened: dict[str, int] = {}  # see CorpusResult.opened
        self.unreadable: list[str] = []  # see CorpusResult.unreadable
        self.unlisted: list[tuple[str, OSError]] = []  # see CorpusResult.unlisted

    # 1. which files
    def files(self, query_paths: list[str], corpus_paths: list[str] | None):
        from newslint.corpus.discover import corpus_files, git_trouble, walk

        o = self.options
        cwd = self.cwd
        query_abs: dict[str, str] = {}  # abs -> display (as given; walked files relative to the cwd)
        for q in query_paths or []:
            absq = opened_path(cwd, q)
            if not self.files_only and os.path.isdir(absq):
                # named as newslint.files.discover names them (the folder as given, joined with
                # the walked remainder), so the keys match the file linter's
                for p in walk([absq], o.include, o.exclude, base=cwd, unlisted=self.unlisted):
                    p = os.path.normpath(p)
                    query_abs.setdefault(p, os.path.join(q, relative(p, absq)))
            else:
                query_abs.setdefault(absq, q)
        if corpus_paths:
            corpus, top = corpus_files(corpus_paths, o.include, o.exclude, cwd, use_git=False,
                                       unlisted=self.unlisted)
        elif o.use_git:
            # the repository is the one holding the files checked, wherever the run started
            home = cwd if query_paths is None else _home_of(cwd, query_abs)
            # outside git, the paths given are the corpus: walking the cwd (say / or /tmp) too
            # would cost a walk of everything below it, for a list thrown away
            corpus, top = corpus_files(None, o.include, o.exclude, home, use_git=True, raw_out=self.git_raw,
                                       walk_outside_git=query_paths is None, unlisted=self.unlisted)
            self.tracked = len(corpus) if top is not None else 0
            if top is None and query_paths is not None:  # outside git: the paths given
                corpus = list(query_abs)
                trouble = git_trouble(home)
                if trouble:  # in a repository git would not read: say so, or the hook passes silently
                    self.notes.append(f"{trouble}; the cross-file rules compared only the files given, "
                                      f"not the repository's other files")
        elif query_paths is None:
            corpus, top = corpus_files(None, o.include, o.exclude, cwd, use_git=False, unlisted=self.unlisted)
        else:
            corpus, top = list(query_abs), None
        seen = set(corpus)
        corpus.extend(p for p in query_abs if p not in seen)
        if query_paths is None:  # everything is queried
            query_abs = {p: relative(p, cwd) for p in corpus}
        return query_abs, corpus, top

    def _unlisted(self) -> list[tuple[str, str]]:
        return sorted((relative(f, self.cwd), exc.strerror or str(exc)) for f, exc in self.unlisted)

    def display(self, path: str) -> str:
        name = self.query_abs.get(path)
        if name is not None:
            return name
        return relative(path, self.cwd)

    # 2. content hashes and facts
    def refresh(self, index, corpus: list[str]) -> tuple[dict[str, bytes], dict[bytes, tuple]]:
        """(path -> content hash for every readable corpus file, content hash -> light_row of
        each content signed this run). The new facts go to the index; only their light rows
        stay here (a million documents' DocFacts would be ~1.3 GB more)."""
        with collector_paused():  # a million stat rows and stat results, all kept (newslint.gcpause)
            chash_of, to_read, gone, first = self._stat_all(index, corpus)
        self.stats.dropped = len(gone)
        # read in inode order: close to the order on disk, so a cold page cache is read mostly
        # sequentially (measured 3x faster on 30,000 cold files than path order, where files
        # were written in another order than their names'); on a warm cache it costs a sort
        to_read.sort(key=lambda item: item[1][2])
        return self._read_new(index, to_read, chash_of, gone, first)

    def _stat_all(self, index, corpus: list[str]) -> tuple[dict[str, bytes], list[tuple[str, tuple]], list[str], bool]:
        """(content hashes of the files unchanged by stat, (path, stat key) of the others,
        the index's paths gone from the corpus, whether the index knew no file at all)."""
        rows = index.stat_rows()
        chash_of: dict[str, bytes] = {}
        to_read: list[tuple[str, tuple]] = []
        gone: list[str] = []
        # each file's stat as its content was taken, for the snapshot to see it moved since
        # (8 bytes a file; _moved_since_read)
        stamps = self.stamps = array("q", bytes(8 * len(corpus)))
        for i, p in enumerate(corpus):
            try:
                st = os.stat(p)
            except OSError:
                if p in rows:
                    gone.append(p)
                if os.path.lexists(p):  # there, and not readable (not a file deleted since)
                    self.unreadable.append(p)
                continue
            if not statmod.S_ISREG(st.st_mode):
                continue
            if st.st_size > self.options.max_bytes:  # NL503 (max-file-size): skipped, not read
                continue
            key = stat_key(st)
            stamps[i] = hash(key)
            row = rows.get(p)
            if row is not None and row[:3] == key:
                chash_of[p] = row[3]
                self.stats.stat_hits += 1
            else:
                to_read.append((p, key))
        corpus_set = set(corpus)
        for p in rows:
            if p not in corpus_set and not os.path.lexists(p):
                gone.append(p)
        return chash_of, to_read, gone, not rows

    def _read_new(self, index, to_read: list[tuple[str, tuple]], chash_of: dict[str, bytes],
                  gone: list[str], first: bool) -> tuple[dict[str, bytes], dict[bytes, tuple]]:
        """Read, sign and commit the files `to_read` (see refresh)."""
        fresh: dict[bytes, tuple] = {}
        seen: set[bytes] = set()
        # a window of files at a time: read, sign the new contents, commit. Memory holds one
        # window's text; a persistent index keeps the shingle sets (verification reads back
        # the few it needs), so a first index build does not hold the whole corpus's. A forked
        # reader warms the page cache with the next window meanwhile (newslint.corpus.prefetch).
        windows = [to_read[w:w + _READ_WINDOW] for w in range(0, len(to_read), _READ_WINDOW)]
        # a first build of many windows: the index's upkeep it needs no part of, left to the end
        build = getattr(index, "first_build", None) if first and len(windows) > 1 else None
        o = self.options
        jobs = o.jobs or os.cpu_count() or 1
        # many windows: signers forked once, now, while this process is small (newslint.corpus.signers);
        # made before the prefetch reader, so that they do not hold its pipe
        pool = SignerPool(jobs, o.shingles, o.num_perm, o.seed) if len(windows) > 1 and jobs > 1 and \
            hasattr(os, "fork") else None
        with (pool or contextlib.nullcontext()), \
                Prefetch([[p for p, _ in window] for window in windows]) as ahead, \
                (build() if build else contextlib.nullcontext()):
            for window in windows:
                ahead.advance()
                # what the windows before left (a million entries at the end) is frozen out of
                # the collector's full passes
                freeze_survivors()
                self._read_window(index, window, chash_of, seen, fresh, gone if window is windows[0] else [], pool)
        if not to_read:
            index.commit([], {}, gone)
        self.stats.signed = sum(1 for row in fresh.values() if row[2] != "skip")
        return chash_of, fresh

    def _read_window(self, index, window: list[tuple[str, tuple]], chash_of: dict[str, bytes], seen: set[bytes],
                     fresh: dict[bytes, tuple], gone: list[str], pool=None) -> None:
        """Read one window of files, sign their new contents, commit them to the index."""
        o = self.options
        pending: list[tuple[bytes, bytes]] = []
        file_rows: dict[str, tuple] = {}
        for p, key in window:
            raw = read_file(p)
            if raw is None:
                self.unreadable.append(p)
            elif p in self.query_abs:
                self.opened[self.query_abs[p]] = key[0]
            data = corpus_bytes(raw, o.encoding)
            if data is None:
                continue
            c = content_hash(data)
            self.stats.hashed += 1
            chash_of[p] = c
            file_rows[p] = (*key, c)
            if c not in seen:
                seen.add(c)
                pending.append((c, data))
        known = index.known([c for c, _ in pending]) if pending else set()
        todo = [(c, data) for c, data in pending if c not in known]
        signed = pool.sign(todo) if pool is not None else \
            sign_pending(todo, o.shingles, o.num_perm, o.seed, o.jobs or os.cpu_count() or 1)
        del pending, todo
        index.commit(signed, file_rows, gone)
        for f in signed:
            fresh[f.chash] = light_row(f)

    def run(self, query_paths: list[str] | None, corpus_paths: list[str] | None,
            index_only: bool = False) -> CorpusResult:
        """query_paths None: every corpus file is queried (`newslint dups`)."""
        t0 = time.perf_counter()
        o = self.options
        self.cwd = os.path.abspath(o.cwd or os.getcwd())
        self.query_abs, corpus, top = self.files(query_paths, corpus_paths)
        self.stats.corpus_files = len(corpus)
        root = os.path.abspath(o.cache_root) if o.cache_root else (top or self.cwd)
        index = open_index(o, root, must_persist=index_only)
        self.notes.extend(index.notes)
        try:
            chash_of, fresh = self.refresh(index, corpus)
            if index_only:
                skipped = sorted(self.display(p) for p, c in chash_of.items() if c in fresh and fresh[c][2] == "skip")
                self.stats.skipped = len(skipped)
                self.stats.seconds = time.perf_counter() - t0
                return CorpusResult({}, {}, [], self.stats, self.notes, skipped, getattr(index, "location", ""),
                                    unreadable=sorted(map(self.display, self.unreadable)), unlisted=self._unlisted())
            # every corpus content as a light row (n, normhash, mode, sig, lines) ...
            table: dict[bytes, tuple] = fresh
            missing = set(chash_of.values()) - table.keys()
            table.update(index.bulk(missing))
            lost = missing - table.keys()
            again: list[DocFacts] = []
            if lost:  # dropped by a concurrent run, or a shared index was emptied: sign again
                relinked: dict[str, tuple] = {}
                for p, c in list(chash_of.items()):
                    if c not in lost:
                        continue
                    try:
                        st = os.stat(p)  # before the read, as refresh stats
                    except OSError:
                        continue
                    data = corpus_bytes(read_file(p), o.encoding)
                    if data is None:
                        continue
                    real = content_hash(data)
                    if real != c:  # a stale or damaged link (or the file rewritten since): it as it reads now
                        chash_of[p] = real
                        relinked[p] = (*stat_key(st), real)
                    if real not in table:
                        again.append(sign(data, o.shingles, o.num_perm, o.seed, real))
                        table[real] = light_row(again[-1])
                        self.stats.signed += 1
                index.commit(again, relinked, [])
                for p in [p for p, c in chash_of.items() if c not in table]:
                    del chash_of[p]  # gone or no longer text: left out of this run
            # DocFacts made from the light rows on first use (most contents never need theirs);
            # verification reads the few shingle sets it needs back from the index
            facts = LightFacts(table)
            facts.update((f.chash, f) for f in again)
            with collector_paused():  # a few million objects (pairs, positions, findings), kept
                result = self.analyze(index, chash_of, table, facts)
            result.index_location = getattr(index, "location", "")
            result.opened = self.opened
            result.unreadable = sorted(map(self.display, self.unreadable))
            result.unlisted = self._unlisted()
            if self._wants_snapshot(index, query_paths, corpus_paths, top):
                self._write_snapshot(index, corpus, chash_of, table, top)
        finally:
            index.close()
        self.stats.seconds = time.perf_counter() - t0
        log.info("corpus: %s", self.stats)
        return result

    # 2b. the snapshot the next hook run answers from (newslint.corpus.quick)
    def _wants_snapshot(self, index, query_paths, corpus_paths, top) -> bool:
        """After a run the quick path would have served (a few files checked against the git
        repository, on the local index): the next such run should not pay this one's cost."""
        from newslint.corpus.quick import QUICK_MAX_FILES
        from newslint.corpus.store import SqliteIndex

        o = self.options
        return (o.quick and top is not None and not corpus_paths and bool(self.git_raw) and o.rows <= 2
                and isinstance(index, SqliteIndex) and index.keep_docs and query_paths is not None
                and (len(self.query_abs) <= QUICK_MAX_FILES or o.snapshot))

    def _write_snapshot(self, index, corpus, chash_of, table, top) -> None:
        from newslint.corpus.discover import git_modified, git_output
        from newslint.corpus.quick import DELTA_MAX
        from newslint.corpus.snapshot import (
            SNAPSHOT_NAME, base_tree, listed_entry, listing_changes, really_modified, write_snapshot,
        )

        o = self.options
        tracked = {p: chash_of[p] for p in corpus[:self.tracked] if p in chash_of}
        dirty = git_modified(top)
        if dirty is None:
            return
        prefix = top.rstrip(os.sep) + os.sep

        def rels(paths) -> set[str]:  # the paths in the work tree, as git names them
            return {p[len(prefix):].replace(os.sep, "/") for p in paths if p.startswith(prefix)}

        corpus_rels = rels(tracked)
        raw = self.git_raw[0]
        dirty = really_modified(top, lambda rel: listed_entry(raw, rel), [rel for rel in dirty if rel in corpus_rels])
        # git, asked now, proves the work tree against the index as it is now, and a hook
        # compares the index with the listing this pass began from: the files were read in
        # between. One whose index entry (a `git stash` popped after this pass) or stat (an
        # edit undone by `git checkout`, a stash popped during it) moved meanwhile may have
        # been read with content it held for a moment, and look clean and as listed once it
        # is back: noted with the dirty ones
        now = git_output(top, "ls-files", "-s", "-z")
        if now is None:
            return
        dirty = set(dirty) | (listing_changes(raw, now) & corpus_rels) | rels(self._moved_since_read(corpus, tracked))
        # tracked files this run could not read (deleted from the work tree, unreadable) are
        # not in the snapshot: noted with the dirty ones, so that a hook run after one is
        # back does not answer without it
        dirty = sorted(dirty | rels(p for p in corpus[:self.tracked] if p not in chash_of))
        try:
            write_snapshot(os.path.join(os.path.dirname(index.path), SNAPSHOT_NAME), settings=index.settings,
                           include=o.include, exclude=o.exclude, top=top, raw_ls=raw, dirty=dirty,
                           chash_of=tracked, table=table, num_perm=o.num_perm, rows=o.rows,
                           base=base_tree(top, raw, DELTA_MAX), max_bytes=o.max_bytes)
        except OSError as exc:  # a cache that cannot be written costs the next hook its speed, not this run
            log.info("corpus: snapshot not written (%s)", exc)

    def _moved_since_read(self, corpus: list[str], tracked: dict[str, bytes]) -> list[str]:
        """The tracked paths in `tracked` whose stat is not the one _stat_all took before their
        content was read (or found in the stat cache). A second stat of each file, paid only
        by a run that writes a snapshot (~0.3 s at 100,000 files)."""
        stamps = self.stamps
        moved = []
        for i, p in enumerate(corpus[:self.tracked]):
            if p not in tracked:
                continue
            try:
                if hash(stat_key(os.stat(p))) == stamps[i]:
                    continue
            except OSError:
                pass
            moved.append(p)
        return moved

    # 3. candidates, verification, findings
    def analyze(self, index, chash_of: dict[str, bytes], table: dict[bytes, tuple],
                facts: dict[bytes, DocFacts]) -> CorpusResult:
        """`table`: content hash -> light_row(...) for the whole corpus; `facts`: content hash ->
        DocFacts (a LightFacts: made from `table` when first asked for, without shingles)."""
        o = self.options
        paths_of: dict[bytes, list[str]] = {}
        skipped = []
        for p, c in chash_of.items():
            row = table.get(c)
            if row is None or row[2] == "skip":
                skipped.append(p)
                continue
            paths_of.setdefault(c, []).append(p)
        self.stats.skipped = len(skipped)
        for p in skipped:
            if p in self.query_abs:
                self.notes.append(left_out_note(self.display(p)))

        live = sorted(paths_of)  # distinct contents
        pos = {c: i for i, c in enumerate(live)}
        # each content's row looked up once: the passes below read this list in order (a
        # lookup in a million-entry dict is a cache miss; six such passes took ~10 s at 1M)
        light = [table[c] for c in live]
        normhash = [row[1] for row in light]
        # (a content without words holds no article: nobody's duplicate, though it counts for NL202)
        query_chashes = {chash_of[p] for p in self.query_abs if p in chash_of and chash_of[p] in paths_of
                         and table[chash_of[p]][1] != EMPTY_NORMHASH}

        # candidate pairs (indexes into `live`, i < j), each touching a queried content
        pairs: set[tuple[int, int]] = set()
        want_pairs = any(o.wants(c) for c in ("NL401", "NL402", "NL403"))
        if want_pairs and query_chashes:
            signed_at = [i for i, row in enumerate(light) if row[0] > 0]  # indexes into live
            signed = [live[i] for i in signed_at]
            few = len(query_chashes) * 8 < len(signed)
            # a few queried files (the hook): ask the index's buckets, if it has any; many: band
            # every signature in memory (the same bands, so the same candidates, much faster)
            bucket = index.bucket_candidates([facts[c] for c in query_chashes], set(signed)) if few else None
            if bucket is not None:
                for c, others in bucket.items():
                    for c2 in others:
                        if c2 != c and c2 in pos:
                            i, j = pos[c], pos[c2]
                            pairs.add((i, j) if i < j else (j, i))
            elif signed:
                bands, rows = mh.lsh_params(o.num_perm, o.rows)
                sigs = np.frombuffer(b"".join([light[i][3] for i in signed_at]), dtype="<u4").reshape(len(signed), -1)
                keys = mh.band_keys(sigs, bands, rows)
                if not few:
                    found = mh.candidate_pairs(keys)
                    sizes = np.fromiter((light[i][0] for i in signed_at), dtype=np.int64, count=len(signed))
                    plausible = screen_pairs(found, sigs, sizes, o).tolist()
                    for (a, b), ok in zip(found.tolist(), plausible):
                        i, j = signed_at[a], signed_at[b]
                        if live[i] in query_chashes or live[j] in query_chashes:
                            if ok:
                                pairs.add((i, j) if i < j else (j, i))
                            else:
                                self.stats.screened += 1
                else:
                    for c in query_chashes:
                        if facts[c].n == 0:
                            continue
                        for k in mh.query_candidates(facts[c].sig, keys, bands, rows).tolist():
                            i, j = pos[c], signed_at[k]
                            if i != j:
                                pairs.add((i, j) if i < j else (j, i))
                del sigs, keys  # 0.5 GB at a million documents, not needed from here on
            # equal normal forms are duplicates whatever their shingles (even with none)
            for group in equal_groups(normhash):
                for i in group:
                    if live[i] in query_chashes:
                        for j in group:
                            if i != j:
                                pairs.add((i, j) if i < j else (j, i))
        self.stats.candidates = len(pairs) + self.stats.screened

        # exact verification on the shingle sets, a block of pairs at a time (the sets of
        # every candidate at once were ~0.4 GB at a million documents)
        chash_edges: list[tuple[str, bytes, bytes, float, float, float]] = []
        ordered = sorted(pairs)
        for start in range(0, len(ordered), _VERIFY_BLOCK):
            block = ordered[start:start + _VERIFY_BLOCK]
            chash_edges.extend(self._verify(index, block, live, normhash, facts))

        edges = file_edges(query_chashes, paths_of, chash_edges, self.display, o)

        hits = self._boilerplate(light, live, normhash, query_chashes) if o.wants("NL202") else {}
        # FileFindings only for the files with something to report (most files of a corpus
        # have none); every queried file still gets its (empty) list of diagnostics
        reported = {e.a for e in edges} | {e.b for e in edges}
        reported.update(self.display(p) for c in hits for p in paths_of[c] if p in self.query_abs)
        findings = self._findings(facts, chash_of, paths_of, edges, only=reported)
        for ff in findings.values():
            h = hits.get(chash_of[ff.abspath])
            if h:
                ff.boilerplate.update(h)
                ff.boilerplate_threshold = self.boilerplate["threshold"]
                ff.corpus_size = self.boilerplate["corpus_size"]
        diagnostics = rule_diagnostics(
            findings, [name for p, name in self.query_abs.items() if chash_of.get(p) in paths_of], o)
        return CorpusResult(diagnostics, findings, edges, self.stats, self.notes,
                            sorted(self.display(p) for p in skipped), boilerplate=getattr(self, "boilerplate", {}))

    def _verify(self, index, block: list[tuple[int, int]], live: list[bytes], normhash: list[bytes],
                facts) -> list[tuple[str, bytes, bytes, float, float, float]]:
        """The edges among candidate pairs (indexes into `live`) that pass exact verification."""
        o = self.options
        in_pairs = {live[i] for ij in block for i in ij}
        shingles = {c: facts[c].shingles for c in in_pairs if c in facts and facts[c].shingles is not None}
        need = in_pairs - shingles.keys()
        if need:
            shingles.update(index.shingles(need))
        shingles = {c: verification_set(v) for c, v in shingles.items()}
        out = []
        for i, j in block:
            ca, cb = live[i], live[j]
            if normhash[i] == normhash[j]:
                out.append(("NL401", ca, cb, 1.0, 1.0, 1.0))
                continue
            sa, sb = shingles.get(ca), shingles.get(cb)
            if sa is None or sb is None or not sa.size or not sb.size:
                continue
            jac, cab, cba = similarity(sa, sb)
            self.stats.verified += 1
            code = classify(jac, cab, cba, sa.size, sb.size, o)
            if code:
                out.append((code, ca, cb, jac, cab, cba))
        return out

    def _findings(self, facts, chash_of, paths_of, edges: list[Edge], only: set | None = None) -> dict[str, FileFindings]:
        """FileFindings of the queried files (of those named in `only`, if given)."""
        findings: dict[str, FileFindings] = {}
        for p, name in self.query_abs.items():
            c = chash_of.get(p)
            if c is None or c not in paths_of or (only is not None and name not in only):
                continue
            f = facts[c]
            findings[name] = FileFindings(name, p, f.head_row, f.head_len, f.mode)
        add_edge_findings(findings, edges, self.options.containment)
        return findings

    def _boilerplate(self, light, live, normhash, query_chashes) -> dict[bytes, dict[int, int]]:
        """NL202: the lines held by at least the threshold's number of files (one content per
        normal form), kept in self.boilerplate; returns the queried contents' frequent lines
        (line hash -> files holding it), for the contents that have any."""
        o = self.options
        seen_norm = set()
        blobs = []
        for row, h in zip(light, normhash):  # light: the rows of live, in its order
            if h in seen_norm:
                continue
            seen_norm.add(h)
            blobs.append(row[4])
        n_files = len(seen_norm)
        threshold = max(o.boilerplate_min_files, math.ceil(o.boilerplate_fraction * n_files))
        if not blobs or n_files < threshold:
            return {}
        every = np.frombuffer(b"".join(blobs), dtype="<i8")
        del blobs
        # the queried contents in live's (sorted) order
        queried_at = range(len(live)) if len(query_chashes) == len(live) else \
            [i for i, c in enumerate(live) if c in query_chashes]
        queried = [live[i] for i in queried_at]
        qblobs = [light[i][4] for i in queried_at]
        qlines = np.frombuffer(b"".join(qblobs), dtype="<i8")
        if qlines.size * 8 < every.size:
            # a few files asked about (the hook): count only their lines, not sort every line
            every = every[isin(every, qlines)]
        values, counts = value_counts(every)
        del every
        keep = counts >= threshold
        frequent = dict(zip(values[keep].tolist(), counts[keep].tolist()))
        self.boilerplate = {"lines": frequent, "threshold": threshold, "corpus_size": n_files}
        if not frequent:
            return {}
        # which queried contents hold a frequent line: one vectorised membership test
        owner = np.repeat(np.arange(len(queried)), [len(b) // 8 for b in qblobs])
        holders = sorted_unique(owner[isin(qlines, values[keep])]).tolist()
        hits = {}
        for k in holders:
            lines = np.frombuffer(qblobs[k], dtype="<i8").tolist()
            hits[queried[k]] = {h: frequent[h] for h in lines if h in frequent}
        return hits


def equal_groups(values: list[bytes]) -> list[list[int]]:
    """The positions of each value held more than once (sorted); by one sort of the values as
    integers when all are 8 bytes (the normal-form hashes), not a dict of a million entries."""
    joined = b"".join(values)
    if len(joined) != 8 * len(values):
        by_value: dict[bytes, list[int]] = {}
        for i, v in enumerate(values):
            by_value.setdefault(v, []).append(i)
        return [g for g in by_value.values() if len(g) > 1]
    keys = np.frombuffer(joined, dtype="<u8")
    order = np.argsort(keys)  # ties in any order: each group is sorted below
    ordered = keys[order]
    same = np.flatnonzero(ordered[1:] == ordered[:-1])  # k: ordered[k] == ordered[k + 1]
    if not same.size:
        return []
    # runs of consecutive k: one group each, [start, end] in `order`
    breaks = np.flatnonzero(np.diff(same) > 1)
    starts = np.concatenate(([same[0]], same[breaks + 1]))
    ends = np.concatenate((same[breaks], [same[-1]])) + 1
    return [sorted(order[a:b + 1].tolist()) for a, b in zip(starts.tolist(), ends.tolist())]


def screen_pairs(found: np.ndarray, sigs: np.ndarray, sizes: np.ndarray, o: CorpusOptions,
                 block: int = 1 << 15) -> np.ndarray:
    """bool per candidate pair (rows of `found`, indexes into `sigs` and `sizes`): whether
    its signatures' agreement leaves exact verification a chance (verify.could_pass). A block
    of pairs at a time: two rows of signatures per pair are 1 KB."""
    keep = np.ones(found.shape[0], dtype=bool)
    for start in range(0, found.shape[0], block):
        a, b = found[start:start + block, 0], found[start:start + block, 1]
        agree = np.count_nonzero(sigs[a] == sigs[b], axis=1)
        keep[start:start + block] = could_pass(agree, sizes[a], sizes[b], sigs.shape[1], o.threshold,
                                               o.containment, o.min_contained_shingles)
    return keep


def light_row(f: DocFacts) -> tuple:
    """What the whole-corpus steps need of a content: (n, normhash, mode, sig bytes, line
    bytes, headline row, headline length)."""
    sig = f.sig.astype("<u4").tobytes() if f.sig is not None else b""
    return (f.n, f.normhash, f.mode, sig, f.line_hashes.astype("<i8").tobytes(), f.head_row, f.head_len)


class LightFacts(dict):
    """content hash -> DocFacts, made from the corpus table's light row when first asked for."""

    def __init__(self, table: dict[bytes, tuple]):
        super().__init__()
        self.table = table

    def __missing__(self, chash: bytes) -> DocFacts:
        f = self[chash] = facts_from_light(chash, self.table[chash])
        return f


def facts_from_light(chash: bytes, row: tuple) -> DocFacts:
    """DocFacts without shingles from a light row (verification fetches the few sets it needs)."""
    n, normhash, mode, sig, lines, head_row, head_len = row
    return DocFacts(chash=chash, normhash=normhash, mode=mode, n=n, shingles=None,
                    sig=np.frombuffer(sig, dtype="<u4"), line_hashes=np.frombuffer(lines, dtype="<i8"),
                    head_row=head_row, head_len=head_len)


def _cannot_store(exc: Exception) -> bool:
    """A write to the index refused by the disk: full, an I/O error, read-only underneath."""
    import sqlite3

    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY)
    return isinstance(exc, sqlite3.OperationalError) and any(
        m in str(exc) for m in ("disk is full", "disk I/O error", "readonly database"))


def analyze(query_paths: Iterable[str] | None, corpus_paths: Iterable[str] | None = None,
            options: CorpusOptions | None = None, index_only: bool = False, files_only: bool = False) -> CorpusResult:
    import sqlite3

    options = options or CorpusOptions()
    query = list(query_paths) if query_paths is not None else None
    corpus = list(corpus_paths) if corpus_paths else None
    try:
        return CorpusRun(options, files_only).run(query, corpus, index_only=index_only)
    except (ValueError, OverflowError, TypeError, IndexError, sqlite3.DatabaseError) as exc:
        # rows of the local index that cannot be what this version wrote (a damaged page, a
        # torn blob): never trusted, the index is rebuilt once; an error that persists is a bug
        from newslint.cache import busy

        if _cannot_store(exc) and options.use_cache and not options.index_url:
            # a full disk (or one failing) under the cache folder costs speed, not the run, as
            # an unwritable folder does (open_index): this run again, its index in memory
            # (every run crashed with 'database or disk is full', found by a review)
            if index_only:
                raise RuntimeError(f"cannot save the corpus index: {exc}") from None
            again, note = options.replace(use_cache=False), f"corpus index cannot be written ({exc}); this run " \
                                                              "keeps it in memory"
        elif not options.use_cache or options.index_url or options.rebuild or (
                isinstance(exc, sqlite3.OperationalError) and busy(exc)):
            raise
        else:
            again, note = options.replace(rebuild=True), f"corpus index unreadable ({type(exc).__name__}: {exc}); " \
                                                          "rebuilding it"
        run = CorpusRun(again, files_only)
        run.notes.append(note)
        return run.run(query, corpus, index_only=index_only)

