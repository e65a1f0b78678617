"""Diagnostics to plain data and back, losslessly (for the results cache and workers)."""

from __future__ import annotations

from newslint.diagnostics import Applicability, Diagnostic, Edit, Fix, Related


def dump(d: Diagnostic) -> dict:
    out = {
        "code": d.code, "message": d.message, "filename": d.filename, "row": d.row, "column": d.column,
        "end_row": d.end_row, "end_column": d.end_column, "severity": d.severity,
        "fingerprint_text": d.fingerprint_text,
        "related": [[r.filename, r.row, r.column, r.similarity, r.message] for r in d.related],
        "edit_positions": [[c, list(a), list(b)] for c, a, b in d.edit_positions],
        "fix": None,
    }
    if d.fix is not None:
        f = d.fix
        out["fix"] = {
            "applicability": f.applicability.value, "message": f.message,
            "edits": [[e.start, e.end, e.content] for e in f.edits],
            "deleted_lines": sorted(f.deleted_lines), "split_at": list(f.split_at),
        }
    return out


def load(data: dict, filename: str | None = None) -> Diagnostic:
    """A cached diagnostic, renamed to `filename`: files with the same bytes share an entry,
    so references to the cached file's own name (in `related`) are renamed too."""
    fix = None
    if data["fix"] is not None:
        f = data["fix"]
        fix = Fix(Applicability(f["applicability"]), f["message"], tuple(Edit(*e) for e in f["edits"]),
                  frozenset(f["deleted_lines"]), tuple(f["split_at"]))
    return Diagnostic(
        data["code"], data["message"], filename or data["filename"], data["row"], data["column"],
        data["end_row"], data["end_column"], data["severity"], fix,
        tuple(Related(filename if filename and r[0] == data["filename"] else r[0], *r[1:])
              for r in data["related"]), data["fingerprint_text"],
        tuple((c, tuple(a), tuple(b)) for c, a, b in data["edit_positions"]),
    )
