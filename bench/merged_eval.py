#!/usr/bin/env python3
"""Evaluate NL301 merged-articles on synthetic merges of BBC articles (issue 2, point 5).

Generates, deterministically (fixed seed), merged files (two different BBC articles in
one file) and single articles in several layouts, runs ``newslint check --select NL301
--output-format json --exit-zero`` once per generated folder, and reports per layout:

* recall on merged files: NL301 fires *and* its reported row is the first line of the
  second article's headline (exact, +-0 lines); "any row" counts every NL301 finding;
* false-flag rate on single articles: any NL301 finding is a false flag.

Layouts (``STYLES``):

  blank1    articles joined with one blank line (the corpus's own paragraph gap)
  blank3    articles joined with three blank lines
  doubled   each article: headline, blank, headline again, blank, body (as in
            ../shared/samples/aawsat_two_articles.txt); articles joined with one blank line
  singlenl  headline, blank, paragraphs separated by single newlines; articles joined
            with one blank line
  wire      hard-wrapped wire copy: textwrap to a fixed width (68-72 per file), first
            line of each paragraph indented 2-5 spaces, no blank lines between
            paragraphs, headline flush left on its own line directly above the body;
            articles joined with one blank line

Single-article negatives use the same layouts applied to one article; for blank1/blank3
that is the unmodified BBC file ("raw"). The same article pairs are used for every merged
layout and the same articles for every single layout, so layouts are compared on
identical text. Half the pairs are same-category (the hard case), half cross-category.

Source articles: ../shared/corpora/bbc/articles, minus files that are not valid UTF-8
and every file that is in an exact-duplicate group (groups.json) or a near-duplicate
pair (pairs_jaccard_ge_0.5.csv); pairs with the same headline are rejected too, so the
two articles of a merged file really are different stories.

Usage:
  python bench/merged_eval.py                      # temp dir, deleted afterwards
  python bench/merged_eval.py --out /tmp/nl301     # keep the cases for inspection
  python bench/merged_eval.py --per-style 400 --seed 7
  python bench/merged_eval.py --write              # also rewrite bench/MERGED_EVAL.md
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import math
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_BBC = (ROOT / ".." / "shared" / "corpora" / "bbc").resolve()
MD_PATH = HERE / "MERGED_EVAL.md"
NOTES_MARKER = "<!-- end of generated figures: text below this line is kept by --write -->"

MERGED_STYLES = ["blank1", "blank3", "doubled", "singlenl", "wire"]
SINGLE_STYLES = ["raw", "doubled", "singlenl", "wire", "subhead"]
STYLE_DOC = {
    "blank1": "two articles joined with one blank line",
    "blank3": "two articles joined with three blank lines",
    "raw": "unmodified BBC file (the single-article form of blank1/blank3)",
    "subhead": "one article with a subheading (2-4 words of the next paragraph, e.g. 'Pension reform plans') "
               "set off by blank lines before one or two middle paragraphs: the hard negative, since its "
               "words are found after it",
    "doubled": "headline, blank, headline again, blank, body; articles joined with one blank line",
    "singlenl": "headline, blank, paragraphs on single newlines; articles joined with one blank line",
    "wire": "textwrap width 68-72, paragraphs indented 2-5 spaces, no blank lines inside an "
            "article, headline on its own line; articles joined with one blank line",
}
TARGET_RECALL = 0.90
TARGET_FALSE_FLAGS = 0.02
# Files whose content decides what NL301 finds; hashed into a fingerprint so a figure can be
# tied to the detector version it was measured on (others edit these files concurrently).
DETECTOR_FILES = ["newslint/segment.py", "newslint/lineclass.py", "newslint/document.py",
                  "newslint/checks/segments.py", "newslint/normalize.py"]


# ---------------------------------------------------------------- corpus

class Article:
    __slots__ = ("rel", "cat", "raw", "lines", "headline", "body_lines", "paras")

    def __init__(self, rel: str, raw: str):
        self.rel = rel
        self.cat = rel.split("/")[0]
        self.raw = raw
        lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        self.lines = lines  # the file's own lines, no leading/trailing blank lines
        self.headline = lines[0].strip()
        body = lines[1:]
        while body and not body[0].strip():
            body.pop(0)
        self.body_lines = body  # raw body lines, own paragraph gaps kept
        paras, cur = [], []
        for ln in body:
            if ln.strip():
                cur.append(ln.strip())
            elif cur:
                paras.append(" ".join(cur))
                cur = []
        if cur:
            paras.append(" ".join(cur))
        self.paras = paras  # one string per blank-line paragraph


def load_pool(bbc: Path) -> tuple[list[Article], dict]:
    art_dir = bbc / "articles"
    excluded: set[str] = set()
    groups = json.loads((bbc / "groups.json").read_text(encoding="utf-8"))
    for g in groups.get("exact_duplicate_groups", []):
        excluded.update(g)
    n_pairs = 0
    with open(bbc / "pairs_jaccard_ge_0.5.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            excluded.update((row["a"], row["b"]))
            n_pairs += 1
    pool, bad = [], []
    for p in sorted(art_dir.glob("*/*.txt")):
        rel = p.relative_to(art_dir).as_posix()
        try:
            raw = p.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            bad.append(rel)
            continue
        if rel in excluded:
            continue
        a = Article(rel, raw)
        if len(a.lines) < 3 or not a.paras:
            bad.append(rel)
            continue
        pool.append(a)
    stats = {"files": len(list(art_dir.glob("*/*.txt"))), "not_utf8_or_empty": bad,
             "excluded_duplicates": len(excluded), "near_dup_pairs": n_pairs, "pool": len(pool)}
    return pool, stats


def norm_head(s: str) -> str:
    return re.sub(r"\W+", " ", s.casefold()).strip()


def sample_pairs(pool: list[Article], n: int, rng: random.Random) -> list[tuple[Article, Article, bool]]:
    by_cat: dict[str, list[Article]] = defaultdict(list)
    for a in pool:
        by_cat[a.cat].append(a)
    cats = sorted(by_cat)
    pairs, seen = [], set()
    n_same = n // 2
    while len(pairs) < n:
        same = len(pairs) < n_same
        a = rng.choice(pool)
        if same:
            b = rng.choice(by_cat[a.cat])
        else:
            b = rng.choice(by_cat[rng.choice([c for c in cats if c != a.cat])])
        key = frozenset((a.rel, b.rel))
        if a is b or key in seen or norm_head(a.headline) == norm_head(b.headline):
            continue
        seen.add(key)
        pairs.append((a, b, same))
    rng.shuffle(pairs)
    return pairs


# ---------------------------------------------------------------- layouts

def fmt_doubled(a: Article) -> list[str]:
    return [a.headline, "", a.headline, ""] + a.body_lines


def fmt_singlenl(a: Article) -> list[str]:
    return [a.headline, ""] + a.paras


def fmt_wire(a: Article, width: int, indent: int) -> list[str]:
    out = textwrap.wrap(a.headline, width=width) or [a.headline]
    for p in a.paras:
        out += textwrap.wrap(p, width=width, initial_indent=" " * indent, subsequent_indent="")
    return out


def fmt_subhead(a: Article) -> list[str]:
    """Insert subheadings made of the next paragraph's own longer words (deterministic)."""
    rng = random.Random(a.rel)
    paras = list(a.paras)
    if len(paras) < 4:
        return [a.headline, ""] + [x for p in paras for x in (p, "")][:-1]
    spots = sorted(rng.sample(range(2, len(paras) - 1), k=min(2, len(paras) - 3)))
    out = [a.headline, ""]
    for i, p in enumerate(paras):
        if i in spots:
            cand = [w.strip(".,;:'\"()") for w in p.split()]
            cand = [w for w in cand if len(w) >= 5 and w.isalpha()]
            k = min(len(cand), rng.randint(2, 4))
            if k >= 2:
                start = rng.randint(0, len(cand) - k)
                words = cand[start:start + k]
                out += [" ".join(words).capitalize(), ""]
        out += [p, ""]
    return out[:-1]


