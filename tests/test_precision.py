"""Precision on clean text: the BBC corpus is 2,225 real, mostly clean articles.

Issue 2 point 4: `--select NL1,NL2,NL3` flags at most 1% of the files. Every file
flagged today is listed in the issue note with the reason it is right.
"""

from __future__ import annotations

import json

import pytest

from conftest import BBC, need, run_newslint


@pytest.mark.slow
def test_bbc_flag_rate_for_in_file_rules():
    res = run_newslint("check", need(BBC), "--select", "NL1,NL2,NL3", "--output-format", "json", "--exit-zero")
    assert res.returncode == 0, res.stderr.decode()
    found = json.loads(res.stdout)
    total = sum(1 for _ in BBC.rglob("*.txt"))
    assert total == 2225
    flagged = sorted({d["filename"] for d in found if d["code"][:3] in ("NL1", "NL2", "NL3")})
    assert len(flagged) <= 0.01 * total, flagged
    # the one undecodable file is reported, not silently skipped, and is not counted as a flag
    assert [d["filename"].rsplit("articles/", 1)[1] for d in found if d["code"] == "NL501"] == ["sport/199.txt"]
