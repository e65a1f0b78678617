"""Text -> shingle fingerprints, line fingerprints and the other per-document facts the index keeps.

The similarity every corpus rule uses is defined here, once:

* **word mode** (default): the text is lower-cased and cut into `\\w+` tokens (exactly
  `newslint.normalize.words`); a shingle is `k` consecutive tokens joined by one space
  (`k = 5` by default), encoded as UTF-8. A text with fewer than `k` tokens has one
  shingle, all its tokens; a text with no token has none.
* **char mode**, chosen automatically for text written without spaces between words
  (Chinese, Japanese, Thai, Lao, Khmer, Myanmar: more than a third of its word characters
  are in those scripts): the `\\w` characters of the lower-cased text, concatenated, cut
  into `n`-character shingles (`n = 5` by default).

Each shingle becomes a 64-bit **fingerprint**; the MinHash input is its low 32 bits.

* `hash="tok64"` (default): each token hashed by a byte polynomial mod 2**64 (all tokens of
  a text at once, from numpy prefix sums), the k token hashes of a shingle combined
  polynomially and finished with MurmurHash3's fmix64. No Python call per token or
  shingle; signatures equal `datasketch.MinHash(num_perm, seed, hashfunc=tok64_hash32)`'s.
* `hash="sha1"`: the first 8 bytes of the shingle's SHA-1, little-endian. The low 32 bits
  are exactly datasketch's default `sha1_hash32`, so signatures equal
  `datasketch.MinHash(num_perm, seed)`'s, for an index shared with datasketch code. One
  SHA-1 call per shingle is the floor of this scheme's cost (~0.4-0.8 us each here: about
  60% of signing, which is why it is not the default).

Exact Jaccard and containment are computed on the sets of 64-bit fingerprints: two
different shingles would have to collide in 64 bits to change a figure (about 1e-14 for a
pair of 400-shingle articles).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# the text-level definitions are numpy-free, for the hook's quick path; imported here under
# their old names so this module stays the one place to read the definition from
from newslint.corpus.textfacts import (  # noqa: F401  (some are re-exported for older imports)
    _UNSET, DEFAULT_SHINGLES, HASH_SCHEME, ShingleSettings, _digest, _sha1, _tok64_buffer, content_hash,
    fast_normalize, is_nospace_text, line_facts_raw, line_hash, non_ascii_chars, shingles_of_text, word_tokens,
)

_EMPTY_U64 = np.zeros(0, dtype=np.uint64)


def fingerprints(shingles) -> np.ndarray:
    """Sorted unique 64-bit fingerprints of an iterable of shingle byte strings."""
    digests = b"".join(map(_digest, map(_sha1, shingles)))
    if not digests:
        return _EMPTY_U64
    fp = np.frombuffer(digests, dtype=np.uint8).reshape(-1, 20)[:, :8].copy().view("<u8").ravel()
    return sorted_unique(fp.astype(np.uint64, copy=False))


# token hash: fmix64((sum_j byte_j * P**j mod 2**64) ^ len); computed for all tokens of a text
# at once from prefix sums (P is odd, hence invertible mod 2**64), no Python call per token.
_P = 0x100000001B3 * 2 + 1  # odd
_P_INV = pow(_P, -1, 1 << 64)
_POW = np.ones(1, dtype=np.uint64)
_POW_INV = np.ones(1, dtype=np.uint64)
_MULT = np.uint64(0x9E3779B97F4A7C15)  # odd: the polynomial step is a bijection per position
_M64 = (1 << 64) - 1


def _power_table(base: int, size: int) -> np.ndarray:
    arr = np.full(size, base, dtype=np.uint64)
    arr[0] = 1
    return np.cumprod(arr, dtype=np.uint64)  # base**j mod 2**64: the product wraps, as intended


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    global _POW, _POW_INV
    if _POW.size < n:
        size = max(n, 2 * _POW.size, 1 << 16)
        _POW, _POW_INV = _power_table(_P, size), _power_table(_P_INV, size)
    return _POW, _POW_INV


def fmix64(h: np.ndarray) -> np.ndarray:
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


def token_hashes(buf: bytes) -> np.ndarray:
    """Hashes of the space-separated tokens of `buf` (runs of bytes other than 0x20)."""
    a = np.frombuffer(buf, dtype=np.uint8)
    if a.size == 0:
        return _EMPTY_U64
    word = a != 32
    edges = np.flatnonzero(np.diff(np.concatenate(([False], word, [False])).view(np.int8)))
    if edges.size == 0:
        return _EMPTY_U64
    starts, ends = edges[0::2], edges[1::2]
    pw, pinv = _powers(a.size + 1)
    prefix = np.zeros(a.size + 1, dtype=np.uint64)
    np.cumsum(a.astype(np.uint64) * pw[:a.size], dtype=np.uint64, out=prefix[1:])
    h = (prefix[ends] - prefix[starts]) * pinv[starts]
    h ^= (ends - starts).astype(np.uint64)
    return fmix64(h)


def token_hash(tok: bytes) -> int:
    """`token_hashes` for one token, in plain Python (the reference)."""
    poly = 0
    for j, byte in enumerate(tok):
        poly = (poly + byte * pow(_P, j, 1 << 64)) & _M64
    return int(fmix64(np.array([poly ^ len(tok)], dtype=np.uint64))[0])


def _combine(th: np.ndarray, k: int) -> np.ndarray:
    """64-bit hashes of every run of k consecutive token hashes (one run of all when fewer)."""
    n = th.size
    if n == 0:
        return _EMPTY_U64
    m = min(k, n)
    count = n - m + 1
    h = th[:count].copy()
    for j in range(1, m):
        h *= _MULT
        h += th[j:j + count]
    h += np.uint64(m)
    return fmix64(h)


def tok64_fingerprints(text: str, k: int, data: bytes | None = None) -> np.ndarray:
    """Fingerprints of `text`'s word k-shingles under "tok64" (`data`: its UTF-8 bytes, if known)."""
    return _combine(token_hashes(_tok64_buffer(text, data)), k)  # in text order, repeats kept


