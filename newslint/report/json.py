"""JSON output with ruff's field names, so tools that read ruff's JSON read ours. File
names, the finding's, its related files' and those its message names, are in the reports' one form
(report.paths.display_path: relative to the checkout root in CI, else to the working
folder, '/'-separated, no './'), as in the CI formats."""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C function, as json uses it

from newslint.diagnostics import Diagnostic
from newslint.report.paths import display_message, display_path, memo_display_path, report_order


def diagnostic_dict(d: Diagnostic) -> dict:
    fix = None
    if d.fix is not None:
        fix = {
            "applicability": d.fix.applicability.value,
            "message": d.fix.message,
            # a split (NL301) writes a new file, which edits cannot say: applied alone,
            # its edits would delete the second article, so none are given (as in SARIF)
            "edits": [] if d.fix.split_at else [
                {"content": c, "location": {"row": r1, "column": c1}, "end_location": {"row": r2, "column": c2}}
                for c, (r1, c1), (r2, c2) in d.edit_positions
            ],
        }
    related = []
    for r in d.related:
        item = {"filename": display_path(r.filename)}
        if r.row is not None:
            item["location"] = {"row": r.row, "column": r.column or 1}
        if r.similarity is not None:
            item["similarity"] = r.similarity
        if r.message:
            item["message"] = r.message
        related.append(item)
    return {
        "code": d.code,
        "message": display_message(d),
        "filename": display_path(d.filename),
        "location": {"row": d.row, "column": d.column},
        "end_location": {"row": d.end_row, "column": d.end_column},
        "severity": d.severity,
        "fix": fix,
        "related": related,
    }


def render(run, name: str = "json") -> str:
    shown = memo_display_path()  # name as given -> as shown: a file's many findings, its partners' many mentions
    diags = report_order(run.diagnostics, shown)
    if run.statistics:  # ruff's JSON statistics: a count per rule in place of the findings
        from newslint.report.text import statistics_rows

        rows = [{"code": code, "name": rule, "count": n, "fixable": mark == "[*]"}
                for code, n, mark, rule in statistics_rows(run, diags)]
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if name == "json-lines":
        return "".join(json.dumps(diagnostic_dict(d), ensure_ascii=False) + "\n" for d in diags)
    if not diags:
        return "[]\n"
    # json.dumps([diagnostic_dict(d) ...], indent=2, ensure_ascii=False), byte for byte: each
    # finding's fixed part from one template (a warm full check of 100,000 files reports
    # ~10,000 findings, and encoding them value by value was a fifth of that run)
    out: list[str] = []
    append = out.append
    sep = "["
    for d in diags:
        append(sep)
        sep = ","
        head = (d.code, display_message(d, shown), shown(d.filename), d.severity)
        place = (d.row, d.column, d.end_row, d.end_column)
        if not (all(type(v) is str for v in head) and all(type(v) is int for v in place)):
            append("\n  ")
            _encode(diagnostic_dict(d), "\n  ", append)  # not plain str and int: the general path
            continue
        code, message, filename, severity = map(encode_basestring, head)
        append(_ITEM % (code, message, filename, *place, severity))
        if d.fix is None:
            append("null")
        else:
            append(_fix(d))
        append(',\n    "related": ')
        if not d.related:
            append("[]")
        elif all(_plain_related(r) for r in d.related):  # the partners of NL401-NL403: half the findings
            append("[" + ",".join(_RELATED % (encode_basestring(shown(r.filename)), r.row, r.column or 1,
                                              float.__repr__(r.similarity), encode_basestring(r.message))
                                  for r in d.related) + "\n    ]")
        else:
            _encode(diagnostic_dict(d)["related"], _INNER, append)
        append("\n  }")
    append("\n]\n")
    return "".join(out)


_INNER = "\n    "  # the indent of a finding's keys
_ITEM = ('\n  {\n    "code": %s,\n    "message": %s,\n    "filename": %s,\n    "location": {\n      "row": %d,'
         '\n      "column": %d\n    },\n    "end_location": {\n      "row": %d,\n      "column": %d\n    },'
         '\n    "severity": %s,\n    "fix": ')


_RELATED = ('\n      {\n        "filename": %s,\n        "location": {\n          "row": %d,\n          "column": %d'
            '\n        },\n        "similarity": %s,\n        "message": %s\n      }')


_FIX = '{\n      "applicability": %s,\n      "message": %s,\n      "edits": %s\n    }'
_EDIT = ('\n        {\n          "content": %s,\n          "location": {\n            "row": %d,\n            "column": %d'
         '\n          },\n          "end_location": {\n            "row": %d,\n            "column": %d\n          }'
         '\n        }')


def _fix(d: Diagnostic) -> str:
    """A finding's fix as diagnostic_dict and _encode write it: from templates when its
    values are plain str and int (a warm full check of 100,000 files writes ~4,000 fixes)."""
    f = d.fix
    value, message = f.applicability.value, f.message
    edits = () if f.split_at else d.edit_positions
    if not (type(value) is str and type(message) is str and all(
            type(c) is str and type(r1) is int and type(c1) is int and type(r2) is int and type(c2) is int
            for c, (r1, c1), (r2, c2) in edits)):
        out: list[str] = []
        _encode(diagnostic_dict(d)["fix"], _INNER, out.append)
        return "".join(out)
    listed = "[" + ",".join(_EDIT % (encode_basestring(c), r1, c1, r2, c2) for c, (r1, c1), (r2, c2) in edits) \
        + "\n      ]" if edits else "[]"
    return _FIX % (encode_basestring(value), encode_basestring(message), listed)


def _plain_related(r) -> bool:
    """Does _RELATED write this related location as diagnostic_dict and json would? (every
    key present, plain values, a finite similarity)"""
    return (type(r.filename) is str and type(r.row) is int and (r.column is None or type(r.column) is int)
            and type(r.similarity) is float and r.similarity - r.similarity == 0 and type(r.message) is str
            and r.message != "")


def dumps_indented(obj) -> str:
    """json.dumps(obj, indent=2, ensure_ascii=False), byte for byte, twice as fast: with an
    indent, the json module encodes in pure Python, one generator per level (a report of
    10,000 findings took ~0.4 s). Plain JSON data only: dicts with str keys, lists, str,
    int, float, bool, None."""
    out: list[str] = []
    _encode(obj, "\n", out.append)
    return "".join(out)


def _encode(obj, pad: str, append) -> None:
    """Append the indented JSON of `obj` whose first line is already placed, `pad` being
    the newline and indent of the level it sits at."""

    def encode(o, pad: str) -> None:
        if isinstance(o, str):
            append(encode_basestring(o))
        elif o is None:
            append("null")
        elif o is True:
            append("true")
        elif o is False:
            append("false")
        elif isinstance(o, int):
            append(int.__repr__(o))
        elif isinstance(o, float):
            append(_float(o))
        elif isinstance(o, dict):
            if not o:
                append("{}")
                return
            inner, sep = pad + "  ", "{"
            for k, v in o.items():
                append(sep + inner + encode_basestring(k) + ": ")
                encode(v, inner)
                sep = ","
            append(pad + "}")
        elif isinstance(o, (list, tuple)):
            if not o:
                append("[]")
                return
            inner, sep = pad + "  ", "["
            for v in o:
                append(sep + inner)
                encode(v, inner)
                sep = ","
            append(pad + "]")
        else:
            raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")

    encode(obj, pad)


def _float(o: float) -> str:
    if o != o:
        return "NaN"
    if o in (float("inf"), float("-inf")):
        return "Infinity" if o > 0 else "-Infinity"
    return float.__repr__(o)
