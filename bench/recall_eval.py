#!/usr/bin/env python3
"""Recall of the in-file rules on planted defects, per defect shape.

Precision is measured elsewhere (clean BBC articles, scrapinghub gold pages, see
eval_chrome.py, merged_eval.py, pack_eval.py); this asks the other question: does each
rule catch the defects it promises, in the shapes scrapers and copy-paste produce?

Every case is a real BBC article (../shared/corpora/bbc/articles, the pool of
merged_eval.py: valid UTF-8, no exact or near duplicates) with ONE defect planted from
real text:

* headline printed twice (NL101): exact, upper case, capitalised words, a site name
  (" | BBC News", " - BBC News") on either copy, a kicker (the BBC section) or a caption
  between the copies, a trailing space or full stop on the copy;
* photo caption printed 2 or 4 times (NL102): real captions of the scrapinghub pages and
  of ../shared/samples/aawsat_two_articles.txt, with credits "(AFP)", "[File: Reuters]",
  "Photo: Getty Images" (at the end of the line, or a line of its own below), BBC's
  "Image copyright EPA" / "Image caption ..." pair, or no credit; in the header zone
  (one block, or two blocks), or in the body;
* a stray page token (NL201) in the header zone, between body paragraphs, at the end,
  or on its own line directly under a paragraph (no blank line);
* a related-story list of four real BBC headlines under a label ("Related Stories",
  "More on this story", "Most Read"; a blank line under the label or none; bulleted;
  with the page's "Share this page" under it), or the BBC page's own menu above the
  headline (NL203);
* a body paragraph pasted twice: word for word (NL103), with a trailing space, changed
  case or curly quotes (NL103), or with a small edit (NL104: a word, a number, a typo);
* two articles merged in the shape of the sample (NL301): headline, captions x2, "TT",
  headline again, body; then three blank lines and the second article the same way.

A case is caught when every planted line that must be reported lies inside the range of
a finding of the expected code (for a copy, the copies after the first; the first stays).
"other code" counts cases whose planted lines are all reported but some by another
in-file code; "extra" counts findings of NL1xx-NL3xx on the article's own lines (every
one a false flag, since the BBC text is clean).

Usage:
  python bench/recall_eval.py                 # 20 articles per shape, seed 11
  python bench/recall_eval.py --n 40 --seed 3
  python bench/recall_eval.py --show cap_afp_header_x2   # list the missed cases of a shape
  python bench/recall_eval.py --out /tmp/recall          # keep the generated files

Columns: "recall" counts the cases caught by the expected code, "any code" those whose
planted lines are all reported by some in-file rule (a caption reported as a repeated
headline is caught, under the wrong name).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import string
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from merged_eval import DEFAULT_BBC, Article, load_pool  # noqa: E402

SHARED = DEFAULT_BBC.parent.parent
SAMPLE = SHARED / "samples" / "aawsat_two_articles.txt"
RAW = SHARED / "corpora" / "scrapinghub_dev" / "raw"

# Real captions, without their credits: (page they come from, caption).
CAPTIONS = [
    ("samples/aawsat_two_articles.txt", "Russian soldiers near the Red Square in Moscow"),
    ("samples/aawsat_two_articles.txt", "Sudani visiting a market in Baghdad on Thursday"),
    ("raw/dc7ccccc", "WikiLeaks founder Julian Assange"),
    ("raw/7916ecca", "Roughly 13,000 US troops remain in Afghanistan, 18 years after Washington invaded the country 2001"),
    ("raw/70cb2d5b", "Scooter Braun has managed Justin Bieber, among others, throughout his career in music"),
    ("raw/70cb2d5b", "Taylor Swift's seventh album, Lover, is the only one she owns the rights to"),
    ("raw/624fcd90", "Protesters have worn masks to protect their identities"),
    ("raw/ba4dfe2d", "The plague wiped out half of Europe in the 14th century"),
    ("raw/ba4dfe2d", "A 14th century plague doctor"),
    ("raw/702d1da6", "President Trump at the Economic Club of New York last week."),
    ("raw/ea25dd7e", "Yersinia pestis, the bacteria that cause plague, survives on fleas that live on rodents, like rats and rabbits."),
    ("raw/e1c7023e", "A reference habitation module for a crewed Mars mission compared to its hibernation-based equivalent."),
]

# Credit shapes: how a caption line (or pair of lines) is printed with its credit.
CREDITS = {
    "afp": lambda c: [f"{c} (AFP)"],
    "file": lambda c: [f"{c} [File: Reuters]"],
    "photo": lambda c: [f"{c} Photo: Getty Images"],
    "photoline": lambda c: [c, "Photo: Getty Images"],
    "bbcpair": lambda c: ["Image copyright EPA", f"Image caption {c}"],
    "none": lambda c: [c],
}

# Stray tokens as the scrapinghub pages print them (../shared/corpora/scrapinghub_dev/raw).
TOKENS = {"tt": "TT", "highlights": "Highlights", "advert": "Advertisement", "advert_upper": "ADVERTISEMENT",
          "advert_space": "Advertisement ", "share_fb": "Share this with Facebook", "readmore": "Read more",
          "readmore_upper": "READ MORE", "readmore_colon": "Read more:", "continue": "Continue reading the main story",
          "share_messenger": "Share this with Messenger", "share_whatsapp": "Share this on WhatsApp",
          "share_email": "Share this with Email", "share_colon": "Share this:", "advert_short": "Advert",
          "advertorial": "ADVERTORIAL"}

# The BBC page's menu (raw/70cb2d5b...: the page of the Taylor Swift article).
BBC_MENU = ["Home", "News", "Sport", "Weather", "iPlayer", "Sounds", "CBBC", "CBeebies", "Food", "Bitesize",
            "Arts", "Taster", "Local", "TV", "Radio", "Three", "Menu"]
SECTION = {"business": "Business", "entertainment": "Entertainment & Arts", "politics": "UK Politics",
           "sport": "Sport", "tech": "Technology"}

FILE_CODES = ("NL1", "NL2", "NL3")


class Case:
    """One generated file: its lines, and the planted lines that must be reported."""

    def __init__(self, shape: str, art: Article, lines: list[str], expect: list[tuple[int, tuple[str, ...]]],
                 planted: set[int]):
        self.shape, self.art, self.lines = shape, art, lines
        self.expect = expect  # (0-based line, codes any of which counts)
        self.planted = planted  # every planted line (0-based), reported or not
        self.path: Path | None = None
        self.result = ""
        self.extra: list[dict] = []
        self.note = ""


def body_lines(a: Article) -> list[str]:
    out: list[str] = []
    for p in a.paras:
        out += [p, ""]
    return out[:-1]


def with_header(a: Article, header: list[str]) -> tuple[list[str], int]:
    """headline, blank, `header` lines, blank, body; returns the lines and the header's first index."""
    return [a.headline, ""] + header + [""] + body_lines(a), 2


