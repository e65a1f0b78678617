"""Run rules over documents and apply fixes until the text stops changing."""

from __future__ import annotations

import os
from collections import Counter

from newslint.diagnostics import Applicability, Diagnostic, Edit
from newslint.document import Document
from newslint.fixer import apply_edits, merge_fixes
from newslint.record import Record
from newslint.registry import Context, Rule
from newslint.suppress import apply_suppressions
from newslint.source import (FileChanged, Source, SourceError, assert_unchanged, assert_writable, atomic_write,
                             create_exclusive, locked_source, probe, read_source, same_content)

MAX_FIX_PASSES = 10


class NotConverged(Exception):
    pass


class FileResult(Record):
    # slots: a million of these in a corpus run, no __dict__ each
    _fields = __slots__ = ("path", "diagnostics", "fixed", "written", "diff", "error", "new_texts", "notes", "reused")

    def __init__(self, path: str, diagnostics: list[Diagnostic] | None = None, fixed: dict[str, int] | None = None,
                 written: list[str] | None = None, diff: str = "", error: bool = False,
                 new_texts: list[str] | None = None, notes: list[str] | None = None,
                 reused: list[str] | None = None):
        self.path = path
        self.diagnostics = [] if diagnostics is None else diagnostics  # findings left
        self.fixed = {} if fixed is None else fixed  # code -> number fixed (a Counter when fixing)
        self.written = [] if written is None else written  # files written (the file itself, then new siblings)
        self.diff = diff
        self.error = error  # an I/O or decoding problem (exit status 2 for NL500)
        self.new_texts = [] if new_texts is None else new_texts  # fixed text; later parts are split-off articles
        self.notes = [] if notes is None else notes  # said on stderr, not findings (skipped binaries)
        # of written[1:], the files that already held their split-off article byte for byte
        # (an interrupted split): kept as they were, not written
        self.reused = [] if reused is None else reused


def with_edit_positions(doc: Document, d: Diagnostic) -> Diagnostic:
    edits = d.fix.edits
    if d.fix.split_at:  # shown as: everything from the end of the first article moves out
        first = doc.lines[d.fix.split_at[0]]
        cut = first.start
        while first.index > 0 and doc.lines[first.index - 1].blank:
            first = doc.lines[first.index - 1]
            cut = first.start
        edits = (Edit(max(0, cut - len(doc.source.newline)), len(doc.text), doc.source.newline),)
    return d.replace(edit_positions=tuple((e.content, doc.position(e.start), doc.position(e.end)) for e in edits))


def cross_file_codes(ctx: Context) -> frozenset:
    """The cross-file codes a run with this context reports (none with `duplicates.enabled`
    off): their findings come after the in-file pass."""
    from newslint.corpus import CORPUS_CODES

    if ctx.settings.get("duplicates", {}).get("enabled") is False:
        return frozenset()
    return frozenset(c for c in ctx.selected if c in CORPUS_CODES)


