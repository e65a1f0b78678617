"""Reliability on awkward files (issue 7): line endings, binary, empty, huge, unreadable,
symlinks, modes and owners. Every fix here runs on real BBC paragraphs with injected
repeats, through the real command line (`python -m newslint`) in a scratch folder.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import json
import os
import shutil
import socket
import stat
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from newsdocs import (SAMPLE, newslint, bbc_articles, join_lines, need_shared, sample_captions, split_keepends,
                      with_defects)

from newslint.engine import process_path
from newslint.source import SourceError, read_source

pytestmark = pytest.mark.skipif(not bbc_articles() or not sample_captions(),
                                reason="../shared is missing: these tests need the BBC corpus and the sample")


def article_lines(n: int = 0) -> list[str]:
    """A real article as a scraper saved it: headline twice, caption twice, TT, a repeated paragraph."""
    return with_defects(bbc_articles()[n], sample_captions()[0])


def clean_lines(n: int = 0) -> list[str]:
    """What safe fixes must leave of `article_lines(n)`: each line once, one blank between blocks."""
    art, caption = bbc_articles()[n], sample_captions()[0]
    out = [art.headline, "", caption]
    for p in art.paragraphs[:6]:
        out += ["", p]
    return out


def endings_for(lines: list[str], style: str) -> list[str]:
    if style == "mixed":  # every kind, in turn; never a bare CR right before an empty LF line
        ends = [("\r\n", "\n", "\r")[i % 3] for i in range(len(lines))]
        for i in range(1, len(lines)):
            if ends[i - 1] == "\r" and lines[i] == "" and ends[i] == "\n":
                ends[i] = "\r\n"
        return ends
    return [{"lf": "\n", "crlf": "\r\n", "cr": "\r"}[style]] * len(lines)


def snapshot(path: Path) -> tuple:
    st = path.lstat()
    return path.read_bytes(), st.st_mtime_ns, stat.S_IMODE(st.st_mode)


# -- line endings and the final newline ------------------------------------------------

@pytest.mark.parametrize("final", [True, False], ids=["final-newline", "no-final-newline"])
@pytest.mark.parametrize("style", ["lf", "crlf", "cr", "mixed"])
def test_fix_keeps_every_line_ending_and_the_final_newline_state(tmp_path, style, final):
    lines = article_lines(1)
    ends = endings_for(lines, style)
    original = join_lines(lines, ends, final)
    f = tmp_path / "story.txt"
    f.write_bytes(original.encode("utf-8"))
    res = newslint("check", "--fix", f.name, cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    fixed = f.read_bytes().decode("utf-8")
    # the right lines went: what is left is the article with each line once
    assert [ln.rstrip("\r\n") for ln in split_keepends(fixed)] == clean_lines(1)
    # each line left keeps the terminator it had; nothing was re-terminated or normalised
    left = split_keepends(fixed)
    it = iter(split_keepends(original))
    for i, ln in enumerate(left):
        is_last = i == len(left) - 1
        assert any(o == ln or (is_last and not final and o.rstrip("\r\n") == ln) for o in it), ln[:60]
    assert fixed.endswith(("\n", "\r")) == final
    if style != "mixed":
        only = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}[style]
        assert fixed.replace(only, "").count("\r") == 0 and fixed.replace(only, "").count("\n") == 0
    # and a second run finds nothing left to do
    again = newslint("check", "--fix", f.name, cwd=tmp_path)
    assert f.read_bytes().decode("utf-8") == fixed and "All checks passed!" in again.stdout


# -- binary and empty files --------------------------------------------------------------

def test_binary_file_is_skipped_with_a_note_and_never_touched(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    # a compressed article saved with a .txt name: NUL bytes, not text
    blob = tree / "archive.txt"
    blob.write_bytes(gzip.compress(bbc_articles()[0].headline.encode() * 50, mtime=0))
    assert b"\0" in blob.read_bytes()[:8192]
    os.utime(blob, ns=(1_000_000_000, 1_000_000_000))
    story = tree / "story.txt"
    story.write_text("\n".join(article_lines(2)) + "\n", encoding="utf-8")
    before = snapshot(blob)
    res = newslint("check", "--fix", "tree", cwd=tmp_path)
    assert "note: tree/archive.txt: binary file (NUL bytes); skipped" in res.stderr
    assert "archive.txt" not in res.stdout  # a note, not a finding
    assert snapshot(blob) == before
    assert story.read_text(encoding="utf-8").splitlines() == clean_lines(2)  # the run went on
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize("content", [b"", b"\n", b"\r\n\r\n", b"   \t  ", b"\xef\xbb\xbf"],
                         ids=["empty", "newline", "blank-crlf", "spaces", "bom-only"])
def test_empty_and_blank_files_are_fine(tmp_path, content):
    f = tmp_path / "empty.txt"
    f.write_bytes(content)
    for args in (("check",), ("check", "--fix"), ("check", "--fix", "--unsafe-fixes"), ("check", "--diff")):
        res = newslint(*args, f.name, cwd=tmp_path)
        assert res.returncode == 0 and "Traceback" not in res.stderr, (args, res.stdout, res.stderr)
        assert f.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["empty.txt"]
    res = subprocess.run([sys.executable, "-m", "newslint", "check", "--fix", "-"], input=content,
                         capture_output=True, cwd=tmp_path)
    assert res.returncode == 0 and res.stdout == content


# -- a 200 MB file -----------------------------------------------------------------------

BIG = 200 * 1024 * 1024


def peak_rss_kb(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, int]:
    """Run newslint under a fresh parent that reports its only child's peak RSS (kB)."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "sys.stdout.write(repr((r.returncode, r.stdout.decode(), r.stderr.decode(), "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)))\n"
    )
    out = subprocess.run([sys.executable, "-c", wrapper, sys.executable, "-m", "newslint", *args], cwd=cwd,
                         capture_output=True, text=True, timeout=300)
    code, stdout, stderr, rss = eval(out.stdout)  # noqa: S307 - our own repr
    return subprocess.CompletedProcess(args, code, stdout, stderr), rss


