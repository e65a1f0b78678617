"""The command line (click). With check_command.py, the only module that prints or exits."""

from __future__ import annotations

import sys

import click

from newslint import __version__
from newslint.check_command import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, split_codes
from newslint.report import FORMATS


class CodeList(click.ParamType):
    name = "codes"

    def convert(self, value, param, ctx):
        if isinstance(value, list):
            return value
        return split_codes(value)


CODES = CodeList()


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


class PathsLastCommand(click.Command):
    """`check`, whose --paths-last puts '--' before the trailing file names (entry.py)."""

    def parse_args(self, ctx, args):
        from newslint.entry import mark_paths_last

        return super().parse_args(ctx, mark_paths_last(list(args)))


@main.command(cls=PathsLastCommand)
# readable=False: an unreadable file is reported as NL500 and the run goes on with the others
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option("--fix", is_flag=True, help="Apply fixes in place (safe fixes only, unless --unsafe-fixes). "
                                          "Local files only: URLs are never written.")
@click.option("--unsafe-fixes/--no-unsafe-fixes", default=None,
              help="Also apply the fixes that may drop words with no other copy (page chrome blocks, "
                   "near-duplicate paragraphs, corpus boilerplate, long pack lines) or create files "
                   "(merged articles split). Review them with --diff first.")
@click.option("--diff", is_flag=True, help="Print a unified diff of what --fix would change; write nothing. "
                                           "Exit 0 when nothing would change, 1 when something would (or a "
                                           "file is not valid text or too large), 2 on an I/O error; findings "
                                           "that no fix covers do not count. Takes no --output-format other than text, nor "
                                           "--statistics or --show-fixes (a diff is no report).")
@click.option("--select", type=CODES, multiple=True, metavar="CODES",
              help="Comma-separated codes or prefixes to enable (NL1 selects NL1xx; ALL selects everything).")
@click.option("--extend-select", type=CODES, multiple=True, metavar="CODES", help="Codes to add to the selection.")
@click.option("--ignore", type=CODES, multiple=True, metavar="CODES", help="Codes or prefixes to disable.")
@click.option("--output-format", type=click.Choice(list(FORMATS)), default=None,
              help="How to print findings [default: text]. full shows the flagged lines; sarif, github, "
                   "junit and gitlab are for CI systems. Not with --diff, which prints a diff.")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to this file instead of stdout. Refused over a file of the kind newslint checks (*.txt, *.md) "
                   "that is not a report it wrote: an article.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain (a file that cannot be read, NL500, still exits 2: the run did not see everything).")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary, no notes.")
@click.option("--statistics", is_flag=True, help="Print a count of findings per rule in place of the findings, as "
                                                 "ruff does (text, concise and full formats; the others are "
                                                 "unchanged).")
@click.option("--stdin-filename", metavar="PATH", help="The name to report for text read from '-' (stdin). Text from stdin gets the in-file rules only: it is not compared with the corpus (NL401-NL403, NL202).")
@click.option("--config", "configs", multiple=True, metavar="FILE|KEY=VALUE",
              help="A config file to use instead of discovery, or an inline override such as "
                   "\"duplicates.threshold = 0.5\" (repeatable).")
@click.option("--isolated", is_flag=True, help="Ignore the configuration files found beside and above the "
              "checked paths: the defaults apply, with what --config gives (a file or KEY=VALUE).")
@click.option("--force-exclude", is_flag=True, default=None,
              help="Apply exclude settings to paths given explicitly too (what a pre-commit hook wants).")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=False,
              help="Worker processes [default: all cores; 0 = all]. Output is the same for any value.")
@click.option("--no-cache", is_flag=True,
              help="Do not read or write the results cache or the corpus index (.newslint_cache/, or the "
                   "--index Redis): every file is linted, read and signed afresh.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Where the cache lives [default: .newslint_cache].")
@click.option("--index", "index_url", metavar="URL",
              help="Duplicate index: the embedded SQLite one (default) or redis://HOST:PORT/DB to share one.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default=None,
              help="Where to run: this machine (default) or a Dask cluster (pip install 'newslint[dask]'); "
                   "URL paths need dask.")
@click.option("--scheduler", metavar="ADDRESS", help="The Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --engine dask).")
@click.option("--partition-size", type=click.IntRange(min=1), default=None,
              help="Files per Dask task [default: 2000]; worker memory grows with it, not with the archive.")
@click.option("--show-fixes", is_flag=True, help="List the fixes that were applied (with --fix) or are available (text, "
                                                  "concise and full formats).")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when --fix changed a file, even if nothing is left.")
@click.option("-v", "--verbose", is_flag=True, help="Print run statistics (files, cache hits, files linted) to stderr.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False),
              help="Hide the findings recorded in this baseline file; report only new ones.")
@click.option("--write-baseline", "write_baseline_file", type=click.Path(dir_okay=False),
              help="Record the current findings in this file (keyed by text, not line numbers) and exit 0 "
                   "(2 when a file could not be read: an I/O error is never recorded). An existing baseline "
                   "keeps its entries for the files and rules this run did not check.")
@click.option("--paths-last", is_flag=True,
              help="The paths come last, as a hook runner such as pre-commit passes them (after the hook's "
                   "args, with no '--'): the first argument that is not an option, or that begins with '-' "
                   "but names an existing file (a staged '-draft.txt') and is not exactly an option, starts "
                   "the paths, and every argument after it is a path. The hooks' entry gives it.")
def check(paths, fix, unsafe_fixes, diff, select, extend_select, ignore, output_format, output_file,
          exit_zero, quiet, statistics, stdin_filename, configs, isolated, force_exclude, jobs, no_cache, cache_dir,
          index_url, engine, scheduler, partition_size, show_fixes,
          exit_non_zero_on_fix, verbose, baseline_file, write_baseline_file, paths_last):
    """Lint news text files and folders (default: the current folder).

    Folders are searched recursively for *.txt and *.md files, skipping hidden files,
    hidden and version-control folders. Pass '-' to read one document from stdin; with --fix the
    fixed text is written to stdout and the report to stderr.

    With --engine dask, PATHS may also be fsspec URLs the workers can read (file://,
    http://, s3://, zip://...::file://...): listed here, read on the workers, reported
    under their URLs. URLs are checked read-only: --fix refuses them (no atomic write
    or lock is possible there); --diff shows what a fix would change.

    Settings come from the closest newslint.toml, .newslint.toml or pyproject.toml
    ([tool.newslint]) above each file; command-line options win.

    \b
    Exit status: 0 no findings left, 1 findings left, 2 usage or I/O error (or a bug: internal error),
    130 interrupted (Ctrl-C).
    With --diff, 1 means something would change or a file is not valid text or too large
    (NL501, NL503); findings no fix covers do not count.
    """
    from newslint.check_command import UsageError, run_check

    try:
        run_check(click.echo, click.unstyle, **click.get_current_context().params)
    except UsageError as exc:
        raise click.UsageError(str(exc))


def show_usage_error(check_args: list[str], message: str) -> None:
    """Show a usage error of `newslint check CHECK_ARGS` exactly as click shows one raised
    by the command, and exit 2 (for entry.py, whose click-free run raised it)."""
    from click.utils import _detect_program_name  # the name click's own main() would show

    with main.make_context(_detect_program_name(), ["check"]) as ctx:
        with check.make_context("check", list(check_args), parent=ctx) as sub:
            err = click.UsageError(message, ctx=sub)
    err.show()
    sys.exit(err.exit_code)


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
