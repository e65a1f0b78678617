"""The rule contract and registry.

A rule is one class: its docstring is its documentation (what it flags, why, an
example, fix safety) and feeds `newslint rule CODE`; `check(doc, ctx)` yields
diagnostics. Rules register themselves with `@register` when their module is imported.
"""

from __future__ import annotations

from newslint.diagnostics import Applicability, Diagnostic, Fix, Related
from newslint.document import Document
from newslint.record import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on every start
if TYPE_CHECKING:
    from typing import Any, Iterable, Iterator


class Context(Record):
    """What a rule may read besides the document: its settings and the loaded packs."""

    # no __slots__: rules keep per-run state in its __dict__
    _fields = ("settings", "packs", "selected", "accepted")

    def __init__(self, settings: dict[str, dict[str, Any]] | None = None, packs: list | None = None,
                 selected: frozenset = frozenset(), accepted=None):
        self.settings = {} if settings is None else settings
        self.packs = [] if packs is None else packs
        self.selected = selected  # codes of the rules that run (pack lines of others are not owned)
        self.accepted = accepted  # findings a fix leaves alone (a baseline's): Diagnostic -> bool

    def option(self, rule_name: str, key: str, default):
        return self.settings.get(rule_name, {}).get(key, default)


class Rule:
    code: str = ""
    name: str = ""
    scope: str = "file"  # "file" or "corpus"
    fix: str = "none"  # "safe", "unsafe", "sometimes" or "none": what its fixes usually are
    default: bool = True  # selected when the user selects nothing
    source: str = "builtin"

    def check(self, doc: Document, ctx: Context) -> Iterable[Diagnostic]:
        raise NotImplementedError

    @classmethod
    def doc(cls) -> str:
        import inspect
        import textwrap

        return textwrap.dedent(inspect.getdoc(cls) or "").strip()

    @classmethod
    def summary(cls) -> str:
        return cls.doc().splitlines()[0] if cls.doc() else cls.name


REGISTRY: dict[str, Rule] = {}


def register(cls):
    rule = cls()
    if rule.code in REGISTRY:
        raise ValueError(f"rule code {rule.code} registered twice")
    REGISTRY[rule.code] = rule
    return cls


def all_rules() -> dict[str, Rule]:
    import newslint.checks  # noqa: F401  (registers the built-in rules)

    return REGISTRY


def select_rules(rules: dict[str, Rule], select=None, ignore=(), extend_select=()) -> list[Rule]:
    """ruff semantics: a code prefix selects every code it starts (`NL1` -> NL1xx)."""

    def matches(code: str, prefixes) -> int:
        """Length of the longest prefix that matches (0 when none); 'ALL' matches weakly."""
        best = 0
        for p in prefixes:
            p = p.strip().upper()
            if p == "ALL":
                best = max(best, 1)
            elif code.upper().startswith(p):
                best = max(best, len(p) + 1)
        return best

    chosen = []
    for code, rule in sorted(rules.items()):
        if select is None:
            sel = 1 if rule.default else 0
        else:
            sel = matches(code, select)
        sel = max(sel, matches(code, extend_select))
        ign = matches(code, ignore)
        # the more specific of select and ignore wins; on a tie, ignore (as in ruff)
        if sel and not (ign and ign >= sel):
            chosen.append(rule)
    return chosen


def line_span(doc: Document, first: int, last: int | None = None) -> tuple[int, int, int, int]:
    """(row, col, end_row, end_col) covering whole lines first..last (1-based)."""
    last = first if last is None else last
    end = doc.lines[last]
    return first + 1, 1, last + 1, (end.end - end.start) + 1


def line_diagnostic(
    doc: Document,
    rule: Rule,
    message: str,
    first: int,
    last: int | None = None,
    fix: Fix | None = None,
    related: Iterable[Related] = (),
    fingerprint: str | None = None,
) -> Diagnostic:
    row, col, end_row, end_col = line_span(doc, first, last)
    text = " ".join(doc.lines[i].norm for i in range(first, (last if last is not None else first) + 1))
    return Diagnostic(
        rule.code, message, doc.path or "-", row, col, end_row, end_col,
        fix=fix, related=tuple(related), fingerprint_text=fingerprint or text,
    )


def delete_lines_fix(doc: Document, lines: Iterable[int], safe: bool, message: str) -> Fix:
    from newslint.fixer import plan_line_deletions

    lines = frozenset(lines)
    return Fix(
        Applicability.SAFE if safe else Applicability.UNSAFE,
        message,
        tuple(plan_line_deletions(doc, lines)),
        deleted_lines=lines,
    )


def iter_codes(rules: Iterable[Rule]) -> Iterator[str]:
    return (r.code for r in rules)
