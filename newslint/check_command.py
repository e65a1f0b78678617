"""The body of `newslint check`, free of click: cli.py runs it for the click command, and
entry.py runs it directly for a plain `check` invocation, without importing click."""

from __future__ import annotations

import os
import re
import sys

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A bad invocation; shown the way click shows its usage errors, with exit status 2."""


def run_check(echo, unstyle, *, paths, fix, unsafe_fixes, diff, select, extend_select, ignore, output_format,
              output_file, exit_zero, quiet, statistics, stdin_filename, configs, isolated, force_exclude, jobs,
              no_cache, cache_dir, index_url, engine, scheduler, partition_size, show_fixes, exit_non_zero_on_fix,
              verbose, baseline_file, write_baseline_file, paths_last=False):
    """Run `newslint check` with the options as click parses them; always exits.
    `echo(message, err=False, nl=True, color=None)` and `unstyle(text)` print and strip styles.
    `paths_last` has done its work in the parsing (entry.mark_paths_last)."""
    from newslint.config import ConfigError
    from newslint.engine import Linter, error_result, process_source
    from newslint.packs import PackError
    from newslint.report import Run, get_reporter, printable
    from newslint.runner import (CheckOptions, Runner, WorkerLost, corpus_options, merge_corpus_findings,
                                 run_beside, run_corpus, validate_codes)
    from newslint.source import SourceError, decode

    if fix and diff:
        raise UsageError("--fix and --diff cannot be used together (--diff never writes).")
    if diff and output_format not in (None, "text"):  # a CI job's parser would get a diff in place of its report
        raise UsageError(f"--diff prints a unified diff, not a report: --output-format {output_format} does not "
                         f"apply to it. Drop --diff for a {output_format} report of the findings (with their "
                         "fixes), or drop --output-format for the diff.")
    if diff and (statistics or show_fixes):  # both shape a report; the diff printed without a word of them
        given, instead = (("--statistics", "a count of the findings per rule") if statistics else
                          ("--show-fixes", "the list of fixes each file would get"))
        raise UsageError(f"--diff prints a unified diff, not a report: {given} does not apply to it. Drop --diff "
                         f"for {instead}, or drop {given} for the diff.")
    if statistics and output_format not in (None, "text", "concise", "full", "json"):  # it printed every finding
        raise UsageError(f"--statistics counts the findings per rule in the text or json report: --output-format "
                         f"{output_format} has no such form. Drop --statistics for a {output_format} report of "
                         "each finding, or use --output-format json for the counts.")
    if exit_zero and exit_non_zero_on_fix:  # the second won, silently
        raise UsageError("--exit-zero and --exit-non-zero-on-fix ask for opposite exit statuses: give one of them.")
    if write_baseline_file and (output_file or diff):  # it wrote the baseline alone, saying nothing of the report
        given = "--output-file" if output_file else "--diff"
        raise UsageError(f"--write-baseline writes the baseline and no report: drop {given}, or write the "
                         "report in a run of its own (with --baseline to leave the accepted findings out).")
    if stdin_filename and not paths:  # as ruff: a name for stdin's text means stdin is read
        paths = ("-",)
    paths = tuple(paths) or (".",)
    stdin = paths == ("-",)
    if stdin_filename and not stdin:
        raise UsageError("--stdin-filename names the text read from stdin: pass '-' (or no path), not files.")
    if not stdin:
        _validate_paths(paths, fix)
    if select and not _merge_lists(select) and not _merge_lists(extend_select):  # `--select "$UNSET"`
        raise UsageError("--select was given no rule code: it would turn the default rules off, leaving "
                         "at most a config's extend-select (name codes or prefixes, or leave --select out "
                         "for the defaults).")
    opts = CheckOptions(paths, "diff" if diff else "fix" if fix else "check", unsafe_fixes,
                        _merge_lists(select), _merge_lists(extend_select) or [], _merge_lists(ignore) or [])
    for option, target in (("--output-file", output_file), ("--write-baseline", write_baseline_file)):
        if target:  # found before the run, not after linting every file
            _validate_output(option, target)
    try:
        resolver_args = _resolver_args(configs + (("force-exclude = true",) if force_exclude else ()), isolated)
        results_cache = None
        from newslint.config import Resolver

        resolver = Resolver(**resolver_args)
        cache_dir = cache_dir or resolver.for_path("." if stdin else paths[0]).configured_cache_dir()
        if not (no_cache or stdin or diff):
            from newslint.cache import cache_root

            # one cache folder for the results and the duplicate index: --cache-dir (or the
            # config's cache-dir), else .newslint_cache at the top of the git work tree (else
            # the current folder)
            results_cache = cache_dir or os.path.join(cache_root(), ".newslint_cache")
        runner = Runner(opts, resolver_args, results_cache, jobs or os.cpu_count() or 1, resolver)
        resolver, factory = runner.resolver, runner.factory
        baseline = None
        if baseline_file:  # read once, before the run: a bad one stops it at once
            from newslint.baseline import Baseline, BaselineError

            try:
                baseline = Baseline(baseline_file)
            except BaselineError as exc:
                echo(f"newslint: error: {exc}", err=True)
                sys.exit(EXIT_ERROR)
            if fix or diff:  # what the baseline accepts is left as it is, as suppressed findings are
                factory.accepted = baseline.accepted
        first = resolver.for_path(stdin_filename or "." if stdin else paths[0])
        linter, rules = factory.get(first)
        unknown = validate_codes((opts.select or []) + opts.ignore + opts.extend_select, rules)
        if unknown and stdin:
            raise UsageError(f"unknown rule code or prefix: {', '.join(unknown)} (see `newslint rules`)")
        results = []
        corpus_ran = False  # whether the cross-file pass ran (not for stdin, nor with --diff)
        stdin_shown: dict = {}  # name -> Source, for the `full` format's lines
        if stdin:
            _refuse_articles(resolver, output_file, write_baseline_file)
            data = sys.stdin.buffer.read()
            name = stdin_filename or "-"
            if stdin_filename:  # the settings of the file it stands for: exclusions, per-file ignores
                from newslint.remote import is_url
                from newslint.runner import _without, files_to_check, per_file_ignored

                # (a URL name is only a name here: nothing is listed)
                if not is_url(stdin_filename) and not files_to_check([stdin_filename], resolver):  # force-excluded
                    if fix:
                        sys.stdout.buffer.write(data)
                    sys.exit(EXIT_CLEAN)
                ignored = per_file_ignored(stdin_filename, resolver.for_file(stdin_filename))
                if ignored:
                    linter = _without(linter, ignored)
            linter = Linter(linter.rules, linter.ctx, frozenset())  # no cross-file pass: every NL601 is said here
            try:
                source = decode(data, name, first.encoding)  # named for reports; never written
            except SourceError as exc:
                results.append(error_result(name, exc))
                if fix:  # a filter gives back what it cannot fix, unchanged: never an empty file
                    sys.stdout.buffer.write(data)
            else:
                unsafe = unsafe_fixes if unsafe_fixes is not None else first.unsafe_fixes
                # --diff shows what --fix writes: one text, never a split-off file
                res = process_source(source, linter, "stdout" if fix else opts.mode, unsafe, name, split=False)
                # nor is a split offered: no [*] on NL301, no count of it among the fixable
                withheld = any(d.fix is not None and d.fix.split_at for d in res.diagnostics)
                res.diagnostics = [d.replace(fix=None) if d.fix is not None and d.fix.split_at else d
                                   for d in res.diagnostics]
                if withheld and unsafe and (fix or diff) and not quiet:  # asked for, and not done: say why
                    echo(f"newslint: note: {name}: a merged file read from standard input is not split "
                         "(the second article would have no file to go to); run --fix --unsafe-fixes on "
                         "the file itself to split it", err=True)
                results.append(res)
                # what the findings' rows count in: the text as fixed, for --fix
                stdin_shown[name] = source.with_text(res.new_texts[0]) if fix and res.new_texts else source
                if fix:
                    for text in res.new_texts or [source.text]:
                        sys.stdout.buffer.write(source.with_text(text).to_bytes())
        else:
            engine = engine or first.engine
            for option, value in (("--scheduler", scheduler), ("--partition-size", partition_size)):
                if value is not None and engine != "dask" and not quiet:  # said, not silently ignored
                    echo(f"newslint: warning: {option} has no effect: it applies to the Dask engine only "
                         f"(--engine dask); this run uses the {engine} engine", err=True)
            if index_url and engine == "dask" and not quiet:  # the cluster's pass keeps no index
                echo("newslint: warning: --index has no effect with the Dask engine: its cross-file pass "
                     "compares the files in the cluster's memory and keeps no index", err=True)
            unlisted: list = []  # folders that could not be listed: reported once the files are checked
            files = _list_files(paths, resolver, engine, unlisted)
            if diff:
                files = _one_name_a_file(files, echo, quiet)
            if unknown:  # a code of a rule pack that only a subfolder's config loads is known there
                unknown = _unknown_anywhere(unknown, files, resolver, factory)
                if unknown:
                    raise UsageError(f"unknown rule code or prefix: {', '.join(unknown)} (see `newslint rules`)")
            idents = None  # the files' stat identities, once a report target exists (the record's too)
            for option, target in (("--output-file", output_file), ("--write-baseline", write_baseline_file)):
                if target and os.path.exists(target):
                    from newslint.lastrun import stat_identities

                    idents = stat_identities(files) if idents is None else idents
                    if not _among(target, files, idents):
                        continue
                    if not _among(target, paths) and _newslint_output(target):  # found by walking a
                        kept = _not_entry(files, target)  # folder: the report an earlier run left
                        files = [f for f, k in zip(files, kept) if k]
                        idents = [i for i, k in zip(idents, kept) if k]
                    if _among(target, files, idents):  # the report would overwrite an article
                        raise UsageError(f"{option} {target}: is one of the files being checked; "
                                         "write it somewhere else")
            _refuse_articles(resolver, output_file, write_baseline_file)  # nor one the cross-file rules read
            if not files and not unlisted and not quiet:  # as ruff: say so, rather than a bare "All checks passed!"
                excluded = f"; exclude: {', '.join(first.all_excludes)}" if first.all_excludes else ""
                echo(f"newslint: warning: no files to check under {', '.join(paths)} (include: "
                     f"{', '.join(first.include)}{excluded})", err=True)
            # --diff reports no cross-file findings, but shows NL202's deletions as --fix makes them
            copts = corpus_options(first, _corpus_selection(linter, files, resolver, factory),
                                   not (no_cache or diff), index_url, jobs or None, cache_dir)
            keeps_record = copts is not None and engine != "dask" and results_cache and opts.mode == "check"
            if not keeps_record:
                idents = None  # no record to reuse them (80 MB at a million files): not held through the pre-pass
            unsafe_run = unsafe_fixes if unsafe_fixes is not None else first.unsafe_fixes
            prepass = False  # NL202's deletions made by the fixer, from the corpus pass run before it
            if copts is not None and (fix or diff) and unsafe_run and "NL202" in copts.select and engine != "dask":
                # corpus boilerplate is found across files, then fixed file by file
                _, notes, boilerplate, _, _ = run_corpus(files, copts)
                factory.extra_rules = {"NL202": {"corpus-boilerplate": boilerplate}}
                factory.clear()
                prepass = (copts, boilerplate)
            if diff and engine != "dask":  # the cluster needs them for NL202's deletions (and reports none)
                copts = None
            corpus_ran = copts is not None
            if engine == "dask":
                from newslint.distributed import DaskUnavailable, run_check

                try:
                    results = run_check(files, opts, resolver_args, copts, scheduler or first.scheduler,
                                        partition_size or first.partition_size, factory.accepted)
                except DaskUnavailable as exc:
                    raise UsageError(str(exc))
                copts = None  # the cluster ran the corpus pass too
            show_bar = engine != "dask" and (len(files) >= 50 and not quiet and not output_file and (output_format or "text") == "text"
                        and sys.stderr.isatty())
            record = answered = None
            corpus = None  # the cross-file pass's result, when it ran while the workers linted
            if keeps_record:
                from newslint.lastrun import wants_record

                record, idents = wants_record(files, opts, resolver_args, runner, copts, results_cache, idents)
                answered = record.answer(files, idents, runner, resolver) if record else None
            if answered:
                results, notes, record_line = answered
                if results:
                    results[0].notes.extend(_unsaid(notes, results))
                copts = None
            elif engine != "dask":
                if copts is not None:
                    from newslint.corpus.quick import prefetch

                    prefetch(files, copts)  # git's view of the repository, read while the files are linted
                # a check (nothing written) over many files: the cross-file pass runs in this
                # process while worker processes lint, instead of after them
                beside = copts is not None and opts.mode == "check" and runner.uses_workers(files)
                # a check of the cross-file rules alone: the corpus pass first, so that the files
                # it opened are not opened again to find which cannot be read
                first_corpus = copts is not None and opts.mode == "check" and not beside \
                    and not runner.any_rules(files)

                def lint(progress=None):
                    if beside:
                        return run_beside(runner, files, progress, lambda: run_corpus(files, copts))
                    if first_corpus:
                        from newslint.corpus.model import left_out
                        from newslint.gcpause import collector_paused

                        done = run_corpus(files, copts)
                        _, notes, *_, opened = done
                        with collector_paused():  # a result per file, no rule run: all kept (newslint.gcpause)
                            results = runner.run(files, progress, opened=opened, not_text=left_out(files, notes))
                        return results, done
                    return runner.run(files, progress), None

                if show_bar:
                    from click import progressbar  # a terminal run over many files: the import is noise

                    with progressbar(length=len(files), label="Checking", file=sys.stderr) as bar:
                        results, corpus = lint(bar.update)
                else:
                    results, corpus = lint()
                if prepass and diff:  # --diff shows what --fix writes, its later rounds of NL202 too
                    results = _diff_new_boilerplate(results, files, *prepass, runner, factory)
            if copts is not None:
                # after --fix: the tree as fixed, with the articles split off into new files
                split_off = [p for r in results for p in r.written[1:]] if fix else []
                if split_off:
                    listed = set(files)
                    split_off = [p for p in split_off if p not in listed]
                by_path, notes, boilerplate, corpus_line, _ = corpus or run_corpus(files + split_off, copts)
                if prepass and fix:
                    # the pre-pass counted a line once per file; a split puts it in more files, where
                    # it may now reach NL202's threshold: fix again until nothing changes
                    by_path, notes, boilerplate, corpus_line = _fix_new_boilerplate(
                        results, files, split_off, copts, runner, factory, (by_path, notes, boilerplate, corpus_line))
                merge_corpus_findings(results, by_path, resolver, factory)
                if results:
                    results[0].notes.extend(_unsaid(notes, results))
                if record:
                    record.save(files, idents, results, by_path, notes, boilerplate)
            # NL500 at each folder that could not be listed (after the record and the corpus
            # pass, which know files only): a check that never read a folder must not pass
            results += _unlisted_results(unlisted)
            if verbose and answered:
                echo(record_line, err=True)
            elif verbose:
                if record:
                    echo(f"newslint: full check ({record.reason})", err=True)
                st = runner.stats
                echo(f"newslint: {st.files} files, {st.cache_hits} from cache, {st.linted} linted, "
                           f"{st.read} read to hash", err=True)
                if copts is not None:
                    echo(corpus_line, err=True)
    except (ConfigError, PackError, WorkerLost) as exc:
        echo(f"newslint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)

    if write_baseline_file:
        from newslint.baseline import write_baseline

        found = [d for r in results for d in r.diagnostics]
        ran_of = _codes_run(resolver, factory, linter, corpus_ran)
        try:
            n, kept = write_baseline(write_baseline_file, [d for d in found if d.code != "NL500"],
                                     {r.path: ran_of(r.path) for r in results})
        except OSError as exc:  # a read-only baseline (for root too) or a full disk: no traceback
            echo(f"newslint: error: cannot write --write-baseline {write_baseline_file}: {exc.strerror or exc}",
                 err=True)
            sys.exit(EXIT_ERROR)
        also = (f" (and kept its {kept} entr{'y' if kept == 1 else 'ies'} for files or rules this run did not "
                "check)") if kept else ""
        echo(f"Wrote {n} finding{'s' * (n != 1)} to baseline {write_baseline_file}{also}", err=True)
        for d in found:  # an I/O error is no finding to accept: said here, and exit status 2
            if d.code == "NL500":
                echo(f"{d.filename}:{d.row}:{d.column}: {d.code} {d.message}", err=True)
        sys.exit(EXIT_ERROR if any(r.error for r in results) else EXIT_CLEAN)
    if baseline is not None:
        ran_of = _codes_run(resolver, factory, linter, corpus_ran)
        stale_files = 0
        for res in results:
            res.diagnostics, stale = baseline.filter(res.diagnostics, res.path, ran_of(res.path))
            if not stale:
                continue
            stale_files += 1
            if verbose:  # each entry
                for (fname, code, digest), n in stale:
                    res.notes.append(f"baseline entry {code} {digest} for {fname} matches nothing "
                                     f"({n} stale; refresh with --write-baseline)")
            elif stale_files <= _STALE_FILES_SHOWN:  # a line a file: after a clean-up, one per entry was
                res.notes.append(_stale_summary(stale))  # hundreds of lines of hashes
        if stale_files > _STALE_FILES_SHOWN and not verbose:
            more = stale_files - _STALE_FILES_SHOWN
            results[-1].notes.append(f"and {more} more file{'s' * (more != 1)} with stale baseline entries "
                                     "(-v lists every entry)")

    unsafe_shown = bool(unsafe_fixes if unsafe_fixes is not None else first.unsafe_fixes)
    rules = _with_rules_of_findings(rules, results, resolver, factory)
    run = Run(results, rules, fix_mode=fix, unsafe_fixes=unsafe_shown, statistics=statistics, quiet=quiet,
              show_fixes=show_fixes, source_of=_source_of(stdin, stdin_shown, resolver),
              unsafe_by_config=bool(first.unsafe_fixes))
    fmt = output_format or "text"
    report = "".join(r.diff for r in results) if diff else printable(get_reporter(fmt)(run), fmt)
    if not quiet:
        for res in results:
            for note in res.notes:
                echo(f"note: {note}", err=True)
    if diff:  # the diff shows what changes; what could not be read is said beside it
        for res in results:
            for d in res.diagnostics:
                if d.code.startswith("NL5"):
                    echo(f"{d.filename}:{d.row}:{d.column}: {d.code} {d.message}", err=True)
    if fix and stdin and not output_file:
        echo(report, err=True, nl=False)
    elif output_file:
        data = unstyle(report).encode("utf-8", "surrogateescape")  # before the old report is emptied
        try:
            with open(output_file, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            echo(f"newslint: error: cannot write --output-file {output_file}: {exc.strerror or exc}", err=True)
            sys.exit(EXIT_ERROR)
    else:
        echo(report, nl=False, color=None if fmt in ("text", "concise", "full") else False)

    if any(r.error for r in results):
        sys.exit(EXIT_ERROR)
    if diff:
        unreadable = any(d.code.startswith("NL5") for r in results for d in r.diagnostics)
        sys.exit(EXIT_FINDINGS if (unreadable or any(r.diff for r in results)) and not exit_zero else EXIT_CLEAN)
    if run.diagnostics and not exit_zero:
        sys.exit(EXIT_FINDINGS)
    if exit_non_zero_on_fix and any(r.fixed for r in results):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_CLEAN)


_FIX_ROUNDS = 4  # rounds of NL202 after a split: the second finds what the split put in more files


def _fix_new_boilerplate(results: list, files: list[str], split_off: list[str], copts, runner, factory, corpus):
    """After a --fix run: while the cross-file pass over the tree as fixed finds NL202 lines
    the fixer can delete (a sign-off the split put in more files, now at the threshold), set
    NL202's data from it, fix those files again and merge their results into `results` (the
    counts fixed, the findings left, the files written). Returns the last pass's
    (by_path, notes, boilerplate, corpus_line)."""
    from newslint.runner import run_corpus

    by_path, notes, boilerplate, corpus_line = corpus
    for _ in range(_FIX_ROUNDS):
        again = sorted(p for p, found in by_path.items()
                       if any(d.code == "NL202" and d.fix is not None for d in found))
        if not again or not split_off:
            break
        factory.extra_rules = {"NL202": {"corpus-boilerplate": boilerplate}}
        factory.clear()
        runner.cache = None  # closed by the first round; these files were just written anyway
        changed = False
        for res in runner.run(again):
            changed |= _merge_round(results, res)
        if not changed:  # held (a baseline, a suppression): nothing more to do
            break
        listed = set(files)
        split_off = [p for r in results for p in r.written[1:] if p not in listed]
        by_path, notes, boilerplate, corpus_line, _ = run_corpus(files + split_off, copts)
    return by_path, notes, boilerplate, corpus_line


def _diff_new_boilerplate(results: list, files: list[str], copts, boilerplate: dict, runner, factory) -> list:
    """--diff's counterpart of _fix_new_boilerplate, with nothing written: the files a split
    would write are counted from the parts in memory. A line in k parts of a split file is in
    k - 1 more files of the corpus than the pre-pass counted; when that brings lines to NL202's
    threshold, the diff is made again with them, as the rounds of --fix delete them."""
    import math
    from collections import Counter

    from newslint.corpus.textfacts import fast_normalize, line_hash
    from newslint.runner import run_corpus

    split = [r for r in results if len(r.new_texts) > 1 and not r.error]
    if not split:
        return results
    gain = Counter()
    for r in split:
        held = Counter(h for text in r.new_texts
                       for h in {line_hash(fast_normalize(t)) for t in text.splitlines() if t.strip()})
        gain.update({h: k - 1 for h, k in held.items() if k > 1})
    if not gain:
        return results
    # the corpus's count of every line of the split files (at least one file: their own)
    low = copts.replace(boilerplate_min_files=1, boilerplate_fraction=0.0, select=frozenset({"NL202"}), quick=False,
                        use_cache=False, snapshot=False)
    _, _, counted, _, _ = run_corpus([r.path for r in split], low)
    before = (counted or {}).get("lines", {})
    size = (counted or {}).get("corpus_size", boilerplate.get("corpus_size", 0)) + sum(len(r.new_texts) - 1
                                                                                       for r in split)
    threshold = max(copts.boilerplate_min_files, math.ceil(copts.boilerplate_fraction * size))
    lines = dict(boilerplate.get("lines", {}))
    for h, k in gain.items():
        lines[h] = before.get(h, lines.get(h, 1)) + k
    frequent = {h: n for h, n in lines.items() if n >= threshold}
    if set(frequent) <= set(boilerplate.get("lines", {})):
        return results
    factory.extra_rules = {"NL202": {"corpus-boilerplate": {"lines": frequent, "threshold": threshold,
                                                            "corpus_size": size}}}
    factory.clear()
    return runner.run(files)


def _merge_round(results: list, res) -> bool:
    """A later --fix round's result for one file into the result that wrote it (the file
    itself, or the one it was split off); whether the round changed the file."""
    owner = next((r for r in results if r.path == res.path), None) or \
        next((r for r in results if res.path in r.written[1:]), None)
    if owner is None or res.error:
        results.append(res)
        return bool(res.written)
    for code, n in res.fixed.items():
        owner.fixed[code] = owner.fixed.get(code, 0) + n
    owner.diagnostics = [d for d in owner.diagnostics if d.filename != res.path] + res.diagnostics
    owner.diagnostics.sort(key=lambda d: d.sort_key())
    for p in res.written:
        if p not in owner.written:
            owner.written.append(p)
    owner.reused = [p for p in owner.reused if p not in res.written]  # a file reused, then fixed: written
    owner.notes.extend(res.notes)
    return bool(res.written)


def _source_of(stdin: bool, stdin_shown: dict, resolver):
    """For the `full` format: a name's Source as the run read it (stdin's own text; a file
    in its configured encoding), or None."""
    if stdin:
        return stdin_shown.get

    def read(path: str):
        from newslint.source import read_source

        return read_source(path, resolver.for_file(path).encoding)
    return read


def _unsaid(corpus_notes: list[str], results) -> list[str]:
    """The corpus pass's notes less its "left out of the corpus checks" for a file whose own
    note said already that it was skipped unread (a binary file): one note a file."""
    from newslint.engine import skip_reason

    skipped = [r.path for r in results if r.notes and skip_reason(r)]
    if not skipped:
        return corpus_notes
    from newslint.corpus.model import left_out_note

    said = set(map(left_out_note, skipped))
    return [n for n in corpus_notes if n not in said]


def _validate_output(option: str, target: str) -> None:
    """A report or baseline path must be a file in an existing folder."""
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise UsageError(f"{option} {target}: folder {folder} does not exist")
    if os.path.isdir(target):
        raise UsageError(f"{option} {target}: is a folder")


def _refuse_articles(resolver, output_file: str | None, baseline_file: str | None) -> None:
    """A report must not overwrite a file of the kind newslint checks that it did not write: a
    hook-sized run (`check -o news/a.txt news/b.txt`) replaced a committed article with its
    report, exit 0 (found by a review); one among the checked files is refused before this."""
    from newslint.files import _matches

    for option, target in (("--output-file", output_file), ("--write-baseline", baseline_file)):
        if target and os.path.exists(target) and _matches(target, resolver.for_path(target).include,
                                                          name_only=True) and not _newslint_output(target):
            raise UsageError(f"{option} {target}: holds text newslint did not write, and newslint checks files "
                             "of its name (an article?); write the report somewhere else, or delete the file first")


def _among(target: str, files: list[str], idents: list | None = None) -> bool:
    """Is `target` one of `files`, under any name (a symlink, a hard link)? Asked only when the
    target exists already: a stat of each file, once; `idents`, the files' stat identities
    (newslint.lastrun), when taken already: a full check's record reuses them."""
    try:
        st = os.stat(target)
    except OSError:
        return False  # to be created: no checked file is overwritten
    if idents is not None:
        from newslint.lastrun import same_file

        if same_file(idents, st):
            return True
        # a file stat'ed but not packed (a time past 2262 or before 1677: None) is asked again
        files = [f for f, ident in zip(files, idents) if ident is None]
    for f in files:
        try:
            if os.path.samestat(os.stat(f), st):
                return True
        except OSError:
            pass
    return False


