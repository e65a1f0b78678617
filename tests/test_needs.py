"""Derived literal prefilters (newslint.needs): every text a shipped pattern matches holds
one of its needs, so a pack finds exactly what it found without them."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BBC, SCRAPED, need
from newslint.checks.boilerplate import pack_matches
from newslint.document import Document
from newslint.needs import FOLD, derive, fold
from newslint.packs import load_builtin_packs
from newslint.registry import Context

PACKS = load_builtin_packs()
WITH_NEEDS = [r for p in PACKS for r in p.rules if r.needs is not None]


def test_fold_covers_every_non_ascii_letter_that_ignorecase_matches_to_ascii():
    ascii_class = re.compile(r"[\x00-\x7f]", re.IGNORECASE)
    found = {chr(c) for c in range(128, sys.maxunicode + 1) if ascii_class.fullmatch(chr(c))}
    assert set(FOLD) == {ord(c) for c in found}
    for c in found:
        assert re.fullmatch(re.escape(FOLD[ord(c)]), c, re.IGNORECASE)


@pytest.mark.parametrize("pattern,needs", [
    ("abc", ["abc"]),
    ("a|bc", ["a", "bc"]),
    (r"x\s(?:foo|bar)\sy", ["bar", "foo"]),
    (r"^\d+ comments?$", [" comment"]),
    ("a*b", ["b"]),
    ("[ab]c", ["c"]),
    ("(?:ab)+c?", ["ab"]),
    ("(?i:Share) on", ["share"]),
    ("caf\u00e9 menu", [" menu"]),
    ("(?:a|.)", None),
    (r"x?\w+", None),
    (r"\p{Lu}", None),  # the regex module's syntax
])
def test_derive(pattern, needs):
    assert derive(pattern) == needs


def test_most_shipped_patterns_have_needs():
    patterned = [r for p in PACKS for r in p.rules if "pattern" in r.spec]
    assert len(WITH_NEEDS) >= len(patterned) // 2


@pytest.mark.parametrize("rule", WITH_NEEDS, ids=lambda r: r.id)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_generated_match_holds_a_need(rule, data):
    flags = re.IGNORECASE if rule.spec.get("ignorecase", True) else 0
    text = data.draw(st.from_regex(re.compile(rule.spec["pattern"], flags), fullmatch=rule.kind == "line"))
    assert any(n in fold(text) for n in rule.needs), (text, rule.needs)


def _documents():
    paths = sorted(need(SCRAPED).rglob("*.txt"))[:200] + sorted(need(BBC).rglob("*.txt"))[::10]
    for path in paths:
        yield Document.from_text(path.read_text(encoding="utf-8", errors="replace"))


def test_packs_find_the_same_on_real_text_without_needs():
    with_needs = Context(packs=load_builtin_packs())
    without = Context(packs=load_builtin_packs())
    for pack in without.packs:
        for rule in pack.rules:
            rule.needs = None
    codes = sorted({r.code for p in PACKS for r in p.rules})
    hits = 0
    for doc in _documents():
        for code in codes:
            a = [(r.id, m) for r, m in pack_matches(doc, with_needs, code)]
            b = [(r.id, m) for r, m in pack_matches(doc, without, code)]
            assert a == b
            hits += len(a)
    assert hits > 100  # the texts do hold boilerplate the patterns find
