"""Acceptance on the real BBC corpus: recall and exact precision at 0.5 and 0.8, headline
look-alikes, exact-duplicate groups, contained articles and corpus boilerplate."""

from __future__ import annotations

import csv
import json
import re

import pytest

from newslint.corpus import CorpusOptions, analyze

from conftest import SHARED, need  # noqa: E402
BBC_DIR = SHARED / "corpora" / "bbc"
ARTICLES = BBC_DIR / "articles"
WORD = re.compile(r"\w+")




def shingle_set(text: str) -> set[str]:
    """The reference similarity, written out plainly: word 5-grams of lower-cased \\w+ tokens."""
    toks = WORD.findall(text.lower())
    if len(toks) < 5:
        return {" ".join(toks)} if toks else set()
    return {" ".join(toks[i:i + 5]) for i in range(len(toks) - 4)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def read(name: str) -> str:
    return (ARTICLES / name).read_text(encoding="utf-8")


def truth(threshold: float) -> dict[tuple[str, str], float]:
    with open(need(BBC_DIR / "pairs_jaccard_ge_0.5.csv")) as fh:
        rows = list(csv.DictReader(fh))
    return {tuple(sorted((r["a"], r["b"]))): float(r["jaccard_word5"]) for r in rows
            if float(r["jaccard_word5"]) >= threshold}


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("bbc-cache")


def run(threshold: float, cache_root) -> object:
    need(ARTICLES)
    opts = CorpusOptions(threshold=threshold, use_git=False, cwd=str(ARTICLES), cache_root=str(cache_root))
    return analyze(None, None, opts)


@pytest.fixture(scope="module")
def at_05(cache):
    return run(0.5, cache)


@pytest.fixture(scope="module")
def at_08(cache):
    return run(0.8, cache)


def reported(result) -> dict[tuple[str, str], float]:
    return {tuple(sorted((e.a, e.b))): e.jaccard for e in result.edges if e.code in ("NL401", "NL402")}


@pytest.mark.parametrize("threshold, fixture, expected", [(0.5, "at_05", 169), (0.8, "at_08", 157)])
def test_recall_and_exact_precision(threshold, fixture, expected, request):
    result = request.getfixturevalue(fixture)
    want = truth(threshold)
    assert len(want) == expected
    got = reported(result)
    recall = sum(1 for k in want if k in got) / len(want)
    assert recall >= 0.99, sorted(set(want) - set(got))
    # every reported pair truly meets the threshold: recomputed here from the text itself
    for (a, b), j in got.items():
        true_j = jaccard(shingle_set(read(a)), shingle_set(read(b)))
        assert true_j >= threshold, (a, b, true_j)
        assert abs(true_j - j) < 1e-9 or true_j == 1.0, (a, b, true_j, j)
    # the reference pairs were computed over the same definition: nothing outside them
    assert set(got) <= set(truth(0.5))


def test_unreadable_file_is_left_out_not_fatal(at_05):
    assert at_05.skipped == ["sport/199.txt"]
    assert at_05.stats.skipped == 1
    assert "sport/199.txt" not in at_05.diagnostics


def test_related_lists_every_file_meeting_the_threshold(at_05):
    want = truth(0.5)
    partners: dict[str, set[str]] = {}
    for a, b in want:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    for name, others in partners.items():
        diags = [d for d in at_05.diagnostics[name] if d.code in ("NL401", "NL402")]
        listed = {r.filename for d in diags for r in d.related}
        assert listed == others, name
        for d in diags:
            assert d.row == 1 and d.column == 1 and d.end_column == len(read(name).splitlines()[0]) + 1
            for r in d.related:
                assert r.similarity == pytest.approx(want[tuple(sorted((name, r.filename)))], abs=1e-4)


def test_exact_duplicate_groups_are_nl401(at_08):
    groups = json.loads(need(BBC_DIR / "groups.json").read_text())["exact_duplicate_groups"]
    assert groups
    for group in groups:
        for name in group:
            dups = [d for d in at_08.diagnostics[name] if d.code == "NL401"]
            assert len(dups) == 1, name
            assert {r.filename for r in dups[0].related} == set(group) - {name}
            assert all(r.similarity == 1.0 for r in dups[0].related)


@pytest.mark.parametrize("threshold, fixture", [(0.5, "at_05"), (0.8, "at_08")])
def test_same_headline_different_story_is_not_reported(threshold, fixture, request):
    """Same headline is no evidence: a pair is reported exactly when its bodies meet the threshold."""
    result = request.getfixturevalue(fixture)
    groups = json.loads(need(BBC_DIR / "groups.json").read_text())["same_headline_groups"]
    different = [g for g in groups if not g["bodies_identical"]]
    assert different
    got = reported(result)
    checked = reported_pairs = 0
    for g in different:
        paths = g["paths"]
        for i, a in enumerate(paths):
            for b in paths[i + 1:]:
                key = tuple(sorted((a, b)))
                if "sport/199.txt" in key:
                    continue
                body_a = read(a).split("\n", 1)[1]
                body_b = read(b).split("\n", 1)[1]
                body_j = jaccard(shingle_set(body_a), shingle_set(body_b))
                assert (key in got) == (body_j >= threshold), (key, body_j)
                checked += 1
                reported_pairs += key in got
    assert checked >= 25 and 0 < reported_pairs < checked


def test_contained_article_is_reported_both_ways(at_05):
    small, large = "politics/111.txt", "politics/293.txt"
    a, b = shingle_set(read(small)), shingle_set(read(large))
    containment = len(a & b) / len(a)
    assert containment >= 0.9 and jaccard(a, b) < 0.5
    inner = [d for d in at_05.diagnostics[small] if d.code == "NL403"]
    outer = [d for d in at_05.diagnostics[large] if d.code == "NL403"]
    assert inner and inner[0].message.startswith("Contained article")
    assert inner[0].related[0].filename == large
    assert inner[0].related[0].similarity == pytest.approx(containment, abs=1e-4)
    assert outer and outer[0].message.startswith("Contains another article")
    assert outer[0].related[0].filename == small
    # every NL403 pair truly has the containment
    for e in at_05.edges:
        if e.code == "NL403":
            sa, sb = shingle_set(read(e.a)), shingle_set(read(e.b))
            inter = len(sa & sb)
            assert max(inter / len(sa), inter / len(sb)) >= 0.9


def test_corpus_boilerplate_sign_off(at_08):
    line = "Bill Thompson is a regular commentator on the BBC World Service programme Go Digital."
    holders = sorted(p.relative_to(ARTICLES).as_posix() for p in ARTICLES.glob("*/*.txt")
                     if line in p.read_bytes().decode("utf-8", "replace"))
    assert len(holders) >= 5
    flagged = {}
    for name, diags in at_08.diagnostics.items():
        for d in diags:
            if d.code == "NL202":
                flagged.setdefault(name, []).append(d)
    assert set(holders) <= set(flagged)
    d = flagged[holders[0]][0]
    assert read(holders[0]).splitlines()[d.row - 1] == line
    assert d.fix is not None and d.fix.applicability.value == "unsafe"
    assert d.fix.deleted_lines == frozenset({d.row - 1})
    # nothing else in this corpus recurs that often: no article sentence is called boilerplate
    assert {read(n).splitlines()[x.row - 1] for n, ds in flagged.items() for x in ds} == {line}


def test_sha1_hash_finds_the_same_pairs(at_05, tmp_path):
    """The datasketch-compatible SHA-1 scheme and the default "tok64" agree on every pair."""
    assert at_05.stats.signed > 0  # the default scheme signed the corpus
    sha1 = analyze(None, None, CorpusOptions(threshold=0.5, use_git=False, cwd=str(ARTICLES), use_cache=False,
                                             hash="sha1"))
    assert sha1.edges == at_05.edges


def test_one_queried_file_gets_the_findings_of_the_whole_corpus_run(at_08, cache):
    """The hook's case (one file asked about, the index warm) takes shortcuts (line counts
    only for that file's lines, index buckets); its findings must be the full run's."""
    def holders(code):
        return sorted(n for n, ds in at_08.diagnostics.items() if any(d.code == code for d in ds))

    names = holders("NL202")[:3] + holders("NL402")[:3] + holders("NL403")[:1]
    assert {d.code for n in names for d in at_08.diagnostics[n]} >= {"NL202", "NL402", "NL403"}
    for name in names:
        one = analyze([name], ["."], CorpusOptions(threshold=0.8, use_git=False, cwd=str(ARTICLES),
                                                 cache_root=str(cache)))
        assert one.stats.signed == 0  # the index was warm
        assert [(d.code, d.row, d.message) for d in one.diagnostics[name]] == \
            [(d.code, d.row, d.message) for d in at_08.diagnostics[name]], name


def test_corpus_boilerplate_runs_in_the_fixer_through_the_context(at_08):
    """Put CorpusResult.boilerplate in the context and NL202 behaves as a file rule: its
    unsafe fix deletes the sign-off and a second pass finds nothing."""
    from newslint.corpus.rules import CorpusBoilerplate
    from newslint.engine import Linter
    from newslint.registry import Context
    from newslint.source import read_source

    name = next(n for n, ds in at_08.diagnostics.items() if any(d.code == "NL202" for d in ds))
    ctx = Context(settings={"corpus-boilerplate": at_08.boilerplate})
    rule = CorpusBoilerplate()
    linter = Linter([], ctx)
    linter.rules = [rule]  # the CLI decides whether NL202 joins the file rules
    source = read_source(str(ARTICLES / name))
    parts, fixed, left = linter.fix(source, unsafe=True)
    assert fixed["NL202"] == 1 and left == [[]]
    assert "Bill Thompson is a regular commentator" not in parts[0].text
    assert list(rule.check(None, Context())) == []


def test_equal_normal_forms_are_grouped_by_sort_as_a_dict_groups_them():
    """engine.equal_groups (one sort of the 8-byte normal-form hashes, for the million-file
    corpus) against plain dict grouping, on every BBC article's normal form: the same groups,
    and the corpus's identical articles among them."""
    from newslint.corpus.engine import equal_groups
    from newslint.corpus.shingle import line_facts

    hashes = []
    for path in sorted(need(ARTICLES).rglob("*.txt")):
        try:
            hashes.append(line_facts(path.read_text(encoding="utf-8"))[0])
        except UnicodeDecodeError:  # the corpus's one file that is not UTF-8
            continue
    by_dict: dict[bytes, list[int]] = {}
    for i, h in enumerate(hashes):
        by_dict.setdefault(h, []).append(i)
    expected = sorted(g for g in by_dict.values() if len(g) > 1)
    assert len(expected) > 20
    assert sorted(equal_groups(hashes)) == expected
    # values not all 8 bytes long take the dict path, with the same answer
    assert sorted(equal_groups(hashes + [b"short"])) == expected
