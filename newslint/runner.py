"""One `newslint check` run: resolve settings, pick files, lint or fix each one.

Kept apart from cli.py so the run can be driven from tests, the pre-commit hook and
other engines without going through click.
"""

from __future__ import annotations

import fnmatch
import os

from newslint.config import ConfigError, Resolver, Settings, relative_to_root
from newslint.engine import FileResult, Linter, decode_path, probe_path, process_path
from newslint.files import _matches, discover, dotless, folders
from newslint.packs import Pack, PackError, load_builtin_packs, load_pack_file
from newslint.record import Record
from newslint.checks.boilerplate import SAFE_DELETE_MAX_WORDS, PackCodeRule
from newslint.registry import Context, Rule, all_rules, select_rules
from newslint.suppress import not_suppressed


class CheckOptions(Record):
    _fields = __slots__ = ("paths", "mode", "unsafe_fixes", "select", "extend_select", "ignore")

    def __init__(self, paths: tuple[str, ...] = (".",), mode: str = "check", unsafe_fixes: bool | None = None,
                 select: list[str] | None = None, extend_select: list[str] | None = None,
                 ignore: list[str] | None = None):
        self.paths = paths
        self.mode = mode  # check | fix | diff
        self.unsafe_fixes = unsafe_fixes
        self.select = select
        self.extend_select = [] if extend_select is None else extend_select
        self.ignore = [] if ignore is None else ignore


_FIX_SAID = {"sometimes": f"safe for lines of up to {SAFE_DELETE_MAX_WORDS} words, else unsafe"}


def _effective_fix(r) -> str:
    """A pack rule's fix as the fixer applies it: a "safe" deletion (a whole line, a token
    removed, a swap to nothing) is safe on short lines only (checks.boilerplate.
    SAFE_DELETE_MAX_WORDS: a longer line's words would be lost); a swap to a word always is."""
    if r.fix != "safe":
        return r.fix
    swaps = r.spec.get("swap") if r.kind == "substitution" else None
    deletes = r.kind != "substitution" or any(v == "" for v in (swaps or {}).values())
    return "sometimes" if deletes else "safe"


def _unfilled(message: str) -> str:
    """A pack message template as a summary: its match placeholder shown as an ellipsis."""
    return message.replace("{match!r}", "…").replace("{match}", "…")


class PackRuleAdapter(PackCodeRule):
    """A user pack's code, registered as a rule so it can be selected and documented. Its
    findings are those of every loaded pack's rules with the code (as NL201's come from
    several shipped packs), so it is documented from all the user packs that use it."""

    def __init__(self, code: str, packs: list[Pack]):
        self.code = code
        packs = [p for p in packs if any(r.code == code for r in p.rules)]
        entries = [r for p in packs for r in p.rules if r.code == code]
        self.name = entries[0].id
        self.source = packs[0].path
        fixes = {_effective_fix(r) for r in entries}
        self.fix = fixes.pop() if len(fixes) == 1 else "sometimes"
        lines = [_unfilled(entries[0].spec.get("description") or entries[0].message)]
        for pack in packs:
            lines += ["", f"From rule pack {pack.path}:"]
            lines += [f"- {r.id} ({r.kind}): {_unfilled(r.message)} [fix: {_FIX_SAID.get(_effective_fix(r), r.fix)}]"
                      for r in pack.rules if r.code == code]
        self._doc = "\n".join(lines)

    def doc(self) -> str:  # type: ignore[override]
        return self._doc

    def summary(self) -> str:  # type: ignore[override]
        return self._doc.splitlines()[0]


