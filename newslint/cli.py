"""The command line. The only module that prints or exits."""

from __future__ import annotations

import os
import sys

import click

from newslint import __version__
from newslint.report import FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class CodeList(click.ParamType):
    name = "codes"

    def convert(self, value, param, ctx):
        if isinstance(value, list):
            return value
        return [c.strip() for c in value.split(",") if c.strip()]


CODES = CodeList()


def _merge_lists(values) -> list[str] | None:
    if not values:
        return None
    return [c for v in values for c in v]


class LazyGroup(click.Group):
    """Commands that live in other modules are imported only when they are run or listed,
    so `newslint check` does not pay for `newslint dups`."""

    lazy = {"dups": "newslint.corpus.commands:dups", "index": "newslint.corpus.commands:index"}

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx, name):
        if name in self.lazy:
            import importlib

            module, attr = self.lazy[name].split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="newslint")
def main():
    """newslint: find and fix duplicated and junk text in news files.

    \b
    Common uses:
      newslint check articles/                 report findings (exit 1 if any)
      newslint check --fix articles/           apply safe fixes in place
      newslint check --diff articles/          show what --fix would change
      newslint rule NL102                      explain a rule
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--fix", is_flag=True, help="Apply fixes in place (safe fixes only, unless --unsafe-fixes). "
                                          "Local files only: URLs are never written.")
@click.option("--unsafe-fixes/--no-unsafe-fixes", default=None,
              help="Also apply fixes that may drop text or create files (near-duplicates, splits).")
@click.option("--diff", is_flag=True, help="Print a unified diff of what --fix would change; write nothing.")
@click.option("--select", type=CODES, multiple=True, metavar="CODES",
              help="Comma-separated codes or prefixes to enable (NL1 selects NL1xx; ALL selects everything).")
@click.option("--extend-select", type=CODES, multiple=True, metavar="CODES", help="Codes to add to the selection.")
@click.option("--ignore", type=CODES, multiple=True, metavar="CODES", help="Codes or prefixes to disable.")
@click.option("--output-format", type=click.Choice(list(FORMATS)), default=None,
              help="How to print findings [default: text]. full shows the flagged lines; sarif, github, "
                   "junit and gitlab are for CI systems.")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to this file instead of stdout.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary, no notes.")
@click.option("--statistics", is_flag=True, help="Add a count of findings per rule.")
@click.option("--stdin-filename", metavar="PATH", help="The name to report for text read from '-' (stdin).")
@click.option("--config", "configs", multiple=True, metavar="FILE|KEY=VALUE",
              help="A config file to use instead of discovery, or an inline override such as "
                   "\"duplicates.threshold = 0.5\" (repeatable).")
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
@click.option("--force-exclude", is_flag=True, default=None,
              help="Apply exclude settings to paths given explicitly too (what a pre-commit hook wants).")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=False,
              help="Worker processes [default: all cores; 0 = all]. Output is the same for any value.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the results cache (.newslint_cache/).")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Where the cache lives [default: .newslint_cache].")
@click.option("--index", "index_url", metavar="URL",
              help="Duplicate index: the embedded SQLite one (default) or redis://HOST:PORT/DB to share one.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default=None,
              help="Where to run: this machine (default) or a Dask cluster (pip install 'newslint[dask]'); "
                   "URL paths need dask.")
@click.option("--scheduler", metavar="ADDRESS", help="The Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --engine dask).")
@click.option("--partition-size", type=click.IntRange(min=1), default=None,
              help="Files per Dask task [default: 2000]; worker memory grows with it, not with the archive.")
@click.option("--show-fixes", is_flag=True, help="List the fixes that were applied (with --fix) or are available.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when --fix changed a file, even if nothing is left.")
@click.option("-v", "--verbose", is_flag=True, help="Print run statistics (files, cache hits, files linted) to stderr.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False),
              help="Hide the findings recorded in this baseline file; report only new ones.")
@click.option("--write-baseline", "write_baseline_file", type=click.Path(dir_okay=False),
              help="Record the current findings in this file (keyed by text, not line numbers) and exit 0.")
def check(paths, fix, unsafe_fixes, diff, select, extend_select, ignore, output_format, output_file,
          exit_zero, quiet, statistics, stdin_filename, configs, isolated, force_exclude, jobs, no_cache, cache_dir,
          index_url, engine, scheduler, partition_size, show_fixes,
          exit_non_zero_on_fix, verbose, baseline_file, write_baseline_file):
    """Lint news text files and folders (default: the current folder).

    Folders are searched recursively for *.txt and *.md files, skipping hidden and
    version-control folders. Pass '-' to read one document from stdin; with --fix the
    fixed text is written to stdout and the report to stderr.

    With --engine dask, PATHS may also be fsspec URLs the workers can read (file://,
    http://, s3://, zip://...::file://...): listed here, read on the workers, reported
    under their URLs. URLs are checked read-only: --fix refuses them (no atomic write
    or lock is possible there); --diff shows what a fix would change.

    Settings come from the closest newslint.toml, .newslint.toml or pyproject.toml
    ([tool.newslint]) above each file; command-line options win.

    \b
    Exit status: 0 no findings left, 1 findings left, 2 usage or I/O error.
    """
    from newslint.config import ConfigError
    from newslint.engine import error_result, process_source
    from newslint.packs import PackError
    from newslint.report import Run, get_reporter
    from newslint.runner import CheckOptions, Runner, corpus_options, per_file_ignored, run_corpus, validate_codes
    from newslint.source import SourceError, decode

    if fix and diff:
        raise click.UsageError("--fix and --diff cannot be used together (--diff never writes).")
    paths = tuple(paths) or (".",)
    stdin = paths == ("-",)
    if not stdin:
        _validate_paths(paths, fix)
    opts = CheckOptions(paths, "diff" if diff else "fix" if fix else "check", unsafe_fixes,
                        _merge_lists(select), _merge_lists(extend_select) or [], _merge_lists(ignore) or [])
    try:
        resolver_args = _resolver_args(configs + (("force-exclude = true",) if force_exclude else ()), isolated)
        results_cache = None
        if not (no_cache or stdin or diff):
            from newslint.corpus.store import cache_root

            # one cache folder for the results and the duplicate index: --cache-dir, else
            # .newslint_cache at the top of the git work tree (else the current folder)
            results_cache = cache_dir or os.path.join(cache_root(), ".newslint_cache")
        runner = Runner(opts, resolver_args, results_cache, jobs or os.cpu_count() or 1)
        resolver, factory = runner.resolver, runner.factory
        first = resolver.for_path(stdin_filename or "." if stdin else paths[0])
        linter, rules = factory.get(first)
        unknown = validate_codes((opts.select or []) + opts.ignore + opts.extend_select, rules)
        if unknown:
            raise click.UsageError(f"unknown rule code or prefix: {', '.join(unknown)} (see `newslint rules`)")
        results = []
        if stdin:
            data = sys.stdin.buffer.read()
            name = stdin_filename or "-"
            try:
                source = decode(data, name, first.encoding)  # named for reports; never written
            except SourceError as exc:
                results.append(error_result(name, exc))
            else:
                unsafe = unsafe_fixes if unsafe_fixes is not None else first.unsafe_fixes
                res = process_source(source, linter, "stdout" if fix else opts.mode, unsafe, name)
                results.append(res)
                if fix:
                    for text in res.new_texts or [source.text]:
                        sys.stdout.buffer.write(source.with_text(text).to_bytes())
        else:
            engine = engine or first.engine
            files = _list_files(paths, resolver, engine)
            copts = None if diff else corpus_options(first, linter.ctx.selected, not no_cache, index_url,
                                                       jobs or None, cache_dir)
            unsafe_run = unsafe_fixes if unsafe_fixes is not None else first.unsafe_fixes
            if copts is not None and fix and unsafe_run and "NL202" in copts.select and engine != "dask":
                # corpus boilerplate is found across files, then fixed file by file
                _, notes, boilerplate = run_corpus(files, copts)
                factory.extra_rules = {"NL202": {"corpus-boilerplate": boilerplate}}
                factory.clear()
            if engine == "dask":
                from newslint.distributed import DaskUnavailable, run_check

                try:
                    results = run_check(files, opts, resolver_args, copts, scheduler or first.scheduler,
                                        partition_size or first.partition_size)
                except DaskUnavailable as exc:
                    raise click.UsageError(str(exc))
                copts = None  # the cluster ran the corpus pass too
            show_bar = engine != "dask" and (len(files) >= 50 and not quiet and not output_file and (output_format or "text") == "text"
                        and sys.stderr.isatty())
            if engine == "dask":
                pass
            elif show_bar:
                with click.progressbar(length=len(files), label="Checking", file=sys.stderr) as bar:
                    results = runner.run(files, bar.update)
            else:
                results = runner.run(files)
            if copts is not None:
                by_path, notes, _ = run_corpus(files, copts)
                in_file = {(r.path, "NL202") for r in results for d in r.diagnostics if d.code == "NL202"}
                for res in results:
                    ignored = per_file_ignored(res.path, resolver.for_file(res.path))
                    extra = [d for d in by_path.get(res.path, []) if (res.path, d.code) not in in_file
                             and not any(d.code.startswith(p.upper()) for p in ignored)]
                    if extra:
                        res.diagnostics = sorted(res.diagnostics + extra, key=lambda d: d.sort_key())
                if results:
                    results[0].notes.extend(notes)
            if verbose:
                st = runner.stats
                click.echo(f"newslint: {st.files} files, {st.cache_hits} from cache, {st.linted} linted, "
                           f"{st.read} read to hash", err=True)
    except (ConfigError, PackError) as exc:
        click.echo(f"newslint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)

    if write_baseline_file:
        from newslint.baseline import write_baseline

        n = write_baseline(write_baseline_file, [d for r in results for d in r.diagnostics])
        click.echo(f"Wrote {n} finding{'s' * (n != 1)} to baseline {write_baseline_file}", err=True)
        sys.exit(EXIT_ERROR if any(r.error for r in results) else EXIT_CLEAN)
    if baseline_file:
        from newslint.baseline import BaselineError, filter_baseline

        try:
            for res in results:
                res.diagnostics, stale = filter_baseline(baseline_file, res.diagnostics, {res.path})
                for (fname, code, digest), n in stale:
                    res.notes.append(f"baseline entry {code} {digest} for {fname} matches nothing "
                                     f"({n} stale; refresh with --write-baseline)")
        except BaselineError as exc:
            click.echo(f"newslint: error: {exc}", err=True)
            sys.exit(EXIT_ERROR)

    unsafe_shown = bool(unsafe_fixes if unsafe_fixes is not None else first.unsafe_fixes)
    run = Run(results, rules, fix_mode=fix, unsafe_fixes=unsafe_shown, statistics=statistics, quiet=quiet,
              show_fixes=show_fixes)
    fmt = output_format or "text"
    report = "".join(r.diff for r in results) if diff else get_reporter(fmt)(run)
    if not quiet:
        for res in results:
            for note in res.notes:
                click.echo(f"note: {note}", err=True)
    if fix and stdin:
        click.echo(report, err=True, nl=False)
    elif output_file:
        with open(output_file, "w", encoding="utf-8") as fh:
            fh.write(click.unstyle(report))
    else:
        click.echo(report, nl=False, color=None if fmt in ("text", "concise", "full") else False)

    if any(r.error for r in results):
        sys.exit(EXIT_ERROR)
    if diff:
        sys.exit(EXIT_FINDINGS if any(r.diff for r in results) and not exit_zero else EXIT_CLEAN)
    if run.diagnostics and not exit_zero:
        sys.exit(EXIT_FINDINGS)
    if exit_non_zero_on_fix and any(r.fixed for r in results):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_CLEAN)


def _validate_paths(paths, fix: bool) -> None:
    """Usage errors found from the paths alone. URLs are checked when they are listed."""
    from newslint.remote import is_url

    for p in paths:
        if p == "-":
            raise click.UsageError("'-' (stdin) cannot be mixed with other paths.")
        if is_url(p):
            if fix:  # no atomic rename or lock on a URL: a fix could lose text or race a writer
                raise click.UsageError(f"--fix cannot write to a URL ({p}): URLs are checked read-only; "
                                       "fix a local copy, or use --diff to see the changes.")
        elif not os.path.lexists(p):
            raise click.UsageError(f"path does not exist: {p}")


def _list_files(paths, resolver, engine: str) -> list[str]:
    """The files to check; URL paths are listed through fsspec and need the Dask engine."""
    from newslint.remote import RemoteError, is_url
    from newslint.runner import files_to_check

    urls = [p for p in paths if is_url(p)]
    if urls and engine != "dask":
        raise click.UsageError(f"URL paths need --engine dask (the local engine reads local files only): {urls[0]}")
    try:
        return files_to_check(paths, resolver)
    except RemoteError as exc:
        raise click.UsageError(str(exc))


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
        else:
            raise ConfigError(f"--config {value!r}: no such file, and not a 'key = value' override")
    return {"overrides": overrides, "config_file": config_file, "isolated": isolated}


@main.command("test-packs")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
def test_packs(files):
    """Run the examples of rule packs (like `vale test`): every `invalid` example must
    be flagged by its rule and every `valid` one must not. Default: the shipped packs."""
    from newslint.document import Document
    from newslint.packs import PackError, load_builtin_packs, load_pack_file

    try:
        packs = [load_pack_file(f) for f in files] if files else load_builtin_packs()
    except PackError as exc:
        click.echo(f"newslint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    failures = passed = 0
    for pack in packs:
        for rule in pack.rules:
            ex = rule.examples or {}
            if not ex.get("valid") or not ex.get("invalid"):
                click.echo(f"{pack.path}: {rule.code} {rule.id}: needs at least one valid and one invalid example")
                failures += 1
            for want, texts in ((False, ex.get("valid", [])), (True, ex.get("invalid", []))):
                for text in texts:
                    try:
                        hits = list(rule.matches(Document.from_text(text)))
                    except PackError as exc:
                        click.echo(f"newslint: error: {exc}", err=True)
                        sys.exit(EXIT_ERROR)
                    if bool(hits) != want:
                        failures += 1
                        what = "not flagged" if want else f"flagged {hits[0].text!r}"
                        click.echo(f"{pack.path}: {rule.code} {rule.id}: {'invalid' if want else 'valid'} "
                                   f"example {text!r} was {what}")
                    else:
                        passed += 1
    click.echo(f"test-packs: {passed} examples passed, {failures} failed")
    sys.exit(EXIT_FINDINGS if failures else EXIT_CLEAN)


@main.command("rule")
@click.argument("code")
def rule_cmd(code):
    """Explain one rule: what it flags, why, an example and how safe its fix is."""
    rules = _rules_for_cwd()
    rule = rules.get(code.upper())
    if rule is None:
        raise click.UsageError(f"unknown rule {code!r}; `newslint rules` lists them all")
    click.echo(f"# {rule.code} {rule.name}\n")
    click.echo(f"Scope: {rule.scope}. Fix: {rule.fix}. Default: {'on' if rule.default else 'off'}.\n")
    click.echo(rule.doc())


@main.command("rules")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
def rules_cmd(output_format):
    """List every rule with its code, name and one-line summary."""
    import json

    rules = _rules_for_cwd()
    if output_format == "json":
        click.echo(json.dumps([
            {"code": r.code, "name": r.name, "summary": r.summary(), "fixable": r.fix != "none",
             "fix": r.fix, "scope": r.scope, "default": r.default, "source": r.source}
            for r in sorted(rules.values(), key=lambda r: r.code)
        ], indent=2))
        return
    for r in sorted(rules.values(), key=lambda r: r.code):
        flag = {"safe": "[*]", "sometimes": "[*]", "unsafe": "[-]"}.get(r.fix, "   ")
        click.echo(f"{r.code}  {flag} {r.name:<28} {r.summary()}")


def _rules_for_cwd():
    """Built-in rules plus the codes of the rule packs configured for this folder."""
    from newslint.config import ConfigError, Resolver
    from newslint.packs import PackError
    from newslint.runner import CheckOptions, LinterFactory

    try:
        return LinterFactory(CheckOptions()).packs_and_rules(Resolver().for_path("."))[1]
    except (ConfigError, PackError) as exc:
        click.echo(f"newslint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