def tok64_hash32(shingle: bytes) -> int:
    """The "tok64" hash of one shingle, low 32 bits: a `hashfunc` for datasketch's MinHash."""
    toks = shingle.split(b" ")
    th = np.array([token_hash(t) for t in toks], dtype=np.uint64)
    return int(_combine(th, len(toks))[0] & np.uint64(0xFFFFFFFF))


def value_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values ascending, how often each occurs): np.unique(..., return_counts=True)
    with one sorted copy and without importing numpy.ma (see `sorted_unique`)."""
    v = np.sort(values)
    if v.size == 0:
        return v, np.zeros(0, dtype=np.int64)
    first = np.empty(v.size, dtype=bool)
    first[0] = True
    np.not_equal(v[1:], v[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return v[starts], np.diff(np.append(starts, v.size))


def sorted_unique(fp: np.ndarray) -> np.ndarray:
    """`fp` sorted in place, without repeats. Not np.unique: that one imports numpy.ma on
    first use (to test for a masked array), ~15 ms of every run's start."""
    fp.sort()
    if fp.size > 1:
        keep = np.empty(fp.size, dtype=bool)
        keep[0] = True
        np.not_equal(fp[1:], fp[:-1], out=keep[1:])
        if not keep.all():
            fp = fp[keep]
    return fp


