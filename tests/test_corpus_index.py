"""The persistent index and the pre-commit shape, in real git repositories of BBC articles."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newslint.corpus import CorpusOptions, analyze
from newslint.cli import main
from newslint.corpus.commands import dups, index

from conftest import SHARED, need, run_newslint  # noqa: E402
ARTICLES = SHARED / "corpora" / "bbc" / "articles"
DB = Path(".newslint_cache") / "corpus-v1.sqlite3"




def git(repo: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=env).stdout


def make_repo(dest: Path, names: list[str] | None = None) -> Path:
    need(ARTICLES)
    if names is None:
        shutil.copytree(ARTICLES, dest)
    else:
        for n in names:
            (dest / n).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ARTICLES / n, dest / n)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "articles")
    return dest


def refiled(original: str) -> str:
    """A re-filed copy: new headline, two sentences edited."""
    lines = original.split("\n")
    lines[0] = "Media giant's profits soar on advertising boom"
    body = "\n".join(lines[1:])
    body = body.replace("Quarterly profits at US media giant TimeWarner jumped 76%",
                        "Three-month profits at the US media giant TimeWarner rose by 76%", 1)
    body = body.replace("Its profits were buoyed by one-off gains",
                        "Profits were lifted by one-off gains", 1)
    assert body != "\n".join(lines[1:])
    return lines[0] + "\n" + body


@pytest.fixture(scope="module")
def bbc_repo(tmp_path_factory):
    return make_repo(tmp_path_factory.mktemp("repo") / "news")


SUBSET = sorted(p.relative_to(ARTICLES).as_posix() for p in ARTICLES.glob("business/*.txt"))[:120]


@pytest.fixture
def small_repo(tmp_path):
    return make_repo(tmp_path / "news", SUBSET[:120])


def opts(repo: Path, **kw) -> CorpusOptions:
    return CorpusOptions(cwd=str(repo), **kw)


def test_new_file_copying_an_old_article_is_caught_alone(bbc_repo):
    original = (bbc_repo / "business/001.txt").read_text(encoding="utf-8")
    new = bbc_repo / "business/refiled.txt"
    new.write_text(refiled(original), encoding="utf-8")
    git(bbc_repo, "add", "business/refiled.txt")  # staged, as pre-commit sees it

    first = analyze(["business/refiled.txt"], None, opts(bbc_repo))
    assert first.stats.corpus_files == 2226  # the whole repo is the corpus
    diags = first.diagnostics["business/refiled.txt"]
    near = [d for d in diags if d.code == "NL402"]
    assert len(near) == 1, diags
    assert [r.filename for r in near[0].related] == ["business/001.txt"]
    assert 0.8 <= near[0].related[0].similarity < 1.0
    assert "business/001.txt" in near[0].message
    assert near[0].row == 1 and near[0].end_column == len("Media giant's profits soar on advertising boom") + 1
    # the headline differs: no headline rule could have found it
    assert original.split("\n")[0] != new.read_text().split("\n")[0]

    second = analyze(["business/refiled.txt"], None, opts(bbc_repo))
    assert second.stats.hashed == 0 and second.stats.signed == 0  # nothing re-read or re-hashed
    assert second.stats.stat_hits == second.stats.corpus_files == 2226
    assert second.diagnostics == first.diagnostics

    # the old article, checked alone, names the new file back
    back = analyze(["business/001.txt"], None, opts(bbc_repo)).diagnostics["business/001.txt"]
    assert any(r.filename == "business/refiled.txt" for d in back if d.code == "NL402" for r in d.related)


def test_dups_command_prints_clusters(bbc_repo, monkeypatch):
    monkeypatch.chdir(bbc_repo)
    res = CliRunner().invoke(dups, ["--output-format", "json"])
    assert res.exit_code == 1, res.output
    data = json.loads(res.stdout)
    assert data["threshold"] == 0.8 and data["files"] >= 2225
    by_member = {m: c for c in data["clusters"] for m in c["members"]}
    cluster = by_member["business/007.txt"]
    assert set(cluster["members"]) == {"business/007.txt", "business/253.txt"}
    assert cluster["pairs"] == [{"a": "business/007.txt", "b": "business/253.txt", "code": "NL401", "jaccard": 1.0,
                                 "containment_a_in_b": 1.0, "containment_b_in_a": 1.0}]
    # clusters are connected components: no file is in two
    members = [m for c in data["clusters"] for m in c["members"]]
    assert len(members) == len(set(members))
    text = CliRunner().invoke(dups, [])
    assert "cluster 1:" in text.stdout and "NL40" in text.stdout
    assert "not UTF-8" in text.stderr  # sport/199.txt is left out with a note


def test_dups_reads_the_config_as_check_does(small_repo, monkeypatch):
    """`newslint dups` and `newslint check` on one repository must agree: dups ignored the
    config (its threshold, exclude, index), so the two disagreed (found by a review)."""
    monkeypatch.chdir(small_repo)
    words = (small_repo / "business/001.txt").read_text(encoding="utf-8").split(" ")
    (small_repo / "business/reworked.txt").write_text(  # every 20th word changed: Jaccard 0.63
        " ".join(w + "zz" if i % 20 == 0 else w for i, w in enumerate(words)), encoding="utf-8")
    (small_repo / "tech").mkdir()
    (small_repo / "tech/copy.txt").write_text(" ".join(words), encoding="utf-8")
    git(small_repo, "add", "-A")
    by_check = CliRunner().invoke(main, ["check", "--select", "NL4", "--output-format", "json", "--exit-zero", "."])
    check_pairs = {tuple(sorted((d["filename"], r["filename"]))) for d in json.loads(by_check.stdout)
                   for r in d["related"]}

    def dups_pairs():
        res = CliRunner().invoke(dups, ["--output-format", "json"])
        data = json.loads(res.stdout)
        return data, {tuple(sorted((p["a"], p["b"]))) for c in data["clusters"] for p in c["pairs"]}

    data, default = dups_pairs()
    assert data["threshold"] == 0.8 and default == {tuple(p.removeprefix("./") for p in q) for q in check_pairs}
    (small_repo / "newslint.toml").write_text('exclude = ["tech/"]\n[duplicates]\nthreshold = 0.5\n',
                                             encoding="utf-8")
    data, loose = dups_pairs()
    assert data["threshold"] == 0.5 and loose > {p for p in default if not any(n.startswith("tech/") for n in p)}
    assert not any(n.startswith("tech/") for p in loose for n in p)
    res = CliRunner().invoke(dups, ["--threshold", "0.9", "--output-format", "json"])
    assert json.loads(res.stdout)["threshold"] == 0.9  # the command line wins
    # the config's cache-dir: `index` builds the index where `check` then finds it
    (small_repo / "newslint.toml").write_text('cache-dir = "mycache"\n', encoding="utf-8")
    assert CliRunner().invoke(index, []).exit_code == 0
    assert (small_repo / "mycache" / "corpus-v1.sqlite3").exists()


def test_rename_delete_edit_are_incremental(small_repo):
    first = analyze(None, None, opts(small_repo))
    assert first.stats.signed == first.stats.hashed == 120
    db = small_repo / DB
    assert db.exists()

    git(small_repo, "mv", "business/001.txt", "business/renamed.txt")
    after_rename = analyze(None, None, opts(small_repo))
    s = after_rename.stats
    assert (s.hashed, s.signed, s.dropped) == (1, 0, 1)  # the new path is hashed, never re-signed

    (small_repo / "business/002.txt").unlink()
    after_delete = analyze(None, None, opts(small_repo))
    assert after_delete.stats.dropped == 1 and after_delete.stats.hashed == 0
    assert "business/002.txt" not in after_delete.findings

    p = small_repo / "business/003.txt"
    p.write_text(p.read_text() + "\nA new closing line for this story.\n")
    after_edit = analyze(None, None, opts(small_repo))
    assert (after_edit.stats.hashed, after_edit.stats.signed) == (1, 1)

    import sqlite3

    con = sqlite3.connect(db)
    paths = {r[0] for r in con.execute("SELECT path FROM files")}
    n_docs = con.execute("SELECT count(*) FROM docs").fetchone()[0]
    con.close()
    assert "business/renamed.txt" in paths and "business/001.txt" not in paths and "business/002.txt" not in paths
    assert n_docs == len(paths) == 119  # the old version of 003 and 002's content were dropped


def test_corrupt_or_foreign_index_is_rebuilt_with_a_note(small_repo):
    good = analyze(None, None, opts(small_repo))
    db = small_repo / DB
    db.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    again = analyze(None, None, opts(small_repo))
    assert any("unreadable" in n and "rebuilding" in n for n in again.notes), again.notes
    assert again.stats.signed == 120
    assert again.diagnostics == good.diagnostics

    other = analyze(None, None, opts(small_repo, num_perm=64))
    assert any("num_perm: 128 -> 64" in n for n in other.notes), other.notes
    assert other.stats.signed == 120
    back = analyze(None, None, opts(small_repo))
    assert any("num_perm: 64 -> 128" in n for n in back.notes)
    assert back.diagnostics == good.diagnostics


@pytest.mark.parametrize("damage", [
    "UPDATE docs SET sig = substr(sig, 1, length(sig) / 2)",  # torn signatures
    "UPDATE docs SET lines = x'00'",  # a line-fingerprint blob of one byte
    "UPDATE docs SET shingles = substr(shingles, 1, 10)",  # shingle sets cut inside a (32-bit) value
])
def test_an_index_damaged_inside_is_rebuilt_with_a_note(small_repo, damage):
    """An index that opens fine but holds rows this version cannot have written (a damaged
    page, a torn blob) stopped check, dups and index with an internal error (ValueError
    'cannot reshape array', OverflowError; exit 2). It must be rebuilt, never trusted.
    A re-filed copy makes one pair that exact verification must read the shingle sets of (the
    repo's other candidate pair agrees too little to be verified: its sets are never read)."""
    import sqlite3

    original = (small_repo / "business/001.txt").read_text(encoding="utf-8")
    (small_repo / "business/refiled.txt").write_text(refiled(original), encoding="utf-8")
    git(small_repo, "add", "business/refiled.txt")
    good = analyze(None, None, opts(small_repo))
    assert [d.code for d in good.diagnostics["business/refiled.txt"]] == ["NL402"]
    db = sqlite3.connect(small_repo / DB)
    assert db.execute(damage).rowcount == 121
    db.commit()
    db.close()
    again = analyze(None, None, opts(small_repo))
    assert any("unreadable" in n and "rebuilding" in n for n in again.notes), again.notes
    assert again.stats.signed == 121
    assert again.diagnostics == good.diagnostics
    after = analyze(None, None, opts(small_repo))
    assert not after.notes and after.stats.signed == 0 and after.diagnostics == good.diagnostics


def test_the_index_keeps_the_32_bits_of_each_shingle_that_verification_compares(small_repo):
    """The docs table stores each shingle's low 32 bits (shingle.verification_set), in the
    order they were made: the full pass's rows and the ones the hook's quick path writes for a
    new content (quick._doc_row) alike. 64 bits had made the index a third larger (438 against
    280 MB at 100,000 files), all of it written twice through the WAL."""
    import sqlite3

    import numpy as np

    from newslint.corpus.model import decode_text
    from newslint.corpus.quick import Content, _doc_row
    from newslint.corpus.shingle import content_hash, doc_facts
    from newslint.corpus.textfacts import permutation_lists

    analyze(None, None, opts(small_repo))
    db = sqlite3.connect(small_repo / DB)
    rows = {bytes(r[0]): tuple(r) for r in db.execute("SELECT * FROM docs")}
    db.close()
    assert len(rows) == 120
    o = opts(small_repo)
    perms = permutation_lists(o.num_perm, o.seed)
    for name in SUBSET[:20]:
        data = (small_repo / name).read_bytes()
        facts = doc_facts(data, decode_text(data))
        row = rows[content_hash(data)]
        assert facts.shingles.dtype == np.uint64 and facts.shingles.size > 50
        assert row[5] == facts.shingles.astype("<u4").tobytes()  # the low 32 bits, in order
        assert np.frombuffer(row[5], "<u4").tolist() == [v & 0xFFFFFFFF for v in facts.shingles.tolist()]
        assert row[3] == facts.n  # still the 64-bit fingerprints' distinct count (the screen's)
        quick_row = _doc_row(Content(data, decode_text(data), o, perms, ""))
        assert quick_row == tuple(bytes(x) if isinstance(x, memoryview) else x for x in row)


def test_a_file_whose_stat_row_names_another_content_is_read_as_it_is(small_repo):
    """The stat cache's link from a file to its content, damaged (or the file rewritten
    between the stat and the read): the content it names is not in the index, and the file,
    read again, holds other bytes. It was left out of the run without a word, so a copy of
    an article passed the check (exit 0); it is now checked as it reads."""
    import sqlite3

    good = analyze(None, None, opts(small_repo))
    assert good.diagnostics
    db = sqlite3.connect(small_repo / DB)
    assert db.execute("UPDATE files SET chash = x'00'").rowcount == 120
    db.commit()
    db.close()
    again = analyze(None, None, opts(small_repo))
    assert again.diagnostics == good.diagnostics and again.stats.skipped == 0
    after = analyze(None, None, opts(small_repo))  # the links written back: every file a stat hit
    assert after.diagnostics == good.diagnostics and after.stats.stat_hits == 120 and after.stats.hashed == 0


def test_two_concurrent_runs_share_the_index_safely(small_repo):
    code = (
        "import json, sys\n"
        "from newslint.corpus import analyze, CorpusOptions\n"
        "r = analyze(None, None, CorpusOptions(cwd=sys.argv[1], jobs=1))\n"
        "print(json.dumps({k: [[d.code, d.message] for d in v] for k, v in sorted(r.diagnostics.items())}))\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(small_repo)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
    assert json.loads(outs[0][0]) == json.loads(outs[1][0])
    after = analyze(None, None, opts(small_repo))
    assert after.stats.hashed == 0 and after.stats.signed == 0
    assert not after.notes


@pytest.mark.parametrize("store", ["corpus index", "results cache"])
def test_runs_creating_the_index_at_once_both_open_it(tmp_path, store):
    """Two connections switching a brand-new index file to WAL at the same moment: SQLite
    answers one of them "database is locked" without waiting (two threads on a fresh file
    hit it about one time in ten; two processes, as test_two_concurrent_runs_share_the_index_safely
    runs them, about one in fifty). Each opening must wait its turn instead of failing (the
    results cache used to take the error for damage and delete the other run's file)."""
    import threading

    from newslint.cache import ResultsCache
    from newslint.corpus.store import SqliteIndex

    settings = CorpusOptions().index_settings()

    def open_one(root):
        if store == "corpus index":
            return SqliteIndex(str(root), settings).conn
        return ResultsCache(str(root / ".newslint_cache")).db

    for attempt in range(60):
        root = tmp_path / f"repo{attempt}"
        root.mkdir()
        barrier, errors, opened = threading.Barrier(2), [], []

        def open_index():
            barrier.wait()
            try:
                opened.append(open_one(root))
            except Exception as exc:  # noqa: BLE001  (what the test is about)
                errors.append(exc)

        threads = [threading.Thread(target=open_index) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for conn in opened:
            conn.close()
        assert not errors, errors
        assert len(opened) == 2


class _InterruptedAfterCommit:
    """A connection on which Ctrl-C arrives just as COMMIT has returned."""

    def __init__(self, conn):
        self.conn = conn

    def __getattr__(self, name):
        return getattr(self.conn, name)

    def execute(self, sql, *args):
        cursor = self.conn.execute(sql, *args)
        if sql == "COMMIT":
            raise KeyboardInterrupt
        return cursor


def test_ctrl_c_just_after_the_index_commits_is_the_interrupt_and_keeps_the_rows(tmp_path):
    """`newslint index` interrupted as its write transaction had just committed ended in an
    internal error ("cannot rollback - no transaction is active", exit 2) instead of
    "Aborted!": the interrupt must reach the caller, and the committed rows stay."""
    from newslint.corpus.engine import sign_many
    from newslint.corpus.shingle import ShingleSettings, content_hash
    from newslint.corpus.store import SqliteIndex

    need(ARTICLES)
    settings = CorpusOptions().index_settings()
    paths = [ARTICLES / n for n in SUBSET[:3]]
    datas = [p.read_bytes() for p in paths]
    facts = sign_many([(content_hash(d), d) for d in datas], ShingleSettings(), 128, 1)
    rows = {str(p): (p.stat().st_size, p.stat().st_mtime_ns, p.stat().st_ino, content_hash(d))
            for p, d in zip(paths, datas)}
    idx = SqliteIndex(str(tmp_path), settings)
    idx.conn = _InterruptedAfterCommit(idx.conn)
    with pytest.raises(KeyboardInterrupt):
        idx.commit(facts, rows, [])
    idx.close()
    again = SqliteIndex(str(tmp_path), settings)
    assert again.counts() == (3, 3) and not again.notes
    again.close()


def test_no_cache_writes_nothing(small_repo):
    res = analyze(None, None, opts(small_repo, use_cache=False))
    assert res.stats.signed == 120
    assert not (small_repo / ".newslint_cache").exists()


def test_index_command(small_repo, monkeypatch):
    monkeypatch.chdir(small_repo)
    runner = CliRunner()
    res = runner.invoke(index, [])
    assert res.exit_code == 0, res.output
    assert "120 newly signed" in res.stdout and "corpus-v1.sqlite3" in res.stdout
    res = runner.invoke(index, [])
    assert "120 unchanged, 0 read, 0 newly signed" in res.stdout
    res = runner.invoke(index, ["--rebuild"])
    assert "120 newly signed" in res.stdout
    res = runner.invoke(index, ["--no-cache"])
    assert res.exit_code == 2 and "nothing to build" in res.output
    assert "--no-cache" not in runner.invoke(index, ["--help"]).output  # not offered where it cannot work
    # the cache folder ignores itself, so `git add -A` never commits it
    assert git(small_repo, "status", "--porcelain") == ""


def test_outside_git_the_corpus_is_the_paths_given(tmp_path):
    need(ARTICLES)
    for n in ("business/007.txt", "business/253.txt", "business/001.txt"):
        shutil.copyfile(ARTICLES / n, tmp_path / n.replace("/", "-"))
    res = analyze([str(tmp_path)], None, CorpusOptions(cwd=str(tmp_path), use_cache=False))
    names = {Path(k).name: v for k, v in res.diagnostics.items()}
    assert [d.code for d in names["business-007.txt"]] == ["NL401"]
    assert names["business-001.txt"] == []


def test_outside_git_paths_given_never_walk_the_cwd(tmp_path, monkeypatch):
    """Checking `articles/` from a cwd outside git (say / or /tmp) walks `articles/` only: a
    walk of the cwd was once made and thrown away, minutes at / (every file of the machine)."""
    from newslint.corpus import discover

    need(ARTICLES)
    (tmp_path / "articles").mkdir()
    (tmp_path / "elsewhere").mkdir()
    for n in ("business/007.txt", "business/253.txt"):
        shutil.copyfile(ARTICLES / n, tmp_path / "articles" / n.replace("/", "-"))
        shutil.copyfile(ARTICLES / n, tmp_path / "elsewhere" / n.replace("/", "-"))
    walked = []
    real_walk = discover.walk
    monkeypatch.setattr(discover, "walk", lambda roots, *a, **k: walked.extend(roots) or real_walk(roots, *a, **k))
    res = analyze(["articles"], None, CorpusOptions(cwd=str(tmp_path), use_cache=False))
    assert walked and all(Path(r).resolve() == tmp_path / "articles" for r in walked)
    flagged = [Path(k) for k, v in res.diagnostics.items() if v]
    assert sorted(p.name for p in flagged) == ["business-007.txt", "business-253.txt"]
    assert all(p.parent.name == "articles" for p in flagged)  # each other's copy, not elsewhere/'s


def test_a_corpus_path_swapped_for_a_fifo_after_its_stat_is_not_read_and_does_not_hang(tmp_path):
    """The pass stats every corpus path, then reads the regular files; a path that became a
    FIFO in between (its plain open waits for a writer forever) or a directory reads as
    nothing, and the article beside it is still read."""
    import signal

    from newslint.corpus import engine

    need(ARTICLES)
    article = tmp_path / "article.txt"
    article.write_bytes((ARTICLES / "business/001.txt").read_bytes())
    fifo = tmp_path / "swapped.txt"
    os.mkfifo(fifo)
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("reading the FIFO blocked"))
    signal.alarm(10)
    try:
        assert engine.read_file(str(fifo)) is None
        assert engine.read_file(str(tmp_path)) is None
        assert engine.read_file(str(article)) == article.read_bytes()
    finally:
        signal.alarm(0)


def test_a_corpus_file_is_read_whole_at_any_size_and_when_it_grew_after_its_stat(tmp_path, monkeypatch):
    """read_file reads with plain os.read calls sized by the file's fstat (a file object cost
    2.7 us a file more). Every size comes back whole: empty, one article, past the 64 KiB and
    1 MiB reads; and so does a file appended to after the stat that sized the first read."""
    from newslint.corpus import engine

    need(ARTICLES)
    text = (ARTICLES / "business/001.txt").read_bytes()
    files = {}
    for copies in (0, 1, 40, 500):
        files[copies] = tmp_path / f"articles-{copies}.txt"
        files[copies].write_bytes(text * copies)
        assert engine.read_file(str(files[copies])) == text * copies
    assert files[40].stat().st_size > 1 << 16 and files[500].stat().st_size > 1 << 20

    real_fstat = os.fstat

    def stale(fd):  # the size before an append this stat did not see
        st = tuple(real_fstat(fd))
        return os.stat_result(st[:6] + (st[6] // 3,) + st[7:])

    monkeypatch.setattr(os, "fstat", stale)
    for copies in (1, 40, 500):
        assert engine.read_file(str(files[copies])) == text * copies


def test_oversized_file_is_left_out_without_reading_it_whole(tmp_path, monkeypatch):
    from newslint.corpus import engine

    need(ARTICLES)
    monkeypatch.setattr(engine, "MAX_BYTES", 1000)
    big = tmp_path / "big.txt"
    big.write_bytes((ARTICLES / "business/001.txt").read_bytes() * 3)
    assert big.stat().st_size > 1000
    data = engine.read_file(str(big))
    assert data.startswith(engine.TOO_LARGE) and engine.decode_text(data) is None
    res = analyze([str(tmp_path)], None, CorpusOptions(cwd=str(tmp_path), use_cache=False))
    assert res.skipped == [str(big)] and res.stats.skipped == 1


def test_first_build_in_windows_gives_the_findings_of_one_pass(small_repo, monkeypatch):
    """The index is built a window of files at a time (read, sign, commit, drop the shingle
    sets from memory) and candidate pairs are verified a block at a time; with windows of 16
    files and blocks of one pair the findings equal those of a run that keeps everything in
    memory, and every content is in the index."""
    from newslint.corpus import engine, prefetch

    shutil.copyfile(small_repo / SUBSET[3], small_repo / "business/copy.txt")  # an exact copy
    (small_repo / "business/near.txt").write_text(refiled((small_repo / SUBSET[0]).read_text()))
    git(small_repo, "add", "-A")
    git(small_repo, "commit", "-qm", "copies")
    in_memory = analyze(None, None, opts(small_repo, use_cache=False))
    monkeypatch.setattr(engine, "_READ_WINDOW", 16)
    monkeypatch.setattr(engine, "_VERIFY_BLOCK", 1)
    monkeypatch.setattr(prefetch, "MIN_FILES", 100)  # 122 files: worth a reader here
    advanced = []  # the reader forked to warm the next window is told of each window's turn
    monkeypatch.setattr(engine.Prefetch, "advance", lambda self: advanced.append(self.pid))
    windowed = analyze(None, None, opts(small_repo))
    assert len(advanced) == 8 and all(pid > 0 for pid in advanced)  # 122 files, windows of 16
    assert windowed.stats.signed == in_memory.stats.signed == 121  # the copy has its original's content
    assert windowed.edges == in_memory.edges
    assert {e.code for e in windowed.edges} >= {"NL401", "NL402"}
    assert windowed.diagnostics == in_memory.diagnostics
    import sqlite3

    con = sqlite3.connect(small_repo / DB)
    assert con.execute("SELECT count(*) FROM docs").fetchone()[0] == 121
    assert con.execute("SELECT count(*) FROM files").fetchone()[0] == 122
    con.close()


def test_the_corpus_pass_keeps_its_long_lived_rows_out_of_the_collectors_way(small_repo, monkeypatch):
    """CPython's full collections walk every entry of the pass's million-entry containers,
    and at a million files they ran 118 times: 46.7 s, against 1.0 s at 100,000 files
    (newslint.gcpause). Each window of a first build starts by freezing what the windows
    before left, the analysis runs with the collector paused and freezes what it made, the
    collector is back on afterwards, and the findings are those of a run that does neither.
    The stat pass over every file runs with the collector paused too."""
    import contextlib
    import gc

    from newslint import gcpause
    from newslint.corpus import engine

    shutil.copyfile(small_repo / SUBSET[3], small_repo / "business/copy.txt")  # an exact copy
    (small_repo / "business/near.txt").write_text(refiled((small_repo / SUBSET[0]).read_text()))
    git(small_repo, "add", "-A")
    monkeypatch.setattr(engine, "_READ_WINDOW", 16)
    with monkeypatch.context() as m:  # the pass as it was: the collector left alone
        m.setattr(engine, "freeze_survivors", lambda: None)
        m.setattr(engine, "collector_paused", contextlib.nullcontext)
        plain = analyze(None, None, opts(small_repo, cache_dir=str(small_repo.parent / "plain")))

    frozen_at, enabled_in_analysis, enabled_in_stat = [], [], []
    real_read_window, real_analyze = engine.CorpusRun._read_window, engine.CorpusRun.analyze
    real_stat_all = engine.CorpusRun._stat_all

    def stat_all(self, *args):
        enabled_in_stat.append(gc.isenabled())
        return real_stat_all(self, *args)

    def read_window(self, *args):
        frozen_at.append(gc.get_freeze_count())
        return real_read_window(self, *args)

    def analysis(self, *args):
        enabled_in_analysis.append(gc.isenabled())
        return real_analyze(self, *args)

    monkeypatch.setattr(engine.CorpusRun, "_read_window", read_window)
    monkeypatch.setattr(engine.CorpusRun, "analyze", analysis)
    monkeypatch.setattr(engine.CorpusRun, "_stat_all", stat_all)
    gc.unfreeze()
    try:
        assert gc.isenabled() and gc.get_freeze_count() == 0
        paused = analyze(None, None, opts(small_repo, cache_dir=str(small_repo.parent / "paused")))
        assert len(frozen_at) == 8 and all(n > 0 for n in frozen_at)  # 122 files, windows of 16
        assert enabled_in_analysis == [False] and enabled_in_stat == [False] and gc.isenabled()
        assert gc.get_freeze_count() > 0  # what the analysis made and kept
        gc.disable()  # a caller that had paused the collector finds it paused still
        with gcpause.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()
    assert paused.edges == plain.edges and {e.code for e in paused.edges} >= {"NL401", "NL402"}
    assert paused.diagnostics == plain.diagnostics


def test_a_first_build_makes_the_content_hash_indexes_once_at_its_end(small_repo, monkeypatch):
    """A first build of many windows drops the files and docs tables' content-hash indexes
    and makes them once at the end (their pages were rewritten at every window's commit);
    they are there after the run, also after a run stopped midway (by the stopped run, or
    else by the next open), and a second run finds every file unchanged by stat."""
    import sqlite3

    from newslint.corpus import engine
    from newslint.corpus.store import SqliteIndex

    monkeypatch.setattr(engine, "_READ_WINDOW", 16)
    db = small_repo / DB
    indexes_seen = []
    real_read_window = engine.CorpusRun._read_window

    def read_window(self, index, *args):
        names = {r[0] for r in index.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        indexes_seen.append(bool({"files_chash", "docs_chash"} & names))
        return real_read_window(self, index, *args)

    def index_names() -> set[str]:
        con = sqlite3.connect(db)
        try:
            return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        finally:
            con.close()

    monkeypatch.setattr(engine.CorpusRun, "_read_window", read_window)
    first = analyze(None, None, opts(small_repo))
    assert indexes_seen == [False] * 8  # 120 files, windows of 16: none kept the indexes up to date
    assert {"files_chash", "docs_chash"} <= index_names()
    indexes_seen.clear()
    again = analyze(None, None, opts(small_repo))
    assert again.stats.stat_hits == 120 and again.stats.hashed == 0 and indexes_seen == []
    assert again.edges == first.edges

    # stopped in its third window: the build's own clean-up makes the index
    shutil.rmtree(db.parent)
    calls = []

    def stopped(self, index, *args):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_read_window(self, index, *args)

    monkeypatch.setattr(engine.CorpusRun, "_read_window", stopped)
    with pytest.raises(KeyboardInterrupt):
        analyze(None, None, opts(small_repo))
    assert {"files_chash", "docs_chash"} <= index_names()
    # killed before that clean-up, after a run beside it had added a content the build also
    # added (no unique index stopped it): the next open makes both indexes, one row a content
    con = sqlite3.connect(db)
    con.execute("DROP INDEX files_chash")
    con.execute("DROP INDEX docs_chash")
    con.execute("INSERT INTO docs SELECT * FROM docs WHERE rowid = (SELECT min(rowid) FROM docs)")
    con.commit()
    con.close()
    reopened = SqliteIndex(str(small_repo), opts(small_repo).index_settings(), path=str(db))
    assert reopened.notes == [] and reopened.counts()[0] > 0  # the same settings: kept, not rebuilt
    files, docs = reopened.counts()
    reopened.close()
    assert {"files_chash", "docs_chash"} <= index_names()
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(DISTINCT chash) FROM docs").fetchone()[0] == docs
    con.close()
    monkeypatch.setattr(engine.CorpusRun, "_read_window", real_read_window)
    resumed = analyze(None, None, opts(small_repo))
    assert resumed.edges == first.edges and resumed.stats.stat_hits == files


def test_a_check_of_the_cross_file_rules_alone_makes_its_results_with_the_collector_paused(small_repo,
                                                                                            monkeypatch):
    """`check --select NL4...` runs the corpus pass first, then makes a result per file
    (probing only the files the pass did not open): a million kept objects at a million
    files, made with the collector paused (newslint.gcpause); it is back on after, and the
    report names the duplicate."""
    import gc

    from newslint.runner import Runner

    monkeypatch.chdir(small_repo)
    shutil.copyfile(small_repo / SUBSET[3], small_repo / "business/copy.txt")
    git(small_repo, "add", "-A")
    enabled_in_results = []
    real_run = Runner.run

    def run(self, *args, **kwargs):
        enabled_in_results.append(gc.isenabled())
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(Runner, "run", run)
    try:
        out = CliRunner().invoke(main, ["check", "--select", "NL401", "--output-format", "json", "--exit-zero", "."])
        assert out.exit_code == 0, out.output
        assert enabled_in_results == [False] and gc.isenabled()
        found = {(d["code"], d["filename"]) for d in json.loads(out.stdout)}
        assert found == {("NL401", SUBSET[3]), ("NL401", "business/copy.txt")}
    finally:
        gc.unfreeze()


def test_a_file_name_that_is_not_utf8_is_kept_in_the_index(small_repo):
    """Old archives hold Latin-1 file names. The index's stat cache stored every path as
    SQLite TEXT, which must be UTF-8: a checked copy of an article named b'caf\\xe9.txt'
    crashed the run (internal error, exit 2) in the whole-repository check and in the hook's
    run on the one file, where --no-cache found the duplicate; so did the results cache's."""
    if sys.platform == "darwin":
        pytest.skip("macOS file systems refuse names that are not UTF-8")


    name = os.fsdecode(b"business/caf\xe9.txt")
    shutil.copyfile(small_repo / "business/001.txt", small_repo / name)
    git(small_repo, "add", "-A")
    for args in ([], ["business/001.txt"], [name], [name]):  # full, hook-sized, then from the snapshot
        out = run_newslint("check", *args, cwd=small_repo)  # the results cache too, not only the index
        assert out.returncode == 1, out.stderr.decode()
        text = out.stdout.decode()
        assert "business/caf\\xe9.txt:1:1: NL401" in text or "to business/caf\\xe9.txt" in text, text
    assert "business/caf\\xe9.txt:1:1: NL401" in text and "business/001.txt" in text


def test_dups_names_each_pair_in_the_same_order_with_or_without_the_index(tmp_path):
    """Two copies of a BBC article, ok.txt and caf.txt: the run that built the index printed
    "ok.txt ~ caf.txt", the next one (from the index) "caf.txt ~ ok.txt", with the containments
    swapped too, so a CI comparing dups reports saw a change where there was none."""


    article = (need(ARTICLES) / "tech/011.txt").read_bytes()
    for name in ("ok.txt", "caf.txt"):
        (tmp_path / name).write_bytes(article)
    reports = [run_newslint("dups", "--output-format", "json", *extra, ".", cwd=tmp_path)
               for extra in (["--no-cache"], [], [])]  # no index, building it, reusing it
    assert all(r.returncode == 1 for r in reports), reports[0].stderr
    pairs = [json.loads(r.stdout)["clusters"][0]["pairs"] for r in reports]
    assert [(p[0]["a"], p[0]["b"]) for p in pairs] == [("caf.txt", "ok.txt")] * 3


def test_a_folder_walk_skips_what_git_ignores(small_repo):
    """A site generator's git-ignored output (public/, and a draft matched by a pattern) holds
    copies of the tracked articles: `check .` compared them with their sources (NL401 on both,
    tracked article included). The walk now leaves out what git ignores, as ruff's does; a file
    named on the command line, a folder that is ignored as a whole, and a file git tracks
    inside an ignored folder are checked all the same; `respect-gitignore = false` turns it off."""
    a, b, c = SUBSET[:3]
    (small_repo / ".gitignore").write_text("public/\n*.draft.md\n", encoding="utf-8")
    (small_repo / "public" / "posts").mkdir(parents=True)
    shutil.copyfile(small_repo / a, small_repo / "public" / "posts" / "one.txt")
    shutil.copyfile(small_repo / b, small_repo / "next.draft.md")
    git(small_repo, "add", ".gitignore")
    git(small_repo, "commit", "-qm", "ignore the generated site")

    def flagged(*args: str) -> list[str]:
        res = run_newslint("check", "--no-cache", "--select", "NL401", "--output-format", "json", *args, cwd=small_repo)
        assert res.returncode in (0, 1), res.stderr
        return sorted(d["filename"] for d in json.loads(res.stdout))

    assert flagged(".") == []
    assert flagged("public") == ["public/posts/one.txt"]  # the ignored folder itself, named
    assert flagged("public/posts/one.txt", "next.draft.md") == ["next.draft.md", "public/posts/one.txt"]
    assert flagged("--config", "respect-gitignore = false", ".") == [a, b, "next.draft.md",
                                                                     "public/posts/one.txt"]
    # a file git tracks is checked though a pattern ignores its folder
    shutil.copyfile(small_repo / c, small_repo / "public" / "kept.txt")
    git(small_repo, "add", "-f", "public/kept.txt")
    assert flagged(".") == [c, "public/kept.txt"]


@pytest.fixture
def full_disk(tmp_path):
    """A 1 MB tmpfs, the size of no corpus index of the BBC articles (needs root and mount)."""
    where = tmp_path / "full"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)], capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], capture_output=True)


def test_a_full_disk_under_the_cache_costs_speed_not_the_report(full_disk, tmp_path):
    """Every run, the hook's too, ended in 'internal error (OperationalError: database or disk
    is full)' with no report when the cache folder's disk filled up (found by a review). The
    run now keeps its index in memory, says so, and reports what a run without the cache
    reports; `newslint index` says it cannot save the index."""
    tree = tmp_path / "bbc"
    shutil.copytree(need(ARTICLES), tree)
    plain = run_newslint("check", "--no-cache", "--output-format", "json", ".", cwd=tree)
    for _ in range(2):
        res = run_newslint("check", "--cache-dir", full_disk, "--output-format", "json", ".", cwd=tree)
        err = res.stderr.decode()
        assert "Traceback" not in err and "internal error" not in err, err
        assert "corpus index cannot be written (database or disk is full); this run keeps it in memory" in err
        assert (res.returncode, res.stdout) == (plain.returncode, plain.stdout)
    (tree / "newslint.toml").write_text(f'cache-dir = "{full_disk}"\n', encoding="utf-8")
    built = run_newslint("index", ".", cwd=tree)
    assert built.returncode == 2 and "cannot save the corpus index" in built.stderr.decode(), built.stderr.decode()
    assert "Traceback" not in built.stderr.decode()
