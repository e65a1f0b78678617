"""Local engine vs Dask engine on one machine, and the 100-million-article estimate.

Starts a `dask scheduler` and W workers (nanny, 1 thread each; W = cores) on loopback and
times `newslint check --output-format json --no-cache` on the same corpus with
`--engine local` (all cores, process pool) and `--engine dask`, each in a fresh process,
checking the two JSON reports are byte-identical.

    python bench/bench_dask.py                          # BBC + 20,000 generated, 3 runs each
    python bench/bench_dask.py --sizes 100000 --runs 1

Model for the estimate: the Dask run's cost per document in worker-seconds,
c = wall(dask) x W / files, measured here (it includes reading, in-file rules, shingling,
MinHash, the band shuffle, verification and the NL202 aggregation). A cluster of W' workers
checks A articles in about A x c / W' seconds, assuming (1) the per-document work dominates
and scales linearly (true of stage 1, the bulk; the shuffles are O(A log A) in tasks),
(2) the archive's duplicate rate is like the generated corpus's (5% planted near-duplicates:
verification cost grows with candidate pairs), (3) workers read the files as fast as this
local disk (page cache), and (4) the client keeps up with one small row per file.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_dups import BBC, generate  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_cluster(workers: int, logdir: Path):
    from distributed import Client

    port = free_port()
    addr = f"tcp://127.0.0.1:{port}"

    def start(args, log):
        return subprocess.Popen([sys.executable, "-m", *args], stdout=open(logdir / log, "wb"),
                                stderr=subprocess.STDOUT, start_new_session=True, cwd=logdir)

    procs = [start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
                    "--dashboard-address", ":0"], "scheduler.log")]
    deadline = time.time() + 60
    while True:
        try:
            client = Client(addr, timeout="2s", set_as_default=False)
            break
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.5)
    for n in range(workers):
        procs.append(start(["distributed.cli.dask_worker", addr, "--nthreads", "1", "--nworkers", "1",
                            "--memory-limit", "4GB", "--host", "127.0.0.1", "--dashboard-address", ":0"],
                           f"worker{n}.log"))
    client.wait_for_workers(workers, timeout=120)
    return addr, client, procs


def stop_cluster(client, procs) -> None:
    client.close()
    for p in reversed(procs):
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for p in procs:
        p.wait(timeout=30)


def timed(path: Path, cwd: Path, *extra: str) -> tuple[float, bytes]:
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "newslint", "check", "--output-format", "json", "--no-cache",
                        *extra, str(path)], cwd=cwd, capture_output=True)
    dt = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        raise SystemExit(p.stderr.decode()[-3000:])
    return dt, p.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="20000", help="generated corpus sizes, comma-separated (0: BBC only)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--partition-size", type=int, default=2000)
    ap.add_argument("--cache", default=str(HERE / "out" / "corpora"))
    args = ap.parse_args()
    import tempfile

    corpora = [("bbc", BBC / "articles")]
    for n in [int(s) for s in args.sizes.split(",") if int(s)]:
        corpora.append((f"generated-{n}", generate(n, Path(args.cache) / f"gen-{n}")))
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{args.workers} dask workers x 1 thread, partition size {args.partition_size}")
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        addr, client, procs = start_cluster(args.workers, tmpd)
        try:
            rows = []
            for label, path in corpora:
                files = sum(1 for _ in path.rglob("*.txt"))
                local, dask_ = [], []
                for r in range(args.runs):
                    dl, out_l = timed(path, tmpd, "--engine", "local")
                    dd, out_d = timed(path, tmpd, "--engine", "dask", "--scheduler", addr,
                                      "--partition-size", str(args.partition_size))
                    same = out_l == out_d
                    local.append(dl)
                    dask_.append(dd)
                    print(f"{label} run {r + 1}: local {dl:.2f}s  dask {dd:.2f}s  identical={same}", flush=True)
                    if not same:
                        raise SystemExit("reports differ")
                ml, md = statistics.median(local), statistics.median(dask_)
                cost = md * args.workers / files
                rows.append((label, files, ml, md, md / ml, cost))
        finally:
            stop_cluster(client, procs)
    print("\n| corpus | files | local (median) | dask (median) | dask / local | worker-s per file |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, files, ml, md, ratio, cost in rows:
        print(f"| {label} | {files:,} | {ml:.2f} s | {md:.2f} s | {ratio:.2f} | {cost * 1000:.2f} ms |")
    label, files, ml, md, ratio, cost = rows[-1]
    print(f"\nEstimate from {label}: c = {cost * 1000:.2f} ms worker-seconds per article")
    for w in (100, 1000):
        secs = 1e8 * cost / w
        print(f"  1e8 articles on {w} workers: {secs / 3600:.1f} h ({secs / 60:.0f} min)")


if __name__ == "__main__":
    main()
