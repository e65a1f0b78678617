"""Configuration discovery, selection, per-file ignores, excludes, overrides, errors;
suppression comments; baselines (issue 3)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter

import pytest

from conftest import BBC, SAMPLE, SCRAPED, SECOND_ARTICLE_PARAGRAPH, need, run_newslint


def codes(res) -> Counter:
    return Counter(d["code"] for d in json.loads(res.stdout))


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_pyproject_ignore_beside_the_sample(cli, sample):
    write(sample.parent / "pyproject.toml", '[tool.newslint]\nignore = ["NL201"]\n')
    found = codes(cli("check", sample, "--output-format", "json"))
    assert "NL201" not in found and found["NL101"] == 2


def test_closest_config_wins_and_dotfile_beats_plain(cli, tmp_path):
    text = need(SAMPLE).read_bytes()
    root, sub = tmp_path, tmp_path / "desk"
    write(root / "pyproject.toml", '[tool.newslint]\nselect = ["NL1"]\n')
    write(sub / "newslint.toml", 'select = ["NL201"]\n')
    (sub / "a.txt").write_bytes(text)
    (root / "b.txt").write_bytes(text)
    by_file = {}
    for d in json.loads(cli("check", root, "--output-format", "json").stdout):
        by_file.setdefault(d["filename"].rsplit("/", 1)[-1], set()).add(d["code"])
    assert by_file == {"a.txt": {"NL201"}, "b.txt": {"NL101", "NL102"}}
    write(sub / ".newslint.toml", 'select = ["NL3"]\n')
    assert set(codes(cli("check", sub / "a.txt", "--output-format", "json"))) == {"NL301"}


def test_a_folder_config_that_ignores_a_cross_file_rule_holds_for_its_files(cli, tmp_path):
    """wire/newslint.toml ignores NL401 (the wire keeps its copies): checked from the top, whose
    settings select everything, wire's copy of the sample got NL401 all the same (the in-file
    codes it ignores were honoured; the cross-file findings were filtered by per-file-ignores only)."""
    text = need(SAMPLE).read_bytes()
    write(tmp_path / "wire" / "newslint.toml", 'ignore = ["NL401", "NL1"]\n')
    (tmp_path / "wire" / "a.txt").write_bytes(text)
    (tmp_path / "b.txt").write_bytes(text)
    by_file = {}
    for d in json.loads(cli("check", tmp_path, "--output-format", "json").stdout):
        by_file.setdefault(d["filename"].rsplit("/", 1)[-1], set()).add(d["code"])
    assert by_file == {"a.txt": {"NL201", "NL301"}, "b.txt": {"NL101", "NL102", "NL201", "NL301", "NL401"}}
    # and --ignore on the command line holds for them as for the in-file codes
    found = json.loads(cli("check", tmp_path, "--ignore", "NL301", "--output-format", "json").stdout)
    assert {d["code"] for d in found if d["filename"].endswith("a.txt")} == {"NL201"}


def test_the_first_path_s_config_does_not_turn_the_cross_file_rules_off_for_the_others(cli, tmp_path):
    """`check wire articles`, wire's config selecting NL3 only: the cross-file pass ran with the
    first path's selection, so the two copies under articles/ (default settings) were not
    reported as NL401 at all, while `check articles wire` reported them."""
    text = need(SAMPLE).read_bytes()
    write(tmp_path / "wire" / "newslint.toml", 'select = ["NL3"]\n')
    (tmp_path / "wire" / "a.txt").write_bytes(text)
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "b.txt").write_bytes(text)
    (tmp_path / "articles" / "c.txt").write_bytes(text)
    reports = []
    for order in ((tmp_path / "wire", tmp_path / "articles"), (tmp_path / "articles", tmp_path / "wire")):
        found = json.loads(cli("check", *order, "--output-format", "json").stdout)
        reports.append(sorted((d["filename"].rsplit("/", 1)[-1], d["code"]) for d in found if d["code"] >= "NL4"))
    assert reports[0] == reports[1] == [("b.txt", "NL401"), ("c.txt", "NL401")]


def test_pyproject_without_table_is_skipped(cli, tmp_path):
    desk = tmp_path / "desk"
    write(desk / "pyproject.toml", "[project]\nname = 'x'\n")
    write(tmp_path / "newslint.toml", 'select = ["NL201"]\n')
    (desk / "a.txt").write_bytes(need(SAMPLE).read_bytes())
    assert set(codes(cli("check", desk / "a.txt", "--output-format", "json"))) == {"NL201"}


def test_cli_select_overrides_config_and_isolated_ignores_files(cli, sample):
    write(sample.parent / "newslint.toml", 'select = ["NL201"]\n')
    assert set(codes(cli("check", sample, "--select", "NL3", "--output-format", "json"))) == {"NL301"}
    assert set(codes(cli("check", sample, "--isolated", "--output-format", "json"))) == {
        "NL101", "NL102", "NL201", "NL301"}


def codes_by_name(cli, folder) -> dict[str, set[str]]:
    """The codes `newslint check FOLDER` reports, by file name."""
    got: dict[str, set[str]] = {}
    for d in json.loads(cli("check", folder, "--output-format", "json").stdout):
        got.setdefault(d["filename"].rsplit("/", 1)[-1], set()).add(d["code"])
    return got


def test_per_file_ignores_with_globs(cli, tmp_path):
    text = need(SAMPLE).read_bytes()
    write(tmp_path / "newslint.toml", '[per-file-ignores]\n"wire/*.txt" = ["NL2", "NL301"]\n')
    (tmp_path / "wire").mkdir()
    (tmp_path / "wire" / "a.txt").write_bytes(text)
    (tmp_path / "b.txt").write_bytes(text)
    got = codes_by_name(cli, tmp_path)
    # the two files are copies of each other: NL401 (cross-file) is reported on both
    assert got == {"a.txt": {"NL101", "NL102", "NL401"}, "b.txt": {"NL101", "NL102", "NL201", "NL301", "NL401"}}


def test_per_file_ignores_all_turns_every_rule_off_there(cli, tmp_path):
    """`"legacy/*" = ["ALL"]`, as `ignore = ["ALL"]` does and ruff's per-file-ignores do: it
    passed validation ("ALL" is a known selector) and then ignored nothing, every finding of
    the sample in legacy/ still reported, in-file and cross-file."""
    text = need(SAMPLE).read_bytes()
    write(tmp_path / "newslint.toml", '[per-file-ignores]\n"legacy/*" = ["ALL"]\n')
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "a.txt").write_bytes(text)
    (tmp_path / "b.txt").write_bytes(text)
    got = codes_by_name(cli, tmp_path)
    assert got == {"b.txt": {"NL101", "NL102", "NL201", "NL301", "NL401"}}
    res = cli("check", tmp_path / "legacy" / "a.txt", "--fix")
    assert res.exit_code == 0 and (tmp_path / "legacy" / "a.txt").read_bytes() == text


def test_exclude_and_force_exclude(cli, tmp_path):
    text = need(SAMPLE).read_bytes()
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "old.txt").write_bytes(text)
    (tmp_path / "new.txt").write_bytes(text)
    write(tmp_path / "newslint.toml", 'exclude = ["archive/"]\n')
    files = {d["filename"] for d in json.loads(cli("check", tmp_path, "--output-format", "json").stdout)}
    assert all("archive" not in f for f in files) and files
    # passed explicitly (as pre-commit does), an excluded file is still checked ...
    old = tmp_path / "archive" / "old.txt"
    assert cli("check", old).exit_code == 1
    # ... unless force-exclude is on
    write(tmp_path / "newslint.toml", 'exclude = ["archive/"]\nforce-exclude = true\n')
    res = cli("check", old)
    assert res.exit_code == 0


@pytest.mark.parametrize("exclude, ignores", [("archive", "archive/*.txt"), ("./archive", "./archive/*.txt"),
                                              ("./archive/", "././archive/old.txt"), ("./archive", "./archive")])
def test_globs_written_from_the_config_folder_with_a_leading_dot_slash(cli, tmp_path, exclude, ignores):
    """'./archive' is 'archive' written from the config's folder: it never matched anything."""
    text = need(SAMPLE).read_bytes()
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "old.txt").write_bytes(text)
    (tmp_path / "new.txt").write_bytes(text)
    write(tmp_path / "newslint.toml", f'exclude = ["{exclude}"]\n')
    files = {d["filename"] for d in json.loads(cli("check", tmp_path, "--output-format", "json").stdout)}
    assert files and all("archive" not in f for f in files), files
    write(tmp_path / "newslint.toml", f'[per-file-ignores]\n"{ignores}" = ["NL1", "NL2", "NL3"]\n')
    found = json.loads(cli("check", tmp_path, "--output-format", "json").stdout)
    assert {d["code"] for d in found if "archive" in d["filename"]} == {"NL401"}  # the copy of new.txt
    assert "NL301" in {d["code"] for d in found if "new.txt" in d["filename"]}


