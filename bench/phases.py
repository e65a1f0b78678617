"""Where a corpus pass spends its time: newslint's CLI with timers around the pass's phases.

    cd CORPUS && python /path/to/bench/phases.py check --select NL401,NL402,NL403,NL202 \
        --exit-zero --output-format json -o /tmp/r.json --cache-dir EMPTY .

Runs `newslint` as given (nothing in newslint changes) with the corpus pass's functions
wrapped by timers, and CPython's cycle collections timed by generation and by the phase
they ran in. At exit it appends a table to $NEWSLINT_PHASES_OUT (default
bench/out/phases.txt): wall, this process's and its children's CPU, minor page faults,
then seconds, calls and this process's user and system CPU per phase. Phases nest: `window` holds `read_file`, `known`,
`sign_pending` or `pool.sign` and `commit`; `analyze` holds the rest (`make_docs_index`: the first build's
docs index, made at its end and at every open). Used for target 4 (RESULTS.md).
"""

import atexit
import gc
import os
import resource
import sys
import time

import newslint.corpus.engine as engine
import newslint.corpus.signers as signers
import newslint.corpus.store as store

OUT = os.environ.get("NEWSLINT_PHASES_OUT", os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "phases.txt"))
TOTALS: dict[str, list] = {}
STACK = ["top"]  # the phase running now (for the collector's passes)


def add(name: str, seconds: float, user: float = 0.0, sys_: float = 0.0) -> None:
    t = TOTALS.setdefault(name, [0.0, 0, 0.0, 0.0])
    t[0] += seconds
    t[1] += 1
    t[2] += user
    t[3] += sys_


def timed(owner, attr: str, name: str) -> None:
    real = getattr(owner, attr)
    if name == "read_file":  # a million calls: two getrusage calls each would cost seconds
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            STACK.append(name)
            try:
                return real(*args, **kwargs)
            finally:
                STACK.pop()
                add(name, time.perf_counter() - t)
        setattr(owner, attr, wrapper)
        return

    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        STACK.append(name)
        try:
            return real(*args, **kwargs)
        finally:
            STACK.pop()
            r1 = resource.getrusage(resource.RUSAGE_SELF)
            add(name, time.perf_counter() - t, r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime)

    setattr(owner, attr, wrapper)


for owner, attr, name in [
        (engine.CorpusRun, "files", "files"), (engine.CorpusRun, "refresh", "refresh"),
        (engine.CorpusRun, "_read_window", "window"), (engine, "read_file", "read_file"),
        (store.SqliteIndex, "known", "known"), (engine, "sign_pending", "sign_pending"),
        (signers.SignerPool, "sign", "pool.sign"),
        (store.SqliteIndex, "commit", "commit"), (engine.CorpusRun, "analyze", "analyze"),
        (engine.mh, "candidate_pairs", "candidate_pairs"), (store.SqliteIndex, "shingles", "index.shingles"),
        (engine, "screen_pairs", "screen_pairs"), (store, "_make_docs_index", "make_docs_index"),
        (engine.CorpusRun, "_verify", "verify"), (engine, "file_edges", "file_edges"),
        (engine.CorpusRun, "_boilerplate", "boilerplate"), (engine.CorpusRun, "_findings", "findings"),
        (engine, "rule_diagnostics", "rule_diagnostics")]:
    timed(owner, attr, name)

_started = {}


def collector(phase: str, info: dict) -> None:
    if phase == "start":
        _started["t"] = time.perf_counter()
    elif "t" in _started:
        add(f"gc gen{info['generation']} in {STACK[-1]}", time.perf_counter() - _started.pop("t"))


gc.callbacks.append(collector)
T0 = time.perf_counter()


@atexit.register
def report() -> None:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = [f"== {' '.join(sys.argv[1:])} (in {os.getcwd()})",
             f"wall {time.perf_counter() - T0:.1f} s; this process user {me.ru_utime:.1f} sys {me.ru_stime:.1f} s; "
             f"children user {kids.ru_utime:.1f} sys {kids.ru_stime:.1f} s; minor faults {me.ru_minflt:,}"]
    lines += [f"{name:28s} {sec:8.2f} s  x{calls:<8} this process: user {u:7.2f} sys {s_:7.2f} s"
              for name, (sec, calls, u, s_) in TOTALS.items()]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "a") as fh:
        fh.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    from newslint.cli import main

    sys.argv[0] = "newslint"
    main()
