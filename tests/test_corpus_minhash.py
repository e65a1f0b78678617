"""Signatures, shingles and normal forms of the corpus pass, against their references:
datasketch (MinHash, LSH bucket keys) and newslint.normalize (words, normalize)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from newslint.corpus import minhash as mh
from newslint.corpus.shingle import (
    doc_facts,
    fast_normalize,
    fingerprints,
    line_hash,
    shingles_of_text,
    verification_set,
    word_tokens,
)
from newslint.normalize import normalize, words

from conftest import SHARED, need  # noqa: E402
BBC = SHARED / "corpora" / "bbc" / "articles"
SCRAPED = SHARED / "corpora" / "scrapinghub_dev"




def texts(paths):
    out = []
    for p in paths:
        try:
            out.append((p, p.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            pass
    return out


@pytest.fixture(scope="module")
def bbc_texts():
    return texts(sorted(need(BBC).glob("*/*.txt")))


@pytest.fixture(scope="module")
def scraped_texts():
    return texts(sorted(need(SCRAPED).glob("*/*.txt")))


def reference_shingles(text: str, k: int = 5) -> list[bytes]:
    toks = words(text)
    if len(toks) < k:
        return [" ".join(toks).encode()] if toks else []
    return [" ".join(toks[i:i + k]).encode() for i in range(len(toks) - k + 1)]


def test_signatures_equal_datasketch(bbc_texts):
    datasketch = pytest.importorskip("datasketch")
    for _, text in bbc_texts[::40]:
        shingles, mode = shingles_of_text(text)
        assert mode == "word"
        ours = mh.signature(fingerprints(shingles))
        m = datasketch.MinHash(num_perm=128)  # defaults: seed 1, affine32, sha1_hash32
        m.update_batch(shingles)
        assert ours.dtype == np.uint32
        assert np.array_equal(ours, m.hashvalues)
    _, text = bbc_texts[7]
    shingles, _ = shingles_of_text(text)
    for num_perm, seed in ((64, 1), (256, 7), (128, 42)):
        m = datasketch.MinHash(num_perm=num_perm, seed=seed)
        m.update_batch(shingles)
        assert np.array_equal(mh.signature(fingerprints(shingles), num_perm, seed), m.hashvalues)
    # the permutation parameters themselves
    a, b = mh.permutations(128, 1)
    ref = datasketch.MinHash(num_perm=128, seed=1).permutations
    assert np.array_equal(a, ref[0]) and np.array_equal(b, ref[1])


def test_fingerprint_low_half_is_datasketch_hash32(bbc_texts):
    from datasketch.hashfunc import sha1_hash32

    shingles, _ = shingles_of_text(bbc_texts[0][1])
    fps = fingerprints(shingles)
    assert sorted(int(x) for x in mh.hash32(fps)) == sorted({sha1_hash32(s) for s in shingles})


def test_band_bytes_equal_datasketch_bucket_keys(bbc_texts):
    datasketch = pytest.importorskip("datasketch")
    shingles, _ = shingles_of_text(bbc_texts[3][1])
    m = datasketch.MinHash(num_perm=128)
    m.update_batch(shingles)
    lsh = datasketch.MinHashLSH(num_perm=128, params=(64, 2))
    ours = mh.band_bytes(mh.signature(fingerprints(shingles)), 64, 2)
    assert ours == [lsh._H(m.hashvalues[s:e]) for s, e in lsh.hashranges]


def test_empty_text_has_no_shingles_and_max_signature():
    assert shingles_of_text("") == ([], "word")
    assert shingles_of_text(" \n ,;") == ([], "word")
    assert shingles_of_text("Three short words") == ([b"three short words"], "word")
    assert (mh.signature(fingerprints([])) == 0xFFFFFFFF).all()


def test_word_tokens_and_shingles_match_the_reference_definition(bbc_texts, scraped_texts):
    checked = 0
    for path, text in bbc_texts + scraped_texts:
        shingles, mode = shingles_of_text(text)
        if mode == "char":
            continue
        assert word_tokens(text) == [w.encode() for w in words(text)], path
        assert shingles == reference_shingles(text), path
        checked += 1
    assert checked > 2300
    for text in ["Ünïcode wörds cost £5 — “quoted”", "straße İstanbul ǅ", "a_b c1 ½ ² x"]:
        assert word_tokens(text) == [w.encode() for w in words(text)]


def test_fast_normalize_is_normalize(bbc_texts, scraped_texts):
    for path, text in bbc_texts[::5] + scraped_texts:
        assert fast_normalize(text) == normalize(text), path
        for line in text.splitlines():
            assert fast_normalize(line) == normalize(line), (path, line)
    assert fast_normalize("He said `no` \u2014 twice") == normalize("He said `no` \u2014 twice")


def test_line_fingerprints_follow_normalised_lines(bbc_texts):
    for path, text in bbc_texts[::50]:
        facts = doc_facts(text.encode(), text)
        expected = []
        for line in text.splitlines():
            n = normalize(line)
            if n and line_hash(n) not in expected:
                expected.append(line_hash(n))
        assert facts.line_hashes.tolist() == expected, path
        assert facts.head_row == 1 and facts.head_len == len(text.splitlines()[0])


def test_text_without_word_spaces_uses_character_shingles(scraped_texts):
    japanese = [t for _, t in scraped_texts if shingles_of_text(t)[1] == "char"]
    assert japanese, "the scrapinghub sample holds Japanese pages"
    text = japanese[0]
    shingles, mode = shingles_of_text(text)
    chars = "".join(c for c in text.lower() if c.isalnum() or c == "_")
    assert shingles[0] == chars[:5].encode()
    assert len(shingles) == len(chars) - 4
    # a one-character edit changes at most five of the shingles
    edited = text.replace(text[len(text) // 2], "X", 1)
    a, b = fingerprints(shingles), fingerprints(shingles_of_text(edited)[0])
    from newslint.corpus.verify import similarity

    assert similarity(a, b)[0] > 0.9
    # English text stays in word mode
    assert shingles_of_text("The Prime Minister said on Tuesday")[1] == "word"


def test_lsh_pairs_are_rows_sharing_a_band():
    rng = np.random.default_rng(0)
    sigs = rng.integers(0, 2**32, size=(50, 128), dtype=np.uint64).astype(np.uint32)
    sigs[7, 10:12] = sigs[3, 10:12]  # share band 5
    sigs[20] = sigs[21]  # share everything
    sigs[31, 0:2] = sigs[30, 0:2]
    sigs[32, 0:2] = sigs[30, 0:2]  # 30, 31, 32 share band 0
    keys = mh.band_keys(sigs, 64, 2)
    pairs = {tuple(p) for p in mh.candidate_pairs(keys).tolist()}
    assert pairs == {(3, 7), (20, 21), (30, 31), (30, 32), (31, 32)}
    assert set(mh.query_candidates(sigs[7], keys, 64, 2).tolist()) == {3, 7}
    keys3 = mh.band_keys(sigs, 42, 3)  # the generic (hashed) band key
    assert (20, 21) in {tuple(p) for p in mh.candidate_pairs(keys3).tolist()}


def test_hook_path_imports_neither_datasketch_nor_scipy(tmp_path):
    need(BBC)
    for name in ("business/001.txt", "business/002.txt"):
        (tmp_path / name.replace("/", "-")).write_bytes((BBC / name).read_bytes())
    code = (
        "import sys\n"
        "from newslint.corpus import check_corpus, CorpusOptions\n"
        f"out = check_corpus([{str(tmp_path)!r}], None, CorpusOptions(use_git=False, cache_root={str(tmp_path)!r}))\n"
        "assert len(out) == 2, out\n"
        "bad = [m for m in ('datasketch', 'scipy') if m in sys.modules]\n"
        "print('imported:', bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "imported: []" in res.stdout


def test_tok64_signatures_equal_datasketch_with_its_hashfunc(bbc_texts):
    """The faster "tok64" shingle hash keeps datasketch compatibility through `hashfunc`."""
    datasketch = pytest.importorskip("datasketch")
    from newslint.corpus.shingle import ShingleSettings, text_fingerprints, tok64_hash32

    settings = ShingleSettings(hash="tok64")
    for _, text in bbc_texts[::150] + [("", "Ünïcode wörds cost £5, “quoted”"), ("", "one two"), ("", "")]:
        fps, mode = text_fingerprints(text, settings)
        shingles, _ = shingles_of_text(text)
        assert mode == "word" and fps.size == len(shingles)  # one per position, in text order
        assert verification_set(fps).size == len(set(shingles))
        m = datasketch.MinHash(num_perm=128, hashfunc=tok64_hash32)
        m.update_batch(shingles)
        assert np.array_equal(mh.signature(fps), m.hashvalues)


def test_token_hashes_vectorised_equal_the_plain_definition(bbc_texts):
    from newslint.corpus.shingle import token_hash, token_hashes

    toks = word_tokens(bbc_texts[11][1]) + ["Ünïcode".lower().encode(), b"x"]
    assert token_hashes(b"  ".join(toks) + b" ").tolist() == [token_hash(t) for t in toks]
    assert token_hashes(b"").size == 0 and token_hashes(b"   ").size == 0


def test_batched_signing_equals_one_by_one(bbc_texts, scraped_texts):
    from newslint.corpus.engine import sign, sign_many
    from newslint.corpus.shingle import ShingleSettings, content_hash

    datas = [t.encode() for _, t in bbc_texts[:70] + scraped_texts[:40]]
    datas += [b"", b"one two", b"\xef\xbb\xbfWith a BOM and five words here", b"\xff\xfe not utf-8", b"a\0binary"]
    items = [(content_hash(d), d) for d in datas]
    for name in ("sha1", "tok64"):
        settings = ShingleSettings(hash=name)
        batch = {f.chash: f for f in sign_many(items, settings, 128, 1)}
        assert len(batch) == len(items)
        for c, d in items:
            one, many = sign(d, settings, 128, 1, c), batch[c]
            assert (one.mode, one.n, one.normhash, one.head_row, one.head_len) == \
                (many.mode, many.n, many.normhash, many.head_row, many.head_len)
            for field in ("sig", "line_hashes"):
                assert np.array_equal(getattr(one, field), getattr(many, field)), (name, field)
            assert np.array_equal(verification_set(one.shingles), verification_set(many.shingles))
        assert batch[content_hash(b"\xff\xfe not utf-8")].mode == "skip"


def test_fold_shortcut_covers_every_character_case_folding_can_turn_into_a_translated_one():
    from newslint.corpus.textfacts import _TRANSLATE_TRIGGERS
    from newslint.normalize import _TRANSLATE

    translated = set(map(chr, _TRANSLATE))
    makers = {chr(c) for c in range(0x110000) if not (0xD800 <= c < 0xE000) and set(chr(c).casefold()) & translated}
    assert makers <= _TRANSLATE_TRIGGERS
    for text in ["\u0149 said \u2018yes\u2019", "plain £5 text", "ﬁne ＡＢＣ `x`", "x\u2028y\x85z\vw"]:
        assert fast_normalize(text) == normalize(text)
        facts = doc_facts(text.encode(), text)
        assert facts.line_hashes.size >= 1


def test_blank_shortcut_knows_every_whitespace_character():
    """line_facts skips the blank-folding regex when no blank but single spaces occurs; the
    list it scans for must hold every other whitespace character of Unicode."""
    from newslint.corpus.textfacts import _BLANKS, _ODD_BLANKS, _fold_blanks

    assert set(_ODD_BLANKS) == {chr(c) for c in range(0x110000) if chr(c).isspace()} - set(" \r\n")
    assert set(_ODD_BLANKS[:7]) == {ch for ch in _ODD_BLANKS if ch.isascii()}  # ASCII text scans only these
    for text in ["two  spaces", "tab\there", "nbsp\xa0here", "thin\u2009space", "a line\nnext line",
                 "one space only\r\nand CRLF"]:
        assert _fold_blanks(text) == _BLANKS.sub(" ", text)


def test_shipped_default_permutations_are_the_drawn_ones():
    """permutations(128, 1) is read from a shipped file (no numpy.random import); it must be
    exactly what datasketch's RandomState(1) draws."""
    from newslint.corpus.minhash import draw_permutations, permutations

    shipped, drawn = permutations(128, 1), draw_permutations(128, 1)
    assert all(np.array_equal(x, y) and x.dtype == np.uint32 for x, y in zip(shipped, drawn))
    assert np.array_equal(permutations(64, 7)[0], draw_permutations(64, 7)[0])


