"""The shipped rule packs (rules/*.toml): examples, precision on real pages, speed.

Issue 3 points 4 and 5. Every shipped pack is loaded for every user's files, so a rule
that flags article text is a bug: these tests run each rule directly on the 92 real pages
of ../shared/corpora/scrapinghub_dev (raw page vs human-checked gold body) and on clean
BBC articles. bench/pack_eval.py prints the same numbers as a table (bench/PACK_EVAL.md).
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from pathlib import Path

import pytest

from newslint.document import Document
from newslint.normalize import normalize, words
from newslint.packs import PackError, load_builtin_packs

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV = SHARED / "corpora" / "scrapinghub_dev"
BBC = SHARED / "corpora" / "bbc" / "articles"

PACKS = load_builtin_packs()
RULES = [r for p in PACKS for r in p.rules]
RULE_IDS = [f"{r.pack.name}:{r.id}" for r in RULES]

# Lines of gold bodies that a rule flags on purpose (the rule's fix is not safe), with the
# reason in bench/pack_eval.py JUSTIFIED.
JUSTIFIED = {("credit-label", "main image credit: getty"), ("credit-label", "(image credit: all about space)")}


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is missing: these tests read ../shared beside the checkout")
    return path


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def flagged(rule, doc: Document) -> dict[int, str]:
    out = {}
    for m in rule.matches(doc):
        idx = m.whole_line if m.whole_line is not None else doc.position(m.start)[0] - 1
        out.setdefault(idx, doc.lines[idx].text.strip())
    return out


def in_gold(line: str, gold_lines: set[str], gold_text: str) -> bool:
    """The same test as bench/pack_eval.py: equal to a gold line, or (4+ words) inside the gold text."""
    n = normalize(line)
    if n in gold_lines:
        return True
    return len(words(n)) >= 4 and re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", gold_text) is not None


@pytest.fixture(scope="module")
def dev_pages():
    raw = need(DEV / "raw")
    pages = []
    for path in sorted(raw.glob("*.txt")):
        gold = read(DEV / "gold" / path.name).splitlines()
        gold_lines = {normalize(g) for g in gold if g.strip()}
        pages.append((path.stem, Document.from_text(read(path)), gold_lines, "\n".join(sorted(gold_lines))))
    assert len(pages) == 92
    return pages


# -- the packs and their examples -------------------------------------------------------------

def test_test_packs_passes_for_every_shipped_pack(cli):
    res = cli("test-packs")
    assert res.exit_code == 0, res.output
    passed = int(re.search(r"(\d+) examples passed, 0 failed", res.output).group(1))
    assert passed == sum(len(r.examples.get("valid", [])) + len(r.examples.get("invalid", [])) for r in RULES)


def test_shipped_packs_are_the_expected_ones():
    names = {p.name for p in PACKS}
    assert {"boilerplate", "captions"} <= names
    assert len([n for n in names if n.startswith("publisher-")]) >= 2


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_rule_has_valid_and_invalid_examples(rule):
    assert rule.examples.get("valid") and rule.examples.get("invalid"), rule.id
    for text in rule.examples["invalid"]:
        assert list(rule.matches(Document.from_text(text))), text
    for text in rule.examples["valid"]:
        assert not list(rule.matches(Document.from_text(text))), text


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_rule_is_well_formed(rule):
    assert re.fullmatch(r"NL2\d\d", rule.code), "shipped packs use the NL2xx (boilerplate) family"
    assert rule.fix in ("safe", "unsafe", "none")
    if rule.kind == "line" and "pattern" in rule.spec:
        # whole-line patterns are anchored, so a near miss fails instead of matching a prefix
        body = rule.spec["pattern"].split("\n)\n", 1)[-1] if "(?(DEFINE)" in rule.spec["pattern"] else rule.spec["pattern"]
        assert body.lstrip("(?x)\n").startswith("^") and body.endswith("$"), rule.id


def test_agency_lists_are_identical_in_every_captions_rule():
    """captions.toml spells the agency list out once per pattern ((?(DEFINE)(?P<agency>...)))."""
    copies = {r.id: re.search(r"\(\?P<agency>(.*?)\)\s*\n\)", r.spec["pattern"], re.S).group(1)
              for r in RULES if "(?P<agency>" in r.spec.get("pattern", "")}
    assert len(copies) >= 3
    assert len(set(copies.values())) == 1, sorted(copies)


def test_rule_ids_are_unique_across_packs():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_shipped_codes_are_registered():
    """The engine only runs codes with a registered Rule class: a shipped code without one
    would be skipped silently."""
    from newslint.registry import all_rules

    missing = sorted({r.code for r in RULES} - set(all_rules()))
    assert not missing, f"pack codes without a Rule class (skipped by `newslint check`): {missing}"


def test_listed_lines_and_invalid_examples_are_flagged_once_per_code():
    """Two whole-line rules of one code on one line would report the line twice."""
    for rule in RULES:
        for text in rule.spec.get("lines", []) + rule.examples.get("invalid", []):
            doc = Document.from_text(text)
            hits = [r.id for r in RULES if r.code == rule.code and r.kind == "line" and list(r.matches(doc))]
            assert len(hits) <= 1, (text, hits)


# -- precision on real pages -----------------------------------------------------------------

@pytest.mark.parametrize("rule", [r for r in RULES if r.fix == "safe"],
                         ids=[i for r, i in zip(RULES, RULE_IDS) if r.fix == "safe"])
def test_safe_rule_never_flags_a_gold_line(rule, dev_pages):
    bad = [(page[:12], text) for page, doc, gold_lines, gold_text in dev_pages
           for text in flagged(rule, doc).values() if in_gold(text, gold_lines, gold_text)]
    assert not bad


def test_every_flag_on_a_gold_line_is_justified(dev_pages):
    bad = [(rule.id, page[:12], text) for rule in RULES for page, doc, gold_lines, gold_text in dev_pages
           for text in flagged(rule, doc).values()
           if in_gold(text, gold_lines, gold_text) and (rule.id, normalize(text)) not in JUSTIFIED]
    assert not bad
    for rule_id, _ in JUSTIFIED:
        assert next(r for r in RULES if r.id == rule_id).fix != "safe"


def test_packs_remove_real_debris(dev_pages):
    """Not only precise: the packs flag a real share of the debris lines (about 1 in 10 today;
    menus and related-story lists are NL203's job)."""
    total = sum(len(flagged(r, doc)) for r in RULES for _, doc, _, _ in dev_pages)
    assert total > 1000


def test_no_line_is_flagged_twice_by_one_code(dev_pages):
    for page, doc, _, _ in dev_pages:
        by_line = defaultdict(list)
        for rule in RULES:
            if rule.kind == "line":
                for idx in flagged(rule, doc):
                    by_line[(idx, rule.code)].append(rule.id)
        dup = {k: v for k, v in by_line.items() if len(v) > 1}
        assert not dup, (page[:12], dup)


def _bbc_files(step: int):
    files = sorted(need(BBC).rglob("*.txt"))
    assert len(files) == 2225
    return files[::step]


def _bbc_hits(files):
    hits = []
    for path in files:
        doc = Document.from_text(read(path))
        hits += [(str(path.relative_to(BBC)), r.id, t) for r in RULES for t in flagged(r, doc).values()]
    return hits


def test_no_flags_on_a_bbc_sample():
    """Clean articles carry no page debris: every flag would be a false one (every 7th file)."""
    assert not _bbc_hits(_bbc_files(7))


@pytest.mark.slow
def test_no_flags_on_the_whole_bbc_corpus():
    assert not _bbc_hits(_bbc_files(1))


# -- captions vs datelines -------------------------------------------------------------------

DATELINES = [  # real openings of agency copy (dev pages and wire stories)
    "WASHINGTON (AP) — Ambassador Gordon Sondland, the most anticipated witness in the impeachment inquiry, is "
    "likely to be unpredictable when he faces questions about his evolving accounts.",
    "LONDON (AP) — Britain's Conservative Party was accused Wednesday of trying to deceive voters.",
    "LOS ANGELES (AP) — To LeBron James, triple-doubles are not a goal.",
    "Hayward, Calif. (AP) - The latest on a deadly stabbing on a San Francisco Bay Area commuter train (all times local):",
    "(Reuters) — The New York State Attorney General (NYAG) is investigating WeWork, according to two people "
    "familiar with the matter.",
    "WASHINGTON (Reuters) -",
    "WASHINGTON (Reuters) - The U.S. Senate voted on Tuesday.",
    "BEIRUT (AFP)",
    "RIO DE JANEIRO (Reuters)",
    "DUBAI (WAM)",
    "RIYADH (SPA) -- Custodian of the Two Holy Mosques King Salman received the ministers.",
]


@pytest.mark.parametrize("line", DATELINES)
def test_datelines_are_not_captions(line):
    doc = Document.from_text(line)
    assert not [r.id for r in RULES if list(r.matches(doc))]


CAPTIONS = [  # real caption lines that end in a credit
    "WikiLeaks founder Julian Assange (AFP)",
    "Russian soldiers near the Red Square in Moscow (AFP)",
    "Roughly 13,000 US troops remain in Afghanistan, 18 years after Washington invaded the country 2001 [File: Reuters]",
    "President Trump at the Economic Club of New York last week. Credit... Anna Moneymaker/The New York Times",
]


@pytest.mark.parametrize("line", CAPTIONS)
def test_caption_with_a_credit_is_pointed_at_but_never_deleted(line):
    doc = Document.from_text(line)
    hits = [r for r in RULES if list(r.matches(doc))]
    assert [r.code for r in hits] == ["NL205"]
    assert all(r.fix == "none" for r in hits)


def test_whole_line_credits_are_safe_to_delete():
    for line in ["Image copyright EPA", "Image caption", "[File: Reuters]", "Photo: Ringo H.W. Chiu, AP",
                 "Credit... Doug Mills/The New York Times", "Sanjeev Verma/Hindustan Times/Getty Images"]:
        hits = [r for r in RULES if list(r.matches(Document.from_text(line)))]
        assert [(r.code, r.fix) for r in hits] == [("NL204", "safe")], line


def test_caption_label_prefix_removes_only_the_label():
    line = "Image caption Scooter Braun has managed Justin Bieber, among others, throughout his career in music"
    rule = next(r for r in RULES if r.id == "caption-label-prefix")
    (m,) = rule.matches(Document.from_text(line))
    assert (m.text, line[m.end:]) == ("Image caption ", line[len("Image caption "):])


def test_caption_label_prefix_is_unsafe_before_a_long_caption_as_its_docs_say():
    """Safe fixes leave every line of four words or more as it is (issue 2's acceptance), so
    the label's removal before a longer caption is unsafe; the docs said safe (a review)."""
    from newslint.checks.boilerplate import pack_diagnostics
    from newslint.registry import Context, all_rules

    text = ("Scooter Braun signs new artists\n\nImage caption Scooter Braun has managed Justin Bieber, "
            "among others, throughout his career in music\n\nThe manager said the deal was signed on Monday.\n")
    ctx = Context(packs=load_builtin_packs())
    (d,) = [d for d in pack_diagnostics(all_rules()["NL204"], Document.from_text(text), ctx, "NL204")]
    assert d.fix.applicability.value == "unsafe" and d.fix.message == "Remove 'Image caption '"
    doc = " ".join(all_rules()["NL204"].doc().split())
    assert "safely only when the whole line, label and caption, is three words or fewer" in doc
    # the boundary the docs state: a one-word caption after the two-word label (3 words)
    for caption, safety in (("Rescuers", "safe"), ("Rescuers pause", "unsafe")):
        one = text.replace("Scooter Braun has managed Justin Bieber, among others, throughout his career in music",
                           caption)
        (d,) = [d for d in pack_diagnostics(all_rules()["NL204"], Document.from_text(one), ctx, "NL204")]
        assert d.fix.applicability.value == safety, caption


# -- speed: shipped patterns stay linear on huge lines ----------------------------------------

HUGE_LINES = {
    "letters": "a" * 40_000,
    "capitals": "A" * 40_000,
    "words": "Lorem Ipsum Dolor Sit " * 2_000,
    "credits": "Name Name/Name Name, " * 2_000,
    "brackets": "[File: Reuters " * 3_000,
    "parens": "(AFP) " * 7_000,
    "spaces": "A " * 20_000,
}


@pytest.mark.parametrize("name", HUGE_LINES)
def test_shipped_rules_finish_on_a_40000_character_line(name):
    doc = Document.from_text("Headline\n\n" + HUGE_LINES[name] + "!\n")
    for rule in RULES:
        start = time.perf_counter()
        try:
            list(rule.matches(doc))
        except PackError as exc:  # the 1 s per-match limit of newslint.packs
            pytest.fail(f"{rule.id} hit the regex time limit: {exc}")
        # generous bound (shared CI machines); measured: < 0.05 s per rule
        assert time.perf_counter() - start < 0.9, rule.id


@pytest.mark.parametrize("line", ["Listen to this article", "Skip Ad", "Open in app", "hide caption",
                                  "toggle caption", "More from this section", "Pin it", "Please enable JavaScript"])
def test_player_ad_app_and_caption_widgets_between_paragraphs_are_flagged(line):
    """Widget lines that a scraper leaves between an article's paragraphs (an audio player's
    label, an ad's skip button, an app banner, NPR's caption toggle under each photo, a BBC
    section link, a Pinterest button, a script notice), pasted into a BBC article: none was
    flagged. None of them is a sentence, and each must match the whole line, so the same
    words inside one are left alone (the BBC corpus stays at no flag; test above)."""
    text = (need(BBC) / "business" / "010.txt").read_text(encoding="utf-8", errors="replace")
    lines = text.split("\n")
    at = lines.index("", 3) + 1
    doc = Document.from_text("\n".join(lines[:at] + [line, ""] + lines[at:]))
    rows = {idx for r in RULES if r.code == "NL201" for idx in flagged(r, doc)}
    assert rows == {at}
