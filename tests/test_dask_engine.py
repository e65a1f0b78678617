"""`--engine dask` against a real cluster on loopback: a `dask scheduler` and two workers
(each behind a nanny, one thread). The JSON report must be byte-identical to the local
engine's, on the BBC corpus and on a generated corpus, also when a worker is SIGKILLed
in the middle of a run.

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


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """(address, client) of a scheduler with two nanny-managed workers."""
    from distributed import Client

    tmp = tmp_path_factory.mktemp("dask")
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    procs = [_start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
                     "--dashboard-address", ":0"], tmp / "scheduler.log", tmp)]
    client = None
    try:
        deadline = time.time() + 60
        while True:  # the scheduler is up when a client connects
            try:
                client = Client(addr, timeout="2s", set_as_default=False)
                break
            except OSError:
                if time.time() > deadline:
                    pytest.fail("dask scheduler did not start: " + (tmp / "scheduler.log").read_text())
                time.sleep(0.5)
        for n in range(2):
            procs.append(_start(["distributed.cli.dask_worker", addr, "--nthreads", "1", "--nworkers", "1",
                                 "--memory-limit", "3GB", "--host", "127.0.0.1", "--dashboard-address", ":0",
                                 "--name", f"w{n}"], tmp / f"worker{n}.log", tmp))
        client.wait_for_workers(2, timeout=120)
        yield addr, client
    finally:
        if client is not None:
            client.close()
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


def _check(path: Path, cwd: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "newslint", "check", "--output-format", "json", "--no-cache",
                             *extra, str(path)], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


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
    assert out_l.count(b'"code"') > 0
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


def test_fix_identical(cluster, tmp_path):
    """--fix on the workers: the same report and the same files as the local engine."""
    import shutil

    sample = SHARED / "samples" / "aawsat_two_articles.txt"
    if not sample.is_file() or not BBC.is_dir():
        pytest.skip("../shared absent")
    addr, _ = cluster
    outs = []
    for engine in ("local", "dask"):
        d = tmp_path / engine / "docs"
        d.mkdir(parents=True)
        shutil.copy(sample, d / "merged.txt")
        for src in sorted((BBC / "tech").glob("*.txt"))[:40]:
            shutil.copy(src, d / src.name)
        shutil.copy(BBC / "tech" / "001.txt", d / "copy.txt")
        extra = ("--engine", "dask", "--scheduler", addr, "--partition-size", "10") if engine == "dask" else ()
        rc, out, err = _run(d, tmp_path / engine, "--fix", "--engine", "local", *extra) if engine == "local" \
            else _run(d, tmp_path / engine, "--fix", *extra)
        assert rc in (0, 1), err.decode()[-2000:]
        files = {p.name: p.read_bytes() for p in sorted(d.iterdir())}
        outs.append((rc, out.replace(str(d).encode(), b"DIR"), files))
    assert outs[0] == outs[1]
    assert outs[0][2]["merged.txt"] != sample.read_bytes()  # something was fixed
