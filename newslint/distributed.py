"""`newslint check --engine dask`: the whole check on a Dask cluster, same findings as one machine.

    client: files + corpus files (the local engine's own selection, CorpusRun.files; URL files
        as given), each file's settings and absolute path (`_lint_plan`)
      │ partitions of `partition_size` files (a file's lint and corpus read in the same task)
      ▼
    workers, stage 1 (`_scan`, one task per partition, pure):
        `_lint` (in-file rules; fixes written by the worker that owns the file) ─▶ FileResult
        read ─▶ content hash ─▶ sign_many (shingles, MinHash, line hashes) ─▶ per-file row
        LSH band keys ─▶ (bucket, records) split into `K` hash buckets
      │ FileResults and per-file rows (hashes, headline position) stream back to the client
      ▼
    shuffle 1 (dask.bag groupby, shuffle="tasks"): band records by bucket ─▶ `_bucket_pairs`:
        contents sharing a (band, key) ─▶ candidate pairs touching a queried content
    client: + pairs of equal normal forms (NL401); pairs batched ─▶ workers `_verify`:
        re-read both files, exact Jaccard / containment on the shingle sets
    shuffle 2: line-hash counts of one content per normal form ─▶ `_sum_lines` ─▶ lines in at
        least `threshold` distinct files (NL202); hits per queried file found on the workers
    client: edges ─▶ FileFindings (the corpus engine's own code) ─▶ workers `_corpus_rules`
        (NL401-403, NL202, which re-reads its file) ─▶ merged into the FileResults exactly as
        the local path merges them. When `--fix --unsafe-fixes` split a file, the corpus stages
        run again over the tree as fixed, the split-off files with it (`_run_check`).

Every task is a pure function of its inputs (file contents and settings), so a task Dask
re-runs after losing a worker gives the same answer: nothing is lost or counted twice.
(With `--fix` a re-run stage-1 task finds its files already fixed: the findings left are the
same; the "fixed" count of that partition's files can read 0.)

Nothing on a worker depends on the worker's working folder: the client sends absolute paths
(results are renamed back to the names given) and each file's settings, resolved on the
client. URL paths (newslint.remote) are read through fsspec and never written.
"""

from __future__ import annotations

import os
import stat as statmod
import sys
from types import SimpleNamespace

from newslint.remote import is_url

DEFAULT_PARTITION_SIZE = 2000
_EMPTY = b""


class DaskUnavailable(Exception):
    """dask/distributed missing, or the scheduler cannot be reached (a usage error)."""


# -- stage 1: read, lint, sign (on the workers) -------------------------------------------------

_BAND_DTYPE = [("band", "<u2"), ("key", "<u8"), ("chash", "S16"), ("queried", "?")]
_WORKER_CACHE: dict = {}


def _worker_factory(opts, extra_rules, accepted=None):
    """A LinterFactory per worker process (built once, reused across tasks)."""
    import pickle

    key = pickle.dumps((opts, extra_rules, accepted))
    factory = _WORKER_CACHE.get(key)
    if factory is None:
        from newslint.runner import LinterFactory

        factory = LinterFactory(opts)
        factory.accepted = accepted  # a baseline's findings, which --fix leaves alone
        if extra_rules:
            factory.extra_rules = extra_rules
        _WORKER_CACHE.clear()
        _WORKER_CACHE[key] = factory
    return factory


def _lint(path: str, name: str, settings, factory, opts):
    """`runner.check_file` with the settings the client resolved, named as the client gave it."""
    from newslint.engine import process_path
    from newslint.remote import check_url, linter_for

    if is_url(path):
        return check_url(path, settings, factory, opts)
    unsafe = opts.unsafe_fixes if opts.unsafe_fixes is not None else settings.unsafe_fixes
    res = process_path(path, linter_for(path, settings, factory), opts.mode, unsafe, settings.encoding,
                       settings.max_file_size, linter_for=lambda other: linter_for(other, settings, factory))
    return res if path == name else _relabel(res, path, name)


