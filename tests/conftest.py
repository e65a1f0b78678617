"""Shared fixtures. Real text comes from ../shared (the sample file and the corpora)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = SHARED / "samples" / "aawsat_two_articles.txt"
EXPECTED = SHARED / "samples" / "expected" / "aawsat_two_articles.txt"
EXPECTED_SPLIT = SHARED / "samples" / "expected" / "split"
BBC = SHARED / "corpora" / "bbc" / "articles"
SCRAPED = SHARED / "corpora" / "scrapinghub_dev"
# A prose line of the sample's second article (0-based), printed again at the file's end by the
# tests that need a new repeat: inside one article, as NL103 looks for them in a merged file
# (a paragraph both articles hold is each one's own text).
SECOND_ARTICLE_PARAGRAPH = 48


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is missing: these tests read ../shared beside the checkout")
    return path


@pytest.fixture(autouse=True)
def _not_in_a_ci_checkout(monkeypatch):
    """CI reports are relative to CI_PROJECT_DIR / GITHUB_WORKSPACE when set: a CI
    running these tests must not move the paths they assert."""
    monkeypatch.delenv("CI_PROJECT_DIR", raising=False)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)


@pytest.fixture(autouse=True)
def _collector_as_found():
    """A check in this process freezes what it keeps out of the cycle collector's way
    (newslint.gcpause), which a CLI run ends soon after; a thousand tests in one process
    would keep each test's cyclic garbage frozen, so each test's frozen objects go back to
    the collector when it ends."""
    import gc

    yield
    gc.unfreeze()
    gc.enable()


@pytest.fixture
def sample(tmp_path) -> Path:
    """A writable copy of the real merged sample file."""
    dst = tmp_path / SAMPLE.name
    dst.write_bytes(need(SAMPLE).read_bytes())
    dst.chmod(0o644)
    return dst


@pytest.fixture
def cli():
    """Run `newslint ARGS` in-process; returns click's Result (exit_code, stdout, stderr)."""
    from newslint.cli import main

    def run(*args, input=None):
        return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    return run


def run_newslint(*args, cwd=None, input=None, timeout=600) -> subprocess.CompletedProcess:
    """Run newslint as a real process (as pre-commit and CI do). The timeout only turns a
    hang into a failure; no test asserts how fast anything is (that is bench/'s job)."""
    return subprocess.run(
        [sys.executable, "-m", "newslint", *map(str, args)],
        cwd=cwd, input=input, capture_output=True, env={**os.environ, "NO_COLOR": "1"}, timeout=timeout,
    )


def bbc_excerpt(rel: str) -> str:
    return (need(BBC) / rel).read_text(encoding="utf-8")


def copy_tree(src: Path, dst: Path) -> Path:
    """A writable copy of a ../shared folder (whose folders are 0555 and files 0444: a fix
    writes into the folder, and newslint does not write into a read-only one, root or not)."""
    shutil.copytree(src, dst)
    dst.chmod(0o755)
    for p in dst.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    return dst
