"""The click-free `check` of entry.py: its option table is cli.py's, its parser gives
click's values or hands the command line to click, and a run prints and exits as the
click command does."""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest

from conftest import BBC, SAMPLE, need, run_newslint
from newslint import cli, entry, term


def click_params(args):
    with cli.main.make_context("newslint", ["check"]) as ctx:
        return cli.check.make_context("check", list(args), parent=ctx).params


def test_the_table_is_clicks():
    declared = {}
    for p in cli.check.params:
        if isinstance(p, click.Argument):
            continue
        for opt in p.opts:
            declared[opt] = (p.name, True if p.is_flag else "value", p.multiple)
        for opt in p.secondary_opts:
            declared[opt] = (p.name, False, p.multiple)
    ours = {opt: (name, kind if isinstance(kind, bool) else "value", multiple)
            for opt, (name, kind, multiple) in entry.OPTIONS.items()}
    assert ours == declared
    assert entry.DEFAULTS == click_params([])
    for p in cli.check.params:  # choices and bounds: every allowed value passes, the first refused one not
        if isinstance(p.type, click.Choice):
            for choice in p.type.choices:
                assert entry.parse_check(["check", p.opts[-1], choice])[p.name] == choice
        if isinstance(p.type, click.IntRange):
            assert entry.parse_check(["check", p.opts[-1], str(p.type.min)])[p.name] == p.type.min
            assert entry.parse_check(["check", p.opts[-1], str(p.type.min - 1)]) is None


@pytest.mark.parametrize("args", [
    [],
    ["{bbc}"],
    ["--no-cache", "-q", "--ignore", "NL4,NL202", "{bbc}"],
    ["{bbc}", "--select=NL1", "--select", " NL2 , NL3,", "--extend-select", "NL104", "-v", "--verbose"],
    ["--fix", "--unsafe-fixes", "--no-unsafe-fixes", "--show-fixes", "--exit-non-zero-on-fix", "{bbc}", "{sample}"],
    ["--diff", "--output-format", "json", "--output-format=sarif", "-o", "{tmp}/out.txt", "--exit-zero"],
    ["--statistics", "--stdin-filename", "a.txt", "-", "--config", "duplicates.threshold = 0.5", "--config=x=1"],
    ["--isolated", "--force-exclude", "-j", "3", "--jobs=+2", "--cache-dir", "{tmp}", "--index", "redis://h/0"],
    ["--engine", "dask", "--scheduler", "tcp://h:8786", "--partition-size", "7", "--baseline", "{tmp}/b.json"],
    ["--write-baseline", "{tmp}/new.json", "--output-file={tmp}/o", "--", "--odd-name.txt", "-"],
    ["missing.txt", "{tmp}"],
])
def test_plain_command_lines_parse_as_click_parses_them(args, tmp_path):
    args = [a.format(bbc=need(BBC) / "business" / "014.txt", sample=SAMPLE, tmp=tmp_path) for a in args]
    assert entry.parse_check(["check", *args]) == click_params(args)


@pytest.mark.parametrize("args", [
    ["--version"], ["rules"], ["check", "--help"], ["check", "-h"], ["check", "-qv", "x"], ["check", "-j4", "x"],
    ["check", "--jobs", "-1"], ["check", "--jobs", "two"], ["check", "--output-format", "xml"],
    ["check", "--fix=yes"], ["check", "--ignore"], ["check", "--ignore", "--fix"], ["check", "--unknown"],
    ["check", "-o", "{tmp}"], ["check", "--cache-dir", "{file}"], ["check", "--baseline", "{tmp}"],
])
def test_anything_else_is_left_to_click(args, tmp_path):
    (tmp_path / "f.txt").write_text("x\n")
    args = [a.format(tmp=tmp_path, file=tmp_path / "f.txt") for a in args]
    assert entry.parse_check(args) is None


def test_style_and_unstyle_are_clicks():
    for kw in ({"bold": True}, {"fg": "red", "bold": True}, {"fg": "green"}, {"bold": False}):
        assert term.style("a.txt:3:1:", **kw) == click.style("a.txt:3:1:", **kw)
        styled = term.style("NL101", **kw) + " tail \033[2;31mx\033[0m"
        assert term.unstyle(styled) == click.unstyle(styled)