def isin(values: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """np.isin(values, allowed) for integers, by binary search in the sorted set (np.isin
    sorts through np.unique, which imports numpy.ma)."""
    pool = sorted_unique(allowed.copy())
    if pool.size == 0:
        return np.zeros(values.shape, dtype=bool)
    pos = np.minimum(np.searchsorted(pool, values), pool.size - 1)
    return pool[pos] == values


def text_fingerprints(text: str, settings: ShingleSettings = DEFAULT_SHINGLES,
                      data: bytes | None = None) -> tuple[np.ndarray, str]:
    """(fingerprints, mode) of a text under `settings` (char mode always uses SHA-1); see DocFacts."""
    if settings.hash == "tok64" and not (settings.auto_char and not text.isascii() and is_nospace_text(text)):
        return tok64_fingerprints(text, settings.size, data), "word"
    shingles, mode = shingles_of_text(text, settings)
    return fingerprints(shingles), mode


@dataclass
class DocFacts:
    """Everything the index keeps about one content hash."""

    chash: bytes  # blake2b-128 of the file's bytes
    normhash: bytes  # blake2b-64 of the normalised text: equal means NL401
    mode: str  # "word", "char", or "skip" (not text: left out of the corpus)
    n: int  # number of distinct shingles (0: the text has none and stays out of the LSH); the
    # signature screen (verify.could_pass) bounds a pair's Jaccard with it
    # fingerprints (None: not loaded): uint64 as made, sorted and unique for "sha1", in text
    # order for "tok64"; their low 32 bits (uint32) once they have crossed a signer's pipe or
    # come back from the index (exact verification applies `verification_set` to the few it reads)
    shingles: np.ndarray | None
    sig: np.ndarray | None  # uint32[num_perm] (None until signed)
    line_hashes: np.ndarray  # int64 per distinct non-blank normalised line (first occurrence order)
    head_row: int  # 1-based row of the first non-blank line (the headline)
    head_len: int  # its length in characters


def line_facts(text: str, na=_UNSET) -> tuple[bytes, np.ndarray, int, int]:
    """(normhash, fingerprints of the distinct normalised lines in first-seen order, headline
    row, headline length): `textfacts.line_facts_raw` with the fingerprints as an array."""
    normhash, digests, head_row, head_len = line_facts_raw(text, na)
    return normhash, np.frombuffer(digests, dtype="<i8").astype(np.int64), head_row, head_len


def doc_facts(data: bytes, text: str, settings: ShingleSettings = DEFAULT_SHINGLES,
              chash: bytes | None = None) -> DocFacts:
    """Shingle fingerprints, line fingerprints and headline position of one decoded file."""
    raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data  # text's own UTF-8 bytes
    fps, mode = text_fingerprints(text, settings, raw)
    return _facts(chash or content_hash(data), text, mode, fps)


def _facts(chash: bytes, text: str, mode: str, fps: np.ndarray, na=_UNSET) -> DocFacts:
    normhash, lines, head_row, head_len = line_facts(text, na)
    return DocFacts(chash=chash, normhash=normhash, mode=mode, n=distinct_count(fps), shingles=fps, sig=None,
                    line_hashes=lines, head_row=head_row, head_len=head_len)


def tok64_batch(bufs: list[bytes], k: int) -> list[np.ndarray]:
    """`tok64` fingerprints of many token buffers with one pass of numpy calls for all of them
    (per-call overhead, not arithmetic, dominates on article-sized inputs)."""
    if not bufs:
        return []
    big = b" ".join(bufs)
    a = np.frombuffer(big, dtype=np.uint8)
    th = token_hashes(big)
    word = a != 32
    starts = np.flatnonzero(word & ~np.concatenate(([False], word[:-1]))) if a.size else np.zeros(0, np.int64)
    lens = np.fromiter(map(len, bufs), dtype=np.int64, count=len(bufs))
    doc_off = np.concatenate(([0], np.cumsum(lens + 1)[:-1]))
    tok_off = np.searchsorted(starts, doc_off)
    tok_end = np.concatenate((tok_off[1:], [th.size]))
    ntok = tok_end - tok_off
    combined = _combine(th, k) if th.size >= k else _EMPTY_U64
    # each document's shingles (not yet sorted or deduplicated: the MinHash does not need it, and
    # `verification_set` is applied to the few sets exact verification reads)
    out = [_EMPTY_U64] * len(bufs)
    for d, (s, e, n) in enumerate(zip(tok_off.tolist(), tok_end.tolist(), ntok.tolist())):
        if n >= k:
            out[d] = combined[s:e - k + 1].copy()
        elif n:
            out[d] = _combine(th[s:e], k)
    return out


def distinct_count(fp: np.ndarray) -> int:
    """How many distinct values `fp` holds (sorting a copy: `fp` keeps its order)."""
    if fp.size < 2:
        return int(fp.size)
    s = np.sort(fp)
    return int(np.count_nonzero(s[1:] != s[:-1])) + 1


# Exact verification compares the fingerprints' low 32 bits, and the index stores only them: a
# third less to write, checkpoint and read back than 64 bits (bench/RESULTS.md, target 4,
# session 24). Two articles of ~400 shingles share a 32-bit value by chance with probability
# ~4e-5, which moves their Jaccard by ~1/800 then; the MinHash signatures are made from the
# 64-bit fingerprints, as before.


def verification_set(fp: np.ndarray) -> np.ndarray:
    """The set exact verification compares: the fingerprints' low 32 bits (uint32), sorted,
    without repeats. Idempotent: the index's stored sets pass through unchanged."""
    low = fp.astype(np.uint32)  # a copy; from uint64, the low 32 bits
    if low.size < 2 or bool((low[1:] > low[:-1]).all()):
        return low
    return sorted_unique(low)


def batch_facts(items: list[tuple[bytes, bytes, str]], settings: ShingleSettings = DEFAULT_SHINGLES,
                group: int = 32) -> list[DocFacts]:
    """`doc_facts` for many (content hash, data, text) at once: the numpy work of the "tok64"
    fingerprints is shared by `group` documents at a time."""
    out: list[DocFacts | None] = [None] * len(items)
    pending: list[tuple[int, bytes]] = []
    nas = []
    for i, (chash, data, text) in enumerate(items):
        raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        na = non_ascii_chars(text)
        nas.append(na)
        if settings.hash == "tok64" and not (settings.auto_char and is_nospace_text(text, na)):
            pending.append((i, _tok64_buffer(text, raw, na)))
        else:
            fps, mode = text_fingerprints(text, settings, raw)
            out[i] = _facts(chash, text, mode, fps, na)
    for g in range(0, len(pending), group):
        chunk = pending[g:g + group]
        for (i, _), fps in zip(chunk, tok64_batch([b for _, b in chunk], settings.size)):
            chash, _, text = items[i]
            out[i] = _facts(chash, text, "word", fps, nas[i])
    return out  # type: ignore[return-value]