@pytest.mark.parametrize("wire", ["wire/", "**/wire/"])  # the second: a folder at any depth, the top's too
@pytest.mark.parametrize("subfolder", [False, True], ids=["from-the-top", "from-the-config-folder"])
def test_folder_globs_hold_for_the_git_corpus_from_any_folder(tmp_path, subfolder, wire):
    """`exclude = ["legacy/"]` keeps a tracked copy out of the cross-file comparison, and
    `per-file-ignores = {"wire/" = ...}` silences a folder, also when newslint runs below
    the git top (the corpus's paths, relative to the top, were matched against the cwd), and
    a warm run from the top then agrees with a cold one (it repeated the subfolder's answer)."""
    import subprocess

    from conftest import BBC, run_newslint

    repo = tmp_path / "repo"
    text = (need(BBC) / "tech/002.txt").read_bytes()
    for rel in ("content/news/a.txt", "content/legacy/a.txt", "content/wire/b.txt", "content/news/b.txt"):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_bytes(text if rel.endswith("a.txt") else (need(BBC) / "tech/003.txt").read_bytes())
    write(repo / "content/pyproject.toml",
          '[tool.newslint]\nexclude = ["legacy/"]\n[tool.newslint.per-file-ignores]\n"' + wire + '" = ["NL401"]\n')
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "articles"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env, capture_output=True)
    cwd, path = (repo / "content", ".") if subfolder else (repo, "content")
    res = run_newslint("check", "--select", "NL401", path, cwd=cwd)  # with the cache: it is written here
    assert res.stdout.decode().splitlines() == [
        f"{path}/news/b.txt:1:1: NL401 Duplicate article: identical after normalisation to {path}/wire/b.txt",
        "Found 1 error."], res.stderr.decode()
    warm = run_newslint("check", "--select", "NL401", "content/news", cwd=repo)
    cold = run_newslint("check", "--select", "NL401", "--no-cache", "content/news", cwd=repo)
    assert warm.stdout == cold.stdout and b"legacy" not in warm.stdout and warm.returncode == 1
    dups = run_newslint("dups", "--no-cache", cwd=repo / "content").stdout.decode()
    assert "legacy" not in dups and "news/b.txt" in dups


@pytest.mark.parametrize("in_git", [False, True], ids=["folder", "git"])
def test_a_plain_exclude_glob_never_matches_the_folders_above_the_project(tmp_path, in_git):
    """exclude = ["drafts"] leaves out a drafts/ folder of the project, not the project itself
    when it lies under a folder of that name (/tmp/drafts/repo): the corpus's paths were
    matched whole, and every tracked file was excluded, so the hook found no duplicate."""
    import subprocess

    from conftest import BBC, run_newslint

    repo = tmp_path / "drafts" / "repo"
    text = (need(BBC) / "tech/002.txt").read_bytes()
    for rel in ("news/a.txt", "news/b.txt", "drafts/c.txt"):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_bytes(text)
    write(repo / "pyproject.toml", '[tool.newslint]\nexclude = ["drafts"]\n')
    if in_git:
        env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
                   GIT_COMMITTER_EMAIL="t@example.org")
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "articles"]):
            subprocess.run(["git", *args], cwd=repo, check=True, env=env, capture_output=True)
    # the hook's one file against the git corpus; outside git, `dups` walks the folder
    args = ["check", "--select", "NL401", "news/a.txt"] if in_git else ["dups"]
    res = run_newslint(*args, "--no-cache", cwd=repo)
    out = res.stdout.decode()
    assert "NL401" in out and "b.txt" in out and "drafts/c.txt" not in out, out + res.stderr.decode()


def test_inline_override_and_config_file(cli, sample, tmp_path):
    res = cli("check", sample, "--config", 'select = ["NL201"]', "--output-format", "json")
    assert set(codes(res)) == {"NL201"}
    other = write(tmp_path / "elsewhere.toml", 'select = ["NL3"]\n')
    assert set(codes(cli("check", sample, "--config", other, "--output-format", "json"))) == {"NL301"}


@pytest.mark.parametrize("content,message", [
    ("selct = ['NL1']\n", "unknown key 'selct' (did you mean 'select'? known: builtin-packs, cache-dir, "),
    ("fix-everything = true\n", "unknown key 'fix-everything' (known: builtin-packs, "),
    ("select = 'NL1'\n", "'select' must be a list of rule codes or prefixes, got str"),
    ("unsafe-fixes = 1\n", "'unsafe-fixes' must be a boolean, got int"),
    ("[near-duplicate-paragraph]\nthreshold = 'high'\n", "'near-duplicate-paragraph.threshold' must be a number"),
    ("[duplicates]\nthreshold = 1.5\n", "'duplicates.threshold' must be a number from 0 to 1, got 1.5"),
    # the duplicates' threshold is a fraction, NL104's a percentage: 0.9 there made a clean BBC article
    # a run of near-duplicate paragraphs
    ("[near-duplicate-paragraph]\nthreshold = 0.9\n",
     "'near-duplicate-paragraph.threshold' is a percentage from 0 to 100, got 0.9 (did you mean 90?)"),
    ("[duplicates]\nthreshhold = 0.5\n", "unknown key 'duplicates.threshhold' (did you mean 'threshold'? known: "),
    ("[duplicates]\nhash = 'md5'\n", "'duplicates.hash' must be 'tok64' (default, fast) or 'sha1'"),
    ("engine = 'spark'\n", "'engine' must be 'local' or 'dask', got 'spark'"),
    ("select = [\n", "invalid TOML"),
])
def test_bad_config_exits_2_naming_key_and_file(cli, sample, content, message):
    cfg = write(sample.parent / "newslint.toml", content)
    res = cli("check", sample)
    assert res.exit_code == 2
    assert message in res.output and str(cfg) in res.output


def test_bad_inline_override(cli, sample):
    res = cli("check", sample, "--config", "duplicates.threshold = 'x'")
    assert res.exit_code == 2 and "'duplicates.threshold' must be a number" in res.output
    res = cli("check", sample, "--config", "no-such-file.toml")
    assert res.exit_code == 2 and "no such file" in res.output


# ---- user rule packs ----------------------------------------------------------

PACK = '''
[pack]
name = "desk"

[[rule]]
code = "DESK1"
id = "wire-signoff"
kind = "line"
message = "wire sign-off {match!r}"
fix = "safe"
lines = ["(Reporting by Newsroom; Editing by Desk)"]
examples = { valid = ["Reporting by Newsroom, he said."], invalid = ["(Reporting by Newsroom; Editing by Desk)"] }

[[rule]]
code = "DESK2"
id = "spelling"
kind = "substitution"
message = "spelling {match!r}"
swap = { "Turkiye" = "Türkiye" }
examples = { valid = ["Türkiye said"], invalid = ["Turkiye said"] }
'''


def test_user_pack_rules_run_select_and_fix(cli, sample):
    write(sample.parent / "desk.toml", PACK)
    write(sample.parent / "newslint.toml", 'rule-packs = ["desk.toml"]\nselect = ["DESK"]\n')
    text = sample.read_text(encoding="utf-8").replace("Türkiye", "Turkiye")
    sample.write_text(text + "\n(Reporting by Newsroom; Editing by Desk)\n", encoding="utf-8")
    found = codes(cli("check", sample, "--output-format", "json"))
    assert found == {"DESK1": 1, "DESK2": 1}
    cli("check", sample, "--fix")
    after = sample.read_text(encoding="utf-8")
    # the substitution is safe; deleting a six-word line is not (its words exist nowhere else)
    assert "Türkiye" in after and "Reporting by Newsroom" in after
    cli("check", sample, "--fix", "--unsafe-fixes")
    assert "Reporting by Newsroom" not in sample.read_text(encoding="utf-8")
    assert cli("test-packs", sample.parent / "desk.toml").exit_code == 0


def test_user_pack_may_not_use_builtin_codes(cli, sample):
    write(sample.parent / "desk.toml", PACK.replace("DESK1", "NL201"))
    write(sample.parent / "newslint.toml", 'rule-packs = ["desk.toml"]\n')
    res = cli("check", sample)
    assert res.exit_code == 2 and "built-in prefix NL" in res.output