@pytest.fixture(scope="module")
def huge_tree(tmp_path_factory):
    """A 200 MB text file of real articles with defects (deleted after the module)."""
    tree = tmp_path_factory.mktemp("huge") / "tree"
    tree.mkdir()
    block = ("\n".join(article_lines(0)) + "\n\n").encode("utf-8")
    big = tree / "huge.txt"
    with open(big, "wb") as fh:
        written = 0
        while written < BIG:
            fh.write(block)
            written += len(block)
    (tree / "small.txt").write_text("\n".join(article_lines(3)) + "\n", encoding="utf-8")
    head = hashlib.sha256(big.read_bytes()).hexdigest()
    yield tree, head
    big.unlink()


@pytest.mark.slow
def test_200mb_file_is_refused_clearly_in_bounded_memory_and_left_whole(huge_tree):
    tree, digest = huge_tree
    big = tree / "huge.txt"
    mtime = big.stat().st_mtime_ns
    res, rss = peak_rss_kb(["check", "--fix", "--no-cache", "tree"], cwd=tree.parent)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "tree/huge.txt:1:1: NL503 file is" in res.stdout and "max-file-size" in res.stdout
    assert (tree / "small.txt").read_text(encoding="utf-8").splitlines() == clean_lines(3)  # the run went on
    assert big.stat().st_mtime_ns == mtime and hashlib.sha256(big.read_bytes()).hexdigest() == digest
    print(f"peak RSS with a {big.stat().st_size:,}-byte file: {rss / 1024:.0f} MB")
    assert rss < 120 * 1024, f"peak RSS {rss / 1024:.0f} MB: the file was read into memory"


@pytest.mark.slow
def test_200mb_file_default_run_stays_in_bounded_memory(huge_tree):
    """The same through a default run (results cache on: it must read files the same bounded way)."""
    tree, _ = huge_tree
    res, rss = peak_rss_kb(["check", "--fix", "tree"], cwd=tree.parent)
    assert "NL503" in res.stdout
    assert rss < 120 * 1024, f"peak RSS {rss / 1024:.0f} MB"


def test_size_limit_is_a_setting_and_bounds_reading(tmp_path):
    f = tmp_path / "story.txt"
    f.write_text("\n".join(article_lines(0)) + "\n", encoding="utf-8")
    before = snapshot(f)
    res = newslint("check", "--fix", "--no-cache", "--config", "max-file-size = 1000", f.name, cwd=tmp_path)
    assert res.returncode == 1
    assert f"NL503 file is {f.stat().st_size:,} bytes, over the 1,000-byte limit (max-file-size)" in res.stdout
    assert snapshot(f) == before


def test_a_file_over_the_size_limit_is_not_read_by_the_cross_file_pass_either(tmp_path):
    """max-file-size: a larger file is NL503, 'skipped, not read' (README, `newslint rule
    NL503`). The cross-file pass read it all the same, and reported the skipped file as a
    duplicate of its copy (NL401 next to NL503 on both copies) and of its near copy (NL402)."""
    text = "\n".join(article_lines(0)) + "\n"
    for name in ("story.txt", "copy.txt"):
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "near.txt").write_text(text.replace("\n\n", "\n\nTT\n", 1), encoding="utf-8")
    (tmp_path / "other.txt").write_text("\n".join(article_lines(3)) + "\n", encoding="utf-8")
    limit = len(text.encode("utf-8")) - 1
    res = newslint("check", "--no-cache", "--isolated", "--config", f"max-file-size = {limit}", ".", cwd=tmp_path)
    assert "story.txt:1:1: NL503" in res.stdout and "copy.txt:1:1: NL503" in res.stdout, res.stdout
    assert "NL40" not in res.stdout, res.stdout
    # under the limit, the same files are compared
    res = newslint("check", "--no-cache", "--isolated", "--select", "NL4", ".", cwd=tmp_path)
    assert "story.txt:1:1: NL401" in res.stdout and "copy.txt:1:1: NL401" in res.stdout, res.stdout


# -- unreadable files, FIFOs, sockets, broken symlinks ------------------------------------

def test_fifo_and_socket_are_reported_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # opening it for reading would block forever
    sock_path = tmp_path / "sock.txt"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(sock_path))
        for path, kind in ((fifo, "FIFO"), (sock_path, "socket")):
            res = process_path(str(path), _linter(), "fix", False)
            (d,) = res.diagnostics
            assert res.error and d.code == "NL500" and kind in d.message
    finally:
        sock.close()


