"""MinHash signatures and LSH banding in numpy, compatible with datasketch without importing it.

`import datasketch` pulls scipy and costs about a second; a pre-commit hook cannot pay that.
This module reproduces datasketch's default MinHash (`scheme="affine32"`, datasketch >= 2.0):

* permutations: `gen = np.random.RandomState(seed)`;
  `a = gen.randint(0, 2**31, num_perm, dtype=uint32) * 2 + 1`;
  `b = gen.randint(0, 2**32, num_perm, dtype=uint32)`;
* each shingle's 32-bit hash (`sha1_hash32`: the first 4 bytes of SHA-1, little-endian: the
  low half of our 64-bit fingerprint) is pre-mixed with the 32-bit MurmurHash3 finalizer and
  permuted as `a * h + b mod 2**32`; the signature is the minimum per permutation.

So `signature(fps)` equals `datasketch.MinHash(num_perm, seed).update_batch(shingles)` value
for value (tests/test_corpus_minhash.py proves it), and an index can be shared with datasketch.

LSH banding: `b` bands of `r` rows. With the default `r = 2`, `b = 64` (num_perm 128) a pair
becomes a candidate with probability `1 - (1 - J**2)**64`: 0.99999999 at J = 0.5, 0.93 at
J = 0.2; the low `r` keeps contained articles (whose Jaccard is about size ratio) in reach.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from newslint.corpus.shingle import sorted_unique
from newslint.corpus.textfacts import (  # noqa: F401  (the MinHash constants live there, numpy-free)
    DEFAULT_NUM_PERM, DEFAULT_ROWS, DEFAULT_SEED, MINHASH_SCHEME as SCHEME, PERMUTATIONS_FILE,
)

_MAX32 = np.uint32(0xFFFFFFFF)
_LOW32 = np.uint64(0xFFFFFFFF)
# Signatures are computed in chunks of at most this many (shingle x permutation) cells.
_CHUNK_CELLS = 1 << 20


# The default (a, b), drawn once with draw_permutations(128, 1) and shipped: numpy.random's
# import costs every hook run ~12 ms (tests/test_corpus_minhash.py redraws and compares).
_DEFAULT_PERMUTATIONS = PERMUTATIONS_FILE


def draw_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) exactly as datasketch's MinHash(num_perm, seed, scheme='affine32') draws them."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


@lru_cache(maxsize=8)
def permutations(num_perm: int = DEFAULT_NUM_PERM, seed: int = DEFAULT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) exactly as datasketch's MinHash(num_perm, seed, scheme='affine32') draws them."""
    if (num_perm, seed) == (DEFAULT_NUM_PERM, DEFAULT_SEED):
        with open(_DEFAULT_PERMUTATIONS, "rb") as fh:
            ab = np.frombuffer(fh.read(), dtype="<u4").astype(np.uint32)
        a, b = ab[:num_perm], ab[num_perm:]
    else:
        a, b = draw_permutations(num_perm, seed)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (datasketch's pre-mix), element-wise on uint32."""
    h = h ^ (h >> np.uint32(16))
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def hash32(fps: np.ndarray) -> np.ndarray:
    """datasketch's sha1_hash32 of each shingle, from our 64-bit fingerprints."""
    return (fps & _LOW32).astype(np.uint32)


def signature(fps: np.ndarray, num_perm: int = DEFAULT_NUM_PERM, seed: int = DEFAULT_SEED) -> np.ndarray:
    """uint32[num_perm] MinHash of one set of fingerprints (all 0xFFFFFFFF when empty)."""
    a, b = permutations(num_perm, seed)
    out = np.full(num_perm, _MAX32, dtype=np.uint32)
    if fps.size == 0:
        return out
    hv = fmix32(hash32(fps))
    step = max(1, _CHUNK_CELLS // num_perm)
    for i in range(0, hv.size, step):
        phv = np.multiply.outer(a, hv[i:i + step])  # (num_perm, chunk): rows reduce contiguously
        phv += b[:, None]
        np.minimum(out, phv.min(axis=1), out=out)
    return out


def signatures(fp_list: list[np.ndarray], num_perm: int = DEFAULT_NUM_PERM, seed: int = DEFAULT_SEED,
               group: int = 16) -> np.ndarray:
    """(len(fp_list), num_perm) uint32 signatures, up to `group` documents per vectorised pass
    (fewer when their shingles exceed the cell budget): the permuted values of a group, laid
    out (num_perm, shingles), are reduced per document with `np.minimum.reduceat` (a group
    of 16 articles stays in cache; measured ~2x one-by-one)."""
    n = len(fp_list)
    a, b = permutations(num_perm, seed)
    out = np.full((n, num_perm), _MAX32, dtype=np.uint32)
    budget = _CHUNK_CELLS // num_perm  # shingles per pass, so the (num_perm, shingles) block stays small
    batch: list[int] = []
    total = 0
    for k in range(n + 1):
        size = fp_list[k].size if k < n else 0
        if batch and (k == n or len(batch) == group or total + size > budget):
            _sign_group(fp_list, batch, a, b, out)
            batch, total = [], 0
        if k == n or not size:
            continue
        if size > budget:  # a huge file: alone, in chunks
            out[k] = signature(fp_list[k], num_perm, seed)
            continue
        batch.append(k)
        total += size
    return out


def _sign_group(fp_list: list[np.ndarray], docs: list[int], a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """Signatures of a few documents in one vectorised pass (see `signatures`)."""
    sizes = np.array([fp_list[k].size for k in docs])
    hv = fmix32(hash32(np.concatenate([fp_list[k] for k in docs])))
    phv = np.multiply.outer(a, hv)
    phv += b[:, None]
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    out[docs] = np.minimum.reduceat(phv, starts, axis=1).T


def lsh_params(num_perm: int = DEFAULT_NUM_PERM, rows: int = DEFAULT_ROWS) -> tuple[int, int]:
    """(bands, rows) for a signature length."""
    rows = max(1, min(rows, num_perm))
    return num_perm // rows, rows


def band_keys(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, bands) uint64 keys: equal keys in a column mean equal band values (no false merges
    for rows <= 2, where the key is the band's raw 64 bits)."""
    sigs = np.ascontiguousarray(sigs[:, : bands * rows], dtype=np.uint32)
    n = sigs.shape[0]
    if rows == 2:  # a view, not a copy (512 MB at a million documents): callers only read keys
        return sigs.view(np.uint64).reshape(n, bands)
    if rows == 1:
        return sigs.astype(np.uint64)
    parts = sigs.reshape(n, bands, rows).astype(np.uint64)
    key = np.zeros((n, bands), dtype=np.uint64)
    for k in range(rows):  # a 64-bit polynomial mix; collisions only cost a verification
        key = key * np.uint64(0x9E3779B97F4A7C15) + parts[:, :, k] + np.uint64(k + 1)
        key ^= key >> np.uint64(29)
    return key


def band_bytes(sig: np.ndarray, bands: int, rows: int) -> list[bytes]:
    """datasketch MinHashLSH's bucket keys for one signature: each band's values, big-endian."""
    be = np.ascontiguousarray(sig[: bands * rows], dtype=">u4").tobytes()
    w = 4 * rows
    return [be[i * w:(i + 1) * w] for i in range(bands)]


def candidate_pairs(keys: np.ndarray) -> np.ndarray:
    """All pairs (i < j) of rows sharing a key in any column: (m, 2) int64, unique, sorted."""
    n, bands = keys.shape
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    chunks = []
    for col in range(bands):
        # one band's keys copied out first: `keys` is a view of the signatures, so a column is
        # strided by a whole signature (512 bytes), and gathering it in sorted order touched a
        # cache line and a page for each key; a million documents' pairs took 4.2 s, 3.1 s
        # with the copy (0.22 -> 0.17 s at 100,000: the part that grew with the cache misses)
        k = np.ascontiguousarray(keys[:, col])
        # ties in any order (a group's members are sorted below): numpy's default sort is
        # 3.5x faster than the stable one on a million 64-bit keys (98 -> 28 ms, 64 bands)
        order = np.argsort(k)
        ks = k[order]
        same = ks[1:] == ks[:-1]
        if not same.any():
            continue
        # runs of equal keys: [start, end)
        edges = np.flatnonzero(np.diff(np.concatenate(([False], same, [False])).astype(np.int8)))
        starts, ends = edges[0::2], edges[1::2] + 1
        sizes = ends - starts
        two = sizes == 2
        if two.any():
            s = starts[two]
            chunks.append(np.stack([order[s], order[s + 1]], axis=1))
        for s, e in zip(starts[~two], ends[~two]):
            members = np.sort(order[s:e])
            ii, jj = np.triu_indices(members.size, k=1)
            chunks.append(np.stack([members[ii], members[jj]], axis=1))
    if not chunks:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(chunks)
    pairs.sort(axis=1)
    packed = sorted_unique(pairs[:, 0] * np.int64(n) + pairs[:, 1])
    return np.stack([packed // n, packed % n], axis=1)


def query_candidates(query_sig: np.ndarray, corpus_keys: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Indexes of corpus rows sharing at least one band with `query_sig`."""
    q = band_keys(query_sig.reshape(1, -1), bands, rows)[0]
    return np.flatnonzero((corpus_keys == q).any(axis=1))
