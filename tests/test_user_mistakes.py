"""User mistakes (a config, baseline or rule pack that is not UTF-8 or not the right shape,
an index URL that is not one or does not answer, an index that cannot be saved) end the run
with one error line naming the file or value and exit status 2, never a traceback.

Every test runs newslint as a real process on a copy of the real sample file."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import BBC, SAMPLE, need, run_newslint

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1: the connection is refused at once


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "a.txt").write_bytes(need(SAMPLE).read_bytes())
    return tmp_path


def assert_user_error(proc, *names: str) -> str:
    """Exit 2, no traceback, one error line on stderr naming each of `names`; returns it."""
    out, err = proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in out + err, err
    assert proc.returncode == 2, (proc.returncode, out, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert out == "", out
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


# -- files that are not UTF-8 -------------------------------------------------------------------

def test_discovered_pyproject_that_is_not_utf8(folder):
    (folder / "pyproject.toml").write_bytes(b"[tool.newslint]\n# auteur: \xe9\n")
    line = assert_user_error(run_newslint("check", "a.txt", cwd=folder), "pyproject.toml", "not UTF-8")
    assert "0xe9" in line


@pytest.mark.parametrize("command", [("check", "a.txt"), ("dups", "."), ("index", ".")])
def test_a_config_error_is_said_alike_by_each_command(folder, command):
    """`dups` and `index` said a config error as click's 'Error: ...', `check` as 'newslint: error:
    ...': one tool, one way of saying it (a CI log is searched for one of them)."""
    (folder / "newslint.toml").write_text("selct = ['NL1']\n", encoding="utf-8")
    line = assert_user_error(run_newslint(*command, cwd=folder), "newslint.toml", "unknown key 'selct'")
    assert line.startswith("newslint: error: "), line


def test_config_option_naming_a_folder(folder):
    """A folder is neither a config file nor an override: say which it is (the message
    said 'no such file' of a folder that exists)."""
    (folder / "conf").mkdir()
    line = assert_user_error(run_newslint("check", "a.txt", "--config", "conf", cwd=folder), "'conf'")
    assert "is a folder" in line and "no such file" not in line


def test_config_option_file_in_utf16(folder):
    (folder / "c.toml").write_bytes('select = ["NL1"]\n'.encode("utf-16"))  # starts \xff\xfe
    assert_user_error(run_newslint("check", "a.txt", "--config", "c.toml", cwd=folder), "c.toml", "not UTF-8")


def test_baseline_that_is_not_utf8(folder):
    (folder / "bl.json").write_bytes(b"\xff\xfe{}")
    assert_user_error(run_newslint("check", "a.txt", "--baseline", "bl.json", cwd=folder), "bl.json", "not UTF-8")


def test_baseline_with_damaged_entries(folder):
    (folder / "bl.json").write_text('{"format": "newslint-baseline/1", "entries": [1]}', encoding="utf-8")
    assert_user_error(run_newslint("check", "a.txt", "--baseline", "bl.json", cwd=folder), "bl.json", "entry 1")


@pytest.fixture
def written_baseline(folder):
    proc = run_newslint("check", "a.txt", "--write-baseline", "bl.json", cwd=folder)
    assert proc.returncode == 0, proc.stderr
    return folder / "bl.json"


@pytest.mark.parametrize("count", [0, -1])
def test_baseline_with_a_count_edited_below_one(folder, written_baseline, count):
    """A hand edit taking a count to 0 or -1 accepted nothing, silently: the run reported the
    entry's findings as new. It is a damaged baseline, named as such."""
    import json

    data = json.loads(written_baseline.read_text(encoding="utf-8"))
    data["entries"][2]["count"] = count
    written_baseline.write_text(json.dumps(data), encoding="utf-8")
    err = assert_user_error(run_newslint("check", "a.txt", "--baseline", "bl.json", cwd=folder), "bl.json", "entry 3")
    assert "of 1 or more" in err


def test_rule_pack_that_is_not_utf8_in_test_packs(folder):
    (folder / "p.toml").write_bytes(b"\xff\xfe[[rule]]")
    assert_user_error(run_newslint("test-packs", "p.toml", cwd=folder), "p.toml", "not UTF-8")


def test_rule_pack_that_is_not_utf8_named_by_the_config(folder):
    (folder / "p.toml").write_bytes(b"\xff\xfe[[rule]]")
    (folder / "newslint.toml").write_text('rule-packs = ["p.toml"]\n', encoding="utf-8")
    assert_user_error(run_newslint("check", "a.txt", cwd=folder), "p.toml", "not UTF-8")