def test_fifo_in_tree_does_not_hang_a_default_run(tmp_path):
    """A default run (results cache on) must not open the FIFO either."""
    tree = tmp_path / "tree"
    tree.mkdir()
    os.mkfifo(tree / "pipe.txt")
    (tree / "story.txt").write_text("\n".join(article_lines(1)) + "\n", encoding="utf-8")
    try:
        res = newslint("check", "--fix", "tree", cwd=tmp_path, timeout=10, process=True)
    except subprocess.TimeoutExpired:
        pytest.fail("newslint blocked on a FIFO")
    assert "pipe.txt:1:1: NL500" in res.stdout and res.returncode == 2


def test_fifo_in_tree_is_reported_and_the_run_goes_on(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    os.mkfifo(tree / "pipe.txt")
    (tree / "story.txt").write_text("\n".join(article_lines(1)) + "\n", encoding="utf-8")
    res = newslint("check", "--fix", "--no-cache", "tree", cwd=tmp_path, timeout=60, process=True)
    assert "tree/pipe.txt:1:1: NL500 a FIFO (named pipe), not a regular file; skipped" in res.stdout
    assert (tree / "story.txt").read_text(encoding="utf-8").splitlines() == clean_lines(1)
    assert res.returncode == 2


def _linter():
    from newsdocs import default_linter

    return default_linter()


@pytest.fixture
def world_tree():
    """A folder every user may enter (pytest's own tmp folders are root-only), for tests that
    act as `nobody` (os.seteuid): they need POSIX users and root to switch."""
    if not hasattr(os, "seteuid"):
        pytest.skip("needs POSIX users")
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to an unprivileged uid")
    d = Path(tempfile.mkdtemp(prefix="newslint-perm-"))
    d.chmod(0o777)
    yield d
    for p in sorted(d.rglob("*"), reverse=True):
        p.unlink() if not p.is_dir() or p.is_symlink() else p.rmdir()
    d.rmdir()


@pytest.mark.parametrize("given", ["folder", "files"])
def test_unreadable_file_is_reported_and_the_run_goes_on(world_tree, given):
    """chmod 000 does not stop root, so the check runs with the effective uid of `nobody`.
    Named on the command line, the unreadable file stopped the whole run before it began
    (click's readable check: a usage error, and the other file was not fixed)."""
    locked = world_tree / "locked.txt"
    locked.write_text("\n".join(article_lines(0)) + "\n", encoding="utf-8")
    locked.chmod(0o000)
    story = world_tree / "story.txt"
    story.write_text("\n".join(article_lines(1)) + "\n", encoding="utf-8")
    story.chmod(0o666)
    before = locked.read_bytes()
    from click.testing import CliRunner

    from newslint.cli import main

    args = ["check", "--fix", "--no-cache", "--isolated"] + (
        [str(world_tree)] if given == "folder" else [str(locked), str(story)])
    # the same run once as root on a scratch copy first: every lazy import is then done
    # (nobody may not read the interpreter's own library under /root)
    warm = world_tree / "warm"
    warm.mkdir()
    (warm / "story.txt").write_bytes(story.read_bytes())
    CliRunner().invoke(main, ["check", "--fix", "--no-cache", "--isolated", str(warm)])
    (warm / "story.txt").unlink()
    warm.rmdir()
    # the real uid too (root stays the saved one, to come back): access() asks the real one
    os.setresuid(65534, 65534, 0)
    try:
        with pytest.raises(SourceError) as exc:
            read_source(str(locked))
        res = CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        os.setresuid(0, 0, 0)
    assert exc.value.code == "NL500" and "Permission denied" in exc.value.message
    assert f"{locked}:1:1: NL500 cannot read: Permission denied" in res.stdout
    assert res.exit_code == 2
    assert story.read_text(encoding="utf-8").splitlines() == clean_lines(1)  # fixed as nobody
    assert locked.read_bytes() == before


def _as_nobody(*args, cwd: Path) -> subprocess.CompletedProcess:
    """`newslint ARGS` run as user `nobody` in a process of its own (setpriv), or a skip where
    that cannot be done (no setpriv, or nobody may not read this Python or newslint)."""
    import shutil

    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("needs setpriv to run as another user")
    cmd = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable]
    if subprocess.run(cmd + ["-c", "import newslint.cli"], cwd=cwd, capture_output=True).returncode != 0:
        pytest.skip("user nobody cannot import newslint from this interpreter")
    return subprocess.run(cmd + ["-m", "newslint", *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1"})


@pytest.mark.parametrize("cache", [["--no-cache"], []], ids=["no-cache", "cache"])
@pytest.mark.parametrize("given, shown", [(".", "./locked"), ("locked", "locked")])
def test_a_folder_that_cannot_be_listed_is_reported_and_the_run_goes_on(world_tree, given, shown, cache):
    """A folder the user may not list was left out in silence: the tree's check never named
    it, and given alone it said "All checks passed!" with exit status 0, so a CI job passed
    though no file in it was read. Now NL500 at the folder's path, once; the rest is checked."""
    text = "\n".join(article_lines(0)) + "\n"
    for name in ("locked", "ok"):
        (world_tree / name).mkdir()
        (world_tree / name / f"{name}.txt").write_text(text, encoding="utf-8")
    for p in (world_tree, *world_tree.rglob("*")):
        os.chown(p, 65534, 65534)
    (world_tree / "locked").chmod(0o000)
    res = _as_nobody("check", "--isolated", *cache, given, cwd=world_tree)
    error = f"{shown}:1:1: NL500 cannot list the folder: Permission denied; nothing in it was checked"
    assert res.stdout.splitlines().count(error) == 1, res.stdout + res.stderr
    assert "Traceback" not in res.stderr and "no files to check" not in res.stderr
    assert res.returncode == 2
    if given == ".":
        assert "./ok/ok.txt:4:1: NL102" in res.stdout and "Found 5 errors." in res.stdout  # the run went on
    else:
        assert res.stdout.splitlines()[0] == error and "All checks passed!" not in res.stdout


@pytest.mark.parametrize("command", [["dups", "--no-cache"], ["dups"], ["index"]])
def test_dups_and_index_name_a_folder_they_cannot_list(world_tree, command):
    """`dups` printed "0 cluster(s)" with exit 0, and `index` exit 0, saying nothing, when a
    folder holding a copy could not be listed (found by a review): the corpus walk left it out
    in silence. Now a note names it and the exit status is 2, as for a file that cannot be read."""
    text = "\n".join(article_lines(0)) + "\n"
    for name in ("locked", "ok"):
        (world_tree / name).mkdir()
        (world_tree / name / "story.txt").write_text(text, encoding="utf-8")
    for p in (world_tree, *world_tree.rglob("*")):
        os.chown(p, 65534, 65534)
    (world_tree / "locked").chmod(0o000)
    res = _as_nobody(*command, ".", cwd=world_tree)
    assert "note: ./locked: cannot list the folder (Permission denied); its files are left out of the corpus " \
           "checks" in res.stderr, res.stdout + res.stderr
    assert res.returncode == 2 and "Traceback" not in res.stderr
    if command[0] == "dups":
        assert "0 cluster(s), 0 file(s) of 1" in res.stdout
    (world_tree / "locked").chmod(0o755)
    res = _as_nobody(*command, ".", cwd=world_tree)
    assert res.returncode == (1 if command[0] == "dups" else 0) and "cannot list" not in res.stderr, res.stderr


def test_broken_symlink_is_reported_and_never_replaced(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "gone.txt").symlink_to("../moved/story.txt")
    (tree / "story.txt").write_text("\n".join(article_lines(1)) + "\n", encoding="utf-8")
    res = newslint("check", "--fix", "tree", cwd=tmp_path)
    assert "tree/gone.txt:1:1: NL500 broken symlink to '../moved/story.txt'" in res.stdout
    assert res.returncode == 2
    assert (tree / "gone.txt").is_symlink() and os.readlink(tree / "gone.txt") == "../moved/story.txt"
    assert not (tmp_path / "moved").exists()
    assert (tree / "story.txt").read_text(encoding="utf-8").splitlines() == clean_lines(1)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_dups_says_which_file_it_could_not_read_and_exits_2(tmp_path, fmt):
    """`dups` over a folder with a broken symlink: "0 cluster(s) ... of 3", exit 0, nothing said,
    where check reports NL500 and exits 2, and dups' help promises 2 on an I/O error."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "gone.txt").symlink_to("../moved/story.txt")
    for n in range(2):
        (tree / f"{n}.txt").write_text(_article_text(n), encoding="utf-8")
    res = newslint("dups", "--output-format", fmt, "tree", cwd=tmp_path)
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "tree/gone.txt" in res.stderr and "cannot be read" in res.stderr, res.stderr
    if fmt == "json":
        assert json.loads(res.stdout)["clusters"] == []  # the report is still whole
    (tree / "gone.txt").unlink()
    assert newslint("dups", "--output-format", fmt, "tree", cwd=tmp_path).returncode == 0


# -- symlinks, modes and owners ----------------------------------------------------------

@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_symlink_is_kept_and_its_target_fixed(tmp_path, unsafe):
    need_shared()
    tree, store = tmp_path / "tree", tmp_path / "store"
    tree.mkdir()
    store.mkdir()
    target = store / "merged.txt"
    target.write_bytes((need_shared().parent / "shared/samples/aawsat_two_articles.txt").read_bytes())
    target.chmod(0o640)
    link = tree / "today.txt"
    link.symlink_to("../store/merged.txt")
    args = ["check", "--fix", "tree"] + (["--unsafe-fixes"] if unsafe else [])
    res = newslint(*args, cwd=tmp_path)
    assert "Traceback" not in res.stderr
    assert link.is_symlink() and os.readlink(link) == "../store/merged.txt"
    expected = need_shared() / ("samples/expected/split/aawsat_two_articles.txt" if unsafe
                                else "samples/expected/aawsat_two_articles.txt")
    assert target.read_bytes() == expected.read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in store.iterdir()) == ["merged.txt"]  # no temp file left beside it
    if unsafe:  # the split-off article is named after the link, beside the link
        second = need_shared() / "samples/expected/split/aawsat_two_articles-2.txt"
        assert (tree / "today-2.txt").read_bytes() == second.read_bytes()


def _article_text(n: int) -> str:
    art = bbc_articles()[n]
    return "\n\n".join((art.headline,) + art.paragraphs) + "\n"


@pytest.mark.parametrize("in_git", [False, True], ids=["folder", "git"])
def test_a_symlink_is_not_a_duplicate_of_its_target(tmp_path, in_git):
    """A link to a file or a folder of the corpus names the same article, not a second copy:
    neither `check` (the whole tree, or the link alone as the hook passes it) nor `dups`
    pairs them; a real copy beside them still is."""
    (tmp_path / "store").mkdir()
    for n in range(3):
        (tmp_path / "store" / f"{n}.txt").write_text(_article_text(n), encoding="utf-8")
    (tmp_path / "latest.txt").symlink_to("store/0.txt")
    (tmp_path / "mirror").symlink_to("store", target_is_directory=True)
    (tmp_path / "copy.txt").write_text(_article_text(1), encoding="utf-8")
    if in_git:
        env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
                   GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")
        for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "articles"]):
            subprocess.run(["git", *cmd], cwd=tmp_path, check=True, env=env)
    whole = newslint("check", "--no-cache", "--select", "NL401,NL402,NL403", ".", cwd=tmp_path)
    assert whole.stdout.splitlines() == [
        "./copy.txt:1:1: NL401 Duplicate article: identical after normalisation to ./store/1.txt",
        "./store/1.txt:1:1: NL401 Duplicate article: identical after normalisation to ./copy.txt",
        "Found 2 errors."]
    alone = newslint("check", "--no-cache", "--select", "NL401,NL402,NL403", "latest.txt", cwd=tmp_path)
    assert alone.stdout.strip() == "All checks passed!" and alone.returncode == 0
    dups = newslint("dups", ".", cwd=tmp_path)
    assert "mirror/" not in dups.stdout and "latest.txt" not in dups.stdout
    assert "copy.txt ~ store/1.txt: NL401 identical" in dups.stdout  # a pair in path order


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o2775])
def test_fix_keeps_the_file_mode(tmp_path, mode):
    f = tmp_path / "story.txt"
    f.write_text("\n".join(article_lines(2)) + "\n", encoding="utf-8")
    f.chmod(mode)
    newslint("check", "--fix", f.name, cwd=tmp_path)
    assert f.read_text(encoding="utf-8").splitlines() == clean_lines(2)
    assert stat.S_IMODE(f.stat().st_mode) == mode


def test_fix_keeps_owner_and_group(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another user")
    f = tmp_path / "story.txt"
    f.write_text("\n".join(article_lines(2)) + "\n", encoding="utf-8")
    os.chown(f, 65534, 65534)
    newslint("check", "--fix", f.name, cwd=tmp_path)
    st = f.stat()
    assert f.read_text(encoding="utf-8").splitlines() == clean_lines(2)
    assert (st.st_uid, st.st_gid) == (65534, 65534)


def _acl(*entries: tuple[int, int, int]) -> bytes:
    """A POSIX ACL as the kernel keeps it in `system.posix_acl_access` (what setfacl writes):
    (tag, permissions, id) entries."""
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in entries)


NO_ID = 0xFFFFFFFF
XATTRS = {
    "user": {"user.source": b"bbc/business", "user.checksum": bytes(range(256))},
    # rw- for the owner, r-- for the group, others and the user nobody (0o644, with a mask)
    "acl": {"system.posix_acl_access": _acl((0x01, 6, NO_ID), (0x02, 4, 65534), (0x04, 4, NO_ID),
                                            (0x10, 4, NO_ID), (0x20, 4, NO_ID))},
}


@pytest.mark.parametrize("kind", sorted(XATTRS))
def test_fix_keeps_extended_attributes(tmp_path, kind):
    """Regression: the fixed text is a new file renamed into place, and it had none of the old
    file's extended attributes: user tags, POSIX ACLs, SELinux labels were dropped."""
    if not hasattr(os, "setxattr"):
        pytest.skip("no extended attributes on this platform")
    f = tmp_path / "story.txt"
    f.write_text("\n".join(article_lines(2)) + "\n", encoding="utf-8")
    f.chmod(0o644)
    try:
        for name, value in XATTRS[kind].items():
            os.setxattr(f, name, value)
    except OSError as exc:
        pytest.skip(f"the test folder's file system does not keep {kind} extended attributes ({exc.strerror})")
    newslint("check", "--fix", f.name, cwd=tmp_path)
    assert f.read_text(encoding="utf-8").splitlines() == clean_lines(2)
    assert {n: os.getxattr(f, n) for n in os.listxattr(f) if n in XATTRS[kind]} == XATTRS[kind]
    assert stat.S_IMODE(f.stat().st_mode) == 0o644


def test_unwritable_folder_is_an_error_and_the_file_is_left_whole(tmp_path):
    """The temporary file cannot be created: NL500, exit 2, original untouched, no debris."""
    tree = tmp_path / "tree"
    tree.mkdir()
    f = tree / "story.txt"
    f.write_text("\n".join(article_lines(0)) + "\n", encoding="utf-8")
    before = snapshot(f)
    import tempfile  # newslint.source imports it when it writes, so patch the module itself

    real_mkstemp = tempfile.mkstemp

    def no_space(*a, **kw):
        raise OSError(28, "No space left on device")

    tempfile.mkstemp = no_space
    try:
        res = process_path(str(f), _linter(), "fix", False)
    finally:
        tempfile.mkstemp = real_mkstemp
    assert res.error and res.diagnostics[0].code == "NL500"
    assert "No space left on device" in res.diagnostics[0].message
    assert snapshot(f) == before
    assert [p.name for p in tree.iterdir()] == ["story.txt"]


def test_read_only_file_is_not_rewritten_by_a_user_who_may_not_write_it(world_tree):
    """The folder is writable, so a rename could replace the file; its own mode says no."""
    f = world_tree / "story.txt"
    f.write_text("\n".join(article_lines(0)) + "\n", encoding="utf-8")
    os.chown(f, 65534, 65534)
    f.chmod(0o444)
    before = snapshot(f)
    linter = _linter()
    process_path(str(f), linter, "check", False)  # warm the lazy imports as root
    os.seteuid(65534)
    try:
        res = process_path(str(f), linter, "fix", False)
    finally:
        os.seteuid(0)
    assert res.error and "read-only" in res.diagnostics[0].message
    assert snapshot(f) == before
    assert sorted(p.name for p in world_tree.iterdir()) == ["story.txt"]


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o440], ids=oct)
@pytest.mark.parametrize("unsafe", [False, True], ids=["fix", "unsafe-split"])
def test_read_only_file_is_not_rewritten_by_root_either(tmp_path, mode, unsafe):
    """Regression: permission bits do not stop root, so `--fix` run as root (a container, a CI
    job) rewrote a file the user had made read-only, and with --unsafe-fixes split it. A file
    with no write bit is now reported as the non-root run reports it: NL500, its findings as a
    check gives them, exit 2, the file and its folder as they were."""
    data = need_shared(SAMPLE).read_bytes()
    f = tmp_path / "a.txt"
    f.write_bytes(data)
    f.chmod(mode)
    before = snapshot(f)
    options = ["--isolated", "--no-cache", *(["--unsafe-fixes"] if unsafe else [])]
    checked = newslint("check", *options, f.name, cwd=tmp_path).stdout.splitlines()
    findings = [ln for ln in checked if ln.startswith("a.txt:")]
    assert len(findings) == 11
    res = newslint("check", "--fix", *options, f.name, cwd=tmp_path)
    assert res.stdout.splitlines() == [
        "a.txt:1:1: NL500 cannot write: the file is read-only (no write permission); not rewritten", *findings,
        "Found 12 errors (0 fixed, 12 remaining)."]
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert snapshot(f) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    f.chmod(mode | 0o200)  # the owner makes it writable again: now it is fixed
    fixed = newslint("check", "--isolated", "--no-cache", "--fix", f.name, cwd=tmp_path)
    assert fixed.returncode == 1 and f.read_bytes() == (SAMPLE.parent / "expected" / SAMPLE.name).read_bytes()


