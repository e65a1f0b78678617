"""Diagnostics and fixes: the data every rule produces and every reporter reads."""

from __future__ import annotations

from enum import Enum

from newslint.record import FrozenRecord

_set = object.__setattr__  # how a frozen record's __init__ assigns


class Applicability(str, Enum):
    SAFE = "safe"  # never removes text that has no other copy
    UNSAFE = "unsafe"  # may change meaning or drop text; needs --unsafe-fixes
    DISPLAY = "display-only"


class Edit(FrozenRecord):
    """Replace text[start:end] with `content` (offsets into the document text)."""

    _fields = __slots__ = ("start", "end", "content")

    def __init__(self, start: int, end: int, content: str = ""):
        _set(self, "start", start)
        _set(self, "end", end)
        _set(self, "content", content)


class Fix(FrozenRecord):
    _fields = __slots__ = ("applicability", "message", "edits", "deleted_lines", "split_at")

    def __init__(self, applicability: Applicability, message: str, edits: tuple[Edit, ...] = (),
                 deleted_lines: frozenset[int] = frozenset(), split_at: tuple[int, ...] = ()):
        _set(self, "applicability", applicability)
        _set(self, "message", message)
        _set(self, "edits", edits)
        # Whole lines this fix deletes. The fixer merges deletions from all fixes so that a
        # block emptied by several fixes also loses one of its separating blank runs.
        _set(self, "deleted_lines", deleted_lines)
        # For the split fix: line index where each later article starts.
        _set(self, "split_at", split_at)


class Related(FrozenRecord):
    _fields = __slots__ = ("filename", "row", "column", "similarity", "message")

    def __init__(self, filename: str, row: int | None = None, column: int | None = None,
                 similarity: float | None = None, message: str | None = None):
        _set(self, "filename", filename)
        _set(self, "row", row)
        _set(self, "column", column)
        _set(self, "similarity", similarity)
        _set(self, "message", message)


class Diagnostic(FrozenRecord):
    _fields = __slots__ = ("code", "message", "filename", "row", "column", "end_row", "end_column", "severity", "fix",
                           "related", "fingerprint_text", "edit_positions")

    def __init__(self, code: str, message: str, filename: str, row: int, column: int, end_row: int, end_column: int,
                 severity: str = "warning", fix: Fix | None = None, related: tuple[Related, ...] = (),
                 fingerprint_text: str = "", edit_positions: tuple = ()):
        _set(self, "code", code)
        _set(self, "message", message)
        _set(self, "filename", filename)
        _set(self, "row", row)  # 1-based
        _set(self, "column", column)  # 1-based, in characters
        _set(self, "end_row", end_row)
        _set(self, "end_column", end_column)
        _set(self, "severity", severity)
        _set(self, "fix", fix)
        _set(self, "related", related)
        # The normalised text that was flagged: the baseline key, stable when lines move.
        _set(self, "fingerprint_text", fingerprint_text)
        # The fix's edits as (content, (row, col), (end_row, end_col)), filled in by the linter.
        _set(self, "edit_positions", edit_positions)

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.applicability != Applicability.DISPLAY

    def sort_key(self):
        return (self.filename, self.row, self.column, self.code, self.message)
