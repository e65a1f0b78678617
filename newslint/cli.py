"""The command line. The only module that prints or exits."""

from __future__ import annotations

import os
import sys

import click

from newslint import __version__

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


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
@click.option("--fix", is_flag=True, help="Apply fixes in place (safe fixes only, unless --unsafe-fixes).")
@click.option("--unsafe-fixes/--no-unsafe-fixes", default=None,
              help="Also apply fixes that may drop text or create files (near-duplicates, splits).")
@click.option("--diff", is_flag=True, help="Print a unified diff of what --fix would change; write nothing.")
@click.option("--select", type=CODES, multiple=True, metavar="CODES",
              help="Comma-separated codes or prefixes to enable (NL1 selects NL1xx; ALL selects everything).")
@click.option("--extend-select", type=CODES, multiple=True, metavar="CODES", help="Codes to add to the selection.")
@click.option("--ignore", type=CODES, multiple=True, metavar="CODES", help="Codes or prefixes to disable.")
@click.option("--output-format", type=click.Choice(["text", "concise", "full", "json", "json-lines"]),
              default=None, help="How to print findings [default: text].")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to this file instead of stdout.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary, no notes.")
@click.option("--statistics", is_flag=True, help="Add a count of findings per rule.")
@click.option("--stdin-filename", metavar="PATH", help="The name to report for text read from '-' (stdin).")
def check(paths, fix, unsafe_fixes, diff, select, extend_select, ignore, output_format, output_file,
          exit_zero, quiet, statistics, stdin_filename):
    """Lint news text files and folders (default: the current folder).

    Folders are searched recursively for *.txt and *.md files, skipping hidden and
    version-control folders. Pass '-' to read one document from stdin; with --fix the
    fixed text is written to stdout.

    \b
    Exit status: 0 no findings left, 1 findings left, 2 usage or I/O error.
    """
    from newslint.engine import Linter, process_path, process_source
    from newslint.files import discover
    from newslint.packs import PackError, load_builtin_packs
    from newslint.report import Run, get_reporter
    from newslint.registry import Context, all_rules, select_rules
    from newslint.source import SourceError, decode

    if fix and diff:
        raise click.UsageError("--fix and --diff cannot be used together (--diff never writes).")
    rules = all_rules()
    sel = _merge_lists(select)
    unknown = [c for c in (sel or []) + (_merge_lists(ignore) or []) + (_merge_lists(extend_select) or [])
               if c.upper() != "ALL" and not any(code.startswith(c.upper()) for code in rules)]
    if unknown:
        raise click.UsageError(f"unknown rule code or prefix: {', '.join(unknown)} (see `newslint rules`)")
    chosen = select_rules(rules, sel, _merge_lists(ignore) or (), _merge_lists(extend_select) or ())
    try:
        packs = load_builtin_packs()
    except PackError as exc:
        raise click.ClickException(str(exc))
    linter = Linter(chosen, Context(packs=packs))
    unsafe = bool(unsafe_fixes)
    mode = "diff" if diff else "fix" if fix else "check"
    paths = paths or (".",)

    results = []
    if list(paths) == ["-"]:
        data = sys.stdin.buffer.read()
        name = stdin_filename or "-"
        try:
            source = decode(data, None)
        except SourceError as exc:
            from newslint.engine import error_result
            results.append(error_result(name, exc))
        else:
            res = process_source(source, linter, "stdout" if fix else mode, unsafe, name)
            results.append(res)
            if fix:
                sys.stdout.buffer.write(source.with_text(res.new_texts[0] if res.new_texts else source.text).to_bytes())
                for extra in res.new_texts[1:]:
                    sys.stdout.buffer.write(source.with_text(extra).to_bytes())
    else:
        for p in paths:
            if p == "-":
                raise click.UsageError("'-' (stdin) cannot be mixed with other paths.")
            if not os.path.lexists(p):
                raise click.UsageError(f"path does not exist: {p}")
        for path in discover(paths):
            results.append(process_path(path, linter, mode, unsafe))

    run = Run(results, rules, fix_mode=fix, unsafe_fixes=unsafe, statistics=statistics, quiet=quiet)
    fmt = output_format or "text"
    if diff:
        report = "".join(r.diff for r in results)
    else:
        report = get_reporter(fmt)(run)
    for res in results:
        for note in res.notes:
            if not quiet:
                click.echo(f"note: {note}", err=True)
    if fix and list(paths) == ["-"]:
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
    sys.exit(EXIT_CLEAN)


@main.command("rule")
@click.argument("code")
def rule_cmd(code):
    """Explain one rule: what it flags, why, an example and how safe its fix is."""
    from newslint.registry import all_rules

    rules = all_rules()
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

    from newslint.registry import all_rules

    rules = all_rules()
    if output_format == "json":
        click.echo(json.dumps([
            {"code": r.code, "name": r.name, "summary": r.summary(), "fixable": r.fix != "none",
             "fix": r.fix, "scope": r.scope, "default": r.default, "source": r.source}
            for r in rules.values()
        ], indent=2))
        return
    for r in rules.values():
        flag = {"safe": "[*]", "sometimes": "[*]", "unsafe": "[-]"}.get(r.fix, "   ")
        click.echo(f"{r.code}  {flag} {r.name:<28} {r.summary()}")
