"""Reporters: one module per output format, each with `render(run) -> str`."""

from __future__ import annotations

from newslint.record import Record


FORMATS = ("text", "concise", "full", "json", "json-lines", "sarif", "github", "junit", "gitlab")


class Run(Record):
    """Everything a reporter may show about one run."""

    _fields = __slots__ = ("results", "rules", "fix_mode", "unsafe_fixes", "show_fixes", "statistics", "quiet",
                           "source_of", "unsafe_by_config")

    def __init__(self, results: list, rules: dict | None = None, fix_mode: bool = False, unsafe_fixes: bool = False,
                 show_fixes: bool = False, statistics: bool = False, quiet: bool = False, source_of=None,
                 unsafe_by_config: bool = False):
        self.results = results  # of engine.FileResult
        self.rules = {} if rules is None else rules  # code -> Rule, for help text
        self.fix_mode = fix_mode
        self.unsafe_fixes = unsafe_fixes
        self.unsafe_by_config = unsafe_by_config  # the config turns unsafe fixes on: `--fix` alone applies them
        self.show_fixes = show_fixes
        self.statistics = statistics
        self.quiet = quiet  # findings only: no summary lines
        # name -> the Source a finding's lines are shown from (`full`), or None; by default
        # the file read from disk as UTF-8
        self.source_of = source_of

    @property
    def diagnostics(self):
        return sorted((d for r in self.results for d in r.diagnostics), key=lambda d: d.sort_key())

    @property
    def fixed_total(self) -> int:
        return sum(sum(r.fixed.values()) for r in self.results)


# a file name's bytes that are not UTF-8, as Python holds them (surrogate escapes, PEP 383)
_ESCAPED_BYTE = "[\udc80-\udcff]"
_JSON_FORMATS = ("json", "json-lines", "sarif", "gitlab")


def printable(report: str, name: str) -> str:
    """A rendered report with the bytes of non-UTF-8 file names written as \\xNN, so every
    report is valid UTF-8 (inside a JSON string the backslash itself is escaped). SARIF's
    URIs are percent-encoded from the bytes already; this reaches the names and messages."""
    if report.isascii():
        return report
    import re

    slash = "\\\\" if name in _JSON_FORMATS else "\\"
    return re.sub(_ESCAPED_BYTE, lambda m: f"{slash}x{ord(m.group()) - 0xDC00:02x}", report)


def get_reporter(name: str):
    module = {"text": "text", "concise": "text", "full": "text", "json": "json", "json-lines": "json"}.get(name, name)
    # __import__, not importlib.import_module: importing importlib (and warnings) costs every run
    mod = __import__(f"newslint.report.{module}", fromlist=["render"])
    return lambda run: mod.render(run, name)