class Linter:
    def __init__(self, rules: list[Rule], ctx: Context, cross_file: frozenset | None = None):
        """`cross_file`: the cross-file codes whose findings this run merges after the in-file
        pass (default: those selected); none for a run without a cross-file pass (stdin)."""
        self.rules = [r for r in rules if r.scope == "file"]
        self.ctx = ctx
        self.report_unused = any(r.code == "NL601" for r in self.rules)
        self.cross_file = cross_file_codes(ctx) if cross_file is None else cross_file

    def lint(self, doc: Document) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        for rule in self.rules:
            out.extend(rule.check(doc, self.ctx))
        out = apply_suppressions(doc, out, self.report_unused, self.cross_file, self.ctx.packs)
        out = [with_edit_positions(doc, d) if d.fix is not None else d for d in out]
        out.sort(key=Diagnostic.sort_key)
        return out

    def fixable(self, diags: list[Diagnostic], unsafe: bool) -> list[Diagnostic]:
        """The findings of `diags` a fix may act on: fixable at this safety, not a split (that
        comes after convergence), not accepted by the baseline."""
        held = self._accepted(diags)
        return [d for d in diags if d.fix is not None and not d.fix.split_at and id(d) not in held and (
            d.fix.applicability == Applicability.SAFE or (unsafe and d.fix.applicability == Applicability.UNSAFE))]

    def _accepted(self, diags: list[Diagnostic]) -> set[int]:
        accepted = self.ctx.accepted
        return accepted.among(diags) if accepted is not None and diags else set()

    def fix(self, source: Source, unsafe: bool, split: bool = True,
            part_linters: list[Linter] | None = None) -> tuple[list[Source], Counter, list[list[Diagnostic]]]:
        """Fix to convergence. Returns (parts, fixed counts, findings left in each part).

        With unsafe fixes, a merged file is split after its own fixes converge, and each
        part is then fixed to convergence as the article it now is (unless `split` is off:
        one stream out, as for stdin, has no place for a second file). `part_linters`: the
        linter of each split-off part's own file (its per-file-ignores), else this one."""
        fixed: Counter = Counter()
        doc = self._converge(Document(source), unsafe, fixed)
        diags = self.lint(doc)
        held = self._accepted(diags)
        splits = [d for d in diags if d.fix is not None and d.fix.split_at and unsafe and split
                  and id(d) not in held]
        if not splits:
            return [doc.source], fixed, [diags]
        moved = [d for d in diags if id(d) in held and d.row is not None and d.row - 1 >= splits[0].fix.split_at[0]]
        if moved:
            # a baseline's entries are keyed by file name: the findings it accepts would move
            # into a new file under another name, be reported there as new, and leave their
            # entries stale. The file stays whole; the split is reported, not offered
            n = len(moved)
            note = (f"; split held back: the baseline accepts {n} finding{'s' * (n != 1)} in the text it would "
                    "move to a new file (fix them, or split without --baseline and write the baseline again)")
            diags = [d.replace(fix=None, message=d.message + note) if d is splits[0] else d for d in diags]
            return [doc.source], fixed, [diags]
        from newslint.checks.segments import front_matter_for_part, split_text
        from newslint.suppress import file_directives, open_regions

        fixed.update(d.code for d in splits)
        whole = [(c, codes, None, ()) for c, codes in file_directives(doc)]
        starts = (0, *splits[0].fix.split_at)
        parts, linters = [], []
        for n, (start, text) in enumerate(zip(starts, split_text(doc, splits[0].fix.split_at))):
            own = part_linters[n - 1] if n and part_linters and n - 1 < len(part_linters) else self
            carried = whole + (open_regions(doc, start) if start else [])
            # the post's front matter (titled from the part's headline), first in the file as in
            # the original, above the suppression comments carried into the part
            front = front_matter_for_part(doc, text) if n else ""
            text = front + own._carry(source, text, carried)
            parts.append(own._converge(Document(source.with_text(text)), unsafe, fixed).source)
            linters.append(own)
        if self.report_unused:
            parts = _drop_moved_suppressions(doc, diags, parts, linters)
        return parts, fixed, [own.lint(Document(part)) for own, part in zip(linters, parts)]

    def _carry(self, source: Source, text: str, carried: list[tuple]) -> str:
        """A part of a split file, with the suppressions of the file that reach into it and
        that suppress something there: its `disable-file` comments (they speak for the whole
        file) and the `disable` regions still open where it begins. Without them the part was
        fixed as if the user had never written them; one that suppresses nothing there would
        be reported as unused (NL601). `carried`: (comment, codes, the part's lines it covers
        or None for all, codes excluded)."""
        # a disable-file comment counts anywhere in the part; a region opens at its top
        missing = [item for item in carried if (item[0] not in text if item[2] is None
                                                else not text.startswith(item[0]))]
        if not missing:
            return text
        found = self.lint(Document(source.with_text(text)))

        def suppresses(codes, lines, excluded) -> bool:
            return any((not codes or any(d.code.startswith(x) for x in codes))
                       and not any(d.code.startswith(x) for x in excluded)
                       and (lines is None or d.row - 1 in lines) for d in found)

        keep = [c for c, codes, lines, excluded in missing if suppresses(codes, lines, excluded)]
        return "".join(c.replace("\n", source.newline) + source.newline for c in keep) + text

    def _converge(self, doc: Document, unsafe: bool, fixed: Counter) -> Document:
        for _ in range(MAX_FIX_PASSES):
            chosen = self._choose(self.fixable(self.lint(doc), unsafe))
            if not chosen:
                return doc
            text = apply_edits(doc.text, merge_fixes(doc, (d.fix for d in chosen)))
            if text == doc.text:
                return doc
            fixed.update(d.code for d in chosen)
            doc = Document(doc.source.with_text(text))
        raise NotConverged(f"fixes did not converge after {MAX_FIX_PASSES} passes; file left untouched")

    @staticmethod
    def _choose(candidates: list[Diagnostic]) -> list[Diagnostic]:
        """The fixes to apply together in one pass. A fix that removes a copy because of
        another line (its `related` first copy) waits for the next pass when another fix
        of this pass deletes that line: otherwise both copies could go (say NL203 takes
        the first version of a paragraph while NL104 takes the later one)."""
        deleting: Counter = Counter()
        for d in candidates:
            deleting.update(d.fix.deleted_lines)
        chosen = []
        for d in candidates:
            own = d.fix.deleted_lines
            waits = any(
                r.filename == d.filename and r.row is not None and (r.row - 1) not in own
                and deleting[r.row - 1] > 0
                for r in d.related
            )
            if not waits:
                chosen.append(d)
        return chosen or candidates[:1]