class LinterFactory:
    """One Linter per distinct settings (files under different configs may differ)."""

    def __init__(self, opts: CheckOptions):
        self.opts = opts
        self._cache: dict[tuple, tuple[Linter, dict[str, Rule]]] = {}
        # corpus rules that run as file rules in this run, with their settings (NL202's
        # fix needs the corpus's line counts, found before the files are fixed)
        self.extra_rules: dict[str, dict] = {}
        self.accepted = None  # baseline.Accepted: findings --fix leaves alone

    def clear(self) -> None:
        """Forget the linters built so far (after extra_rules changed)."""
        self._cache.clear()

    def packs_and_rules(self, settings: Settings) -> tuple[list[Pack], dict[str, Rule]]:
        builtin = all_rules()
        packs = load_builtin_packs(list(settings.builtin_packs) if settings.builtin_packs is not None else None)
        rules = dict(builtin)
        user = []
        for path in dict.fromkeys(settings.rule_packs):  # a pack named twice is loaded once
            pack = load_pack_file(path)
            for code in dict.fromkeys(r.code for r in pack.rules):
                if code in builtin:
                    raise PackError(f"{path}: code {code} clashes with the built-in rule {builtin[code].name}")
            user.append(pack)
        for code in dict.fromkeys(r.code for pack in user for r in pack.rules):
            rules[code] = PackRuleAdapter(code, user)
        return packs + user, rules

    def get(self, settings: Settings) -> tuple[Linter, dict[str, Rule]]:
        key = settings.key()
        if key not in self._cache:
            packs, rules = self.packs_and_rules(settings)
            check_config_codes(settings, rules)
            select = self.opts.select if self.opts.select is not None else (
                list(settings.select) if settings.select is not None else None)
            chosen = select_rules(rules, select, list(settings.ignore) + self.opts.ignore,
                                  list(settings.extend_select) + self.opts.extend_select)
            options = settings.options()
            for code, extra in self.extra_rules.items():
                options.update(extra)
            ctx = Context(settings=options, packs=packs, selected=frozenset(r.code for r in chosen),
                          accepted=self.accepted)
            linter = Linter(chosen, ctx)
            linter.rules += [r for r in chosen if r.code in self.extra_rules]
            self._cache[key] = (linter, rules)
        return self._cache[key]


def per_file_ignored(path: str, settings: Settings) -> list[str]:
    """The code prefixes `per-file-ignores` turns off for `path` ("ALL", as in `ignore`,
    is every code: returned as the empty prefix, which every code starts with)."""
    if not settings.per_file_ignores:
        return []
    rel = relative_to_root(path, settings).replace(os.sep, "/")
    out = []
    for glob, codes in settings.per_file_ignores:
        if glob.startswith("./") or glob.endswith("/"):  # "./drafts/*" is "drafts/*"; "drafts/" a folder
            g = dotless(glob).rstrip("/")
            if fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(rel, g + "/*") or (  # a file, or a folder's files
                    g.startswith("**/") and fnmatch.fnmatch(rel, g[3:] + "/*")):  # "**/wire/": at the top too
                out.extend(codes)
        elif fnmatch.fnmatch(rel, glob) or fnmatch.fnmatch(os.path.basename(rel), glob) or _matches(rel, [glob]):
            out.extend(codes)
    return ["" if c.upper() == "ALL" else c for c in out]


def files_to_check(paths, resolver: Resolver, unlisted: list | None = None) -> list[str]:
    """The files under `paths`, each root's files sorted. URL roots (any fsspec URL) are
    listed through fsspec and raise newslint.remote.RemoteError when they cannot be.
    `unlisted`: as for newslint.files.discover, the local folders that could not be listed."""
    from newslint.remote import is_url, list_url, settings_for

    out = []
    for root in paths:
        s = settings_for(root, resolver)
        if is_url(root):  # exclude globs with a '/' are anchored at the URL itself
            out.extend(list_url(root, s.include, s.all_excludes, s.force_exclude))
            continue
        excludes = tuple(_anchor(g, s) for g in s.all_excludes)
        found = discover([root], include=s.include, exclude=excludes, force_exclude=s.force_exclude,
                         unlisted=unlisted)
        if s.respect_gitignore and found and os.path.isdir(root):  # a file named is checked all the same
            from newslint.corpus.discover import drop_git_ignored

            found = drop_git_ignored(root, found)
        out.extend(found)
    if len(paths) < 2:  # one root lists each of its files once
        return out
    # one file named twice ("a.txt ./a.txt", a file and its folder, relative and absolute,
    # through a linked folder) is checked once, under the name it had first; by its folder's
    # real path and its name (a file that is a link keeps its own), which costs a call a
    # file: only when several roots are given
    cwd = os.getcwd()
    real: dict[str, str] = {}
    first: dict[str, str] = {}
    for p in out:
        if is_url(p):
            first.setdefault(p, p)
            continue
        # not normpath'd first: realpath resolves a link before the '..' after it, as the
        # system does (feeds/../a.txt, feeds a link, is not ./a.txt)
        folder, name = os.path.split(os.path.join(cwd, p))
        if folder not in real:
            real[folder] = os.path.realpath(folder)
        first.setdefault(os.path.join(real[folder], name), p)
    return list(first.values())


