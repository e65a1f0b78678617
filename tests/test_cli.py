"""The command line: selection, formats, exit codes, stdin, --diff, docs."""

from __future__ import annotations

from collections import Counter
import json
import shutil
import subprocess

import pytest

from conftest import SAMPLE, SCRAPED, need, run_newslint


def test_select_prefix_and_ignore(cli, sample):
    codes = lambda res: sorted({d["code"] for d in json.loads(res.stdout)})  # noqa: E731
    assert codes(cli("check", sample, "--select", "NL1", "--output-format", "json")) == ["NL101", "NL102"]
    assert codes(cli("check", sample, "--select", "NL1,NL3", "--ignore", "NL102", "--output-format", "json")) == [
        "NL101", "NL301"]
    # the more specific code wins over a broader prefix
    assert codes(cli("check", sample, "--ignore", "NL1", "--select", "NL102", "--output-format", "json")) == [
        "NL102"]


def test_unknown_code_is_a_usage_error(cli, sample):
    res = cli("check", sample, "--select", "XX9")
    assert res.exit_code == 2
    assert "unknown rule code or prefix: XX9" in res.output


def test_missing_path_is_a_usage_error_without_traceback(sample):
    res = run_newslint("check", sample.parent / "nope.txt")
    assert res.returncode == 2
    assert b"path does not exist" in res.stderr and b"Traceback" not in res.stderr


def test_exit_codes(cli, sample, tmp_path):
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "a.txt").write_text(need(SAMPLE).read_text(encoding="utf-8").split("\n")[11] + "\n", encoding="utf-8")
    assert cli("check", clean).exit_code == 0
    assert "All checks passed!" in cli("check", clean).stdout
    assert cli("check", sample).exit_code == 1
    assert cli("check", sample, "--exit-zero").exit_code == 0


def test_json_fields_follow_ruff(cli, sample):
    items = json.loads(cli("check", sample, "--output-format", "json").stdout)
    caption = next(d for d in items if d["code"] == "NL102")
    assert set(caption) >= {"code", "message", "filename", "location", "end_location", "fix", "related"}
    assert caption["location"] == {"row": 4, "column": 1}
    assert caption["fix"]["applicability"] == "safe"
    (edit,) = caption["fix"]["edits"]
    assert edit["content"] == "" and edit["location"] == {"row": 4, "column": 1}
    assert edit["end_location"] == {"row": 5, "column": 1}
    assert caption["related"] == [{"filename": str(sample), "location": {"row": 3, "column": 1},
                                   "similarity": 1.0, "message": "first copy"}]
    split = next(d for d in items if d["code"] == "NL301")
    assert split["fix"]["applicability"] == "unsafe"


def test_output_file(cli, sample, tmp_path):
    out = tmp_path / "report.json"
    res = cli("check", sample, "--output-format", "json", "-o", out)
    assert res.stdout == ""
    assert len(json.loads(out.read_text())) == 11


def test_quiet_prints_findings_only(cli, sample):
    lines = cli("check", sample, "-q").stdout.splitlines()
    assert len(lines) == 11 and all(" NL" in ln for ln in lines)


def test_statistics(cli, sample):
    out = cli("check", sample, "--statistics").stdout
    assert "     6  NL102   [*] repeated-caption" in out
    assert "     1  NL301   [-] merged-articles" in out  # an unsafe fix, as its finding's line marks it


def test_unsafe_fixes_on_mark_the_split_as_fixable(cli, sample, tmp_path):
    """With unsafe fixes turned on (flag or config) `--fix` splits the merged file, so its
    NL301 line and the statistics show [*], as the summary's count of 11 fixable says."""
    for how in ("flag", "config"):
        if how == "config":
            (tmp_path / "pyproject.toml").write_text("[tool.newslint]\nunsafe-fixes = true\n")
            args = ("--config", str(tmp_path / "pyproject.toml"))
        else:
            args = ("--unsafe-fixes",)
        out = cli("check", sample, *args).stdout
        assert "NL301 [*] File holds 2 articles" in out, how
        assert "[*] 11 fixable" in out, how
        assert "     1  NL301   [*] merged-articles" in cli("check", sample, "--statistics", *args).stdout, how