def _relabel(res, path: str, name: str):
    """A result made under the absolute `path`, renamed to `name`: the file itself and the files a
    split put beside it (same folder), in findings, `related`, written files, notes and diffs."""
    folder, name_folder = os.path.dirname(path), os.path.dirname(name)

    def rename(p: str) -> str:
        if p == path:
            return name
        return os.path.join(name_folder, os.path.basename(p)) if os.path.dirname(p) == folder else p

    res.path = rename(res.path)
    res.diagnostics = [d.replace(filename=rename(d.filename),
                                 related=tuple(r.replace(filename=rename(r.filename)) for r in d.related))
                       for d in res.diagnostics]
    res.written = [rename(p) for p in res.written]
    res.reused = [rename(p) for p in res.reused]
    res.notes = [name + n[len(path):] if n.startswith(path + ":") else n for n in res.notes]
    if res.diff:
        lines = res.diff.splitlines(keepends=True)
        for k in range(len(lines) - 2):  # a file header: '--- A', '+++ B', then '@@' (never text)
            if lines[k].startswith("--- ") and lines[k + 1].startswith("+++ ") and lines[k + 2].startswith("@@"):
                for j in (k, k + 1):
                    lines[j] = lines[j][:4] + rename(lines[j][4:].rstrip("\n")) + "\n"
        res.diff = "".join(lines)
    return res


def _compared_bytes(path: str, encoding: str, max_bytes: int | None = None):
    """A corpus file's bytes as the cross-file pass compares them (corpus_bytes), for local
    paths and URLs; None when unreadable, or over `max_bytes` (max-file-size: NL503, not read)."""
    from newslint.corpus.model import corpus_bytes

    return corpus_bytes(_open_bytes(path, max_bytes), encoding)


def _open_bytes(path: str, max_bytes: int | None = None):
    """The corpus engine's read_file, for local paths and URLs (None when unreadable)."""
    from newslint.corpus.engine import MAX_BYTES, read_file
    from newslint.corpus.model import TOO_LARGE

    limit = MAX_BYTES if max_bytes is None else min(MAX_BYTES, max_bytes)
    if is_url(path):
        from newslint.remote import read_url, url_head
        from newslint.source import SourceError

        try:
            return read_url(path, limit)
        except SourceError as exc:
            if exc.code != "NL503":
                return None
        try:  # read_file's stand-in for a file over the limit (size + first MiB), so both agree
            size, head = url_head(path, 1 << 20)
        except SourceError:
            return None
        return TOO_LARGE + str(size).encode() + b"\0" + head
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not statmod.S_ISREG(st.st_mode) or st.st_size > limit:
        return None  # over the limit: NL503, not read; left out, as the local engine leaves it
    return read_file(path)


