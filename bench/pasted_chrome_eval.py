#!/usr/bin/env python3
"""Precision of NL203 when a site's template prints chrome *inside* an article.

News sites put a "Related stories" box, a "READ MORE:" teaser or a menu between an
article's paragraphs, and a scraper saves them there. NL203 may report those lines, or
nothing (the file then shows too little of a saved page to report anything); what it must
not do is take the article's own paragraphs for chrome, since its unsafe fix deletes them.

Each case is a human-checked gold body of ../shared/corpora/scrapinghub_dev (90 of the 92
have a blank line in their middle third) with one of four shapes pasted after a random
paragraph boundary in its middle third:

* related3: "Related stories" and three BBC headlines, a blank line between each;
* related2: "Related Stories" and two BBC headlines;
* readmore: one "READ MORE: <BBC headline>" line;
* menu: a six-item site menu (Home, News, Sport, Business, Technology, Entertainment).

The cases are checked by ONE process (`newslint check --select NL203 --isolated --no-cache
--output-format json`); per shape it prints the files whose pasted lines were reported
(recall, secondary here) and the files with any line outside the pasted block reported
(false findings on the article: the figure that matters), with the worst files listed.

At 3846168 (seeds 3, 5, 8): article lines reported in 16 of 1,080 cases (32 before it), all
on two list-heavy pages: a meal plan whose sections repeat their headings (5f03fc17: evidence
20 from repeated lines before anything is pasted, so any widget label tips it; the same page
raw scores F1 0.196 in eval_chrome.py) and a recipe whose method is a list (4219d096, pasted
above the ingredients). The pasted lines are reported in 19 of 1,080.

Usage:
  python bench/pasted_chrome_eval.py                 # seeds 3, 5 and 8
  python bench/pasted_chrome_eval.py --seeds 1 2 --show 5
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
GOLD = SHARED / "corpora" / "scrapinghub_dev" / "gold"
BBC = SHARED / "corpora" / "bbc" / "articles"
MENU = ["Home", "News", "Sport", "Business", "Technology", "Entertainment"]


def _spaced(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        out += [line, ""]
    return out[:-1]


def shapes(rng: random.Random, heads: list[str]) -> dict[str, list[str]]:
    return {
        "related3": _spaced(["Related stories"] + rng.sample(heads, 3)),
        "readmore": ["READ MORE: " + rng.choice(heads)],
        "menu": list(MENU),
        "related2": _spaced(["Related Stories"] + rng.sample(heads, 2)),
    }


def build(seed: int, out: Path, heads: list[str]) -> dict[str, tuple[str, int, int]]:
    """Write the cases of one seed; path -> (shape, first and last pasted row, 1-based)."""
    rng = random.Random(seed)
    cases = {}
    for gold in sorted(GOLD.glob("*.txt")):
        lines = gold.read_text(encoding="utf-8").split("\n")
        blanks = [i for i, line in enumerate(lines) if not line.strip() and 0.3 * len(lines) < i < 0.7 * len(lines)]
        if not blanks:
            continue
        at = rng.choice(blanks)
        for shape, pasted in shapes(rng, heads).items():
            path = out / f"{seed}-{shape}-{gold.name}"
            path.write_text("\n".join(lines[:at + 1] + pasted + [""] + lines[at + 1:]), encoding="utf-8")
            cases[str(path)] = (shape, at + 2, at + 1 + len(pasted))
    return cases


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[3, 5, 8])
    ap.add_argument("--show", type=int, default=10, help="files with false findings to list")
    args = ap.parse_args()
    if not GOLD.is_dir() or not BBC.is_dir():
        sys.exit(f"needs ../shared beside the checkout ({GOLD})")
    heads = [p.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0].strip()
             for p in sorted(BBC.glob("*/*.txt"))]
    with tempfile.TemporaryDirectory() as tmp:
        cases: dict[str, tuple[str, int, int]] = {}
        for seed in args.seeds:
            cases.update(build(seed, Path(tmp), heads))
        proc = subprocess.run([sys.executable, "-m", "newslint", "check", tmp, "--select", "NL203", "--isolated",
                               "--no-cache", "--exit-zero", "--output-format", "json"], capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"newslint failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        rows_of: dict[str, set[int]] = defaultdict(set)
        for d in json.loads(proc.stdout):
            rows_of[os.path.realpath(d["filename"])].update(range(d["location"]["row"], d["end_location"]["row"] + 1))
        tally = defaultdict(lambda: [0, 0, 0])  # cases, pasted lines reported, article lines reported
        worst = []
        for path, (shape, first, last) in cases.items():
            rows = rows_of.get(os.path.realpath(path), set())
            t = tally[shape]
            t[0] += 1
            t[1] += bool(rows & set(range(first, last + 1)))
            outside = rows - set(range(first - 1, last + 2))  # the blank lines around the paste are its
            if outside:
                t[2] += 1
                worst.append((len(outside), Path(path).name[:40]))
    print(f"NL203 with chrome pasted inside 90 gold bodies, seeds {' '.join(map(str, args.seeds))}")
    print(f"{'shape':<10} {'cases':>6} {'pasted reported':>16} {'article lines reported':>23}")
    total = [0, 0, 0]
    for shape in ("related3", "related2", "readmore", "menu"):
        t = tally[shape]
        total = [a + b for a, b in zip(total, t)]
        print(f"{shape:<10} {t[0]:>6} {t[1]:>16} {t[2]:>23}")
    print(f"{'all':<10} {total[0]:>6} {total[1]:>16} {total[2]:>23}")
    for n, name in sorted(worst, reverse=True)[:args.show]:
        print(f"  {name}: {n} article lines reported")
    return 0


if __name__ == "__main__":
    sys.exit(main())
