"""NL301 on the merged-article evaluation (issue 2, point 5), at a reduced size.

bench/merged_eval.py builds merged and single files from the BBC corpus in six layouts
(one and three blank lines, doubled headlines, single-newline paragraphs, hard-wrapped
wire copy, and single articles with subheadings as hard negatives) and scores NL301.
The full-size figures are in bench/MERGED_EVAL.md.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import BBC, ROOT, need


@pytest.mark.slow
def test_nl301_recall_and_false_flags_on_generated_cases():
    need(BBC)
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "merged_eval.py"), "--per-style", "120", "--seed", "11", "--show", "0"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert out.returncode in (0, 1), out.stderr
    recall = re.search(r"recall \(exact row\), all merged: ([\d.]+)%", out.stdout)
    flags = re.search(r"false flags, all single: ([\d.]+)%", out.stdout)
    assert recall and flags, out.stdout[-2000:]
    assert float(recall.group(1)) >= 90.0, out.stdout[-3000:]
    assert float(flags.group(1)) <= 2.0, out.stdout[-3000:]
    # the hard-wrapped wire layout is measured on its own too
    wire = re.search(r"^\| wire \| (\d+) \| (\d+) \|", out.stdout, re.M)
    assert wire and int(wire.group(2)) / int(wire.group(1)) >= 0.85, out.stdout[-3000:]
