"""The console entry point. A plain `newslint check ...` (the pre-commit hook's call) is
parsed and run here without importing click, whose import is a quarter of a one-file
run; everything else (help, other commands, any option or value this parser is not sure
of, shell completion, Windows) goes to click in cli.py, which then parses it all itself.

The parser accepts a subset of click's syntax and gives the same values as click for it:
tests/test_entry.py holds the table below to cli.py's options and compares both parsers.
"""

from __future__ import annotations

import os
import sys

from newslint.check_command import split_codes
from newslint.report import FORMATS


class _ToClick(Exception):
    """This command line is not certainly plain: let click parse it."""


def _choice(*choices: str):
    def convert(value: str) -> str:
        if value not in choices:
            raise _ToClick
        return value
    return convert


def _int_from(low: int):
    def convert(value: str) -> int:
        try:
            n = int(value)  # what click's IntRange does before its bounds check
        except ValueError:
            raise _ToClick from None
        if n < low:
            raise _ToClick
        return n
    return convert


def _path(file_okay: bool = True, dir_okay: bool = True, writable: bool = False):
    """click.Path(exists=False, ...): a missing path passes; an existing one must fit."""
    def convert(value: str) -> str:
        import stat

        try:
            st = os.stat(value)
        except OSError:
            return value
        if ((not file_okay and stat.S_ISREG(st.st_mode)) or (not dir_okay and stat.S_ISDIR(st.st_mode))
                or not os.access(value, os.R_OK) or (writable and not os.access(value, os.W_OK))):
            raise _ToClick
        return value
    return convert


_any_path = _path()


def _text(value: str) -> str:
    return value


# `newslint check`'s options as cli.py declares them: option -> (parameter, True for a flag,
# False for its --no- form, or a converter of the value; repeatable?)
OPTIONS = {
    "--fix": ("fix", True, False),
    "--unsafe-fixes": ("unsafe_fixes", True, False),
    "--no-unsafe-fixes": ("unsafe_fixes", False, False),
    "--diff": ("diff", True, False),
    "--select": ("select", split_codes, True),
    "--extend-select": ("extend_select", split_codes, True),
    "--ignore": ("ignore", split_codes, True),
    "--output-format": ("output_format", _choice(*FORMATS), False),
    "-o": ("output_file", _path(dir_okay=False, writable=True), False),
    "--output-file": ("output_file", _path(dir_okay=False, writable=True), False),
    "--exit-zero": ("exit_zero", True, False),
    "-q": ("quiet", True, False),
    "--quiet": ("quiet", True, False),
    "--statistics": ("statistics", True, False),
    "--stdin-filename": ("stdin_filename", _text, False),
    "--config": ("configs", _text, True),
    "--isolated": ("isolated", True, False),
    "--force-exclude": ("force_exclude", True, False),
    "-j": ("jobs", _int_from(0), False),
    "--jobs": ("jobs", _int_from(0), False),
    "--no-cache": ("no_cache", True, False),
    "--cache-dir": ("cache_dir", _path(file_okay=False), False),
    "--index": ("index_url", _text, False),
    "--engine": ("engine", _choice("local", "dask"), False),
    "--scheduler": ("scheduler", _text, False),
    "--partition-size": ("partition_size", _int_from(1), False),
    "--show-fixes": ("show_fixes", True, False),
    "--exit-non-zero-on-fix": ("exit_non_zero_on_fix", True, False),
    "-v": ("verbose", True, False),
    "--verbose": ("verbose", True, False),
    "--baseline": ("baseline_file", _path(dir_okay=False), False),
    "--write-baseline": ("write_baseline_file", _path(dir_okay=False), False),
    "--paths-last": ("paths_last", True, False),
}
DEFAULTS = {"paths": (), "fix": False, "unsafe_fixes": None, "diff": False, "select": (), "extend_select": (),
            "ignore": (), "output_format": None, "output_file": None, "exit_zero": False, "quiet": False,
            "statistics": False, "stdin_filename": None, "configs": (), "isolated": False, "force_exclude": None,
            "jobs": 0, "no_cache": False, "cache_dir": None, "index_url": None, "engine": None, "scheduler": None,
            "partition_size": None, "show_fixes": False, "exit_non_zero_on_fix": False, "verbose": False,
            "baseline_file": None, "write_baseline_file": None, "paths_last": False}


