"""The last full check, kept so that the next one over the same tree redoes only what changed.

A full `newslint check` (check mode, results cache and cross-file rules on, every checked file
tracked by git) ends by writing `last-run.bin` in the cache folder: the run's key (newslint's
version, the options, each folder's settings and rule packs), every checked file's stat
identity (size, mtime, ctime, inode, mode) and findings, the cross-file partners each file's
findings name, and the corpus snapshot the run left (newslint.corpus.snapshot).

The next full check with the same key stats the files it lists. None changed: the report is
the last one. A few changed (edited or added; with the files whose cross-file findings they
touch, at most QUICK_MAX_FILES):
- the changed files are linted (through the results cache);
- the cross-file findings of the changed files, and of every unchanged file that shared an
  edge (NL401-NL403) with a changed file's old or new text, come from the snapshot's quick
  path (newslint.corpus.quick), which proves that nothing else in the repository changed;
- every other file keeps its findings: an edge between two unchanged texts does not change.
  NL202 says "this line is in N of M files" wherever the line is: when the changed files move
  N for some line (or M), those findings are rewritten with the new counts; when a line
  crosses the threshold (or the threshold moves), unchanged files would gain or lose
  findings the record cannot place.
Anything else (a deleted file, a line crossing NL202's threshold, other settings, a snapshot
rewritten or moved on by files not checked here) runs the full check, which writes a new
record. tests/test_lastrun.py holds every answer equal to a full check's.
"""

from __future__ import annotations

import marshal
import os
import struct
from itertools import starmap
from operator import attrgetter

FORMAT = 4  # 2: cross-file findings name their partners from their own folder; 3: identities packed; 4: with st_dev
# Beyond this many files a full check keeps no record: the snapshot it needs is written from
# the corpus pass's arrays (~1 GB more at 1,000,000 files, over the 3 GiB that pass stays in)
RECORD_MAX_FILES = 250_000
RECORD_NAME = "last-run.bin"
EDGE_CODES = ("NL401", "NL402", "NL403")


# What says a file is unchanged: its inode's change time moves on every write, chmod or
# rename, so an edit that keeps size and mtime is still seen.
_IDENTITY = attrgetter("st_size", "st_mtime_ns", "st_ctime_ns", "st_ino", "st_dev", "st_mode")
# ... packed into 48 bytes: one object a file instead of a tuple and six ints, which the
# record's marshal wrote and read in 0.1 s at 100,000 files, against 0.02 s packed
_PACK = struct.Struct("<qqqQQQ").pack
_FILE_ID = struct.Struct("<QQ")  # st_ino, st_dev: bytes 24-40 of an identity


def same_file(identities: list, st) -> bool:
    """Is the file `st` describes (an os.stat result) one of those whose identities these are,
    under any name? (os.path.samestat's test, on the packed identities.)"""
    want = _FILE_ID.pack(st.st_ino, st.st_dev)
    return any(ident is not None and ident[24:40] == want for ident in identities)


def stat_identity(path: str):
    """The file's packed _IDENTITY, None when it cannot be stat'ed (or a value does not fit)."""
    try:
        return _PACK(*_IDENTITY(os.stat(path)))
    except (OSError, struct.error):
        return None


def _identities(files: list[str]) -> list:
    try:  # every file there (the usual case): no Python call per file
        return list(starmap(_PACK, map(_IDENTITY, map(os.stat, files))))
    except (OSError, struct.error):
        return [stat_identity(f) for f in files]


# Below this many files one process stats them all (a fork costs more than it saves)
_SPLIT_STAT_FILES = 20_000


def stat_identities(files: list[str]) -> list:
    """Each file's stat identity (None when it cannot be stat'ed), in order. Over many files a
    forked child stats the second half while this process stats the first: a stat is a
    system call (half of its 4.5 us here is the kernel's) that one process cannot overlap
    with itself (0.43 -> 0.29 s at 100,000 files on 2 cores; threads were slower, see
    bench/RESULTS.md session 6)."""
    if len(files) < _SPLIT_STAT_FILES or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        return _identities(files)
    from newslint.corpus.fork import fork_child

    half = len(files) // 2

    def work(w: int) -> None:
        data = marshal.dumps(_identities(files[half:]))
        with os.fdopen(w, "wb") as fh:
            fh.write(data)

    try:
        pid, r = fork_child(work, parent_reads=True)
    except OSError:
        return _identities(files)
    first = _identities(files[:half])
    with os.fdopen(r, "rb") as fh:
        data = fh.read()
    _, status = os.waitpid(pid, 0)
    try:
        second = marshal.loads(data) if status == 0 else None
    except (EOFError, ValueError, TypeError):
        second = None
    if not isinstance(second, list) or len(second) != len(files) - half:  # the child failed: do its half here
        second = _identities(files[half:])
    return first + second


