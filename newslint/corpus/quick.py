"""The hook's quick path: a few changed files against the corpus snapshot, without numpy.

A pre-commit hook passes the one or two files a commit changes; the rest of the repository
has not changed since the last full corpus run, and git can prove it in one C pass:

1. the index (every tracked path with its blob id) is as the snapshot recorded it, except
   for the checked files and the files earlier quick runs recorded (the delta, each checked
   against its recorded blob id): `git diff-index --cached` against the tree of HEAD the
   snapshot noted names the few paths to compare (git skips unchanged folders), or, for a
   snapshot without one, `git ls-files -s` equals the snapshot's copy of it;
2. `git diff-files` names no corpus file other than the checked ones (the work tree holds
   what the index holds: pre-commit stashes unstaged edits), and none was modified on disk
   when the snapshot was written, nor moved on disk or in the index while the pass that
   wrote it ran (read then, it may hold what git no longer shows: a `git stash` popped).

Then every other path still holds the content the snapshot records, and the checked files
are placed among them the way the full pass would: their shingles, MinHash and line
fingerprints computed in plain Python (`textfacts`, value for value the numpy results),
LSH candidates by binary search in the snapshot's sorted band keys, equal normal forms
likewise, each candidate verified exactly on the shingle sets read from the index, NL202's
counts adjusted for the forms the checked files add or take away. Anything the proof cannot
cover (no snapshot, other settings, a deleted or renamed file, a merge in progress, a file
outside the work tree, too many files) returns None and the full pass runs instead, which
writes a fresh snapshot. tests/test_corpus_quick.py holds the two paths' reports equal.
"""

from __future__ import annotations

import math
import os
import sqlite3
import subprocess
import sys
import time
from array import array

from newslint.corpus.model import (
    INDEX_DB_NAME, CorpusStats, FileFindings, add_edge_findings, classify, corpus_bytes, decode_text, file_edges,
    left_out_note, opened_path, relative, rule_diagnostics,
)
from newslint.corpus.snapshot import (
    blob_id, listed_entry, ls_entry, open_snapshot, read_delta, read_header, really_modified, write_delta,
)
from newslint.corpus.textfacts import (
    _M32, EMPTY_NORMHASH, content_hash, fingerprint_list, line_facts_raw, non_ascii_chars, permutation_lists, signature_list,
)
from newslint.files import path_key, stat_key

QUICK_MAX_FILES = 32  # more files than this: the full pass (it amortises its loading)
DELTA_MAX = 64  # files recorded since the snapshot; beyond, the full pass writes a new one
MAX_BYTES = 50 * 1024 * 1024  # engine.MAX_BYTES: a larger file is not text for the corpus


class Unusable(Exception):
    """The snapshot cannot answer for this run (the reason is logged); the full pass runs."""


class Content:
    """One checked file's content, as the full pass would index it."""

    __slots__ = ("chash", "normhash", "mode", "n", "fps", "low", "sig", "lines", "head_row", "head_len", "oid")

    def __init__(self, data: bytes, text: str, options, perms, oid: str):
        raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        self.chash = content_hash(data)
        self.fps, self.mode = fingerprint_list(text, options.shingles, raw)
        na = non_ascii_chars(text)
        self.normhash, self.lines, self.head_row, self.head_len = line_facts_raw(text, na)
        self.n = len(set(self.fps))  # distinct shingles, as the full pass counts them (shingle.distinct_count)
        a, b = perms
        self.sig = signature_list(self.fps, a, b) if self.fps else [_M32] * len(a)
        # the shingles' low 32 bits, in text order: what the index stores and exact
        # verification compares (shingle.verification_set)
        self.low = [fp & _M32 for fp in self.fps]
        self.oid = oid  # what `git ls-files -s` shows once this content is staged (of the file's bytes)