@pytest.mark.parametrize("unsafe", [False, True], ids=["fix", "unsafe-split"])
def test_a_file_in_a_read_only_folder_is_not_rewritten_by_root_either(tmp_path, unsafe):
    """A writable file in a folder its owner made read-only (0555): the fix writes a new file
    there and renames it over the old (a split adds files beside it). A user who may not write
    the folder got NL500 with a bare 'Permission denied'; root, whom the bits do not stop,
    rewrote the file and split it. Both now get the same NL500, the folder as it was."""
    data = need_shared(SAMPLE).read_bytes()
    folder = tmp_path / "archive"
    folder.mkdir()
    f = folder / "a.txt"
    f.write_bytes(data)
    folder.chmod(0o555)
    try:
        before = snapshot(f)
        options = ["--isolated", "--no-cache", *(["--unsafe-fixes"] if unsafe else [])]
        res = newslint("check", "--fix", *options, f.name, cwd=folder)
        assert res.stdout.splitlines()[0] == (
            "a.txt:1:1: NL500 cannot write: its folder is read-only (no write permission); not rewritten")
        assert res.returncode == 2 and "Traceback" not in res.stderr
        assert snapshot(f) == before
        assert sorted(p.name for p in folder.iterdir()) == ["a.txt"]
    finally:
        folder.chmod(0o755)
    fixed = newslint("check", "--isolated", "--no-cache", "--fix", f.name, cwd=folder)
    assert fixed.returncode == 1 and f.read_bytes() == (SAMPLE.parent / "expected" / SAMPLE.name).read_bytes()