def run_key(files: list[str], opts, resolver_args: dict, resolver, factory, copts) -> str:
    """Everything besides the files' bytes that shapes the report: newslint's build, the
    command's options, and the settings, rules and rule packs of every folder checked."""
    import hashlib

    from newslint.build import code_id
    from newslint.runner import linter_digest

    corpus = [(n, sorted(v) if isinstance(v, (set, frozenset)) else v)  # a set's order varies by process
              for n, v in ((n, getattr(copts, n)) for n in copts._NAMES)]
    h = hashlib.sha256(repr((FORMAT, code_id(), os.getcwd(), repr(opts), sorted(resolver_args.items()),
                             corpus)).encode())
    from newslint.files import folders

    seen = set()
    for folder in folders(files):
        settings = resolver.for_file(os.path.join(folder, "x"))
        if settings in seen:
            continue
        seen.add(settings)
        linter, _ = factory.get(settings)
        h.update(repr(settings).encode())
        h.update(linter_digest(linter, settings).encode())
    return h.hexdigest()


class LastRun:
    def __init__(self, folder: str, key: str, copts):
        self.path = os.path.join(folder, RECORD_NAME)
        self.key = key
        self.copts = copts
        self.reason = ""  # why the record could not answer (said with -v)

    # -- writing ----------------------------------------------------------------------------
    def save(self, files: list[str], idents: list, results, corpus_raw: dict, corpus_notes: list[str],
             boilerplate: dict) -> None:
        """Record a full check. `corpus_raw`: the corpus pass's findings by file before the
        per-file ignores; `idents`: each file's stat identity taken before it was read."""
        from newslint.corpus.quick import snapshot_state
        from newslint.serialize import dump

        got = snapshot_state(self.copts)
        if got is None or None in idents:
            self._remove()
            return
        state, delta = got
        if not state.tracked(files, delta):  # an untracked file is not in the snapshot: the quick path would miss it
            self._remove()
            return
        frequent, lines = boilerplate.get("lines", {}), nl202_lines(corpus_raw)
        if not all(h in frequent for hs in lines.values() for h in hs):
            self._remove()  # an NL202 finding whose line cannot be told: its count could not be followed
            return
        record = {
            "format": FORMAT, "key": self.key, "files": files, "idents": idents,
            "findings": {r.path: [dump(d) for d in r.diagnostics] for r in results if r.diagnostics},
            "notes": {r.path: r.notes for r in results if r.notes and r is not results[0]},
            "first_notes": results[0].notes[:len(results[0].notes) - len(corpus_notes)] if results else [],
            "errors": [r.path for r in results if r.error],
            "corpus_notes": corpus_notes,
            "partners": partners_of(corpus_raw),
            "nl202": lines,
            "boilerplate": [boilerplate.get("threshold"), boilerplate.get("corpus_size")],
            "bp_lines": frequent,
            "generation": state.generation, "delta": delta,
        }
        self._write(marshal.dumps(record))

    def _write(self, data: bytes) -> None:
        from newslint.files import replace_file

        try:
            replace_file(self.path, data)
        except OSError:
            pass  # a record that cannot be written costs the next run its speed only

    def _remove(self) -> None:
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def _load(self) -> dict | None:
        try:
            with open(self.path, "rb") as fh:
                record = marshal.loads(fh.read())
        except (OSError, EOFError, ValueError, TypeError):
            return None
        if not isinstance(record, dict) or record.get("format") != FORMAT or record.get("key") != self.key:
            return None
        return record

    # -- answering --------------------------------------------------------------------------
    def answer(self, files: list[str], idents: list, runner, resolver):
        """(results, corpus notes, a -v line) for `files` from the record and the files that
        changed since, or None (self.reason says why) when the full check must run."""
        from newslint.gcpause import collector_paused

        # the record and the results are a few million objects made at once and mostly kept:
        # the collector's passes over them cost more than the answer (0.8 -> 0.2 s at 100,000
        # files), and after it they are frozen out of its way (the report is next)
        with collector_paused():
            return self._answer(files, idents, runner, resolver)

    def _answer(self, files: list[str], idents: list, runner, resolver):
        from newslint.corpus import quick
        from newslint.corpus.quick import QUICK_MAX_FILES, Unusable, snapshot_state

        record = self._load()
        if record is None:
            return self._no("no record of a full check with these settings")
        if record["files"] == files:  # the same listing (the usual case): compare identities in order, in C
            from itertools import compress
            from operator import ne

            changed = list(compress(files, map(ne, idents, record["idents"])))
        else:
            known = dict(zip(record["files"], record["idents"]))
            if len(known) != len(record["files"]) or not known.keys() <= set(files):
                return self._no("files were deleted or renamed since the last full check")
            changed = [f for f, ident in zip(files, idents) if ident is None or known.get(f) != ident]
        if len(changed) > QUICK_MAX_FILES:
            return self._no(f"{len(changed)} files changed since the last full check")
        changed_set = set(changed)
        # the rest of the repository (the corpus beyond the files checked here) must be as
        # the record saw it: the same snapshot, moved on by quick runs over changed files only
        got = snapshot_state(self.copts)
        if got is None or got[0].generation != record["generation"]:
            return self._no("the corpus snapshot was rewritten since the last full check")
        state, delta = got
        changed_rels = {state.rel(f) for f in changed}
        if not _delta_moved_by(delta, record["delta"], changed_rels):
            return self._no("files not checked here changed since the last full check")
        vouch, named = _Vouch(state, files, changed_rels), _Names(files)
        if not changed:
            try:
                quick.prove_unchanged(self.copts, vouch)
            except Unusable as exc:
                return self._no(f"the corpus changed: {exc}")
            return self._results(files, record, {}, {}, [], resolver, runner.factory), record["corpus_notes"], \
                f"newslint: {len(files)} files unchanged since the last full check: its report"
        names = set(files)
        partners = record["partners"]
        query = changed + sorted({p for f in changed for p in partners.get(f, ()) if p in names} - changed_set)
        old_lines = {h for f in changed for h in record["nl202"].get(f, ())}
        while True:  # again with the unchanged files the changed ones now pair with, if any
            if len(query) > QUICK_MAX_FILES:
                return self._no(f"{len(query)} files to check across files")
            try:
                got = quick.answer(query, self.copts, vouch, named, old_lines)
            except Unusable as exc:
                return self._no(f"the corpus snapshot cannot answer: {exc}")
            new = {p for f in changed for p in partners_of({f: got[0].get(f, [])}).get(f, ()) if p in names}
            if new <= set(query):
                break
            query += sorted(new - set(query))
        corpus, notes, boilerplate, stats = got
        moved = self._moved_counts(record, changed, corpus, boilerplate, old_lines)
        if moved is None:
            return None
        from newslint.corpus.model import left_out

        # (a changed file the pass left out as not text is read, for its NL501, when only
        # cross-file rules are selected: as a full check does)
        linted = {r.path: r for r in runner.run(changed, not_text=left_out(changed, notes))}
        results = self._results(files, record, linted, corpus, query, resolver, runner.factory)
        query_set = set(query)
        patched = self._patch_boilerplate(results, record, query_set, moved, boilerplate)
        corpus_notes = [n for n in record["corpus_notes"] if n.split(": ", 1)[0] not in query_set] + notes
        line = (f"newslint: {len(files)} files, {len(changed)} changed since the last full check (linted, "
                f"{runner.stats.cache_hits} of them from cache); {len(query)} checked across files from the "
                f"snapshot ({stats.candidates} candidate pairs, {stats.verified} verified), the rest from the record")
        # the new state: the changed files' identities, the delta the quick path moved on
        self._update(record, files, idents, results, changed + patched, query, corpus, corpus_notes, boilerplate,
                     moved)
        return results, corpus_notes, line

    def _moved_counts(self, record, changed, corpus, boilerplate, old_lines):
        """{line: its count now} for the corpus-boilerplate lines whose count the changed files
        moved (an unchanged file holding one says "in N of M files"), or None (self.reason)
        when a line crossed the threshold or the threshold moved: unchanged files would gain
        or lose findings the record cannot place."""
        threshold, _ = record["boilerplate"]
        if not boilerplate:  # NL202 not selected, or a corpus too small for it
            return {} if threshold is None else self._no("NL202's threshold moved")
        if boilerplate["threshold"] != threshold:
            return self._no("NL202's threshold moved")
        from newslint.corpus.rules import boilerplate_line

        new_lines = {boilerplate_line(d) for f in changed for d in corpus.get(f, ()) if d.code == "NL202"}
        now = dict(boilerplate.get("counts", {}))
        now.update(boilerplate["lines"])
        before = record["bp_lines"]
        moved = {}
        for line in old_lines | new_lines:
            n = now.get(line)
            n = n if n is not None and n >= threshold else None
            if (before.get(line) is None) != (n is None):
                return self._no("a corpus-boilerplate line crossed NL202's threshold")
            if before.get(line) != n:
                moved[line] = n
        return moved

    def _patch_boilerplate(self, results, record, query_set, moved: dict, boilerplate) -> list[str]:
        """Rewrite the NL202 findings of unchanged files whose line's count or corpus size moved
        (their lines and fixes stay: only the counts in the message change). Returns their names."""
        if not boilerplate or (not moved and boilerplate["corpus_size"] == record["boilerplate"][1]):
            return []
        from newslint.corpus.rules import boilerplate_line, boilerplate_message

        every = boilerplate["corpus_size"] != record["boilerplate"][1]
        holders = {f for f, lines in record["nl202"].items() if f not in query_set and (every or moved.keys() & set(lines))}
        counts = dict(record["bp_lines"])
        counts.update(moved)
        threshold, size = boilerplate["threshold"], boilerplate["corpus_size"]
        patched = []
        for res in results:
            if res.path not in holders:
                continue
            res.diagnostics = [d.replace(message=boilerplate_message(counts[boilerplate_line(d)], size, threshold))
                               if d.code == "NL202" else d for d in res.diagnostics]
            patched.append(res.path)
        return patched

    def _no(self, reason: str) -> None:
        self.reason = reason
        return None

    def _results(self, files, record, linted: dict, corpus: dict, query: list[str], resolver, factory):
        """FileResults in `files` order: linted ones as linted, the others as recorded; the
        files in `query` get their cross-file findings from `corpus`."""
        from newslint.corpus import CORPUS_CODES
        from newslint.engine import FileResult
        from newslint.runner import merge_corpus_findings
        from newslint.serialize import load

        # one bare result per file, then the few with findings, notes or errors filled in
        out = list(map(FileResult, files))
        at = dict(zip(files, range(len(files))))
        for f, dumped in record["findings"].items():
            out[at[f]].diagnostics = [load(d) for d in dumped]
        for f, notes in record["notes"].items():
            out[at[f]].notes = list(notes)
        if out:
            out[0].notes = list(record["first_notes"])  # the corpus's notes are added after
        for f in record["errors"]:
            out[at[f]].error = True
        for f, res in linted.items():
            out[at[f]] = res
        redo = []
        for f in query:
            res = out[at[f]]
            res.diagnostics = [d for d in res.diagnostics if d.code not in CORPUS_CODES]
            redo.append(res)
        merge_corpus_findings(redo, corpus, resolver, factory)
        return out

    def _update(self, record, files, idents, results, rewritten, query, corpus, corpus_notes, boilerplate,
                moved) -> None:
        """The record after an answer: `rewritten` (changed and patched files) and `query` (files
        whose cross-file findings the quick path gave) hold new findings."""
        from newslint.corpus.quick import snapshot_state
        from newslint.serialize import dump

        got = snapshot_state(self.copts)
        if got is None or got[0].generation != record["generation"] or not got[0].tracked(query, got[1]):
            self._remove()  # the next full check writes a new record
            return
        record["files"], record["idents"] = files, idents
        redo = set(rewritten) | set(query)
        errors = set(record["errors"])
        for n, res in enumerate(results):
            if res.path not in redo:
                continue
            for table, value in ((record["findings"], [dump(d) for d in res.diagnostics]),
                                 (record["notes"], None if n == 0 else res.notes)):
                if value:
                    table[res.path] = value
                else:
                    table.pop(res.path, None)
            if n == 0:
                record["first_notes"] = res.notes
            (errors.add if res.error else errors.discard)(res.path)
        record["errors"] = sorted(errors)
        partners = record["partners"]
        new = partners_of({f: corpus.get(f, []) for f in query})
        for f in query:
            for p in partners.pop(f, ()):
                if p in partners:
                    partners[p] = [x for x in partners[p] if x != f]
        for f, ps in new.items():
            partners[f] = ps
            for p in ps:
                if f not in partners.setdefault(p, []):
                    partners[p].append(f)
        record["corpus_notes"] = corpus_notes
        record["bp_lines"].update(moved)
        if boilerplate:
            record["boilerplate"] = [boilerplate["threshold"], boilerplate["corpus_size"]]
        lines = nl202_lines({f: corpus.get(f, []) for f in query if f in corpus})
        for f in query:
            if f in corpus:
                if f in lines:
                    record["nl202"][f] = lines[f]
                else:
                    record["nl202"].pop(f, None)
        record["delta"] = got[1]
        self._write(marshal.dumps(record))