def _anchor(glob: str, s: Settings) -> str:
    """Globs with a '/' are relative to the config's folder; plain ones match any name."""
    if "/" not in glob:
        return glob
    return glob if os.path.isabs(glob) else os.path.join(s.root, dotless(glob)).replace(os.sep, "/")


def check_file(path: str, resolver: Resolver, factory: LinterFactory, opts: CheckOptions) -> FileResult:
    settings = resolver.for_file(path)
    linter, _ = factory.get(settings)
    ignored = per_file_ignored(path, settings)
    if ignored:
        linter = _without(linter, ignored)
    unsafe = opts.unsafe_fixes if opts.unsafe_fixes is not None else settings.unsafe_fixes
    return process_path(path, linter, opts.mode, unsafe, settings.encoding, settings.max_file_size,
                        linter_for=lambda other: _linter_of(other, settings, factory))


def _linter_of(path: str, settings: Settings, factory: LinterFactory) -> Linter:
    """The linter of `path` under `settings` (a file split off another, in its folder)."""
    linter, _ = factory.get(settings)
    ignored = per_file_ignored(path, settings)
    return _without(linter, ignored) if ignored else linter


def _without(linter: Linter, prefixes: list[str]) -> Linter:
    keep = [r for r in linter.rules if not any(r.code.startswith(p.upper()) for p in prefixes)]
    return Linter(keep, linter.ctx, linter.cross_file)


def validate_codes(codes, rules: dict[str, Rule]) -> list[str]:
    return [c for c in codes if c.upper() != "ALL" and not any(code.startswith(c.upper()) for code in rules)]


def check_config_codes(settings: Settings, rules: dict[str, Rule]) -> None:
    """A config's rule codes must name rules, as --select's must: `select = ["NL10l"]`
    selected nothing and every run passed."""
    lists = [("select", settings.select or ()), ("extend-select", settings.extend_select),
             ("ignore", settings.ignore)] + [(f"per-file-ignores {glob!r}", codes)
                                            for glob, codes in settings.per_file_ignores]
    for name, codes in lists:
        unknown = validate_codes(codes, rules)
        if unknown:
            raise ConfigError(f"{settings.source or '--config'}: unknown rule code or prefix in {name}: "
                              f"{', '.join(unknown)} (see `newslint rules`)")



def linter_digest(linter: Linter, settings: Settings) -> str:
    """What shapes a file's findings besides its bytes: rules, their options, pack contents."""
    import hashlib

    h = hashlib.sha256()
    h.update(repr(sorted(r.code for r in linter.rules)).encode())
    h.update(repr(sorted(linter.cross_file)).encode())  # which NL601s the in-file pass leaves to them
    h.update(repr(sorted(settings.options().items())).encode())
    h.update(settings.encoding.encode())
    h.update(str(settings.max_file_size).encode())  # a file over it is NL503, not linted
    for pack in linter.ctx.packs:
        h.update(pack.path.encode())
        for r in pack.rules:
            h.update(repr((r.code, r.id, r.kind, r.message, r.fix, sorted(r.spec.items(), key=str))).encode())
    return h.hexdigest()


class RunStats(Record):
    _fields = __slots__ = ("files", "linted", "cache_hits", "read")

    def __init__(self, files: int = 0, linted: int = 0, cache_hits: int = 0, read: int = 0):
        self.files = files
        self.linted = linted  # files whose rules actually ran (cache misses)
        self.cache_hits = cache_hits
        self.read = read  # files read to hash them (the others' size, mtime and inode were unchanged)


_PREFETCH_MIN = 200  # files in a run from which the whole stat table is read at once
_WORKERS_MIN = 64  # files to lint from which worker processes pay for their start-up