def test_a_read_only_baseline_is_a_clear_error(tmp_path):
    """`--write-baseline` onto a read-only file: one error line and exit 2 (it was a traceback
    for a user who may not write it, and root wrote it)."""
    f = tmp_path / "a.txt"
    f.write_bytes(need_shared(SAMPLE).read_bytes())
    bl = tmp_path / "baseline.json"
    bl.write_text('{"format": 1, "entries": []}\n', encoding="utf-8")
    bl.chmod(0o444)
    before = snapshot(bl)
    res = newslint("check", "--isolated", "--no-cache", "--write-baseline", bl.name, f.name, cwd=tmp_path)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.splitlines() == [
        "newslint: error: cannot write --write-baseline baseline.json: the file is read-only (no write permission); "
        "not rewritten"]
    assert snapshot(bl) == before


WRITE_FAILS = ["read-only", "disk-full"]


def fix_that_cannot_write(request, cause: str, data: bytes, *options: str):
    """`newslint check --isolated --no-cache --fix OPTIONS FILE` on a file holding `data` whose
    rewrite fails: the file is read-only to the user running the fix (`nobody`: root may
    write anything), or the disk is full when the fixed text is written. (file, result)"""
    from click.testing import CliRunner

    import newslint.engine as engine
    from newslint.cli import main

    tree = request.getfixturevalue("world_tree" if cause == "read-only" else "tmp_path")
    f = tree / "a.txt"
    f.write_bytes(data)
    args = ["check", "--isolated", "--no-cache", "--fix", *options, str(f)]
    if cause == "disk-full":
        real = engine.atomic_write

        def no_space(*a, **kw):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        engine.atomic_write = no_space
        try:
            return f, CliRunner().invoke(main, args, catch_exceptions=False)
        finally:
            engine.atomic_write = real
    # the same run once as root on a scratch copy first: every lazy import is then done
    warm = tree / "warm"
    warm.mkdir()
    (warm / "a.txt").write_bytes(data)
    CliRunner().invoke(main, args[:-1] + [str(warm / "a.txt")])
    shutil.rmtree(warm)
    f.chmod(0o444)
    os.chown(f, 65534, 65534)
    os.setresuid(65534, 65534, 0)  # the real uid too: access() asks the real one
    try:
        return f, CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        os.setresuid(0, 0, 0)