def _with_rules_of_findings(rules: dict, results, resolver, factory) -> dict:
    """`rules` (the first path's), and the rule of each finding whose code a subfolder's config
    adds (its rule pack), so that the reports name and describe it."""
    from newslint.remote import is_url

    for res in results:  # (most files have no finding: no generator made for them)
        if res.diagnostics and any(d.code not in rules for d in res.diagnostics) and not is_url(res.path):
            rules = {**factory.get(resolver.for_file(res.path))[1], **rules}
    return rules


_STALE_FILES_SHOWN = 10  # files whose stale baseline entries are said without -v


def _stale_summary(stale: list) -> str:
    """One note for a file's stale baseline entries: how many, of which rules."""
    from collections import Counter

    codes = Counter()
    for (_, code, _), n in stale:
        codes[code] += n
    total = sum(codes.values())
    detail = ", ".join(f"{n} {code}" for code, n in sorted(codes.items()))
    return (f"{stale[0][0][0]}: {total} stale baseline entr{'y' if total == 1 else 'ies'} ({detail}) "
            f"match{'es' if total == 1 else ''} nothing now; refresh with --write-baseline (-v lists them)")


def _codes_run(resolver, factory, linter, corpus_ran: bool):
    """path -> the codes that ran on it: its settings' selection less its per-file ignores
    (and the cross-file codes when that pass did not run), with NL500, NL501 and NL503,
    reported whatever the selection. A baseline entry of any other code is not stale."""
    from newslint.corpus import CORPUS_CODES
    from newslint.remote import is_url
    from newslint.runner import per_file_ignored

    always = frozenset({"NL500", "NL501", "NL503"})

    def ran(path: str) -> frozenset:
        if path == "-" or is_url(path):
            selected = linter.ctx.selected
        else:
            settings = resolver.for_file(path)
            ignored = tuple(p.upper() for p in per_file_ignored(path, settings))  # codes or prefixes
            selected = frozenset(c for c in factory.get(settings)[0].ctx.selected if not c.startswith(ignored))
        if not corpus_ran:
            selected = selected - CORPUS_CODES
        return selected | always

    return ran