def test_a_code_shared_by_two_user_packs_is_documented_from_both(cli, sample, monkeypatch):
    """A desk pack and a team pack both file rules under DESK1 (as the shipped packs share NL201):
    both run, but `rule DESK1`, `rules` and the SARIF rule metadata described the last pack's
    rule only (its fix "none", its message), not the sign-off rule whose findings it also names."""
    write(sample.parent / "desk.toml", PACK)
    write(sample.parent / "team.toml", '[[rule]]\ncode = "DESK1"\nid = "agency-credit"\nkind = "existence"\n'
                                       'message = "agency credit {match!r}"\ntokens = ["Asharq Al-Awsat"]\n')
    write(sample.parent / "newslint.toml", 'rule-packs = ["desk.toml", "team.toml", "./desk.toml"]\n')
    sample.write_text(sample.read_text(encoding="utf-8") + "\n(Reporting by Newsroom; Editing by Desk)\n",
                      encoding="utf-8")
    monkeypatch.chdir(sample.parent)
    found = json.loads(cli("check", sample, "--select", "DESK1", "--output-format", "json").stdout)
    assert {d["message"].split(" '")[0] for d in found} == {"wire sign-off", "agency credit"}
    doc = cli("rule", "DESK1").stdout
    assert "wire-signoff (line)" in doc and "agency-credit (existence)" in doc, doc
    assert "desk.toml" in doc and "team.toml" in doc and doc.count("From rule pack") == 2  # desk.toml named twice
    rules = {r["code"]: r for r in json.loads(cli("rules", "--output-format", "json").stdout)}
    assert rules["DESK1"]["fix"] == "sometimes"  # a sign-off deleted by --unsafe-fixes; a credit never
    sarif = json.loads(cli("check", sample, "--select", "DESK1", "--output-format", "sarif").stdout)
    (meta,) = [r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "DESK1"]
    assert "wire-signoff" in meta["fullDescription"]["text"] and "agency-credit" in meta["fullDescription"]["text"]


def test_a_user_rule_description_is_what_rule_and_rules_print(cli, sample, monkeypatch):
    """A pack rule's `description` (accepted, and what `newslint rule` is meant to lead with)
    was dropped when the pack was read: `rule` and `rules` showed the message template instead."""
    write(sample.parent / "desk.toml", PACK.replace('id = "wire-signoff"\n', 'id = "wire-signoff"\n'
                                                    'description = "A wire service sign-off left at the end."\n'))
    write(sample.parent / "newslint.toml", 'rule-packs = ["desk.toml"]\n')
    monkeypatch.chdir(sample.parent)
    assert cli("rule", "DESK1").stdout.split("\n")[4] == "A wire service sign-off left at the end."
    rules = {r["code"]: r for r in json.loads(cli("rules", "--output-format", "json").stdout)}
    assert rules["DESK1"]["summary"] == "A wire service sign-off left at the end."
    assert rules["DESK2"]["summary"] == "spelling …"  # no description: the message, as before


def _desk_folder(sample, monkeypatch, config: str) -> None:
    """The sample, with a wire sign-off added, moved into desk/, whose own config (`config`)
    loads the desk pack; the working folder is the top, whose settings load none."""
    desk = sample.parent / "desk"
    desk.mkdir()
    write(desk / "desk.toml", PACK)
    write(desk / "newslint.toml", config)
    sample.rename(desk / "a.txt")
    with open(desk / "a.txt", "a", encoding="utf-8") as fh:
        fh.write("\n(Reporting by Newsroom; Editing by Desk)\n")
    monkeypatch.chdir(sample.parent)


def test_select_names_a_code_of_a_pack_that_a_subfolder_s_config_loads(cli, sample, monkeypatch):
    """desk/newslint.toml loads the desk pack; `check --select DESK1 .` from the top (whose
    settings load no pack) stopped with "unknown rule code or prefix: DESK1" (exit 2), while
    `check --select DESK1 desk` worked: the code was checked against the first path's rules only."""
    _desk_folder(sample, monkeypatch, 'rule-packs = ["desk.toml"]\n')
    for where in (".", "desk"):
        res = cli("check", "--select", "DESK1", "--output-format", "json", where)
        assert res.exit_code == 1, res.output
        assert [d["code"] for d in json.loads(res.stdout)] == ["DESK1"]
    assert cli("check", "--select", "DESK9", ".").exit_code == 2  # a code no settings know is still refused


def test_reports_describe_a_rule_of_a_pack_that_a_subfolder_s_config_loads(cli, sample, monkeypatch):
    """Checked from the top, the desk pack's findings (loaded by desk/newslint.toml) were
    described with the top's rules: --statistics gave DESK1 no name, --fix --show-fixes said
    'DESK1 (DESK1)', and the SARIF rule was its bare code, where `check desk` names it."""
    _desk_folder(sample, monkeypatch, 'rule-packs = ["desk.toml"]\nselect = ["DESK"]\n')
    for where in (".", "desk"):
        stats = cli("check", "--statistics", where).stdout
        assert "     1  DESK1   [-] wire-signoff" in stats.splitlines(), stats
        sarif = json.loads(cli("check", "--output-format", "sarif", where).stdout)
        (meta,) = [r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "DESK1"]
        assert meta.get("name") == "wire-signoff" and "desk.toml" in meta["fullDescription"]["text"], meta


def test_test_packs_reports_a_broken_example(cli, tmp_path):
    pack = write(tmp_path / "p.toml", PACK.replace('valid = ["Türkiye said"]', 'valid = ["Turkiye said"]'))
    res = cli("test-packs", pack)
    assert res.exit_code == 1 and "valid example 'Turkiye said' was flagged" in res.output


def test_rules_lists_user_pack_with_source(cli, sample, monkeypatch):
    write(sample.parent / "desk.toml", PACK)
    write(sample.parent / "newslint.toml", 'rule-packs = ["desk.toml"]\n')
    monkeypatch.chdir(sample.parent)
    rules = {r["code"]: r for r in json.loads(cli("rules", "--output-format", "json").stdout)}
    assert rules["DESK1"]["source"].endswith("desk.toml") and rules["NL101"]["source"] == "builtin"
    # a "safe" line deletion is safe for lines of up to three words only (the six-word
    # sign-off waits for --unsafe-fixes): the listing says so, as it does for NL201, and
    # the message template is not printed unfilled
    assert rules["DESK1"]["fix"] == "sometimes" and rules["DESK2"]["fix"] == "safe"
    assert rules["NL201"]["fix"] == "sometimes" and "Fix: sometimes." in cli("rule", "NL201").stdout
    assert rules["DESK1"]["summary"] == "wire sign-off …"
    doc = cli("rule", "DESK1").stdout
    assert "Fix: sometimes." in doc and "[fix: safe for lines of up to 3 words, else unsafe]" in doc
    assert "{match" not in doc
    # a token removed is a deletion too; a swap to a word is not
    write(sample.parent / "desk.toml", PACK + '''
[[rule]]
code = "DESK3"
id = "promo"
kind = "existence"
message = "promo token {match!r}"
fix = "safe"
tokens = ["PROMO"]
''')
    rules = {r["code"]: r for r in json.loads(cli("rules", "--output-format", "json").stdout)}
    assert rules["DESK3"]["fix"] == "sometimes" and rules["DESK2"]["fix"] == "safe"


# ---- suppression comments ----------------------------------------------------

def test_markdown_suppressions(cli, sample):
    lines = sample.read_text(encoding="utf-8").split("\n")
    md = sample.with_suffix(".md")
    lines.insert(3, "<!-- newslint: disable-next-line NL102 -->")  # before the first caption copy
    lines.insert(0, "<!-- newslint: disable-file NL301 -->")
    md.write_text("\n".join(lines), encoding="utf-8")
    sample.unlink()
    found = codes(cli("check", md, "--output-format", "json"))
    assert found == {"NL101": 2, "NL102": 5, "NL201": 2}
    # the comment on line 1 did not become the headline: NL101 still finds the repeats
    res = json.loads(cli("check", md, "--output-format", "json").stdout)
    assert {d["location"]["row"] for d in res if d["code"] == "NL101"} == {9, 44}


def test_disable_enable_block_and_unused_suppression(cli, sample):
    lines = sample.read_text(encoding="utf-8").split("\n")
    lines.insert(10, "<!-- newslint: enable -->")
    lines.insert(2, "<!-- newslint: disable NL102 NL201 -->")
    lines.append("<!-- newslint: disable-next-line NL103 -->")
    lines.append("Nothing wrong with this closing line of the article, which appears only once.")
    md = sample.with_suffix(".md")
    md.write_text("\n".join(lines), encoding="utf-8")
    found = codes(cli("check", md, "--output-format", "json"))
    # article 1's three caption copies and TT are suppressed; article 2's are not
    assert found["NL102"] == 3 and found["NL201"] == 1 and found["NL601"] == 1


def _bbc_tech(n: int) -> str:
    from conftest import bbc_excerpt

    return bbc_excerpt(f"tech/{n:03d}.txt")


