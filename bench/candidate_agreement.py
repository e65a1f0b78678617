"""Where the LSH candidate pairs of a full check come from: for every candidate pair (the same
bands and keys as `newslint check`), how many of the two MinHash signatures' positions agree,
and whether exact verification makes it an edge (NL401 / NL402 / NL403).

Usage (the index a check left behind; target 4 of bench/RESULTS.md used the 100,000- and
1,000,000-file generated corpora):

    newslint check --select NL401,NL402,NL403,NL202 --cache-dir C .
    python bench/candidate_agreement.py C/corpus-v1.sqlite3

Prints the agreement histogram and, for each floor k, the pairs a filter "at least k
positions agree" would drop and the edges it would lose; then what the signature screen the
check applies (`verify.could_pass`, index schema 3: nshingles counts distinct shingles) sets
aside and loses, and how far each pair's agreement lies above the floor its exact Jaccard
gives (the binomial model the screen rests on: a pair below it would be evidence against
the model). Reads the index only.
"""

from __future__ import annotations

import argparse
import collections
import sqlite3

import numpy as np

from newslint.corpus import minhash as mh
from newslint.corpus.model import CorpusOptions, classify
from newslint.corpus.shingle import verification_set
from newslint.corpus.verify import _agreement_floors, could_pass, similarity


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("index", help="corpus-v1.sqlite3 of a check's cache folder")
    ap.add_argument("--max-floor", type=int, default=11)
    args = ap.parse_args(argv)
    db = sqlite3.connect(f"file:{args.index}?mode=ro", uri=True)
    rows = db.execute("SELECT rowid, normhash, sig, nshingles FROM docs WHERE nshingles > 0").fetchall()
    o = CorpusOptions()
    bands, r = mh.lsh_params(o.num_perm, o.rows)
    sigs = np.frombuffer(b"".join(bytes(x[2]) for x in rows), dtype="<u4").reshape(len(rows), -1)
    pairs = mh.candidate_pairs(mh.band_keys(sigs, bands, r))
    agree = (sigs[pairs[:, 0]] == sigs[pairs[:, 1]]).sum(axis=1)
    print(f"documents {len(rows):,}, candidate pairs {len(pairs):,}")
    print("pairs by agreeing positions (0, 1, 2, ...):", np.bincount(agree).tolist())

    shingles = {}
    for i in sorted(set(pairs.ravel().tolist())):  # rowid order: the file read front to back
        blob = db.execute("SELECT shingles FROM docs WHERE rowid = ?", (rows[i][0],)).fetchone()[0]
        shingles[i] = verification_set(np.frombuffer(blob, dtype="<u4"))
    sizes = np.array([x[3] for x in rows], dtype=np.int64)
    keep = could_pass(agree, sizes[pairs[:, 0]], sizes[pairs[:, 1]], o.num_perm, o.threshold, o.containment,
                      o.min_contained_shingles)
    floors = _agreement_floors(o.num_perm)
    margins, zs = [], []
    screen_lost: collections.Counter = collections.Counter()
    edges: collections.Counter = collections.Counter()
    dropped: collections.Counter = collections.Counter()
    lost: collections.Counter = collections.Counter()
    for (a, b), k, kept in zip(pairs.tolist(), agree.tolist(), keep.tolist()):
        if rows[a][1] == rows[b][1]:
            code = "NL401"
        else:
            sa, sb = shingles[a], shingles[b]
            jac, cab, cba = similarity(sa, sb)
            code = classify(jac, cab, cba, sa.size, sb.size, o)
            floor = int(floors[int(jac * (floors.size - 1))])
            if floor and jac < 1:  # floor 0 tests nothing; equal sets agree everywhere
                margins.append(k - floor)
            if 0 < jac < 1:
                zs.append((k - o.num_perm * jac) / (o.num_perm * jac * (1 - jac)) ** 0.5)
        if code:
            edges[code] += 1
            if not kept and code != "NL401":  # equal normal forms are paired whatever the screen says
                screen_lost[code] += 1
        for floor in range(k + 1, args.max_floor + 1):  # every floor above k drops this pair
            dropped[floor] += 1
            if code:
                lost[floor, code] += 1
    print("edges:", dict(sorted(edges.items())))
    for floor in range(3, args.max_floor + 1):
        gone = {c: lost[floor, c] for c in ("NL401", "NL402", "NL403") if lost[floor, c]}
        print(f"at least {floor} agree: drops {dropped[floor]:,} pairs ({dropped[floor] / max(len(pairs), 1):.0%}), "
              f"leaves {len(pairs) - dropped[floor]:,}; edges lost: {gone or 'none'}")
    n_out = int(len(pairs) - np.count_nonzero(keep))
    print(f"the screen (verify.could_pass): sets aside {n_out:,} pairs ({n_out / max(len(pairs), 1):.0%}), "
          f"leaves {len(pairs) - n_out:,}; edges lost: {dict(screen_lost) or 'none'}")
    if margins:
        m = np.array(margins)
        print(f"agreement minus the floor of the pair's exact Jaccard, over the {m.size:,} pairs with a floor: "
              f"min {m.min()}, 1st percentile {np.percentile(m, 1):.0f}, median {np.median(m):.0f} "
              "(below 0: against the model)")
    if zs:
        z = np.array(zs)
        print(f"agreement in standard deviations from 128 x Jaccard (binomial), over {z.size:,} pairs: "
              f"min {z.min():.2f}, 1st percentile {np.percentile(z, 1):.2f}, median {np.median(z):.2f}, "
              f"max {z.max():.2f} (the screen's floor lies ~7 below)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