def render(style: str, arts: list[Article], wrap: tuple[int, int]) -> tuple[list[str], int | None]:
    """Lines of the file and the 1-based row of the second article's headline (or None)."""
    if style == "raw":
        parts, gap = [arts[0].lines], 1
    elif style in ("blank1", "blank3"):
        parts, gap = [a.lines for a in arts], 1 if style == "blank1" else 3
    elif style == "doubled":
        parts, gap = [fmt_doubled(a) for a in arts], 1
    elif style == "singlenl":
        parts, gap = [fmt_singlenl(a) for a in arts], 1
    elif style == "wire":
        parts, gap = [fmt_wire(a, *wrap) for a in arts], 1
    elif style == "subhead":
        parts, gap = [fmt_subhead(a) for a in arts], 1
    else:
        raise ValueError(style)
    lines = list(parts[0])
    expected = None
    for part in parts[1:]:
        lines += [""] * gap
        expected = len(lines) + 1
        lines += part
    return lines, expected


def generate(out: Path, pool: list[Article], per_style: int, seed: int, all_singles: bool = False) -> list[dict]:
    rng = random.Random(seed)
    pairs = sample_pairs(pool, per_style, rng)
    singles = rng.sample(pool, per_style)
    if all_singles:
        singles = list(pool)
    wrap_m = [(rng.randint(68, 72), rng.randint(2, 5)) for _ in pairs]
    wrap_s = [(rng.randint(68, 72), rng.randint(2, 5)) for _ in singles]
    cases = []

    def slug(a: Article) -> str:
        return a.rel[:-4].replace("/", "-")

    for style in MERGED_STYLES:
        d = out / "merged" / style
        d.mkdir(parents=True, exist_ok=True)
        for i, ((a, b, same), wrap) in enumerate(zip(pairs, wrap_m)):
            lines, expected = render(style, [a, b], wrap)
            path = d / f"{i:04d}_{slug(a)}+{slug(b)}.txt"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            cases.append({"path": str(path), "kind": "merged", "style": style, "sources": [a.rel, b.rel],
                          "same_category": same, "expected_row": expected,
                          "wrap": list(wrap) if style == "wire" else None})
    for style in SINGLE_STYLES:
        d = out / "single" / style
        d.mkdir(parents=True, exist_ok=True)
        for i, (a, wrap) in enumerate(zip(singles, wrap_s)):
            path = d / f"{i:04d}_{slug(a)}.txt"
            if style == "raw":
                path.write_bytes(a.raw.encode("utf-8"))  # byte for byte the corpus file
            else:
                lines, _ = render(style, [a], wrap)
                path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            cases.append({"path": str(path), "kind": "single", "style": style, "sources": [a.rel],
                          "same_category": None, "expected_row": None,
                          "wrap": list(wrap) if style == "wire" else None})
    return cases


