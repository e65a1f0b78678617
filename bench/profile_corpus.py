"""Where a whole-corpus check spends its time: the profile behind issue 6's target 3.

    python bench/profile_corpus.py --size 100000     # generated corpus (bench/out/gen-100000)
    python bench/profile_corpus.py --size 0          # the BBC corpus

Target 3 asks `newslint check --no-cache` (every rule) to run >= 5x faster than the plain
datasketch pipeline. This prints, for one corpus, what the run costs and where, so the gap
can be read as a CPU budget:

1. the check as a process (the installed wheel, as `perf.py corpus` runs it): all rules,
   in-file rules only, cross-file rules only, and all rules with `-j 1`; wall and CPU each;
2. the peer (`bench_dups.run_datasketch`, in-process), unless `--peer-seconds` gives it;
3. the in-file rules per rule, ms of process CPU a file, over a sample of the corpus, in this
   process from the checkout (the document structure counted apart, before the rules);
4. the cross-file pass's per-document work (decode, line facts, shingles, signature);
5. how much two busy processes get out of this machine: the in-file loop over the sample,
   alone and as two processes at once (CPU per file in each, and the wall time of both);
6. the budget: the wall time 5x needs, and the CPU that means at the measured parallelism.

No figure here is a test; run by hand, results go to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # the in-process parts profile the checkout

import perf  # noqa: E402
from peers import newslint_command  # noqa: E402

CROSS_FILE = "NL401,NL402,NL403,NL202"


def process_runs(root: Path, repeat: int) -> dict[str, tuple[float, float]]:
    """(median wall, median CPU) of the check as a process, per variant."""
    base = newslint_command() + ["check", "--no-cache", "--exit-zero", "-q", "--output-format", "json"]
    variants = {"all rules": [], "in-file rules only": ["--ignore", CROSS_FILE],
                "cross-file rules only": ["--select", CROSS_FILE], "all rules, -j 1": ["-j", "1"]}
    out = {}
    for name, extra in variants.items():
        walls = perf.timed(base + extra + [str(root)], repeat, label=name)
        out[name] = (statistics.median(walls), statistics.median(perf.CPU[name]))
    return out


def _sample(root: Path, n: int):
    from newslint.source import SourceError, read_source

    paths = sorted(str(p) for p in root.rglob("*.txt"))
    step = max(1, len(paths) // n)
    out = []
    for p in paths[::step][:n]:  # spread over the corpus, not its first folder
        try:
            out.append(read_source(p, "utf-8"))
        except SourceError:
            pass
    return out


def _linter(path: str):
    from newslint.runner import CheckOptions, Runner

    runner = Runner(CheckOptions(), {}, None, 1)
    linter, _ = runner.factory.get(runner.resolver.for_path(path))
    return linter


def per_rule(sources) -> dict[str, float]:
    """ms of process CPU a file per rule (the structure a rule builds first counted apart)."""
    from newslint.document import Document
    from newslint.suppress import apply_suppressions

    linter = _linter(sources[0].path)
    for s in sources[:50]:  # warm: joined line patterns, lazy imports, memo tables
        linter.lint(Document(s))
    clock = time.process_time
    tot: dict[str, float] = defaultdict(float)
    for s in sources:
        t0 = clock()
        doc = Document(s)
        _ = doc.lines
        t1 = clock()
        _ = doc.blocks, doc.paragraphs, doc.segments
        tot["document: lines"] += t1 - t0
        tot["document: blocks, paragraphs, segments"] += clock() - t1
        found = []
        for rule in linter.rules:
            t = clock()
            found.extend(rule.check(doc, linter.ctx))
            tot[rule.code] += clock() - t
        t = clock()
        apply_suppressions(doc, found, linter.report_unused)
        tot["suppressions"] += clock() - t
    return {k: v / len(sources) * 1000 for k, v in sorted(tot.items(), key=lambda kv: -kv[1])}


def cross_file_parts(sources) -> dict[str, float]:
    """ms of process CPU a document for the corpus pass's per-document work."""
    from newslint.corpus import minhash as mh
    from newslint.corpus.model import decode_text
    from newslint.corpus.shingle import DEFAULT_SHINGLES, line_facts, tok64_batch
    from newslint.corpus.textfacts import _tok64_buffer, content_hash

    data = [s.text.encode("utf-8") for s in sources]
    clock = time.process_time
    parts = {}
    t = clock()
    for d in data:
        content_hash(d)
    parts["content hash"] = clock() - t
    t = clock()
    texts = [decode_text(d) for d in data]
    parts["decode"] = clock() - t
    t = clock()
    for text in texts:
        line_facts(text)
    parts["line facts (NL202, NL401, headline)"] = clock() - t
    t = clock()
    bufs = [_tok64_buffer(text, d) for text, d in zip(texts, data)]
    parts["word tokens (lower-cased bytes)"] = clock() - t
    t = clock()
    fps = []
    for g in range(0, len(bufs), 32):  # as `shingle.batch_facts` groups them
        fps += tok64_batch(bufs[g:g + 32], DEFAULT_SHINGLES.size)
    parts["word 5-shingle hashes (tok64)"] = clock() - t
    t = clock()
    mh.signatures(fps)  # the defaults a check uses
    parts["MinHash signatures (128)"] = clock() - t
    return {k: v / len(sources) * 1000 for k, v in parts.items()}


