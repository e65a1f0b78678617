"""Helpers shared by the CI reporters (sarif, github, junit, gitlab)."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from newslint.diagnostics import Diagnostic
from newslint.report.paths import display_path


def fingerprints(diags: list[Diagnostic]) -> list[str]:
    """A stable identity per finding, aligned with `diags` (which must be in report order).

    Built from the file, the rule code, the normalised flagged text and the occurrence
    index among findings with those same three values, never from line numbers: text
    inserted above a finding does not change it, while two copies of the same flagged
    line stay distinct. Findings without flagged text fall back to their message. An NL203
    block is known by its place among the file's blocks: its text, and its bounds, move
    with any edit near it."""
    seen: Counter = Counter()
    out = []
    for d in diags:
        text = "page chrome" if d.code == "NL203" else d.fingerprint_text or d.message
        key = (display_path(d.filename), d.code, text)
        index = seen[key]
        seen[key] += 1
        raw = "\0".join((key[0], key[1], key[2], str(index)))
        out.append(hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32])
    return out


# (not U+DC80-U+DCFF: a file name's non-UTF-8 bytes, which report.printable writes as \xNN)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udc7f\udd00-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text with the characters XML 1.0 cannot carry at all (not even escaped) shown
    as \\xNN / \\uNNNN, so a finding about a control character still yields valid XML."""
    return _NOT_XML.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text
    )