def test_stdin_check_and_fix(sample):
    data = sample.read_bytes()
    res = run_newslint("check", "-", "--stdin-filename", "in.txt", "--output-format", "json", input=data)
    assert res.returncode == 1
    assert {d["filename"] for d in json.loads(res.stdout)} == {"in.txt"}
    fixed = run_newslint("check", "-", "--fix", input=data)
    assert fixed.stdout == need(SAMPLE.parent / "expected" / SAMPLE.name).read_bytes()
    assert b"10 fixed, 1 remaining" in fixed.stderr


@pytest.mark.skipif(shutil.which("patch") is None, reason="needs patch(1)")
def test_diff_writes_nothing_and_applies_with_patch(sample, tmp_path):
    before = sample.read_bytes()
    res = run_newslint("check", "--diff", sample.name, cwd=sample.parent)
    assert res.returncode == 1
    assert sample.read_bytes() == before
    assert res.stdout.startswith(b"--- aawsat_two_articles.txt")
    subprocess.run(["patch", "-p0", "-s"], input=res.stdout, cwd=sample.parent, check=True)
    assert sample.read_bytes() == need(SAMPLE.parent / "expected" / SAMPLE.name).read_bytes()


@pytest.mark.parametrize("flag", ["--statistics", "--show-fixes"])
def test_diff_with_a_report_option_is_a_usage_error_not_ignored(sample, flag):
    """`--diff --statistics` and `--diff --show-fixes` printed the diff and exit 0 as if the
    option were not given (the same surprise as `--diff --output-format json`): both shape a
    report, and a diff is none. Refused before any file is read, nothing printed."""
    before = sample.read_bytes()
    res = run_newslint("check", "--diff", flag, sample.name, cwd=sample.parent)
    assert res.returncode == 2 and res.stdout == b"", res.stdout[:300]
    assert f"{flag} does not apply".encode() in res.stderr and b"Traceback" not in res.stderr, res.stderr
    assert sample.read_bytes() == before
    # each still works without --diff
    assert run_newslint("check", flag, sample.name, cwd=sample.parent).returncode == 1


@pytest.mark.parametrize("fmt", ["json", "json-lines", "sarif", "github", "junit", "gitlab", "concise", "full"])
def test_diff_with_a_report_format_is_a_usage_error_not_a_diff(sample, fmt):
    """`--diff --output-format json` printed a unified diff where a CI job parses JSON. A
    diff is no report: the format is refused, before any file is read, and nothing printed."""
    before = sample.read_bytes()
    res = run_newslint("check", "--diff", "--output-format", fmt, sample.name, cwd=sample.parent)
    assert res.returncode == 2 and res.stdout == b"", res.stdout[:300]
    assert f"--output-format {fmt} does not apply".encode() in res.stderr, res.stderr
    assert b"Traceback" not in res.stderr and b"---" not in res.stderr
    assert sample.read_bytes() == before
    # the default (text) is the diff itself, as before
    res = run_newslint("check", "--diff", "--output-format", "text", sample.name, cwd=sample.parent)
    assert res.returncode == 1 and res.stdout.startswith(f"--- {sample.name}\n".encode()), res.stdout[:300]


def test_fix_and_diff_together_is_rejected(cli, sample):
    assert cli("check", "--fix", "--diff", sample).exit_code == 2


def test_folder_discovery_skips_hidden_and_vcs(cli, sample, tmp_path):
    root = sample.parent
    (root / ".git").mkdir()
    (root / ".git" / "x.txt").write_bytes(sample.read_bytes())
    (root / ".hidden.txt").write_bytes(sample.read_bytes())
    (root / "notes.rst").write_bytes(sample.read_bytes())
    sub = root / "sub"
    sub.mkdir()
    (sub / "b.md").write_bytes(sample.read_bytes())
    files = {d["filename"] for d in json.loads(cli("check", root, "--output-format", "json").stdout)}
    assert files == {str(sample), str(sub / "b.md")}


def test_rule_docs(cli):
    out = cli("rule", "NL102").stdout
    assert out.startswith("# NL102 repeated-caption")
    for section in ("## What it flags", "## Why", "## Example", "## Fix safety"):
        assert section in out
    assert cli("rule", "NL999").exit_code == 2


