"""Security (issue 7): the split fix names its new files only from the original file's
name; nothing in a file's text or in a config file makes newslint write outside the
checked tree; config files are data (TOML) and never run code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsdocs import SAMPLE, bbc_articles, need_shared

pytestmark = pytest.mark.skipif(not SAMPLE.exists() or not bbc_articles(), reason="../shared is missing")

SECOND_HEADLINE = "Baghdad Urges Washington to Prevent \u2018Imminent\u2019 Israeli Strikes"


def run(*args, cwd, exe=None) -> subprocess.CompletedProcess:
    cmd = [exe] if exe else [sys.executable, "-m", "newslint"]
    return subprocess.run(cmd + [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1"})


def listing(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


@pytest.mark.parametrize("headline_prefix,suffix", [("../../escaped/", ""), ("/tmp/newslint-escape-", ""),
                                                    ("..\\..\\", ""), ("", " (saved as merged-7.txt)")])
def test_split_names_come_from_the_file_name_not_the_text(tmp_path, headline_prefix, suffix):
    """A second article whose headline looks like a path still goes to `<stem>-2.txt`."""
    text = need_shared(SAMPLE).read_text(encoding="utf-8").replace(
        SECOND_HEADLINE, headline_prefix + SECOND_HEADLINE + suffix)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "merged.txt").write_text(text, encoding="utf-8")
    before_tmp = set(os.listdir("/tmp"))
    res = run("check", "--fix", "--unsafe-fixes", "--no-cache", "tree", cwd=tmp_path)
    assert "wrote split-off article to tree/merged-2.txt" in res.stdout, res.stdout  # the split did happen
    assert listing(tmp_path) == ["tree", "tree/merged-2.txt", "tree/merged.txt"]
    assert not any(n.startswith("newslint-escape") for n in set(os.listdir("/tmp")) - before_tmp)
    assert (tree / "merged-2.txt").read_text(encoding="utf-8").startswith(headline_prefix + SECOND_HEADLINE)


@pytest.mark.parametrize("name", ["2023 report.txt", "تقرير.txt", "-dash.txt", "no-ext", "a.b.c.txt", "x\ny.txt"],
                         ids=["space", "arabic", "leading-dash", "no-extension", "dots", "newline"])
def test_split_names_for_odd_file_names_stay_beside_the_file(tmp_path, name):
    tree = tmp_path / "tree"
    tree.mkdir()
    f = tree / name
    f.write_bytes(need_shared(SAMPLE).read_bytes())
    res = run("check", "--fix", "--unsafe-fixes", "--no-cache", "--", str(f), cwd=tmp_path)
    assert "Traceback" not in res.stderr
    stem, ext = os.path.splitext(name)
    assert sorted(p.name for p in tree.iterdir()) == sorted([name, f"{stem}-2{ext}"])
    assert listing(tmp_path) == sorted(["tree", f"tree/{name}", f"tree/{stem}-2{ext}"])


def test_a_planted_symlink_at_the_sibling_name_is_never_written_through(tmp_path):
    """`merged-2.txt` already exists as a symlink out of the tree (dangling or not): the split
    skips the name, never writes through it, and takes `merged-3.txt`."""
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    tree.mkdir()
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (tree / "merged-2.txt").symlink_to(victim)
    (tree / "merged-3.txt").symlink_to(outside / "created-through-link.txt")  # dangling
    (tree / "merged.txt").write_bytes(need_shared(SAMPLE).read_bytes())
    res = run("check", "--fix", "--unsafe-fixes", "--no-cache", "tree/merged.txt", cwd=tmp_path)
    assert "wrote split-off article to tree/merged-4.txt" in res.stdout, res.stdout
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]
    assert (tree / "merged-4.txt").is_file() and not (tree / "merged-4.txt").is_symlink()


MARKER_CODE = "import pathlib; pathlib.Path({marker!r}).write_text('executed')\n"


def test_config_files_never_execute_code(tmp_path):
    """Python in every place a tool might look for it, and config files holding Python:
    none of it runs; a config file that is not TOML is an error."""
    marker = tmp_path / "EXECUTED"
    code = MARKER_CODE.format(marker=str(marker))
    tree = tmp_path / "repo"
    (tree / "articles").mkdir(parents=True)
    (tree / "articles" / "story.txt").write_text(bbc_articles()[0].headline + "\n\nTT\n", encoding="utf-8")
    for rel in ("conftest.py", "setup.py", "newslint_config.py", ".newslint.py", "articles/__init__.py",
                "sitecustomize.py", "usercustomize.py"):
        (tree / rel).write_text(code, encoding="utf-8")
    # a pyproject whose other tables hold code (build hooks, scripts) and a rule pack path
    (tree / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "evil_backend"\n'
        '[tool.hatch.build.hooks.custom]\npath = "conftest.py"\n[project.scripts]\nx = "conftest:main"\n'
        '[tool.newslint]\nselect = ["NL2"]\n', encoding="utf-8")
    (tree / "evil_backend.py").write_text(code, encoding="utf-8")
    res = run("check", "--fix", "--no-cache", "articles", cwd=tree)
    assert res.returncode == 0, res.stdout + res.stderr
    assert (tree / "articles" / "story.txt").read_text(encoding="utf-8") == bbc_articles()[0].headline + "\n"
    assert not marker.exists()
    # a config file holding Python is rejected as invalid TOML, not run
    (tree / "articles" / "newslint.toml").write_text(code, encoding="utf-8")
    res = run("check", "--no-cache", "articles", cwd=tree)
    assert res.returncode == 2 and "invalid TOML" in res.stderr
    assert not marker.exists()


@pytest.mark.skipif(shutil.which("newslint") is None, reason="the newslint console script is not installed")
def test_the_console_script_does_not_import_code_from_the_checked_folder(tmp_path):
    """pre-commit runs `newslint` inside the repository: a `newslint/` or `click.py` there is not imported
    (unlike `python -m newslint`, the console script does not put the current folder on sys.path)."""
    marker = tmp_path / "EXECUTED"
    code = MARKER_CODE.format(marker=str(marker))
    (tmp_path / "newslint").mkdir()
    for rel in ("newslint/__init__.py", "newslint/cli.py", "click.py", "regex.py", "rapidfuzz.py"):
        (tmp_path / rel).write_text(code, encoding="utf-8")
    (tmp_path / "story.txt").write_text(bbc_articles()[1].headline + "\n\nAdvertisement\n", encoding="utf-8")
    res = run("check", "--fix", "--no-cache", "story.txt", cwd=tmp_path, exe=shutil.which("newslint"))
    assert res.returncode == 0, res.stdout + res.stderr
    assert not marker.exists()
    assert (tmp_path / "story.txt").read_text(encoding="utf-8") == bbc_articles()[1].headline + "\n"


def test_fix_writes_only_the_checked_files(tmp_path):
    """A fix run over a tree touches only the files it fixed (and their temporaries, gone)."""
    from newsdocs import sample_captions, with_defects

    tree = tmp_path / "tree"
    tree.mkdir()
    for i in range(5):
        (tree / f"{i}.txt").write_text("\n".join(with_defects(bbc_articles()[i], sample_captions()[0])) + "\n")
    (tree / "clean.txt").write_text(bbc_articles()[6].headline + "\n")
    os.utime(tree / "clean.txt", ns=(10**18, 10**18))
    parent_before = sorted(os.listdir(tmp_path))
    run("check", "--fix", "--no-cache", "tree", cwd=tmp_path)
    assert sorted(os.listdir(tmp_path)) == parent_before
    assert sorted(os.listdir(tree)) == ["0.txt", "1.txt", "2.txt", "3.txt", "4.txt", "clean.txt"]
    assert (tree / "clean.txt").stat().st_mtime_ns == 10**18  # an unchanged file is not rewritten


def test_a_committed_link_out_of_the_repository_is_not_written_through(tmp_path):
    """`--fix .` over a checkout followed a committed symlink to a file outside it and rewrote
    that file (found by a review): a content repository could make a CI job edit any *.txt
    on the machine. In a git work tree such a link is reported (NL500) and its file left as it
    is; a link to a file inside the tree is still fixed through, and outside git links are
    followed as before."""
    outside = tmp_path / "outside" / "out.txt"
    outside.parent.mkdir()
    outside.write_bytes(need_shared(SAMPLE).read_bytes())
    before = outside.read_bytes()
    repo = tmp_path / "repo"
    (repo / "news").mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / "news" / "link.txt").symlink_to("../../outside/out.txt")
    (repo / "news" / "inside.txt").write_bytes(before)
    (repo / "news" / "in-link.txt").symlink_to("inside.txt")
    res = run("check", "--no-cache", "--fix", "--select", "NL1,NL2,NL3", ".", cwd=repo)
    assert res.returncode == 2, res.stdout + res.stderr
    assert f"./news/link.txt:1:1: NL500 cannot write: a symlink to a file outside its repository ({outside}); " \
           "not rewritten" in res.stdout.splitlines()
    assert outside.read_bytes() == before
    expected = (SAMPLE.parent / "expected" / SAMPLE.name).read_bytes()
    assert (repo / "news" / "inside.txt").read_bytes() == expected  # through its link, or by its name
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "l.txt").symlink_to("../outside/out.txt")
    res = run("check", "--no-cache", "--fix", "--select", "NL1,NL2,NL3", ".", cwd=plain)
    assert res.returncode == 1 and outside.read_bytes() == expected, res.stdout + res.stderr
