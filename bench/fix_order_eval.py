"""Does the order of fixing change what the unsafe fixes leave? The README's figure.

    python bench/fix_order_eval.py

Copies the 92 scraped pages of ../shared/corpora/scrapinghub_dev/raw twice and fixes them
two ways, each over the whole folder in one `newslint check --isolated --no-cache` run a step:
  once      `--fix --unsafe-fixes`
  two-step  `--fix`, then `--fix --unsafe-fixes`
and scores each against the gold bodies as bench/eval_chrome.py does (mean per-page
precision and recall of word 4-grams, split-off parts joined back). The safe fixes delete
share bars and page tokens, which NL203 reads page chrome by, so the two-step flow can
leave chrome the one-step flow removes. Prints both scores and every page that differs.
Run by hand; nothing here is a test.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import eval_chrome as ec

RAW = ec.ROOT.parent / "shared" / "corpora" / "scrapinghub_dev" / "raw"
GOLD = RAW.parent / "gold"
FLOWS = {"once": [["--fix", "--unsafe-fixes"]], "two-step": [["--fix"], ["--fix", "--unsafe-fixes"]]}


def run_flow(folder: Path, steps: list[list[str]]) -> dict[str, dict]:
    for p in RAW.glob("*.txt"):
        shutil.copyfile(p, folder / p.name)
    for args in steps:
        subprocess.run([sys.executable, "-m", "newslint", "check", "--no-cache", "--isolated", "--exit-zero", "-q",
                        *args, "."], cwd=folder, capture_output=True, check=True)
    rows = {}
    for p in sorted(RAW.glob("*.txt")):
        text, _ = ec.fixed_text(folder, p.stem)
        precision, recall = ec.page_pr(text, (GOLD / p.name).read_text(encoding="utf-8"))
        rows[p.stem] = {"P": precision, "R": recall, "lines": text.count("\n")}
    return rows


def main() -> int:
    if not RAW.is_dir():
        print(f"needs {RAW}", file=sys.stderr)
        return 2
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, steps in FLOWS.items():
            folder = Path(tmp) / name
            folder.mkdir()
            results[name] = run_flow(folder, steps)
    print("| flow | pages | F1 | precision | recall |\n|---|---:|---:|---:|---:|")
    for name, rows in results.items():
        s = ec.summarise(list(rows.values()))
        print(f"| {name} | {s['n']} | {s['F1']:.3f} | {s['P']:.3f} | {s['R']:.3f} |")
    once, two = results["once"], results["two-step"]
    differ = [k for k in once if once[k] != two[k]]
    print(f"\n{len(differ)} pages differ (P, R, lines left: once -> two-step)")
    for k in differ:
        a, b = once[k], two[k]
        print(f"  {k[:12]}  P {a['P']:.3f} -> {b['P']:.3f}  R {a['R']:.3f} -> {b['R']:.3f}  "
              f"lines {a['lines']} -> {b['lines']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
