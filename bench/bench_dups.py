"""Cross-file duplicate search: newslint's corpus pass vs the plain datasketch pipeline.

Both run in the same invocation, each in a fresh Python process (imports included: that is
what a user waits for), over the same files, with the same similarity (Jaccard of word
5-gram shingles of lower-cased `\\w+` tokens) and the same threshold:

* **newslint check**: the command a user runs, end to end (file discovery, the corpus pass,
  the JSON report): `newslint check --select NL401,NL402,NL403,NL202 --no-cache
  --output-format json ROOT`, so no index on disk and every file read, shingled and signed,
  all four corpus rules; the pairs are read back from the report's `related` lists.
* **newslint sha1**: the corpus pass alone (`newslint.corpus.analyze`, same options) with
  `duplicates.hash = "sha1"`, the scheme whose signatures equal datasketch's defaults
  (for a team sharing an index with datasketch code).
* **datasketch**: what a user writes from its docs: read and shingle every file into a set,
  `MinHash.bulk`, a `MinHashLSH(threshold)` filled in an `insertion_session`, `query` for
  every document, and exact Jaccard on the shingle sets to verify each candidate.

Corpora: `../shared/corpora/bbc/articles` (2,225 real articles; truth =
`pairs_jaccard_ge_0.5.csv`), and a generated corpus built deterministically from the BBC
text: documents of BBC-like length drawn from a word-bigram model of the BBC articles, a few
recurring boilerplate lines, and 5% planted near-duplicates (a copy of an earlier document
with a new headline and a varying share of words replaced); truth = the planted pairs whose
exact Jaccard meets the threshold.

    python bench/bench_dups.py                       # BBC + 100,000 generated, 3 runs each
    python bench/bench_dups.py --sizes 10000 --runs 3
    python bench/bench_dups.py --sizes 0             # BBC only

Prints per-run times, medians, the ratio datasketch/newslint and each side's recall.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # bench/peers.py
SHARED = HERE.parents[1] / "shared"
BBC = SHARED / "corpora" / "bbc"
WORD = re.compile(r"\w+")

CHUNK = 100_000  # base documents per step of the generator
SIDES = ("newslint check", "newslint sha1", "datasketch")  # datasketch last: the peer
BOILERPLATE = [
    "Follow our live coverage on the BBC News website.",
    "Reporting by Staff Reporters; editing by the Newsdesk.",
    "Copyright 2005 Associated Press. All rights reserved.",
    "This story was corrected to fix the spelling of a name.",
]


# -- the generated corpus ---------------------------------------------------------------------

def bbc_texts() -> list[str]:
    out = []
    for p in sorted((BBC / "articles").glob("*/*.txt")):
        try:
            out.append(p.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            pass
    return out


def generate(n: int, dest: Path, seed: int = 20240601, dup_share: float = 0.05) -> Path:
    """Write `n` documents under `dest` (1,000 per folder) and `planted.csv`; reuse if present."""
    import numpy as np

    done = dest / "DONE"
    if done.exists():
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    texts = bbc_texts()
    rng = np.random.default_rng(seed)
    prng = random.Random(seed)
    # word-bigram model: successors of every word id, flattened
    vocab: dict[str, int] = {}
    seqs = []
    for t in texts:
        body = t.split("\n", 1)[-1]
        ids = [vocab.setdefault(w, len(vocab)) for w in re.findall(r"[A-Za-z0-9£$%'-]+|[.,]", body)]
        seqs.append(ids)
    words = np.array(sorted(vocab, key=vocab.get), dtype=object)
    nv = len(words)
    a = np.concatenate([np.array(s[:-1]) for s in seqs if len(s) > 1])
    b = np.concatenate([np.array(s[1:]) for s in seqs if len(s) > 1])
    order = np.argsort(a, kind="stable")
    succ = b[order]
    counts = np.bincount(a, minlength=nv)
    offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
    starts = np.array([s[0] for s in seqs if s])
    lengths = np.array([len(WORD.findall(t)) for t in texts])

    n_dup = int(n * dup_share)
    n_base = n - n_dup

    def render(ids) -> tuple[str, list[str]]:
        toks = list(words[ids])
        head = " ".join(t for t in toks[:8] if t not in ".,").capitalize()
        paras, cur = [], []
        for t in toks[8:]:
            cur.append(t)
            if t == "." and len(cur) > 40:
                paras.append(cur)
                cur = []
        if cur:
            paras.append(cur)
        lines = [re.sub(r" ([.,])", r"\1", " ".join(p)) for p in paras]
        return head, lines

    docs: list[str] = []
    # The word walk runs in chunks of CHUNK documents so 1,000,000 files fit in memory (one
    # matrix of every token would be ~30 GB); up to CHUNK base documents the random stream,
    # and so the corpus, is the one the earlier single-matrix generator wrote.
    for first in range(0, n_base, CHUNK):
        m = min(CHUNK, n_base - first)
        doc_len = rng.choice(lengths, size=m)
        max_len = int(doc_len.max())
        state = rng.choice(starts, size=m)
        out = np.empty((m, max_len), dtype=np.int32)
        for step in range(max_len):
            out[:, step] = state
            c = counts[state]
            dead = c == 0
            idx = offsets[state] + (rng.random(m) * np.maximum(c, 1)).astype(np.int64) % np.maximum(c, 1)
            idx[dead] = 0
            nxt = succ[idx]
            if dead.any():
                nxt[dead] = rng.choice(starts, size=int(dead.sum()))
            state = nxt
        for i in range(m):
            head, lines = render(out[i, : doc_len[i]])
            if prng.random() < 0.03:
                lines.append(prng.choice(BOILERPLATE))
            docs.append(head + "\n\n" + "\n\n".join(lines) + "\n")
        del out
    # planted near-duplicates: a new headline and a share of the words replaced
    planted = []
    for k in range(n_dup):
        src = prng.randrange(n_base)
        text = docs[src]
        head, body = text.split("\n\n", 1)
        toks = body.split(" ")
        rate = prng.choice([0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.08])
        for _ in range(int(len(toks) * rate)):
            toks[prng.randrange(len(toks))] = str(words[prng.randrange(nv)])
        new_head = "UPDATED: " + head if prng.random() < 0.5 else head.upper()
        docs.append(new_head + "\n\n" + " ".join(toks))
        planted.append((src, n_base + k))
    perm = list(range(n))
    prng.shuffle(perm)  # duplicates are not all at the end
    name = {}
    for new_pos, old in enumerate(perm):
        name[old] = f"{new_pos // 1000:04d}/{new_pos:07d}.txt"
    for old in range(n):
        p = dest / name[old]
        p.parent.mkdir(exist_ok=True)
        p.write_text(docs[old], encoding="utf-8")
    with open(dest / "planted.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["a", "b"])
        for s, d in planted:
            w.writerow(sorted((name[s], name[d])))
    done.write_text("ok\n")
    return dest


# -- truth ---------------------------------------------------------------------------------

def shingle_set(text: str) -> set[str]:
    toks = WORD.findall(text.lower())
    if len(toks) < 5:
        return {" ".join(toks)} if toks else set()
    return {" ".join(toks[i:i + 5]) for i in range(len(toks) - 4)}


def truth_pairs(root: Path, threshold: float) -> dict[tuple[str, str], float]:
    if (root / "planted.csv").exists():
        out = {}
        with open(root / "planted.csv") as fh:
            for row in csv.DictReader(fh):
                a = shingle_set((root / row["a"]).read_text(encoding="utf-8"))
                b = shingle_set((root / row["b"]).read_text(encoding="utf-8"))
                j = len(a & b) / len(a | b)
                if j >= threshold:
                    out[(row["a"], row["b"])] = j
        return out
    with open(BBC / "pairs_jaccard_ge_0.5.csv") as fh:
        return {tuple(sorted((r["a"], r["b"]))): float(r["jaccard_word5"]) for r in csv.DictReader(fh)
                if float(r["jaccard_word5"]) >= threshold}


# -- the two pipelines (each run in its own process) ----------------------------------------

def newslint_check_command(root: str, threshold: float, jobs: int | None, report: str) -> list[str]:
    """newslint as a user has it: the wheel installed into its own venv (bench/peers.py), so
    its modules are byte-compiled (this workplace sets PYTHONDONTWRITEBYTECODE=1, which
    would make an editable checkout recompile every module at every start)."""
    from peers import newslint_command

    cmd = newslint_command() + ["check", "--select", "NL401,NL402,NL403,NL202", "--no-cache",
                                "--config", f"duplicates.threshold = {threshold}", "--output-format", "json",
                                "-o", report, "."]
    return cmd + (["--jobs", str(jobs)] if jobs else [])


def pairs_of_report(report: str) -> dict:
    """NL401/NL402 pairs (normalised names) with their similarity, from a JSON report."""
    with open(report) as fh:
        diags = json.load(fh)
    pairs = {}
    for d in diags:
        if d["code"] not in ("NL401", "NL402"):
            continue
        me = os.path.normpath(d["filename"])
        for rel in d["related"]:
            other = os.path.normpath(rel["filename"])
            if other != me:
                pairs[tuple(sorted((me, other)))] = rel.get("similarity", 1.0)
    return {"pairs": [[a, b, j] for (a, b), j in pairs.items()]}


def run_newslint(root: str, threshold: float, jobs: int | None, hash_: str = "sha1") -> dict:
    from newslint.corpus import CorpusOptions, analyze

    opts = CorpusOptions(threshold=threshold, use_cache=False, use_git=False, cwd=root, jobs=jobs, hash=hash_)
    res = analyze(None, None, opts)  # every file of the corpus is checked
    pairs = {tuple(sorted((e.a, e.b))): e.jaccard for e in res.edges if e.code in ("NL401", "NL402")}
    return {"pairs": [[a, b, j] for (a, b), j in pairs.items()], "stats": res.stats.__dict__}


def run_datasketch(root: str, threshold: float, num_perm: int = 128) -> dict:
    from datasketch import MinHash, MinHashLSH

    names, sets = [], []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for f in sorted(files):
            if not f.endswith(".txt"):
                continue
            path = os.path.join(folder, f)
            try:
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
            except UnicodeDecodeError:
                continue
            sh = shingle_set(text)
            if sh:
                names.append(os.path.relpath(path, root))
                sets.append(sh)
    minhashes = MinHash.bulk([[s.encode("utf-8") for s in sh] for sh in sets], num_perm=num_perm)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    with lsh.insertion_session() as session:
        for i, m in enumerate(minhashes):
            session.insert(i, m)
    pairs = {}
    for i, m in enumerate(minhashes):
        for j in lsh.query(m):
            if j <= i:
                continue
            a, b = sets[i], sets[j]
            inter = len(a & b)
            jac = inter / (len(a) + len(b) - inter)
            if jac >= threshold:
                pairs[tuple(sorted((names[i], names[j])))] = jac
    return {"pairs": [[a, b, j] for (a, b), j in pairs.items()], "stats": {"b": lsh.b, "r": lsh.r}}


def worker(args) -> None:
    t0 = time.perf_counter()
    if args.worker == "newslint sha1":
        out = run_newslint(args.root, args.threshold, args.jobs, "sha1")
    else:
        out = run_datasketch(args.root, args.threshold)
    out["seconds_in_process"] = time.perf_counter() - t0
    with open(args.out, "w") as fh:
        json.dump(out, fh)


def timed(which: str, root: Path, threshold: float, jobs: int | None) -> tuple[float, dict]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = fh.name
    if which == "newslint check":
        cmd = newslint_check_command(str(root), threshold, jobs, out)
    else:
        # the SHA-1 side runs on the same installed newslint; datasketch on this interpreter
        from peers import NEWSLINT_VENV, newslint_command

        python = str(NEWSLINT_VENV / "bin" / "python") if which.startswith("newslint") and newslint_command() \
            else sys.executable
        cmd = [python, str(Path(__file__).resolve()), "--worker", which, "--root", str(root),
               "--threshold", str(threshold), "--out", out]
        if jobs:
            cmd += ["--jobs", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=root)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: findings (the planted duplicates)
        raise SystemExit(f"{which} failed with exit status {done.returncode}: {' '.join(cmd)}")
    if which == "newslint check":
        data = pairs_of_report(out)
        data["seconds_in_process"] = wall
    else:
        with open(out) as fh:
            data = json.load(fh)
    os.unlink(out)
    data["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    data["max_rss_mib"] = after.ru_maxrss / 1024  # the largest child so far (kB on Linux)
    return wall, data


def compare(label: str, root: Path, threshold: float, runs: int, jobs: int | None) -> dict:
    truth = truth_pairs(root, threshold)
    for p in root.rglob("*.txt"):  # warm the page cache for both sides alike
        p.read_bytes()
    times: dict[str, list[float]] = {s: [] for s in SIDES}
    cpus: dict[str, list[float]] = {s: [] for s in SIDES}
    found = {}
    for r in range(runs):
        for which in (SIDES if r % 2 == 0 else SIDES[::-1]):  # alternate the order run by run
            wall, data = timed(which, root, threshold, jobs)
            times[which].append(wall)
            cpus[which].append(data["cpu_s"])
            found[which] = data
            print(f"  {label} run {r + 1} {which:15s} wall {wall:8.2f} s  cpu {data['cpu_s']:8.2f} s  "
                  f"(in-process {data['seconds_in_process']:.2f} s)", flush=True)
    row = {"corpus": label, "threshold": threshold, "truth_pairs": len(truth)}
    for which in SIDES:
        pairs = {tuple(p[:2]): p[2] for p in found[which]["pairs"]}
        hit = sum(1 for k in truth if k in pairs)
        below = sum(1 for j in pairs.values() if j < threshold)
        row[which] = {
            "median_s": statistics.median(times[which]), "runs_s": [round(t, 3) for t in times[which]],
            "median_cpu_s": statistics.median(cpus[which]),
            "recall": hit / len(truth) if truth else 1.0, "reported": len(pairs), "below_threshold": below,
        }
    for which in SIDES[:-1]:
        row[which]["ratio"] = row["datasketch"]["median_s"] / row[which]["median_s"]
        row[which]["cpu_ratio"] = row["datasketch"]["median_cpu_s"] / row[which]["median_cpu_s"]
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[100_000],
                    help="generated corpus sizes (0 or none: BBC only)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--jobs", type=int, default=None, help="newslint worker processes (default: all cores)")
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "newslint-bench"),
                    help="where generated corpora are written (reused across runs)")
    ap.add_argument("--no-bbc", action="store_true")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--worker", choices=SIDES, help=argparse.SUPPRESS)
    ap.add_argument("--root", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args)
    if not BBC.exists():
        sys.exit(f"needs {BBC} (the shared corpora)")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}")
    rows = []
    if not args.no_bbc:
        rows.append(compare("bbc", BBC / "articles", args.threshold, args.runs, args.jobs))
    for n in [s for s in args.sizes if s > 0]:
        t0 = time.perf_counter()
        root = generate(n, Path(args.cache) / f"gen-{n}")
        print(f"  generated corpus of {n:,} documents at {root} ({time.perf_counter() - t0:.1f} s)", flush=True)
        rows.append(compare(f"generated-{n}", root, args.threshold, args.runs, args.jobs))
    print()
    print("medians over the runs; ratio = datasketch time / newslint time (wall, and CPU summed over processes)")
    print(f"{'corpus':18s} {'side':15s} {'wall s':>8s} {'cpu s':>8s} {'ratio':>6s} {'cpu ratio':>9s} "
          f"{'recall':>7s} {'truth':>6s} {'reported':>8s} {'<thr':>5s}")
    for r in rows:
        for which in SIDES:
            x = r[which]
            ratio = f"{x['ratio']:6.2f}" if "ratio" in x else "     -"
            cratio = f"{x['cpu_ratio']:9.2f}" if "cpu_ratio" in x else "        -"
            print(f"{r['corpus']:18s} {which:15s} {x['median_s']:8.2f} {x['median_cpu_s']:8.2f} {ratio} {cratio} "
                  f"{x['recall']:7.4f} {r['truth_pairs']:6d} {x['reported']:8d} {x['below_threshold']:5d}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=2)


if __name__ == "__main__":
    main()