def _one_per_folder(files: list[str]) -> list[str]:
    """A file of each folder among `files` (the settings are a folder's)."""
    return list(dict(zip([f.rpartition(os.sep)[0] for f in files], files)).values())


def _unknown_anywhere(codes: list[str], files: list[str], resolver, factory) -> list[str]:
    """The command line's `codes` that no checked folder's settings know (their rule packs)."""
    from newslint.remote import is_url
    from newslint.runner import validate_codes

    for f in _one_per_folder(files):
        if codes and not is_url(f):
            codes = validate_codes(codes, factory.get(resolver.for_file(f))[1])
    return codes


def _corpus_selection(linter, files: list[str], resolver, factory) -> frozenset:
    """The codes the cross-file pass runs for: those any checked file's settings select, not
    the first path's alone (`check wire articles` with wire selecting NL3 only left out
    articles' duplicates); each file keeps those its own settings select (merge_corpus_findings)."""
    from newslint.corpus import CORPUS_CODES
    from newslint.remote import is_url

    selected = linter.ctx.selected
    if CORPUS_CODES <= selected or resolver.config_file or resolver.isolated:  # nothing to add
        return selected
    selected = set(selected)
    for f in _one_per_folder(files):
        if not is_url(f):
            selected |= factory.get(resolver.for_file(f))[0].ctx.selected
    return frozenset(selected)