# ---------------------------------------------------------------- running newslint

def newslint_cmd() -> list[str]:
    return [sys.executable, "-m", "newslint"]


def run_newslint(folders: list[Path]) -> dict[str, list[dict]]:
    """NL301 findings by resolved file path; one newslint invocation per folder."""
    found: dict[str, list[dict]] = defaultdict(list)
    for folder in folders:
        cmd = newslint_cmd() + ["check", str(folder), "--select", "NL301",
                                "--output-format", "json", "--exit-zero"]
        proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8")
        if proc.returncode != 0:
            sys.exit(f"newslint failed on {folder} (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        try:
            items = json.loads(proc.stdout or "[]")
        except json.JSONDecodeError as e:
            sys.exit(f"newslint output on {folder} is not JSON ({e}):\n{proc.stdout[:500]}")
        for it in items:
            if it.get("code") != "NL301":
                continue
            fn = Path(it["filename"])
            if not fn.is_absolute():
                fn = folder / fn if (folder / fn).exists() else Path.cwd() / fn
            found[str(fn.resolve())].append(it)
    return found


# ---------------------------------------------------------------- scoring

def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (0.0, 0.0)
    p = k / n
    den = 1 + z * z / n
    c = (p + z * z / (2 * n)) / den
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, c - h), min(1.0, c + h)