def test_suppression_comments_hold_for_corpus_boilerplate(cli, tmp_path):
    """A line five files share is NL202; in a sixth file a `disable-next-line NL202` comment
    keeps it. The comment was ignored by the cross-file pass (NL202 reported under it) and
    reported as unused (NL601) beside the finding it was meant for."""
    line = "Subscribe to our newsletter for the latest tech headlines every day"
    for n in range(1, 6):
        write(tmp_path / f"c{n}.txt", f"{_bbc_tech(n)}\n{line}\n")
    write(tmp_path / "keep.md", f"{_bbc_tech(6)}\n<!-- newslint: disable-next-line NL202 -->\n{line}\n")
    found = json.loads(cli("check", "--no-cache", tmp_path, "--output-format", "json").stdout)
    assert sorted((d["filename"].rsplit("/", 1)[-1], d["code"]) for d in found) == [
        (f"c{n}.txt", "NL202") for n in range(1, 6)]
    # --fix agrees with check: the kept line stays, the others go
    fixed = cli("check", "--no-cache", "--fix", "--unsafe-fixes", tmp_path)
    assert fixed.exit_code == 0 and line in (tmp_path / "keep.md").read_text(encoding="utf-8")
    assert all(line not in (tmp_path / f"c{n}.txt").read_text(encoding="utf-8") for n in range(1, 6))


def test_suppression_comments_hold_for_duplicate_articles(cli, tmp_path):
    """Two copies of an article, each saying `disable-file NL401`: neither is reported, and
    neither comment is called unused."""
    for name in ("a.md", "b.md"):
        write(tmp_path / name, f"<!-- newslint: disable-file NL401 -->\n{_bbc_tech(1)}")
    write(tmp_path / "c.md", _bbc_tech(1))  # a third copy without the comment is still reported
    found = json.loads(cli("check", "--no-cache", tmp_path, "--output-format", "json").stdout)
    assert sorted((d["filename"].rsplit("/", 1)[-1], d["code"]) for d in found) == [("c.md", "NL401")]


def test_unused_suppressions_of_cross_file_rules_are_said_when_no_cross_file_pass_runs(cli, tmp_path):
    """Held back for the cross-file pass only when one runs: on stdin, or with those rules
    ignored, an unused `disable-file NL401` is NL601 (also when the results cache holds the
    default run's findings for the same bytes)."""
    text = f"<!-- newslint: disable-file NL401 -->\n{_bbc_tech(1)}"
    write(tmp_path / "a.txt", text)
    write(tmp_path / "b.txt", _bbc_tech(2))
    cache = tmp_path / "cache"

    def nl601(*args, input=None):
        res = cli("check", "--output-format", "json", *args, input=input)
        return [d["location"]["row"] for d in json.loads(res.stdout) if d["code"] == "NL601"]

    assert nl601("--cache-dir", cache, tmp_path) == []  # the cross-file rules run: not known here
    assert nl601("--cache-dir", cache, "--ignore", "NL4,NL202", tmp_path) == [1]
    assert nl601("--cache-dir", cache, tmp_path) == []
    assert nl601("-", input=text) == [1]


def test_a_suppression_naming_no_rule_or_misspelt_is_said_so(cli, sample):
    lines = sample.read_text(encoding="utf-8").split("\n")
    lines[0:0] = ["<!-- newslint: disable-file NL999 -->", "<!-- newslint: disble NL102 -->",
                  "<!-- newslint: disable-file,NL2 -->"]  # a prefix naming rules (after a comma): fine, used
    md = sample.with_suffix(".md")
    md.write_text("\n".join(lines), encoding="utf-8")
    found = json.loads(cli("check", "--no-cache", md, "--output-format", "json").stdout)
    said = [(d["location"]["row"], d["message"]) for d in found if d["code"] == "NL601"]
    assert said == [(1, "Suppression names no rule: NL999 (see `newslint rules`)"),
                    (2, "Not a suppression: 'disble' is none of disable, disable-next-line, disable-file, enable")]
    assert Counter(d["code"] for d in found)["NL102"] == 6  # the misspelt comment hid nothing
    assert "NL201" not in {d["code"] for d in found}


@pytest.mark.parametrize("disable", ["disable NL101,NL102", "disable"])
def test_enable_of_one_code_leaves_the_others_disabled(cli, sample, disable):
    """`enable NL101` after `disable NL101,NL102` (or a blanket disable) takes back NL101
    alone, as eslint-enable does: it ended the whole disable, and --fix then removed the
    caption copies the user had disabled."""
    lines = sample.read_text(encoding="utf-8").split("\n")
    lines.insert(12, "<!-- newslint: enable NL101 -->")  # after article 1's header block
    lines.insert(0, f"<!-- newslint: {disable} -->")
    md = sample.with_suffix(".md")
    md.write_text("\n".join(lines), encoding="utf-8")
    found = codes(cli("check", md, "--output-format", "json", "--select", "NL101,NL102"))
    assert found == {"NL101": 1}  # article 2's headline copy; article 1's is above the enable
    before = md.read_bytes()
    cli("check", md, "--fix", "--select", "NL102")
    assert md.read_bytes() == before  # no caption copy removed: NL102 stays disabled
    assert "NL601" not in codes(cli("check", md, "--output-format", "json"))  # the disable is in use


def test_a_split_off_article_keeps_the_files_disable_file_comment(cli, sample):
    """`disable-file` speaks for the whole file: the article split off it keeps the comment,
    so what the user disabled is neither fixed nor reported there (the split-off file lost
    it: its repeated headline, three caption copies and TT were removed; a review)."""
    comment = "<!-- newslint: disable-file NL101,NL102,NL201 -->"
    sample.write_text(comment + "\n" + sample.read_text(encoding="utf-8"), encoding="utf-8")
    cli("check", sample, "--fix", "--unsafe-fixes")
    second = sample.with_name(sample.stem + "-2.txt")
    lines = second.read_text(encoding="utf-8").split("\n")
    assert lines[0] == comment
    assert lines[1].startswith("Baghdad Urges Washington") and lines.count("TT") == 1
    assert sum(ln.startswith("Sudani visiting a market") for ln in lines) == 4  # the copies stay
    assert json.loads(cli("check", sample, second, "--output-format", "json").stdout) == []


def test_a_split_off_article_gets_a_disable_file_comment_only_if_it_suppresses_something(cli, sample):
    """A carried comment that suppresses nothing in the new file was itself a finding there
    (NL601 'unused suppression', exit 1, where the split used to leave a clean file)."""
    lines = sample.read_text(encoding="utf-8").split("\n")
    assert lines[39] == "TT"
    del lines[39]  # article 2 without its TT: nothing there for the comment to suppress
    sample.write_text("<!-- newslint: disable-file NL201 -->\n" + "\n".join(lines), encoding="utf-8")
    res = cli("check", sample, "--fix", "--unsafe-fixes", "--output-format", "json")
    second = sample.with_name(sample.stem + "-2.txt")
    assert "newslint:" not in second.read_text(encoding="utf-8") and res.exit_code == 0, res.stdout


def test_a_split_off_article_keeps_a_disable_region_open_at_the_split(cli, sample):
    """A `disable` region opened in the first article and still open where the file is split
    goes on in the split-off article: its caption copies and TT stay, unreported (the new
    file started outside the region, so --fix removed what the user had disabled)."""
    lines = sample.read_text(encoding="utf-8").split("\n")
    lines.insert(7, "<!-- newslint: disable NL102, NL201 -->")  # before copies 3 and 4 of the first caption
    sample.write_text("\n".join(lines), encoding="utf-8")
    cli("check", sample, "--fix", "--unsafe-fixes")
    second = sample.with_name(sample.stem + "-2.txt")
    text = second.read_text(encoding="utf-8")
    assert text.startswith("<!-- newslint: disable NL102, NL201 -->\n")
    assert text.count("Sudani visiting a market") == 4 and "\nTT\n" in text
    assert json.loads(cli("check", sample, second, "--output-format", "json").stdout) == []


def test_a_region_is_carried_even_when_its_comment_recurs_later_in_the_part(cli, sample):
    """The same `disable` comment written again further down the split-off article does not
    open the region at its top: it is still carried there (it was taken as present)."""
    lines = sample.read_text(encoding="utf-8").split("\n")
    comment = "<!-- newslint: disable NL102, NL201 -->"
    assert lines[39] == "TT" and lines[44].startswith("Sudani visiting")
    lines[45:45] = ["<!-- newslint: enable NL102, NL201 -->", "", comment, "TT", "<!-- newslint: enable -->"]
    lines.insert(7, comment)
    sample.write_text("\n".join(lines), encoding="utf-8")
    cli("check", sample, "--fix", "--unsafe-fixes")
    text = sample.with_name(sample.stem + "-2.txt").read_text(encoding="utf-8")
    assert text.startswith(comment + "\n") and text.count("Sudani visiting a market") == 4