# what a report or baseline newslint wrote holds, in any --output-format: a finding line
# ("a.txt:4:1: NL102 ..."), the text summary ("All checks passed!", "Found 2 errors (2 fixed,
# 0 remaining)."), a --diff, an empty JSON list, JSON or XML naming a rule or newslint itself,
# a GitHub workflow command. Compiled on first use: most runs write no report into a walk.
_OUTPUT_MARK = (
    rb"""\A\s*(?:\[\s*\]\s*\Z|All\ checks\ passed!|::(?:error|warning|notice)\ file=
                |---\ [^\n]*\n\+\+\+\ [^\n]*\n@@\ -)
    | ^[^\n]*:\d+:\d+:\ NL\d{3}\b
    | ^Found\ \d+\ errors?(?:\.|\ \(\d+\ fixed,\ \d+\ remaining\)\.)$
    | "(?:code|ruleId|check_name|id)":\s*"NL\d{3}"
    | "(?:format|name)":\s*"newslint(?:-baseline/\d+)?"
    | <testsuites?\ name="newslint"
    """)


def _newslint_output(target: str) -> bool:
    """Whether `target` is missing, empty, or reads as a report or baseline newslint wrote:
    only then may a walk's copy of it be left out and written over. Anything else may be an
    article that happens to share the name (or a FIFO, which would block), so it is refused."""
    import stat

    try:
        if not stat.S_ISREG(os.stat(target).st_mode):
            return False
        with open(target, "rb") as fh:
            head = fh.read(65536)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return not head.strip() or re.search(_OUTPUT_MARK, head, re.MULTILINE | re.VERBOSE) is not None