def _bucket_of(band, key, k: int):
    import numpy as np

    mixed = key ^ (band.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    mixed ^= mixed >> np.uint64(31)
    return (mixed % np.uint64(k)).astype(np.int64)


def _scan(spec, ctx):
    """One partition: lint its files, sign its corpus files. Pure: same inputs, same output."""
    import numpy as np

    from newslint.corpus import minhash as mh
    from newslint.corpus.engine import sign_many
    from newslint.corpus.shingle import content_hash

    part_no, lint_items, corpus_items = spec
    results = []
    if ctx["lint"]:
        factory = _worker_factory(ctx["opts"], ctx["extra_rules"], ctx["accepted"])
        for i, path, name, settings_no in lint_items:
            results.append((i, _lint(path, name, ctx["settings"][settings_no], factory, ctx["opts"])))
    rows = []  # (corpus_no, chash, normhash, mode, n, head_row, head_len)
    lines: dict[bytes, bytes] = {}
    bands_out = []
    co = ctx["copts"]
    if co is not None:
        datas: dict[bytes, bytes] = {}
        got = []
        for no, path, queried in corpus_items:
            data = _compared_bytes(path, co.encoding, co.max_bytes)
            if data is None:
                continue
            c = content_hash(data)
            datas.setdefault(c, data)
            got.append((no, c, queried))
        facts = {f.chash: f for f in sign_many(list(datas.items()), co.shingles, co.num_perm, co.seed)}
        queried_of: dict[bytes, bool] = {}
        for no, c, queried in got:
            f = facts[c]
            rows.append((no, c, f.normhash, f.mode, f.n, f.head_row, f.head_len))
            queried_of[c] = queried_of.get(c, False) or queried
        signed = [c for c in sorted(facts) if facts[c].mode != "skip" and facts[c].n > 0]
        for c, f in facts.items():
            if f.mode != "skip":
                lines[c] = f.line_hashes.astype("<i8").tobytes()
        K = ctx["buckets"]
        if signed and ctx["want_pairs"]:
            nb, rows_per = mh.lsh_params(co.num_perm, co.rows)
            sigs = np.stack([facts[c].sig for c in signed]).astype(np.uint32)
            keys = mh.band_keys(sigs, nb, rows_per)  # (n, bands)
            n = len(signed)
            rec = np.empty(n * nb, dtype=_BAND_DTYPE)
            rec["band"] = np.tile(np.arange(nb, dtype=np.uint16), n)
            rec["key"] = keys.reshape(-1)
            rec["chash"] = np.repeat(np.array(signed, dtype="S16"), nb)
            rec["queried"] = np.repeat(np.array([queried_of[c] for c in signed], dtype=bool), nb)
            b = _bucket_of(rec["band"], rec["key"], K)
            order = np.argsort(b, kind="stable")
            rec, b = rec[order], b[order]
            cuts = np.searchsorted(b, np.arange(K + 1))
            for k in range(K):
                if cuts[k + 1] > cuts[k]:
                    bands_out.append((k, rec[cuts[k]:cuts[k + 1]].copy()))
    return {"part": part_no, "results": results, "rows": rows, "lines": lines, "bands": bands_out}


def _results_of(part):
    return part["part"], part["results"], part["rows"]


def _bands_of(part):
    return part["bands"]


def _chash(x) -> bytes:
    return bytes(x).ljust(16, b"\0")


def _bucket_pairs(group):
    """Contents sharing a (band, key): every pair (a < b by content hash) with a queried side."""
    import numpy as np

    _, items = group
    rec = np.concatenate([arr for _, arr in items])
    if rec.size < 2:
        return []
    order = np.lexsort((rec["key"], rec["band"]))
    rec = rec[order]
    same = (rec["band"][1:] == rec["band"][:-1]) & (rec["key"][1:] == rec["key"][:-1])
    if not same.any():
        return []
    edges = np.flatnonzero(np.diff(np.concatenate(([False], same, [False])).astype(np.int8)))
    out = set()
    for s, e in zip(edges[0::2].tolist(), (edges[1::2] + 1).tolist()):
        members: dict[bytes, bool] = {}
        for ch, q in zip(rec["chash"][s:e].tolist(), rec["queried"][s:e].tolist()):
            ch = _chash(ch)
            members[ch] = members.get(ch, False) or bool(q)
        if len(members) < 2:
            continue
        ms = sorted(members)
        for x in range(len(ms)):
            for y in range(x + 1, len(ms)):
                if members[ms[x]] or members[ms[y]]:
                    out.add((ms[x], ms[y]))
    return sorted(out)


def _verify(batch, ctx):
    """Exact figures for candidate pairs: re-read both sides (pure: keyed by content hash)."""
    from newslint.corpus.engine import decode_text
    from newslint.corpus.shingle import batch_facts, content_hash, verification_set
    from newslint.corpus.verify import similarity

    co = ctx["copts"]
    pairs, where = batch
    items = []
    for c, path in where.items():
        data = _compared_bytes(path, co.encoding)
        if data is None or content_hash(data) != c:
            continue  # changed under us: left out, as the local engine leaves it out
        text = decode_text(data)
        if text is not None:
            items.append((c, data, text))
    shingles = {f.chash: verification_set(f.shingles) for f in batch_facts(items, co.shingles)}
    out = []
    for ca, cb in pairs:
        sa, sb = shingles.get(ca), shingles.get(cb)
        if sa is None or sb is None or not sa.size or not sb.size:
            continue
        jac, cab, cba = similarity(sa, sb)
        out.append((ca, cb, jac, cab, cba, int(sa.size), int(sb.size)))
    return out


def _lines_of(part) -> dict:
    """A bag partition of `_scan` outputs (a list of one dict) -> content hash -> line hashes."""
    out: dict = {}
    if isinstance(part, dict):
        out.update(part["lines"])
    else:
        for d in part:
            out.update(_lines_of(d))
    return out


def _line_counts(part, reps, K):
    """(bucket, (line hashes, counts)) for the representative contents of one partition."""
    import numpy as np

    lines = _lines_of(part)
    blobs = [lines[c] for c in reps if c in lines]
    if not blobs:
        return []
    vals, counts = np.unique(np.frombuffer(b"".join(blobs), dtype="<i8"), return_counts=True)
    b = (vals.view(np.uint64) % np.uint64(K)).astype(np.int64)
    out = []
    for k in np.unique(b).tolist():
        m = b == k
        out.append((k, (vals[m], counts[m])))
    return out


def _sum_lines(group, threshold):
    import numpy as np

    _, items = group
    vals = np.concatenate([v for _, (v, _) in items])
    counts = np.concatenate([c for _, (_, c) in items])
    u, inv = np.unique(vals, return_inverse=True)
    total = np.bincount(inv, weights=counts).astype(np.int64)
    keep = total >= threshold
    return dict(zip(u[keep].tolist(), total[keep].tolist()))


def _hits(part, queried_rows, frequent):
    """NL202 hits of the queried contents of one partition, in each content's line order."""
    import numpy as np

    out = {}
    lines = _lines_of(part)
    for c in queried_rows:
        blob = lines.get(c)
        if blob is None:
            continue
        hits = {h: frequent[h] for h in np.frombuffer(blob, dtype="<i8").tolist() if h in frequent}
        if hits:
            out[c] = hits
    return out


# -- the client ------------------------------------------------------------------------------


def _connect(scheduler: str | None):
    try:
        from distributed import Client
    except ImportError as exc:
        raise DaskUnavailable("--engine dask needs dask and distributed: pip install 'newslint[dask]' "
                              f"({exc})") from exc
    if not scheduler:
        raise DaskUnavailable("--engine dask needs --scheduler ADDRESS (or `scheduler` in the config), "
                              "e.g. tcp://10.0.0.5:8786")
    from distributed.comm import get_address_host_port
    from distributed.comm.addressing import parse_address

    try:
        # checked before a Client is made: distributed's ValueError came out of Client() as an
        # internal error, and the half-made Client then held the exit for 40 s
        if parse_address(scheduler)[0] not in ("inproc", "ucx"):  # the schemes without HOST:PORT
            get_address_host_port(scheduler)
    except ValueError as exc:
        raise DaskUnavailable(f"the Dask scheduler {scheduler} is not a scheduler address, such as "
                              f"tcp://10.0.0.5:8786 ({exc})") from None
    try:
        return Client(scheduler, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise DaskUnavailable(f"cannot reach the Dask scheduler {scheduler}: {exc}") from exc


def run_check(files, opts, resolver_args, copts, scheduler, partition_size=None, accepted=None):
    """The local engine's `check` (in-file results merged with the corpus pass) on a cluster.
    `accepted`: a baseline's findings, which a fix leaves alone.

    Returns FileResults in the order of `files`.
    """
    client = _connect(scheduler)
    try:
        if not client.scheduler_info().get("workers"):
            # an adaptive cluster starts workers on demand, so the run waits; but a scheduler
            # without any held it without a word
            sys.stderr.write(f"note: the Dask scheduler {scheduler} has no workers yet; the run waits for one "
                             "(Ctrl-C stops it)\n")
            sys.stderr.flush()
        with client.as_current():
            return _run_check(client, files, opts, resolver_args, copts, partition_size, accepted)
    finally:
        client.close()


def _run_check(client, files, opts, resolver_args, copts, partition_size, accepted=None):
    from newslint.config import Resolver
    from newslint.engine import FileResult
    from newslint.remote import settings_for

    resolver = Resolver(**resolver_args)
    plan = _lint_plan(files, resolver, os.getcwd())
    first = settings_for(opts.paths[0] if opts.paths else ".", resolver)
    unsafe = opts.unsafe_fixes if opts.unsafe_fixes is not None else first.unsafe_fixes
    extra_rules = None
    if copts is not None and opts.mode in ("fix", "diff") and unsafe and "NL202" in (copts.select or ()):
        # as the local engine: corpus boilerplate found first (on the cluster), then fixed
        _, boilerplate, _ = _run(client, files, plan, opts, copts, partition_size, None, lint=False,
                                 diagnose=False)
        extra_rules = {"NL202": {"corpus-boilerplate": boilerplate}}
    if opts.mode == "diff":  # a diff reports no cross-file findings (as the local engine)
        copts = None
    results, _, corpus = _run(client, files, plan, opts, copts, partition_size, extra_rules, accepted=accepted)
    split_off = [p for r in results if r is not None for p in r.written[1:]] if corpus is not None else []
    if split_off:  # --fix --unsafe-fixes split a file: the cross-file pass again, on the tree as fixed with
        # the articles split off into new files (a split-off file may duplicate another: as the local engine)
        both = files + split_off
        _, _, corpus = _run(client, both, _lint_plan(both, resolver, os.getcwd()), opts, copts, partition_size,
                            None, lint=False)
    if corpus is not None:
        from newslint.runner import LinterFactory

        _merge(results, corpus, [plan[1][no] for _, _, no in plan[0]], LinterFactory(opts))
    return [r if r is not None else FileResult(f) for r, f in zip(results, files)]


def _lint_plan(files, resolver, cwd: str) -> tuple[list[tuple], list]:
    """What the workers need to lint `files` as the client would, whatever their own working
    folder: (path to read, name as given, settings no.) per file, and the distinct settings.
    Settings are resolved here, where the config files (and a relative --config) are."""
    from newslint.remote import settings_for

    table: list = []
    number: dict = {}
    items = []
    for f in files:
        s = settings_for(f, resolver) if is_url(f) else resolver.for_file(f)  # as the local engine
        if s not in number:
            number[s] = len(table)
            table.append(s)
        items.append((f if is_url(f) else os.path.join(cwd, f), f, number[s]))
    return items, table


def _corpus(copts, files):
    """(CorpusRun, corpus paths): local files by the local engine's own selection (git files, or
    the paths given), URL files as given (a URL has no git repository)."""
    import newslint.corpus.rules  # noqa: F401  (registers the corpus rules)
    from newslint.corpus.engine import CorpusRun

    run = CorpusRun(copts)
    run.cwd = os.path.abspath(copts.cwd or os.getcwd())
    local = [f for f in files if not is_url(f)]
    run.query_abs, corpus = {}, []
    if local:  # with none, CorpusRun.files would take the git repository of the cwd as the corpus
        run.query_abs, corpus, _ = run.files(local, None)
    urls = [f for f in files if is_url(f)]
    seen = set(corpus)
    corpus.extend(u for u in urls if u not in seen)
    run.query_abs.update((u, u) for u in urls)
    return run, corpus


def _run(client, files, plan, opts, copts, partition_size, extra_rules, lint=True, accepted=None, diagnose=True):
    """(lint results in `files` order, or None each without `lint`; the corpus boilerplate; the
    CorpusResult, None without copts or `diagnose`). The cross-file findings are not merged."""
    import dask.bag as db
    from dask import delayed
    from distributed import as_completed

    from newslint.corpus.model import left_out_note
    from newslint.corpus.textfacts import EMPTY_NORMHASH

    N = max(1, int(partition_size or DEFAULT_PARTITION_SIZE))
    run, corpus = _corpus(copts, files) if copts is not None else (None, [])
    items, settings_table = plan
    # partitions: a file's lint and its corpus read in the same task (fix, then read)
    n_parts = max(1, -(-len(files) // N))
    lint_parts: list[list] = [[] for _ in range(n_parts)]
    corpus_parts: list[list] = [[] for _ in range(n_parts)]
    part_of_abs: dict[str, int] = {}
    for i, (path, name, settings_no) in enumerate(items):
        lint_parts[i // N].append((i, path, name, settings_no))
        if run is not None:
            part_of_abs.setdefault(path if is_url(path) else os.path.normpath(path), i // N)
    extra = []
    for no, p in enumerate(corpus):
        item = (no, p, p in run.query_abs)
        k = part_of_abs.get(p)
        if k is None:
            extra.append(item)
        else:
            corpus_parts[k].append(item)
    for j in range(0, len(extra), N):  # files of the corpus not checked: partitions of their own
        lint_parts.append([])
        corpus_parts.append(extra[j:j + N])
    n_parts = len(lint_parts)
    want_pairs = copts is not None and any(copts.wants(c) for c in ("NL401", "NL402", "NL403"))
    ctx = {"opts": opts, "settings": settings_table, "copts": copts, "extra_rules": extra_rules, "accepted": accepted,
           "lint": lint, "buckets": n_parts, "want_pairs": want_pairs}
    specs = [(k, lint_parts[k], corpus_parts[k]) for k in range(n_parts)]
    scanned = db.from_sequence(specs, npartitions=n_parts).map(_scan, ctx)
    scanned = client.persist(scanned)

    # stream the per-partition results and rows back
    results: list = [None] * len(files)
    rows_by_part: dict[int, list] = {}
    futs = client.compute(scanned.map(_results_of).to_delayed())
    for fut in as_completed(futs):
        for part_no, res, rows in fut.result():
            for i, r in res:
                results[i] = r
            rows_by_part[part_no] = rows
        fut.release()
    if run is None:
        return results, {}, None

    o = copts
    chash_of: dict[str, bytes] = {}
    meta: dict[bytes, tuple] = {}  # chash -> (normhash, mode, n, head_row, head_len)
    part_of_chash: dict[bytes, int] = {}
    for part_no in sorted(rows_by_part):
        for no, c, normhash, mode, n, head_row, head_len in rows_by_part[part_no]:
            chash_of[corpus[no]] = c
            meta.setdefault(c, (normhash, mode, n, head_row, head_len))
            part_of_chash.setdefault(c, part_no)
    # chash_of in corpus order, as the local engine fills it
    chash_of = {p: chash_of[p] for p in corpus if p in chash_of}
    stats = run.stats
    stats.corpus_files = len(corpus)
    stats.hashed = len(chash_of)
    paths_of: dict[bytes, list[str]] = {}
    skipped = []
    for p, c in chash_of.items():
        if meta[c][1] == "skip":
            skipped.append(p)
            continue
        paths_of.setdefault(c, []).append(p)
    stats.skipped = len(skipped)
    for p in skipped:
        if p in run.query_abs:
            run.notes.append(left_out_note(run.display(p)))
    live = sorted(paths_of)
    queried = {chash_of[p] for p in run.query_abs if p in chash_of and chash_of[p] in paths_of}
    query_chashes = {c for c in queried if meta[c][0] != EMPTY_NORMHASH}  # no words: nobody's duplicate (as locally)

    # candidate pairs: the band shuffle, then equal normal forms
    pairs: set[tuple[bytes, bytes]] = set()
    if want_pairs and query_chashes:
        grouped = scanned.map(_bands_of).flatten().groupby(lambda t: t[0], npartitions=n_parts, shuffle="tasks")
        for part in client.compute(grouped.map(_bucket_pairs).to_delayed()):
            for lst in part.result():
                pairs.update(lst)
        by_norm: dict[bytes, list[bytes]] = {}
        for c in live:
            by_norm.setdefault(meta[c][0], []).append(c)
        for c in query_chashes:
            for c2 in by_norm[meta[c][0]]:
                if c2 != c:
                    pairs.add((c, c2) if c < c2 else (c2, c))
    stats.candidates = len(pairs)

    # exact verification on the workers
    chash_edges = []
    figures: dict[tuple[bytes, bytes], tuple] = {}
    todo = sorted(pr for pr in pairs if meta[pr[0]][0] != meta[pr[1]][0])
    if todo:
        batches = []
        for j in range(0, len(todo), N):
            chunk = todo[j:j + N]
            where = {c: paths_of[c][0] for pr in chunk for c in pr}
            batches.append((chunk, where))
        vctx = {"copts": copts}
        for fut in as_completed([client.submit(_verify, b, vctx, pure=False) for b in batches]):
            for ca, cb, jac, cab, cba, na, nb in fut.result():
                figures[(ca, cb)] = (jac, cab, cba, na, nb)
    for ca, cb in sorted(pairs):
        if meta[ca][0] == meta[cb][0]:
            chash_edges.append(("NL401", ca, cb, 1.0, 1.0, 1.0))
            continue
        fig = figures.get((ca, cb))
        if fig is None:
            continue
        jac, cab, cba, na, nb = fig
        stats.verified += 1
        if jac >= o.threshold:
            chash_edges.append(("NL402", ca, cb, jac, cab, cba))
        elif (cab >= o.containment and na >= o.min_contained_shingles and na <= nb) or \
                (cba >= o.containment and nb >= o.min_contained_shingles and nb <= na):
            chash_edges.append(("NL403", ca, cb, jac, cab, cba))

    # file-level edges and findings: the corpus engine's own code
    from newslint.corpus.engine import CorpusResult, file_edges

    edges = file_edges(query_chashes, paths_of, chash_edges, run.display, o)
    facts = {c: SimpleNamespace(head_row=meta[c][3], head_len=meta[c][4], mode=meta[c][1]) for c in queried}  # empty ones too
    findings = run._findings(facts, chash_of, paths_of, edges)

    # NL202: line counts over one content per normal form, summed by a shuffle
    boilerplate: dict = {}
    if o.wants("NL202") and live:
        import math

        reps: dict[bytes, bytes] = {}
        for c in live:  # sorted: the first content of each normal form, as the local engine
            reps.setdefault(meta[c][0], c)
        n_files = len(reps)
        threshold = max(o.boilerplate_min_files, math.ceil(o.boilerplate_fraction * n_files))
        if n_files >= threshold:
            reps_by_part: list[list[bytes]] = [[] for _ in range(n_parts)]
            for c in reps.values():
                reps_by_part[part_of_chash[c]].append(c)
            parts = scanned.to_delayed()
            counted = db.from_delayed([delayed(_line_counts)(parts[k], reps_by_part[k], n_parts)
                                       for k in range(n_parts)])
            summed = counted.groupby(lambda t: t[0], npartitions=n_parts, shuffle="tasks").map(_sum_lines, threshold)
            frequent: dict[int, int] = {}
            for part in client.compute(summed.to_delayed()):
                for d in part.result():
                    frequent.update(d)
            boilerplate = {"lines": frequent, "threshold": threshold, "corpus_size": n_files}
            if frequent:
                qby: list[list[bytes]] = [[] for _ in range(n_parts)]
                for c in query_chashes:
                    qby[part_of_chash[c]].append(c)
                fut_freq = client.scatter(frequent, broadcast=True)
                hits: dict[bytes, dict] = {}
                hit_tasks = [delayed(_hits)(parts[k], qby[k], fut_freq) for k in range(n_parts) if qby[k]]
                for fut in client.compute(hit_tasks):
                    hits.update(fut.result())
                for ff in findings.values():
                    h = hits.get(chash_of[ff.abspath])
                    if h:
                        ff.boilerplate.update(h)
                        ff.boilerplate_threshold = threshold
                        ff.corpus_size = n_files
    # `scanned` is released when this function returns; not client.cancel(scanned): cancelling keys
    # whose dependents were already released trips an assertion in the scheduler (distributed
    # 2026.8), which then drops this client's connection and prints tracebacks.
    if not diagnose:
        return results, boilerplate, None
    diagnostics = _corpus_diagnostics(client, findings, o, N)
    return results, boilerplate, CorpusResult(diagnostics, findings, edges, stats, run.notes,
                                              sorted(run.display(p) for p in skipped), boilerplate=boilerplate)


def _corpus_diagnostics(client, findings: dict, copts, batch_size: int) -> dict:
    """The corpus rules' diagnostics for each queried file, computed on the workers (NL202
    re-reads its file, which the workers can read and the client need not)."""
    from distributed import as_completed

    out: dict = {name: [] for name in findings}
    # a file with none of these gets no corpus finding: not worth sending
    todo = [ff for ff in findings.values() if ff.duplicates or ff.near or ff.contained_in or ff.contains
            or ff.boilerplate]
    batches = [todo[j:j + batch_size] for j in range(0, len(todo), batch_size)]
    if copts.cwd is None:  # the names are relative to this folder, not to a worker's
        import copy

        copts = copy.copy(copts)
        copts.cwd = os.getcwd()
    for fut in as_completed([client.submit(_corpus_rules, b, copts, pure=False) for b in batches]):
        out.update(fut.result())
    return out


def _corpus_rules(batch, copts) -> dict:
    """(On a worker) the corpus rules for a batch of FileFindings: display name -> diagnostics,
    less those the file's suppression comments cover (read here, where the file is: the client
    would fetch every URL with a finding again, one by one)."""
    from newslint.corpus.rules import corpus_rules
    from newslint.diagnostics import Diagnostic
    from newslint.suppress import not_suppressed

    rules = [r for r in corpus_rules() if copts.wants(r.code)]
    out = {}
    for ff in batch:
        found = [d for rule in rules for d in rule.corpus_check(ff, copts)]  # NL202 reads URLs via fsspec
        out[ff.path] = not_suppressed(ff.abspath, sorted(found, key=Diagnostic.sort_key), copts.encoding)
    return out


def _merge(results, corpus_result, settings_of, factory) -> None:
    """The local engine's merge of corpus diagnostics into the file results (cli.check).
    `settings_of[i]` are the settings file i was linted with; `factory` selects its rules."""
    from newslint.remote import ignored_codes
    from newslint.runner import kept_corpus_findings

    by_path = corpus_result.diagnostics
    in_file = {d.filename for r in results if r is not None for d in r.diagnostics if d.code == "NL202"}
    for res, settings in zip(results, settings_of):
        if res is None:
            continue
        extra = []
        for path in (res.path, *res.written[1:]):  # and the articles a fix split off into new files
            extra += kept_corpus_findings(by_path.get(path, []), path, in_file, ignored_codes(path, settings),
                                          factory.get(settings)[0].ctx.selected)
        if extra:
            res.diagnostics = sorted(res.diagnostics + extra, key=lambda d: d.sort_key())
    if results and results[0] is not None:
        results[0].notes.extend(corpus_result.notes)
