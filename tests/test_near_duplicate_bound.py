"""NL104's trigram bound only skips pairs whose fuzz.ratio is below the threshold, and a
file of far-apart paragraphs is checked without importing rapidfuzz."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from conftest import BBC, need
from newslint.checks.repeats import _below_threshold
from newslint.document import Document


def below(a: str, b: str, t: float) -> bool:
    return _below_threshold(a, b, {}, 0, 1, t)


def edited(text: str, rng: random.Random, edits: int) -> str:
    chars = list(text)
    for _ in range(edits):
        n = rng.randrange(len(chars) + 1)
        if rng.random() < 0.5 and n < len(chars):
            del chars[n]
        else:
            chars.insert(n, rng.choice("abcdefghij ,."))
    return "".join(chars)


def bbc_paragraphs(limit: int = 400) -> list[str]:
    out = []
    for path in sorted(need(BBC).rglob("*.txt"))[::7]:
        doc = Document.from_text(path.read_text(encoding="utf-8", errors="replace"))
        out.extend(p.norm for p in doc.paragraphs if p.word_count >= 8)
        if len(out) >= limit:
            break
    return out


def test_the_bound_never_skips_a_pair_that_reaches_the_threshold_on_real_text():
    rng = random.Random(6)
    paras = bbc_paragraphs()
    skipped = kept = 0
    for a in paras:
        for edits in (0, 1, 3, 8, 20, 40, 80):
            b = edited(a, rng, edits)
            if len(b) < 3:
                continue
            for t in (50.0, 80.0, 90.0, 95.0, 99.0):
                if below(a, b, t):
                    skipped += 1
                    assert fuzz.ratio(a, b, score_cutoff=t) == 0, (a, b, t)
                else:
                    kept += 1
    assert skipped > 1000 and kept > 1000
    unrelated = [below(a, b, 90.0) for a, b in zip(paras, paras[1:])]
    for (a, b), ruled_out in zip(zip(paras, paras[1:]), unrelated):
        if ruled_out:
            assert fuzz.ratio(a, b, score_cutoff=90.0) == 0
    assert sum(unrelated) > 0.9 * len(unrelated)  # what keeps rapidfuzz out of most runs


@settings(max_examples=300, deadline=None)
@given(a=st.text(alphabet="abcde ", min_size=3, max_size=80), ops=st.lists(st.integers(0, 10**6), max_size=12),
       t=st.floats(0, 100))
def test_the_bound_is_a_bound(a, ops, t):
    b = edited(a, random.Random(sum(ops) + len(ops)), len(ops)) if a else a
    if len(b) >= 3 and below(a, b, t):
        assert fuzz.ratio(a, b, score_cutoff=t) == 0


def test_far_apart_paragraphs_are_checked_without_rapidfuzz(tmp_path):
    path = need(BBC) / "business" / "014.txt"
    code = ("import sys\nfrom newslint.engine import Linter\nfrom newslint.registry import Context, all_rules\n"
            "from newslint.source import read_source\nfrom newslint.document import Document\n"
            "rule = all_rules()['NL104']\n"
            f"doc = Document(read_source({str(path)!r}))\n"
            "print(list(rule.check(doc, Context())), 'rapidfuzz' in sys.modules)\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.stdout.strip() == "[] False", res.stderr


def test_near_duplicates_are_still_found():
    from newslint.registry import Context, all_rules

    paras = [p for p in bbc_paragraphs(60) if len(p) > 200][:6]
    rng = random.Random(1)
    text = "\n\n".join(paras + [edited(paras[2], rng, 6)]) + "\n"
    found = list(all_rules()["NL104"].check(Document.from_text(text), Context()))
    assert len(found) == 1 and "similar to the one at line 5" in found[0].message
    assert Counter(d.code for d in found) == {"NL104": 1}


def test_the_bound_budget_is_per_process_and_changes_no_finding(monkeypatch):
    """A run over many files spends the bound's budget on the first ones and then uses
    rapidfuzz for every pair; the findings are those of the bound used throughout."""
    from newslint.checks import repeats
    from newslint.registry import Context, all_rules
    from newslint.source import read_source

    rule = all_rules()["NL104"]
    docs = [Document(read_source(str(p))) for p in sorted((need(BBC) / "politics").glob("*.txt"))[:150]]
    paras = [p for p in bbc_paragraphs(60) if len(p) > 200][:4]
    docs.append(Document.from_text("\n\n".join(paras + [edited(paras[1], random.Random(3), 5)]) + "\n"))

    def findings(budget: int, per_file: bool = False) -> tuple[list[tuple[int, str]], int]:
        calls = []
        monkeypatch.setattr(repeats, "_below_threshold", lambda *a: calls.append(1) or _below_threshold(*a))
        out = []
        for n, doc in enumerate(docs):
            if per_file or n == 0:
                monkeypatch.setattr(repeats, "_bound_budget", budget)
                monkeypatch.setattr(repeats, "_fuzz", None)
            out.extend((n, d.message) for d in rule.check(doc, Context()))
        return out, len(calls)

    with_rapidfuzz, none = findings(0)
    per_file, bounded_per_file = findings(repeats._BOUNDED_PAIRS, per_file=True)
    per_process, bounded_per_process = findings(repeats._BOUNDED_PAIRS)
    # a budget per file would bound pairs in every file; the budget per process stops at it
    assert none == 0 and bounded_per_file > 2 * repeats._BOUNDED_PAIRS >= 2 * bounded_per_process
    assert with_rapidfuzz == per_file == per_process
    assert [(n, m.split("% ")[1]) for n, m in per_process] == [(len(docs) - 1, "similar to the one at line 3")]
