"""Which files a check compares the checked files with: the git repository that holds them.

A hook or CI run passes a few files; the cross-file rules (NL401-NL403, NL202) compare them
with every file of the repository. These tests build real git repositories of BBC articles
and run `newslint check` as a process, as a hook runs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import BBC, need

SOURCES = ["business/001.txt", "business/002.txt", "politics/003.txt", "sport/004.txt", "tech/005.txt"]


def git(repo: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


def newsroom(root: Path) -> Path:
    """A repository of five BBC articles, committed, and a copy of one staged under a new name."""
    need(BBC)
    root.mkdir(parents=True)
    for rel in SOURCES:
        (root / rel.replace("/", "-")).write_bytes((BBC / rel).read_bytes())
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "articles")
    shutil.copy(root / "politics-003.txt", root / "copy.txt")
    git(root, "add", "copy.txt")
    return root


def check(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newslint", "check", "--no-cache", *args], cwd=cwd,
                          capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1", **(env or {})},
                          timeout=120)


def test_the_copy_is_found_against_the_repository(tmp_path):
    repo = newsroom(tmp_path / "news")
    res = check("copy.txt", cwd=repo)
    assert "copy.txt:1:1: NL401 Duplicate article: identical after normalisation to politics-003.txt" in res.stdout
    assert res.returncode == 1


def test_a_repository_git_cannot_read_is_said_not_passed_silently(tmp_path):
    """A linked worktree whose main repository moved: git fails there ("not a git repository"),
    and the hook compared the staged copy with nothing and passed, saying nothing (found by a
    review; the same with git missing from PATH, or a repository owned by another user)."""
    repo = newsroom(tmp_path / "news")
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"))
    wt = tmp_path / "wt"
    shutil.copy(wt / "politics-003.txt", wt / "copy.txt")
    assert "NL401" in check("copy.txt", cwd=wt).stdout  # the worktree works while its repository is there
    repo.rename(tmp_path / "moved")
    res = check("copy.txt", cwd=wt)
    assert "NL401" not in res.stdout
    assert "note: git failed: fatal: not a git repository" in res.stderr
    assert "the cross-file rules compared only the files given" in res.stderr
    assert res.returncode == 0 and "Traceback" not in res.stderr


def test_git_missing_from_path_is_said(tmp_path):
    repo = newsroom(tmp_path / "news")
    empty = tmp_path / "no-git"
    empty.mkdir()
    res = check("copy.txt", cwd=repo, env={"PATH": str(empty)})
    assert "note: git cannot be run" in res.stderr and "compared only the files given" in res.stderr
    assert res.returncode == 0 and "Traceback" not in res.stderr


def test_outside_any_repository_there_is_nothing_to_say(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    for rel in SOURCES[:2]:
        (plain / rel.replace("/", "-")).write_bytes((need(BBC) / rel).read_bytes())
    res = check("business-001.txt", cwd=plain)
    assert res.returncode == 0 and res.stderr == "", res.stderr


def test_the_repository_is_the_checked_file_s_own_wherever_the_run_starts(tmp_path):
    """Run from outside the repository the copy was compared with nothing (exit 0); run from
    another repository, with that one's files (found by a review)."""
    repo = newsroom(tmp_path / "news")
    other = newsroom(tmp_path / "other")  # holds the same articles: never this run's corpus
    target = str(repo / "copy.txt")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    for cwd in (outside, other):
        res = check(target, cwd=cwd)
        assert "NL401 Duplicate article: identical after normalisation to " in res.stdout, (cwd, res.stdout)
        named = res.stdout.split("normalisation to ")[1].splitlines()[0]
        assert named == os.path.relpath(repo / "politics-003.txt", cwd), named  # this repository's file only
        assert res.returncode == 1 and res.stderr == "", res.stderr
