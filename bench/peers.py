"""Peer tools for the benchmarks, installed on demand into bench/out/peers-venv.

proselint is a peer for single-file latency (issue 6 target 1); it is not a
dependency of newslint, so it lives in its own virtualenv.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
PEERS = OUT / "peers-venv"


def proselint_command() -> list[str]:
    exe = PEERS / "bin" / "proselint"
    if not exe.exists():
        OUT.mkdir(exist_ok=True)
        venv.EnvBuilder(with_pip=True).create(PEERS)
        subprocess.run([str(PEERS / "bin" / "python"), "-m", "pip", "install", "-q", "proselint"], check=True)
    return [str(exe)]


def python_pass() -> list[str]:
    """The interpreter newslint runs on (its venv's python), doing nothing."""
    newslint_command()
    return [str(NEWSLINT_VENV / "bin" / "python"), "-c", "pass"]


# NEWSLINT_BENCH_VENV: another venv, so two benchmark runs of different code never share one
NEWSLINT_VENV = Path(os.environ.get("NEWSLINT_BENCH_VENV") or OUT / "newslint-venv")


def newslint_command() -> list[str]:
    """newslint as a user has it: built as a wheel and pip-installed into a fresh venv
    (so its modules are byte-compiled, unlike an editable checkout run with
    PYTHONDONTWRITEBYTECODE=1, which recompiles every module on every start)."""
    exe = NEWSLINT_VENV / "bin" / "newslint"
    root = Path(__file__).resolve().parents[1]
    stamp = NEWSLINT_VENV / "built-from"
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    paths = ["--", "newslint", "rules", "pyproject.toml"]
    # uncommitted edits count by content (the file list alone misses a second edit of one file)
    dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", *paths], capture_output=True,
                           text=True).stdout
    if dirty:
        dirty += subprocess.run(["git", "-C", str(root), "diff", "HEAD", *paths], capture_output=True,
                                text=True).stdout
    import hashlib

    # str hash() is salted per process: a digest keeps the stamp stable across runs
    want = head + ("+dirty:" + hashlib.sha1(dirty.encode()).hexdigest() if dirty else "")
    if not exe.exists() or not stamp.exists() or stamp.read_text() != want:
        import shutil
        import tempfile

        shutil.rmtree(NEWSLINT_VENV, ignore_errors=True)
        venv.EnvBuilder(with_pip=True).create(NEWSLINT_VENV)
        with tempfile.TemporaryDirectory() as dist:
            subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", dist, str(root)], check=True,
                           stdout=subprocess.DEVNULL)
            wheel = next(Path(dist).glob("newslint-*.whl"))
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            subprocess.run([str(NEWSLINT_VENV / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
                           check=True, env=env)
        stamp.write_text(want)
    return [str(exe)]


if __name__ == "__main__":
    print(proselint_command(), os.path.exists(proselint_command()[0]))