def _drop_moved_suppressions(doc: Document, diags: list[Diagnostic], parts: list[Source],
                             linters: list[Linter]) -> list[Source]:
    """Parts of a split file without the `disable-file` and `disable` comments that served the
    merged file but suppress nothing in the part that holds them, because what they suppressed
    went to another part, which carries the same directive and uses it (Linter._carry). Left in
    place, each was a new NL601 ('Unused suppression') that the fix itself made. A comment that
    no part uses any more (the fix removed what it suppressed) stays, reported as before."""
    from newslint.suppress import parse_directives

    kinds = ("disable-file", "disable")
    unused = {d.row - 1 for d in diags if d.code == "NL601"}
    served = {d.comment for d in parse_directives(doc) if d.kind in kinds and d.line not in unused}
    if not served:
        return parts
    docs = [Document(part) for part in parts]
    found = []  # per part: (directive, idle in that part)
    for pdoc, own in zip(docs, linters):
        idle = {d.row - 1 for d in own.lint(pdoc) if d.code == "NL601"}
        found.append([(d, d.line in idle) for d in parse_directives(pdoc) if d.kind in kinds])
    out = []
    for n, (part, pdoc) in enumerate(zip(parts, docs)):
        working = {(d.kind, d.codes) for m, dirs in enumerate(found) if m != n for d, idle in dirs if not idle}
        rows = sorted({d.line for d, idle in found[n] if idle and d.comment in served
                       and (d.kind, d.codes) in working and pdoc.lines[d.line].text.strip() == d.comment})
        out.append(part.with_text(_without_lines(pdoc, rows)) if rows else part)
    return out


def _without_lines(doc: Document, rows: list[int]) -> str:
    """`doc`'s text less the lines `rows` (comment lines), each with one empty line beside it
    when it stood alone between empty lines (or at an end of the text)."""
    lines, text = doc.lines, doc.text
    edits = []
    for i in rows:
        first = i
        alone_after = i + 1 >= len(lines) or lines[i + 1].empty
        if i > 0 and lines[i - 1].empty and alone_after and (i - 1) not in rows:
            first = i - 1
        start, end = lines[first].start, lines[i].next
        if end >= len(text) and not doc.source.final_newline and first > 0:
            start = lines[first - 1].end  # the line before becomes the last: it loses its break
        edits.append(Edit(start, end, ""))
    return apply_edits(text, edits)


