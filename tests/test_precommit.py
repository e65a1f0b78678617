"""The pre-commit hooks, driven through the real `pre-commit` binary in temporary git
repositories, the way a content repo meets newslint: `pre-commit try-repo` against this
checkout, and real `git commit`s through hooks installed with `pre-commit install`.

pre-commit builds a virtualenv and pip-installs this checkout into it (needs PyPI; 20-50 s).
`try-repo` does that on every call (it uses a throw-away store), so it is used once; the
other tests share one store (PRE_COMMIT_HOME) holding one install of the same commit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import BBC, EXPECTED, EXPECTED_SPLIT, ROOT, SAMPLE, need

pytestmark = pytest.mark.slow

PRE_COMMIT = shutil.which("pre-commit")
if PRE_COMMIT is None:
    pytestmark = [pytest.mark.slow, pytest.mark.skip(reason="needs the pre-commit binary (pip install pre-commit)")]

# A real near-duplicate pair from the BBC corpus (word 5-gram Jaccard 0.92: the second
# is the first with one clause cut), see ../shared/corpora/bbc/pairs_jaccard_ge_0.5.csv.
NEAR_DUP_PAIR = ("entertainment/079.txt", "entertainment/331.txt")


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}  # e.g. when run from a git hook
    env.update(
        PRE_COMMIT_HOME=str(home),
        PRE_COMMIT_COLOR="never",
        NO_COLOR="1",
        GIT_AUTHOR_NAME="newslint tests",
        GIT_AUTHOR_EMAIL="tests@newslint.invalid",
        GIT_COMMITTER_NAME="newslint tests",
        GIT_COMMITTER_EMAIL="tests@newslint.invalid",
    )
    return env


def _git(cwd: Path, *args: str, env: dict) -> str:
    out = subprocess.run(["git", *args], check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, f"git {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}"
    return out.stdout


class HookRepo(NamedTuple):
    path: Path  # this checkout, or a committed snapshot of its working tree
    ref: str
    home: Path  # the shared PRE_COMMIT_HOME


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory) -> HookRepo:
    """This checkout as a hook repository.

    A clean checkout is used as it is, at HEAD. With uncommitted work, try-repo's own
    snapshot (`git add -u`) would leave out files that are not yet tracked (a new
    reporter module, or .pre-commit-hooks.yaml itself), so the working tree, untracked
    files included (ignored ones excluded), is committed into a scratch repository and
    that commit is used instead.
    """
    if not (ROOT / ".git").exists():
        pytest.skip("the checkout is not a git repository; pre-commit needs one")
    if not (ROOT / ".pre-commit-hooks.yaml").is_file():
        pytest.fail(".pre-commit-hooks.yaml is missing from the checkout")
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = _env(home)
    status = _git(ROOT, "status", "--porcelain", "--untracked-files=all", env=env)
    if not status.strip():
        return HookRepo(ROOT, _git(ROOT, "rev-parse", "HEAD", env=env).strip(), home)
    snap = tmp_path_factory.mktemp("checkout-snapshot")
    listed = _git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard", env=env)
    for rel in filter(None, listed.split("\0")):
        src = ROOT / rel
        if not src.is_file():  # deleted in the working tree
            continue
        dst = snap / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
    _git(snap, "init", "-q", env=env)
    _git(snap, "add", "-A", env=env)
    _git(snap, "commit", "-q", "--no-verify", "-m", "working tree of the newslint checkout", env=env)
    return HookRepo(snap, _git(snap, "rev-parse", "HEAD", env=env).strip(), home)


def _config(hook_repo: HookRepo, *hook_ids: str, args: list[str] | None = None) -> str:
    """A content repo's .pre-commit-config.yaml using our hooks (what try-repo writes),
    each with the user's `args:` when given."""
    import json

    given = f"        args: {json.dumps(args)}\n" if args is not None else ""
    hooks = "".join(f"      - id: {h}\n{given}" for h in hook_ids)
    return f"repos:\n  - repo: {hook_repo.path}\n    rev: {hook_repo.ref}\n    hooks:\n{hooks}"


def _run(hook_repo: HookRepo, cwd: Path, argv: list[str]) -> subprocess.CompletedProcess:
    """Run with the hook repo's HOME; `.output` is stdout + stderr."""
    out = subprocess.run(argv, check=False, cwd=cwd, env=_env(hook_repo.home), capture_output=True, text=True,
                         timeout=600)
    out.output = out.stdout + out.stderr  # type: ignore[attr-defined]
    return out


