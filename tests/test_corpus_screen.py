"""The signature screen (verify.could_pass): candidate pairs whose MinHash values agree too
little to pass exact verification are set aside unread; no pair that would pass is lost."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from newslint.corpus import CorpusOptions, analyze
from newslint.corpus import engine
from newslint.corpus import minhash as mh
from newslint.corpus.quick import Content, permutation_lists
from newslint.corpus.shingle import doc_facts, verification_set
from newslint.corpus.verify import SCREEN_MISS, _agreement_floors, could_pass, similarity

from conftest import BBC, SHARED, need  # noqa: E402
from test_corpus_index import git, make_repo  # noqa: E402

SAMPLE = SHARED / "samples" / "aawsat_two_articles.txt"
SPLIT = SHARED / "samples" / "expected" / "split"


def facts_of(path: Path):
    data = path.read_bytes()
    return doc_facts(data, data.decode("utf-8-sig"))


def test_the_agreement_floors_are_the_binomial_tails_computed_exactly():
    """Each floor t(J) is the fewest agreeing positions of 128 that a pair of Jaccard J falls
    below with probability <= SCREEN_MISS, and t(J) + 1 is not (the screen is no looser than
    it needs to be); checked against exact integer binomial sums."""
    floors = _agreement_floors(128)
    steps = floors.size - 1
    for q in (52, 205, 420, 512, 819, 920, 1000):
        j = q / steps
        t = int(floors[q])

        def below(m: int) -> float:  # P(Binomial(128, j) < m)
            return math.fsum(math.comb(128, i) * j ** i * (1 - j) ** (128 - i) for i in range(m))

        assert below(t) <= SCREEN_MISS < below(t + 1), (j, t)
    assert floors[0] == 0 and floors[steps] == 128
    assert list(floors) == sorted(floors)  # a higher Jaccard never has a lower floor


def test_an_article_inside_a_merged_file_survives_the_screen_by_its_containment():
    """The shared sample's first article against a scraped file of four articles (the sample's
    two, then two BBC articles): Jaccard 0.25, containment 1.0, about 34 of 128 positions agree,
    below the floor of any pair that could reach NL402's 0.8. Only the NL403 bound, from both
    files' distinct shingle counts, keeps it for verification."""
    need(SAMPLE)
    need(BBC)
    merged = "\n\n".join([SAMPLE.read_text(encoding="utf-8-sig")] +
                          [(BBC / name).read_text(encoding="utf-8") for name in ("politics/001.txt", "sport/001.txt")])
    whole = doc_facts(merged.encode(), merged)
    part = facts_of(SPLIT / "aawsat_two_articles.txt")
    jac, contained, _ = similarity(verification_set(part.shingles), verification_set(whole.shingles))
    assert jac < 0.3 and contained >= 0.9
    agree = np.array([np.count_nonzero(mh.signature(part.shingles) == mh.signature(whole.shingles))])
    sizes = np.array([part.n]), np.array([whole.n])
    assert could_pass(agree, *sizes, 128, 0.8, 0.9, 20).all()
    # were NL403 out of reach (files this short never contained), the same pair would be set aside
    assert not could_pass(agree, *sizes, 128, 0.8, 0.9, 10**9).any()


def test_distinct_shingles_are_counted_once():
    """The sample repeats its caption and headline: its shingles with repeats outnumber its
    distinct ones, and n (what the screen's sizes are) is the distinct count."""
    need(SAMPLE)
    whole = facts_of(SAMPLE)
    assert whole.n == verification_set(whole.shingles).size < whole.shingles.size


def test_the_hook_counts_distinct_shingles_as_the_full_pass_does():
    """The index row the hook writes must hold the count the screen reads."""
    need(SAMPLE)
    data = SAMPLE.read_bytes()
    options = CorpusOptions()
    q = Content(data, data.decode("utf-8-sig"), options, permutation_lists(options.num_perm, options.seed), oid="")
    full = facts_of(SAMPLE)
    assert q.n == full.n == verification_set(full.shingles).size < len(q.fps)


def test_the_merged_file_and_its_article_are_reported_in_a_repo_check(tmp_path):
    need(SAMPLE)
    repo = tmp_path / "news"
    repo.mkdir()
    shutil.copyfile(SAMPLE, repo / "merged.txt")
    shutil.copyfile(SPLIT / "aawsat_two_articles.txt", repo / "first.txt")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    res = analyze(None, None, CorpusOptions(cwd=str(repo)))
    assert [d.code for d in res.diagnostics["first.txt"]] == ["NL403"]


@pytest.fixture(scope="module")
def bbc_repo(tmp_path_factory):
    need(BBC)
    return make_repo(tmp_path_factory.mktemp("bbc") / "news")


def test_the_screen_keeps_every_edge_of_the_bbc_corpus_and_verifies_fewer_pairs(bbc_repo, monkeypatch):
    """Screened against unscreened on the 2,225 BBC articles: the same edges and diagnostics,
    the set-aside pairs no longer verified."""
    options = CorpusOptions(cwd=str(bbc_repo), use_cache=False)
    screened = analyze(None, None, options)
    monkeypatch.setattr(engine, "could_pass", lambda agree, *rest: np.ones(agree.shape, dtype=bool))
    plain = analyze(None, None, options)

    def edges(res):
        return sorted((e.code, e.a, e.b, e.jaccard, e.containment_ab, e.containment_ba) for e in res.edges)

    assert edges(screened) == edges(plain) and len(plain.edges) > 150
    assert screened.diagnostics == plain.diagnostics
    assert plain.stats.screened == 0 < screened.stats.screened
    assert screened.stats.candidates == plain.stats.candidates
    assert screened.stats.verified == plain.stats.verified - screened.stats.screened


def test_on_real_pairs_agreement_stays_above_the_floor_of_their_exact_jaccard():
    """The model the screen rests on, on real text: every LSH candidate pair of the BBC corpus
    agrees on at least the floor its exact Jaccard gives, so no pair reaching a threshold
    could have been screened out; and the pairs that pass verification all pass the screen."""
    need(BBC)
    facts = []
    for path in sorted(BBC.rglob("*.txt")):
        try:
            f = facts_of(path)
        except UnicodeDecodeError:  # the corpus's one file that is not UTF-8
            continue
        if f.n:
            facts.append(f)
    sigs = mh.signatures([f.shingles for f in facts])
    pairs = mh.candidate_pairs(mh.band_keys(sigs, *mh.lsh_params()))
    assert len(pairs) > 100
    floors = _agreement_floors(128)
    sizes = np.array([f.n for f in facts])
    agree = np.count_nonzero(sigs[pairs[:, 0]] == sigs[pairs[:, 1]], axis=1)
    keep = could_pass(agree, sizes[pairs[:, 0]], sizes[pairs[:, 1]], 128, 0.8, 0.9, 20)
    passing = 0
    for (a, b), n_agree, kept in zip(pairs.tolist(), agree.tolist(), keep.tolist()):
        sa, sb = verification_set(facts[a].shingles), verification_set(facts[b].shingles)
        jac, cab, cba = similarity(sa, sb)
        assert n_agree >= floors[int(jac * 1024)], (facts[a].chash.hex(), facts[b].chash.hex(), jac, n_agree)
        if jac >= 0.8 or (cab >= 0.9 and sa.size <= sb.size) or (cba >= 0.9 and sb.size <= sa.size):
            passing += 1
            assert kept
    assert passing > 100 and not keep.all()