def split_name(name: str) -> tuple[str, str]:
    """(stem, extension) for the names of the files split off `name`, the stem without the
    leading dots that hide a file: '.x.txt' -> ('x', '.txt'), '.txt' -> ('txt', '.txt')."""
    stem, ext = os.path.splitext(name)
    if not name.startswith("."):
        return stem, ext
    rest = name.lstrip(".")
    if not rest:  # dots only: nothing visible to name it by
        return stem, ext
    stem, ext = os.path.splitext(rest)
    if not ext and rest and name[:-len(rest)] == ".":  # '.txt', '.md': all extension
        return rest, name
    return stem or rest, ext


def sibling_paths(path: str, count: int, contents: list[bytes] | None = None) -> list[str]:
    """`count` free names `<stem>-N<ext>` beside `path`, N from 2 up, skipping taken names.

    Names come from `path` alone (never from the text), in `path`'s own folder. With
    `contents` (the bytes each new file would get), a name already holding exactly
    those bytes is reused: a split interrupted after writing its new files (killed,
    or the disk filled) is finished by the next run without a second copy.

    A hidden file's parts get visible names (`.x.txt` -> `x-2.txt`): `.x-2.txt` was skipped
    by every folder walk after the split, so the article split off dropped out of later
    checks with no word said.
    """
    folder, name = os.path.split(path)
    stem, ext = split_name(name)
    out, n = [], 2
    while len(out) < count:
        cand = os.path.join(folder, f"{stem}-{n}{ext}")
        if not os.path.lexists(cand) or (contents is not None and same_content(cand, contents[len(out)])):
            out.append(cand)
        n += 1
    return out