def _not_entry(files: list[str], target: str) -> list[bool]:
    """For each of `files`, whether it is kept: not `target`'s own folder entry (the same name
    in the same real folder). Another name of the same file, a link beside it, stays (and
    _among still finds it)."""
    folder, name = os.path.split(target)
    real = os.path.realpath(folder or ".")
    return [os.path.basename(f) != name or os.path.realpath(os.path.dirname(f) or ".") != real for f in files]


def _validate_paths(paths, fix: bool) -> None:
    """Usage errors found from the paths alone. URLs are checked when they are listed."""
    from newslint.remote import is_url

    for p in paths:
        if p == "-":
            raise UsageError("'-' (stdin) cannot be mixed with other paths.")
        if is_url(p):
            if fix:  # no atomic rename or lock on a URL: a fix could lose text or race a writer
                raise UsageError(f"--fix cannot write to a URL ({p}): URLs are checked read-only; "
                                       "fix a local copy, or use --diff to see the changes.")
        elif not os.path.lexists(p):
            raise UsageError(f"path does not exist: {p}")


def _list_files(paths, resolver, engine: str, unlisted: list) -> list[str]:
    """The files to check; URL paths are listed through fsspec and need the Dask engine.
    `unlisted` receives (folder, OSError) for each local folder that could not be listed."""
    from newslint.remote import RemoteError, is_url
    from newslint.runner import files_to_check

    urls = [p for p in paths if is_url(p)]
    if urls and engine != "dask":
        raise UsageError(f"URL paths need --engine dask (the local engine reads local files only): {urls[0]}")
    try:
        return files_to_check(paths, resolver, unlisted)
    except RemoteError as exc:
        raise UsageError(str(exc))