def score(cases: list[dict], found: dict[str, list[dict]]) -> None:
    for c in cases:
        items = found.get(str(Path(c["path"]).resolve()), [])
        rows = sorted(it["location"]["row"] for it in items)
        related = sorted(r["location"]["row"] for it in items for r in it.get("related") or []
                         if isinstance(r.get("location"), dict))
        c["rows"] = rows
        c["all_starts"] = sorted(set(rows) | set(related))
        c["flagged"] = bool(rows)
        if c["kind"] == "merged":
            c["exact"] = bool(rows) and rows[0] == c["expected_row"]
            c["oversplit"] = len(c["all_starts"]) > 1


def pct(k: int, n: int) -> str:
    return f"{100 * k / n:.1f}%" if n else "-"


def ci(k: int, n: int) -> str:
    lo, hi = wilson(k, n)
    return f"[{100 * lo:.1f}, {100 * hi:.1f}]"


def tables(cases: list[dict]) -> tuple[str, str, dict]:
    merged = [c for c in cases if c["kind"] == "merged"]
    single = [c for c in cases if c["kind"] == "single"]
    lines = ["| merged layout | n | exact row | recall (exact) | 95% CI | any row | recall (any) "
             "| same-cat exact | cross-cat exact | >2 articles found |",
             "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|"]

    def mrow(name: str, cs: list[dict]) -> str:
        n = len(cs)
        k = sum(c["exact"] for c in cs)
        anyk = sum(c["flagged"] for c in cs)
        same = [c for c in cs if c["same_category"]]
        cross = [c for c in cs if not c["same_category"]]
        return (f"| {name} | {n} | {k} | {pct(k, n)} | {ci(k, n)} | {anyk} | {pct(anyk, n)} "
                f"| {pct(sum(c['exact'] for c in same), len(same))} "
                f"| {pct(sum(c['exact'] for c in cross), len(cross))} "
                f"| {sum(c['oversplit'] for c in cs)} |")

    for st in MERGED_STYLES:
        lines.append(mrow(st, [c for c in merged if c["style"] == st]))
    lines.append(mrow("**all**", merged))
    mtab = "\n".join(lines)

    lines = ["| single layout | n | false flags | rate | 95% CI |", "|---|---:|---:|---:|---|"]

    def srow(name: str, cs: list[dict]) -> str:
        n, k = len(cs), sum(c["flagged"] for c in cs)
        return f"| {name} | {n} | {k} | {pct(k, n)} | {ci(k, n)} |"

    for st in SINGLE_STYLES:
        lines.append(srow(st, [c for c in single if c["style"] == st]))
    lines.append(srow("**all**", single))
    stab = "\n".join(lines)

    tot = {
        "merged_n": len(merged), "exact": sum(c["exact"] for c in merged),
        "any": sum(c["flagged"] for c in merged),
        "single_n": len(single), "ff": sum(c["flagged"] for c in single),
        "per_style_recall": {st: (sum(c["exact"] for c in merged if c["style"] == st),
                                  sum(1 for c in merged if c["style"] == st)) for st in MERGED_STYLES},
        "per_style_ff": {st: (sum(c["flagged"] for c in single if c["style"] == st),
                              sum(1 for c in single if c["style"] == st)) for st in SINGLE_STYLES},
    }
    return mtab, stab, tot