def _lines_for_diff(text: str) -> list[str]:
    """Lines as patch(1) sees them: split at LF only (CR, U+2028, form feed stay inside)."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


_C_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"}


def _diff_name(name: str) -> str:
    """A file name for a diff header, as git writes one: C-quoted when it holds a tab, a line
    break, a quote, a backslash or a character that does not print (patch(1) and `git apply`
    read those; a bare tab or newline broke the header: a review); a name with a space ends in
    a tab, as diff(1) ends it before its timestamp (both read a name up to a tab)."""
    if not any(c in name for c in '\t\n\r"\\') and name.isprintable():
        return name + "\t" if " " in name else name
    out = []
    for c in name:
        if ord(c) in _C_ESCAPES:
            out.append(_C_ESCAPES[ord(c)])
        elif c.isprintable() and not 0xDC80 <= ord(c) <= 0xDCFF:
            out.append(c)
        else:  # a control character, or a byte of a name that is not UTF-8: its bytes in octal
            out.extend(f"\\{b:03o}" for b in c.encode("utf-8", "surrogateescape"))
    return '"' + "".join(out) + '"'


def _diff_text(old: str, new: str, a: str, b: str) -> str:
    import difflib

    a, b = _diff_name(a), _diff_name(b)
    lines = list(difflib.unified_diff(_lines_for_diff(old), _lines_for_diff(new), a, b))
    out = []
    for ln in lines:
        if ln.endswith("\n"):
            out.append(ln)
        else:  # mark a missing final newline the way diff(1) and patch(1) expect
            out.append(ln + "\n\\ No newline at end of file\n")
    return "".join(out)


def _rule_codes(linter: Linter) -> list[str]:
    return [r.code for r in linter.rules]


def process_source(source: Source, linter: Linter, mode: str, unsafe: bool, display: str,
                   split: bool = True, linter_for=None) -> FileResult:
    """mode: 'check' (report), 'fix' (write), 'diff' (show, write nothing), 'stdout' (fixed text out).
    `split` off: a merged file is not split (stdin's text has no folder for a second file).
    `linter_for(path)`: the linter of a file split off this one (same folder, own name)."""
    result = FileResult(display)
    if mode == "check":
        result.diagnostics = linter.lint(Document(source))
        return result
    parts, fixed, remaining = linter.fix(source, unsafe, split=split and mode != "stdout")
    # encode before anything is written: text that cannot be written back fails here
    data = [p.to_bytes() for p in parts]
    names = [display] + (sibling_paths(display, len(parts) - 1, data[1:]) if source.path
                         else [display] * (len(parts) - 1))
    if len(parts) > 1 and source.path and linter_for is not None:
        # a split-off part is a file of its own: the next run lints it under its own name, so
        # this one fixes and reports it so (a per-file-ignores glob naming the original, or one
        # matching `<stem>-2.txt`), or a second --fix would change it
        own = [linter_for(name) for name in names[1:]]
        if any(_rule_codes(o) != _rule_codes(linter) for o in own):
            parts, fixed, remaining = linter.fix(source, unsafe, split=True, part_linters=own)
            data = [p.to_bytes() for p in parts]
            # a name is reused only for a file holding exactly these bytes (an interrupted split)
            names = [display] + sibling_paths(display, len(parts) - 1, data[1:])
    result.fixed = fixed
    result.diagnostics = [d.replace(filename=name) for name, diags in zip(names, remaining) for d in diags]
    result.new_texts = [p.text for p in parts]
    changed = len(parts) > 1 or parts[0].text != source.text
    if not changed:
        return result
    if mode == "diff":
        # on disk a UTF-8 file's first line starts with it, in each part too (a diff of a file in
        # another encoding is of its text, in UTF-8, which patch cannot apply to it anyway)
        bom = "\ufeff" if source.bom and source.encoding == "utf-8" else ""
        chunks = [_diff_text(bom + source.text, bom + parts[0].text, display, display)]
        for name, part, raw in zip(names[1:], parts[1:], data[1:]):
            if source.path and same_content(name, raw):
                continue  # reused as it is (an interrupted split left it): --fix writes nothing there
            chunks.append(_diff_text("", bom + part.text, "/dev/null", name))
        result.diff = "".join(chunks)
    elif mode == "fix" and source.path:
        siblings = names[1:]
        assert_unchanged(source.path, source.identity)  # someone else wrote it since we read it
        rewrite = parts[0].text != source.text
        if rewrite:  # a read-only original fails before any new file exists
            assert_writable(source.path)
        # new files first: if creating one fails, the original is still whole (a run killed
        # before the rewrite leaves them, and the next run reuses those holding the same bytes)
        created, reused = [], []
        try:
            for name, part_bytes in zip(siblings, data[1:]):
                if same_content(name, part_bytes):
                    reused.append(name)
                else:
                    create_exclusive(name, part_bytes, source.mode or 0o644, like=source.path)
                    created.append(name)
            if rewrite:
                links = os.stat(source.path).st_nlink
                atomic_write(source.path, data[0], source.mode, expect=source.identity)
                if links > 1:  # the write is a new file renamed in place: other names keep the old one
                    result.notes.append(f"{display}: had {links} hard links; the fix wrote a new file, "
                                        "the other links keep the old text")
        except OSError:  # the original stays whole: an article split off it would be in two files
            for name in created:
                try:
                    os.unlink(name)
                except OSError:
                    pass
            raise
        result.written = [display] + siblings
        result.reused = reused
    return result


def probe_path(path: str, max_bytes: int | None = None) -> FileResult:
    """The result for a file no in-file rule looks at (only cross-file rules selected): what
    cannot be read is reported; nothing is read and no Document is built."""
    try:
        probe(path, **({"max_bytes": max_bytes} if max_bytes else {}))
    except SourceError as exc:
        return error_result(path, exc)
    return FileResult(path)


def decode_path(path: str, encoding: str, max_bytes: int | None = None) -> FileResult:
    """probe_path for a file the cross-file pass left out as not text: read and decoded, so
    that its NL501 (or NL502's note) says why, as when an in-file rule reads it."""
    try:
        read_source(path, encoding, **({"max_bytes": max_bytes} if max_bytes else {}))
    except SourceError as exc:
        return error_result(path, exc)
    return FileResult(path)


def process_path(path: str, linter: Linter, mode: str, unsafe: bool, encoding: str = "utf-8",
                 max_bytes: int | None = None, linter_for=None) -> FileResult:
    """Lint or fix one file; never raises for a problem with this one file.

    In 'fix' mode the file is read, fixed and written under an exclusive lock on it,
    so concurrent fix runs take turns per file. Any error (unreadable, undecodable,
    unwritable, a fix that does not converge, a crash inside a rule) becomes a finding
    for this file, the file is left as it was, and the run goes on with the next one.
    """
    display = path
    kwargs = {"max_bytes": max_bytes} if max_bytes else {}

    def failed(message: str) -> FileResult:
        res = FileResult(display, error=True)
        res.diagnostics = [Diagnostic("NL500", message, display, 1, 1, 1, 1, severity="error")]
        return res

    source = None
    try:
        if not linter.rules:
            return probe_path(path, max_bytes)
        if mode == "fix":
            with locked_source(path, encoding, **kwargs) as source:
                return process_source(source, linter, mode, unsafe, display, linter_for=linter_for)
        source = read_source(path, encoding, **kwargs)
        return process_source(source, linter, mode, unsafe, display, linter_for=linter_for)
    except SourceError as exc:
        return error_result(display, exc)
    except NotConverged as exc:
        return left_as_read(failed(str(exc)), source, linter)
    except UnicodeEncodeError as exc:
        return left_as_read(failed(f"the fixed text cannot be encoded as {exc.encoding} ({exc.reason}); "
                                   "file left untouched"), source, linter)
    except OSError as exc:
        res = failed(f"cannot write: {exc.strerror or exc}")
        # (a file changed on disk meanwhile: its text is no longer the one read)
        return res if isinstance(exc, FileChanged) else left_as_read(res, source, linter)
    except Exception as exc:  # a bug in a rule must not stop the run or touch the file
        import traceback

        from newslint.packs import PackError

        if isinstance(exc, PackError):  # e.g. a user pattern that timed out on this file's text
            return failed(f"{exc}; file left untouched")

        frames = traceback.extract_tb(exc.__traceback__)
        where = next((f"{os.path.basename(f.filename)}:{f.lineno}" for f in reversed(frames)
                      if "newslint" in f.filename), "?")
        return failed(f"internal error: {type(exc).__name__}: {exc} (at {where}); file left untouched")


def left_as_read(res: FileResult, source: Source | None, linter: Linter) -> FileResult:
    """`res` (an NL500 for a fix that could not be made) with the findings of the file as it
    was read: the file is left as it was, every finding still in it, as `check` reports them."""
    if source is not None:
        try:
            res.diagnostics += linter.lint(Document(source))
        except Exception:  # a rule that fails only now (a pack pattern out of time) adds none
            pass
    return res


SKIPPED = "; skipped"  # how the note of a file skipped unread ends (source.decode's NL502 message)


def skip_reason(res: FileResult) -> str | None:
    """Why a file was skipped unread (a binary file: a note, not a finding), or None."""
    head = f"{res.path}: "
    for note in res.notes:
        if note.startswith(head) and note.endswith(SKIPPED):
            return note[len(head):]
    return None


def error_result(display: str, exc: SourceError) -> FileResult:
    res = FileResult(display, error=exc.code == "NL500")
    if exc.code == "NL502":  # binary files are skipped with a note, not a finding
        res.notes = [f"{display}: {exc.message}"]
        return res
    row, col = getattr(exc, "row", 1) or 1, getattr(exc, "column", 1) or 1
    res.diagnostics = [Diagnostic(exc.code, exc.message, display, row, col, row, col, severity="error")]
    return res
