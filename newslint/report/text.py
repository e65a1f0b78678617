"""Human output: `path:row:col: CODE [*] message`, then a summary (ruff's shape)."""

from __future__ import annotations

from collections import Counter

from newslint.diagnostics import Applicability
from newslint.files import git_folder_above
from newslint.term import style


def _marker(d, unsafe_on: bool) -> str:
    """[*] when `--fix` applies the fix in this run (unsafe ones too once unsafe fixes are on),
    [-] when it needs --unsafe-fixes."""
    if d.fix is None:
        return ""
    return "[*] " if _applies(d, unsafe_on) else "[-] "


def _applies(d, unsafe_on: bool) -> bool:
    a = d.fix.applicability
    return a == Applicability.SAFE or (unsafe_on and a == Applicability.UNSAFE)


def statistics_rows(run, diags) -> list[tuple[str, int, str, str]]:
    """--statistics: (code, count, mark, rule name) per rule, most frequent first; the mark
    is the one each finding's line gets ("[*]" when --fix as given applies some of them)."""
    counts = Counter(d.code for d in diags)
    safe = Counter(d.code for d in diags if d.fix is not None and _applies(d, run.unsafe_fixes))
    unsafe = Counter(d.code for d in diags if d.fix is not None)
    rows = []
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = run.rules.get(code)
        mark = "[*]" if safe[code] else "[-]" if unsafe[code] else "   "
        rows.append((code, n, mark, rule.name if rule else ""))
    return rows


def _lines(run, path: str, memo: dict) -> list[str]:
    """A file's lines as newslint counts them (read once a file, in its encoding; stdin's
    own text), for the `full` format; none when it cannot be read now."""
    if path not in memo:
        from newslint.document import Document
        from newslint.source import SourceError, read_source

        try:
            source = run.source_of(path) if run.source_of is not None else read_source(path)
        except SourceError:
            source = None
        memo[path] = [ln.text for ln in Document(source).lines] if source is not None else []
    return memo[path]


def _context(d, lines: list[str], width: int = 2) -> list[str]:
    """The flagged lines with a little context, for the `full` format."""
    lo, hi = max(1, d.row - width), min(len(lines), d.end_row + width)
    out = []
    for n in range(lo, hi + 1):
        mark = ">" if d.row <= n <= d.end_row else " "
        body = lines[n - 1]
        out.append(f"  {mark} {n:>5} | {body[:160]}{'…' if len(body) > 160 else ''}")
    return out


def render(run, name: str = "text") -> str:
    out = []
    diags = run.diagnostics
    memo: dict = {}
    # --statistics: the count per rule in place of the findings (ruff's), an archive's overview
    for d in () if run.statistics else diags:
        loc = style(f"{d.filename}:{d.row}:{d.column}:", bold=True)
        out.append(f"{loc} {style(d.code, fg='red', bold=True)} {_marker(d, run.unsafe_fixes)}{d.message}")
        if name == "full":
            out.extend(_context(d, _lines(run, d.filename, memo)))
            for r in d.related:
                where = f"{r.filename}:{r.row}" if r.row else r.filename
                sim = f" ({r.similarity:.2f})" if r.similarity is not None else ""
                out.append(f"    related: {where}{sim}{' ' + r.message if r.message else ''}")
            out.append("")
    if run.show_fixes:
        if run.fix_mode:
            fixed = [r for r in run.results if r.fixed]
            if fixed:
                out.append("Fixed:")
            for res in fixed:
                out.append(f"  {res.path}:")
                for code, n in sorted(res.fixed.items()):
                    rule = run.rules.get(code)
                    out.append(f"    {n} × {code} ({rule.name if rule else code})")
        else:
            for d in diags:
                if d.fix is not None:
                    out.append(f"  {d.filename}:{d.row}: {d.code} fix ({d.fix.applicability.value}): {d.fix.message}")
    new_in_git = []
    for res in run.results:
        for path in res.written[1:]:
            if path in res.reused:  # an identical file was there (an interrupted split): not written
                out.append(f"{res.path}: split-off article already in {path} (same text; left as it was)")
            else:
                out.append(f"{res.path}: wrote split-off article to {path}")
                if git_folder_above(path) is not None:  # on disk, no git call: a report line's hint
                    new_in_git.append(path)
    if new_in_git and not run.quiet:
        # a hook's fix leaves them untracked: `git add -u` would commit the shortened original alone
        import shlex

        many = len(new_in_git) > 1
        out.append(f"note: the split-off file{'s are' if many else ' is'} new, not tracked by git: add "
                   f"{'them' if many else 'it'} with the shortened original{'s' if many else ''} "
                   f"(git add {' '.join(map(shlex.quote, new_in_git))})")
    if run.statistics:
        for code, n, mark, name in statistics_rows(run, diags):
            out.append(f"{n:>6}  {code:<7} {mark} {name}")
    if run.quiet:
        return "".join(line + "\n" for line in out)
    total = len(diags)
    fixed = run.fixed_total
    if run.fix_mode:
        if total or fixed:
            out.append(f"Found {total + fixed} error{'s' * (total + fixed != 1)} ({fixed} fixed, {total} remaining).")
        else:
            out.append("All checks passed!")
    elif total:
        out.append(f"Found {total} error{'s' * (total != 1)}.")
        safe = sum(1 for d in diags if d.fix is not None and d.fix.applicability == Applicability.SAFE)
        unsafe = sum(1 for d in diags if d.fix is not None and d.fix.applicability == Applicability.UNSAFE)
        if safe or unsafe:
            line = f"[*] {safe} fixable with the `--fix` option" if safe else "No fixes available"
            if unsafe and not run.unsafe_fixes:
                line += f" ({unsafe} hidden fix{'es' * (unsafe != 1)} can be enabled with the `--unsafe-fixes` option)"
            elif unsafe:
                how = "the `--fix` option" if run.unsafe_by_config else "`--fix --unsafe-fixes`"
                line = f"[*] {safe + unsafe} fixable with {how}"
            out.append(line + ".")
    else:
        out.append("All checks passed!")
    return "\n".join(out) + "\n"