def test_isin_and_sorted_unique_match_numpy():
    """The corpus pass avoids np.unique/np.isin (they import numpy.ma at first use); its
    replacements must give numpy's answers, on line fingerprints of real text."""
    from newslint.corpus.shingle import isin, line_facts, sorted_unique, value_counts

    texts = [(need(BBC) / n).read_text(encoding="utf-8") for n in ("tech/164.txt", "tech/184.txt", "sport/312.txt")]
    lines = [line_facts(t)[1] for t in texts]
    every = np.concatenate(lines + lines[:1])
    assert np.array_equal(sorted_unique(every.copy()), np.unique(every))
    values, counts = value_counts(every)
    want_values, want_counts = np.unique(every, return_counts=True)
    assert np.array_equal(values, want_values) and np.array_equal(counts, want_counts) and counts.max() >= 2
    assert [a.size for a in value_counts(np.zeros(0, dtype=np.int64))] == [0, 0]
    for allowed in (lines[0], lines[1], np.zeros(0, dtype=np.int64)):
        assert np.array_equal(isin(every, allowed), np.isin(every, allowed))


def test_facts_cross_the_worker_pipe_unchanged():
    """Signing workers send their DocFacts packed as flat arrays; unpacked they must be the
    same facts, an undecodable file's (empty arrays) included. The shingles cross as the low 32
    bits verification compares and the index stores (shingle.verification_set), in order."""
    from newslint.corpus.engine import pack_facts, sign_many, unpack_facts
    from newslint.corpus.shingle import ShingleSettings, content_hash

    items = [(content_hash(d), d) for d in [(need(BBC) / n).read_bytes() for n in ("tech/164.txt", "sport/312.txt")]]
    items.append((content_hash(b"\xff\xfe not utf-8"), b"\xff\xfe not utf-8"))
    facts = sign_many(items, ShingleSettings(), 128, 1)
    back = unpack_facts(pack_facts(facts))
    assert [f.mode for f in back] == [f.mode for f in facts] and "skip" in {f.mode for f in back}
    for a, b in zip(facts, back):
        assert (a.chash, a.normhash, a.n, a.head_row, a.head_len) == (b.chash, b.normhash, b.n, b.head_row, b.head_len)
        for field in ("sig", "line_hashes"):
            x, y = getattr(a, field), getattr(b, field)
            assert np.array_equal(x, y) and x.dtype == y.dtype, field
        assert a.shingles.dtype == np.uint64 and b.shingles.dtype == np.uint32
        assert b.shingles.tolist() == [v & 0xFFFFFFFF for v in a.shingles.tolist()]
        assert np.array_equal(verification_set(a.shingles), verification_set(b.shingles))
    assert sum(f.shingles.size for f in back) > 500  # the two articles' shingles crossed