class Runner:
    """Checks many files: settings per file, the results cache, and worker processes.

    Output is independent of the number of jobs: results come back in input order.
    """

    def __init__(self, opts: CheckOptions, resolver_args: dict, cache_dir: str | None, jobs: int = 1,
                 resolver: Resolver | None = None):
        self.opts = opts
        self.resolver_args = resolver_args
        self.resolver = resolver or Resolver(**resolver_args)  # the workers build theirs from the args
        self.factory = LinterFactory(opts)
        self.jobs = max(1, jobs)
        self.cache = None
        if cache_dir and opts.mode in ("check", "fix"):
            from newslint.cache import ResultsCache

            try:
                self.cache = ResultsCache(cache_dir)
            except (OSError, Exception) as exc:  # an unwritable cache folder only costs speed
                import sys

                print(f"newslint: warning: results cache disabled ({exc})", file=sys.stderr)
        self.stats = RunStats()
        self._cwd = os.getcwd()  # os.path.abspath asks the kernel for it on every call
        self._keyed: dict[str, str] = {}  # path -> the stat identity its cache key was made at

    def _linter_for(self, path: str) -> tuple[Linter, Settings]:
        settings = self.resolver.for_file(path)
        linter, _ = self.factory.get(settings)
        ignored = per_file_ignored(path, settings)
        return (_without(linter, ignored) if ignored else linter), settings

    def _cache_key(self, path: str) -> tuple[str | None, Linter | None, Settings | None]:
        """(results-cache key, linter, settings) for a file; no key when it cannot be known
        (no cache, or the file is unreadable: the linter then reports it)."""
        from newslint.source import SourceError, read_bytes

        linter, settings = self._linter_for(path)
        try:
            st = os.stat(path)
        except OSError:
            return None, None, None
        ident = self._keyed[path] = self.cache.ident(st)
        abspath = path if os.path.isabs(path) else os.path.normpath(os.path.join(self._cwd, path))
        content = self.cache.content_for(abspath, ident)
        if content is None:
            try:  # never opens a FIFO, never reads past the size limit
                data = read_bytes(path, settings.max_file_size)
            except (SourceError, OSError):
                return None, None, None
            content = self.cache.content_hash(data)
            self.cache.remember(abspath, ident, content)
            self.stats.read += 1
        digest = linter.__dict__.get("_digest")
        if digest is None:
            digest = linter.__dict__["_digest"] = linter_digest(linter, settings)
        return self.cache.key(content, digest), linter, settings

    def _unchanged_since_keyed(self, path: str) -> bool:
        """Is the file as it was when its key was made? The key hashes one read and the linter
        reads the file again: an edit between the two (undone later: a git checkout) stored
        the edited text's findings under the original's key, and every later run reported
        them (found by a review). A write changes the ctime, so a stat after the lint tells."""
        try:
            return self.cache.ident(os.stat(path)) == self._keyed.get(path)
        except OSError:
            return False

    def _from_cache(self, paths: list[str]) -> list[tuple[FileResult | None, str | None]]:
        """For each path: (cached result, None) when its findings are known, else (None, key)."""
        if self.cache is None:
            return [(None, None)] * len(paths)
        from newslint.cache import CacheDamaged

        try:
            if len(paths) >= _PREFETCH_MIN:
                self.cache.prefetch_stats()
            keyed = [self._cache_key(p) for p in paths]
            found = self.cache.get_many([(k, p) for p, (k, _, _) in zip(paths, keyed) if k is not None])
        except CacheDamaged as exc:  # never trusted: this run lints every file, the next starts a new cache
            import sys

            print(f"newslint: warning: results cache {self.cache.path} unreadable ({exc}); not used", file=sys.stderr)
            self.cache.discard(exc)
            self.cache = None
            return [(None, None)] * len(paths)
        out = []
        it = iter(found)
        for path, (key, linter, settings) in zip(paths, keyed):
            if key is None:
                out.append((None, None))
                continue
            diags = next(it)
            if diags is None:
                out.append((None, key))
                continue
            unsafe = self.opts.unsafe_fixes if self.opts.unsafe_fixes is not None else settings.unsafe_fixes
            if self.opts.mode == "fix" and (linter.fixable(diags, unsafe)
                                            or any(unsafe and d.fix and d.fix.split_at for d in diags)):
                out.append((None, None))  # there is something to fix: run the fixer
                continue
            out.append((FileResult(path, diagnostics=diags), None))
        return out

    def run(self, paths: list[str], progress=None, pool=None, opened: dict[str, int] | None = None,
            not_text: frozenset = frozenset()) -> list[FileResult]:
        """FileResults for `paths`, in order; `pool`: worker processes already started
        (start_pool), used if the run lints in workers, and left running; `opened`: the
        files the cross-file pass has opened and read already, with their sizes
        (CorpusResult.opened), when it ran first; `not_text`: those it left out as not text."""
        self.stats.files = len(paths)
        if not self.any_rules(paths):
            # only cross-file rules: nothing to cache, nothing to lint; each file is probed so
            # that an unreadable one is still reported, unless the corpus pass opened it: a
            # second open of every file, cold, cost 26 s of a million-file check (bench/RESULTS.md)
            if self.cache is not None:
                self.cache.close()
            out = []
            opened = opened or {}
            for path in paths:
                settings = self.resolver.for_file(path)
                limit = settings.max_file_size
                size = opened.get(path)
                # NL501 is reported whatever the selection: a file the corpus pass left out as
                # not text is read; so is every file of a --fix or --diff (the pass comes after
                # the fix, or not at all: it cannot tell which)
                if path in not_text or self.opts.mode != "check":
                    out.append(decode_path(path, settings.encoding, limit))
                else:
                    out.append(FileResult(path) if size is not None and size <= limit else probe_path(path, limit))
                if progress:
                    progress(1)
            return out
        results: list[FileResult | None] = [None] * len(paths)
        todo: list[tuple[int, str, str | None]] = []
        for n, (path, (hit, key)) in enumerate(zip(paths, self._from_cache(paths))):
            if hit is not None:
                results[n] = hit
                self.stats.cache_hits += 1
                if progress:
                    progress(1)
            else:
                todo.append((n, path, key))
        self.stats.linted = len(todo)
        for (n, path, key), res in zip(todo, self._lint_all([p for _, p, _ in todo], progress, pool)):
            results[n] = res
            # notes (a binary file skipped) are not kept with the findings: such a file is
            # not cached, so every run says why it was skipped
            if key is not None and self.cache is not None and not res.error and not res.written \
                    and not res.notes and self.opts.mode == "check" and self._unchanged_since_keyed(path):
                self.cache.put(key, res.diagnostics)
        if self.cache is not None:
            self.cache.close()
        return results  # type: ignore[return-value]

    def uses_workers(self, paths: list[str]) -> bool:
        """Would run(paths) lint in worker processes (as far as can be told before the cache
        is asked)? Then the process itself sits idle while they work."""
        return self.jobs > 1 and len(paths) >= _WORKERS_MIN and self.any_rules(paths)

    def any_rules(self, paths: list[str]) -> bool:
        """Could any in-file rule apply? Settings differ by folder at most (one file each is
        asked); per-file ignores only take rules away, so they are left out here."""
        return any(self.factory.get(self.resolver.for_file(os.path.join(folder, "x")))[0].rules
                   for folder in folders(paths))

    def start_pool(self):
        """The worker processes, forked now by the calling thread, for run(..., pool=).
        run_beside forks them before the cross-file pass starts beside them: a process forked
        while another thread is importing a module inherits that module's lock held, and
        hangs when it imports the module itself (a check that never ended, seen in CI)."""
        from concurrent.futures import ProcessPoolExecutor

        _WORKER["parent"] = os.getpid()  # (forked with it: a worker whose parent is gone stops)
        # the workers build their own linters: they need the factory's extra rules too
        pool = ProcessPoolExecutor(self.jobs, initializer=_worker_init,
                                   initargs=(self.opts, self.resolver_args, self.factory.extra_rules,
                                             self.factory.accepted))
        pool.submit(int)  # the first task forks every worker (the fork start method starts all)
        return pool

    def _lint_all(self, paths: list[str], progress, pool=None):
        # Worker processes pay for themselves only on larger runs (each costs a start-up).
        if self.jobs == 1 or len(paths) < _WORKERS_MIN:
            for path in paths:
                yield check_file(path, self.resolver, self.factory, self.opts)
                if progress:
                    progress(1)
            return
        size = max(8, min(256, len(paths) // (self.jobs * 8) or 1))
        chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
        if pool is not None:
            yield from self._from_pool(pool, chunks, progress)
            return
        with self.start_pool() as own:
            yield from self._from_pool(own, chunks, progress)

    @staticmethod
    def _from_pool(pool, chunks: list[list[str]], progress):
        from concurrent.futures.process import BrokenProcessPool

        try:
            for chunk_results in pool.map(_worker_run, chunks):
                for res in chunk_results:
                    yield res
                    if progress:
                        progress(1)
        except BrokenProcessPool:
            raise WorkerLost(_how_workers_died(pool)) from None


class WorkerLost(Exception):
    """A worker process died under the run (the OOM killer, a kill -9): the run cannot tell
    which files it was checking, so it stops with exit status 2 and says so, not as a bug."""


def _how_workers_died(pool) -> str:
    workers = list((getattr(pool, "_processes", None) or {}).values())
    for p in workers:  # the lost one may not be reaped yet when the pool says it is broken
        p.join(1)
    signals = sorted({-p.exitcode for p in workers if p.exitcode is not None and p.exitcode < 0})
    if signals:
        import signal

        # the pool ends the other workers with SIGTERM once one is lost: the cause is the other signal
        signals = [n for n in signals if n != signal.SIGTERM] or signals
        names = ", ".join(signal.Signals(n).name if n in signal.Signals._value2member_map_ else str(n)
                          for n in signals)
        why = f"killed by {names}" + ("; out of memory? try fewer --jobs" if signal.SIGKILL in signals else "")
    else:
        why = "it stopped without a word"
    return f"a worker process died ({why}); the run is incomplete: run it again"


_WORKER: dict = {}


def _worker_stop(signum, frame) -> None:
    raise SystemExit(1)


def _worker_init(opts: CheckOptions, resolver_args: dict, extra_rules: dict, accepted) -> None:
    import signal

    # Ctrl-C reaches the workers too (one process group): a worker stops as quietly as
    # the main process, where a KeyboardInterrupt made multiprocessing print a traceback per
    # worker. SystemExit still unwinds a fix being written (its temp file is removed).
    # Started with Ctrl-C ignored (`newslint check . &` in a script), the run goes on: so do they.
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _worker_stop)
    _end_with_the_parent()
    _WORKER["opts"] = opts
    _WORKER["resolver"] = Resolver(**resolver_args)
    factory = _WORKER["factory"] = LinterFactory(opts)
    factory.extra_rules, factory.accepted = extra_rules, accepted


def _end_with_the_parent() -> None:
    """A worker whose run was killed (kill -9, the OOM killer, a CI job's timeout) went on
    linting and fixing its share of the files, then waited on its pipe forever, adopted by
    init (found by a review). On Linux the kernel sends it SIGTERM when the process that
    forked it ends, and SIGTERM's default action ends it there and then, as the pool's own
    terminate() does (a handler raising SystemExit hung in the exit: its queues' threads
    wait on pipes the other worker holds open). A write in flight is a temporary file
    renamed over the original: the original stays whole. A parent already gone before the
    request is seen by its pid."""
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != _WORKER.get("parent", os.getppid()):
        os._exit(1)


def _worker_run(paths: list[str]) -> list[FileResult]:
    return [check_file(p, _WORKER["resolver"], _WORKER["factory"], _WORKER["opts"]) for p in paths]


CORPUS_TABLE_KEYS = {  # config table.key -> CorpusOptions field
    ("duplicates", "threshold"): "threshold",
    ("duplicates", "containment"): "containment",
    ("duplicates", "num-perm"): "num_perm",
    ("duplicates", "shingle-size"): "shingle_size",
    ("duplicates", "hash"): "hash",
    ("corpus-boilerplate", "min-files"): "boilerplate_min_files",
    ("corpus-boilerplate", "min-fraction"): "boilerplate_fraction",
}


def corpus_options(settings: Settings, selected: frozenset, use_cache: bool, index_url: str | None,
                   jobs: int | None, cache_dir: str | None = None, asked: bool = False):
    """CorpusOptions from the settings of the run's first path (the corpus is one, so its
    settings are one too), or None when no corpus rule is selected. `asked`: the command is
    the cross-file pass itself (`dups`, `index`), which `duplicates.enabled = false` (the
    check's switch) does not turn off, nor its settings."""
    from newslint.corpus import CORPUS_CODES

    codes = frozenset(selected) & CORPUS_CODES
    opts = settings.options()
    if not codes or (opts.get("duplicates", {}).get("enabled") is False and not asked):
        return None
    from newslint.corpus import CorpusOptions

    kw = {}
    for (table, key), field_name in CORPUS_TABLE_KEYS.items():
        if key in opts.get(table, {}):
            kw[field_name] = opts[table][key]
    url = index_url or opts.get("duplicates", {}).get("index")
    if url and url != "sqlite":
        kw["index_url"] = url
    if cache_dir:
        kw["cache_dir"] = os.path.abspath(cache_dir)
    return CorpusOptions(select=codes, use_cache=use_cache, include=settings.include, encoding=settings.encoding,
                         exclude=tuple(_anchor(g, settings) for g in settings.all_excludes), jobs=jobs,
                         max_bytes=settings.max_file_size, **kw)


def kept_corpus_findings(found: list, path: str, in_file: set[str], ignored: list[str],
                         selected: frozenset) -> list:
    """A file's cross-file findings less the codes its settings do not select (the pass runs
    with the first path's selection; a folder's own config may ignore NL401 there) or its
    per-file ignores name, and less NL202 where the in-file pass placed it already (the
    fixer's path); both engines' merges."""
    return [d for d in found if d.code in selected and not (d.code == "NL202" and path in in_file)
            and not any(d.code.startswith(p.upper()) for p in ignored)]


def merge_corpus_findings(results: list[FileResult], by_path: dict, resolver: Resolver,
                          factory: LinterFactory) -> None:
    """Each file's cross-file findings into its result, less the codes its settings (with the
    command line's, as `factory` selects) leave out or its per-file ignores name, and NL202
    where the in-file pass already placed it (the fixer's path)."""
    in_file = {d.filename for r in results for d in r.diagnostics if d.code == "NL202"}
    own = {r.path for r in results}
    for res in results:
        extra = []
        # and the articles a fix split off into new files (one already listed has its own result)
        for path in (res.path, *(p for p in res.written[1:] if p not in own)):
            found = by_path.get(path)
            if not found:
                continue
            settings = resolver.for_file(path)
            kept = kept_corpus_findings(found, path, in_file, per_file_ignored(path, settings),
                                        factory.get(settings)[0].ctx.selected)
            extra += not_suppressed(path, kept, settings.encoding)
        if extra:
            res.diagnostics = sorted(res.diagnostics + extra, key=lambda d: d.sort_key())


def run_beside(runner: Runner, files: list[str], progress, other):
    """(runner.run(files, progress), other()), the two at once: the in-file rules in the
    runner's worker processes, `other` (the cross-file pass) in this process meanwhile.

    The runner's thread only hands chunks to the workers and takes their results back, so
    the process is otherwise idle while they lint; run one after the other, the cross-file
    pass (~1.3 cores busy) left a core idle for most of its run. An error in either is
    raised here once both have stopped, the cross-file pass's first."""
    from concurrent.futures import ThreadPoolExecutor

    pool = runner.start_pool()  # forked here, before either side runs (see Runner.start_pool)
    try:
        # leaving the with-block waits for the in-file pass, also when other() raised (Ctrl-C
        # reaches the workers too); result() raises the in-file pass's own error
        with ThreadPoolExecutor(1, thread_name_prefix="newslint-in-file") as thread:
            linted = thread.submit(runner.run, files, progress, pool)
            other_result = other()
            return linted.result(), other_result
    finally:
        if pool is not None:  # a stand-in runner (tests) may start none
            pool.shutdown()


def run_corpus(files: list[str], options) -> tuple[dict, list[str], dict, str, dict[str, int]]:
    """The cross-file pass for `files` against the whole corpus (the git repository, or
    the files given). Returns (diagnostics by path, notes, NL202 data for the fixer, a line
    saying what the pass did, for --verbose, the files it opened: CorpusResult.opened, empty
    when the snapshot answered)."""
    from newslint.corpus.quick import quick_check

    quick = quick_check(files, options)  # a few files against an unchanged repository: the snapshot
    if quick is not None:
        diagnostics, notes, boilerplate, stats = quick
        return diagnostics, notes, boilerplate, (
            f"newslint: corpus of {stats.corpus_files} files answered from the snapshot "
            f"({stats.hashed} read, {stats.candidates} candidate pairs, {stats.verified} verified)"), {}
    from newslint.corpus import analyze

    result = analyze(files, None, options, files_only=True)
    st = result.stats
    return result.diagnostics, result.notes, result.boilerplate, (
        f"newslint: corpus of {st.corpus_files} files, {st.stat_hits} unchanged by stat, {st.hashed} read, "
        f"{st.signed} signed, {st.candidates} candidate pairs ({st.screened} set aside by their signatures), "
        f"{st.verified} verified"), result.opened
