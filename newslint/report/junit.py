"""JUnit XML, ruff's shape: one test suite per checked file, one failing test case per
finding (an <error> case for a file that could not be read: NL500, exit status 2; a file
that is not valid text in its encoding is a finding, NL501, as in the exit status). A clean
file is one passing test case, so CI test views show how many files were checked, not only
the failing ones. A binary file, skipped unread, is a <skipped> test case.

One finding a test case, not a file's findings as many <failure>s of one case: the JUnit
schema allows one, and Jenkins, GitLab and most parsers show only the first of them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from newslint.engine import skip_reason
from newslint.report._common import xml_safe
from newslint.report.paths import display_message, display_path


def _line(d) -> str:
    text = f"{display_path(d.filename)}:{d.row}:{d.column}: {d.code} {display_message(d)}"
    for r in d.related:
        where = f"{display_path(r.filename)}:{r.row}" if r.row else display_path(r.filename)
        sim = f" (similarity {r.similarity:.2f})" if r.similarity is not None else ""
        text += f"\n    related: {where}{sim}{' ' + r.message if r.message else ''}"
    return text


def build(run) -> ET.Element:
    by_file: dict[str, list] = {}
    errors: set[str] = set()
    for res in run.results:
        by_file.setdefault(res.path, [])
        if res.error:
            errors.add(res.path)
    for d in run.diagnostics:
        # findings are keyed by the name they report; a stdin run names its document
        by_file.setdefault(d.filename, []).append(d)

    skips = {res.path: why for res in run.results if not res.diagnostics and (why := skip_reason(res))}
    suites = []
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for path, diags in sorted(by_file.items(), key=lambda item: display_path(item[0])):  # as the other reports
        shown = xml_safe(display_path(path))
        cases = []
        if not diags:  # clean, or skipped unread (a binary file: neither passed nor failed)
            case = _case("newslint", shown)
            if path in skips:
                ET.SubElement(case, "skipped", {"message": xml_safe(skips[path])})
            cases.append(case)
        for d in diags:
            case = _case(f"{d.code} {d.row}:{d.column}", shown, d)
            tag = "error" if path in errors else "failure"
            el = ET.SubElement(case, tag, {"message": xml_safe(f"{d.code} {display_message(d)}"), "type": d.code})
            el.text = xml_safe(_line(d))
            cases.append(case)
        counts = {"tests": len(cases), "skipped": int(path in skips and not diags),
                  "failures": 0 if path in errors else len(diags), "errors": len(diags) if path in errors else 0}
        suite = ET.Element("testsuite", {"name": shown, **{k: str(counts[k]) for k in totals}, "time": "0"})
        suite.extend(cases)
        suites.append(suite)
        for k in totals:
            totals[k] += counts[k]
    root = ET.Element("testsuites", {"name": "newslint", **{k: str(v) for k, v in totals.items()}, "time": "0"})
    root.extend(suites)
    return root


def _case(name: str, shown_path: str, d=None) -> ET.Element:
    attrs = {"name": xml_safe(name), "classname": shown_path, "file": shown_path, "time": "0"}
    if d is not None:
        attrs["line"] = str(d.row)
    return ET.Element("testcase", attrs)


def render(run, name: str = "junit") -> str:
    root = build(run)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