def prose_indices(a: Article) -> list[int]:
    return [i for i, p in enumerate(a.paras) if len(p.split()) >= 15 and p.rstrip().endswith((".", '"', "'"))]


# ---------------------------------------------------------------- shapes

def headline_shapes(a: Article, rng: random.Random, pool: list[Article]) -> dict[str, Case]:
    h = a.headline
    cap = f"{rng.choice(CAPTIONS)[1]} (AFP)"
    out = {}

    def mk(shape, lines, copy_at, planted=None):
        out[shape] = Case(shape, a, lines, [(copy_at, ("NL101",))], planted or {copy_at})

    b = body_lines(a)
    mk("head_exact", [h, "", h, ""] + b, 2)
    mk("head_adjacent", [h, h, ""] + b, 1)
    mk("head_upper", [h, "", h.upper(), ""] + b, 2)
    mk("head_capwords", [h, "", string.capwords(h), ""] + b, 2)
    mk("head_site_on_copy", [h, "", f"{h} | BBC News", ""] + b, 2)
    # the page title above the headline: either line may be the one reported
    mk("head_site_on_first", [f"{h} | BBC News", "", h, ""] + b, (0, 2), {0, 2})
    mk("head_dash_site_on_first", [f"{h} - BBC News", "", h, ""] + b, (0, 2), {0, 2})
    mk("head_kicker_between", [h, "", SECTION[a.cat], "", h, ""] + b, 4, {2, 4})
    out["head_kicker_between"].expect = [(4, ("NL101",))]
    mk("head_caption_between", [h, "", cap, "", h, ""] + b, 4, {2, 4})
    mk("head_trailing_space", [h, "", h + " ", ""] + b, 2)
    mk("head_trailing_period", [h, "", h + ".", ""] + b, 2)
    return out