_RULE = '[[rule]]\ncode = "DESK1"\nmessage = "stray {match!r}"\n'


@pytest.mark.parametrize("text, named", [
    ('[rule]\ncode = "DESK1"\nkind = "line"\nmessage = "m"\nlines = ["TT"]\n', "[[rule]] tables (double brackets)"),
    ('pack = "desk"\n', "[pack] must be a table"),
    (_RULE + 'kind = "line"\nlines = [1, 2]\n', "every item of 'lines' must be a string"),
    (_RULE + 'kind = "existence"\ntokens = ["TT", 3]\n', "every item of 'tokens' must be a string"),
    (_RULE + 'kind = "existence"\npattern = "TT"\nprefilter = "(TT"\n', "bad prefilter regex"),
    (_RULE + 'kind = "substitution"\nswap = { TT = 1 }\n', "'swap' maps strings to strings"),
    # an empty token or swap key matched the empty string between any two non-letters: findings
    # of '' all over the file, and a swap's safe fix wrote its replacement into every one of them
    (_RULE + 'kind = "existence"\ntokens = []\n', "'tokens' must list at least one"),
    (_RULE + 'kind = "existence"\ntokens = ["TT", ""]\n', "empty string"),
    (_RULE + 'kind = "substitution"\nswap = { "" = "Turkiye" }\n', "empty string"),
    (_RULE + 'kind = "line"\nlines = ["TT"]\nexamples = { valid = "Hello", invalid = "TT" }\n',
     "examples.valid must be a list of strings"),
    (_RULE + 'kind = "line"\nlines = ["TT"]\nexamples = { good = ["Hello"] }\n', "examples are 'valid' and 'invalid'"),
    # a placeholder other than {match} was printed as written in every finding ("stray {text}")
    (_RULE.replace("{match!r}", "{text}") + 'kind = "line"\nlines = ["TT"]\n', "placeholder {text}"),
    (_RULE.replace("{match!r}", "{match!s}") + 'kind = "line"\nlines = ["TT"]\n', "placeholder {match!s}"),
    # a line break in the message split each finding over two lines of the text report
    (_RULE.replace("stray {match!r}", "stray\\n{match!r}") + 'kind = "line"\nlines = ["TT"]\n', "must be one line"),
    # an unknown severity went out as written in the JSON, and as a warning in SARIF, an error
    # annotation on GitHub and a major issue in GitLab
    (_RULE + 'kind = "line"\nlines = ["TT"]\nseverity = "fatal"\n', "'severity' must be one of error, warning"),
    # a pattern that matches nothing at all (an optional group, a starred class) flagged '' at
    # every position of every line
    (_RULE + 'kind = "existence"\npattern = "(?:Sponsored)?"\n', "matches the empty string"),
    (_RULE + 'kind = "occurrence"\npattern = "\\\\s*"\n', "matches the empty string"),
])
@pytest.mark.parametrize("command", [("test-packs", "p.toml"), ("check", "a.txt")])
def test_rule_pack_of_the_wrong_shape(folder, text, named, command):
    """Each was a traceback ('internal error ... a bug in newslint'), a crash of --fix after
    test-packs passed (a number in 'swap'), or examples tested letter by letter."""
    (folder / "p.toml").write_text(text, encoding="utf-8")
    (folder / "newslint.toml").write_text('rule-packs = ["p.toml"]\n', encoding="utf-8")
    assert_user_error(run_newslint(*command, cwd=folder), "p.toml", named)


# -- config tables of the wrong type ----------------------------------------------------------

@pytest.mark.parametrize("text, named", [
    ('tool = "x"\n', "'tool' must be a table"),
    ("[tool]\nnewslint = 3\n", "[tool.newslint] must be a table"),
])
def test_pyproject_tool_tables_of_the_wrong_type(folder, text, named):
    (folder / "pyproject.toml").write_text(text, encoding="utf-8")
    assert_user_error(run_newslint("check", "a.txt", cwd=folder), "pyproject.toml", named)


@pytest.mark.parametrize("name, how", [("newslint.toml", ()), (".newslint.toml", ()),
                                       ("team.toml", ("--config", "team.toml"))])
def test_the_pyproject_header_in_a_newslint_toml(folder, name, how):
    """The README's configuration example, [tool.newslint] and all, pasted into newslint.toml:
    the error said only "unknown key 'tool'", as if the keys below were wrong."""
    (folder / name).write_text('[tool.newslint]\nselect = ["NL1"]\n', encoding="utf-8")
    line = assert_user_error(run_newslint("check", *how, "a.txt", cwd=folder), name, "[tool.newslint]")
    assert "top level" in line and "pyproject.toml" in line


