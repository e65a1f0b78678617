"""`bench/perf.py --write` puts a run's tables into bench/RESULTS.md without losing the rest.

RESULTS.md is the curated history of every session's benchmark figures (issue 6). `--write`
once replaced the whole file with one run's output; these tests run the writer on a copy of
the real file."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _perf():
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_perf", BENCH / "perf.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    finally:
        sys.path.remove(str(BENCH))


TABLE = """Machine: Linux x86_64, 2 cores
### Target 1: one 3 KB article, in-file rules

| command | wall | CPU |
|---|---:|---:|
| `newslint check` | 32 ms | 31 ms |"""


def test_write_keeps_the_curated_history_and_replaces_only_its_own_block(tmp_path):
    perf = _perf()
    real = (BENCH / "RESULTS.md").read_text(encoding="utf-8")
    target = tmp_path / "RESULTS.md"
    target.write_text(real, encoding="utf-8")

    perf.write_results(target, TABLE, "python bench/perf.py hook --write")
    first = target.read_text(encoding="utf-8")
    assert first.startswith(real.split("\n", 1)[0] + "\n")  # the title stays first
    assert "## Latest `python bench/perf.py hook --write`" in first and "| `newslint check` | 32 ms |" in first
    # everything after the title is still there, unchanged, after the block
    assert first.endswith(real.split("\n", 1)[1].lstrip("\n"))

    perf.write_results(target, TABLE.replace("32 ms", "35 ms"), "python bench/perf.py hook --write")
    second = target.read_text(encoding="utf-8")
    assert second.count(perf.WRITE_START) == 1 and second.count(perf.WRITE_END) == 1
    assert "| `newslint check` | 35 ms |" in second and "| `newslint check` | 32 ms |" not in second
    assert second.endswith(real.split("\n", 1)[1].lstrip("\n"))
    assert len(second) == len(first)
    assert not list(tmp_path.glob("*.tmp"))


def test_write_makes_the_file_when_there_is_none(tmp_path):
    perf = _perf()
    target = tmp_path / "RESULTS.md"
    perf.write_results(target, TABLE, "python bench/perf.py hook --write")
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results\n\n" + perf.WRITE_START)
    assert text.rstrip().endswith(perf.WRITE_END)
