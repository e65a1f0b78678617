"""`--engine dask` against a real cluster on loopback: a `dask scheduler` and two workers
(each behind a nanny, one thread). The JSON report must be byte-identical to the local
engine's, on the BBC corpus and on a generated corpus, also when a worker is SIGKILLed
in the middle of a run.

The workers run in a folder of their own and every test passes paths relative to its own
working folder: the client must send the workers absolute paths and report the names given.

Size of the generated corpus: NEWSLINT_DASK_TEST_FILES (default 10,000; the acceptance run
is 100,000 and takes several minutes on two cores).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed", reason="distributed not installed (pip install 'newslint[dask]')")

from conftest import SECOND_ARTICLE_PARAGRAPH  # noqa: E402  (after the skip: no dask, no test)

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
BBC = SHARED / "corpora" / "bbc" / "articles"
N_FILES = int(os.environ.get("NEWSLINT_DASK_TEST_FILES", "10000"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args, log: Path, cwd: Path) -> subprocess.Popen:
    fh = open(log, "wb")
    return subprocess.Popen([sys.executable, "-m", *args], stdout=fh, stderr=subprocess.STDOUT, cwd=cwd,
                            start_new_session=True)


_CLUSTER: dict = {}  # the session's one cluster: addr, client, procs, cwd (the workers' folder), ready


@pytest.fixture(scope="session")
def cluster(tmp_path_factory, request):
    """(address, client) of a scheduler with two nanny-managed workers, all started in a folder
    of their own. One per session: test_dask_urls imports this fixture, and pytest would make
    a second cluster for it (one per module that holds the fixture) without the _CLUSTER check."""
    if not _CLUSTER:
        request.addfinalizer(_stop_cluster)
        _start_cluster(tmp_path_factory.mktemp("dask"))
    if not _CLUSTER.get("ready"):
        pytest.fail("the Dask test cluster did not start (see the first test that used it)")
    return _CLUSTER["addr"], _CLUSTER["client"]


def _start_cluster(tmp: Path) -> None:
    from distributed import Client

    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    _CLUSTER.update(addr=addr, client=None, cwd=tmp, procs=[
        _start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
                "--dashboard-address", ":0"], tmp / "scheduler.log", tmp)])
    deadline = time.time() + 60
    while True:  # the scheduler is up when a client connects
        try:
            _CLUSTER["client"] = Client(addr, timeout="2s", set_as_default=False)
            break
        except OSError:
            if time.time() > deadline:
                pytest.fail("dask scheduler did not start: " + (tmp / "scheduler.log").read_text())
            time.sleep(0.5)
    for n in range(2):
        _CLUSTER["procs"].append(_start(
            ["distributed.cli.dask_worker", addr, "--nthreads", "1", "--nworkers", "1", "--memory-limit", "3GB",
             "--host", "127.0.0.1", "--dashboard-address", ":0", "--name", f"w{n}"], tmp / f"worker{n}.log", tmp))
    _CLUSTER["client"].wait_for_workers(2, timeout=120)
    _CLUSTER["ready"] = True


def _stop_cluster() -> None:
    if _CLUSTER.get("client") is not None:
        _CLUSTER["client"].close()
    procs = _CLUSTER.get("procs", [])
    for p in reversed(procs):
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
    _CLUSTER.clear()


def _check(path: Path | str, cwd: Path, *extra: str) -> subprocess.Popen:
    """`newslint check` in `cwd` on `path`, given relative to `cwd` (the workers' folder differs)."""
    rel = os.path.relpath(path, cwd) if os.path.isabs(path) else str(path)
    fmt = () if "--diff" in extra else ("--output-format", "json")  # a diff is no json report
    return subprocess.Popen([sys.executable, "-m", "newslint", "check", *fmt, "--no-cache",
                             *extra, rel], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _run(path: Path, cwd: Path, *extra: str) -> tuple[int, bytes, bytes]:
    p = _check(path, cwd, *extra)
    out, err = p.communicate(timeout=1200)
    return p.returncode, out, err


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from bench_dups import generate
    finally:
        sys.path.pop(0)
    if not BBC.is_dir():
        pytest.skip(f"{BBC} not found (the generator draws on the BBC corpus)")
    return generate(N_FILES, tmp_path_factory.mktemp("gen") / f"n{N_FILES}")


def _same(path: Path, cwd: Path, addr: str, *extra: str) -> None:
    rc_l, out_l, err_l = _run(path, cwd, "--engine", "local")
    rc_d, out_d, err_d = _run(path, cwd, "--engine", "dask", "--scheduler", addr, *extra)
    assert rc_l in (0, 1), err_l.decode()[-2000:]
    assert rc_d == rc_l, err_d.decode()[-2000:]
    assert b"Traceback" not in err_d, err_d.decode()[-2000:]
    assert out_l.count(b'"code"') > 0
    assert b'"filename": "../' in out_l  # the names are the relative paths given
    assert out_d == out_l


def test_bbc_identical(cluster, tmp_path):
    if not BBC.is_dir():
        pytest.skip(f"{BBC} not found (../shared absent)")
    addr, _ = cluster
    _same(BBC, tmp_path, addr, "--partition-size", "300")


def test_generated_identical(cluster, generated, tmp_path):
    addr, _ = cluster
    _same(generated, tmp_path, addr, "--partition-size", str(max(200, N_FILES // 8)))


def test_unreachable_scheduler_is_usage_error(tmp_path):
    (tmp_path / "a.txt").write_text("Headline\n\nBody text.\n")
    rc, _, err = _run(tmp_path / "a.txt", tmp_path, "--engine", "dask", "--scheduler",
                      f"tcp://127.0.0.1:{_free_port()}")
    assert rc == 2
    assert b"scheduler" in err


@pytest.mark.parametrize("address", ["10.0.0.5", "http://127.0.0.1:8786", "tcp://127.0.0.1:8786/cluster"])
def test_a_scheduler_address_that_is_not_one_is_usage_error(tmp_path, address):
    """An address without a port, with a scheme Dask does not speak or with a path stopped the
    run with an internal error (distributed's ValueError and its traceback), and the half-made
    Client then held the exit for another 40 s."""
    (tmp_path / "a.txt").write_text("Headline\n\nBody text.\n")
    rc, _, err = _run(tmp_path / "a.txt", tmp_path, "--engine", "dask", "--scheduler", address)
    assert rc == 2, err.decode()
    assert b"Traceback" not in err and b"internal error" not in err, err.decode()
    assert f"Dask scheduler {address}".encode() in err, err.decode()


def test_a_scheduler_without_workers_is_named_while_the_run_waits(tmp_path):
    """A scheduler with no worker (an adaptive cluster before it scales up, or workers that
    never started) held the run without a word: it waits for one, and now says so."""
    from distributed import Client

    (tmp_path / "a.txt").write_text("Headline\n\nBody text.\n")
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    sched = _start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
                    "--dashboard-address", ":0"], tmp_path / "scheduler.log", tmp_path)
    run = None
    try:
        for _ in range(120):  # up when a client connects
            try:
                Client(addr, timeout="2s", set_as_default=False).close()
                break
            except OSError:
                time.sleep(0.5)
        run = subprocess.Popen([sys.executable, "-m", "newslint", "check", "--engine", "dask", "--scheduler", addr,
                                "a.txt"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
        import select

        said = b""  # the run waits (no worker will come); what it says meanwhile (a minute at most,
        while b"has no workers yet" not in said:  # else the test would wait as the run does)
            if not select.select([run.stderr], [], [], 60)[0]:
                break
            line = run.stderr.readline()
            if not line:
                break
            said += line
        assert f"the Dask scheduler {addr} has no workers yet".encode() in said, said.decode()
        assert run.poll() is None  # still waiting, as an adaptive cluster needs
    finally:
        for proc in (run, sched):
            if proc is not None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


_SCANS_DONE = (  # run on the scheduler; source text, so it pickles by value
    "lambda dask_scheduler: sum(1 for key, ts in dask_scheduler.tasks.items() "
    "if '_scan' in str(key) and ts.state == 'memory')"
)


def test_worker_killed_mid_run(cluster, generated, tmp_path):
    addr, client = cluster
    rc_l, out_l, err_l = _run(generated, tmp_path, "--engine", "local")
    parts = 16
    proc = _check(generated, tmp_path, "--engine", "dask", "--scheduler", addr,
                  "--partition-size", str(max(50, N_FILES // parts)))
    deadline = time.time() + 600
    scans_done = eval(_SCANS_DONE)  # a lambda made here is pickled by value (this module is not on the workers)
    while client.run_on_scheduler(scans_done) < 2:  # the first partitions are finished
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        assert time.time() < deadline
        time.sleep(0.05)
    pids = client.run(os.getpid)  # worker processes (their nannies restart them)
    victim = sorted(pids.values())[0]
    os.kill(victim, signal.SIGKILL)
    out_d, err_d = proc.communicate(timeout=1200)
    assert proc.returncode == rc_l, err_d.decode()[-2000:]
    assert out_d == out_l
    client.wait_for_workers(2, timeout=120)  # the nanny brought the worker back
    assert victim not in client.run(os.getpid).values()


def _on_both_engines(tmp_path: Path, addr: str, fill, *args: str) -> tuple[int, bytes, dict]:
    """(exit status, report, the folder's files after the run) of one check by the local engine
    and by the cluster, each on its own copy of the folder `fill(folder)` makes; they must agree."""
    outs = []
    for engine in ("local", "dask"):
        d = tmp_path / engine / "docs"
        d.mkdir(parents=True)
        fill(d)
        rc, out, err = _run(d, tmp_path / engine, "--engine", engine, "--scheduler", addr, *args)
        assert rc in (0, 1) and b"Traceback" not in err, err.decode()[-2000:]
        outs.append((rc, out, {p.name: p.read_bytes() for p in sorted(d.iterdir())}))
    assert outs[1] == outs[0]
    return outs[0]


def test_fix_identical(cluster, tmp_path):
    """--fix on the workers: the same report and the same files as the local engine."""
    import shutil

    sample = SHARED / "samples" / "aawsat_two_articles.txt"
    if not sample.is_file() or not BBC.is_dir():
        pytest.skip("../shared absent")

    def fill(d: Path) -> None:
        shutil.copyfile(sample, d / "merged.txt")
        for src in sorted((BBC / "tech").glob("*.txt"))[:40]:
            shutil.copyfile(src, d / src.name)
        shutil.copyfile(BBC / "tech" / "001.txt", d / "copy.txt")

    _, out, files = _on_both_engines(tmp_path, cluster[0], fill, "--fix", "--partition-size", "10")
    assert b'"filename": "docs/' in out
    assert files["merged.txt"] != sample.read_bytes()  # something was fixed


def test_split_off_article_is_checked_across_files_on_the_cluster_too(cluster, tmp_path):
    """--fix --unsafe-fixes writes the sample's second article to its own file; another file
    already holds that article, so the split-off file is an exact duplicate (NL401). The cluster
    must report it as the local engine does, or it says '0 remaining' over a duplicate it made."""
    import json
    import shutil

    sample = SHARED / "samples" / "aawsat_two_articles.txt"
    second = SHARED / "samples" / "expected" / "split" / "aawsat_two_articles-2.txt"
    if not sample.is_file() or not second.is_file():
        pytest.skip("../shared absent")

    def fill(d: Path) -> None:
        shutil.copyfile(sample, d / "merged.txt")
        shutil.copyfile(second, d / "other.txt")

    rc, out, files = _on_both_engines(tmp_path, cluster[0], fill, "--fix", "--unsafe-fixes")
    assert rc == 1 and files["merged-2.txt"] == second.read_bytes()
    assert ("docs/merged-2.txt", "NL401") in {(f["filename"], f["code"]) for f in json.loads(out)}


def test_suppression_comments_hold_for_cross_file_findings_on_the_cluster_too(cluster, tmp_path):
    """Two copies of a BBC article saying `disable-file NL401` and a third without: only the
    third is reported, as by the local engine (the workers' findings meet the comments)."""
    import json

    if not BBC.is_dir():
        pytest.skip("../shared absent")
    text = (BBC / "tech" / "001.txt").read_text(encoding="utf-8")

    def fill(d: Path) -> None:
        for name in ("a.md", "b.md"):
            (d / name).write_text(f"<!-- newslint: disable-file NL401 -->\n{text}", encoding="utf-8")
        (d / "c.md").write_text(text, encoding="utf-8")

    _, out, _ = _on_both_engines(tmp_path, cluster[0], fill)
    assert [(f["filename"], f["code"]) for f in json.loads(out)] == [("docs/c.md", "NL401")]


def test_files_without_text_are_nobodys_duplicates_on_the_cluster_too(cluster, tmp_path):
    import json

    if not BBC.is_dir():
        pytest.skip("../shared absent")

    def fill(d: Path) -> None:
        (d / "empty.txt").write_bytes(b"")
        (d / "blank.txt").write_bytes(b"\n\n")
        for name in ("a.txt", "b.txt"):
            (d / name).write_bytes((BBC / "tech" / "001.txt").read_bytes())

    _, out, _ = _on_both_engines(tmp_path, cluster[0], fill)
    assert sorted((f["filename"], f["code"]) for f in json.loads(out)) == [("docs/a.txt", "NL401"),
                                                                            ("docs/b.txt", "NL401")]


def test_near_duplicate_text_without_spaces_is_named_by_characters_on_the_cluster_too(cluster, tmp_path):
    """The workers write NL402's message from the shingle mode the client hands them."""
    import json

    gold = SHARED / "corpora" / "scrapinghub_dev" / "gold"
    if not gold.is_dir():
        pytest.skip("../shared absent")
    page = (gold / "f105de6e63ca91ea482f60193f6252092557f969f2fd128ff68c0d4d6b90dd7d.txt").read_text(encoding="utf-8")

    def fill(d: Path) -> None:
        (d / "kindle.txt").write_text(page, encoding="utf-8")
        (d / "kindle-2.txt").write_text(page.replace("一般的に", "多くの場合", 1), encoding="utf-8")

    _, out, _ = _on_both_engines(tmp_path, cluster[0], fill, "--select", "NL402")
    messages = [f["message"] for f in json.loads(out)]
    assert len(messages) == 2 and all("character 5-gram Jaccard" in m for m in messages), messages


def _copy_docs(dst: Path) -> Path:
    """40 BBC tech articles (one twice) in docs/, the merged sample in more/, a config beside them."""
    import shutil

    d = dst / "docs"
    d.mkdir(parents=True)
    for src in sorted((BBC / "tech").glob("*.txt"))[:40]:
        shutil.copyfile(src, d / src.name)
    shutil.copyfile(BBC / "tech" / "001.txt", d / "copy.txt")
    (dst / "more").mkdir()
    shutil.copyfile(SHARED / "samples" / "aawsat_two_articles.txt", dst / "more" / "merged.txt")
    (dst / "cfg.toml").write_text('ignore = ["NL102"]\n')  # read by the client: the workers' folder has none
    return d


def test_relative_paths_with_workers_elsewhere(cluster, tmp_path):
    """Relative paths (and a relative --config) mean the same on the workers as on the client,
    though the workers run in another folder: findings, --diff, and --fix --unsafe-fixes
    splitting a merged file beside it, all as the local engine, under the names given."""
    if not (SHARED / "samples").is_dir() or not BBC.is_dir():
        pytest.skip("../shared absent")
    addr, client = cluster
    worker_cwds = set(client.run(os.getcwd).values())
    assert worker_cwds == {str(_CLUSTER["cwd"])}
    before = sorted(os.listdir(_CLUSTER["cwd"]))
    merged = "more/../more/merged.txt"  # a file given on its own, by a roundabout name
    outs = []
    for engine in ("local", "dask"):
        cwd = tmp_path / engine
        d = _copy_docs(cwd)
        cmd = ("--config", "cfg.toml", "--engine", engine, "--scheduler", addr, "--partition-size", "10", merged)
        runs = [_run("docs", cwd, *cmd), _run("docs", cwd, *cmd, "--diff", "--unsafe-fixes"),
                _run("docs", cwd, *cmd, "--fix", "--unsafe-fixes")]
        for rc, _, err in runs:
            assert rc == 1, err.decode()[-2000:]
            assert b"Traceback" not in err, err.decode()[-2000:]
        files = {p.name: p.read_bytes() for p in sorted(d.iterdir()) + sorted((cwd / "more").iterdir())}
        outs.append(([out for _, out, _ in runs], files))
    assert outs[1] == outs[0]
    (check, diff, fixed), files = outs[0]
    assert b'"code": "NL101"' in check and b'"code": "NL102"' not in check  # cfg.toml applied
    assert b'"filename": "docs/copy.txt"' in check and f'"filename": "{merged}"'.encode() in check
    assert f"--- {merged}\n+++ {merged}\n@@".encode() in diff
    assert b"--- /dev/null\n+++ more/../more/merged-2.txt\n@@" in diff
    assert "merged-2.txt" in files and b"NL301" in check and b"NL301" not in fixed  # split beside the file given
    assert sorted(os.listdir(_CLUSTER["cwd"])) == before  # nothing written where the workers run


def test_fix_leaves_what_the_baseline_accepts_on_the_cluster_too(cluster, tmp_path):
    """--fix --baseline on the Dask engine deleted every finding the baseline accepted (the
    workers built their linters without it; a review): as locally, only the new one goes."""
    sample = SHARED / "samples" / "aawsat_two_articles.txt"
    if not sample.is_file():
        pytest.skip("../shared absent")
    addr, _ = cluster
    d = tmp_path / "docs"
    d.mkdir()
    text = sample.read_text(encoding="utf-8")
    (d / "a.txt").write_text(text, encoding="utf-8")
    rc, _, err = _run(d / "a.txt", tmp_path, "--write-baseline", str(tmp_path / "base.json"))
    assert rc == 0, err.decode()[-2000:]
    body = text.split("\n")[SECOND_ARTICLE_PARAGRAPH]
    (d / "a.txt").write_text(text + "\n\n" + body, encoding="utf-8")
    rc, _, err = _run(d / "a.txt", tmp_path, "--fix", "--baseline", str(tmp_path / "base.json"),
                      "--engine", "dask", "--scheduler", addr, "--partition-size", "10")
    assert rc == 0, err.decode()[-2000:]
    assert (d / "a.txt").read_text(encoding="utf-8") == text


def test_an_index_given_to_the_dask_engine_is_said_to_do_nothing(cluster, tmp_path):
    """The cluster's cross-file pass compares the files in memory and keeps no index, so
    `--index` was ignored without a word (`--index bogus` exited 0), as the Dask options are
    said to do nothing in a local run."""
    addr, _ = cluster
    (tmp_path / "a.txt").write_text("Headline\n\nBody text of the article, long enough to read as one.\n")
    rc, out, err = _run(tmp_path / "a.txt", tmp_path, "--engine", "dask", "--scheduler", addr,
                        "--index", "redis://127.0.0.1:1/0")
    assert rc == 0, err.decode()
    assert b"warning: --index has no effect with the Dask engine" in err, err.decode()