def nl202_lines(corpus: dict) -> dict[str, list[int]]:
    """file -> the corpus-boilerplate lines (fingerprints) its NL202 findings are about."""
    from newslint.corpus.rules import boilerplate_line

    out = {}
    for f, diags in corpus.items():
        lines = sorted({boilerplate_line(d) for d in diags if d.code == "NL202"})
        if lines:
            out[f] = lines
    return out


def partners_of(corpus: dict) -> dict[str, list[str]]:
    """file -> the files its NL401-NL403 findings name (edges are found both ways)."""
    out = {}
    for f, diags in corpus.items():
        names = sorted({r.filename for d in diags if d.code in EDGE_CODES for r in d.related if r.filename != f})
        if names:
            out[f] = names
    return out


def _delta_moved_by(now: dict, then: dict, changed_rels: set[str]) -> bool:
    """Did the quick runs since the record touch only files that changed here? (A hook run on a
    file outside the checked paths changes what the unchanged files' findings may be.)"""
    return all(rel in changed_rels for rel in now.keys() | then.keys() if now.get(rel) != then.get(rel))


def wants_record(files: list[str], opts, resolver_args: dict, runner, copts, folder: str, idents=None):
    """(a LastRun for this full check, each file's stat identity), or (None, None) for a run
    the record does not serve: a few files (the hook's quick path serves those), very many,
    or a corpus the snapshot cannot describe. `idents`: the files' identities, when the
    caller took them already (before reading any file)."""
    from newslint.corpus.quick import QUICK_MAX_FILES, _eligible

    if not QUICK_MAX_FILES < len(files) <= RECORD_MAX_FILES or not _eligible(["-"], copts):
        return None, None
    copts.snapshot = True  # the full pass leaves a snapshot for the next run's changed files
    key = run_key(files, opts, resolver_args, runner.resolver, runner.factory, copts)
    return LastRun(folder, key, copts), idents if idents is not None else stat_identities(files)


