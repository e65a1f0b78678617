"""JUnit XML: one test suite, one test case per checked file, one <failure> per finding
(an <error> for a file that could not be read: NL500, exit status 2; a file that is not
valid text in its encoding is a finding, NL501, as in the exit status). Clean files are
passing test cases, so CI test views show how many files were checked, not only the
failing ones. A binary file, skipped unread, is a <skipped> test case."""

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
    cases = []
    n_fail = n_err = 0
    for path, diags in sorted(by_file.items(), key=lambda item: display_path(item[0])):  # as the other reports
        case = ET.Element(
            "testcase",
            {
                "name": xml_safe(display_path(path)),
                "classname": "newslint",
                "file": xml_safe(display_path(path)),
                "time": "0",
            },
        )
        is_error = path in errors
        if path in skips and not diags:  # a binary file: not checked, so neither passed nor failed
            ET.SubElement(case, "skipped", {"message": xml_safe(skips[path])})
        for d in diags:
            tag = "error" if is_error else "failure"
            el = ET.SubElement(case, tag, {"message": xml_safe(f"{d.code} {display_message(d)}"), "type": d.code})
            el.text = xml_safe(_line(d))
        if is_error:
            n_err += 1
        elif diags:
            n_fail += 1
        cases.append(case)

    totals = {"tests": str(len(cases)), "failures": str(n_fail), "errors": str(n_err), "skipped": str(len(skips)), "time": "0"}
    root = ET.Element("testsuites", {"name": "newslint", **totals})
    suite = ET.SubElement(root, "testsuite", {"name": "newslint", **totals})
    suite.extend(cases)
    return root


def render(run, name: str = "junit") -> str:
    root = build(run)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
