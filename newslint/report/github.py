"""GitHub Actions workflow commands: one `::error ...::message` line per finding, which
the runner turns into an annotation on the file and line.

Escaping follows the runner's rules (actions/toolkit `command.ts`): in the message,
'%', '\\r' and '\\n' become %25, %0D and %0A; in property values ',' and ':' are also
escaped (%2C, %3A). GitHub accepts `col`/`endColumn` only for a finding on one line,
so multi-line findings carry `line`/`endLine` alone.
"""

from __future__ import annotations

from newslint.report.paths import display_message, display_path, report_order

COMMANDS = {"error": "error", "warning": "error", "info": "notice", "note": "notice", "hint": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(d) -> str:
    # Findings fail the check (exit 1), so warnings are annotated as errors, like ruff does;
    # only informational severities become notices.
    command = COMMANDS.get((d.severity or "warning").lower(), "error")
    props = [("file", display_path(d.filename)), ("line", str(d.row))]
    if d.row == d.end_row:
        props += [("col", str(d.column)), ("endLine", str(d.end_row)), ("endColumn", str(d.end_column))]
    else:
        props += [("endLine", str(d.end_row))]
    props.append(("title", d.code))
    body = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{command} {body}::{escape_data(display_message(d))}"


def render(run, name: str = "github") -> str:
    return "".join(annotation(d) + "\n" for d in report_order(run.diagnostics))