def _facts_key(facts):
    return {f.chash: (f.mode, f.n, f.normhash, f.head_row, f.head_len, f.sig.tobytes(), f.line_hashes.tobytes())
            for f in facts}


@pytest.mark.parametrize("jobs", [2, 3])
def test_forked_signing_equals_in_process(bbc_texts, jobs):
    """`sign_pending` shares the documents with forked children: every document comes back
    once, with the facts signing it here gives (an undecodable one included)."""
    from newslint.corpus import engine
    from newslint.corpus.shingle import ShingleSettings, content_hash

    datas = [t.encode() for _, t in bbc_texts[:engine._POOL_MIN + 50]] + [b"\xff\xfe not utf-8"]
    items = [(content_hash(d), d) for d in dict.fromkeys(datas)]
    here = engine.sign_many(items, ShingleSettings(), 128, 1)
    forked = engine.sign_pending(items, ShingleSettings(), 128, 1, jobs)
    assert len(forked) == len(items)
    assert _facts_key(forked) == _facts_key(here)


def test_a_failed_signing_child_is_made_up_for_in_process(bbc_texts, monkeypatch, caplog):
    """A child that dies (here: packing its results raises) costs time, not documents."""
    from newslint.corpus import engine
    from newslint.corpus.shingle import ShingleSettings, content_hash

    items = [(content_hash(d), d) for d in dict.fromkeys(t.encode() for _, t in bbc_texts[:engine._POOL_MIN + 20])]
    here = engine.sign_many(items, ShingleSettings(), 128, 1)

    def broken(facts):  # runs only in the child: the parent never packs its own share
        raise MemoryError("simulated")

    monkeypatch.setattr(engine, "pack_facts", broken)
    with caplog.at_level("WARNING", logger="newslint.corpus"):
        forked = engine.sign_pending(items, ShingleSettings(), 128, 1, 2)
    assert _facts_key(forked) == _facts_key(here)
    assert "signing process failed" in caplog.text