def test_a_suppression_that_served_the_other_article_does_not_stay_behind_unused(cli, sample):
    """A comment that suppressed something in the merged file, but only in the article that
    goes to the other part, stayed where it was written, suppressing nothing there: the fix
    made a new NL601 ('Unused suppression ...: nothing here is flagged', exit 1). Seen with a
    `disable-file NL102` at the end of the file (the second article) while only the first
    article repeats its caption: the comment was carried to the first part, as it should be,
    and left in the second too; and with a `disable NL102` region opened at the end of the
    first article for the second one's caption copies. Each now stays only where it works."""
    lines = sample.read_text(encoding="utf-8").rstrip("\n").split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Baghdad Urges"))
    cap1, cap2 = lines[2], lines[start + 2]
    assert cap1.startswith("Russian soldiers") and cap2.startswith("Sudani visiting")
    first, second = lines[:start], lines[start:]
    second_once = [ln for ln in second if ln != cap2]
    second_once.insert(2, cap2)  # the second article with its caption once
    first_once = [ln for ln in first if ln != cap1]
    first_once.insert(2, cap1)
    region = "<!-- newslint: disable NL102 -->"
    cases = {
        "disable-file": (first + second_once + ["", "<!-- newslint: disable-file NL102 -->"], 0, 4),
        "region": (first_once[:-3] + [region] + first_once[-3:] + second, 1, 4),
    }
    for name, (text, holder, copies) in cases.items():
        sample.write_text("\n".join(text) + "\n", encoding="utf-8")
        assert "NL601" not in cli("check", sample).stdout, name  # the comment is in use
        res = cli("check", sample, "--fix", "--unsafe-fixes")
        assert res.exit_code == 0 and "NL601" not in res.stdout, (name, res.stdout)
        parts = [sample, sample.with_name(sample.stem + "-2.txt")]
        texts = [p.read_text(encoding="utf-8") for p in parts]
        assert ["newslint:" in t for t in texts] == [holder == 0, holder == 1], name
        assert texts[holder].count(cap1 if holder == 0 else cap2) == copies, name  # still suppressed
        assert cli("check", *parts).stdout.strip() == "All checks passed!", name
        parts[1].unlink()


def test_a_disable_region_closed_before_the_split_is_not_carried(cli, sample):
    """A region enabled again inside the first article ends there: the split-off article is
    fixed in full and carries no comment."""
    lines = sample.read_text(encoding="utf-8").split("\n")
    lines[11:11] = ["<!-- newslint: disable NL102 -->", "", "<!-- newslint: enable NL102 -->"]
    sample.write_text("\n".join(lines), encoding="utf-8")
    cli("check", sample, "--fix", "--unsafe-fixes")
    text = sample.with_name(sample.stem + "-2.txt").read_text(encoding="utf-8")
    assert "newslint:" not in text and text.count("Sudani visiting a market") == 1


def test_fix_keeps_suppression_comments(cli, sample):
    lines = sample.read_text(encoding="utf-8").split("\n")
    lines.insert(4, "<!-- newslint: disable-next-line NL201 -->")
    md = sample.with_suffix(".md")
    md.write_text("\n".join(lines), encoding="utf-8")
    cli("check", md, "--fix")
    after = md.read_text(encoding="utf-8")
    assert "<!-- newslint: disable-next-line NL201 -->\nTT" in after


# ---- baselines ------------------------------------------------------------------

@pytest.mark.parametrize("report", [("-o", "out.json", "--output-format", "json"), ("-o", "out.json"), ("--diff",)])
def test_write_baseline_with_a_report_is_a_usage_error(sample, report):
    """--write-baseline writes the baseline and no report: asked for one as well (`-o out.json`),
    it exited 0 without writing it or saying so, and a CI step reading out.json found none."""
    from conftest import run_newslint

    res = run_newslint("check", sample.name, "--write-baseline", "base.json", *report, cwd=sample.parent)
    assert res.returncode == 2 and b"--write-baseline writes the baseline and no report" in res.stderr, res.stderr
    assert not (sample.parent / "base.json").exists() and not (sample.parent / "out.json").exists()
    # a format alone asks for no file: the baseline is written, as a wrapper passing one always expects
    res = run_newslint("check", sample.name, "--write-baseline", "base.json", "--output-format", "json",
                       cwd=sample.parent)
    assert res.returncode == 0 and (sample.parent / "base.json").exists(), res.stderr


def test_baseline_hides_old_findings_and_survives_moved_lines(cli, sample, tmp_path):
    baseline = tmp_path / "baseline.json"
    res = cli("check", sample, "--write-baseline", baseline)
    assert res.exit_code == 0 and "Wrote 11 findings" in res.output
    assert cli("check", sample, "--baseline", baseline).exit_code == 0
    lines = sample.read_text(encoding="utf-8").split("\n")
    body = lines[SECOND_ARTICLE_PARAGRAPH]
    assert body.startswith("The Iraqi prime minister")
    lines.insert(16, "Moscow has long urged Ankara and Damascus to restore ties, officials in both capitals said.")
    lines.insert(16, "")
    lines.append(body)
    sample.write_text("\n".join(lines), encoding="utf-8")
    res = cli("check", sample, "--baseline", baseline, "--output-format", "json")
    found = json.loads(res.stdout)
    assert [(d["code"], d["location"]["row"]) for d in found] == [("NL103", len(lines))]
    assert res.exit_code == 1


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_fix_leaves_what_the_baseline_accepts(sample, tmp_path, jobs):
    """`--fix --baseline B` fixes the new findings and leaves those B accepts, as it leaves
    suppressed ones: it deleted all 10 accepted ones (found by a fix-safety review). With
    -j 2 over 70 files the fixes run in worker processes, which need the baseline too."""
    from conftest import run_newslint

    folder = sample.parent
    baseline = tmp_path / "baseline.json"
    copies = [folder / f"copy{n:02d}.txt" for n in range(70)]
    for c in copies:
        c.write_bytes(sample.read_bytes())
    res = run_newslint("check", "--no-cache", ".", "--write-baseline", baseline, cwd=folder)
    assert res.returncode == 0, res.stderr
    text = sample.read_text(encoding="utf-8")
    body = text.split("\n")[SECOND_ARTICLE_PARAGRAPH]
    assert body.startswith("The Iraqi prime minister") and not text.endswith("\n")  # the sample has no final newline
    sample.write_text(text + "\n\n" + body, encoding="utf-8")  # a new defect: a paragraph printed twice
    before = {p.name: p.read_bytes() for p in folder.glob("*.txt")}
    res = run_newslint("check", "--no-cache", "--fix", "-j", jobs, ".", "--baseline", baseline, cwd=folder)
    assert res.returncode == 0, res.stdout.decode() + res.stderr.decode()
    after = {p.name: p.read_bytes() for p in folder.glob("*.txt")}
    assert {n for n in before if before[n] != after[n]} == {sample.name}
    assert after[sample.name].decode("utf-8") == text  # the new copy went, the accepted findings stay


def test_a_split_is_held_back_while_the_baseline_accepts_what_it_would_move(sample, tmp_path):
    """A baseline written with NL301 ignored accepts the sample's findings, five of them in its
    second article; `--baseline B --fix --unsafe-fixes` held those five but split the article
    off into aawsat_two_articles-2.txt, where they were reported as new [*] findings (exit 1),
    their entries, keyed by the original's name, said stale, and the next --fix removed them.
    Now the split is held back: the file stays whole, NL301 is reported with the reason and no
    fix, the next `--baseline` check passes with no stale entry, and without --baseline the
    split is made as before."""
    folder = sample.parent
    original = sample.read_bytes()
    baseline = tmp_path / "bl.json"
    res = run_newslint("check", "--isolated", "--no-cache", "--ignore", "NL301", "--write-baseline", baseline, ".",
                       cwd=folder)
    assert res.returncode == 0, res.stderr
    res = run_newslint("check", "--isolated", "--no-cache", "--baseline", baseline, "--fix", "--unsafe-fixes", ".",
                       cwd=folder)
    out = res.stdout.decode()
    assert not (folder / "aawsat_two_articles-2.txt").exists(), out
    assert sample.read_bytes() == original
    assert "NL301" in out and "split held back: the baseline accepts 5 findings" in out and "[*]" not in out
    assert "stale" not in res.stderr.decode()
    assert res.returncode == 1  # the file still holds two articles, which the baseline does not accept
    res = run_newslint("check", "--isolated", "--no-cache", "--baseline", baseline, "--ignore", "NL301", ".",
                       cwd=folder)
    assert res.returncode == 0 and "stale" not in res.stderr.decode(), res.stdout.decode() + res.stderr.decode()
    diff = run_newslint("check", "--isolated", "--no-cache", "--baseline", baseline, "--diff", "--unsafe-fixes",
                        ".", cwd=folder).stdout.decode()
    assert "aawsat_two_articles-2.txt" not in diff
    res = run_newslint("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", ".", cwd=folder)
    assert res.returncode == 0 and (folder / "aawsat_two_articles-2.txt").exists(), res.stdout.decode()