class _Vouch:
    """For the quick path: a file checked here and unchanged by stat since the record holds
    what the snapshot or the delta recorded, edited in the work tree or not (git can prove
    only files whose work-tree copy equals its index)."""

    # Up to this many questions, only the checked names ending as the asked path does are
    # mapped to repository paths (a rerun with one uncommitted edit had mapped all 100,000:
    # 0.3 s); past it, or past a quarter of the names mapped (a name many files share, as
    # Hugo's content/<slug>/index.md), every name is mapped once
    _ONE_BY_ONE = 64

    def __init__(self, state, files: list[str], changed_rels: set[str]):
        self.state, self.files, self.changed_rels = state, files, changed_rels
        self._rels = None
        self._asked: dict[str, bool] = {}
        self._mapped = 0  # names mapped one question at a time

    def __call__(self, rel: str) -> bool:
        if self._rels is None:
            found = self._asked.get(rel)
            if found is not None:
                return found
            # a file's path ends with its name (opened_path resolves folders, never the file)
            tail = rel.rsplit("/", 1)[-1]
            named = [f for f in self.files if f.endswith(tail)]
            self._mapped += len(named)
            if len(self._asked) < self._ONE_BY_ONE and self._mapped <= len(self.files) // 4:
                found = self._asked[rel] = rel not in self.changed_rels and any(
                    self.state.rel(f) == rel for f in named)
                return found
            self._rels = set(map(self.state.rel, self.files)) - self.changed_rels
        return rel in self._rels


class _Names:
    """For the quick path: a corpus file's name as this run's listing spells it ("./a.txt"
    when the listing says so), so that findings name partners as the full check does."""

    def __init__(self, files: list[str]):
        self.files = files
        self._found: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        found = self._found.get(name)
        if found is None:
            want = os.path.normpath(name)
            # a file's path ends with its name (one ending in '/', '.' or '..' is a folder), so
            # only those are normalised, not 100,000 paths; the last listed wins, as in a dict
            tail = os.path.basename(want)
            found = self._found[name] = next(
                (f for f in reversed(self.files) if f.endswith(tail) and os.path.normpath(f) == want), name)
        return found