# -- the shared index ---------------------------------------------------------------------------

@pytest.mark.parametrize("command", [("check", "a.txt"), ("dups",), ("index",)])
def test_index_option_that_is_not_a_url(folder, command):
    assert_user_error(run_newslint(*command, "--index", "bogus", cwd=folder), "'bogus'", "Redis URL")


@pytest.mark.parametrize("command", [("check", "a.txt"), ("dups",), ("index",)])
def test_index_option_that_is_not_a_url_without_the_redis_package(folder, tmp_path, command):
    """The default install has no `redis` package: a mistyped --index must still be called
    what it is, not a package to install."""
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text("import sys\nsys.modules['redis'] = None  # import redis fails\n")
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hide), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-m", "newslint", *command, "--index", "bogus"], cwd=folder,
                          capture_output=True, env=env, timeout=300)
    line = assert_user_error(proc, "'bogus'", "Redis URL")
    assert "pip install" not in line


@pytest.mark.parametrize("url, named", [("redis://127.0.0.1:1/0?prefx=team", "an unknown parameter"),
                                        ("redis://127.0.0.1:1/x", "database 'x' is not a number")])
def test_index_url_with_a_mistyped_parameter_or_database(folder, url, named):
    """'prefx' for 'prefix' was a traceback (redis-py hands it to the connection); a database
    that is not a number was taken for database 0."""
    assert_user_error(run_newslint("check", "--index", url, "a.txt", cwd=folder), url, "not a usable Redis URL", named)


@pytest.mark.parametrize("command", [("check", "a.txt"), ("dups",), ("index",)])
def test_index_server_that_does_not_answer(folder, command):
    assert_user_error(run_newslint(*command, "--index", UNREACHABLE, cwd=folder), UNREACHABLE, "cannot reach")


def test_config_index_that_is_not_a_url(folder):
    (folder / "pyproject.toml").write_text('[tool.newslint.duplicates]\nindex = "bogus"\n', encoding="utf-8")
    assert_user_error(run_newslint("check", "a.txt", cwd=folder), "pyproject.toml", "duplicates.index", "'bogus'")


def test_config_index_server_that_does_not_answer(folder):
    (folder / "pyproject.toml").write_text(f'[tool.newslint.duplicates]\nindex = "{UNREACHABLE}"\n',
                                           encoding="utf-8")
    assert_user_error(run_newslint("check", "a.txt", cwd=folder), UNREACHABLE, "cannot reach")


def test_index_command_takes_sqlite_as_the_embedded_index(folder):
    """`--index sqlite` means the embedded index for `check` and in the config; `index` too."""
    proc = run_newslint("index", "--index", "sqlite", cwd=folder)
    assert proc.returncode == 0, proc.stderr.decode()
    assert (folder / ".newslint_cache" / "corpus-v1.sqlite3").is_file()


def test_index_command_fails_when_the_index_cannot_be_saved(folder):
    """`check` goes on with an in-memory index when the cache folder cannot be made; `index`
    has nothing else to do, so it must say so and exit 2 rather than report success."""
    (folder / ".newslint_cache").write_text("junk\n", encoding="utf-8")
    line = assert_user_error(run_newslint("index", cwd=folder), ".newslint_cache", "cannot save the corpus index")
    assert "memory" not in line
    assert (folder / ".newslint_cache").read_text(encoding="utf-8") == "junk\n"


# -- values out of range ------------------------------------------------------------------------

@pytest.mark.parametrize("setting, named", [
    ("duplicates.num-perm = 0", "duplicates.num-perm"),  # ZeroDivisionError traceback
    ("duplicates.num-perm = -4", "duplicates.num-perm"),  # ValueError traceback
    ("duplicates.num-perm = 7", "duplicates.num-perm"),  # odd: the last row fits no band
    ("duplicates.shingle-size = -1", "duplicates.shingle-size"),  # OverflowError traceback
    ("duplicates.shingle-size = 0", "duplicates.shingle-size"),
    ("corpus-boilerplate.min-files = 1", "corpus-boilerplate.min-files"),  # every line is in one file
    ("max-file-size = -1", "max-file-size"),  # every file NL503
    ("partition-size = 0", "partition-size"),  # the CLI refuses 0 already
    ("page-chrome.threshold = -1", "page-chrome.threshold"),
    ('builtin-packs = ["nope"]', "nope"),  # silently no pack at all
])
def test_out_of_range_settings_name_the_key(folder, setting, named):
    assert_user_error(run_newslint("check", "--no-cache", "a.txt", "--config", setting, cwd=folder), named)


