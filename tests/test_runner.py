"""Parallel runs and the results cache (issue 5 point 3)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BBC, bbc_excerpt, copy_tree, need, run_newslint


def stats(stderr: bytes) -> tuple[int, int, int]:
    m = re.search(rb"newslint: (\d+) files, (\d+) from cache, (\d+) linted", stderr)
    assert m, stderr.decode()
    return tuple(int(x) for x in m.groups())


@pytest.mark.slow
def test_jobs_give_identical_json_and_the_cache_relints_nothing(tmp_path):
    corpus = need(BBC)
    one = run_newslint("check", corpus, "--output-format", "json", "--exit-zero", "--no-cache", "-j", "1")
    two = run_newslint("check", corpus, "--output-format", "json", "--exit-zero", "--no-cache", "-j", "2")
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout and json.loads(one.stdout)

    cache = tmp_path / "cache"
    cold = run_newslint("check", corpus, "--output-format", "json", "--exit-zero", "--cache-dir", cache, "-v")
    warm = run_newslint("check", corpus, "--output-format", "json", "--exit-zero", "--cache-dir", cache, "-v")
    assert stats(cold.stderr) == (2225, 0, 2225)
    assert stats(warm.stderr) == (2225, 2225, 0)  # every file from the cache, none re-linted
    assert b", 0 read to hash" in warm.stderr  # unchanged size/mtime/inode: not even read
    assert cold.stdout == warm.stdout == one.stdout


SIGN_OFF = "Bill Thompson is a regular commentator on the BBC World Service programme Go Digital."


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_corpus_boilerplate_is_fixed_by_worker_processes_too(tmp_path, jobs):
    """NL202's unsafe fix needs the corpus's line counts, found before the files are fixed;
    the worker processes that lint runs of 64 files or more must get them as well (they
    built their linters without them, and `--fix` fixed nothing with the default -j)."""
    tech = copy_tree(need(BBC) / "tech", tmp_path / "tech")
    signed = sorted(p.name for p in tech.glob("*.txt") if SIGN_OFF in p.read_text(encoding="utf-8"))
    assert len(signed) >= 5 and len(list(tech.glob("*.txt"))) >= 64  # enough files for workers
    before = {p.name: p.read_text(encoding="utf-8") for p in tech.glob("*.txt")}
    res = run_newslint("check", "--fix", "--unsafe-fixes", "--no-cache", "-j", jobs, "--select", "NL202", tech,
                       cwd=tmp_path)
    assert res.returncode == 0, res.stdout.decode() + res.stderr.decode()
    assert f"{len(signed)} fixed".encode() in res.stdout
    for name, text in before.items():
        after = (tech / name).read_text(encoding="utf-8")
        if name in signed:  # only the sign-off (and the blank line before it) went
            assert after == text.replace("\n\n" + SIGN_OFF, ""), name
        else:
            assert after == text, name


def test_diff_with_unsafe_fixes_shows_the_corpus_boilerplate_deletions(tmp_path):
    """--diff shows what --fix would write, NL202's deletions included (it skipped the
    corpus pass, so the two disagreed), and writes nothing."""
    tech = copy_tree(need(BBC) / "tech", tmp_path / "tech")
    before = {p.name: p.read_bytes() for p in tech.glob("*.txt")}
    res = run_newslint("check", "--diff", "--unsafe-fixes", "--select", "NL202", tech, cwd=tmp_path)
    assert res.returncode == 1
    removed = [ln for ln in res.stdout.decode().splitlines() if ln.startswith("-") and not ln.startswith("---")]
    signed = [n for n, b in before.items() if SIGN_OFF.encode() in b]
    assert removed.count("-" + SIGN_OFF) == len(signed) >= 5
    assert {p.name: p.read_bytes() for p in tech.glob("*.txt")} == before
    assert not (tmp_path / ".newslint_cache").exists()


def test_cache_key_follows_content_and_settings_not_mtime(sample, tmp_path):
    cache = tmp_path / "c"
    args = ["check", sample, "--cache-dir", cache, "-v", "--exit-zero", "-q"]
    assert stats(run_newslint(*args).stderr)[2] == 1
    os.utime(sample, (1, 1))  # a CI checkout resets mtimes: still a hit
    assert stats(run_newslint(*args).stderr)[1] == 1
    assert stats(run_newslint(*args, "--select", "NL1").stderr)[2] == 1  # other rules: a miss
    sample.write_text(sample.read_text(encoding="utf-8") + "\nOne more line of text.\n", encoding="utf-8")
    assert stats(run_newslint(*args).stderr)[2] == 1  # other content: a miss


def test_cached_result_still_gets_fixed(sample, tmp_path):
    cache = tmp_path / "c"
    run_newslint("check", sample, "--cache-dir", cache)
    run_newslint("check", sample, "--cache-dir", cache, "--fix")
    assert "TT\n" not in sample.read_text(encoding="utf-8")


def test_corrupt_cache_is_replaced(sample, tmp_path):
    cache = tmp_path / "c"
    cache.mkdir()
    (cache / "results.sqlite").write_bytes(b"this is not a database" * 100)
    res = run_newslint("check", sample, "--cache-dir", cache, "-v", "-q")
    assert res.returncode == 1 and stats(res.stderr)[2] == 1
    assert stats(run_newslint("check", sample, "--cache-dir", cache, "-v", "-q").stderr)[1] == 1


@pytest.mark.parametrize("damage", [
    "UPDATE results SET data = substr(data, 1, length(data) / 2) WHERE length(data) > 0",  # torn entries
    "UPDATE results SET data = x'789c2bc9c82c5600a2bcfc1285ace2fc3c0032bc0600' WHERE length(data) > 0",  # not findings
])
def test_a_cache_damaged_inside_is_not_used_and_started_again(sample, tmp_path, damage):
    """A results cache that opens fine but whose entries cannot be read back (a damaged page,
    a torn write) stopped the run with an internal error (zlib.error, exit 2). It must cost
    only speed: the findings of a run without the cache, a warning, and a new cache next run."""
    import sqlite3

    cache = tmp_path / "c"
    bbc = need(BBC) / "tech" / "001.txt"
    args = ("check", sample, bbc, "--isolated", "--select", "NL1,NL2,NL3")
    clean = run_newslint(*args, "--no-cache")
    assert clean.returncode == 1 and b"NL101" in clean.stdout
    assert run_newslint(*args, "--cache-dir", cache).stdout == clean.stdout
    db = sqlite3.connect(cache / "results.sqlite")
    assert db.execute(damage).rowcount >= 1
    db.commit()
    db.close()
    damaged = run_newslint(*args, "--cache-dir", cache, "-v")
    assert (damaged.returncode, damaged.stdout) == (1, clean.stdout), damaged.stderr.decode()
    assert b"results cache" in damaged.stderr and b"Traceback" not in damaged.stderr
    assert stats(damaged.stderr)[2] == 2  # both linted, nothing taken from the damaged cache
    again = run_newslint(*args, "--cache-dir", cache, "-v")
    third = run_newslint(*args, "--cache-dir", cache, "-v")
    assert again.stdout == third.stdout == clean.stdout
    assert stats(third.stderr)[1] == 2  # a new cache, used


@pytest.mark.parametrize("future", [False, True], ids=["mtime-now", "mtime-in-the-future"])
def test_an_edit_in_place_that_puts_the_mtime_back_is_not_answered_from_the_caches(tmp_path, future):
    """Size, mtime and inode were the whole stat identity of the results cache and of the
    corpus index: an article edited in place to the same size with its mtime put back (as
    `touch -r` or a tool keeping times does) got its old findings from both, in a hook-sized
    run and in a full check alike. The ctime moves with every edit and cannot be set. With
    the mtime an hour ahead (clock skew, an archive's dates), the index took the later of the
    two times and still missed the edit (a review)."""
    import shutil
    import subprocess
    import time

    repo = tmp_path / "repo"
    tech = sorted((need(BBC) / "tech").glob("*.txt"))[:40]
    (repo / "tech").mkdir(parents=True)
    for p in tech:
        shutil.copyfile(p, repo / "tech" / p.name)
    shutil.copyfile(tech[0], repo / "copy.txt")  # NL401 with tech/<first>
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    hook = ("check", "copy.txt", f"tech/{tech[1].name}")
    if future:
        ahead = time.time_ns() + 3600 * 10**9
        for name in hook[1:]:
            os.utime(repo / name, ns=(ahead, ahead))
    run_newslint("check", ".", cwd=repo)
    before = run_newslint(*hook, cwd=repo)
    assert b"NL401" in before.stdout
    for name in ("copy.txt", f"tech/{tech[1].name}"):  # the headline printed twice, the last words cut
        path = repo / name
        st = os.stat(path)
        old = path.read_bytes()
        with open(path, "r+b") as fh:
            fh.write((old.split(b"\n")[0] + b"\n\n" + old)[:len(old)])
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert (os.stat(path).st_size, os.stat(path).st_mtime_ns, os.stat(path).st_ino) == \
            (st.st_size, st.st_mtime_ns, st.st_ino)
    assert run_newslint("dups", cwd=repo).stdout == run_newslint("dups", "--no-cache", cwd=repo).stdout
    fresh = run_newslint(*hook, "--no-cache", cwd=repo)
    assert b"NL101" in fresh.stdout and fresh.stdout != before.stdout
    assert run_newslint(*hook, cwd=repo).stdout == fresh.stdout
    assert run_newslint("check", ".", cwd=repo).stdout == run_newslint("check", ".", "--no-cache", cwd=repo).stdout


def test_cache_folders_are_marked_and_an_unusable_one_only_costs_speed(sample, tmp_path):
    """A custom --cache-dir is git-ignored and tagged like .newslint_cache; a cache folder that
    cannot be created (its parent is a file) gives warnings and the same findings (the corpus
    index crashed the run here before)."""
    cache = tmp_path / "c"
    first = run_newslint("check", sample, "--cache-dir", cache, "-q", "--output-format", "json")
    assert (cache / ".gitignore").read_text().endswith("*\n") and (cache / "CACHEDIR.TAG").exists()
    (tmp_path / "a-file").write_text("not a folder\n")
    res = run_newslint("check", sample, "--cache-dir", tmp_path / "a-file" / "c", "-q", "--output-format", "json")
    assert b"results cache disabled" in res.stderr
    assert res.returncode == first.returncode == 1 and res.stdout == first.stdout
    loud = run_newslint("check", sample, "--cache-dir", tmp_path / "a-file" / "c", "--output-format", "json")
    assert b"corpus index disabled" in loud.stderr and loud.stdout == first.stdout  # no traceback, same findings


def test_exit_non_zero_on_fix_and_show_fixes(sample):
    clean_copy = sample.with_name("b.txt")
    res = run_newslint("check", sample, "--fix", "--exit-non-zero-on-fix", "--select", "NL1,NL201", "--show-fixes")
    assert res.returncode == 1
    assert b"6 \xc3\x97 NL102 (repeated-caption)" in res.stdout and b"2 \xc3\x97 NL101" in res.stdout
    res = run_newslint("check", sample, "--fix", "--exit-non-zero-on-fix", "--select", "NL1,NL201")
    assert res.returncode == 0
    assert not clean_copy.exists()


class _WaitingRunner:
    """Lints nothing until the cross-file pass has started: only a run_beside that runs the two
    at once finishes (one that ran them one after the other would time out here)."""

    def __init__(self, started, fail=None):
        self.started, self.fail = started, fail

    def start_pool(self):
        return None

    def run(self, files, progress=None, pool=None):
        if not self.started.wait(timeout=30):
            raise AssertionError("the cross-file pass did not start while the files were being linted")
        if self.fail:
            raise self.fail
        return [f"linted {f}" for f in files]


def test_run_beside_runs_the_corpus_pass_while_the_files_are_linted():
    import threading

    from newslint.runner import run_beside

    started = threading.Event()

    def corpus_pass():
        started.set()
        return "corpus findings"

    files = ["business/014.txt", "tech/001.txt"]
    assert run_beside(_WaitingRunner(started), files, None, corpus_pass) == (
        ["linted business/014.txt", "linted tech/001.txt"], "corpus findings")


def test_run_beside_raises_either_sides_error_after_both_stopped():
    import threading

    from newslint.config import ConfigError
    from newslint.runner import run_beside

    started = threading.Event()
    with pytest.raises(ConfigError, match="bad pack"):  # the in-file side's error (a user mistake) reaches the caller
        run_beside(_WaitingRunner(started, ConfigError("bad pack")), ["a.txt"], None, started.set)

    started = threading.Event()
    runner = _WaitingRunner(started)

    def failing_corpus_pass():
        started.set()
        raise OSError("index folder vanished")

    with pytest.raises(OSError, match="vanished"):
        run_beside(runner, ["a.txt"], None, failing_corpus_pass)


def test_run_beside_forks_the_workers_before_the_corpus_pass_starts():
    """The worker processes are forked before the cross-file pass runs beside them: forked
    from the in-file thread while this one was importing a module (the pass imports lazily),
    a worker inherited that module's lock held and hung on its own import of it, and the
    check never ended (seen in CI: a worker stuck in rapidfuzz's `from typing import`)."""
    import multiprocessing

    from newslint.runner import CheckOptions, Runner, run_beside

    paths = [str(p) for p in sorted((need(BBC) / "tech").glob("*.txt"))[:80]]
    runner = Runner(CheckOptions(), {}, None, 2)
    assert runner.uses_workers(paths)
    workers_at_start = []

    def corpus_pass():
        workers_at_start.append(len(multiprocessing.active_children()))
        return "corpus findings"

    results, corpus = run_beside(runner, paths, None, corpus_pass)
    assert workers_at_start == [2] and corpus == "corpus findings" and len(results) == len(paths)
    assert multiprocessing.active_children() == []  # and they are gone afterwards


def _ended(worker, timeout: float = 30) -> bool:
    """Has the worker process ended? Its pool's manager thread reaps a dead worker too, and
    when it wins that race the Process object never learns its exit code (waitpid fails
    with ECHILD): a process that no longer exists has ended as well."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        worker.join(0.1)
        if worker.exitcode is not None:
            return True
        try:
            os.kill(worker.pid, 0)
        except ProcessLookupError:  # reaped by the pool's thread
            return True
    return False


def test_ctrl_c_stops_the_worker_processes_without_a_traceback(capfd):
    """Ctrl-C goes to every process of the terminal's process group: each idle worker
    printed 'Process ForkProcess-N: Traceback ... KeyboardInterrupt' under the main
    process's clean 'Aborted!'. The workers must stop, and quietly."""
    import signal

    from newslint.runner import CheckOptions, Runner

    paths = [str(p) for p in sorted((need(BBC) / "tech").glob("*.txt"))[:80]]
    runner = Runner(CheckOptions(), {}, None, 2)
    pool = runner.start_pool()
    try:
        assert len(list(pool.map(len, [paths]))) == 1  # the workers are up and idle
        workers = list(pool._processes.values())  # the pool's own (an earlier test may leave others)
        assert len(workers) == 2
        for w in workers:
            os.kill(w.pid, signal.SIGINT)
        assert all(_ended(w) for w in workers)  # 1, or SIGTERM from the pool once one stopped
    finally:
        pool.shutdown()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err


def test_workers_of_a_run_started_with_ctrl_c_ignored_ignore_it_too():
    """`newslint check . > report &` in a script starts it with SIGINT ignored; a Ctrl-C to the
    script's process group then stopped the workers (their own handler replaced the inherited
    SIG_IGN), and the run exited 1 with an empty report (found by a review)."""
    import signal

    from newslint.runner import CheckOptions, Runner

    paths = [str(p) for p in sorted((need(BBC) / "tech").glob("*.txt"))[:80]]
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        runner = Runner(CheckOptions(), {}, None, 2)
        pool = runner.start_pool()
        try:
            workers = list(pool._processes.values())  # the pool's own (an earlier test may leave others)
            assert len(workers) == 2
            for w in workers:
                os.kill(w.pid, signal.SIGINT)
            results = list(runner._lint_all(paths, None, pool=pool))  # they are still there, and lint
            assert len(results) == len(paths) and all(w.is_alive() for w in workers)
        finally:
            pool.shutdown()
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_worker_killed_under_the_run_is_said_not_reported_as_a_bug():
    """The OOM killer or a kill -9 taking a worker gave BrokenProcessPool's traceback and
    "internal error ... this is a bug in newslint" (found by a review)."""
    import signal

    from newslint.runner import CheckOptions, Runner, WorkerLost

    paths = [str(p) for p in sorted((need(BBC) / "tech").glob("*.txt"))[:80]]
    runner = Runner(CheckOptions(), {}, None, 2)
    pool = runner.start_pool()
    try:
        victim = next(iter(pool._processes.values()))  # the pool's own (an earlier test may leave others)
        os.kill(victim.pid, signal.SIGKILL)
        victim.join(30)
        with pytest.raises(WorkerLost, match=r"a worker process died \(killed by SIGKILL; out of memory\? "
                                             r"try fewer --jobs\); the run is incomplete"):
            list(runner._lint_all(paths, None, pool=pool))
    finally:
        pool.shutdown()


def test_a_cross_file_check_opens_each_file_once(tmp_path, monkeypatch, cli):
    """Cross-file rules alone: the corpus pass reads every file, and its open answers the
    question the in-file side asked by opening each file itself first (a second open of a
    million files, cold, was 26 s of target 4's check). A file it could not open is still
    opened once more, to say why; here none, and every copy is still found."""
    tree = copy_tree(need(BBC) / "tech", tmp_path / "tech")
    names = sorted(p.name for p in tree.glob("*.txt"))[:40]
    for p in tree.glob("*.txt"):
        if p.name not in names:
            p.unlink()
    (tree / "copy.txt").write_bytes((tree / names[0]).read_bytes())
    opens: dict[str, int] = {}
    real_open = os.open

    def counting_open(path, *args, **kwargs):
        name = os.path.basename(os.fsdecode(path))
        if name.endswith(".txt"):
            opens[name] = opens.get(name, 0) + 1
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting_open)
    res = cli("check", "--isolated", "--no-cache", "--select", "NL4", str(tree))
    assert "copy.txt:1:1: NL401" in res.stdout and f"{names[0]}:1:1: NL401" in res.stdout
    # a file with a finding is opened once more, for its suppression comments
    reported = {os.path.basename(line.split(":")[0]) for line in res.stdout.splitlines() if ".txt:" in line}
    assert {n: k for n, k in opens.items() if k != 1} == dict.fromkeys(reported, 2)
    assert sorted(opens) == sorted(names + ["copy.txt"])


def test_only_a_run_that_lints_in_workers_runs_the_corpus_pass_beside_them():
    """Cross-file rules alone lint nothing (each file is only probed, in this process): such
    a run keeps the passes in turn; so does a run of one job or of a few files."""
    from newslint.runner import CheckOptions, Runner

    paths = [str(p) for p in sorted((need(BBC) / "tech").glob("*.txt"))[:80]]
    assert Runner(CheckOptions(), {}, None, 2).uses_workers(paths)
    assert not Runner(CheckOptions(select=["NL401", "NL402", "NL403", "NL202"]), {}, None, 2).uses_workers(paths)
    assert not Runner(CheckOptions(), {}, None, 1).uses_workers(paths)
    assert not Runner(CheckOptions(), {}, None, 2).uses_workers(paths[:10])


def test_the_caches_do_not_serve_one_build_s_findings_to_another(sample, tmp_path):
    """The results cache and the last-run record were keyed by `__version__`, "0.1.0" in every
    commit: after a content repository moved its pre-commit `rev:` (or `pip install
    git+...@COMMIT`) to a build whose rules word or fingerprint their findings differently,
    every unchanged file was answered from the cache with the old build's findings (a fixed
    message, or a fixed baseline key, did not reach it until .newslint_cache was deleted).
    Two copies of the package, the second with NL101-NL103's message reworded, run in turn
    on one folder and one cache."""
    src = Path(__file__).resolve().parents[1]
    builds = []
    for name, edit in (("a", None), ("b", ("repeated (copy {n} of", "printed again (copy {n} of"))):
        root = tmp_path / name
        shutil.copytree(src / "newslint", root / "newslint", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(src / "rules", root / "newslint" / "rules")
        if edit:
            repeats = root / "newslint" / "checks" / "repeats.py"
            text = repeats.read_text(encoding="utf-8")
            assert edit[0] in text
            repeats.write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
        builds.append(root)
    folder = sample.parent
    (folder / "second.txt").write_text(bbc_excerpt("sport/101.txt"), encoding="utf-8")  # 2 files: no record yet

    def check(build):
        env = {**os.environ, "PYTHONPATH": str(build), "NO_COLOR": "1", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
        out = subprocess.run([sys.executable, "-m", "newslint", "check", "-v", "."], cwd=folder, env=env,
                             capture_output=True, text=True, timeout=600)
        assert out.returncode == 1 and f"{build}/newslint" in subprocess.run(
            [sys.executable, "-c", "import newslint; print(newslint.__file__)"], cwd=folder, env=env,
            capture_output=True, text=True).stdout, out.stderr
        return out

    first = check(builds[0])
    assert "Headline repeated (copy 2 of 2" in first.stdout
    again = check(builds[0])
    assert "2 from cache" in again.stderr and again.stdout == first.stdout  # the cache serves its own build
    second = check(builds[1])
    assert "Headline printed again (copy 2 of 2" in second.stdout, second.stdout
    assert "Headline repeated" not in second.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_workers_end_when_their_run_is_killed(tmp_path):
    """kill -9 of a run (a CI timeout, the OOM killer) left its workers linting and fixing
    their share of the files, then waiting on a pipe forever, adopted by init (found by a
    review). They now end with it."""
    import signal
    import time

    tree = copy_tree(need(BBC), tmp_path / "bbc")
    proc = subprocess.Popen([sys.executable, "-m", "newslint", "check", "--no-cache", "-j", "2", "."], cwd=tree,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def children() -> set[int]:
        try:
            with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as fh:
                return {int(x) for x in fh.read().split()}
        except OSError:
            return set()

    deadline = time.monotonic() + 60
    while len(children()) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    workers = children()
    assert len(workers) >= 2, "the run ended before its workers were seen"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    deadline = time.monotonic() + 30
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = {pid for pid in alive if os.path.exists(f"/proc/{pid}") and
                 open(f"/proc/{pid}/stat").read().split(")")[-1].split()[0] != "Z"}
    for pid in alive:  # a failure leaves no orphans behind on the machine
        os.kill(pid, signal.SIGKILL)
    assert not alive, f"workers still running after their run was killed: {sorted(alive)}"


def test_an_edit_during_the_run_does_not_poison_the_results_cache(tmp_path, monkeypatch, cli):
    """The cache key hashes one read of a file and the linter reads it again: an edit made in
    between (a 'TT' line appended while `check .` ran), undone afterwards (git checkout),
    left the edited text's finding stored under the original text's key, and every later run
    reported 'NL201 stray page token' on a line the file does not have (found by a review)."""
    import newslint.runner as runner

    story = tmp_path / "story.txt"
    original = (need(BBC) / "tech" / "400.txt").read_bytes()
    story.write_bytes(original)
    real = runner.check_file

    def edited_meanwhile(path, *args):
        story.write_bytes(original + b"\nTT\n")  # saved by someone else between the key and the lint
        return real(path, *args)

    monkeypatch.setattr(runner, "check_file", edited_meanwhile)
    args = ("check", "--isolated", "--select", "NL1,NL2,NL3", "--cache-dir", tmp_path / "c", "--output-format",
            "json", story)
    first = json.loads(cli(*args).stdout)
    assert [d["code"] for d in first] == ["NL201"]  # the text it linted had the token
    monkeypatch.setattr(runner, "check_file", real)
    story.write_bytes(original)  # the edit undone
    assert json.loads(cli(*args).stdout) == []  # as --no-cache says
    assert json.loads(cli(*args).stdout) == []