def caption_shapes(a: Article, rng: random.Random, pool: list[Article]) -> dict[str, Case]:
    out = {}
    cap = rng.choice(CAPTIONS)[1]
    ps = prose_indices(a)
    for credit, form in CREDITS.items():
        unit = form(cap)
        codes = ("NL102",) if credit != "none" else ("NL101", "NL102")
        for n in (2, 4):
            # header zone, one block: headline, blank, copies, blank, body
            block = unit * n
            lines, at = with_header(a, block)
            add(out, f"cap_{credit}_header_x{n}", a, lines, at, len(unit), n, codes)
            # header zone, two blocks (the sample's shape without the headline between)
            half = unit * (n // 2)
            lines = [a.headline, ""] + half + [""] + half + [""] + body_lines(a)
            starts = [2 + k * len(unit) for k in range(n // 2)] + \
                     [3 + len(half) + k * len(unit) for k in range(n // 2)]
            add_at(out, f"cap_{credit}_header2_x{n}", a, lines, starts, len(unit), codes)
            # in the body, after the second prose paragraph
            if len(ps) >= 3:
                k = ps[1]
                b = body_lines(a)
                cut = 2 * (k + 1)  # after paragraph k and its blank line
                lines = [a.headline, ""] + b[:cut] + block + [""] + b[cut:]
                add(out, f"cap_{credit}_body_x{n}", a, lines, 2 + cut, len(unit), n, codes)
    # one copy with its credit, the other without (an image size that prints no credit)
    # (either copy may be the one reported: the one without the credit is the safe deletion)
    lines, at = with_header(a, [f"{cap} (AFP)", cap])
    out["cap_mixed_credit_header"] = Case("cap_mixed_credit_header", a, lines, [((at, at + 1), ("NL102",))],
                                          {at, at + 1})
    if len(ps) >= 3:
        b = body_lines(a)
        cut = 2 * (ps[1] + 1)
        lines = [a.headline, ""] + b[:cut] + [cap, f"{cap} (AFP)", ""] + b[cut:]
        out["cap_mixed_credit_body"] = Case("cap_mixed_credit_body", a, lines,
                                            [((2 + cut, 3 + cut), ("NL102",))], {2 + cut, 3 + cut})
    return out


def add(out, shape, a, lines, at, size, n, codes):
    add_at(out, shape, a, lines, [at + k * size for k in range(n)], size, codes)


def add_at(out, shape, a, lines, starts, size, codes):
    planted = {s + j for s in starts for j in range(size)}
    # the copies after the first must be reported; a credit-only line (a line of the pair
    # that is only a credit) may be reported by NL204 as well
    expect = []
    for s in starts[1:]:
        for j in range(size):
            t = lines[s + j].strip()
            only_credit = t in ("Image copyright EPA", "Photo: Getty Images")
            expect.append((s + j, codes + (("NL204", "NL201") if only_credit else ())))
    out[shape] = Case(shape, a, lines, expect, planted)


def token_shapes(a: Article, rng: random.Random, pool: list[Article]) -> dict[str, Case]:
    out = {}
    b = body_lines(a)
    for name, tok in TOKENS.items():
        lines, at = with_header(a, [tok])
        out[f"tok_{name}_header"] = Case(f"tok_{name}_header", a, lines, [(at, ("NL201",))], {at})
        if len(a.paras) >= 3:
            cut = 4  # after two paragraphs and their blank lines
            lines = [a.headline, ""] + b[:cut] + [tok, ""] + b[cut:]
            out[f"tok_{name}_body"] = Case(f"tok_{name}_body", a, lines, [(2 + cut, ("NL201",))], {2 + cut})
            lines = [a.headline, ""] + b[:cut - 1] + [tok] + b[cut - 1:]
            out[f"tok_{name}_glued"] = Case(f"tok_{name}_glued", a, lines, [(1 + cut, ("NL201",))], {1 + cut})
        lines = [a.headline, ""] + b + ["", tok]
        out[f"tok_{name}_end"] = Case(f"tok_{name}_end", a, lines, [(len(lines) - 1, ("NL201",))], {len(lines) - 1})
    return out


def chrome_shapes(a: Article, rng: random.Random, pool: list[Article]) -> dict[str, Case]:
    out = {}
    others = [o.headline for o in rng.sample(pool, 8) if o.cat == a.cat and o.headline != a.headline][:4]
    while len(others) < 4:
        o = rng.choice(pool)
        if o.headline != a.headline and o.headline not in others:
            others.append(o.headline)
    b = body_lines(a)
    for label in ("Related Stories", "More on this story", "Most Read"):
        key = label.split()[0].lower()
        lines = [a.headline, ""] + b + ["", label, ""] + others
        n0 = len(lines) - 4
        out[f"chrome_related_{key}"] = Case(f"chrome_related_{key}", a, lines,
                                            [(n0 + k, ("NL203",)) for k in range(4)], set(range(n0 - 2, len(lines))))
        lines = [a.headline, ""] + b + ["", label] + others
        n0 = len(lines) - 4
        out[f"chrome_related_{key}_block"] = Case(f"chrome_related_{key}_block", a, lines,
                                                  [(n0 + k, ("NL203",)) for k in range(4)],
                                                  set(range(n0 - 1, len(lines))))
    # the list bulleted, and the list with the page's share bar under it
    lines = [a.headline, ""] + b + ["", "Related Stories", ""] + [f"- {o}" for o in others]
    n0 = len(lines) - 4
    out["chrome_related_bulleted"] = Case("chrome_related_bulleted", a, lines,
                                          [(n0 + k, ("NL203",)) for k in range(4)], set(range(n0 - 2, len(lines))))
    lines = [a.headline, ""] + b + ["", "Related Stories", ""] + others + ["", "Share this page"]
    n0 = len(lines) - 6
    out["chrome_related_share"] = Case("chrome_related_share", a, lines,
                                       [(n0 + k, ("NL203",)) for k in range(4)], set(range(n0 - 2, len(lines))))
    lines = BBC_MENU + [""] + [a.headline, ""] + b
    out["chrome_menu_top"] = Case("chrome_menu_top", a, lines, [(k, ("NL203",)) for k in range(len(BBC_MENU))],
                                  set(range(len(BBC_MENU))))
    return out


def paragraph_shapes(a: Article, rng: random.Random, pool: list[Article]) -> dict[str, Case]:
    out = {}
    ps = prose_indices(a)
    if len(ps) < 3:
        return out
    k = ps[1]
    p = a.paras[k]
    b = body_lines(a)
    cut = 2 * (k + 1)

    def plant(shape, copy, code, at_end=False):
        if at_end:
            lines = [a.headline, ""] + b + ["", copy]
            at = len(lines) - 1
        else:
            lines = [a.headline, ""] + b[:cut] + [copy, ""] + b[cut:]
            at = 2 + cut
        out[shape] = Case(shape, a, lines, [(at, (code,))], {at})

    plant("para_exact_next", p, "NL103")
    plant("para_exact_end", p, "NL103", at_end=True)
    plant("para_trailing_space", p + " ", "NL103")
    first = p.split(" ", 1)
    plant("para_case", first[0].upper() + " " + first[1], "NL103")
    curly = p.replace('"', "\u201c", 1).replace('"', "\u201d", 1) if '"' in p else p.replace("'", "\u2019")
    if curly != p:
        plant("para_curly_quotes", curly, "NL103")
    # small edits (NL104)
    words = p.split()
    swaps = [("said", "says"), ("says", "said"), ("has", "had"), ("will", "would"), ("is", "was"), ("the", "a")]
    for old, new in swaps:
        if old in words:
            i = words.index(old)
            plant("near_word_swap", " ".join(words[:i] + [new] + words[i + 1:]), "NL104")
            plant("near_word_swap_end", " ".join(words[:i] + [new] + words[i + 1:]), "NL104", at_end=True)
            break
    digits = [i for i, w in enumerate(words) if re.search(r"\d", w)]
    if digits:
        i = digits[0]
        w = re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), words[i], count=1)
        plant("near_number", " ".join(words[:i] + [w] + words[i + 1:]), "NL104")
    longw = [i for i, w in enumerate(words) if len(w) >= 7 and w.isalpha()]
    if longw:
        i = longw[len(longw) // 2]
        w = words[i][:3] + words[i][4:]
        plant("near_typo", " ".join(words[:i] + [w] + words[i + 1:]), "NL104")
    plant("near_word_dropped", " ".join(words[:len(words) // 2] + words[len(words) // 2 + 1:]), "NL104")
    if longw and digits:
        i, j = longw[len(longw) // 2], digits[0]
        two = list(words)
        two[i] = two[i][:3] + two[i][4:]
        two[j] = re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), two[j], count=1)
        plant("near_two_edits", " ".join(two), "NL104")
    # the copy with the closing words of the article's next paragraph appended (a re-paste
    # that ran on), kept within the 90% threshold by taking at most a tenth more words
    nxt = a.paras[k + 1].split() if k + 1 < len(a.paras) else []
    extra = nxt[:max(1, len(words) // 12)]
    if extra:
        plant("near_run_on", p + " " + " ".join(extra), "NL104")
    return out


def merged_shapes(a: Article, rng: random.Random, pool: list[Article]) -> dict[str, Case]:
    other = rng.choice([o for o in pool if o.cat != a.cat])
    c1, c2 = rng.sample(CAPTIONS, 2)

    def sample_form(art, cap):
        return [art.headline, "", f"{cap[1]} (AFP)", f"{cap[1]} (AFP)", "TT", "", art.headline, ""] + body_lines(art)

    first = sample_form(a, c1)
    lines = first + ["", "", ""] + sample_form(other, c2)
    at = len(first) + 3
    headers = set(range(7)) | set(range(at, at + 7))  # the captions, tokens and headline copies
    out = {"merged_sample_form": Case("merged_sample_form", a, lines, [(at, ("NL301",))], headers)}
    first = [a.headline, ""] + body_lines(a)
    lines = first + ["", "", f"{other.headline} | BBC News", ""] + body_lines(other)
    at = len(first) + 2
    out["merged_site_title"] = Case("merged_site_title", a, lines, [(at, ("NL301",))], {at})
    return out


FAMILIES = [headline_shapes, caption_shapes, token_shapes, chrome_shapes, paragraph_shapes, merged_shapes]


# ---------------------------------------------------------------- run and score

def generate(pool: list[Article], n: int, seed: int, out: Path) -> list[Case]:
    rng = random.Random(seed)
    arts = [a for a in pool if len(prose_indices(a)) >= 3]
    chosen = rng.sample(arts, n)
    cases = []
    for i, a in enumerate(chosen):
        for fam in FAMILIES:
            for shape, c in fam(a, random.Random(f"{seed}-{i}-{fam.__name__}"), pool).items():
                d = out / shape
                d.mkdir(parents=True, exist_ok=True)
                c.path = d / f"{i:03d}.txt"
                c.path.write_text("\n".join(c.lines) + "\n", encoding="utf-8")
                cases.append(c)
    return cases


def run(out: Path) -> dict[str, list[dict]]:
    cmd = [sys.executable, "-m", "newslint", "check", str(out), "--isolated", "--no-cache", "--exit-zero",
           "--config", "duplicates.enabled = false", "--output-format", "json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8")
    if proc.returncode != 0:
        sys.exit(f"newslint failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    found: dict[str, list[dict]] = defaultdict(list)
    for it in json.loads(proc.stdout or "[]"):
        found[str(Path(it["filename"]).resolve())].append(it)
    return found


def score(c: Case, findings: list[dict]) -> None:
    spans = [(f["code"], f["location"]["row"] - 1, f["end_location"]["row"] - 1) for f in findings
             if f["code"].startswith(FILE_CODES)]

    def codes_at(line):  # a tuple of lines: any of them
        lines = line if isinstance(line, tuple) else (line,)
        return {code for code, a, b in spans for x in lines if a <= x <= b}

    right = all(codes_at(line) & set(codes) for line, codes in c.expect)
    anyc = all(codes_at(line) for line, _ in c.expect)
    c.result = "caught" if right else "other code" if anyc else "missed"
    # a finding off the planted lines is a false flag, and so is NL301 where only one
    # article was planted (a repeated caption taken for a second article's headline)
    c.extra = [f for f in findings if f["code"].startswith(FILE_CODES)
               and (not any(f["location"]["row"] - 1 <= p <= f["end_location"]["row"] - 1 for p in c.planted)
                    or f["code"] == "NL301" and not c.shape.startswith("merged"))]
    if c.result != "caught":
        c.note = "; ".join(f"line {line + 1 if isinstance(line, int) else [x + 1 for x in line]} {sorted(codes_at(line)) or '-'}" for line, _ in c.expect
                           if not codes_at(line) & set(_))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20, help="articles per shape")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", type=Path, help="keep the generated files here")
    ap.add_argument("--show", action="append", default=[], help="list the misses of a shape (prefix)")
    args = ap.parse_args(argv)
    pool, _ = load_pool(DEFAULT_BBC)
    tmp = Path(tempfile.mkdtemp(prefix="recall-")) if args.out is None else args.out
    if args.out is not None and args.out.exists():
        shutil.rmtree(args.out)
    try:
        cases = generate(pool, args.n, args.seed, tmp)
        found = run(tmp)
        by_shape: dict[str, list[Case]] = defaultdict(list)
        for c in cases:
            score(c, found.get(str(c.path.resolve()), []))
            by_shape[c.shape].append(c)
        print(f"{'shape':34} {'cases':>5} {'recall':>7} {'any code':>8} {'extra':>6}")
        fam_tot: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for shape, cs in by_shape.items():
            k = sum(c.result == "caught" for c in cs)
            o = sum(c.result == "other code" for c in cs)
            x = sum(len(c.extra) for c in cs)
            print(f"{shape:34} {len(cs):5} {k / len(cs):7.0%} {(k + o) / len(cs):8.0%} {x:6}")
            fam = shape.split("_")[0]
            fam_tot[fam][0] += k
            fam_tot[fam][1] += len(cs)
            fam_tot[fam][2] += k + o
            fam_tot[fam][3] += x
        print()
        for fam, (k, n, ko, x) in fam_tot.items():
            print(f"{fam:10} right code {k}/{n} = {k / n:.1%}, any code {ko / n:.1%}, extra {x}")
        for prefix in args.show:
            for c in cases:
                if c.shape.startswith(prefix) and (c.result != "caught" or c.extra):
                    print(f"\n{c.shape} {c.art.rel} -> {c.path}: {c.result} {c.note}")
                    for f in c.extra:
                        print(f"   extra: {f['location']['row']}: {f['code']} {f['message']}")
                    lo = min(c.planted)
                    for j in range(max(0, lo - 3), min(len(c.lines), max(c.planted) + 3)):
                        print(f"   {j + 1:3} {'*' if j in c.planted else ' '} {c.lines[j][:110]}")
    finally:
        if args.out is None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