def test_every_rule_documents_itself(cli):
    rules = json.loads(cli("rules", "--output-format", "json").stdout)
    codes = [r["code"] for r in rules]
    assert codes == sorted(codes) and {"NL101", "NL102", "NL103", "NL104", "NL201", "NL301", "NL501"} <= set(codes)
    for r in rules:
        assert r["summary"] and r["source"] == "builtin" and isinstance(r["fixable"], bool)
        doc = cli("rule", r["code"]).stdout
        assert "Fix safety" in doc, r["code"]


def test_python_dash_m_and_version():
    res = run_newslint("--version")
    assert res.returncode == 0 and res.stdout.startswith(b"newslint, version ")


def test_discover_orders_and_dedupes_across_roots(sample, tmp_path):
    """Each folder's files sorted, every path once, in the order the roots were given: the
    plain-suffix walk and the glob walk (an exclude) agree, and a file given before its
    folder is not listed twice."""
    from newslint.files import discover

    root = sample.parent
    text = sample.read_bytes()
    for rel in ("desk/b.txt", "desk/a.md", "desk/.draft.txt", "desk/old/c.txt", "wire/z.txt", "wire/notes.rst"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(text)
    desk, wire = str(root / "desk"), str(root / "wire")
    walked = list(discover([desk, wire, desk]))
    assert walked == [f"{desk}/a.md", f"{desk}/b.txt", f"{desk}/old/c.txt", f"{wire}/z.txt"]
    assert list(discover([f"{wire}/z.txt", wire, desk])) == [f"{wire}/z.txt"] + walked[:3]
    assert list(discover([desk], exclude=("old",))) == walked[:2]
    assert list(discover([desk], include=("*.t?t",))) == [f"{desk}/b.txt", f"{desk}/old/c.txt"]


# ---- user mistakes and edge cases found by a CLI review ----------------------------------

@pytest.mark.parametrize("data", [b"Caf\xe9 society\n", b"Headline\x00\nBody\n"], ids=["latin-1", "binary"])
def test_stdin_fix_gives_back_what_it_cannot_read_unchanged(data):
    """`newslint check - --fix <f >g && mv g f` must never empty f: input that is not UTF-8
    text goes back out byte for byte (it wrote nothing, and a binary input exited 0)."""
    res = run_newslint("check", "-", "--fix", input=data)
    assert res.stdout == data
    assert res.returncode in (0, 1) and b"Traceback" not in res.stderr


def test_stdin_fix_never_splits_into_one_stream(sample):
    """A split has no second file to go to when the text goes to stdout: both articles
    used to be written back to back, the boundary gone, and NL301 counted as fixed."""
    res = run_newslint("check", "-", "--fix", "--unsafe-fixes", input=sample.read_bytes())
    assert res.returncode == 1
    assert b"NL301" in res.stderr and b"1 remaining" in res.stderr
    # and says why: the user asked for the split
    assert b"from standard input is not split" in res.stderr and b"Traceback" not in res.stderr
    out = res.stdout.decode()
    again = run_newslint("check", "-", "--select", "NL301", input=res.stdout)
    assert again.returncode == 1 and b"NL301" in again.stdout  # still two articles, still found
    assert "Baghdad Urges Washington" in out and "Assad to Visit Moscow" in out


def test_stdin_diff_shows_what_the_fix_writes_and_no_split(sample):
    """--diff on stdin showed a second file (+++ s-2.txt) that --fix on stdin never makes."""
    import subprocess

    res = run_newslint("check", "-", "--stdin-filename", "s.txt", "--diff", "--unsafe-fixes", input=sample.read_bytes())
    assert res.returncode == 1 and b"Traceback" not in res.stderr
    assert [ln for ln in res.stdout.decode().splitlines() if ln.startswith("+++ ")] == ["+++ s.txt"]
    assert b"s.txt: a merged file read from standard input is not split" in res.stderr
    safe_only = run_newslint("check", "-", "--stdin-filename", "s.txt", "--diff", input=sample.read_bytes())
    assert b"not split" not in safe_only.stderr  # no split was asked for: nothing to explain
    fixed = run_newslint("check", "-", "--stdin-filename", "s.txt", "--fix", "--unsafe-fixes", input=sample.read_bytes())
    patched = sample.parent / "s.txt"
    patched.write_bytes(sample.read_bytes())
    subprocess.run(["patch", "-s", "-p0", "s.txt"], cwd=sample.parent, input=res.stdout, check=True)
    assert patched.read_bytes() == fixed.stdout  # the diff is exactly the fix


def test_dask_options_without_the_dask_engine_are_said_to_do_nothing(sample):
    res = run_newslint("check", "--scheduler", "tcp://10.0.0.5:8786", "--partition-size", "5", sample)
    assert res.returncode == 1 and b"NL101" in res.stdout  # the check itself runs, locally
    err = res.stderr.decode()
    assert "warning: --scheduler has no effect" in err and "warning: --partition-size has no effect" in err
    quiet = run_newslint("check", "-q", "--scheduler", "tcp://10.0.0.5:8786", sample)
    assert quiet.stderr == b""


def test_results_cache_follows_the_size_limit(cli, sample, tmp_path):
    """A file over max-file-size is NL503 and not linted; the cache must not answer for
    another limit (the NL503 result was served to the next normal run, hiding 11 findings)."""
    cache = tmp_path / "cache"
    normal = cli("check", sample, "--cache-dir", cache, "--output-format", "json")
    tiny = cli("check", sample, "--cache-dir", cache, "--config", "max-file-size = 10", "--output-format", "json")
    again = cli("check", sample, "--cache-dir", cache, "--output-format", "json")
    assert [d["code"] for d in json.loads(tiny.stdout)] == ["NL503"]
    assert again.stdout == normal.stdout and len(json.loads(normal.stdout)) == 11


def test_a_skipped_binary_file_is_noted_on_every_run(tmp_path):
    """Once a run: the corpus pass's own "left out of the corpus checks" for the file said the
    same again (a file skipped unread is in no check); a file that is not UTF-8 keeps it."""
    (tmp_path / "scan.txt").write_bytes(b"Headline\x00\n" + need(SAMPLE).read_bytes())
    (tmp_path / "legacy.txt").write_bytes(need(SAMPLE).read_bytes().replace(b"Moscow", b"Moscow \xe9"))  # Latin-1 é
    for _ in range(2):  # the second run answered from the cache without the note
        res = run_newslint("check", ".", cwd=tmp_path)
        assert res.stderr.count(b"scan.txt") == 1, res.stderr
        assert b"scan.txt: binary file (NUL bytes); skipped" in res.stderr
        assert b"legacy.txt: binary or not UTF-8 text; left out of the corpus checks" in res.stderr


@pytest.mark.parametrize("config, where", [
    ('select = ["NL10l"]', "select: NL10l"),
    ('ignore = ["NL2", "XYZ"]', "ignore: XYZ"),
    ('per-file-ignores = { "*.txt" = ["NL999"] }', "per-file-ignores '*.txt': NL999"),
])
def test_unknown_rule_codes_in_the_config_are_errors(sample, config, where):
    """A typo in the config's codes selected nothing and every run passed, exit 0; the
    same typo in --select is a usage error."""
    (sample.parent / "pyproject.toml").write_text(f"[tool.newslint]\n{config}\n", encoding="utf-8")
    res = run_newslint("check", sample.name, cwd=sample.parent)
    assert res.returncode == 2
    assert f"pyproject.toml: unknown rule code or prefix in {where}".encode() in res.stderr
    assert b"Traceback" not in res.stderr


def test_diff_says_what_it_could_not_read(tmp_path):
    (tmp_path / "broken.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "latin.txt").write_bytes(need(SAMPLE).read_bytes().replace(b"Moscow", b"Moscou \xe0", 1))
    res = run_newslint("check", "--diff", "latin.txt", cwd=tmp_path)
    assert res.returncode == 1 and b"latin.txt:1:" in res.stderr and b"NL501" in res.stderr
    res = run_newslint("check", "--diff", "broken.txt", cwd=tmp_path)
    assert res.returncode == 2 and b"NL500 broken symlink" in res.stderr


@pytest.mark.parametrize("option", ["--output-file", "--write-baseline"])
def test_report_into_a_missing_folder_is_a_usage_error(sample, option):
    res = run_newslint("check", sample.name, option, "nodir/out", cwd=sample.parent)
    assert res.returncode == 2 and b"Traceback" not in res.stderr
    assert b"folder" in res.stderr and b"nodir does not exist" in res.stderr


def test_json_gives_no_edits_for_a_split(cli, sample):
    """NL301's split makes a new file; its edits alone would delete the second article."""
    res = cli("check", sample, "--select", "NL301", "--output-format", "json")
    (d,) = json.loads(res.stdout)
    assert d["fix"]["message"] == "Split into 2 files" and d["fix"]["edits"] == []


def test_cache_dir_in_the_config_is_used(sample):
    (sample.parent / "pyproject.toml").write_text('[tool.newslint]\ncache-dir = "mycache"\n', encoding="utf-8")
    res = run_newslint("check", sample.name, cwd=sample.parent)
    assert res.returncode == 1
    assert (sample.parent / "mycache").is_dir() and not (sample.parent / ".newslint_cache").exists()


def test_a_file_named_twice_is_checked_once(cli, sample):
    once = json.loads(cli("check", sample, "--output-format", "json").stdout)
    twice = json.loads(cli("check", sample, f"{sample.parent}/./{sample.name}", "--output-format", "json").stdout)
    assert twice == once and len(once) == 11


def test_a_file_named_relative_and_absolute_is_checked_once(sample, monkeypatch):
    """A script that mixes path styles (a folder relative, one of its files absolute) got
    every finding twice, in every report format."""
    from conftest import run_newslint

    sub = sample.parent / "news"
    sub.mkdir()
    sample.rename(sub / sample.name)
    once = json.loads(run_newslint("check", "--output-format", "json", "news", cwd=sample.parent).stdout)
    both = run_newslint("check", "--output-format", "json", "news", str(sub / sample.name), cwd=sample.parent)
    assert json.loads(both.stdout) == once and len(once) == 11
    link = sample.parent.parent / (sample.parent.name + "-link")  # the working folder through a link
    link.symlink_to(sample.parent, target_is_directory=True)
    linked = run_newslint("check", "--output-format", "json", "news", str(link / "news" / sample.name), cwd=link)
    assert json.loads(linked.stdout) == once


def test_two_files_one_named_through_a_linked_folder_and_dotdot_are_both_checked(sample):
    """`feeds/../other.txt`, feeds a link, is the other.txt beside the link's target, not
    ./other.txt; the check of several paths took the two for one file named twice (it
    normalised the name lexically before resolving links) and dropped ./other.txt with its
    11 findings: 'All checks passed!', exit 0."""
    from conftest import run_newslint

    work = sample.parent / "work"
    (sample.parent / "elsewhere" / "inbox").mkdir(parents=True)
    (sample.parent / "elsewhere" / "other.txt").write_text("A clean short note.\n", encoding="utf-8")
    work.mkdir()
    sample.rename(work / "other.txt")
    (work / "feeds").symlink_to("../elsewhere/inbox")
    res = run_newslint("check", "--isolated", "--output-format", "json", "feeds/../other.txt", "other.txt", cwd=work)
    assert {d["filename"] for d in json.loads(res.stdout)} == {"other.txt"} and res.returncode == 1
    assert len(json.loads(res.stdout)) == 11


def test_a_safe_pack_fix_never_deletes_a_sentence_written_without_spaces(tmp_path):
    """The three-word limit on safe deletions counted a Chinese sentence as one word (one
    \\w+ run), so a desk pack's safe footer rule deleted a 40-character sentence found
    nowhere else; the same rule's English match of 13 words was (rightly) unsafe."""
    (tmp_path / "pack.toml").write_text(
        '[pack]\nname = "desk"\ndescription = "footers"\n'
        '[[rule]]\ncode = "DESK1"\nid = "footer"\nkind = "line"\nmessage = "footer {match!r}"\nfix = "safe"\n'
        "pattern = '''^(?:本文|This is the footer).*$'''\n", encoding="utf-8")
    sentence = "本文作者认为这次会议将决定未来十年的经济政策方向，各方代表均已到场并发表了重要讲话。"
    cn = tmp_path / "cn.txt"
    cn.write_text(f"标题新闻\n\n{sentence}\n\n第二段内容。\n\n本文来源\n", encoding="utf-8")
    res = run_newslint("check", "--no-cache", "--isolated", "--config", 'rule-packs = ["pack.toml"]', "--fix",
                       "cn.txt", cwd=tmp_path)
    assert sentence in cn.read_text(encoding="utf-8")  # unsafe: kept
    assert "本文来源" not in cn.read_text(encoding="utf-8")  # four characters, about two words: safe
    assert b"1 fixed" in res.stdout


def test_stdin_follows_the_settings_of_the_file_it_names(sample):
    """--stdin-filename stands for a file: its per-file ignores and force-exclude apply
    (an editor or a pre-commit pipe linted wire copy the config leaves alone)."""
    folder = sample.parent
    (folder / "wire").mkdir()
    data = sample.read_bytes()
    (folder / "pyproject.toml").write_text('[tool.newslint]\nper-file-ignores = { "wire/*.txt" = ["NL1", "NL2"] }\n',
                                           encoding="utf-8")
    res = run_newslint("check", "-", "--stdin-filename", "wire/a.txt", "--output-format", "json", cwd=folder,
                       input=data)
    assert [d["code"] for d in json.loads(res.stdout)] == ["NL301"]
    (folder / "pyproject.toml").write_text('[tool.newslint]\nexclude = ["wire/"]\n', encoding="utf-8")
    res = run_newslint("check", "-", "--fix", "--stdin-filename", "wire/a.txt", "--force-exclude", cwd=folder,
                       input=data)
    assert res.returncode == 0 and res.stdout == data  # excluded: given back untouched
    res = run_newslint("check", "--stdin-filename", "a.txt", "--output-format", "json", cwd=folder, input=data)
    assert len(json.loads(res.stdout)) == 11  # no path: stdin is read (it linted "." instead)
    res = run_newslint("check", "--stdin-filename", "a.txt", sample.name, cwd=folder)
    assert res.returncode == 2 and b"--stdin-filename names the text read from stdin" in res.stderr
    # a URL is only a name here: nothing is listed or fetched
    res = run_newslint("check", "-", "--stdin-filename", "https://example.com/news/a.txt", "--output-format", "json",
                       cwd=folder, input=data)
    assert res.returncode == 1 and len(json.loads(res.stdout)) == 11, res.stderr


def test_a_folder_without_text_files_is_said_so(tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "scan.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    res = run_newslint("check", "photos", cwd=tmp_path)
    assert res.returncode == 0 and b"All checks passed!" in res.stdout
    assert b"warning: no files to check under photos (include: *.txt, *.md)" in res.stderr


def test_a_file_left_out_by_exclude_is_said_so(sample):
    """`--force-exclude` on an excluded file (a pre-commit run of drafts only): the warning
    named only the include globs, which the file matches, as if they were why it went unchecked."""
    folder = sample.parent
    (folder / "drafts").mkdir()
    (folder / "drafts" / "d.txt").write_bytes(sample.read_bytes())
    (folder / "pyproject.toml").write_text('[tool.newslint]\nexclude = ["drafts/"]\n', encoding="utf-8")
    res = run_newslint("check", "--force-exclude", "drafts/d.txt", cwd=folder)
    assert res.returncode == 0 and b"All checks passed!" in res.stdout
    assert b"no files to check under drafts/d.txt (include: *.txt, *.md; exclude: drafts/)" in res.stderr


@pytest.mark.parametrize("value", ["", ",", " "])
def test_an_empty_select_is_a_usage_error(sample, value):
    """`--select "$CODES"` with the variable unset selected no rule: the merged sample, 11
    findings, passed with "All checks passed!" and exit 0."""
    res = run_newslint("check", "--select", value, sample.name, cwd=sample.parent)
    assert res.returncode == 2 and b"--select was given no rule code" in res.stderr, res.stdout
    res = run_newslint("check", "--select", value, "--extend-select", "NL101", "--output-format", "json",
                       sample.name, cwd=sample.parent)
    assert res.returncode == 1 and {d["code"] for d in json.loads(res.stdout)} == {"NL101"}


def test_a_split_off_article_is_checked_across_files(sample):
    """--fix --unsafe-fixes writes the second article to its own file; the cross-file pass
    must see that file, or the run says '0 remaining' (exit 0) and the next check fails on a
    duplicate it just made. Here another file already holds that second article."""
    from conftest import EXPECTED_SPLIT, run_newslint

    second = need(EXPECTED_SPLIT) / "aawsat_two_articles-2.txt"
    shutil.copyfile(second, sample.parent / "other.txt")
    fixed = run_newslint("check", "--no-cache", "--fix", "--unsafe-fixes", "--output-format", "json", ".",
                         cwd=sample.parent)
    found = {(d["filename"], d["code"]) for d in json.loads(fixed.stdout)}
    assert ("aawsat_two_articles-2.txt", "NL401") in found and fixed.returncode == 1, fixed.stdout.decode()
    again = run_newslint("check", "--no-cache", "--output-format", "json", ".", cwd=sample.parent)
    assert {(d["filename"], d["code"]) for d in json.loads(again.stdout)} == found
    # the merged file again, beside the part split off before (the fixer reuses an identical
    # one, the way back from an interrupted run): that part is listed and written, and its
    # findings were reported twice
    shutil.copyfile(SAMPLE, sample)
    refixed = run_newslint("check", "--no-cache", "--fix", "--unsafe-fixes", "--output-format", "json", ".",
                           cwd=sample.parent)
    listed = [(d["filename"], d["code"]) for d in json.loads(refixed.stdout)]
    assert sorted(listed) == sorted(found), refixed.stdout.decode()


def test_statistics_print_the_counts_in_place_of_the_findings(tmp_path):
    """A first run over a legacy archive finds thousands of things; `--statistics`, ruff's way
    to get the overview, printed every finding and then the table (620 BBC and scraped files:
    4,364 lines before the 13-line table). The table now stands in their place, with the
    summary."""
    folder = tmp_path / "pages"
    folder.mkdir()
    for p in sorted(need(SCRAPED / "raw").glob("*.txt"))[:20]:
        shutil.copyfile(p, folder / p.name)
    res = run_newslint("check", "--no-cache", "--isolated", "--statistics", ".", cwd=folder)
    lines = res.stdout.decode().splitlines()
    assert res.returncode == 1 and lines, res.stderr
    assert not any(".txt:" in line for line in lines), lines[:3]
    table = lines[:-2]
    assert all(line.split()[1].startswith("NL") for line in table) and len(table) >= 5
    total = sum(int(line.split()[0]) for line in table)
    assert lines[-2] == f"Found {total} errors."
    every = run_newslint("check", "--no-cache", "--isolated", ".", cwd=folder).stdout.decode().splitlines()
    assert sum(".txt:" in line for line in every) == total


def test_statistics_in_json_are_the_counts_and_other_formats_refuse(sample):
    """`--statistics --output-format json` printed every finding, the option silently
    dropped; ruff prints its statistics as JSON. The other report formats have no form for
    counts: refused, as `--diff --statistics` is, before any file is read."""
    res = run_newslint("check", "--statistics", "--output-format", "json", sample.name, cwd=sample.parent)
    assert res.returncode == 1, res.stderr
    rows = json.loads(res.stdout)
    counts = Counter(d["code"] for d in json.loads(
        run_newslint("check", "--output-format", "json", sample.name, cwd=sample.parent).stdout))
    assert {r["code"]: r["count"] for r in rows} == counts and sum(counts.values()) == 11
    assert [r["count"] for r in rows] == sorted((r["count"] for r in rows), reverse=True)
    by_code = {r["code"]: r for r in rows}
    assert by_code["NL102"] == {"code": "NL102", "name": "repeated-caption", "count": 6, "fixable": True}
    assert by_code["NL301"]["fixable"] is False  # an unsafe fix, not applied by --fix as given
    for fmt in ("sarif", "junit", "github", "gitlab", "json-lines"):
        refused = run_newslint("check", "--statistics", "--output-format", fmt, sample.name, cwd=sample.parent)
        assert refused.returncode == 2 and refused.stdout == b"", fmt
        assert b"--statistics counts the findings" in refused.stderr and b"Traceback" not in refused.stderr


def test_exit_zero_and_exit_non_zero_on_fix_together_are_refused(sample):
    """Both were accepted and the second won without a word: a CI job that meant one of
    them got the other's exit status. Refused, the file untouched."""
    before = sample.read_bytes()
    res = run_newslint("check", "--fix", "--exit-zero", "--exit-non-zero-on-fix", sample.name, cwd=sample.parent)
    assert res.returncode == 2 and b"opposite exit statuses" in res.stderr, res.stderr
    assert sample.read_bytes() == before
    assert run_newslint("check", "--fix", "--exit-non-zero-on-fix", sample.name, cwd=sample.parent).returncode == 1
