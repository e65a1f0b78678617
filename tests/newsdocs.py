"""Helpers for the reliability, property and fuzz tests: real text with injected defects.

Documents are built from real BBC articles (headline + body paragraphs) and the real
photo captions of the Asharq Al-Awsat sample, read from ../shared at run time (never
copied into the tests), with the defects scrapers really leave injected: the headline
printed again, a caption printed several times, pack-listed page tokens ("TT",
"Advertisement", share bars) and duplicated paragraphs. Line endings, the final
newline, a BOM and the encoding are varied on top.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLE = SHARED / "samples" / "aawsat_two_articles.txt"
BBC = SHARED / "corpora" / "bbc" / "articles"
SCRAPED_RAW = SHARED / "corpora" / "scrapinghub_dev" / "raw"
LATIN1_FILE = BBC / "sport" / "199.txt"  # the corpus' one real Latin-1 file

# Whole-line page tokens listed by the shipped boilerplate pack (rules/boilerplate.toml).
BOILERPLATE = ("TT", "Advertisement", "Share this article", "Continue reading the main story",
               "Facebook Twitter WhatsApp Email")

_TERMINATOR = re.compile(r"\r\n|\r|\n")


def need_shared(path: Path = SHARED) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is missing: these tests read real text from ../shared beside the checkout")
    return path


@dataclass(frozen=True)
class Article:
    name: str
    headline: str
    paragraphs: tuple[str, ...]


@functools.lru_cache(maxsize=None)
def bbc_articles(per_category: int = 8) -> tuple[Article, ...]:
    """A fixed selection of valid UTF-8 BBC articles with at least three paragraphs."""
    if not BBC.exists():
        return ()
    out = []
    for cat in sorted(p for p in BBC.iterdir() if p.is_dir()):
        n = 0
        for f in sorted(cat.glob("*.txt")):
            try:
                text = f.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            lines = [ln.strip() for ln in text.splitlines()]
            paras = tuple(ln for ln in lines[1:] if ln)
            if len(paras) >= 3 and lines[0]:
                out.append(Article(f"{cat.name}/{f.name}", lines[0], paras))
                n += 1
            if n >= per_category:
                break
    return tuple(out)


@functools.lru_cache(maxsize=None)
def sample_captions() -> tuple[str, ...]:
    """The photo captions of the real sample (lines printed more than once with a credit)."""
    if not SAMPLE.exists():
        return ()
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    return tuple(sorted({ln for ln in lines if ln.endswith(")") and lines.count(ln) > 1}))


def split_keepends(text: str) -> list[str]:
    """Lines with their own terminators, split the way newslint's parser splits them."""
    out, pos = [], 0
    for m in _TERMINATOR.finditer(text):
        out.append(text[pos:m.end()])
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
    return out


def join_lines(lines: list[str], endings: list[str], final_newline: bool) -> str:
    """Join lines; `endings[i]` ends line i (the last one only with `final_newline`)."""
    parts = []
    for i, ln in enumerate(lines):
        parts.append(ln)
        if i + 1 < len(lines) or final_newline:
            parts.append(endings[i])
    return "".join(parts)


@functools.lru_cache(maxsize=None)
def linter_and_rules():
    """The default linter exactly as `newslint check` builds it without a config file."""
    from newslint.config import Settings
    from newslint.runner import CheckOptions, LinterFactory

    return LinterFactory(CheckOptions()).get(Settings())


def default_linter():
    return linter_and_rules()[0]


@functools.lru_cache(maxsize=None)
def builtin_packs():
    from newslint.packs import load_builtin_packs

    return load_builtin_packs(None)


def safe_pack_lines(doc) -> set[int]:
    """Indices of lines a shipped pack lists as whole-line boilerplate with a safe fix."""
    out = set()
    for pack in builtin_packs():
        for rule in pack.rules:
            if rule.kind == "line" and rule.fix == "safe":
                out.update(m.whole_line for m in rule.matches(doc))
    return out


def source_of(text: str, path: str | None = None, encoding: str = "utf-8", bom: bool = False):
    from newslint.source import Source, dominant_newline

    return Source(path, text, encoding, bom, dominant_newline(text))


def fix_text(text: str, unsafe: bool = False) -> list[str]:
    """The fixed text (and split-off parts, with unsafe fixes) of `text`."""
    parts, _, _ = default_linter().fix(source_of(text), unsafe)
    return [p.text for p in parts]


def with_defects(article: Article, caption: str, *, headline_copies=1, caption_copies=2, tokens=("TT",),
                 duplicate=(1,), body=6) -> list[str]:
    """Lines of one article the way a scraper saves it (blank lines between blocks)."""
    paras = list(article.paragraphs[:body])
    header = [caption] * caption_copies + list(tokens)
    blocks = [[article.headline], header] if header else [[article.headline]]
    for _ in range(headline_copies):
        blocks.append([article.headline])
    blocks += [[p] for p in paras]
    for i in duplicate:
        if i < len(paras):
            blocks.append([paras[i]])
    lines: list[str] = []
    for k, b in enumerate(blocks):
        if k:
            lines.append("")
        lines.extend(b)
    return lines


def newslint(*args, cwd, timeout=120, process=False) -> subprocess.CompletedProcess:
    """`newslint ARGS` run from `cwd` (so its results cache stays there): in this process
    by default (fast), or as a real process with `process=True`."""
    if process:
        return subprocess.run([sys.executable, "-m", "newslint", *map(str, args)], cwd=cwd, capture_output=True,
                              text=True, timeout=timeout, env={**os.environ, "NO_COLOR": "1"})
    from click.testing import CliRunner

    from newslint.cli import main

    old = os.getcwd()
    os.chdir(cwd)
    try:
        res = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return subprocess.CompletedProcess(args, res.exit_code, res.stdout, res.stderr)