def _git(args: list[str], cwd: str) -> subprocess.Popen:
    return subprocess.Popen(["git", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def _outside(size: int, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The (start, end) ranges of a blob of `size` bytes that no span covers, in order."""
    out, pos = [], 0
    for s, e in sorted(spans):
        if s > pos:
            out.append((pos, s))
        pos = e
    if pos < size:
        out.append((pos, size))
    return out


def same_without(a: bytes, spans_a: list[tuple[int, int]], b: bytes, spans_b: list[tuple[int, int]]) -> bool:
    """Whether `a` without its spans equals `b` without its spans (spans do not overlap).

    Compared in place: joining the rest of each 6.7 MB listing (100,000 files) into a new
    bytes object cost ~17 ms of a hook run; `bytes.startswith` on a memoryview compares
    at memcmp speed (memoryview == memoryview goes byte by byte, ~15x slower)."""
    ra, rb = _outside(len(a), spans_a), _outside(len(b), spans_b)
    if sum(e - s for s, e in ra) != sum(e - s for s, e in rb):
        return False
    view = memoryview(b)
    k, pos_b = 0, rb[0][0] if rb else 0
    for s, e in ra:
        while s < e:  # the stretch of a's range that b's current range also covers
            n = min(e - s, rb[k][1] - pos_b)
            if not a.startswith(view[pos_b:pos_b + n], s):
                return False
            s += n
            pos_b += n
            if pos_b == rb[k][1] and k + 1 < len(rb):
                k += 1
                pos_b = rb[k][0]
    return True


def _band_keys(sig: list[int], bands: int, rows: int) -> list[int]:
    """minhash.band_keys for rows <= 2: the band's raw values as one little-endian int."""
    if rows == 1:
        return sig[:bands]
    return [sig[2 * b] | (sig[2 * b + 1] << 32) for b in range(bands)]


def _u64s(blob: bytes, fmt: str) -> list[int]:
    arr = array(fmt)
    arr.frombytes(blob)
    if sys.byteorder != "little":  # pragma: no cover
        arr.byteswap()
    return arr.tolist()


class QuickRun:
    def __init__(self, options, vouch=None, names=None, count_lines=()):
        self.options = options
        self.count_lines = count_lines  # line hashes whose NL202 counts to report
        self.names = names  # names(relative path) -> the caller's name for that file (newslint.lastrun)
        # vouch(relative path) -> True for a file the caller proved unchanged since the snapshot
        # or the delta recorded it (newslint.lastrun, by stat): git need not prove it
        self.vouch = vouch
        self.stats = CorpusStats()
        self.stats.quick = True
        self.notes: list[str] = []

    def run(self, files: list[str]):
        o = self.options
        from newslint.corpus.discover import git_toplevel

        self.cwd = os.path.abspath(o.cwd or os.getcwd())
        top, base, ls, df = _PREFETCHED.pop(self.cwd, None) or (git_toplevel(self.cwd), None, None, None)
        if top is None:
            raise Unusable("not in a git work tree")
        root, folder = _cache_folder(o, top)
        if ls is None:
            base, ls, df = _git_state(top, folder)  # running while the snapshot is opened
        try:
            snap = open_snapshot(folder)
            if snap is None:
                raise Unusable("no corpus snapshot")
            try:
                return self._run(files, top, root, folder, snap, base, ls, df)
            finally:
                snap.close()
        finally:
            for p in (ls, df):
                if p.poll() is None:
                    p.kill()
                p.wait()

    def _run(self, files, top, root, folder, snap, base, ls, df):
        o = self.options
        h = snap.header
        if h["settings"] != dict(o.index_settings(), schema=_schema()) or h["top"] != top or \
                h["include"] != list(o.include) or h["exclude"] != list(o.exclude) or \
                h["num_perm"] != o.num_perm or h["rows"] != o.rows or o.rows > 2 or h.get("max_bytes") != o.max_bytes:
            raise Unusable("the snapshot was made with other settings")  # (max-file-size: which files it holds)
        if base != _base_of(h):
            raise Unusable("the snapshot was rewritten while git ran")
        perms = permutation_lists(o.num_perm, o.seed)
        if perms is None:
            raise Unusable("MinHash permutations other than the shipped ones")
        prefix = top.rstrip(os.sep) + os.sep
        query: dict[str, str] = {}  # relative path -> display name
        abspath: dict[str, str] = {}
        for f in files:
            p = opened_path(self.cwd, f)
            if not p.startswith(prefix):
                raise Unusable(f"{f} is outside the work tree")
            rel = p[len(prefix):].replace(os.sep, "/")
            query.setdefault(rel, f)
            abspath[rel] = p
        delta = read_delta(folder, h["generation"])
        if len(delta) > DELTA_MAX:
            raise Unusable(f"{len(delta)} files changed since the snapshot")
        raw = ls.communicate()[0]
        dirty_raw = df.communicate()[0]
        if ls.returncode != 0 or df.returncode != 0:
            raise Unusable("git failed")
        # 1. every tracked path but the overlaid ones is as the snapshot recorded it
        stored = snap.gitls()
        overlay = set(query) | set(delta)
        entry_now = (self._prove_by_tree(raw, stored, h["base"], overlay) if base
                     else self._prove_by_listing(raw, stored, overlay))
        self.oid_now = oid_now = {rel: e.split(" ")[1] for rel in overlay if (e := entry_now(rel))}
        vouched = self.vouch or (lambda rel: False)
        for rel, (oid, _, _) in delta.items():
            if rel not in query and oid_now.get(rel) != oid and not vouched(rel):
                raise Unusable(f"{rel} changed since a quick run recorded it")
        # a symbolic link: git's blob is the link's target path, and the text read through it
        # may change with git none the wiser (a target outside the tree, or one it ignores)
        if "links" not in h:
            raise Unusable("the snapshot was written by an older newslint")
        links = set(h["links"]) | {rel for rel in delta if (entry_now(rel) or "").startswith("120000 ")}
        for rel in sorted(links):
            if rel not in query and not vouched(rel):
                raise Unusable(f"{rel} is a symbolic link: git cannot vouch for the file it points to")
        # 2. ... and holds on disk what the index holds
        listed = [rel for rel in (n.decode("utf-8", "surrogateescape") for n in dirty_raw.split(b"\0") if n)
                  if rel not in query and (rel in delta or snap.find_path(rel) is not None) and not vouched(rel)]
        modified = really_modified(top, entry_now, listed)
        if modified:
            raise Unusable(f"{modified[0]} is modified in the work tree")
        for rel in h["dirty"]:
            if rel in query or rel in delta or vouched(rel):
                continue
            if snap.find_path(rel) is not None:
                raise Unusable(f"{rel} was modified in the work tree when the snapshot was written, or moved while it was made")
            path = os.path.join(top, rel)  # unread then (missing, unreadable), so not in the snapshot
            if os.path.isfile(path) and os.access(path, os.R_OK):  # a dangling link stays unread
                raise Unusable(f"{rel} can be read again since the snapshot was written")
        self.stats.corpus_files = h["n_paths"]
        if not query:
            return None  # prove_unchanged: the proof was all that was asked
        return self._answer(query, abspath, delta, snap, root, folder, perms, prefix)

    @staticmethod
    def _prove_by_listing(raw: bytes, stored: bytes, overlay: set[str]):
        """`git ls-files -s -z` now (`raw`) equals the snapshot's listing but for the overlaid
        paths; returns the index entry of a path now ('mode blob-id', or None)."""
        spans_now, spans_then = [], []
        for rel in overlay:
            now, then = ls_entry(raw, rel), ls_entry(stored, rel)
            if now:
                spans_now.append(now)
                if raw[now[0]:now[1]].split(b"\t", 1)[0].split(b" ")[2] != b"0":
                    raise Unusable("a merge is in progress")
            if then:
                spans_then.append(then)
        if not same_without(raw, spans_now, stored, spans_then):
            raise Unusable("files changed since the snapshot")
        return lambda rel: listed_entry(raw, rel)

    @staticmethod
    def _prove_by_tree(raw: bytes, stored: bytes, base: dict, overlay: set[str]):
        """The same proof from `git diff-index --cached --raw -z TREE` (`raw`), TREE being the
        tree of HEAD when the snapshot was written: a path is in the index now as in TREE
        unless diff-index names it, and was in the snapshot's listing as in TREE unless the
        snapshot's `differs` names it; only those paths need comparing."""
        changed: dict[str, str | None] = {}
        fields = raw.split(b"\0")
        for meta, path in zip(fields[0::2], fields[1::2]):  # ":mode mode oid oid STATUS", path
            _, mode, _, oid, status = meta[1:].split(b" ")
            if status == b"U":
                raise Unusable("a merge is in progress")
            changed[path.decode("utf-8", "surrogateescape")] = None if status == b"D" else \
                f"{mode.decode()} {oid.decode()}"
        differs = base["differs"]

        def entry_now(rel: str) -> str | None:
            if rel in changed:
                return changed[rel]
            return differs[rel] if rel in differs else listed_entry(stored, rel)

        for rel in (changed.keys() | differs.keys()) - overlay:
            if entry_now(rel) != listed_entry(stored, rel):
                raise Unusable("files changed since the snapshot")
        return entry_now

    # -- the checked files among the snapshot's ----------------------------------------------
    def _answer(self, query, abspath, delta, snap, root, folder, perms, prefix):
        db = _connect(os.path.join(folder, INDEX_DB_NAME), snap.header["settings"])
        try:
            return self._answer_db(query, abspath, delta, snap, root, folder, perms, prefix, db)
        finally:
            db.close()

    def _answer_db(self, query, abspath, delta, snap, root, folder, perms, prefix, db):
        o = self.options
        bands, rows = snap.bands, snap.header["rows"]
        # the overlay: checked files (read now) and files recorded by earlier quick runs
        contents: dict[bytes, Content | tuple] = {}  # chash -> Content, or the index row of a delta content
        live_path: dict[str, bytes] = {}  # overlaid relative path -> its content now
        stat_rows: dict[str, tuple] = {}
        for rel, name in query.items():
            p = abspath[rel]
            try:
                with open(p, "rb") as fh:
                    st = os.fstat(fh.fileno())
                    raw = fh.read() if st.st_size <= min(MAX_BYTES, o.max_bytes) else None
            except OSError:
                continue  # unreadable: left out, as the full pass leaves it
            self.stats.hashed += 1
            data = corpus_bytes(raw, o.encoding)  # as the full pass compares it
            text = decode_text(data) if data is not None else None
            if text is None:
                if raw is not None:  # (a file over max-file-size is NL503's: skipped, not read)
                    self.notes.append(left_out_note(name))
                live_path[rel] = b""
                continue
            c = Content(data, text, o, perms, blob_id(raw))  # git's id: of the bytes as they are
            self.stats.signed += 1
            contents.setdefault(c.chash, c)
            live_path[rel] = c.chash
            stat_rows[rel] = (*stat_key(st), c.chash, c.oid)
        need = {bytes.fromhex(ch) for rel, (_, ch, _) in delta.items() if rel not in query and ch}
        rows_of = _doc_rows(db, need - contents.keys())
        if len(rows_of) != len(need - contents.keys()):
            raise Unusable("the index lost a recorded content")
        for rel, (_, ch, _) in delta.items():
            if rel not in query:
                live_path[rel] = bytes.fromhex(ch) if ch else b""
        contents.update(rows_of)

        # snapshot paths overlaid: their docs lose a holder
        lost: dict[int, int] = {}
        for rel in live_path:
            i = snap.find_path(rel)
            if i is not None and snap.path_doc[i] != 0xFFFFFFFF:
                d = snap.path_doc[i]
                lost[d] = lost.get(d, 0) + 1

        doc_of_chash = {c: snap.find_doc(c) for c in contents}
        query_chashes = [c for c in (live_path[rel] for rel in query if live_path.get(rel))
                         if contents[c].normhash != EMPTY_NORMHASH]  # no article: nobody's duplicate
        query_set = set(query_chashes)

        # candidates: (content, other) where other is a snapshot doc (int) or an overlay content (bytes)
        pairs: set = set()
        live_contents = set(live_path.values())
        for c in query_set:
            q = contents[c]
            own = doc_of_chash.get(c)
            qkeys = _band_keys(q.sig, bands, rows) if q.n else None
            if qkeys:
                for d in snap.band_matches(qkeys):
                    if d != own and snap.holders(d, lost) > 0:
                        pairs.add((c, d))
            for d in snap.docs_with_norm(q.normhash):
                if d != own and snap.holders(d, lost) > 0:
                    pairs.add((c, d))
            for c2, other in contents.items():
                if c2 == c or c2 not in live_contents:
                    continue
                o_norm, o_n, o_sig = _norm_n_sig(other)
                if o_norm == q.normhash or (qkeys and o_n and
                                            any(x == y for x, y in zip(qkeys, _band_keys(o_sig, bands, rows)))):
                    pairs.add((c, c2))
        # snapshot docs that are the same content as an overlay one are that content, not another
        pairs = {(c, x) for c, x in pairs if not (isinstance(x, int) and snap.chash(x) in contents)}
        self.stats.candidates = len(pairs)

        # exact verification, each pair once, oriented as the full pass orients it (smaller hash first)
        shingles = _shingle_sets(db, contents, snap, pairs)
        chash_edges, done = [], set()
        for c, x in sorted(pairs, key=lambda t: (t[0], t[1] if isinstance(t[1], bytes) else snap.chash(t[1]))):
            cx = x if isinstance(x, bytes) else snap.chash(x)
            ca, cb = (c, cx) if c < cx else (cx, c)
            if (ca, cb) in done:
                continue
            done.add((ca, cb))
            na_, nb_ = self._norm(ca, contents, snap), self._norm(cb, contents, snap)
            if na_ == nb_:
                chash_edges.append(("NL401", ca, cb, 1.0, 1.0, 1.0))
                continue
            sa, sb = shingles[ca], shingles[cb]
            if not sa or not sb:  # no words: no article, nobody's near-duplicate
                continue
            inter = len(sa & sb)
            union = len(sa) + len(sb) - inter
            jac, cab, cba = inter / union if union else 0.0, inter / len(sa), inter / len(sb)
            self.stats.verified += 1
            code = classify(jac, cab, cba, len(sa), len(sb), o)
            if code:
                chash_edges.append((code, ca, cb, jac, cab, cba))

        # files of each content involved, as absolute paths
        display_of = {abspath[rel]: name for rel, name in query.items()}

        def display(p: str) -> str:
            name = display_of.get(p) or relative(p, self.cwd)
            return self.names(name) if self.names else name

        involved = set(query_set) | {e[1] for e in chash_edges} | {e[2] for e in chash_edges}
        paths_of: dict[bytes, list[str]] = {}
        for c in involved:
            ps = []
            d = doc_of_chash.get(c) if c in contents else snap.find_doc(c)
            if d is not None:
                for i in snap.doc_paths(d):
                    rel = snap.rel_path(i)
                    if rel not in live_path:
                        ps.append(prefix + rel.replace("/", os.sep))
            ps.extend(prefix + rel.replace("/", os.sep) for rel, c2 in live_path.items() if c2 == c)
            paths_of[c] = sorted(ps)
        edges = file_edges(query_set, paths_of, chash_edges, display, o)

        hits = self._boilerplate(db, snap, contents, live_path, query_chashes, lost) if o.wants("NL202") else {}
        reported = {e.a for e in edges} | {e.b for e in edges}
        reported.update(query[rel] for rel in query if live_path.get(rel) in hits)
        findings: dict[str, FileFindings] = {}
        for rel, name in query.items():
            c = live_path.get(rel)
            if c and name in reported and name not in findings:
                q = contents[c]
                findings[name] = FileFindings(name, abspath[rel], q.head_row, q.head_len, q.mode)
        add_edge_findings(findings, edges, o.containment)
        for ff in findings.values():
            got = hits.get(live_path[_rel_of(ff.abspath, prefix)])
            if got:
                ff.boilerplate.update(got)
                ff.boilerplate_threshold = self.boilerplate["threshold"]
                ff.corpus_size = self.boilerplate["corpus_size"]
        diagnostics = rule_diagnostics(findings, [query[rel] for rel in query if live_path.get(rel)], o)
        self._record(db, folder, snap, query, live_path, contents, stat_rows, delta, root, prefix)
        return diagnostics, self.notes, getattr(self, "boilerplate", {}), self.stats

    @staticmethod
    def _norm(c: bytes, contents, snap) -> bytes:
        if c in contents:
            return _norm_n_sig(contents[c])[0]
        return snap.normhash_bytes(snap.find_doc(c))

    def _boilerplate(self, db, snap, contents, live_path, query_chashes, lost) -> dict:
        """NL202 as the full pass counts it: lines by the number of distinct normal forms
        holding them, the snapshot's counts adjusted for forms the overlay adds or removes."""
        o = self.options
        # normal forms now held by overlay contents, each with its smallest content hash
        # (the full pass counts one content per form: the first in content-hash order)
        overlay_forms: dict[bytes, bytes] = {}
        for c in sorted(set(live_path.values())):
            if c:
                overlay_forms.setdefault(_norm_n_sig(contents[c])[0], c)
        # a form counts when some file holds it: in the snapshot, when it has a doc; now, when a
        # snapshot doc of it keeps a file or an overlay content has it
        removed, added = [], []
        for norm in {snap.normhash_bytes(d) for d in lost} | overlay_forms.keys():
            docs = snap.docs_with_norm(norm)
            now = norm in overlay_forms or any(snap.holders(e, lost) > 0 for e in docs)
            if docs and not now:
                removed.append(norm)
            elif now and not docs:
                added.append(overlay_forms[norm])
        n_forms = snap.header["n_forms"] - len(removed) + len(added)
        threshold = max(o.boilerplate_min_files, math.ceil(o.boilerplate_fraction * n_forms))
        if n_forms == 0 or n_forms < threshold:
            return {}
        minus: dict[int, int] = {}
        for norm in removed:
            first = min(snap.chash(e) for e in snap.docs_with_norm(norm))
            row = _doc_rows(db, {first}).get(first)
            if row is None:
                raise Unusable("the index lost a content the snapshot counts")
            for ln in _u64s(row[4], "q"):
                minus[ln] = minus.get(ln, 0) + 1
        plus: dict[int, int] = {}
        for c in added:
            for ln in _lines(contents[c]):
                plus[ln] = plus.get(ln, 0) + 1
        frequent = {}
        for c in query_chashes:
            for ln in _lines(contents[c]):
                if ln not in frequent:
                    n = snap.line_count(ln) - minus.get(ln, 0) + plus.get(ln, 0)
                    frequent[ln] = n
        frequent = {ln: n for ln, n in frequent.items() if n >= threshold}
        self.boilerplate = {"lines": frequent, "threshold": threshold, "corpus_size": n_forms}
        if self.count_lines:  # the counts now of lines the caller asks about (newslint.lastrun)
            self.boilerplate["counts"] = {ln: snap.line_count(ln) - minus.get(ln, 0) + plus.get(ln, 0)
                                          for ln in self.count_lines}
        hits = {}
        for c in query_chashes:
            got = {ln: frequent[ln] for ln in _lines(contents[c]) if ln in frequent}
            if got:
                hits[c] = got
        return hits

    def _record(self, db, folder, snap, query, live_path, contents, stat_rows, delta, root, prefix) -> None:
        """The checked files into the index (as the full pass would store them) and the delta,
        so the next run finds them known. Failures cost speed only."""
        new_delta = dict(delta)
        for rel in query:
            c = live_path.get(rel)
            if c is None:
                continue
            i = snap.find_path(rel)
            then = snap.chash(snap.path_doc[i]) if i is not None and snap.path_doc[i] != 0xFFFFFFFF else None
            if c and c == then:
                new_delta.pop(rel, None)
            elif rel not in self.oid_now:
                new_delta.pop(rel, None)  # not tracked: not in the next run's corpus unless checked again
            elif c:
                new_delta[rel] = [stat_rows[rel][4], c.hex(), then.hex() if then else ""]
            else:
                new_delta[rel] = ["", "", then.hex() if then else ""]  # not text now: never matches an oid
        try:
            now = time.time()
            db.execute("BEGIN IMMEDIATE")
            try:
                for c, q in contents.items():
                    if isinstance(q, Content):
                        db.execute("INSERT OR IGNORE INTO docs VALUES (?,?,?,?,?,?,?,?,?)", _doc_row(q))
                rel_root = root.rstrip(os.sep) + os.sep
                for rel, (size, mtime, ino, c, _) in stat_rows.items():
                    p = prefix + rel.replace("/", os.sep)
                    key = p[len(rel_root):] if p.startswith(rel_root) else os.path.relpath(p, root)
                    db.execute("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?)",
                               (path_key(key), size, mtime, ino, c, now))
                db.execute("COMMIT")
            except BaseException:
                from newslint.cache import rollback

                rollback(db)
                raise
            if new_delta != delta:
                write_delta(folder, snap.header["generation"], new_delta)
        except (OSError, sqlite3.Error) as exc:
            self.notes.append(f"corpus index not updated ({exc})")


def _rel_of(p: str, prefix: str) -> str:
    return p[len(prefix):].replace(os.sep, "/")


def _schema() -> str:
    from newslint.corpus.model import INDEX_SCHEMA

    return INDEX_SCHEMA


def _connect(path: str, settings: dict) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(path, timeout=60, isolation_level=None)
        db.execute("PRAGMA busy_timeout = 60000")
        # as the index's own connection (store.SqliteIndex): in WAL mode, commits without an
        # fsync each (the commit took 0.9-18 ms of a hook run here, 0.8-2.8 ms without); the index
        # is a cache, consistent after a crash (a power cut may lose its last commits)
        db.execute("PRAGMA synchronous = NORMAL")
        have = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.Error as exc:
        raise Unusable(f"corpus index unreadable ({exc})")
    if have != settings:
        db.close()
        raise Unusable("the corpus index was rebuilt since the snapshot")
    return db


def _select_in(db, sql: str, keys) -> list[tuple]:
    """Rows of `sql` (ending in "IN ({})") for the keys, 500 bound values at a time."""
    keys, rows = list(keys), []
    for i in range(0, len(keys), 500):
        part = keys[i:i + 500]
        rows.extend(db.execute(sql.format(",".join("?" * len(part))), part))
    return rows


def _doc_rows(db, chashes) -> dict[bytes, tuple]:
    """chash -> (normhash, n, sig blob, mode, lines blob) from the index."""
    sql = "SELECT chash, normhash, nshingles, sig, mode, lines FROM docs WHERE chash IN ({})"
    return {bytes(c): (bytes(norm), n, bytes(sig), mode, bytes(lines))
            for c, norm, n, sig, mode, lines in _select_in(db, sql, chashes)}


def _norm_n_sig(x) -> tuple[bytes, int, list[int] | bytes]:
    if isinstance(x, Content):
        return x.normhash, x.n, x.sig
    return x[0], x[1], _u64s(x[2], "I")


def _lines(x) -> list[int]:
    return _u64s(x.lines if isinstance(x, Content) else x[4], "q")


def _doc_row(q: Content) -> tuple:
    """The index row the full pass writes for this content (store.facts_to_row)."""
    sig = array("I", q.sig)
    fps = array("I", q.low)
    if sys.byteorder != "little":  # pragma: no cover
        sig.byteswap()
        fps.byteswap()
    return (q.chash, q.normhash, q.mode, q.n, sig.tobytes(), fps.tobytes(), q.lines, q.head_row, q.head_len)


def _shingle_sets(db, contents, snap, pairs) -> dict[bytes, set]:
    """Unique shingle fingerprints of every content in `pairs`: the checked ones from memory,
    the others from the index."""
    out: dict[bytes, set] = {}
    want = set()
    for c, x in pairs:
        for y in (c, x):
            cy = y if isinstance(y, bytes) else snap.chash(y)
            if isinstance(contents.get(cy), Content):
                out[cy] = set(contents[cy].low)
            else:
                want.add(cy)
    for c, blob in _select_in(db, "SELECT chash, shingles FROM docs WHERE chash IN ({})", want):
        out[bytes(c)] = set(_u64s(bytes(blob), "I"))
    if not want <= out.keys():
        # a run that refreshed the index while a snapshot file was missing from the work tree
        # (`newslint index`, `dups`) dropped its row; the snapshot still lists it, and a pair
        # left unverified here would be a duplicate let through
        raise Unusable("the index lost a content the snapshot lists")
    return out


_PREFETCHED: dict[str, tuple] = {}  # cwd -> (git top, base tree, the two git processes `prefetch` started)


def _base_of(header: dict | None) -> str | None:
    base = header.get("base") if isinstance(header, dict) else None  # a damaged header has none
    tree = base.get("tree") if isinstance(base, dict) else None
    return tree if isinstance(tree, str) else None


def _git_state(top: str, folder: str) -> tuple[str | None, subprocess.Popen, subprocess.Popen]:
    """(the base tree, and git's view of the index and of the work tree, being computed).
    The index is compared with the tree of HEAD the snapshot recorded when it has one (git
    skips unchanged folders), else listed whole; `git diff-files` lstat()s every tracked file."""
    base = _base_of(read_header(folder))
    index = ["diff-index", "--cached", "--raw", "-z", base] if base else ["ls-files", "-s", "-z"]
    return base, _git(index, top), _git(["diff-files", "--name-only", "-z"], top)


def _eligible(files: list[str], options) -> bool:
    return bool(options.quick and options.use_cache and not options.index_url and not options.rebuild
                and options.use_git and files and len(files) <= QUICK_MAX_FILES)


def prefetch(files: list[str], options) -> None:
    """Start the git commands the quick path will read (~0.1 s at 100,000 files) now, so
    they run while the in-file rules do. Safe: a fix changes only the checked files, which
    the quick path leaves out of its comparison."""
    if not _eligible(files, options):
        return
    from newslint.corpus.discover import git_toplevel

    cwd = os.path.abspath(options.cwd or os.getcwd())
    top = git_toplevel(cwd)
    if top is not None and cwd not in _PREFETCHED:
        _PREFETCHED[cwd] = (top, *_git_state(top, _cache_folder(options, top)[1]))


def _cache_folder(options, top: str) -> tuple[str, str]:
    """(the index's root, the cache folder holding the index and the snapshot)."""
    root = os.path.abspath(options.cache_root) if options.cache_root else top
    return root, options.cache_dir or os.path.join(root, ".newslint_cache")


class SnapshotState:
    """What a record of a full check (newslint.lastrun) keeps of the snapshot the quick path
    will answer from: its generation and the files quick runs recorded since (the delta)."""

    def __init__(self, cwd: str, top: str, snap):
        self.cwd, self.top = cwd, top
        self.prefix = top.rstrip(os.sep) + os.sep
        self.generation = snap.header["generation"]
        self._paths = bytes(snap.section("path_blob"))

    def rel(self, name: str) -> str:
        """A checked file's display name as the snapshot names it (relative to the git top)."""
        p = opened_path(self.cwd, name)
        return p[len(self.prefix):].replace(os.sep, "/") if p.startswith(self.prefix) else p

    def tracked(self, names: list[str], delta: dict) -> bool:
        """Are all these files in the snapshot or the delta (the corpus the quick path sees)?"""
        paths = set(self._paths.decode("utf-8", "surrogateescape").split("\0"))
        return all(r in paths or r in delta for r in map(self.rel, names))


def snapshot_state(options) -> tuple[SnapshotState, dict] | None:
    """(the current snapshot's state, its delta), or None when there is no usable snapshot."""
    if not _eligible(["-"], options):
        return None
    from newslint.corpus.discover import git_toplevel

    cwd = os.path.abspath(options.cwd or os.getcwd())
    top = git_toplevel(cwd)
    if top is None:
        return None
    folder = _cache_folder(options, top)[1]
    snap = open_snapshot(folder)
    if snap is None:
        return None
    try:
        state = SnapshotState(cwd, top, snap)
    finally:
        snap.close()
    return state, read_delta(folder, state.generation)


def prove_unchanged(options, vouch=None) -> None:
    """Raise Unusable unless the repository's corpus holds what the snapshot and the delta
    record (files the caller vouches for aside): the quick path's proof, no file to answer for."""
    if not _eligible(["-"], options):
        raise Unusable("the quick path is off for these settings")
    QuickRun(options, vouch).run([])


def answer(files: list[str], options, vouch=None, names=None, count_lines=()):
    """quick_check's answer, raising Unusable (with the reason) where quick_check says None."""
    if not _eligible(files, options):
        raise Unusable("the quick path is off for these settings or files")
    t0 = time.perf_counter()
    run = QuickRun(options, vouch, names, count_lines)
    out = run.run(files)
    run.stats.seconds = time.perf_counter() - t0
    _log("corpus: %s", run.stats)
    return out


def quick_check(files: list[str], options, vouch=None, names=None, count_lines=()):
    """(diagnostics by display name, notes, NL202 data, CorpusStats) from the snapshot, or
    None when it cannot answer (the caller runs the full pass). `vouch`, `names`,
    `count_lines`: see QuickRun."""
    if not _eligible(files, options):
        return None
    try:
        return answer(files, options, vouch, names, count_lines)
    except Unusable as exc:
        _log("corpus: full pass (%s)", exc)
        return None
    except (IndexError, ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
        # a snapshot damaged where its checks do not look: it costs speed, never the commit
        _log("corpus: full pass (the snapshot cannot be read: %r)", exc)
        return None


def _log(message: str, *args) -> None:
    import logging  # not on every start: the hook logs only with -v

    logging.getLogger("newslint.corpus").info(message, *args)