def test_fix_removes_a_new_copy_of_an_accepted_line(cli, sample, tmp_path):
    """The baseline accepts the sample's three caption copies; a fourth is new: reported with
    [*], so `--fix --baseline` removes it (it was left alone: its key is an accepted one's,
    and the fix held back every finding of that key, counts aside), and only it."""
    baseline = tmp_path / "b.json"
    cli("check", "--no-cache", sample, "--write-baseline", baseline)
    text = sample.read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[9] == "Russian soldiers near the Red Square in Moscow (AFP)"  # the last of the four
    sample.write_text("\n".join(lines[:10] + lines[9:]), encoding="utf-8")  # a fifth, below it
    res = cli("check", "--no-cache", sample, "--baseline", baseline)
    assert "NL102 [*] Caption repeated" in res.output and "Found 1 error." in res.output
    res = cli("check", "--no-cache", "--fix", sample, "--baseline", baseline)
    assert res.exit_code == 0, res.output
    assert sample.read_text(encoding="utf-8") == text
    assert cli("check", "--no-cache", sample, "--baseline", baseline).exit_code == 0


def test_a_baseline_is_read_once_a_run(cli, sample, tmp_path, monkeypatch):
    """It was read (and its JSON parsed) again for every checked file: a run over 100,000
    files with a baseline of thousands of entries would parse it 100,000 times."""
    import newslint.baseline as bl

    for n in range(30):
        (sample.parent / f"copy{n:02d}.txt").write_bytes(sample.read_bytes())
    baseline = tmp_path / "baseline.json"
    in_file = ("--ignore", "NL4,NL202")  # 31 copies are one duplicate group: an edit changes every file's NL401
    assert cli("check", sample.parent, *in_file, "--write-baseline", baseline).exit_code == 0
    reads = []
    real = bl.load_baseline
    monkeypatch.setattr(bl, "load_baseline", lambda path: reads.append(path) or real(path))
    text = sample.read_text(encoding="utf-8")
    (sample.parent / "copy07.txt").write_text(text + "\n\n" + text.split("\n")[SECOND_ARTICLE_PARAGRAPH], encoding="utf-8")  # NL103
    res = cli("check", sample.parent, *in_file, "--baseline", baseline, "--output-format", "json", "-j", "1")
    assert len(reads) == 1
    found = json.loads(res.stdout)
    assert {d["filename"].rsplit("/", 1)[-1] for d in found} == {"copy07.txt"} and res.exit_code == 1


def test_baseline_also_holds_for_splits_and_diff(sample, tmp_path):
    """--fix --unsafe-fixes --baseline split a merged file whose NL301 the baseline accepts,
    and --diff --baseline showed deletions --fix --baseline does not make (a review)."""
    from conftest import run_newslint

    folder = sample.parent
    baseline = tmp_path / "baseline.json"
    assert run_newslint("check", sample.name, "--write-baseline", baseline, cwd=folder).returncode == 0
    text = sample.read_text(encoding="utf-8")
    body = text.split("\n")[SECOND_ARTICLE_PARAGRAPH]
    sample.write_text(text + "\n\n" + body, encoding="utf-8")
    diff = run_newslint("check", "--diff", "--unsafe-fixes", sample.name, "--baseline", baseline, cwd=folder)
    out = diff.stdout.decode().splitlines()
    removed = {ln[1:] for ln in out if ln.startswith("-") and not ln.startswith("---")}
    added = {ln[1:] for ln in out if ln.startswith("+") and not ln.startswith("+++")}
    assert removed - added == {body, ""}  # the new copy and its blank line, nothing else
    res = run_newslint("check", "--fix", "--unsafe-fixes", sample.name, "--baseline", baseline, cwd=folder)
    assert res.returncode == 0, res.stdout.decode()
    assert sample.read_text(encoding="utf-8") == text and not list(folder.glob("*-2.txt"))  # not split


def test_cross_file_findings_keep_their_identity_however_the_paths_are_typed(tmp_path):
    """A baseline written by `check .` accepts the same NL401/NL402 findings when the hook
    passes bare file names, from a subfolder, or absolute paths, and the GitLab fingerprint
    is the same (the identity held the partner's name as typed: './business/253.txt' in one
    run, 'business/253.txt' in the next, so every commit failed on accepted duplicates)."""
    import subprocess

    from conftest import BBC, run_newslint

    repo = tmp_path / "news"
    for rel in ("business/007.txt", "business/253.txt", "sport/312.txt", "sport/416.txt", "tech/001.txt"):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(need(BBC) / rel, repo / rel)
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "articles"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env, capture_output=True)
    baseline = tmp_path / "baseline.json"
    assert run_newslint("check", "--no-cache", ".", "--write-baseline", baseline, cwd=repo).returncode == 0
    entries = json.loads(baseline.read_text())["entries"]
    assert {e["code"] for e in entries} == {"NL401", "NL402"}
    for cwd, paths in ((repo, ["business/007.txt", "sport/416.txt"]), (repo / "business", ["007.txt"]),
                       (repo / "sport", [str(repo / "business" / "007.txt")])):
        res = run_newslint("check", "--no-cache", *paths, "--baseline", baseline, cwd=cwd)
        assert res.returncode == 0 and b"stale" not in res.stderr, (cwd, res.stdout.decode(), res.stderr.decode())

    def gitlab(*args):
        out = run_newslint("check", "--no-cache", "--output-format", "gitlab", *args, cwd=repo).stdout
        return {(d["location"]["path"], d["check_name"]): d["fingerprint"] for d in json.loads(out)}

    whole, one = gitlab("."), gitlab("business/007.txt")
    assert one and all(whole[key] == fp for key, fp in one.items())


def test_baseline_counts_copies_and_reports_stale(cli, sample, tmp_path):
    baseline = tmp_path / "b.json"
    cli("check", sample, "--write-baseline", baseline)
    text = sample.read_text(encoding="utf-8")
    # a fifth caption copy is new; removing both TT lines makes their entry stale
    text = text.replace("TT\n", "").replace(
        "Russian soldiers near the Red Square in Moscow (AFP)\n\n",
        "Russian soldiers near the Red Square in Moscow (AFP)\nRussian soldiers near the Red Square in Moscow (AFP)\n\n", 1)
    sample.write_text(text, encoding="utf-8")
    res = cli("check", sample, "--baseline", baseline, "--output-format", "json")
    assert codes(res) == {"NL102": 1}
    assert "stale" in res.stderr


def test_corrupt_baseline_is_an_error(cli, sample, tmp_path):
    bad = write(tmp_path / "b.json", "{not json")
    res = cli("check", sample, "--baseline", bad)
    assert res.exit_code == 2 and "not a newslint baseline" in res.output


def test_rule_packs_given_with_config_are_found_from_the_current_folder(sample, tmp_path):
    """--config "rule-packs = ['desk.toml']" names a file from where the command runs, also
    for a file under a folder with its own config (it was looked for in that folder)."""
    from conftest import run_newslint

    sub = sample.parent / "sub"
    sub.mkdir()
    (sub / "newslint.toml").write_text('select = ["NL1"]\n', encoding="utf-8")
    sample.rename(sub / "a.txt")
    (sample.parent / "desk.toml").write_text(
        '[[rule]]\ncode = "DESK2"\nid = "moscow"\nkind = "existence"\nmessage = "m {match!r}"\nfix = "none"\n'
        'pattern = "Moscow"\n', encoding="utf-8")
    res = run_newslint("check", "--config", "rule-packs = ['desk.toml']", "--select", "DESK2",
                       "--output-format", "json", "sub/a.txt", cwd=sample.parent)
    assert res.returncode == 1, res.stderr.decode()
    assert {d["code"] for d in json.loads(res.stdout)} == {"DESK2"}