def _lint_loop(sources, linter) -> float:
    from newslint.document import Document

    t = time.process_time()
    for s in sources:
        linter.lint(Document(s))
    return time.process_time() - t


def two_at_once(sources) -> dict[str, float]:
    """The in-file loop alone, then as two forked processes at once: CPU ms a file in each,
    and the wall time of the pair against the one alone (1.0 = two cores' worth)."""
    linter = _linter(sources[0].path)
    _lint_loop(sources[:50], linter)
    alone_wall = time.perf_counter()
    alone = _lint_loop(sources, linter)
    alone_wall = time.perf_counter() - alone_wall
    t = time.perf_counter()
    pipes = []
    for _ in range(2):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: the same loop, its CPU time back through the pipe
            os.close(r)
            os.write(w, repr(_lint_loop(sources, linter)).encode())
            os._exit(0)
        os.close(w)
        pipes.append((pid, r))
    each = []
    for pid, r in pipes:
        with os.fdopen(r) as fh:
            each.append(float(fh.read()))
        os.waitpid(pid, 0)
    pair_wall = time.perf_counter() - t
    n = len(sources)
    return {"alone: CPU ms a file": alone / n * 1000,
            "two at once: CPU ms a file in each": statistics.mean(each) / n * 1000,
            "two at once: throughput vs one (2.0 = two whole cores)": 2 * alone_wall / pair_wall}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=100000, help="generated corpus size (0 = BBC)")
    ap.add_argument("--sample", type=int, default=3000,
                    help="files profiled in-process (default 3000; the two-process figure needs seconds of work)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each process variant (medians)")
    ap.add_argument("--peer-seconds", type=float, help="the datasketch pipeline's time, if measured already")
    args = ap.parse_args(argv)
    root, label = perf.corpus_root(args.size)
    for p in root.rglob("*.txt"):  # a warm page cache, as target 3 measures
        p.read_bytes()
    out = [f"## Target 3 profile: {label}", "",
           f"Machine: {perf.machine()}; load average at start {os.getloadavg()[0]:.2f}.", ""]

    runs = process_runs(root, args.repeat)
    out += ["| `newslint check --no-cache` | wall | CPU (user+sys) | cores busy |", "|---|---:|---:|---:|"]
    out += [f"| {k} | {w:.1f} s | {c:.1f} s | {c / w:.2f} |" for k, (w, c) in runs.items()]
    if args.peer_seconds:
        peer, how = args.peer_seconds, "given with --peer-seconds"
    else:
        import bench_dups

        t = time.perf_counter()
        bench_dups.run_datasketch(str(root), 0.8)
        peer, how = time.perf_counter() - t, "measured in this run, in-process, its import not counted"
    ratio = peer / runs["all rules"][0]
    out += ["", f"datasketch pipeline: {peer:.1f} s ({how}); ratio now **{ratio:.2f}x**.", ""]

    sources = _sample(root, args.sample)
    rules = per_rule(sources)
    out += [f"In-file rules, CPU ms a file over {len(sources):,} files of the corpus (one process, warm):", "",
            "| part | ms a file |", "|---|---:|"]
    out += [f"| {k} | {v:.3f} |" for k, v in rules.items()] + [f"| **total** | **{sum(rules.values()):.3f}** |", ""]
    parts = cross_file_parts(sources)
    out += ["Cross-file pass, per-document work (one process):", "", "| part | ms a document |", "|---|---:|"]
    out += [f"| {k} | {v:.3f} |" for k, v in parts.items()] + [f"| **total** | **{sum(parts.values()):.3f}** |", ""]
    pair = two_at_once(sources)
    out += ["Two busy processes on this machine (the in-file loop over the sample):", ""]
    out += [f"- {k}: {v:.3f}" for k, v in pair.items()] + [""]

    goal = peer / 5
    wall, cpu = runs["all rules"]
    cores = cpu / wall
    out += [(f"Budget: 5x means the whole check in <= {goal:.1f} s. At the {cores:.2f} cores this run kept "
             f"busy that is <= {goal * cores:.1f} s of CPU, against {cpu:.1f} s now: the run's CPU would have "
             f"to fall by {max(0.0, 1 - goal * cores / cpu):.0%}."), ""]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
