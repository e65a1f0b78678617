"""Run rules over documents and apply fixes until the text stops changing."""

from __future__ import annotations

import difflib
import os
from collections import Counter
from dataclasses import dataclass, field, replace

from newslint.diagnostics import Applicability, Diagnostic, Edit
from newslint.document import Document
from newslint.fixer import apply_edits, merge_fixes
from newslint.registry import Context, Rule
from newslint.suppress import apply_suppressions
from newslint.source import Source, SourceError, atomic_write, create_exclusive, read_source

MAX_FIX_PASSES = 10


class NotConverged(Exception):
    pass


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)  # findings left
    fixed: Counter = field(default_factory=Counter)  # code -> number fixed
    written: list[str] = field(default_factory=list)  # files written (the file itself, then new siblings)
    diff: str = ""
    error: bool = False  # an I/O or decoding problem (exit status 2 for NL500)
    new_texts: list[str] = field(default_factory=list)  # fixed text; later parts are split-off articles
    notes: list[str] = field(default_factory=list)  # said on stderr, not findings (skipped binaries)


def with_edit_positions(doc: Document, d: Diagnostic) -> Diagnostic:
    edits = d.fix.edits
    if d.fix.split_at:  # shown as: everything from the end of the first article moves out
        first = doc.lines[d.fix.split_at[0]]
        cut = first.start
        while first.index > 0 and doc.lines[first.index - 1].blank:
            first = doc.lines[first.index - 1]
            cut = first.start
        edits = (Edit(max(0, cut - len(doc.source.newline)), len(doc.text), doc.source.newline),)
    return replace(d, edit_positions=tuple((e.content, doc.position(e.start), doc.position(e.end)) for e in edits))


class Linter:
    def __init__(self, rules: list[Rule], ctx: Context):
        self.rules = [r for r in rules if r.scope == "file"]
        self.ctx = ctx
        self.report_unused = any(r.code == "NL601" for r in self.rules)

    def lint(self, doc: Document) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        for rule in self.rules:
            out.extend(rule.check(doc, self.ctx))
        out = apply_suppressions(doc, out, self.report_unused)
        out = [with_edit_positions(doc, d) if d.fix is not None else d for d in out]
        out.sort(key=Diagnostic.sort_key)
        return out

    def _allowed(self, d: Diagnostic, unsafe: bool) -> bool:
        if d.fix is None or d.fix.split_at:
            return False
        return d.fix.applicability == Applicability.SAFE or (unsafe and d.fix.applicability == Applicability.UNSAFE)

    def fix(self, source: Source, unsafe: bool) -> tuple[list[Source], Counter, list[list[Diagnostic]]]:
        """Fix to convergence. Returns (parts, fixed counts, findings left in each part)."""
        fixed: Counter = Counter()
        doc = Document(source)
        for _ in range(MAX_FIX_PASSES):
            diags = self.lint(doc)
            chosen = [d for d in diags if self._allowed(d, unsafe)]
            if not chosen:
                break
            text = apply_edits(doc.text, merge_fixes(doc, (d.fix for d in chosen)))
            if text == doc.text:
                break
            # count what this pass really removed: a fix whose edits all landed
            fixed.update(d.code for d in chosen)
            doc = Document(source.with_text(text))
        else:
            raise NotConverged(f"fixes did not converge after {MAX_FIX_PASSES} passes; file left untouched")
        diags = self.lint(doc)
        splits = [d for d in diags if d.fix is not None and d.fix.split_at and unsafe]
        if not splits:
            return [doc.source], fixed, [diags]
        from newslint.checks.segments import split_text

        fixed.update(d.code for d in splits)
        parts = [source.with_text(t) for t in split_text(doc, splits[0].fix.split_at)]
        # each part is an article of its own now: lint it again (it must not re-split)
        return parts, fixed, [self.lint(Document(part)) for part in parts]


def sibling_paths(path: str, count: int) -> list[str]:
    """`count` free names `<stem>-N<ext>` beside `path`, N from 2 up, skipping taken names."""
    folder, name = os.path.split(path)
    stem, ext = os.path.splitext(name)
    out, n = [], 2
    while len(out) < count:
        cand = os.path.join(folder, f"{stem}-{n}{ext}")
        if not os.path.lexists(cand):
            out.append(cand)
        n += 1
    return out


def _diff_text(old: str, new: str, a: str, b: str) -> str:
    lines = list(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), a, b))
    out = []
    for ln in lines:
        if ln.endswith(("\n", "\r")):
            out.append(ln)
        else:  # mark a missing final newline the way diff(1) and patch(1) expect
            out.append(ln + "\n\\ No newline at end of file\n")
    return "".join(out)


def process_source(source: Source, linter: Linter, mode: str, unsafe: bool, display: str) -> FileResult:
    """mode: 'check' (report), 'fix' (write), 'diff' (show, write nothing), 'stdout' (fixed text out)."""
    result = FileResult(display)
    if mode == "check":
        result.diagnostics = linter.lint(Document(source))
        return result
    parts, fixed, remaining = linter.fix(source, unsafe)
    names = [display] + (sibling_paths(display, len(parts) - 1) if source.path else [display] * (len(parts) - 1))
    result.fixed = fixed
    result.diagnostics = [replace(d, filename=name) for name, diags in zip(names, remaining) for d in diags]
    result.new_texts = [p.text for p in parts]
    changed = len(parts) > 1 or parts[0].text != source.text
    if not changed:
        return result
    if mode == "diff":
        chunks = [_diff_text(source.text, parts[0].text, display, display)]
        for name, part in zip(names[1:], parts[1:]):
            chunks.append(_diff_text("", part.text, "/dev/null", name))
        result.diff = "".join(chunks)
    elif mode == "fix" and source.path:
        siblings = names[1:]
        # new files first: if creating one fails, the original is still whole
        for name, part in zip(siblings, parts[1:]):
            create_exclusive(name, part.to_bytes(), source.mode or 0o644)
        if parts[0].text != source.text:
            atomic_write(source.path, parts[0].to_bytes(), source.mode)
        result.written = [display] + siblings
    return result


def process_path(path: str, linter: Linter, mode: str, unsafe: bool, encoding: str = "utf-8",
                 max_bytes: int | None = None) -> FileResult:
    display = path
    try:
        kwargs = {"max_bytes": max_bytes} if max_bytes else {}
        source = read_source(path, encoding, **kwargs)
    except SourceError as exc:
        return error_result(display, exc)
    try:
        return process_source(source, linter, mode, unsafe, display)
    except NotConverged as exc:
        res = FileResult(display, error=True)
        res.diagnostics = [Diagnostic("NL500", str(exc), display, 1, 1, 1, 1, severity="error")]
        return res
    except OSError as exc:
        res = FileResult(display, error=True)
        res.diagnostics = [Diagnostic("NL500", f"cannot write: {exc.strerror or exc}", display, 1, 1, 1, 1,
                                      severity="error")]
        return res


def error_result(display: str, exc: SourceError) -> FileResult:
    res = FileResult(display, error=exc.code == "NL500")
    if exc.code == "NL502":  # binary files are skipped with a note, not a finding
        res.notes = [f"{display}: {exc.message}"]
        return res
    res.diagnostics = [Diagnostic(exc.code, exc.message, display, 1, 1, 1, 1, severity="error")]
    return res