def verdict(tot: dict) -> list[str]:
    r = tot["exact"] / tot["merged_n"] if tot["merged_n"] else 0
    f = tot["ff"] / tot["single_n"] if tot["single_n"] else 0
    out = [f"- recall (exact row), all merged: {pct(tot['exact'], tot['merged_n'])} "
           f"({tot['exact']}/{tot['merged_n']}) — target >= {TARGET_RECALL:.0%}: "
           f"{'MET' if r >= TARGET_RECALL else 'NOT MET'}",
           f"- recall (any row), all merged: {pct(tot['any'], tot['merged_n'])} ({tot['any']}/{tot['merged_n']})",
           f"- false flags, all single: {pct(tot['ff'], tot['single_n'])} ({tot['ff']}/{tot['single_n']}) "
           f"— target <= {TARGET_FALSE_FLAGS:.0%}: {'MET' if f <= TARGET_FALSE_FLAGS else 'NOT MET'}"]
    bad_r = [st for st, (k, n) in tot["per_style_recall"].items() if n and k / n < TARGET_RECALL]
    bad_f = [st for st, (k, n) in tot["per_style_ff"].items() if n and k / n > TARGET_FALSE_FLAGS]
    out.append("- per layout: recall below target in " + (", ".join(bad_r) or "none")
               + "; false flags above target in " + (", ".join(bad_f) or "none"))
    return out


def read_lines(path: str) -> list[str]:
    return Path(path).read_text(encoding="utf-8").split("\n")


def round_robin(cs: list[dict], limit: int) -> list[dict]:
    """Up to `limit` cases, spread over layouts (first of each layout, then second, ...)."""
    by: dict[str, list[dict]] = defaultdict(list)
    for c in cs:
        by[c["style"]].append(c)
    out, i = [], 0
    while len(out) < limit and any(i < len(v) for v in by.values()):
        for st in list(by):
            if i < len(by[st]) and len(out) < limit:
                out.append(by[st][i])
        i += 1
    return out


def pick_examples(cs: list[dict], limit: int) -> list[dict]:
    """Examples worth reading: cases with a finding at a wrong row first, then one per
    layout in turn, never the same source article(s) twice."""
    out, seen = [], set()
    for c in [c for c in cs if c.get("rows")] + round_robin(cs, len(cs)):
        key = tuple(c["sources"])
        if len(out) < limit and key not in seen:
            seen.add(key)
            out.append(c)
    return out


def shown_path(c: dict, base: Path | None) -> str:
    return str(Path(c["path"]).relative_to(base)) if base else c["path"]


def describe_miss(c: dict, base: Path | None = None) -> str:
    if not c["rows"]:
        why = "no NL301"
    else:
        why = f"NL301 at row {c['rows'][0]}"
        if len(c["all_starts"]) > 1:
            why += f" (article starts found at {', '.join(map(str, c['all_starts']))})"
    same = "same-cat" if c["same_category"] else "cross-cat"
    return f"{shown_path(c, base)} [{c['style']}, {same}, expected row {c['expected_row']}]: {why}"


def describe_ff(c: dict, base: Path | None = None) -> str:
    lines = read_lines(c["path"])
    r = c["rows"][0]
    text = lines[r - 1].strip() if 0 < r <= len(lines) else "?"
    return f"{shown_path(c, base)} [{c['style']}, {c['sources'][0]}]: row {r}: {text[:90]!r}"


def context(c: dict, before: int = 4, after: int = 3) -> str:
    lines = read_lines(c["path"])
    marks = {}
    if c.get("expected_row"):
        marks[c["expected_row"]] = "expected"
    for r in c["rows"]:
        marks[r] = (marks.get(r, "") + " NL301").strip()
    centers = list(marks)
    out = []
    shown: set[int] = set()
    for ctr in sorted(centers):
        rng = [r for r in range(ctr - before, ctr + after + 1) if 1 <= r <= len(lines) and r not in shown]
        if out and rng and rng[0] - 1 not in shown:
            out.append("      ...")
        for r in rng:
            shown.add(r)
            t = lines[r - 1]
            t = t if len(t) <= 100 else t[:97] + "..."
            out.append(f"  {r:4d} {('<' + marks[r] + '>') if r in marks else '':>16} |{t}")
    return "\n".join(out)