WRITE_ERRORS = {"read-only": "the file is read-only (no write permission); not rewritten",
                "disk-full": os.strerror(errno.ENOSPC)}


@pytest.mark.parametrize("cause", WRITE_FAILS)
def test_a_split_whose_original_cannot_be_rewritten_leaves_no_new_file(request, cause):
    """Regression: the split-off article was written before the original, and stayed when the
    original's rewrite failed: the second article was then in two files, with only NL500 said."""
    data = need_shared(SAMPLE).read_bytes()
    f, res = fix_that_cannot_write(request, cause, data, "--unsafe-fixes")
    assert sorted(p.name for p in f.parent.iterdir()) == ["a.txt"]
    assert f.read_bytes() == data
    assert f"{f}:1:1: NL500 cannot write: {WRITE_ERRORS[cause]}" in res.stdout.splitlines()
    assert res.exit_code == 2


@pytest.mark.parametrize("cause", WRITE_FAILS)
def test_a_file_that_cannot_be_rewritten_keeps_its_findings(request, cause):
    """Regression: NL500 was the file's only finding, so its defects, all still in it, went
    unreported ("1 remaining"). They are reported as a check of the unchanged file reports them."""
    from click.testing import CliRunner

    from newslint.cli import main

    data = b"".join(need_shared(SAMPLE).read_bytes().splitlines(keepends=True)[:12])
    f, res = fix_that_cannot_write(request, cause, data)
    assert f.read_bytes() == data
    checked = CliRunner().invoke(main, ["check", "--isolated", "--no-cache", str(f)]).stdout.splitlines()
    findings = [ln for ln in checked if ln.startswith(f"{f}:")]
    assert [ln.split()[1] for ln in findings] == ["NL102", "NL201", "NL101", "NL102", "NL102"]
    assert res.stdout.splitlines() == [f"{f}:1:1: NL500 cannot write: {WRITE_ERRORS[cause]}", *findings,
                                       "Found 6 errors (0 fixed, 6 remaining)."]
    assert res.exit_code == 2


