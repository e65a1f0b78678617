"""GitLab Code Quality JSON (`artifacts:reports:codequality`).

GitLab matches findings between the merge request and its target branch by
`fingerprint`, so it must not depend on line numbers: it is a hash of the path, the
rule code, the normalised flagged text and the occurrence index of that text (see
`_common.fingerprints`). Inserting a paragraph above a finding keeps its fingerprint.
"""

from __future__ import annotations

import json

from newslint.report._common import fingerprints
from newslint.report.paths import display_message, display_path, report_order

# GitLab's severities: info, minor, major, critical, blocker.
SEVERITIES = {"error": "critical", "warning": "major", "info": "info", "note": "info", "hint": "info"}


def items(run) -> list[dict]:
    diags = report_order(run.diagnostics)
    out = []
    for d, fp in zip(diags, fingerprints(diags)):
        out.append(
            {
                "type": "issue",
                "description": f"{d.code} {display_message(d)}",
                "check_name": d.code,
                "fingerprint": fp,
                "severity": SEVERITIES.get((d.severity or "warning").lower(), "major"),
                "location": {"path": display_path(d.filename), "lines": {"begin": d.row, "end": d.end_row}},
            }
        )
    return out


def render(run, name: str = "gitlab") -> str:
    return json.dumps(items(run), indent=2, ensure_ascii=False) + "\n"