def test_the_readme_config_and_pack_examples_work_as_written(tmp_path, sample):
    """The README's [tool.newslint] block and its rule-pack example, copied verbatim, are a
    working configuration (a review found the pack's documented safe fix was not one)."""
    from conftest import ROOT, run_newslint

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```toml\n")[1:]]
    config = next(b for b in blocks if b.startswith("[tool.newslint]"))
    pack = next(b for b in blocks if b.startswith("[[rule]]"))
    (sample.parent / "pyproject.toml").write_text(config, encoding="utf-8")
    (sample.parent / "newsroom-pack.toml").write_text(pack, encoding="utf-8")
    signoff = "(Reporting by Newsroom; Editing by Desk)"
    sample.write_text(sample.read_text(encoding="utf-8") + "\n" + signoff + "\n", encoding="utf-8")
    # (the block's `select` names the NL families; the pack's codes are selected here)
    res = run_newslint("check", "--output-format", "json", "--extend-select", "DESK", sample.name, cwd=sample.parent)
    assert res.returncode == 1, res.stderr.decode()
    desk = [d for d in json.loads(res.stdout) if d["code"] == "DESK1"]
    assert len(desk) == 1 and desk[0]["fix"]["applicability"] == "unsafe"  # as the README says
    fixed = run_newslint("check", "--fix", "--unsafe-fixes", "--extend-select", "DESK", sample.name, cwd=sample.parent)
    assert fixed.returncode in (0, 1), fixed.stderr.decode()
    assert signoff not in sample.read_text(encoding="utf-8")


def test_a_baseline_never_holds_an_unreadable_file(sample, tmp_path):
    """An I/O error (NL500) is no finding to accept: --write-baseline leaves it out and
    says it on stderr, and a check with the baseline still shows it beside its exit status 2
    (the baseline hid it: "All checks passed!", exit 2, and a JUnit report with errors="1"
    and no <error>)."""
    from conftest import run_newslint

    (sample.parent / "broken.txt").symlink_to("nowhere.txt")
    baseline = tmp_path / "baseline.json"
    wrote = run_newslint("check", "--no-cache", ".", "--write-baseline", baseline, cwd=sample.parent)
    assert wrote.returncode == 2 and b"broken.txt" in wrote.stderr and b"NL500" in wrote.stderr
    entries = json.loads(baseline.read_text())["entries"]
    assert entries and not any(e["code"] == "NL500" for e in entries)
    res = run_newslint("check", "--no-cache", ".", "--baseline", baseline, "--output-format", "json",
                       cwd=sample.parent)
    assert res.returncode == 2
    assert [(d["filename"], d["code"]) for d in json.loads(res.stdout)] == [("broken.txt", "NL500")]


def test_a_cross_file_identity_does_not_depend_on_the_process_folder(tmp_path, monkeypatch):
    """On the Dask engine the rules run on workers whose working folder is not the client's:
    the identity resolves the names against the run's folder (CorpusOptions.cwd), not the
    process's (a worker started elsewhere gave another baseline hash and GitLab fingerprint)."""
    from newslint.corpus.model import CorpusOptions, FileFindings
    from newslint.corpus.rules import DuplicateArticle

    repo = tmp_path / "news"
    ff = FileFindings(str(repo / "business" / "001.txt"), str(repo / "business" / "001.txt"), 1, 30)
    ff.duplicates = [("tech/copy.txt", 1.0)]  # a partner from the git corpus: relative to the run's folder
    opts = CorpusOptions(cwd=str(repo))
    repo.mkdir()
    monkeypatch.chdir(repo)
    (here,) = DuplicateArticle().corpus_check(ff, CorpusOptions(cwd=None))  # the client, in the repository
    elsewhere = tmp_path / "worker"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # a worker
    (there,) = DuplicateArticle().corpus_check(ff, opts)
    assert here.fingerprint_text == there.fingerprint_text == "NL401 ../tech/copy.txt"


def test_a_baseline_holds_a_file_name_that_is_not_utf8(sample, tmp_path):
    """--write-baseline over a file with a Latin-1 name crashed (an internal error, exit 2):
    the name is kept as JSON escapes, and the baseline then accepts that file's findings."""
    import sys

    from conftest import run_newslint

    if sys.platform == "darwin":
        pytest.skip("macOS file systems refuse names that are not UTF-8")
    sample.rename(sample.parent / os.fsdecode(b"caf\xe9.txt"))
    baseline = tmp_path / "baseline.json"
    wrote = run_newslint("check", "--no-cache", ".", "--write-baseline", baseline, cwd=sample.parent)
    assert wrote.returncode == 0, wrote.stderr.decode()
    assert json.loads(baseline.read_text(encoding="utf-8"))["entries"]
    res = run_newslint("check", "--no-cache", ".", "--baseline", baseline, cwd=sample.parent)
    assert res.returncode == 0 and b"stale" not in res.stderr, res.stdout.decode() + res.stderr.decode()
    # a copy of it: each one's NL401 names the other, the Latin-1 name in the finding's own
    # fingerprint text, which the baseline hashed as strict UTF-8 (a traceback; a review)
    (sample.parent / "copy.txt").write_bytes((sample.parent / os.fsdecode(b"caf\xe9.txt")).read_bytes())
    wrote = run_newslint("check", "--no-cache", ".", "--write-baseline", baseline, cwd=sample.parent)
    assert wrote.returncode == 0 and b"Traceback" not in wrote.stderr, wrote.stderr.decode()
    assert {e["code"] for e in json.loads(baseline.read_text(encoding="utf-8"))["entries"]} >= {"NL401"}
    res = run_newslint("check", "--no-cache", ".", "--baseline", baseline, cwd=sample.parent)
    assert res.returncode == 0 and b"stale" not in res.stderr, res.stdout.decode() + res.stderr.decode()


def test_dups_keeps_the_duplicates_settings_when_the_check_turns_the_pass_off(tmp_path):
    """`[tool.newslint.duplicates] enabled = false` turns the cross-file pass off for `check`;
    `dups` (and `index`), asked for that pass by name, then dropped the whole config and ran on
    the defaults: the threshold the help names as dups' default (0.6 here, 0.8 used), the
    `exclude` (a legacy/ copy reported) and the shared index."""
    from conftest import BBC, run_newslint

    for rel, src in (("news/a.txt", "tech/002.txt"), ("legacy/a.txt", "tech/002.txt"),
                     ("news/c.txt", "business/209.txt"), ("news/d.txt", "business/229.txt")):  # c ~ d: J 0.69
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes((need(BBC) / src).read_bytes())
    config = '[tool.newslint]\nexclude = ["legacy/"]\n[tool.newslint.duplicates]\nthreshold = 0.6\n'
    write(tmp_path / "pyproject.toml", config)
    on = run_newslint("dups", "--no-cache", cwd=tmp_path)
    assert "news/c.txt ~ news/d.txt" in on.stdout.decode() and b"legacy" not in on.stdout
    write(tmp_path / "pyproject.toml", config + "enabled = false\n")
    off = run_newslint("dups", "--no-cache", cwd=tmp_path)
    assert off.stdout == on.stdout, off.stdout.decode()


def test_baseline_entries_of_rules_that_did_not_run_are_not_stale(sample, tmp_path):
    """A baseline written by a full check, then a run of some rules only (`--select NL1`, a
    config's `ignore`, a per-file ignore): every entry of the other rules was reported as
    'matches nothing (N stale; refresh with --write-baseline)', advice that, followed in that
    run, drops the entries of the rules it did not run. Only the codes that ran can be stale."""
    folder = sample.parent
    shutil.copyfile(need(BBC / "sport" / "012.txt"), folder / "a.txt")
    shutil.copyfile(BBC / "sport" / "020.txt", folder / "b.txt")  # word for word 012: NL401 both ways
    baseline = tmp_path / "baseline.json"
    res = run_newslint("check", "--isolated", ".", "--write-baseline", baseline, cwd=folder)
    assert res.returncode == 0 and b"Wrote 13 findings" in res.stderr, res.stderr
    res = run_newslint("check", "--isolated", ".", "--baseline", baseline, "--select", "NL1", cwd=folder)
    assert res.returncode == 0 and b"stale" not in res.stderr, res.stderr
    (folder / "newslint.toml").write_text('ignore = ["NL401"]\nper-file-ignores = { "aawsat*" = ["NL2"] }\n')
    res = run_newslint("check", ".", "--baseline", baseline, cwd=folder)
    assert res.returncode == 0 and b"stale" not in res.stderr, res.stderr
    # an entry of a rule that ran and no longer finds anything still is
    (folder / "newslint.toml").unlink()
    lines = sample.read_text(encoding="utf-8").split("\n")
    assert lines[4] == "TT"
    sample.write_text("\n".join(lines[:4] + lines[5:]), encoding="utf-8")
    res = run_newslint("check", ".", "--baseline", baseline, "--select", "NL201", cwd=folder)
    stale = [line for line in res.stderr.decode().splitlines() if "stale" in line]
    assert res.returncode == 0 and len(stale) == 1 and "NL201" in stale[0], res.stderr


def test_page_chrome_stays_accepted_when_the_safe_fixes_edit_the_page(tmp_path):
    """A baseline accepts a scraped page's findings; `--fix` then takes its safe ones out
    (share-bar lines, 'Trending', 'Video', a repeated paragraph), which sit inside the page's
    chrome blocks. NL203 was keyed by the block's whole text, so each block, now shorter (and
    found before/after the article anew), was reported as new: cleaning up the legacy archive
    broke the CI check that accepted it. A baseline counts a file's lines of page chrome
    instead; more lines than it counted are reported."""
    raw = need(SCRAPED / "raw" / "fde930b01859de8311c6a14f8aa8c72be0659b551367803deb6736cf3526cf2e.txt")
    page = tmp_path / "page.txt"
    shutil.copyfile(raw, page)
    baseline = tmp_path / "baseline.json"
    base = ("check", "--no-cache", "--isolated")
    res = run_newslint(*base, page.name, "--write-baseline", baseline, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    before = run_newslint(*base, page.name, "--select", "NL203", "--output-format", "json", cwd=tmp_path)
    res = run_newslint(*base, "--fix", page.name, cwd=tmp_path)
    assert b"17 fixed" in res.stdout, res.stdout
    after = run_newslint(*base, page.name, "--select", "NL203", "--output-format", "json", cwd=tmp_path)
    blocks = [[(d["location"]["row"], d["end_location"]["row"]) for d in json.loads(r.stdout)] for r in (before, after)]
    assert len(blocks[0]) == len(blocks[1]) == 3 and blocks[0] != blocks[1]  # three blocks, all moved
    res = run_newslint(*base, page.name, "--baseline", baseline, cwd=tmp_path)
    assert res.returncode == 0 and b"All checks passed!" in res.stdout, res.stdout
    assert b"stale" in res.stderr and b"NL203" not in res.stderr  # the fixed lines' entries are; the chrome's not
    # the page as accepted, with the site's menu pasted into the chrome below the article
    # (after its share bar): that block grows
    lines = raw.read_text(encoding="utf-8").split("\n")
    assert lines[52:57] == ["facebook", "linkedin", "twitter", "email", "print"]
    lines[57:57] = ["", "Wirtschaft", "Tech", "Politik", "Strategy", "Wissenschaft"]
    page.write_text("\n".join(lines), encoding="utf-8")
    res = run_newslint(*base, page.name, "--baseline", baseline, "--select", "NL203", "--output-format", "json",
                       cwd=tmp_path)
    found = json.loads(res.stdout)
    assert res.returncode == 1 and [d["location"]["row"] for d in found] == [51], found  # the block that grew
    # --fix --unsafe-fixes --baseline takes that block out, and leaves the two accepted ones
    res = run_newslint(*base, page.name, "--baseline", baseline, "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert res.returncode == 0, res.stdout
    assert page.read_text(encoding="utf-8").split("\n") == lines[:50]  # rows 51 to the end: block 3


def test_a_baseline_written_before_nl203_was_counted_per_file_still_accepts_its_blocks(tmp_path):
    """Baselines written before NL203's findings were counted per file keyed each block by its
    text. Read by this version, whose NL203 findings carry one key per file, those entries
    matched nothing: every accepted chrome block of the archive came back at the upgrade (and
    each old entry was called stale). Such an entry now accepts all its file's chrome (how
    many lines it spanned is not known) until the baseline is written again."""
    page = tmp_path / "page.txt"
    shutil.copyfile(need(SCRAPED / "raw" / "fde930b01859de8311c6a14f8aa8c72be0659b551367803deb6736cf3526cf2e.txt"), page)
    baseline = tmp_path / "baseline.json"
    base = ("check", "--no-cache", "--isolated")
    assert run_newslint(*base, page.name, "--write-baseline", baseline, cwd=tmp_path).returncode == 0
    data = json.loads(baseline.read_text(encoding="utf-8"))
    chrome = sorted(e["count"] for e in data["entries"] if e["code"] == "NL203")
    assert chrome == [1, 1, 1, 120]  # its three blocks, and the rows they span
    # as the earlier version wrote them: an entry per block, keyed by the hash of its text
    data["entries"] = [e for e in data["entries"] if e["code"] != "NL203"] + [
        {"file": "page.txt", "code": "NL203", "hash": h, "count": 1}
        for h in ("1f52a41dd1a9bb7a", "22e1a7255d5e13c4", "c05f0b1dc0fe0417")]
    baseline.write_text(json.dumps(data), encoding="utf-8")
    res = run_newslint(*base, page.name, "--baseline", baseline, cwd=tmp_path)
    assert res.returncode == 0 and b"All checks passed!" in res.stdout and b"stale" not in res.stderr, res


def test_stale_baseline_entries_are_summed_up_a_line_a_file(tmp_path):
    """After an archive's clean-up (`--fix` on the pages a baseline accepted) each stale entry
    was a note of its own, 'baseline entry NL201 3d59f7548e1af215 for ... matches nothing':
    642 lines of hashes for 92 scraped pages. Now one line a file, saying how many of which
    rules, for the first ten files, then how many more files; -v still lists each entry."""
    folder = tmp_path / "pages"
    folder.mkdir()
    for p in sorted(need(SCRAPED / "raw").glob("*.txt"))[:20]:
        shutil.copyfile(p, folder / p.name)
    baseline = tmp_path / "baseline.json"
    base = ("check", "--no-cache", "--isolated", "--select", "NL1,NL201")
    assert run_newslint(*base, ".", "--write-baseline", baseline, cwd=folder).returncode == 0
    res = run_newslint(*base, "--fix", ".", cwd=folder)
    assert b"fixed" in res.stdout, res.stdout
    each = run_newslint(*base, ".", "--baseline", baseline, "-v", cwd=folder)
    listed = [line for line in each.stderr.decode().splitlines() if "matches nothing" in line]
    files = sorted({line.split(" for ")[1].split(" matches nothing")[0] for line in listed})
    assert len(listed) > 60 and len(files) > 12, each.stderr.decode()
    res = run_newslint(*base, ".", "--baseline", baseline, cwd=folder)
    notes = [line for line in res.stderr.decode().splitlines() if "stale" in line]
    assert res.returncode == 0 and len(notes) == 11, res.stderr.decode()
    assert notes[0].startswith(f"note: {files[0]}: ") and "stale baseline entries (" in notes[0]
    assert notes[-1] == f"note: and {len(files) - 10} more files with stale baseline entries (-v lists every entry)"


def test_write_baseline_from_a_partial_run_keeps_the_other_entries(sample, tmp_path):
    """A stale note says 'refresh with --write-baseline'; run where it was seen (a hook's one
    file, a folder, `--select NL1`), --write-baseline replaced the whole archive's baseline
    with that run's findings: 1,698 findings of 620 files became 1, and the next full check
    failed on every other file. Entries of files and rules the run did not check are now
    kept; those of a file that no longer exists are dropped."""
    folder = sample.parent
    shutil.copyfile(need(BBC / "sport" / "012.txt"), folder / "a.txt")
    shutil.copyfile(BBC / "sport" / "020.txt", folder / "b.txt")  # word for word 012: NL401 both ways
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)
    baseline = tmp_path / "baseline.json"
    base = ("check", "--no-cache", "--isolated")

    def entries():
        return sorted((e["file"], e["code"], e["count"]) for e in json.loads(baseline.read_text())["entries"])

    assert run_newslint(*base, ".", "--write-baseline", baseline, cwd=folder).returncode == 0
    full = entries()
    assert len(full) > 5 and ("a.txt", "NL401", 1) in full
    res = run_newslint(*base, "a.txt", "--write-baseline", baseline, cwd=folder)  # as a hook sees one file
    assert res.returncode == 0 and b"Wrote 1 finding" in res.stderr and b"kept" in res.stderr, res.stderr
    assert entries() == full
    assert run_newslint(*base, ".", "--select", "NL1", "--write-baseline", baseline, cwd=folder).returncode == 0
    assert entries() == full
    assert run_newslint(*base, ".", "--baseline", baseline, cwd=folder).returncode == 0
    subprocess.run(["git", "rm", "-q", "b.txt"], cwd=folder, check=True)  # a.txt is no one's copy now
    assert run_newslint(*base, ".", "--write-baseline", baseline, cwd=folder).returncode == 0
    assert {f for f, _, _ in entries()} == {sample.name} and ("a.txt", "NL401", 1) not in entries()


def test_page_chrome_split_into_more_blocks_by_the_safe_fixes_stays_accepted(tmp_path):
    """On scrapinghub raw/098bb3e9...txt (an Apple-news page) the safe fixes delete lines in the
    comments and related-story lists, after which the chrome is found as 18 blocks where the
    accepted page had 5 (a run of one-line menus inside the article): counted by block, 13 of
    them came back as new. Counted by lines, which only shrink as a page is cleaned, none do."""
    page = tmp_path / "page.txt"
    shutil.copyfile(need(SCRAPED / "raw" / "098bb3e96c0acdf36efdcde45fb9cca3f8c82c7cb2071b76097a1b96155f1eb2.txt"), page)
    baseline = tmp_path / "baseline.json"
    base = ("check", "--no-cache", "--isolated")

    def blocks():
        res = run_newslint(*base, page.name, "--select", "NL203", "--output-format", "json", cwd=tmp_path)
        return [(d["location"]["row"], d["end_location"]["row"]) for d in json.loads(res.stdout)]

    assert run_newslint(*base, page.name, "--write-baseline", baseline, cwd=tmp_path).returncode == 0
    accepted = blocks()
    assert run_newslint(*base, "--fix", page.name, cwd=tmp_path).returncode == 1
    now = blocks()
    assert len(now) > len(accepted) + 10
    assert sum(b - a + 1 for a, b in now) <= sum(b - a + 1 for a, b in accepted)
    res = run_newslint(*base, page.name, "--baseline", baseline, cwd=tmp_path)
    assert res.returncode == 0 and b"All checks passed!" in res.stdout, res.stdout
