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
    return [sys.executable, "-c", "pass"]


def newslint_command() -> list[str]:
    exe = Path(sys.executable).parent / "newslint"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "newslint"]


if __name__ == "__main__":
    print(proselint_command(), os.path.exists(proselint_command()[0]))
