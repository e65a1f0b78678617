"""Performance benchmarks for issue 6. Each target runs newslint and a named peer in the
same run, repeats, and prints medians and ratios. Run by hand; --write puts the output
into bench/RESULTS.md between its `perf.py --write` markers (the rest of the file is kept).
No test asserts any of these timings.

    python bench/perf.py hook            # target 1: one 3 KB article, in-file rules
    python bench/perf.py incremental --size 100000  # target 5
    python bench/perf.py scale           # target 4: 10k, 100k, 1M files (the 1M corpus takes ~15 min to write)
    python bench/perf.py all --write     # every target, then its tables into bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
BBC = SHARED / "corpora" / "bbc" / "articles"
sys.path.insert(0, str(HERE))

from peers import newslint_command, proselint_command, python_pass  # noqa: E402


CPU: dict[str, list[float]] = {}  # command label -> CPU seconds (user+sys) per run


def timed(cmd: list[str], repeat: int, cwd=None, env=None, label: str | None = None) -> list[float]:
    """Wall-clock seconds per run; CPU seconds (user+sys of the child) go to CPU[label].
    CPU time is the steadier figure on a shared machine; both are reported."""
    import resource

    out = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if label:
            CPU.setdefault(label, []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return out


def article_of_size(lo=2800, hi=3300) -> Path:
    for p in sorted(BBC.rglob("*.txt")):
        if lo <= p.stat().st_size <= hi:
            return p
    raise SystemExit("no BBC article of about 3 KB found")


def machine() -> str:
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB"


def target_hook(repeat: int) -> list[str]:
    """Target 1: newslint check FILE (in-file rules, no cache) vs proselint and python -c pass."""
    art = article_of_size()
    # interleave the three commands so load changes hit them alike
    runs = {"python -c pass": [], "proselint check": [], "newslint check": []}
    cmds = {"python -c pass": python_pass(), "proselint check": proselint_command() + ["check", str(art)],
            "newslint check": newslint_command() + ["check", "--no-cache", "-q", "--ignore", "NL4,NL202", str(art)]}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            runs[name] += timed(cmd, 1, label=name)
    med = {k: statistics.median(v) for k, v in runs.items()}
    cpu = {k: statistics.median(CPU[k]) for k in runs}
    lines = [f"### Target 1: one {art.stat().st_size:,}-byte article ({art.relative_to(BBC)}), in-file rules",
             "", f"{repeat} runs each, interleaved; medians of wall-clock and of CPU (user+sys) time.", "",
             "| command | wall | CPU |", "|---|---:|---:|"]
    for k in runs:
        lines.append(f"| `{k}` | {med[k]*1000:.0f} ms | {cpu[k]*1000:.0f} ms |")
    r1 = med["newslint check"] / med["proselint check"]
    r2 = med["newslint check"] / med["python -c pass"]
    c1 = cpu["newslint check"] / cpu["proselint check"]
    c2 = cpu["newslint check"] / cpu["python -c pass"]
    lines += ["", f"- newslint / proselint: **{r1:.2f}x** wall, {c1:.2f}x CPU (target <= 0.5x: "
                  f"{'met' if r1 <= 0.5 else 'NOT met'})",
              f"- newslint / python -c pass: **{r2:.1f}x** wall, {c2:.1f}x CPU (target <= 6x: "
              f"{'met' if r2 <= 6 else 'NOT met'})", ""]
    return lines


def corpus_root(n: int) -> tuple[Path, str]:
    """(folder, label) of the corpus a size names: 0 is BBC, else n generated files."""
    if n == 0:
        return BBC, "BBC corpus (2,225 files)"
    return _gen(n), f"{n:,} generated files"


def _gen(n: int) -> Path:
    import bench_dups

    dest = HERE / "out" / f"gen-{n}"
    return bench_dups.generate(n, dest)


def _git_repo(root: Path) -> None:
    """Make `root` a git repository with every file committed (the hook's corpus)."""
    if (root / ".git").exists():
        return
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "b",
           "GIT_COMMITTER_EMAIL": "b@b"}
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "corpus"]):
        subprocess.run(cmd, cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)