@pytest.mark.parametrize("given", ["override", "config file"])
@pytest.mark.parametrize("name", ["undefined", "punycode", "hex", "idna", "klingon", "unicode_escape"])
def test_an_encoding_that_is_no_text_encoding_names_the_key(folder, name, given):
    """'undefined' and 'punycode' were a traceback, 'hex' and 'idna' an NL500 "internal error"
    in every file, 'klingon' an NL500 in every file and a note calling it "not UTF-8 text"."""
    args = ("--config", f'encoding = "{name}"') if given == "override" else ()
    if given == "config file":
        (folder / "newslint.toml").write_text(f'encoding = "{name}"\n', encoding="utf-8")
    line = assert_user_error(run_newslint("check", "--no-cache", "a.txt", *args, cwd=folder),
                             "'encoding' must be a text encoding", f"got {name!r}")
    assert ("newslint.toml" in line) == (given == "config file")


def test_the_shipped_pack_names_are_accepted(folder):
    from newslint.packs import builtin_pack_names

    names = ", ".join(f'"{n[:-5]}"' for n in builtin_pack_names())
    res = run_newslint("check", "--no-cache", "a.txt", "--config", f"builtin-packs = [{names}]", cwd=folder)
    assert res.returncode == 1 and b"NL201" in res.stdout, res.stderr.decode()


# -- a report written over an article ------------------------------------------------------------

@pytest.mark.parametrize("option", ["--output-file", "--write-baseline"])
@pytest.mark.parametrize("target, paths", [("a.txt", ["a.txt"]), ("./a.txt", ["."]), ("sub/../a.txt", ["."]),
                                           ("./a.txt", ["a.txt"]), ("sub/../a.txt", [".", "a.txt"])])
def test_a_report_over_a_checked_file_is_refused_and_the_file_kept(folder, option, target, paths):
    (folder / "sub").mkdir()
    before = (folder / "a.txt").read_bytes()
    proc = run_newslint("check", option, target, *paths, cwd=folder)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "Traceback" not in err, err
    assert f"{option} {target}: is one of the files being checked" in err
    assert (folder / "a.txt").read_bytes() == before


@pytest.mark.parametrize("link", ["symlink", "hard link"])
def test_a_report_over_a_checked_file_under_another_name_is_refused(folder, link):
    (folder / "other.txt").symlink_to("a.txt") if link == "symlink" else (folder / "other.txt").hardlink_to(folder / "a.txt")
    before = (folder / "a.txt").read_bytes()
    for target, paths in (("other.txt", ["a.txt"]), ("a.txt", ["other.txt"])):
        proc = run_newslint("check", "-o", target, *paths, cwd=folder)
        assert proc.returncode == 2 and "is one of the files being checked" in proc.stderr.decode()
    assert (folder / "a.txt").read_bytes() == before


@pytest.mark.parametrize("link", ["symlink", "hard link"])
def test_a_report_over_a_checked_file_of_a_far_future_time_is_refused(folder, link):
    """A time past 2262 does not fit the packed stat identity the check reuses to find the
    report among the files: that article is stat'ed again, not taken for another file (a
    review had its text replaced by the report, exit 0)."""
    (folder / "report.json").symlink_to("a.txt") if link == "symlink" else \
        (folder / "report.json").hardlink_to(folder / "a.txt")
    far = 10_500_000_000  # 2302: st_mtime_ns is past a signed 64-bit integer
    os.utime(folder / "a.txt", (far, far))
    before = (folder / "a.txt").read_bytes()
    proc = run_newslint("check", "-o", "report.json", "--output-format", "json", ".", cwd=folder)
    assert proc.returncode == 2 and "is one of the files being checked" in proc.stderr.decode()
    assert (folder / "a.txt").read_bytes() == before


def test_a_report_beside_the_checked_files_is_written(folder):
    proc = run_newslint("check", "-o", "report.txt", ".", cwd=folder)  # a new file: not an input
    assert proc.returncode == 1 and (folder / "report.txt").read_text().startswith("./a.txt:4:1: NL102")


