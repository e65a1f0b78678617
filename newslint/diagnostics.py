"""Diagnostics and fixes: the data every rule produces and every reporter reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Applicability(str, Enum):
    SAFE = "safe"  # never removes text that has no other copy
    UNSAFE = "unsafe"  # may change meaning or drop text; needs --unsafe-fixes
    DISPLAY = "display-only"


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] with `content` (offsets into the document text)."""

    start: int
    end: int
    content: str = ""


@dataclass(frozen=True)
class Fix:
    applicability: Applicability
    message: str
    edits: tuple[Edit, ...] = ()
    # Whole lines this fix deletes. The fixer merges deletions from all fixes so that a
    # block emptied by several fixes also loses one of its separating blank runs.
    deleted_lines: frozenset[int] = frozenset()
    # For the split fix: line index where each later article starts.
    split_at: tuple[int, ...] = ()


@dataclass(frozen=True)
class Related:
    filename: str
    row: int | None = None
    column: int | None = None
    similarity: float | None = None
    message: str | None = None


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    filename: str
    row: int  # 1-based
    column: int  # 1-based, in characters
    end_row: int
    end_column: int
    severity: str = "warning"
    fix: Fix | None = None
    related: tuple[Related, ...] = field(default_factory=tuple)
    # The normalised text that was flagged: the baseline key, stable when lines move.
    fingerprint_text: str = ""
    # The fix's edits as (content, (row, col), (end_row, end_col)), filled in by the linter.
    edit_positions: tuple = ()

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.applicability != Applicability.DISPLAY

    def sort_key(self):
        return (self.filename, self.row, self.column, self.code, self.message)
