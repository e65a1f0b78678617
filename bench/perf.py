"""Performance benchmarks for issue 6. Each target runs newslint and a named peer in the
same run, repeats, and prints medians and ratios. Run by hand; results go to
bench/RESULTS.md with --write. No test asserts any of these timings.

    python bench/perf.py hook            # target 1: one 3 KB article, in-file rules
    python bench/perf.py all --write     # every target, then write bench/RESULTS.md
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


def timed(cmd: list[str], repeat: int, cwd=None, env=None) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out.append(time.perf_counter() - t)
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
            "newslint check": newslint_command() + ["check", "--no-cache", "-q", str(art)]}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            runs[name] += timed(cmd, 1)
    med = {k: statistics.median(v) for k, v in runs.items()}
    lines = [f"### Target 1: one {art.stat().st_size:,}-byte article ({art.relative_to(BBC)}), in-file rules",
             "", f"{repeat} runs each, interleaved; medians.", "", "| command | median | ratio |", "|---|---:|---:|"]
    for k in runs:
        lines.append(f"| `{k}` | {med[k]*1000:.0f} ms | |")
    r1 = med["newslint check"] / med["proselint check"]
    r2 = med["newslint check"] / med["python -c pass"]
    lines += ["", f"- newslint / proselint: **{r1:.2f}x** (target <= 0.5x: {'met' if r1 <= 0.5 else 'NOT met'})",
              f"- newslint / python -c pass: **{r2:.1f}x** (target <= 6x: {'met' if r2 <= 6 else 'NOT met'})", ""]
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("target", choices=["hook", "all"])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    args = ap.parse_args(argv)
    out = [f"Machine: {machine()}", f"Load average at start: {os.getloadavg()[0]:.2f}", ""]
    if args.target in ("hook", "all"):
        out += target_hook(args.repeat)
    text = "\n".join(out)
    print(text)
    if args.write:
        (HERE / "RESULTS.md").write_text("# Benchmark results\n\nWritten by `python bench/perf.py "
                                         + " ".join(argv or sys.argv[1:]) + "`.\n\n" + text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