@pytest.mark.parametrize("option", ["--output-file", "--write-baseline"])
@pytest.mark.parametrize("target", ["report.txt", "./sub/report.md"])
def test_a_report_left_in_the_checked_folder_gives_the_same_answer_every_run(folder, option, target):
    """`-o report.txt .` wrote its report, then every later run stopped: "is one of the files
    being checked". Found by walking a folder, a report newslint wrote is left out of the files
    checked and of the corpus (a.txt's copy in sub/ is still its only duplicate); named, it is
    refused; an article in its place is refused (the test above)."""
    (folder / "sub").mkdir()
    (folder / "sub" / "copy.txt").write_bytes((folder / "a.txt").read_bytes())
    written = []
    for _ in range(3):
        proc = run_newslint("check", "--no-cache", option, target, ".", cwd=folder)
        assert proc.returncode == (1 if option == "--output-file" else 0), proc.stderr.decode()
        written.append((folder / target).read_bytes())
    assert written[0] == written[1] == written[2]
    assert b"report" not in written[0] and written[0].count(b"NL401") == 2  # a.txt and its copy, only
    proc = run_newslint("check", "--no-cache", option, target, ".", target, cwd=folder)
    assert proc.returncode == 2 and f"{option} {target}: is one of the files being checked" in proc.stderr.decode()


def test_a_report_left_in_the_checked_folder_under_another_name_is_refused(folder):
    """Left out of the check is the report's own entry only: another name of it found by the
    walk (a link beside it) is still among the files, so the write is refused."""
    assert run_newslint("check", "-o", "report.txt", ".", cwd=folder).returncode == 1
    report = (folder / "report.txt").read_bytes()
    (folder / "alias.txt").symlink_to("report.txt")
    proc = run_newslint("check", "-o", "report.txt", ".", cwd=folder)
    assert proc.returncode == 2 and "--output-file report.txt: is one of the files being checked" in proc.stderr.decode()
    assert (folder / "report.txt").read_bytes() == report


@pytest.mark.parametrize("mode", ["--fix", "--diff"])
def test_a_fix_or_diff_report_left_in_the_checked_folder_is_written_again(folder, mode):
    """A --fix run's summary ("Found 11 errors (10 fixed, 1 remaining).") and a --diff were not
    taken for newslint's own output, so the next run stopped (exit 2) as over an article."""
    reports = []
    for _ in range(2):  # safe rules only: every finding fixed, so the report is the summary alone
        proc = run_newslint("check", "--no-cache", "--select", "NL101,NL102,NL201", mode, "-o", "report.txt", ".", cwd=folder)
        assert proc.returncode != 2, proc.stderr.decode()
        reports.append((folder / "report.txt").read_text(encoding="utf-8"))
    assert reports[0].startswith("--- ./a.txt") if mode == "--diff" else \
        reports[0] == "Found 10 errors (10 fixed, 0 remaining).\n"


def test_a_fifo_in_the_checked_folder_is_refused_as_a_report_target(folder):
    """Reading a FIFO to see whether it is an old report would block: it is refused."""
    os.mkfifo(folder / "pipe.txt")
    proc = run_newslint("check", "-o", "pipe.txt", ".", cwd=folder, timeout=60)
    assert proc.returncode == 2 and "--output-file pipe.txt: is one of the files being checked" in proc.stderr.decode()


def test_config_naming_a_pyproject_without_the_newslint_table(folder):
    """`--config pyproject.toml` where that file has no [tool.newslint] table ran with the
    defaults without a word: the settings the user meant to give were in another file."""
    (folder / "pyproject.toml").write_text('[project]\nname = "desk"\n', encoding="utf-8")
    assert_user_error(run_newslint("check", "a.txt", "--config", "pyproject.toml", cwd=folder),
                      "pyproject.toml", "no [tool.newslint] table")


@pytest.mark.parametrize("option", ["--output-file", "--write-baseline"])
def test_a_report_over_an_article_that_is_not_checked_is_refused(tmp_path, option):
    """A hook-sized run (`check -o news/t001.txt news/t002.txt`) replaced a committed article
    that was not among the checked files with its report, exit 0 (found by a review). A file of
    the kind newslint checks that is not a report it wrote is refused, whether or not it is
    checked; the same file name holding a report newslint wrote is written over."""
    news = tmp_path / "news"
    news.mkdir()
    for name in ("001.txt", "002.txt"):
        shutil.copy(need(BBC) / "tech" / name, news / name)
    before = (news / "001.txt").read_bytes()
    for args in (("news/002.txt",), ("-", "--stdin-filename", "news/002.txt")):
        proc = run_newslint("check", option, "news/001.txt", *args, cwd=tmp_path,
                            input=(news / "002.txt").read_bytes() if "-" in args else None)
        err = proc.stderr.decode()
        assert proc.returncode == 2 and "Traceback" not in err, err
        assert f"{option} news/001.txt: holds text newslint did not write" in err
        assert (news / "001.txt").read_bytes() == before
    for _ in range(2):  # a report of its own, written and written again
        proc = run_newslint("check", option, "news/report.txt", "news/002.txt", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr.decode()
