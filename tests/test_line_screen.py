"""LineScreen: a code's whole-line patterns joined into one alternation must pick, for every
line, the pattern the one-by-one loop picks (the first in order that fullmatches)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BBC, SAMPLE, SCRAPED, need
from newslint.checks.boilerplate import SCREEN_AFTER, pack_matches
from newslint.document import Document
from newslint.needs import fold
from newslint.packs import MAX_LINE_MATCH, LineScreen, load_builtin_packs, parse_pack
from newslint.registry import Context

PACKS = load_builtin_packs()
BY_CODE: dict[str, list] = {}
for _pack in PACKS:
    for _rule in _pack.rules:
        if _rule.kind == "line" and "pattern" in _rule.spec:
            BY_CODE.setdefault(_rule.code, []).append(_rule)


def one_by_one(patterns, stripped: str):
    for cand in patterns:
        if cand.may_match(stripped) and cand.fullmatch(stripped):
            return cand
    return None


def short_lines():
    paths = [need(SAMPLE)] + sorted(need(SCRAPED).rglob("*.txt")) + sorted(need(BBC).rglob("*.txt"))[::7]
    for path in paths:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            stripped = line.strip()
            if stripped and len(stripped) <= MAX_LINE_MATCH:
                yield stripped


def test_most_shipped_patterns_are_joined():
    for code, patterns in BY_CODE.items():
        screen = LineScreen(patterns)
        assert screen.joined is not None, code
        # the loose ones use the `regex` module's syntax (\p{Lu}, DEFINE); all have a prefilter
        assert all(patterns[k].spec.get("prefilter") for k in screen.loose), code
    assert sum(len(LineScreen(p).loose) for p in BY_CODE.values()) <= 5


def test_screen_picks_what_the_loop_picks_on_real_lines():
    screens = {code: LineScreen(patterns) for code, patterns in BY_CODE.items()}
    hits, lines = 0, 0
    for stripped in short_lines():
        lines += 1
        for code, screen in screens.items():
            expected = one_by_one(BY_CODE[code], stripped)
            assert screen.first(stripped, fold(stripped)) is expected, (code, stripped)
            hits += expected is not None
    assert lines > 10_000 and hits > 300  # real page debris the patterns find


@pytest.mark.parametrize("rule", [r for rs in BY_CODE.values() for r in rs if isinstance(r.compiled(), re.Pattern)],
                         ids=lambda r: r.id)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_screen_picks_what_the_loop_picks_on_generated_matches(rule, data):
    """Lines each joined pattern fullmatches: the screen names the first pattern that does."""
    text = data.draw(st.from_regex(rule.compiled(), fullmatch=True)).strip()
    if not text:
        return
    patterns = BY_CODE[rule.code]
    assert LineScreen(patterns).first(text, fold(text)) is one_by_one(patterns, text)


def test_order_holds_across_joined_and_loose_patterns():
    """A pattern that cannot be joined (a back-reference) still wins over a later joined one."""
    pack = parse_pack('''
[[rule]]
code = "NL201"
id = "doubled-word"
kind = "line"
message = "m"
pattern = '(\\w+) \\1'

[[rule]]
code = "NL201"
id = "two-words"
kind = "line"
message = "m"
pattern = '\\w+ \\w+'
ignorecase = false

[[rule]]
code = "NL201"
id = "any-case"
kind = "line"
message = "m"
pattern = 'reuters afp'
''', "test.toml", builtin=True)
    doubled, two, anycase = pack.rules
    screen = LineScreen(pack.rules)
    assert screen.loose == [0]
    for line, expected in [("Reuters Reuters", doubled), ("Reuters AFP", two), ("REUTERS AFP", two),
                           ("REUTERS-AFP", None), ("reuters afp", two)]:
        assert screen.first(line, fold(line)) is expected is one_by_one(pack.rules, line), line
    only_case = LineScreen([anycase])
    assert only_case.first("REUTERS AFP", fold("REUTERS AFP")) is anycase  # its own ignorecase flag


def test_pack_matches_the_same_before_and_after_the_screen_is_built():
    """The first SCREEN_AFTER documents of a process are matched pattern by pattern, the rest
    through the screen: the findings of a document do not depend on where it falls."""
    need(SCRAPED)
    docs = [Document.from_text(p.read_text(encoding="utf-8", errors="replace"))
            for p in sorted(SCRAPED.rglob("raw/*.txt"))[:30]]
    fresh = [[(r.id, m) for r, m in pack_matches(doc, Context(packs=load_builtin_packs()), "NL201")] for doc in docs]
    shared = Context(packs=load_builtin_packs())
    in_one_run = [[(r.id, m) for r, m in pack_matches(doc, shared, "NL201")] for doc in docs]
    assert shared._line_index["NL201"].screen is not None  # the screen was built along the way
    assert len(docs) > SCREEN_AFTER and fresh == in_one_run
    assert sum(map(len, fresh[SCREEN_AFTER:])) > 20


def test_document_gate_changes_no_existence_match(monkeypatch):
    """Existence rules first ask whether any line of the document could pass their needs or
    prefilter (one search of the whole text): the matches are those of the line-by-line path."""
    from newslint.packs import PackRule

    rules = [r for p in PACKS for r in p.rules if r.kind == "existence"]
    docs = [Document.from_text(p.read_text(encoding="utf-8", errors="replace"))
            for p in [need(SAMPLE)] + sorted(need(SCRAPED).rglob("raw/*.txt")) + sorted(need(BBC).rglob("*.txt"))[::25]]
    gated = [[list(r.matches(doc)) for r in rules] for doc in docs]
    ruled_out = sum(not r.may_match_document(doc) for doc in docs for r in rules)
    monkeypatch.setattr(PackRule, "may_match_document", lambda self, doc: True)
    assert gated == [[list(r.matches(doc)) for r in rules] for doc in docs]
    assert sum(len(m) for per_doc in gated for m in per_doc) > 20 and ruled_out > len(docs)


def test_document_gate_leaves_anchored_prefilters_to_each_line():
    """`^` in a prefilter means the start of a line, which the whole text has once: such a
    prefilter is never asked of the whole document."""
    pack = parse_pack('''
[[rule]]
code = "ACME1"
id = "dash-lead"
kind = "existence"
message = "m"
prefilter = '^--'
pattern = '--\\s*\\w+'
''', "test.toml")
    rule = pack.rules[0]
    doc = Document.from_text("A headline\n\n-- Reuters\n")
    assert rule.may_match_document(doc)
    assert [m.text for m in rule.matches(doc)] == ["-- Reuters"]


def test_the_credit_screen_never_drops_a_credit():
    """lineclass.credit_search skips CREDIT's search for a line none of its alternatives can
    match (no final ')' or ']', no '/', none of photo/image/picture/credit/source); it must
    answer as the search does on every line of the corpora, and on the letters that
    IGNORECASE folds beyond ASCII (a new alternative needs the screen updated)."""
    from newslint.lineclass import CREDIT, credit_search

    lines = [ln.strip() for f in [*sorted(need(SCRAPED).glob("*/*.txt")), need(SAMPLE)]
             for ln in f.read_text(encoding="utf-8").splitlines()]
    lines += [ln.strip() for f in sorted(need(BBC).glob("*/*.txt"))[::5]
              for ln in f.read_bytes().decode("utf-8", "replace").splitlines()]
    lines += ["ſource: AP", "İmage copyright EPA", "Pıcture by Jane Doe", "PHOTO: Reuters",
              "Soldiers near the Red Square / AFP", "Credit… Jane Doe for The New York Times"]
    assert sum(1 for ln in lines if CREDIT.search(ln)) > 100
    assert [ln for ln in lines if bool(credit_search(ln)) != bool(CREDIT.search(ln))] == []