def mark_paths_last(args: list[str]) -> list[str]:
    """`check`'s arguments (after "check") with '--' put before the paths when --paths-last
    is given, for both parsers. A hook runner such as pre-commit runs `entry + args +
    filenames`, with no '--' before the file names, so a staged '-draft.txt' would be read
    as options ('-d', or '-o' with 'raft.txt' as the report file). From --paths-last on:
    the first argument in an option's place that is not an option, or that begins with '-'
    but names an existing file and is not exactly an option's name, starts the paths; every
    argument after it is a path, as POSIX utilities read operands."""
    paths_last = False
    i = 0
    while i < len(args):
        tok = args[i]
        if tok == "--":
            return args
        if tok == "--paths-last":
            paths_last = True
        elif paths_last and (not tok.startswith("-") or tok == "-"):
            break
        elif tok in OPTIONS or tok in ("-h", "--help"):
            kind = OPTIONS.get(tok, ("", True, False))[1]
            i += 1 if isinstance(kind, bool) else 2  # a value-taking option takes the next argument, as click does
            continue
        elif paths_last and os.path.lexists(tok):  # '-draft.txt', '-o.txt', '--select=x.txt': a file
            break
        i += 1
    else:
        return args
    return [*args[:i], "--", *args[i:]]


def parse_check(args: list[str]) -> dict | None:
    """click's parameters for `check ARGS...`, or None when click must parse `args`.
    Taken: `--long`, `--long=value`, `--long value`, `-x` and `-x value` with a value not
    starting with '-', PATHS anywhere, and '--'. Left to click: bundled or attached short
    options, unknown options (--help), values click would reject or check differently."""
    if not args or args[0] != "check":
        return None
    args = ["check", *mark_paths_last(args[1:])]
    params = dict(DEFAULTS)
    repeated: dict[str, list] = {}
    paths: list[str] = []
    rest = iter(args[1:])
    try:
        for tok in rest:
            if tok == "--":
                paths.extend(rest)
                break
            if not tok.startswith("-") or tok == "-":
                paths.append(tok)
                continue
            name, eq, value = tok.partition("=") if tok.startswith("--") else (tok, "", "")
            if name not in OPTIONS:
                return None
            param, kind, multiple = OPTIONS[name]
            if isinstance(kind, bool):
                if eq:
                    return None
                params[param] = kind
                continue
            if not eq:
                value = next(rest, None)
                if value is None or value.startswith("-"):
                    return None
            if multiple:
                repeated.setdefault(param, []).append(kind(value))
            else:
                params[param] = kind(value)
        params["paths"] = tuple(_any_path(p) for p in paths)
    except _ToClick:
        return None
    for param, values in repeated.items():
        params[param] = tuple(values)
    return params


def _plain_streams() -> bool:
    """Streams click.echo would use as they are (it re-wraps ASCII or encoding-less ones)."""
    import codecs

    if os.name != "posix" or any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ):
        return False  # Windows consoles and shell completion are click's
    for stream in (sys.stdout, sys.stderr):
        enc = getattr(stream, "encoding", None)
        if stream is None or not enc or getattr(stream, "errors", None) is None:
            return False
        try:
            if codecs.lookup(enc).name == "ascii":
                return False
        except LookupError:
            return False
    return True


# Ctrl-C: 128 + SIGINT, as a shell reports a command the signal ended. click's own choice, 1,
# says "findings left" to CI and to pre-commit (a review).
EXIT_INTERRUPTED = 130


def _click_main() -> None:
    """click's main as its standalone mode runs it, but for the status of an interrupt."""
    import click

    from newslint.cli import main as click_main

    try:
        status = click_main(standalone_mode=False)  # a command's ctx.exit(n) comes back as n
    except click.exceptions.Abort as exc:  # click has written the blank line before it
        click.echo("Aborted!", err=True)
        sys.exit(EXIT_INTERRUPTED if isinstance(exc.__cause__, KeyboardInterrupt) else 1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    sys.exit(status if isinstance(status, int) else 0)


def main() -> None:
    """The `newslint` command. An error newslint did not foresee is a bug: its traceback
    and exit status 2, never 1, which says "findings" to CI and to pre-commit."""
    try:
        _main()
    except KeyboardInterrupt:  # Ctrl-C before the command's own handling, while it imports: as below
        sys.stderr.write("\nAborted!\n")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # SystemExit and KeyboardInterrupt are not Exceptions
        import traceback

        traceback.print_exc()
        sys.stderr.write(f"newslint: internal error ({type(exc).__name__}: {exc}); this is a bug in newslint, "
                         "please report it with the traceback above\n")
        sys.exit(2)


def _main() -> None:
    args = sys.argv[1:]
    params = parse_check(args) if _plain_streams() else None
    if params is None:
        _click_main()
        return
    from newslint.check_command import UsageError, run_check
    from newslint.term import echo, unstyle

    try:
        run_check(echo, unstyle, **params)
    except UsageError as exc:
        from newslint.cli import show_usage_error

        show_usage_error(args[1:], str(exc))
    except (EOFError, KeyboardInterrupt) as exc:  # as click's main: a blank line, "Aborted!"
        echo("", err=True)
        echo("Aborted!", err=True)
        sys.exit(EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else 1)
    except OSError as exc:
        import errno

        if exc.errno != errno.EPIPE:
            raise
        # as click's main: a reader that went away ends the run with status 1 and no
        # traceback (the final flush of stdout would raise again: point it at /dev/null)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
