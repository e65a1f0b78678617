"""Suppression comments, for Markdown and text files:

    <!-- newslint: disable NL102, NL201 -->   ... until enable (no codes: every rule)
    <!-- newslint: enable -->
    <!-- newslint: disable-next-line NL101 -->
    <!-- newslint: disable-file NL301 -->       (anywhere in the file)

Comment lines count as blank for the document model, so they never become a
headline or a paragraph. A directive that suppresses nothing is itself reported
(NL601), so stale suppressions do not pile up.
"""

from __future__ import annotations

import re

from newslint.diagnostics import Diagnostic
from newslint.document import Document
from newslint.record import Record

_DIRECTIVE = r"<!--\s*newslint:\s*(disable-next-line|disable-file|disable|enable)\b([^>]*?)-->"


class Directive(Record):
    _fields = __slots__ = ("kind", "codes", "line", "column", "used", "lines", "excluded", "origin", "comment")

    def __init__(self, kind: str, codes: tuple[str, ...], line: int, column: int, used: bool = False,
                 lines: range = range(0), excluded: tuple[str, ...] = (), origin: Directive | None = None,
                 comment: str = ""):
        self.kind = kind
        self.codes = codes  # empty: every code
        self.line = line  # 0-based line index of the comment
        self.column = column
        self.used = used
        self.lines = lines  # line indices it covers
        self.excluded = excluded  # codes an `enable` took back from it
        self.origin = origin  # the disable this is the rest of, after an enable of some codes
        self.comment = comment  # the comment as written

    def covers(self, d: Diagnostic) -> bool:
        return (d.row - 1) in self.lines and (not self.codes or any(d.code.startswith(c) for c in self.codes)) \
            and not any(d.code.startswith(c) for c in self.excluded)


def parse_directives(doc: Document) -> list[Directive]:
    if "newslint:" not in doc.text:
        return []
    directive = re.compile(_DIRECTIVE, re.IGNORECASE)  # here: most files have none to parse
    out: list[Directive] = []
    open_: list[Directive] = []
    n = len(doc.lines)
    for ln in doc.lines:
        for m in directive.finditer(ln.text):
            kind = m.group(1).lower()
            codes = tuple(c.upper() for c in re.split(r"[\s,]+", m.group(2).strip()) if c)
            d = Directive(kind, codes, ln.index, m.start() + 1, comment=m.group(0))
            if kind == "disable-file":
                d.lines = range(0, n)
            elif kind == "disable-next-line":
                nxt = ln.index + 1
                while nxt < n and doc.lines[nxt].empty:
                    nxt += 1
                d.lines = range(nxt, nxt + 1)
            elif kind == "disable":
                d.lines = range(ln.index, n)
                open_.append(d)
            else:  # enable: these codes (or all) end here; a disable's other codes go on
                for o in list(open_):
                    if codes and o.codes and not any(e.startswith(c) for e in codes for c in o.codes):
                        continue  # names none of this disable's codes
                    o.lines = range(o.lines.start, ln.index)
                    open_.remove(o)
                    rest = tuple(c for c in o.codes if c not in codes)
                    if codes and (rest or not o.codes):
                        d = Directive(o.kind, rest, o.line, o.column, lines=range(ln.index, n),
                                      excluded=o.excluded + codes, origin=o.origin or o)
                        open_.append(d)
                        out.append(d)
                continue
            out.append(d)
    return out


def file_directives(doc: Document) -> list[tuple[str, tuple[str, ...]]]:
    """The `disable-file` comments of a document, as written, with their codes (none: every
    code): what a part split off the file carries."""
    out: dict[str, tuple[str, ...]] = {}
    for d in parse_directives(doc):
        if d.kind == "disable-file":
            out.setdefault(d.comment, d.codes)
    return list(out.items())


def open_regions(doc: Document, line: int) -> list[tuple[str, tuple[str, ...], range]]:
    """The `disable` regions opened before `line` and still open there, as comments that
    reopen them at the top of a part split off at `line` (with the codes an `enable` has
    taken back since), each with the lines of that part it covers (counted from `line`)."""
    out = []
    for d in parse_directives(doc):
        if d.kind != "disable" or line not in d.lines or d.line >= line:
            continue
        if d.codes:
            comment = f"<!-- newslint: disable {', '.join(d.codes)} -->"
        else:  # every rule, less those enabled again
            comment = "<!-- newslint: disable -->"
            if d.excluded:
                comment += f"\n<!-- newslint: enable {', '.join(d.excluded)} -->"
        out.append((comment, d.codes, range(0, d.lines.stop - line), d.excluded))
    return out


