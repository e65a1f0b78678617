"""JSON output with ruff's field names, so tools that read ruff's JSON read ours."""

from __future__ import annotations

import json

from newslint.diagnostics import Diagnostic


def diagnostic_dict(d: Diagnostic) -> dict:
    fix = None
    if d.fix is not None:
        fix = {
            "applicability": d.fix.applicability.value,
            "message": d.fix.message,
            "edits": [
                {"content": c, "location": {"row": r1, "column": c1}, "end_location": {"row": r2, "column": c2}}
                for c, (r1, c1), (r2, c2) in d.edit_positions
            ],
        }
    related = []
    for r in d.related:
        item = {"filename": r.filename}
        if r.row is not None:
            item["location"] = {"row": r.row, "column": r.column or 1}
        if r.similarity is not None:
            item["similarity"] = r.similarity
        if r.message:
            item["message"] = r.message
        related.append(item)
    return {
        "code": d.code,
        "message": d.message,
        "filename": d.filename,
        "location": {"row": d.row, "column": d.column},
        "end_location": {"row": d.end_row, "column": d.end_column},
        "severity": d.severity,
        "fix": fix,
        "related": related,
    }


def render(run, name: str = "json") -> str:
    items = [diagnostic_dict(d) for d in run.diagnostics]
    if name == "json-lines":
        return "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items)
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
