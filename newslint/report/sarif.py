"""SARIF 2.1.0 output, the format GitHub code scanning (upload-sarif) reads.

One run; `tool.driver.rules` lists every known rule with its documentation as help
text; each result points into it by `ruleId` and `ruleIndex`. Columns are counted in
characters (`columnKind: unicodeCodePoints`) and end columns are exclusive, as SARIF
defines them. Fixes that rewrite the flagged file are given as SARIF `fixes`; the
split fix of NL301 (which creates new files) is not, since a viewer applying it as an
in-file replacement would delete the second article.
"""

from __future__ import annotations

import json
import os
from urllib.parse import quote

from newslint import __version__
from newslint.diagnostics import Applicability
from newslint.report._common import fingerprints
from newslint.report.paths import display_message, display_path, report_order

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "newslint/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note", "note": "note", "hint": "note"}


def information_uri() -> str | None:
    """The project's home page from the installed package metadata (`[project.urls]`),
    or None: a SARIF file should not point at a guessed address."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        meta = metadata("newslint")
    except PackageNotFoundError:  # running from a source tree
        return None
    urls = [u.split(",", 1)[1].strip() for u in meta.get_all("Project-URL") or [] if "," in u]
    if urls:
        return urls[0]
    return meta.get("Home-page") or None


def _level(severity: str | None) -> str:
    return LEVELS.get((severity or "warning").lower(), "warning")


def _uri(filename: str) -> str:
    # from the name's bytes: one that is not UTF-8 is percent-encoded as it is on disk
    path = os.fsencode(display_path(filename))
    if path.startswith(b"/"):
        return "file://" + quote(path)
    return quote(path)


def _region(row: int, col: int, end_row: int, end_col: int) -> dict:
    return {
        "startLine": max(1, row),
        "startColumn": max(1, col),
        "endLine": max(1, end_row),
        "endColumn": max(1, end_col),
    }


def _rule_descriptor(code: str, rule) -> dict:
    if rule is None:
        return {"id": code, "shortDescription": {"text": code}}
    doc = rule.doc() or rule.summary()
    out = {
        "id": code,
        "name": rule.name or code,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": doc},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": _level(getattr(rule, "severity", None)), "enabled": bool(rule.default)},
        "properties": {"scope": rule.scope, "fix": rule.fix, "source": str(rule.source)},
    }
    return out


def _fix(d) -> dict | None:
    if d.fix is None or d.fix.split_at or not d.edit_positions:
        return None
    if d.fix.applicability == Applicability.DISPLAY:
        return None
    replacements = []
    for content, (r1, c1), (r2, c2) in d.edit_positions:
        rep = {"deletedRegion": _region(r1, c1, r2, c2)}
        if content:
            rep["insertedContent"] = {"text": content}
        replacements.append(rep)
    unsafe = d.fix.applicability == Applicability.UNSAFE
    return {
        "description": {"text": d.fix.message + (" (unsafe: review before applying)" if unsafe else "")},
        "artifactChanges": [{"artifactLocation": {"uri": _uri(d.filename)}, "replacements": replacements}],
        "properties": {"applicability": d.fix.applicability.value},
    }


def _related(d) -> list[dict]:
    out = []
    for i, r in enumerate(d.related, 1):
        text = r.message or "related"
        if r.similarity is not None:
            text += f" (similarity {r.similarity:.2f})"
        loc = {"id": i, "physicalLocation": {"artifactLocation": {"uri": _uri(r.filename)}}, "message": {"text": text}}
        if r.row is not None:
            loc["physicalLocation"]["region"] = {"startLine": max(1, r.row), "startColumn": max(1, r.column or 1)}
        out.append(loc)
    return out


def build(run) -> dict:
    diags = report_order(run.diagnostics)
    codes = sorted(set(run.rules) | {d.code for d in diags})
    index = {code: i for i, code in enumerate(codes)}
    rules = [_rule_descriptor(code, run.rules.get(code)) for code in codes]
    results = []
    for d, fp in zip(diags, fingerprints(diags)):
        result = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _level(d.severity),
            "message": {"text": display_message(d)},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(d.filename)},
                        "region": _region(d.row, d.column, d.end_row, d.end_column),
                    }
                }
            ],
            "partialFingerprints": {FINGERPRINT_KEY: fp},
        }
        related = _related(d)
        if related:
            result["relatedLocations"] = related
        fix = _fix(d)
        if fix:
            result["fixes"] = [fix]
        results.append(result)
    driver = {"name": "newslint", "version": __version__, "semanticVersion": __version__}
    uri = information_uri()
    if uri:
        driver["informationUri"] = uri
    driver["rules"] = rules
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [{"executionSuccessful": not any(r.error for r in run.results)}],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render(run, name: str = "sarif") -> str:
    return json.dumps(build(run), indent=2, ensure_ascii=False) + "\n"