def _one_name_a_file(files: list[str], echo, quiet: bool) -> list[str]:
    """For --diff: a symlink to a file already listed is left out. --fix rewrites the file once
    and the second name then reads the fixed text; a diff of both names showed the same change
    twice, and patch(1) then stopped on the link ('not a regular file'; a review)."""
    from newslint.remote import is_url

    links = {f for f in files if not is_url(f) and os.path.islink(f)}
    if not links:
        return files
    # the file under its own name when that is listed, else under its first link
    shown = {os.path.realpath(f): f for f in files if f not in links and not is_url(f)}
    out = []
    for f in files:
        if f in links:
            real = os.path.realpath(f)
            same = shown.setdefault(real, f)
            if same != f:
                if not quiet:
                    echo(f"note: {f}: a link to {same}, whose diff is shown", err=True)
                continue
        out.append(f)
    return out


def _unlisted_results(unlisted: list) -> list:
    """An NL500 result at each folder that could not be listed, once (two paths given may
    reach the same folder)."""
    from newslint.engine import error_result
    from newslint.source import SourceError

    out, seen = [], set()
    for folder, exc in unlisted:
        key = os.path.abspath(folder)
        if key not in seen:
            seen.add(key)
            message = f"cannot list the folder: {exc.strerror or exc}; nothing in it was checked"
            out.append(error_result(folder, SourceError("NL500", message)))
    return out


def _resolver_args(configs, isolated) -> dict:
    """--config values: at most one file; everything else is an inline TOML override."""
    from newslint.config import ConfigError, parse_inline

    config_file, overrides = None, {}
    for value in configs:
        if os.path.isfile(value):
            if config_file:
                raise ConfigError(f"--config given two files ({config_file}, {value}); pass one")
            config_file = value
        elif "=" in value:
            for key, val in parse_inline(value).items():
                if isinstance(val, dict) and isinstance(overrides.get(key), dict):
                    overrides[key].update(val)
                else:
                    overrides[key] = val
        elif os.path.isdir(value):
            raise ConfigError(f"--config {value!r} is a folder: give a config file in it (newslint.toml, "
                              f"pyproject.toml) or a 'key = value' override")
        else:
            raise ConfigError(f"--config {value!r}: no such file, and not a 'key = value' override")
    return {"overrides": overrides, "config_file": config_file, "isolated": isolated}


def split_codes(value: str) -> list[str]:
    """A --select/--ignore value: comma-separated codes."""
    return [c.strip() for c in value.split(",") if c.strip()]


def _merge_lists(values) -> list[str] | None:
    if not values:
        return None
    return [c for v in values for c in v]
