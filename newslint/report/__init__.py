"""Reporters: one module per output format, each with `render(run) -> str`."""

from __future__ import annotations

from dataclasses import dataclass, field


FORMATS = ("text", "concise", "full", "json", "json-lines", "sarif", "github", "junit", "gitlab")


@dataclass
class Run:
    """Everything a reporter may show about one run."""

    results: list  # of engine.FileResult
    rules: dict = field(default_factory=dict)  # code -> Rule, for help text
    fix_mode: bool = False
    unsafe_fixes: bool = False
    show_fixes: bool = False
    statistics: bool = False
    quiet: bool = False  # findings only: no summary lines

    @property
    def diagnostics(self):
        return sorted((d for r in self.results for d in r.diagnostics), key=lambda d: d.sort_key())

    @property
    def fixed_total(self) -> int:
        return sum(sum(r.fixed.values()) for r in self.results)


def get_reporter(name: str):
    import importlib

    module = {"text": "text", "concise": "text", "full": "text", "json": "json", "json-lines": "json"}.get(name, name)
    mod = importlib.import_module(f"newslint.report.{module}")
    return lambda run: mod.render(run, name)
