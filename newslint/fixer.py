"""Turn fixes into text: merge line deletions, apply non-overlapping edits.

Line deletions from different fixes are merged before they become edits, because
what happens to the blank lines around a block depends on whether *all* of its lines
go: a block that vanishes takes one of its two separating blank runs with it (the
smaller, so an article break of three blank lines survives), while a block that
loses only some lines keeps its separators.
"""

from __future__ import annotations

from newslint.diagnostics import Edit, Fix
from newslint.document import Document

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on every start
if TYPE_CHECKING:
    from typing import Iterable


def _block_of_line(doc: Document) -> list[int]:
    """For each line, the index of the block holding it (-1 for blank lines); cached."""
    cached = doc.__dict__.get("_block_of_line")
    if cached is None:
        cached = [-1] * len(doc.lines)
        for k, b in enumerate(doc.blocks):
            for i in b.lines:
                cached[i] = k
        doc.__dict__["_block_of_line"] = cached
    return cached


def plan_line_deletions(doc: Document, deleted: Iterable[int]) -> list[Edit]:
    """Edits deleting whole lines, and the blank runs of blocks that vanish entirely.

    Costs time in proportion to the deleted lines and the blocks they touch, not to the
    document: every single-line fix of a long file calls it.
    """
    lines = doc.lines
    gone = set(i for i in deleted if 0 <= i < len(lines) and not lines[i].blank)
    if not gone:
        return []
    blocks = doc.blocks
    block_of = _block_of_line(doc)
    touched = sorted({block_of[i] for i in gone})
    vanished = [k for k in touched if all(i in gone for i in blocks[k].lines)]
    drop = set(gone)

    def blank_range(a: int, b: int) -> list[int]:
        """Empty lines strictly between lines a and b (comments between blocks are kept, and
        so are lines of other whitespace: a form feed is a page break, not a separator)."""
        return [i for i in range(a + 1, b) if lines[i].empty and "\f" not in lines[i].text
                and "\v" not in lines[i].text]

    r = 0
    while r < len(vanished):  # each run of consecutive vanished blocks i..j
        m = r
        while m + 1 < len(vanished) and vanished[m + 1] == vanished[m] + 1:
            m += 1
        i, j = vanished[r], vanished[m]
        for k in range(i, j):  # separators inside the vanished run
            drop.update(blank_range(blocks[k].last, blocks[k + 1].first))
        has_prev, has_next = i > 0, j + 1 < len(blocks)
        before = blank_range(blocks[i - 1].last, blocks[i].first) if has_prev else []
        after = blank_range(blocks[j].last, blocks[j + 1].first) if has_next else []
        if has_prev and has_next:
            drop.update(after if len(before) >= len(after) else before)
        elif has_next:
            drop.update(after)
        elif has_prev:
            drop.update(before)
        r = m + 1

    edits: list[Edit] = []
    run_start = None
    ordered = sorted(drop)
    for n, idx in enumerate(ordered):
        if run_start is None:
            run_start = idx
        if n + 1 == len(ordered) or ordered[n + 1] != idx + 1:
            start, end = lines[run_start].start, lines[idx].next
            if end == len(doc.text) and run_start > 0 and not doc.source.final_newline:
                # Deleting the last line of a file without a final newline: the line
                # before it becomes last and must lose its terminator instead.
                start = lines[run_start - 1].end
            elif start > 0 and doc.text[start - 1] == "\r" and doc.text.startswith("\n", end):
                # Mixed endings: a line ending in a bare CR would meet the LF of the empty
                # line after the deleted run and the two would read as one CRLF, losing a
                # line break (and merging two blocks). The CR line ends in CRLF instead: one
                # break, read as CR, CRLF or LF alike, and the empty line keeps its LF (turned
                # into a CR, the break was gone for every tool that splits on LF: git, wc).
                edits.append(Edit(start, end, "\n"))
                run_start = None
                continue
            edits.append(Edit(start, end, ""))
            run_start = None
    return edits


def merge_fixes(doc: Document, fixes: Iterable[Fix]) -> list[Edit]:
    """Edits for a set of fixes applied together; overlapping edits are dropped (next pass)."""
    deleted: set[int] = set()
    others: list[Edit] = []
    for fix in fixes:
        deleted |= fix.deleted_lines
        others.extend(fix.edits if not fix.deleted_lines else ())
    edits = sorted(plan_line_deletions(doc, deleted) + others, key=lambda e: (e.start, e.end))
    chosen: list[Edit] = []
    last_end = -1
    for e in edits:
        if e.start >= last_end or (e.start == e.end == last_end):
            chosen.append(e)
            last_end = max(last_end, e.end)
    return chosen


def apply_edits(text: str, edits: list[Edit]) -> str:
    out = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[pos:e.start])
        out.append(e.content)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)
