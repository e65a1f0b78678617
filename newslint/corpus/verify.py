"""Exact set figures on sorted unique fingerprint arrays, the signature screen that spares
verification the pairs that cannot pass it, and union-find clusters."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

# The screen's bound on dropping a pair that exact verification would pass: at most this
# probability per pair under the binomial model of MinHash agreement (a pair of Jaccard J
# agrees on each of the k positions with probability J).
SCREEN_MISS = 1e-12
# ... taken at this share of the lowest Jaccard that could pass: on the million-file benchmark
# corpus the lower tail of agreement measured heavier than binomial (one pair of 147,084 at 6.2
# standard deviations below its mean, where 1e-7 is expected), so the floor sits lower than the
# model alone would put it (a 0.8 pair: 12 standard deviations below its mean, not 7)
SCREEN_SLACK = 0.75


def intersection_size(a: np.ndarray, b: np.ndarray) -> int:
    """|a & b| for sorted unique arrays."""
    if a.size == 0 or b.size == 0:
        return 0
    if a.size > b.size:
        a, b = b, a
    pos = np.searchsorted(b, a)
    pos[pos == b.size] = 0
    return int(np.count_nonzero(b[pos] == a))


def similarity(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """(Jaccard, containment of a in b, containment of b in a)."""
    inter = intersection_size(a, b)
    union = a.size + b.size - inter
    return (
        inter / union if union else 0.0,
        inter / a.size if a.size else 0.0,
        inter / b.size if b.size else 0.0,
    )


@lru_cache(maxsize=4)
def _agreement_floors(num_perm: int, steps: int = 1024) -> np.ndarray:
    """floors[q]: the fewest agreeing signature positions a pair of Jaccard q / steps shows
    except with probability <= SCREEN_MISS (the lower tail of Binomial(num_perm, J))."""
    k = num_perm
    t = np.arange(k + 1)
    log_comb = np.array([math.lgamma(k + 1) - math.lgamma(i + 1) - math.lgamma(k - i + 1) for i in range(k + 1)])
    floors = np.zeros(steps + 1, dtype=np.int64)
    for q in range(1, steps + 1):
        j = q / steps
        if j >= 1.0:
            floors[q] = k  # identical sets agree everywhere
            continue
        cdf = np.cumsum(np.exp(log_comb + t * math.log(j) + (k - t) * math.log1p(-j)))
        # agreeing on fewer than floors[q] positions has probability <= SCREEN_MISS
        floors[q] = int(np.searchsorted(cdf, SCREEN_MISS, side="right"))
    return floors


def could_pass(agree: np.ndarray, size_a: np.ndarray, size_b: np.ndarray, num_perm: int, threshold: float,
               containment: float, min_contained: int) -> np.ndarray:
    """For candidate pairs with `agree` equal positions of their `num_perm` MinHash values and
    `size_a`, `size_b` distinct shingles: False where the pair can be set aside unverified,
    because no Jaccard it could have and still pass (NL402: >= threshold; NL403: the smaller
    set's containment >= `containment`, which means Jaccard >= c·s / (s + l - c·s) for sizes
    s <= l) would show so few agreeing positions, even at SCREEN_SLACK times that Jaccard,
    except with probability <= SCREEN_MISS.

    Random LSH band collisions between unrelated articles grow with the square of the corpus
    (two agreeing positions: the one shared band); this keeps their exact verification, and
    the reading back of their shingle sets, linear."""
    small = np.minimum(size_a, size_b).astype(np.float64)
    large = np.maximum(size_a, size_b).astype(np.float64)
    lowest = np.full(small.shape, float(threshold))
    may_contain = small >= min_contained
    c = float(containment)
    with np.errstate(divide="ignore", invalid="ignore"):
        j403 = c * small / (small + large - c * small)
    lowest[may_contain] = np.minimum(lowest[may_contain], j403[may_contain])
    lowest *= SCREEN_SLACK
    floors = _agreement_floors(num_perm)
    steps = floors.size - 1
    # rounded down to the table's step: a lower Jaccard, a lower floor, never a stricter screen
    q = np.clip(np.floor(np.nan_to_num(lowest, nan=0.0) * steps), 0, steps).astype(np.int64)
    return agree >= floors[q]


class UnionFind:
    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def union(self, x, y) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            if ry < rx:
                rx, ry = ry, rx
            self.parent[ry] = rx

    def groups(self) -> list[list]:
        out: dict = {}
        for x in self.parent:
            out.setdefault(self.find(x), []).append(x)
        return [sorted(g) for g in out.values()]