def _both(args, cwd, input=None):
    """(fast path, click) results of the same `python -m newslint ARGS`. An unrelated
    *_COMPLETE variable makes entry.py leave the run to click (as for shell completion)."""
    cmd = [sys.executable, "-m", "newslint", *map(str, args)]
    fast = subprocess.run(cmd, cwd=cwd, input=input, capture_output=True, timeout=300)
    slow = subprocess.run(cmd, cwd=cwd, input=input, capture_output=True, timeout=300,
                          env={**os.environ, "_UNRELATED_COMPLETE": "1"})
    return fast, slow


@pytest.mark.parametrize("args", [
    ["check", "--no-cache", "{sample}"],
    ["check", "--no-cache", "-q", "--statistics", "--show-fixes", "{sample}"],
    ["check", "--no-cache", "--output-format", "full", "{sample}", "{bbc}"],
    ["check", "--no-cache", "--output-format", "json", "--ignore", "NL4,NL202", "{sample}"],
    ["check", "--no-cache", "--diff", "{sample}"],
    ["check", "--no-cache", "{bbc}"],
    ["check", "--no-cache", "--select", "XX9", "{bbc}"],
    ["check", "--fix", "--diff", "{bbc}"],
    ["check", "{tmp}/missing.txt"],
    ["check", "--no-cache", "-o", "{tmp}/report.txt", "{sample}"],
    ["check", "--no-cache", "--stdin-filename", "story.txt", "-"],
])
def test_a_run_prints_and_exits_as_the_click_command(args, tmp_path):
    sample = tmp_path / "sample.txt"
    sample.write_bytes(need(SAMPLE).read_bytes())
    bbc = need(BBC) / "business" / "014.txt"
    args = [a.format(sample=sample, bbc=bbc, tmp=tmp_path) for a in args]
    fast, slow = _both(args, tmp_path, input=bbc.read_bytes())
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)
    assert sample.read_bytes() == need(SAMPLE).read_bytes()