def fingerprint() -> str:
    h = hashlib.sha256()
    for rel in DETECTOR_FILES:
        p = ROOT / rel
        h.update(rel.encode() + b"\0" + (p.read_bytes() if p.exists() else b"") + b"\0")
    return h.hexdigest()[:12]


def git_state() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", *DETECTOR_FILES], cwd=ROOT,
                               capture_output=True, text=True).stdout.split("\n")
        dirty = [ln[3:] for ln in dirty if ln.strip()]
        return head + (f" + uncommitted changes in {', '.join(dirty)}" if dirty else "")
    except OSError:
        return "unknown"


# ---------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, help="generate the cases here and keep them (default: a temp dir, removed)")
    ap.add_argument("--per-style", type=int, default=200, help="cases per layout, merged and single (default 200)")
    ap.add_argument("--seed", type=int, default=301, help="random seed (default 301)")
    ap.add_argument("--bbc", type=Path, default=DEFAULT_BBC, help="the BBC corpus folder (default ../shared/corpora/bbc)")
    ap.add_argument("--show", type=int, default=4, help="misses and false flags to print with context (default 4)")
    ap.add_argument("--all-singles", action="store_true",
                    help="use every pool article (not --per-style of them) in each single layout")
    ap.add_argument("--write", action="store_true", help=f"write the figures to {MD_PATH.relative_to(ROOT)}")
    args = ap.parse_args(argv)
    if args.per_style < 2:
        ap.error("--per-style must be at least 2")
    if not (args.bbc / "articles").is_dir():
        print(f"BBC corpus not found at {args.bbc}", file=sys.stderr)
        return 2

    t0 = time.monotonic()
    pool, stats = load_pool(args.bbc)
    if args.per_style > len(pool):
        ap.error(f"--per-style larger than the article pool ({len(pool)})")

    tmp = None
    if args.out:
        out = args.out.resolve()
        if out.exists() and any(out.iterdir()):
            if not (out / "manifest.json").exists():
                print(f"{out} is not empty and holds no manifest.json from this script; refusing to write there",
                      file=sys.stderr)
                return 2
            for sub in ("merged", "single"):
                shutil.rmtree(out / sub, ignore_errors=True)
        out.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.mkdtemp(prefix="nl301-eval-")
        out = Path(tmp)
    try:
        cases = generate(out, pool, args.per_style, args.seed, args.all_singles)
        t_gen = time.monotonic() - t0
        folders = [out / "merged" / s for s in MERGED_STYLES] + [out / "single" / s for s in SINGLE_STYLES]
        found = run_newslint(folders)
        t_run = time.monotonic() - t0 - t_gen
        score(cases, found)
        (out / "manifest.json").write_text(json.dumps(cases, indent=1) + "\n", encoding="utf-8")

        mtab, stab, tot = tables(cases)
        misses = [c for c in cases if c["kind"] == "merged" and not c["exact"]]
        ffs = [c for c in cases if c["kind"] == "single" and c["flagged"]]
        miss_nofire = sum(1 for c in misses if not c["rows"])
        cmd = "python bench/merged_eval.py " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
        header = [
            f"Corpus: {stats['files']} BBC files; pool {stats['pool']} after dropping "
            f"{len(stats['not_utf8_or_empty'])} unreadable ({', '.join(stats['not_utf8_or_empty'])}) and "
            f"{stats['excluded_duplicates']} files in exact/near-duplicate groups.",
            f"Cases: {args.per_style} per layout, seed {args.seed}; {len(MERGED_STYLES)} merged layouts x "
            f"{args.per_style} pairs ({args.per_style // 2} same-category), {len(SINGLE_STYLES)} single layouts x "
            f"{len(pool) if args.all_singles else args.per_style} articles; the same pairs/articles in every layout.",
            f"Detector: git {git_state()}; fingerprint {fingerprint()} (sha256 of {', '.join(DETECTOR_FILES)}).",
            f"Timing: generate {t_gen:.1f}s, newslint {t_run:.1f}s ({len(folders)} invocations).",
        ]
        print("\n".join(header))
        print("\nMerged files — recall (exact = NL301 row is the 2nd article's headline row):\n")
        print(mtab)
        print("\nSingle articles — false flags (any NL301):\n")
        print(stab)
        print("\nTotals:")
        print("\n".join(verdict(tot)))
        print(f"\nMissed merged files: {len(misses)} ({miss_nofire} without NL301, "
              f"{len(misses) - miss_nofire} with NL301 at another row). Up to 10:")
        for c in round_robin(misses, 10):
            print("  " + describe_miss(c))
        print(f"\nFalse flags on single articles: {len(ffs)}. Up to 10:")
        for c in round_robin(ffs, 10):
            print("  " + describe_ff(c))
        if args.show:
            for c in pick_examples(misses, args.show):
                print("\nMISS " + describe_miss(c))
                print(context(c))
            for c in pick_examples(ffs, args.show):
                print("\nFALSE FLAG " + describe_ff(c))
                print(context(c))
        if args.out:
            print(f"\nCases kept in {out} (manifest.json lists every case and its result).")

        if args.write:
            write_md(cmd, header, mtab, stab, verdict(tot), misses, ffs, miss_nofire, out, bool(args.out))
            print(f"\nWrote {MD_PATH}")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nTotal {time.monotonic() - t0:.1f}s")
    return 0