def _pre_commit(hook_repo: HookRepo, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return _run(hook_repo, cwd, [PRE_COMMIT, *args])


@pytest.fixture(scope="session")
def installed(hook_repo, tmp_path_factory) -> HookRepo:
    """The hooks' environment, built once in the shared store."""
    scratch = tmp_path_factory.mktemp("install")
    _git(scratch, "init", "-q", env=_env(hook_repo.home))
    (scratch / ".pre-commit-config.yaml").write_text(_config(hook_repo, "newslint", "newslint-fix"))
    out = _pre_commit(hook_repo, scratch, "install-hooks")
    assert out.returncode == 0, out.output
    return hook_repo


@pytest.fixture
def content_repo(tmp_path, hook_repo):
    """An empty git repository standing in for a news content repo."""
    repo = tmp_path / "content"
    repo.mkdir()
    _git(repo, "init", "-q", env=_env(hook_repo.home))
    return repo


def _use_hooks(hook_repo: HookRepo, repo: Path, *hook_ids: str, extra: dict | None = None,
               args: list[str] | None = None):
    """Commit a config using `hook_ids` (with `args`, plus `extra` files) and `pre-commit install`."""
    env = _env(hook_repo.home)
    (repo / ".pre-commit-config.yaml").write_text(_config(hook_repo, *hook_ids, args=args))
    for name, text in (extra or {}).items():
        (repo / name).write_text(text, encoding="utf-8")
    _git(repo, "add", "-A", env=env)
    _git(repo, "commit", "-q", "--no-verify", "-m", "use newslint", env=env)
    out = _pre_commit(hook_repo, repo, "install")
    assert out.returncode == 0, out.output


def _commit(hook_repo: HookRepo, repo: Path, message: str) -> subprocess.CompletedProcess:
    return _run(hook_repo, repo, ["git", "commit", "-m", message])


def _commits(hook_repo: HookRepo, repo: Path) -> int:
    return int(_git(repo, "rev-list", "--count", "HEAD", env=_env(hook_repo.home)))


def _shown(out, finding: str) -> bool:
    return finding in out.output


SAMPLE_FINDINGS = (  # file:line:col: code, as the hook prints them
    f"{SAMPLE.name}:7:1: NL101",
    f"{SAMPLE.name}:4:1: NL102",
    f"{SAMPLE.name}:5:1: NL201",
    f"{SAMPLE.name}:36:1: NL301",
)


def test_manifest_and_own_config_are_valid():
    """The hooks manifest and the project's own config pass pre-commit's validators,
    and the hooks say what the issue asks for."""
    import yaml

    for sub, name in (("validate-manifest", ".pre-commit-hooks.yaml"), ("validate-config", ".pre-commit-config.yaml")):
        out = subprocess.run(
            [PRE_COMMIT, sub, str(ROOT / name)], check=False, capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0, out.stdout + out.stderr
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"newslint", "newslint-fix"}
    for h in hooks.values():
        assert h["language"] == "python"
        assert h["require_serial"] is True
        assert set(h["types_or"]) == {"text", "markdown"}
        assert "--force-exclude" in h["entry"]
    assert "--fix" not in hooks["newslint"]["entry"] and "--fix" in hooks["newslint-fix"]["entry"]

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    ids = {h["id"] for repo in config["repos"] for h in repo["hooks"]}
    assert {"ruff-check", "trailing-whitespace", "end-of-file-fixer"} <= ids
    assert any(r["repo"] == "https://github.com/astral-sh/ruff-pre-commit" for r in config["repos"])


def test_own_code_passes_its_ruff_hook():
    """`ruff check` of the version .pre-commit-config.yaml pins, on this checkout, with the rules
    pyproject.toml selects: what the hook runs on a developer's commit. (pre-commit itself would
    fetch ruff-pre-commit from GitHub; the same ruff comes from PyPI with the test extras.)"""
    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    rev = next(r["rev"] for r in config["repos"] if r["repo"] == "https://github.com/astral-sh/ruff-pre-commit")
    import importlib.util
    import sys

    # not a skip: the test extras install ruff, so a missing one is a broken set-up
    assert importlib.util.find_spec("ruff") is not None, "ruff is missing: pip install -e '.[test]'"
    ruff = [sys.executable, "-m", "ruff"]
    version = subprocess.run(ruff + ["--version"], check=True, capture_output=True, text=True).stdout.split()[-1]
    assert f"v{version}" == rev, f"the test extras install ruff {version}, the hook pins {rev}"
    out = subprocess.run(ruff + ["check", "--no-cache", "."], cwd=ROOT, check=False, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-1000:]


def test_try_repo_on_the_staged_sample_fails_with_the_findings(hook_repo, content_repo):
    """`pre-commit try-repo CHECKOUT newslint` with the sample staged: what a commit would run."""
    shutil.copyfile(need(SAMPLE), content_repo / SAMPLE.name)
    _git(content_repo, "add", SAMPLE.name, env=_env(hook_repo.home))

    out = _pre_commit(hook_repo, content_repo, "try-repo", str(hook_repo.path), "newslint", "--ref", hook_repo.ref)

    assert out.returncode == 1, out.output
    assert "Failed" in out.output and "- hook id: newslint" in out.output
    for finding in SAMPLE_FINDINGS:  # the findings themselves are shown
        assert _shown(out, finding), out.output
    assert (content_repo / SAMPLE.name).read_bytes() == SAMPLE.read_bytes()  # the check hook never writes


def test_committing_the_sample_fails_with_the_findings(installed, content_repo):
    _use_hooks(installed, content_repo, "newslint")
    shutil.copyfile(need(SAMPLE), content_repo / SAMPLE.name)
    _git(content_repo, "add", SAMPLE.name, env=_env(installed.home))

    out = _commit(installed, content_repo, "add the merged file")

    assert out.returncode != 0, out.output
    assert _commits(installed, content_repo) == 1  # only the config commit: this one was refused
    for finding in SAMPLE_FINDINGS:
        assert _shown(out, finding), out.output


def test_fix_hook_rewrites_and_the_next_commit_passes(installed, content_repo):
    # The content repo opts into unsafe fixes, so the merged file is split too and the
    # commit can pass (with safe fixes only, NL301 is left for a human: next test).
    _use_hooks(installed, content_repo, "newslint-fix", "newslint", extra={"newslint.toml": "unsafe-fixes = true\n"})
    env = _env(installed.home)
    shutil.copyfile(need(SAMPLE), content_repo / SAMPLE.name)
    _git(content_repo, "add", SAMPLE.name, env=env)

    first = _commit(installed, content_repo, "add the merged file")

    assert first.returncode != 0, first.output  # pre-commit fails a hook that changed files
    assert "files were modified by this hook" in first.output, first.output
    assert _commits(installed, content_repo) == 1
    stem = SAMPLE.stem
    for name in (f"{stem}.txt", f"{stem}-2.txt"):
        assert (content_repo / name).read_bytes() == (need(EXPECTED_SPLIT) / name).read_bytes(), name

    _git(content_repo, "add", "-A", env=env)  # the author reviews and stages the fixes
    second = _commit(installed, content_repo, "add the two articles")

    assert second.returncode == 0, second.output
    assert "Passed" in second.output and "Failed" not in second.output
    assert _commits(installed, content_repo) == 2
    committed = _git(content_repo, "show", "--name-only", "--format=", "HEAD", env=env).split()
    assert sorted(committed) == [f"{stem}-2.txt", f"{stem}.txt"]


def test_fix_hook_safe_only_leaves_the_merge_for_a_human(installed, content_repo):
    """Without unsafe fixes the hook applies the safe fixes (the expected golden file)
    and still fails on the merged articles, which only a split can fix."""
    _use_hooks(installed, content_repo, "newslint-fix")
    shutil.copyfile(need(SAMPLE), content_repo / SAMPLE.name)
    _git(content_repo, "add", "-A", env=_env(installed.home))

    out = _pre_commit(installed, content_repo, "run", "newslint-fix", "--files", SAMPLE.name)

    assert out.returncode == 1, out.output
    assert (content_repo / SAMPLE.name).read_bytes() == need(EXPECTED).read_bytes()
    assert f"{SAMPLE.name}:29:1: NL301" in out.output, out.output
    assert f"{SAMPLE.name}:4:1: NL102" not in out.output  # fixed, so no longer reported


def test_excluded_files_are_skipped_even_when_pre_commit_passes_them(installed, content_repo):
    """force-exclude: pre-commit names the staged file explicitly, and the repository's
    `extend-exclude` still wins."""
    _use_hooks(installed, content_repo, "newslint", extra={"newslint.toml": 'extend-exclude = ["archive/"]\n'})
    (content_repo / "archive").mkdir()
    shutil.copyfile(need(SAMPLE), content_repo / "archive" / SAMPLE.name)
    _git(content_repo, "add", "-A", env=_env(installed.home))

    out = _commit(installed, content_repo, "archive a scraped page as it was")

    assert out.returncode == 0, out.output
    assert _commits(installed, content_repo) == 2


def test_new_file_duplicating_a_committed_file_fails_through_nl402(installed, content_repo):
    old, new = NEAR_DUP_PAIR
    _use_hooks(installed, content_repo, "newslint", extra={"old.txt": (need(BBC) / old).read_text(encoding="utf-8")})
    (content_repo / "new.txt").write_bytes((BBC / new).read_bytes())
    _git(content_repo, "add", "new.txt", env=_env(installed.home))

    out = _commit(installed, content_repo, "add an article")  # only new.txt is passed to the hook

    assert out.returncode != 0, out.output
    assert _commits(installed, content_repo) == 1
    assert "new.txt" in out.output and "NL402" in out.output, out.output
    assert "old.txt" in out.output  # the committed file it duplicates is named


def test_staged_files_named_like_options_are_files_and_the_users_args_still_apply(installed, content_repo):
    """pre-commit runs `entry + args + filenames` with no `--` before the file names. A
    staged '-draft.txt' was parsed as options ("No such option '-d'"), and '-odds.txt' as
    `-o ds.txt` (the report written over a file). The entry's --paths-last makes them files,
    while the user's `args:` before them are still options."""
    _use_hooks(installed, content_repo, "newslint", args=["--ignore", "NL102", "--output-format", "concise"])
    shutil.copyfile(need(SAMPLE), content_repo / "-draft.txt")  # the merged sample, unfixed
    shutil.copyfile(need(EXPECTED), content_repo / "-odds.txt")  # after the safe fixes: the merge is left
    _git(content_repo, "add", "--", "-draft.txt", "-odds.txt", env=_env(installed.home))

    out = _commit(installed, content_repo, "add two drafts")

    assert out.returncode != 0, out.output
    assert "No such option" not in out.output and "Usage:" not in out.output, out.output
    assert "-draft.txt:7:1: NL101" in out.output, out.output  # the first file, named as staged
    assert "-odds.txt:29:1: NL301" in out.output, out.output  # and the one after it
    assert "NL102" not in out.output  # args: [--ignore, NL102] applied
    assert not (content_repo / "ds.txt").exists()  # no report written over anything
    assert _commits(installed, content_repo) == 1


def test_the_documented_rev_pins_no_stale_commit_and_autoupdate_sets_the_newest(hook_repo, content_repo):
    """The README and docs/ci.md pinned `rev: 0e2b108`, 282 commits behind the HEAD of the time, as if
    it were the version to use. No release is tagged, so they now give a placeholder and
    say to run `pre-commit autoupdate`; that, run for real on the documented snippet
    (pointed at this checkout), writes the newest commit in its place."""
    import re

    import yaml

    assert not _git(ROOT, "tag", "--list", env=_env(hook_repo.home)).strip(), \
        "releases are tagged now: the README and docs/ci.md should name a tag in `rev:`"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippet = (ROOT / "tests" / "fixtures" / "ci" / "pre-commit-config.yml").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```yaml\n")[1:]] + [snippet]
    documented = [r for b in blocks for r in (yaml.safe_load(b) or {}).get("repos", [])
                  if "newslint" in r.get("repo", "")]
    assert len(documented) == 2, documented
    for repo in documented:
        assert not re.fullmatch(r"[0-9a-fA-F]{7,40}", str(repo["rev"])), f"a pinned commit goes stale: {repo}"
    assert "pre-commit autoupdate" in readme and "pre-commit autoupdate" in snippet

    url = documented[1]["repo"]
    (content_repo / ".pre-commit-config.yaml").write_text(snippet.replace(url, str(hook_repo.path)))
    out = _pre_commit(hook_repo, content_repo, "autoupdate")

    assert out.returncode == 0, out.output
    (repo,) = yaml.safe_load((content_repo / ".pre-commit-config.yaml").read_text())["repos"]
    assert repo["rev"] == hook_repo.ref, out.output  # the hook repository's newest commit, in full
    check = _pre_commit(hook_repo, content_repo, "validate-config", ".pre-commit-config.yaml")
    assert check.returncode == 0 and "mutable" not in check.output, check.output