def test_ctrl_c_while_waiting_for_a_signing_child_is_the_interrupt(bbc_texts, monkeypatch):
    """Ctrl-C while the parent waits for a signing child (its pipe already read and closed)
    reaches the caller as KeyboardInterrupt ("Aborted!"), the child is reaped and no
    descriptor is closed twice (it was an OSError EBADF: an internal error, exit 2)."""
    import os

    from newslint.corpus import engine
    from newslint.corpus.shingle import ShingleSettings, content_hash

    items = [(content_hash(d), d) for d in dict.fromkeys(t.encode() for _, t in bbc_texts[:engine._POOL_MIN + 20])]
    real_waitpid, calls = os.waitpid, []

    def interrupted(pid, options):  # the first wait is _collect's: Ctrl-C arrives there
        calls.append(pid)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return real_waitpid(pid, options)

    before = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(engine.os, "waitpid", interrupted)
    with pytest.raises(KeyboardInterrupt):
        engine.sign_pending(items, ShingleSettings(), 128, 1, 2)
    monkeypatch.undo()
    assert len(calls) == 2  # the child was reaped after the interrupt
    assert len(os.listdir("/proc/self/fd")) == before


def test_shares_cover_every_item_once_in_order():
    from newslint.corpus.engine import _shares

    sizes = [3000, 10, 10, 10, 5000, 200, 1, 1, 4000, 70]
    for parts in (1, 2, 3, 4, 12):
        shares = _shares(sizes, parts)
        assert shares[0][0] == 0 and shares[-1][1] == len(sizes)
        assert all(a < b for a, b in shares) and all(x[1] == y[0] for x, y in zip(shares, shares[1:]))
        assert len(shares) <= parts
    two = _shares(sizes, 2)
    halves = [sum(sizes[a:b]) for a, b in two]
    assert max(halves) - min(halves) <= max(sizes)  # about equal bytes, not equal counts


@pytest.mark.parametrize("failing", ["fork", "pipe"])
def test_no_process_to_fork_means_signing_in_process(bbc_texts, monkeypatch, caplog, failing):
    """Out of processes, memory or descriptors (fork or pipe raising EAGAIN/EMFILE), the
    share meant for a child is signed here: the same facts, and no descriptor left open."""
    import os

    from newslint.corpus import engine
    from newslint.corpus.shingle import ShingleSettings, content_hash

    items = [(content_hash(d), d) for d in dict.fromkeys(t.encode() for _, t in bbc_texts[:engine._POOL_MIN + 20])]
    here = engine.sign_many(items, ShingleSettings(), 128, 1)

    def fail(*_):
        raise OSError(11, "Resource temporarily unavailable")

    before = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(engine.os, failing, fail)
    with caplog.at_level("WARNING", logger="newslint.corpus"):
        forked = engine.sign_pending(items, ShingleSettings(), 128, 1, 2)
    monkeypatch.undo()
    assert _facts_key(forked) == _facts_key(here)
    assert "signing process failed" in caplog.text
    assert len(os.listdir("/proc/self/fd")) == before