@pytest.mark.parametrize("cause", ["not converged", "not encodable"])
def test_a_fix_that_cannot_be_made_keeps_the_files_findings(tmp_path, monkeypatch, cause):
    """As a write that fails: a fix that does not converge, or whose text the file's encoding
    cannot hold, leaves the file as it was, and its findings are reported with the NL500
    (they were dropped: "1 remaining" for a file with every defect still in it)."""
    from click.testing import CliRunner

    from newslint import engine
    from newslint.cli import main

    data = b"".join(need_shared(SAMPLE).read_bytes().splitlines(keepends=True)[:12])
    f = tmp_path / "a.txt"
    f.write_bytes(data)
    checked = CliRunner().invoke(main, ["check", "--isolated", "--no-cache", str(f)]).stdout.splitlines()
    findings = [ln for ln in checked if ln.startswith(f"{f}:")]
    assert len(findings) == 5
    exc = (engine.NotConverged("fixes did not converge after 10 passes; file left untouched")
           if cause == "not converged" else UnicodeEncodeError("latin-1", "\u2019", 0, 1, "ordinal not in range(256)"))

    def fix(self, source, unsafe, split=True):
        raise exc
    monkeypatch.setattr(engine.Linter, "fix", fix)
    res = CliRunner().invoke(main, ["check", "--isolated", "--no-cache", "--fix", str(f)])
    lines = res.stdout.splitlines()
    assert lines[0].startswith(f"{f}:1:1: NL500 ") and lines[1:] == [*findings, "Found 6 errors (0 fixed, 6 remaining)."]
    assert f.read_bytes() == data and res.exit_code == 2