def test_a_plain_check_imports_neither_click_nor_dataclasses_inspect_typing():
    """Each of these costs every hook run milliseconds of imports (issue 6 target 1). In-file
    rules only: the corpus rules import numpy, which imports all of them. (An interpreter's
    site may import some of them before newslint starts: only newslint's imports count.)
    A clean BBC article: a file with paragraphs NL104 must compare (the sample) imports
    rapidfuzz, which imports typing; that passed only where the site had imported it first."""
    args = ["check", "--no-cache", "-q", "--ignore", "NL4,NL202", str(need(BBC) / "business" / "001.txt")]
    code = ("import sys\nbefore = set(sys.modules)\nfrom newslint.entry import main\n"
            f"sys.argv = ['newslint', *{args!r}]\ntry:\n    main()\nexcept SystemExit as e:\n"
            "    print([m for m in ('click', 'dataclasses', 'inspect', 'typing') if m in set(sys.modules) - before],"
            " e.code, file=sys.stderr)\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.stderr.strip().splitlines()[-1] == "[] 0"
    assert run_newslint(*args).stdout.decode() == res.stdout


def test_a_plain_check_in_a_repository_with_its_cache_imports_no_numpy(tmp_path):
    """The hook's call: one file of a git repository, the results cache on. Finding the
    cache folder must not import the corpus engine (numpy: ~0.1 s), nor typing."""
    import shutil

    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copyfile(need(BBC) / "business" / "001.txt", repo / "article.txt")  # no NL104 pairs: see above
    args = ["check", "-q", "--ignore", "NL4,NL202", "article.txt"]
    code = ("import sys\nbefore = set(sys.modules)\nfrom newslint.entry import main\n"
            f"sys.argv = ['newslint', *{args!r}]\ntry:\n    main()\nexcept SystemExit as e:\n"
            "    print([m for m in ('numpy', 'click', 'typing') if m in set(sys.modules) - before],"
            " e.code, file=sys.stderr)\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=repo)
    assert res.stderr.strip().splitlines()[-1] == "[] 0"
    assert (repo / ".newslint_cache" / "results.sqlite").exists()  # the cache was used


@pytest.mark.parametrize("args", [["check", "-q"], ["check", "-qv"]], ids=["plain check", "through click"])
def test_an_internal_error_exits_2_not_1(args, sample):
    """Exit 1 says "findings" to CI and pre-commit; an error newslint did not foresee (here
    the file listing raising) printed a traceback and exited 1. ("-qv" is left to click.)"""
    code = ("import sys\nimport newslint.runner\n"
            "def boom(*a, **k):\n    raise RuntimeError('listing failed')\n"
            "newslint.runner.files_to_check = boom\n"
            "from newslint.entry import main\n"
            f"sys.argv = ['newslint', *{args!r}, {str(sample)!r}]\nmain()\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 2, res.stderr
    assert "internal error (RuntimeError: listing failed)" in res.stderr and "Traceback" in res.stderr


@pytest.mark.parametrize("module, args", [("newslint.term", ["check", "-q"]), ("newslint.cli", ["check", "-qv"])],
                         ids=["plain check", "through click"])
def test_ctrl_c_while_the_command_is_imported_is_aborted_without_a_traceback(module, args, sample):
    """Ctrl-C in the first tenth of a second lands in an import made before the command's
    own "Aborted!" handling: it printed importlib's traceback and died of SIGINT."""
    code = ("import sys\n"
            "class Interrupted:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            f"        if name == {module!r}:\n"
            "            raise KeyboardInterrupt\n"
            "sys.meta_path.insert(0, Interrupted())\n"
            "from newslint.entry import main\n"
            f"sys.argv = ['newslint', *{args!r}, {str(sample)!r}]\nmain()\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert (res.returncode, res.stderr) == (130, "\nAborted!\n")  # 128 + SIGINT, not 1: "findings"


def test_paths_last_takes_trailing_names_that_look_like_options_as_paths(tmp_path, monkeypatch):
    """What pre-commit runs (`entry + args + filenames`, no '--'): with --paths-last both
    parsers take '-draft.txt', '-o.txt' and a name after the first path as paths, and the
    user's args before them (a value-taking option's value included) as options."""
    monkeypatch.chdir(tmp_path)
    for name in ("-draft.txt", "-o.txt", "--select=NL1.txt", "a.txt", "newslint.toml"):
        (tmp_path / name).write_text("Headline\n\nBody.\n")
    args = ["--force-exclude", "--paths-last", "--config", "newslint.toml", "-q", "--ignore", "NL102",
            "-draft.txt", "-o.txt", "--select=NL1.txt", "a.txt", "--fix"]
    want = {"paths": ("-draft.txt", "-o.txt", "--select=NL1.txt", "a.txt", "--fix"), "configs": ("newslint.toml",),
            "ignore": (["NL102"],), "quiet": True, "force_exclude": True, "paths_last": True}
    for params in (entry.parse_check(["check", *args]), click_params(args)):
        assert {k: params[k] for k in want} == want
        assert params["fix"] is False and params["output_file"] is None and params["select"] == ()
    # the first name begins with '-': an existing file is a path, a missing one stays an option
    assert click_params(["--paths-last", "-o.txt"])["paths"] == ("-o.txt",)
    assert click_params(["--paths-last", "-omissing.txt"])["output_file"] == "missing.txt"
    # without --paths-last nothing changes: '-o.txt' is `-o .txt`, as click reads it
    assert click_params(["-o.txt"])["output_file"] == ".txt"


@pytest.mark.parametrize("args", [["check", "-q", "-"], ["check", "-qv", "-"]], ids=["plain check", "through click"])
def test_ctrl_c_exits_130_not_1_which_says_findings(args):
    """Ctrl-C ended a run with click's status 1, which CI and pre-commit read as "findings
    left" (a review). The run waits on stdin here, so the interrupt lands mid-run, after the
    imports (the test above covers an interrupt during them)."""
    import signal
    import time

    proc = subprocess.Popen([sys.executable, "-m", "newslint", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)  # started, and reading stdin (an earlier interrupt ends the same way)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (130, "\nAborted!\n"), (out, err)