def write_md(cmd, header, mtab, stab, verdict_lines, misses, ffs, miss_nofire, out: Path, kept: bool) -> None:
    notes = ""
    if MD_PATH.exists():
        old = MD_PATH.read_text(encoding="utf-8")
        if NOTES_MARKER in old:
            notes = old.split(NOTES_MARKER, 1)[1]
    where = (f"; paths relative to `{out}`" if kept else
             "; paths relative to the out dir (a temp dir removed after this run: rerun with `--out DIR` to inspect)")
    out_base = out
    parts = [
        "# NL301 merged-articles evaluation",
        "",
        "Generated by `bench/merged_eval.py` (issue 2, acceptance point 5). Do not edit above the marker;",
        "rerun with `--write` instead.",
        "",
        f"- Command: `{cmd.strip()}`",
        f"- Date: {dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        *[f"- {h}" for h in header],
        "",
        "Layouts:",
        "",
        *[f"- `{k}`: {v}" for k, v in STYLE_DOC.items()],
        "",
        "A merged file counts as detected when NL301 fires and its reported row is the first line",
        "of the second article's headline (exact, +-0 lines); \"any row\" counts every NL301 finding.",
        "Any NL301 on a single article is a false flag. \">2 articles found\": NL301 reported more",
        "than one article start in a two-article file.",
        "",
        "## Merged files: recall",
        "",
        mtab,
        "",
        "## Single articles: false flags",
        "",
        stab,
        "",
        "## Totals against the issue's targets (recall >= 90%, false flags <= 2%)",
        "",
        *verdict_lines,
        "",
        f"## Misses ({len(misses)}: {miss_nofire} without NL301, {len(misses) - miss_nofire} at another row), up to 10{where}",
        "",
        *[f"- {describe_miss(c, out_base)}" for c in round_robin(misses, 10)],
        "",
        f"## False flags ({len(ffs)}), up to 10{where if ffs else ''}",
        "",
        *([f"- {describe_ff(c, out_base)}" for c in round_robin(ffs, 10)] or ["(none)"]),
        "",
        NOTES_MARKER,
    ]
    MD_PATH.write_text("\n".join(parts) + (notes if notes else "\n"), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