def target_hook_corpus(n: int, repeat: int) -> list[str]:
    """Target 2: the same one-file check with the cross-file rules on, against a warm index of n files."""
    root = _gen(n)
    _git_repo(root)
    files = sorted(p for p in root.rglob("*.txt"))
    art = files[len(files) // 2]
    nl = newslint_command()
    subprocess.run(nl + ["check", "--exit-zero", "-q", str(art.relative_to(root))], cwd=root,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm the index
    cmds = {"in-file rules only": nl + ["check", "-q", "--ignore", "NL4,NL202", str(art.relative_to(root))],
            "all rules, warm index": nl + ["check", "-q", str(art.relative_to(root))]}
    runs = {k: [] for k in cmds}
    original = art.read_text(encoding="utf-8")
    n_edit = 0
    for _ in range(repeat):
        for k, cmd in cmds.items():
            n_edit += 1  # the article changes before every run, as in a commit: nothing cached for it
            art.write_text(original.rstrip("\n") + f"\n\nEdited for the benchmark, pass {n_edit}.\n", encoding="utf-8")
            runs[k] += timed(cmd, 1, cwd=root, label=k)
    art.write_text(original, encoding="utf-8")
    med = {k: statistics.median(v) for k, v in runs.items()}
    r = med["all rules, warm index"] / med["in-file rules only"]
    return [f"### Target 2: one file against a warm index of {n:,} files (a git repository)", "",
            f"{repeat} runs each, interleaved; medians.", "", "| command | median |", "|---|---:|"] + \
           [f"| {k} | {v*1000:.0f} ms |" for k, v in med.items()] + \
           ["", f"- all rules / in-file only: **{r:.1f}x** (target <= 3x: {'met' if r <= 3 else 'NOT met'})", ""]


def target_corpus(n: int, repeat: int) -> list[str]:
    """Target 3: whole-corpus check, all rules, no cache, vs the plain datasketch pipeline."""
    import bench_dups

    root, label = corpus_root(n)
    nl = newslint_command() + ["check", "--no-cache", "--exit-zero", "-q", "--output-format", "json", str(root)]
    for p in root.rglob("*.txt"):  # both sides from a warm page cache (the first run was cold, not newslint)
        p.read_bytes()
    t_nl, t_ds = [], []
    for _ in range(repeat):
        t_nl += timed(nl, 1)
        t = time.perf_counter()
        bench_dups.run_datasketch(str(root), 0.8)
        t_ds.append(time.perf_counter() - t)
    m_nl, m_ds = statistics.median(t_nl), statistics.median(t_ds)
    return [f"### Target 3: whole-corpus check, {label}", "",
            f"{repeat} runs each; newslint = `newslint check --no-cache` (every rule, in-file and cross-file, "
            "as a process); datasketch = read + shingle + MinHash.bulk + MinHashLSH insertion session + query "
            "every document + exact verification (in-process, its import not counted).", "",
            "| side | median |", "|---|---:|", f"| newslint check | {m_nl:.1f} s |", f"| datasketch pipeline | {m_ds:.1f} s |",
            "", f"- datasketch / newslint: **{m_ds / m_nl:.2f}x** (target >= 5x: {'met' if m_ds / m_nl >= 5 else 'NOT met'})", ""]


def target_incremental(n: int) -> list[str]:
    """Target 5: a full `newslint check` (every rule) of n generated files in git, cold (empty
    cache folder) and then warm after one file was edited; the warm run's share of the cold.
    Then two harder edits (a file with a near-duplicate partner, a file holding a corpus
    boilerplate line) and a full check from an empty cache of the final tree, whose report
    must equal the last warm run's."""
    import json
    import shutil
    import tempfile

    root = _gen(n)
    _git_repo(root)
    files = sorted(root.rglob("*.txt"))
    cache = Path(tempfile.mkdtemp(prefix="newslint-incr-"))
    nl = newslint_command()

    def check(report: str, folder: str = "c") -> list[str]:
        return nl + ["check", "--exit-zero", "-q", "--output-format", "json", "-o", str(cache / report),
                     "--cache-dir", str(cache / folder), "."]

    originals: dict[Path, str] = {}

    def edit(path: Path, new_text: str) -> None:
        originals.setdefault(path, path.read_text(encoding="utf-8"))
        path.write_text(new_text, encoding="utf-8")

    rows = []
    try:
        cold = timed(check("cold.json"), 1, cwd=root, label="cold")[0]
        report = json.loads((cache / "cold.json").read_text())
        named = {d["filename"] for d in report} | {r["filename"] for d in report for r in d["related"]}
        art = next(f for f in files[len(files) // 3:] if f"./{f.relative_to(root)}" not in named)  # no finding
        edit(art, art.read_text(encoding="utf-8").rstrip("\n") + "\n\nEdited for the benchmark.\n")
        warm = timed(check("warm.json"), 1, cwd=root, label="warm, one file edited")[0]
        art.write_text(originals.pop(art), encoding="utf-8")  # not edit(): it would remember the edited text as the original
        same = timed(check("same.json"), 1, cwd=root, label="warm, the edit undone")[0]
        identical = (cache / "cold.json").read_bytes() == (cache / "same.json").read_bytes()
        rows += [("cold", cold), ("warm, one file edited", warm), ("warm, the edit undone", same)]
        # a file of a near-duplicate pair, and one holding a corpus boilerplate line
        pair = next(d for d in report if d["code"] == "NL402")
        boiler = next(d for d in report if d["code"] == "NL202" and d["filename"] != pair["filename"])
        for label, d, extra in (("warm, one file of a near-duplicate pair edited", pair, "A late correction."),
                                ("warm, a file with a corpus boilerplate line edited", boiler, "Another paragraph.")):
            path = root / d["filename"]
            edit(path, path.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{extra}\n")
            rows.append((label, timed(check("last.json"), 1, cwd=root, label=label)[0]))
        # nothing changed since: the two edits stay uncommitted (git names them modified)
        label = "warm, run again, the two edits uncommitted"
        rows.append((label, timed(check("last.json"), 1, cwd=root, label=label)[0]))
        full = timed(check("full.json", "fresh"), 1, cwd=root, label="full check of the edited tree")[0]
        equal = (cache / "last.json").read_bytes() == (cache / "full.json").read_bytes()
    finally:
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")
        shutil.rmtree(cache, ignore_errors=True)
    r = warm / cold
    table = [f"| {label} | {sec:.1f} s | {CPU[label][0]:.1f} s | {sec / cold:.1%} |" for label, sec in rows]
    return [f"### Target 5: full check of {n:,} generated files (a git repository), every rule", "",
            "One cold run (empty cache folder: results cache, duplicate index, snapshot and record built), "
            "then edits, each followed by a warm run; last, a full check of the edited tree from an empty "
            "cache folder.", "",
            "| run | wall | CPU | of cold |", "|---|---:|---:|---:|", *table,
            f"| full check of the edited tree, empty cache | {full:.1f} s | "
            f"{CPU['full check of the edited tree'][0]:.1f} s | |", "",
            f"- warm after one edit / cold: **{r:.1%}** (target <= 3%: {'met' if r <= 0.03 else 'NOT met'})",
            f"- the report of the unchanged tree is byte-identical cold and warm: {identical}",
            f"- the last warm run's report is byte-identical to the full check's from an empty cache: {equal}", ""]


def _drop_page_cache() -> bool:
    """Empty the kernel's page cache (needs root); False when it cannot."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as fh:
            fh.write("3\n")
        return True
    except OSError:
        return False


def _plain_read(root: Path) -> float:
    """The storage alone, as any tool meets it: every .txt file under `root` found, stat'ed
    and read one after another in inode order (newslint's order), from a cold page cache;
    wall seconds."""
    _drop_page_cache()
    t = time.perf_counter()
    paths = [os.path.join(d, f) for d, _, files in os.walk(root) for f in files if f.endswith(".txt")]
    for path in sorted(paths, key=lambda p: os.stat(p).st_ino):
        with open(path, "rb") as fh:
            fh.read()
    return time.perf_counter() - t


def _scale_run(nl: list[str], root: Path) -> tuple[float, float, float, Path, Path]:
    """One cold `newslint check` of the cross-file rules over `root`: (wall, CPU, max RSS in
    GiB, the JSON report, its temporary folder)."""
    import tempfile

    cache = Path(tempfile.mkdtemp(prefix="newslint-scale-"))
    report = cache / "report.json"
    cmd = ["/usr/bin/time", "-v"] + nl + [
        "check", "--select", "NL401,NL402,NL403,NL202", "--exit-zero", "--output-format", "json",
        "-o", str(report), "--cache-dir", str(cache / "c"), "."]
    t = time.perf_counter()
    done = subprocess.run(cmd, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    rss = next((int(line.split(":")[1]) for line in done.stderr.splitlines()
                if "Maximum resident set size" in line), 0) / 2**20  # kB -> GiB
    cpu = sum(float(line.split(":")[1]) for line in done.stderr.splitlines()
              if line.strip().startswith(("User time", "System time")))
    return wall, cpu, rss, report, cache


def target_scale(sizes: list[int], peer: bool = True, repeat: int = 3) -> list[str]:
    """Target 4: the cross-file check of 10k, 100k and 1M generated files, each a cold run (the
    persistent index built on the way, in a fresh cache folder), under /usr/bin/time -v for the
    peak memory; recall against the planted duplicates; the exponent of the wall-time growth.
    Sizes under a million run `repeat` times (medians: a 30-second run on this VM varies by
    20%, and the exponent's base is the smaller size); a million once (~8 minutes)."""
    import json
    import math
    import shutil
    import tempfile

    import bench_dups

    rows = []
    nl = newslint_command()  # one build for every size, whatever changes in the tree meanwhile
    for n in sizes:
        # outside any git work tree, so the corpus is the folder given (not a repository's files)
        root = bench_dups.generate(n, Path(tempfile.gettempdir()) / "newslint-bench" / f"gen-{n}")
        runs = []
        for _ in range(repeat if n < 1_000_000 else 1):
            # Every run starts from a cold page cache: this VM pages out memory not touched for
            # a minute (DAMON), so a million files read minutes earlier are no longer cached
            # while 10,000 read just before still are; dropping the cache makes the sizes alike.
            cold = _drop_page_cache()
            runs.append(_scale_run(nl, root))
        walls = sorted(r[0] for r in runs)
        wall, cpu, _, report, _ = min(runs, key=lambda r: abs(r[0] - statistics.median(walls)))  # the median run
        truth = bench_dups.truth_pairs(root, 0.8)
        found = {tuple(x[:2]) for x in bench_dups.pairs_of_report(str(report))["pairs"]}
        recall = sum(1 for k in truth if k in found) / len(truth) if truth else 1.0
        with open(report) as fh:
            n_diag = len(json.load(fh))
        for *_, cache in runs:
            shutil.rmtree(cache, ignore_errors=True)
        read = _plain_read(root) if peer and cold else None
        rows.append((n, wall, cpu, max(r[2] for r in runs), recall, len(truth), n_diag, read, walls))
        print(f"  {n:,} files: {' / '.join(f'{w:.1f}' for w in walls)} s, CPU {cpu:.1f} s, max RSS "
              f"{rows[-1][3]:.2f} GiB, recall {recall:.4f} of {len(truth):,}"
              + (f"; plain cold read {read:.1f} s" if read else ""), flush=True)
    lines = ["### Target 4: scaling of the cross-file check (cold: index built on the way)", "",
             "`newslint check --select NL401,NL402,NL403,NL202 --cache-dir EMPTY .` under `/usr/bin/time -v`; "
             f"sizes under 1,000,000 run {repeat} times (median shown), 1,000,000 once; each run from "
             f"{'a cold page cache' if cold else 'the page cache as it was'}.", "",
             "Peer: the storage alone, reading the same files cold one after another in inode order "
             "(`_plain_read`: no newslint, no writes).", "",
             "| files | wall (median) | runs | CPU (user+sys) | max RSS | recall of planted pairs >= 0.8 "
             "| planted pairs | diagnostics | peer: plain cold read |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {n:,} | {w:.1f} s | {' / '.join(f'{x:.1f}' for x in ws)} s | {c:.1f} s | {r:.2f} GiB | {rc:.4f} "
              f"| {t:,} | {d:,} | " + (f"{rd:.1f} s |" if rd else "- |")
              for n, w, c, r, rc, t, d, rd, ws in rows]
    lines.append("")
    for (n1, w1, c1, *_, r1, _w1), (n2, w2, c2, *_, r2, _w2) in zip(rows, rows[1:]):
        e = math.log(w2 / w1) / math.log(n2 / n1)
        ec = math.log(c2 / c1) / math.log(n2 / n1)
        er = f"; the plain read's {math.log(r2 / r1) / math.log(n2 / n1):.2f}" if r1 and r2 else ""
        lines.append(f"- {n1:,} -> {n2:,}: exponent **{e:.2f}** wall, {ec:.2f} CPU{er} "
                     f"(target <= 1.1: {'met' if e <= 1.1 else 'NOT met'})")
    if len(rows) > 2:
        # One power law fitted through every size (least squares on the logs) reads lower
        # than the last step when the growth bends upward; the target is judged step by
        # step above, so the bend at the top is not averaged away. Printed for comparison.
        xs, ys = [math.log(r[0]) for r in rows], [math.log(r[1]) for r in rows]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        fit = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        lines.append(f"- one power law through all {len(rows)} sizes: exponent {fit:.2f} wall (for comparison; "
                     "the target is judged on each step above)")
    if rows:
        big = rows[-1]
        lines.append(f"- peak memory at {big[0]:,} files: **{big[3]:.2f} GiB** (target <= 3 GiB at 1,000,000: "
                     f"{'met' if big[3] <= 3 else 'NOT met'})")
    return lines + [""]


def target_cache(repeat: int) -> list[str]:
    """Issue 5: a cold run (empty cache) and a warm run (nothing changed) over the BBC corpus."""
    import shutil
    import tempfile

    nl = newslint_command()
    cold, warm = [], []
    for _ in range(repeat):
        cache = Path(tempfile.mkdtemp(prefix="newslint-cache-"))
        args = nl + ["check", "--exit-zero", "-q", "--cache-dir", str(cache / "c"), str(BBC)]
        cold += timed(args, 1, label="cold")
        warm += timed(args, 1, label="warm")
        shutil.rmtree(cache, ignore_errors=True)
    mc, mw = statistics.median(cold), statistics.median(warm)
    cc, cw = statistics.median(CPU["cold"]), statistics.median(CPU["warm"])
    return ["### Results cache: BBC corpus (2,225 files), every rule", "",
            f"{repeat} pairs of runs; each pair starts from an empty cache. The corpus index lives in the "
            "cache folder too, so the warm run also reuses the duplicate index.", "",
            "| run | wall | CPU |", "|---|---:|---:|", f"| cold | {mc:.2f} s | {cc:.2f} s |",
            f"| warm (nothing changed) | {mw:.2f} s | {cw:.2f} s |", "",
            f"- warm / cold: **{mw / mc:.1%}** of the wall time ({cw / cc:.1%} of the CPU time)", ""]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("target", choices=["hook", "hook-corpus", "corpus", "cache", "scale", "incremental", "all"])
    ap.add_argument("--sizes", default="10000,100000,1000000", help="corpus sizes for scale")
    ap.add_argument("--no-peer", action="store_true", help="scale: skip the plain cold read of each corpus")
    ap.add_argument("--size", type=int, default=10000, help="generated corpus size for hook-corpus/corpus (0 = BBC)")
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--write", action="store_true",
                    help="put the output into bench/RESULTS.md (between its markers; the rest is kept)")
    args = ap.parse_args(argv)
    out = [f"Machine: {machine()}", f"Load average at start: {os.getloadavg()[0]:.2f}", ""]
    if args.target in ("hook", "all"):
        out += target_hook(args.repeat)
    if args.target in ("hook-corpus", "all"):
        out += target_hook_corpus(args.size or 10000, max(3, args.repeat // 3))
    if args.target in ("cache", "all"):
        out += target_cache(3)
    if args.target in ("incremental", "all"):
        out += target_incremental(args.size or 10000)
    if args.target == "scale":
        out += target_scale([int(x) for x in args.sizes.split(",")], peer=not args.no_peer)
    if args.target in ("corpus", "all"):
        out += target_corpus(0, 3)
        if args.size:
            out += target_corpus(args.size, 1)
    text = "\n".join(out)
    print(text)
    if args.write:
        write_results(HERE / "RESULTS.md", text, "python bench/perf.py " + " ".join(argv or sys.argv[1:]))
    return 0


WRITE_START = "<!-- perf.py --write: start -->"
WRITE_END = "<!-- perf.py --write: end -->"


def write_results(path: Path, text: str, command: str) -> None:
    """Put this run's output into `path` between the WRITE_START and WRITE_END markers, just
    under the title the first time. The rest of the file, the curated history of every
    session's figures, is kept: `--write` once replaced all of it with one run's tables."""
    block = f"{WRITE_START}\n## Latest `{command}`\n\n{text.rstrip()}\n{WRITE_END}\n"
    try:
        old = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        old = "# Benchmark results\n"
    if WRITE_START in old and WRITE_END in old.split(WRITE_START, 1)[1]:
        before, rest = old.split(WRITE_START, 1)
        after = rest.split(WRITE_END, 1)[1]
    else:
        title, sep, after = old.partition("\n")
        before = title + sep + "\n"
    new = before + block + ("\n" + after.lstrip("\n") if after.strip() else "")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(new, encoding="utf-8")
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main())