def test_a_cross_file_check_reports_the_file_it_cannot_read(world_tree, cli):
    """Cross-file rules alone: the corpus pass opens the files first, and a file it cannot
    open is then probed, to say why (as `nobody`: chmod 000 does not stop root)."""
    locked = world_tree / "locked.txt"
    locked.write_text("\n".join(article_lines(0)) + "\n", encoding="utf-8")
    locked.chmod(0o000)
    for name in ("story.txt", "copy.txt"):
        (world_tree / name).write_text("\n".join(article_lines(1)) + "\n", encoding="utf-8")
        (world_tree / name).chmod(0o644)
    cli("check", "--no-cache", "--isolated", "--select", "NL4", str(world_tree / "story.txt"))  # imports, as root
    os.setresuid(65534, 65534, 0)
    try:
        res = cli("check", "--no-cache", "--isolated", "--select", "NL4", str(world_tree))
    finally:
        os.setresuid(0, 0, 0)
    assert f"{locked}:1:1: NL500 cannot read: Permission denied" in res.stdout
    assert f"{world_tree / 'copy.txt'}:1:1: NL401" in res.stdout and res.exit_code == 2


def test_a_cross_file_check_reports_a_file_named_through_a_linked_folder_and_dotdot(tmp_path):
    """`feeds/../story.txt`, where feeds is a link to another folder, is the story.txt beside
    that folder's target (the system resolves the link before the '..'), here a FIFO. The
    corpus pass once joined the name's parts without resolving them and opened ./story.txt, a
    readable file: its open said nothing of the file checked, which was then never probed, and
    the FIFO passed unreported (exit 1, where the probe says NL500 and exit 2)."""
    text = "\n".join(article_lines(2)) + "\n"
    (tmp_path / "elsewhere" / "inbox").mkdir(parents=True)
    os.mkfifo(tmp_path / "elsewhere" / "story.txt")
    work = tmp_path / "work"
    work.mkdir()
    (work / "story.txt").write_text(text, encoding="utf-8")
    (work / "copy.txt").write_text(text, encoding="utf-8")
    (work / "feeds").symlink_to("../elsewhere/inbox")
    res = newslint("check", "--no-cache", "--isolated", "--select", "NL4", "feeds/../story.txt", "copy.txt",
                   cwd=work, timeout=60, process=True)
    assert "feeds/../story.txt:1:1: NL500 a FIFO (named pipe), not a regular file; skipped" in res.stdout
    assert res.returncode == 2


def test_a_name_through_a_linked_folder_and_dotdot_is_compared_as_the_file_it_names(tmp_path):
    """`feeds/../story.txt`, feeds a link, is the story.txt beside the link's target. The corpus
    pass joined the name's parts lexically and compared ./story.txt instead: it reported the
    name as identical to copy.txt (./story.txt's copy), a text it does not hold, and missed its
    real copy, other.txt."""
    (tmp_path / "elsewhere" / "inbox").mkdir(parents=True)
    named = "\n".join(article_lines(3)) + "\n"
    (tmp_path / "elsewhere" / "story.txt").write_text(named, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    (work / "story.txt").write_text("\n".join(article_lines(2)) + "\n", encoding="utf-8")
    (work / "copy.txt").write_text("\n".join(article_lines(2)) + "\n", encoding="utf-8")
    (work / "other.txt").write_text(named, encoding="utf-8")
    (work / "feeds").symlink_to("../elsewhere/inbox")
    res = newslint("check", "--no-cache", "--isolated", "--select", "NL4", "feeds/../story.txt", "copy.txt",
                   "other.txt", cwd=work, timeout=60, process=True)
    found = sorted(line.split(" Duplicate")[0] for line in res.stdout.splitlines() if "NL401" in line)
    assert found == ["feeds/../story.txt:1:1: NL401", "other.txt:1:1: NL401"], res.stdout
    assert "to other.txt" in res.stdout and res.returncode == 1


def test_only_cross_file_rules_selected_still_reports_unreadable_and_oversized_files(tmp_path):
    """With only NL4xx selected no in-file rule runs and no Document is built, yet a FIFO or
    an oversized file is still reported, and the duplicate between the two readable copies
    is found."""
    tree = tmp_path / "tree"
    tree.mkdir()
    os.mkfifo(tree / "pipe.txt")
    text = "\n".join(article_lines(2)) + "\n"
    (tree / "story.txt").write_text(text, encoding="utf-8")
    (tree / "copy.txt").write_text(text, encoding="utf-8")
    (tree / "big.txt").write_text(text * 40, encoding="utf-8")
    res = newslint("check", "--no-cache", "--select", "NL4", "--config", f"max-file-size = {len(text) * 10}", "tree",
                   cwd=tmp_path, timeout=60, process=True)
    assert "tree/pipe.txt:1:1: NL500 a FIFO (named pipe), not a regular file; skipped" in res.stdout
    assert "tree/big.txt:1:1: NL503" in res.stdout
    assert "tree/copy.txt:1:1: NL401" in res.stdout and "tree/story.txt:1:1: NL401" in res.stdout
    assert res.returncode == 2