def not_suppressed(path: str, diags: list[Diagnostic], encoding: str) -> list[Diagnostic]:
    """The cross-file findings of the file at `path` (NL202, NL401-NL403) that its suppression
    comments leave: the cross-file pass compares bytes, not documents, so its findings meet
    the file's comments here, when they are merged into the file's report."""
    if not diags:
        return diags
    from newslint.corpus.model import is_utf8
    from newslint.remote import is_url
    from newslint.source import SourceError, decode, read_bytes

    try:
        if is_url(path):  # a Dask worker's URL corpus
            from newslint.corpus.rules import read_corpus_source

            source = read_corpus_source(path, encoding)
        else:
            data = read_bytes(path)
            if is_utf8(encoding) and b"<!--" not in data:  # the usual file: no comment, nothing to parse
                return diags
            source = decode(data, path, encoding)
    except (SourceError, OSError):
        return diags  # gone or changed since: its findings are reported as the pass found them
    if "newslint:" not in source.text.lower():
        return diags
    directives = parse_directives(Document(source))
    return [d for d in diags if not any(s.covers(d) for s in directives)]


def _may_name(codes: tuple[str, ...], cross_file: frozenset) -> bool:
    return bool(cross_file) and (not codes or any(x.startswith(c) for c in codes for x in cross_file))


def apply_suppressions(doc: Document, diags: list[Diagnostic], report_unused: bool,
                       cross_file: frozenset = frozenset(), packs=()) -> list[Diagnostic]:
    """`diags` less those a comment suppresses, with NL601 for each comment that suppresses
    nothing (`report_unused`), names a code no rule has, or is no directive at all (a typo:
    `disble`). `cross_file`: the cross-file codes the run reports; a comment that may name
    one is not called unused here, where those findings are not known yet (they meet the
    comments in not_suppressed). `packs`: the loaded rule packs, whose codes are rules too."""
    directives = parse_directives(doc)
    if not directives:
        return diags + _misspelt(doc) if report_unused and "newslint:" in doc.text.lower() else diags
    kept = []
    for d in diags:
        hit = [s for s in directives if s.covers(d)]
        for s in hit:
            (s.origin or s).used = True
        if not hit:
            kept.append(d)
    if report_unused:
        known = None
        for s in directives:
            if s.used or s.origin is not None:
                continue
            if known is None:
                known = _known_codes(packs)
            unknown = [c for c in s.codes if not any(k.startswith(c) for k in known)]
            if not unknown and _may_name(s.codes, cross_file):
                continue
            what = ", ".join(s.codes) if s.codes else "all rules"
            message = (f"Suppression names no rule: {', '.join(unknown)} (see `newslint rules`)" if unknown
                       else f"Unused suppression ({s.kind} {what}): nothing here is flagged")
            kept.append(_comment_finding(doc, s.line, s.column, message, f"{s.kind} {what}"))
        kept += _misspelt(doc)
    return kept


def _comment_finding(doc: Document, line: int, column: int, message: str, fingerprint: str) -> Diagnostic:
    return Diagnostic("NL601", message, doc.path or "-", line + 1, column, line + 1,
                      len(doc.lines[line].text) + 1, fingerprint_text=fingerprint)


def _known_codes(packs) -> frozenset:
    from newslint.corpus import CORPUS_CODES
    from newslint.registry import all_rules

    return frozenset(all_rules()) | CORPUS_CODES | {r.code for p in packs for r in p.rules}


_ANY_DIRECTIVE = r"<!--\s*newslint:\s*([A-Za-z-]*)"  # the word, up to a space, comma or code


def _misspelt(doc: Document) -> list[Diagnostic]:
    """NL601 for each `<!-- newslint: WORD` comment whose WORD is no directive: a misspelt
    `disble` was ignored without a word, and the findings it was meant to hide were reported."""
    out = []
    pattern = re.compile(_ANY_DIRECTIVE, re.IGNORECASE)
    for ln in doc.lines:
        if "newslint:" not in ln.text.lower():
            continue
        for m in pattern.finditer(ln.text):
            word = m.group(1).rstrip("-")  # 'enable-->' is 'enable'
            if word.lower() not in ("disable", "disable-next-line", "disable-file", "enable"):
                out.append(_comment_finding(
                    doc, ln.index, m.start() + 1,
                    f"Not a suppression: {word or '(nothing)'!r} is none of disable, disable-next-line, "
                    "disable-file, enable", f"directive {word}"))
    return out
