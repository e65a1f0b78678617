"""Helpers shared by the CI reporters (sarif, github, junit, gitlab)."""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter

from newslint.diagnostics import Diagnostic


def display_path(filename: str) -> str:
    """The path CI systems expect: relative to the checkout root (CI_PROJECT_DIR on GitLab,
    GITHUB_WORKSPACE on GitHub, else the working directory), '/'-separated, without a
    leading './'. Paths outside it, and '-' (stdin), are kept as given."""
    if filename == "-":
        return filename
    path = filename
    root = os.environ.get("CI_PROJECT_DIR") or os.environ.get("GITHUB_WORKSPACE")
    if root and not os.path.isabs(path):  # a run from a subfolder: relative to the checkout
        path = os.path.abspath(path)
    if os.path.isabs(path):
        rel = _inside(path, root or os.curdir)
        if rel is None and root:  # the root named through a symlink, the path resolved (getcwd)
            rel = _inside(path, _real(root))
            if rel is None:  # the path's folder named through a link: resolve it, never the file
                rel = _inside(os.path.join(_real(os.path.dirname(path)), os.path.basename(path)), _real(root))
        if rel is not None:
            path = rel
    path = os.path.normpath(path) if not os.path.isabs(path) else path
    return path.replace(os.sep, "/")


def _inside(path: str, root: str) -> str | None:
    """`path` relative to `root`, or None when it is not inside it."""
    try:
        rel = os.path.relpath(path, root)
    except ValueError:  # another drive on Windows
        return None
    return None if rel.startswith(".." + os.sep) or rel == ".." else rel


_REAL: dict[str, str] = {}


def _real(folder: str) -> str:
    """os.path.realpath, once a folder (a report names many files of few folders)."""
    if folder not in _REAL:
        _REAL[folder] = os.path.realpath(folder)
    return _REAL[folder]


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
