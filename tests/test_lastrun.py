"""A full check answered from the last full check's record (newslint.lastrun) reports what a
full check from an empty cache reports, after every kind of change; `-v` says which ran."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import BBC, need

GIT = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
OTHER = ["business/010.txt", "business/011.txt", "business/012.txt"]
SIGN_OFF = "Bill Thompson is a regular commentator on the BBC World Service programme Go Digital."


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A git repository of BBC's 401 tech articles and three business ones, committed."""
    root = tmp_path_factory.mktemp("lastrun") / "repo"
    shutil.copytree(need(BBC) / "tech", root / "tech")
    (root / "business").mkdir()
    for rel in OTHER:
        shutil.copy(BBC / rel, root / rel)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(GIT + ["commit", "-qm", "articles"], cwd=root, check=True)
    return root


@pytest.fixture
def repo(template, tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(template, root, symlinks=True)
    # the copies have new inodes: let git's index see them as a checkout would
    subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=root, check=True)
    return root


def check(root, *args, cache=None) -> tuple[str, list[dict]]:
    """(stderr, the JSON report) of `newslint check -v` in `root`."""
    out = root.parent / "report.json"
    cmd = [sys.executable, "-m", "newslint", "check", "-v", "--exit-zero", "--output-format", "json", "-o", str(out)]
    cmd += ["--cache-dir", str(cache)] if cache else []
    res = subprocess.run(cmd + list(args or ["."]), cwd=root, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    return res.stderr, json.loads(out.read_text())


def fresh(root, *args) -> list[dict]:
    """The report of a full check from an empty cache folder."""
    cache = root.parent / "fresh-cache"
    shutil.rmtree(cache, ignore_errors=True)
    return check(root, *args, cache=cache)[1]


def answered_as_a_full_check(root, expected=None) -> list[dict]:
    """The report of a check the record answered, asserted equal to `expected` (default: a
    full check's from an empty cache)."""
    log, report = check(root)
    assert served(log), log
    assert report == (fresh(root) if expected is None else expected)
    return report


def served(log: str) -> bool:
    return "changed since the last full check" in log or "unchanged since the last full check" in log


def findings(report, name, code=None):
    return [d for d in report if d["filename"] == name and (code is None or d["code"] == code)]


def append(path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(text)


def test_an_unchanged_tree_gets_the_last_report(repo):
    log, cold = check(repo)
    assert "full check (no record" in log and not served(log)
    assert {d["code"] for d in cold} >= {"NL202", "NL402", "NL403"}
    log, warm = check(repo)
    assert "404 files unchanged since the last full check" in log
    assert warm == cold


def test_edits_are_answered_from_the_record_and_match_a_full_check(repo):
    _, cold = check(repo)
    names = {d["filename"] for d in cold}
    quiet = next(f"tech/{n:03d}.txt" for n in range(1, 400) if f"tech/{n:03d}.txt" not in names)

    # 1. a file without findings gets a new paragraph
    append(repo / quiet, "\nThe company said the figures would be revised next month.\n")
    log, warm = check(repo)
    assert served(log) and "1 changed" in log and "1 checked across files" in log, log
    assert warm == fresh(repo)

    # 2. one of a near-duplicate pair is edited: the other file's Jaccard moves too
    assert "(0.91)" in findings(cold, "tech/329.txt", "NL402")[0]["message"]
    append(repo / "tech/019.txt", "\nAnalysts expect the market to keep growing through the decade.\n")
    log, warm = check(repo)
    assert served(log) and "2 checked across files" in log, log
    assert warm == fresh(repo)
    assert findings(warm, "tech/329.txt", "NL402")[0]["message"] != findings(cold, "tech/329.txt", "NL402")[0]["message"]

    # 3. a file becomes a near-copy of another: a new pair, found from the edited file's side
    other = "tech/100.txt"
    assert not findings(cold, other, "NL402")
    (repo / quiet).write_text((repo / other).read_text() + "\nA reader sent in this correction.\n")
    warm = answered_as_a_full_check(repo)
    assert [r["filename"] for r in findings(warm, other, "NL402")[0]["related"]] == [quiet]

    # 4. the edits undone
    subprocess.run(["git", "checkout", "-q", "."], cwd=repo, check=True)
    warm = answered_as_a_full_check(repo, cold)


def test_changes_the_record_cannot_cover_run_the_full_check(repo):
    _, cold = check(repo)

    # three of the seven files holding a corpus-boilerplate line lose it: 4 < threshold 5
    for name in sorted({d["filename"] for d in cold if d["code"] == "NL202"})[:3]:
        path = repo / name
        path.write_text(path.read_text().replace(SIGN_OFF, "He writes about technology."))
    log, warm = check(repo)
    assert "full check (a corpus-boilerplate line crossed NL202's threshold)" in log, log
    assert warm == fresh(repo) and not any(d["code"] == "NL202" for d in warm)

    os.unlink(repo / "tech/001.txt")
    log, warm = check(repo)
    assert "full check (files were deleted or renamed" in log, log
    assert warm == fresh(repo)

    # a file without duplicates becomes a copy of another: one text fewer, and NL202 says "of N files"
    names = {d["filename"] for d in cold}
    a, b = [f"tech/{n:03d}.txt" for n in range(2, 400) if f"tech/{n:03d}.txt" not in names][:2]
    shutil.copy(repo / a, repo / b)
    warm = answered_as_a_full_check(repo)

    (repo / "newslint.toml").write_text('ignore = ["NL403"]\n')
    log, warm = check(repo)
    assert "full check (no record of a full check with these settings)" in log, log
    assert warm == fresh(repo) and not any(d["code"] == "NL403" for d in warm)


def test_corpus_boilerplate_counts_follow_the_edits(repo):
    """NL202 says "this line is in N of M files" in every file holding the line: an edit that
    moves N or M rewrites those findings, without a full check."""
    _, cold = check(repo)
    holders = sorted({d["filename"] for d in cold if d["code"] == "NL202"})
    assert len(holders) == 7 and all("in 7 of " in d["message"] for d in cold if d["code"] == "NL202")

    append(repo / holders[0], "\nHe lives in London.\n")  # still holds the line: nothing moves
    warm = answered_as_a_full_check(repo)

    path = repo / holders[1]  # loses the line: the six others now say "in 6 of"
    path.write_text(path.read_text().replace(SIGN_OFF, "He writes about technology."))
    warm = answered_as_a_full_check(repo)
    assert sorted(d["filename"] for d in warm if d["code"] == "NL202" and "in 6 of " in d["message"]) == \
        [h for h in holders if h != holders[1]]

    names = {d["filename"] for d in cold}
    a, b = [f"tech/{n:03d}.txt" for n in range(2, 400) if f"tech/{n:03d}.txt" not in names][:2]
    shutil.copy(repo / a, repo / b)  # one normal form fewer: every NL202 finding says "of M - 1 files"
    warm = answered_as_a_full_check(repo)
    size = int(next(d for d in cold if d["code"] == "NL202")["message"].split(" of ")[1].split()[0])
    assert all(f" of {size - 1} files" in d["message"] for d in warm if d["code"] == "NL202")

    subprocess.run(["git", "checkout", "-q", "."], cwd=repo, check=True)
    warm = answered_as_a_full_check(repo, cold)


def test_an_edit_that_keeps_size_and_mtime_is_seen(repo):
    _, cold = check(repo)
    path = repo / "tech/019.txt"
    st = os.stat(path)
    text = path.read_text()
    path.write_text(text.replace("a", "e", 40))  # same length, other words
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    log, warm = check(repo)
    assert served(log) and "1 changed" in log, log
    assert warm == fresh(repo) and warm != cold


def test_a_hook_run_elsewhere_since_the_record_is_not_missed(repo):
    """The record covers `tech/`; the corpus is the whole repository. A file outside it that
    a hook run recorded since may pair with a file inside it."""
    _, cold = check(repo, "tech")
    shutil.copy(repo / "tech/100.txt", repo / OTHER[0])
    append(repo / OTHER[0], "\nA reader sent in this correction.\n")
    subprocess.run(["git", "add", OTHER[0]], cwd=repo, check=True)
    log, hook = check(repo, OTHER[0])
    assert "answered from the snapshot" in log, log
    log, warm = check(repo, "tech")
    assert "full check (files not checked here changed" in log, log
    assert warm == fresh(repo, "tech")
    assert [r["filename"] for r in findings(warm, "tech/100.txt", "NL402")[0]["related"]] == [OTHER[0]]


def test_a_damaged_record_runs_the_full_check(repo):
    _, cold = check(repo)
    record = repo / ".newslint_cache" / "last-run.bin"
    data = record.read_bytes()
    for damaged in (data[:len(data) // 2], b"not a record", b""):
        record.write_bytes(damaged)
        log, warm = check(repo)
        assert "full check (no record of a full check with these settings)" in log, log
        assert warm == cold and record.read_bytes() != damaged  # and a new record is written
    log, warm = check(repo)
    assert served(log) and warm == cold


def test_untracked_files_are_not_recorded(repo):
    (repo / "tech/new.txt").write_text((repo / "tech/100.txt").read_text() + "\nAn extra line.\n")
    log, cold = check(repo)
    assert not (repo / ".newslint_cache" / "last-run.bin").exists()
    log, warm = check(repo)
    assert "full check (no record" in log and warm == cold


def test_very_large_runs_keep_no_record(repo, monkeypatch):
    """Past RECORD_MAX_FILES a full check writes neither the record nor the snapshot it needs."""
    from newslint import lastrun
    from newslint.entry import main

    monkeypatch.chdir(repo)
    monkeypatch.setattr(lastrun, "RECORD_MAX_FILES", 400)  # the repository holds 404 files
    monkeypatch.setattr(sys, "argv", ["newslint", "check", "--exit-zero", "-q", "."])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 0
    cache = repo / ".newslint_cache"
    assert (cache / "corpus-v1.sqlite3").exists()
    assert not (cache / "last-run.bin").exists() and not (cache / "corpus-snapshot.bin").exists()
    monkeypatch.setattr(lastrun, "RECORD_MAX_FILES", 404)
    with pytest.raises(SystemExit):
        main()
    assert (cache / "last-run.bin").exists() and (cache / "corpus-snapshot.bin").exists()


def test_partner_names_are_spelled_as_the_listing_spells_them():
    """The quick path names a partner relative to the git top; the report spells it as this
    run's listing did ('./desk/a.txt' for a run over '.'), the last of two spellings of one
    file (as a dict of normalised paths had it), and a file the listing lacks as given."""
    from newslint.lastrun import _Names

    names = _Names(["./business/014.txt", "tech/001.txt", "sport/../tech/002.txt", "tech/002.txt", "./tech/002.txt"])
    assert names("business/014.txt") == "./business/014.txt"
    assert names("tech/001.txt") == "tech/001.txt"
    assert names("tech/002.txt") == "./tech/002.txt"
    assert names("tech/003.txt") == "tech/003.txt"
    assert names("014.txt") == "014.txt"  # a name's tail alone is not the file


def test_vouching_asks_only_the_files_named_alike_and_agrees_with_mapping_them_all(tmp_path, monkeypatch):
    """_Vouch answers "was this repository path checked here, unchanged?" for the files git
    names modified. It maps only the checked names ending as the asked path does (a rerun
    with one uncommitted edit had mapped all of them), and past _ONE_BY_ONE questions all of
    them at once; both ways give the same answers: a file named through a linked folder and
    '..' included, a changed file never vouched for."""
    from newslint.corpus.model import opened_path
    from newslint.lastrun import _Vouch

    top = tmp_path / "repo"
    for rel in ("tech/001.txt", "tech/002.txt", "business/001.txt"):
        (top / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(need(BBC) / rel, top / rel)
    (top / "feeds").mkdir()
    (top / "feeds" / "desk").symlink_to(top / "business")  # feeds/desk/.. is top, not feeds
    monkeypatch.chdir(top)

    class State:  # SnapshotState.rel, counted
        prefix = str(top) + os.sep

        def __init__(self):
            self.asked: list[str] = []

        def rel(self, name):
            self.asked.append(name)
            p = opened_path(str(top), name)
            return p[len(self.prefix):].replace(os.sep, "/")

    files = ["./tech/001.txt", "tech/002.txt", "feeds/desk/../tech/002.txt", "business/001.txt"]
    files += [f"./other/{i}.txt" for i in range(200)]  # never opened: only named
    questions = ["tech/001.txt", "tech/002.txt", "business/001.txt", "feeds/desk/001.txt", "001.txt", "tech/003.txt"]
    expected = {"tech/001.txt": True, "tech/002.txt": False, "business/001.txt": True,
                "feeds/desk/001.txt": False, "001.txt": False, "tech/003.txt": False}
    state = State()
    one_by_one = _Vouch(state, files, {"tech/002.txt"})
    assert {q: one_by_one(q) for q in questions} == expected
    assert len(state.asked) <= 12  # the names ending in 001.txt / 002.txt / 003.txt, not 204
    monkeypatch.setattr(_Vouch, "_ONE_BY_ONE", 2)
    at_once = _Vouch(State(), files, {"tech/002.txt"})
    assert {q: at_once(q) for q in questions} == expected
    assert at_once._rels is not None  # the third question mapped them all


def test_vouching_maps_every_name_once_when_many_files_share_the_asked_name():
    """Hugo-style page bundles (content/<slug>/index.md): every checked name ends like every
    asked path, so mapping the alike names question by question cost 64 x 100,000 mappings
    (7 s, found by a review). Past a quarter of the names mapped, all are mapped once."""
    from newslint.corpus.quick import SnapshotState
    from newslint.lastrun import _Vouch

    n = 2000
    state = SnapshotState.__new__(SnapshotState)  # its rel() alone: no snapshot file needed
    state.cwd, state.top, state.prefix = "/repo", "/repo", "/repo/"
    mapped = []
    rel = state.rel
    state.rel = lambda name: mapped.append(name) or rel(name)
    files = [f"content/p{i:05d}/index.md" for i in range(n)]
    vouch = _Vouch(state, files, {"content/p00007/index.md"})
    assert all(vouch(f"content/p{n - 1 - i:05d}/index.md") for i in range(64))
    assert not vouch("content/p00007/index.md") and not vouch("content/p99999/index.md")
    assert len(mapped) <= 2 * n, f"{len(mapped)} names mapped for {n} files"


def test_stat_identities_split_with_a_forked_child_equal_one_process(monkeypatch, tmp_path):
    """Over many files a forked child stats the second half: the identities are the ones
    one process takes, in order, a file that cannot be stat'ed (None) in either half; when
    the child fails, this process stats its half too."""
    from newslint import lastrun
    from newslint.corpus import fork

    files = sorted(str(p) for p in need(BBC / "tech").glob("*.txt"))[:40]
    files[3] = str(tmp_path / "gone.txt")  # in the first half
    files[-3] = str(tmp_path / "gone-too.txt")  # in the child's half
    expected = [lastrun.stat_identity(f) for f in files]
    assert expected[3] is None and expected[-3] is None and None not in expected[4:-3]
    forks = []
    real_fork = fork.fork_child
    monkeypatch.setattr(fork, "fork_child", lambda *a, **k: forks.append(1) or real_fork(*a, **k))
    monkeypatch.setattr(lastrun, "_SPLIT_STAT_FILES", 10)
    assert lastrun.stat_identities(files) == expected and forks == [1]
    assert lastrun.stat_identities(files[:9]) == expected[:9] and forks == [1]  # too few to fork

    parent = os.getpid()
    real = lastrun._identities

    def failing_in_the_child(names):
        if os.getpid() != parent:
            raise OSError("the child cannot stat")
        return real(names)

    monkeypatch.setattr(lastrun, "_identities", failing_in_the_child)
    assert lastrun.stat_identities(files) == expected and forks == [1, 1]


def test_a_record_whose_files_were_stated_by_two_processes_answers_as_a_full_check(repo, monkeypatch, capsys):
    """The whole run with the split stat (lowered to this repository's 404 files): the cold
    run's record, then an edit in the child's half (its headline printed twice) answered
    from it, equal to a full check's report."""
    from newslint import lastrun
    from newslint.entry import main

    monkeypatch.chdir(repo)
    monkeypatch.setattr(lastrun, "_SPLIT_STAT_FILES", 100)
    out = repo.parent / "split.json"
    monkeypatch.setattr(sys, "argv", ["newslint", "check", "-v", "--exit-zero", "--output-format", "json",
                                      "-o", str(out), "."])
    story = repo / "tech" / "350.txt"  # the child stats tech/200.txt onwards
    for edit in (False, True):
        if edit:
            text = story.read_text(encoding="utf-8")
            story.write_text(text.split("\n", 1)[0] + "\n" + text, encoding="utf-8")
        capsys.readouterr()
        with pytest.raises(SystemExit):
            main()
    assert "404 files, 1 changed since the last full check" in capsys.readouterr().err
    report = json.loads(out.read_text())
    assert findings(report, "tech/350.txt", "NL101")
    assert report == fresh(repo)
