"""Where document facts live between runs.

* `MemoryIndex`: nothing persists (`--no-cache`).
* `SqliteIndex`: the embedded default, `<root>/.newslint_cache/corpus-v1.sqlite3`.
  Two tables: `files` (path relative to the root -> files.stat_key, content hash) is
  the stat cache, so an unchanged file is never re-read; `docs` (content hash -> signature,
  shingle fingerprints, line fingerprints, headline position) is content-addressed, so a
  renamed or reverted file is never re-signed. WAL journal and one `BEGIN IMMEDIATE`
  transaction per run make two concurrent runs safe (each sees the other's writes whole or
  not at all; both write the same content-addressed rows). `meta` records the schema, the
  MinHash settings, the shingling and the hash scheme: a mismatch or a file that is not a
  readable database is rebuilt with a note.
* `newslint.corpus.redis_index.RedisIndex`: docs and LSH buckets in Redis, shared by a team;
  the stat cache stays local (it describes this checkout).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from typing import Iterable

import numpy as np

from newslint.cache import busy, ensure_cache_dir, rollback, switch_to_wal
from newslint.corpus.model import INDEX_DB_NAME as DB_NAME
from newslint.corpus.model import INDEX_SCHEMA as SCHEMA_VERSION
from newslint.corpus.shingle import DocFacts
from newslint.files import path_from_key, path_key

log = logging.getLogger("newslint.corpus")

_BATCH = 500

StatRow = tuple  # (size, mtime_ns, inode, chash)


class IndexError_(Exception):
    pass


def _make_docs_index(conn: sqlite3.Connection) -> None:
    """docs' unique content-hash index, if missing. Without it (a first build's, see
    SqliteIndex.first_build) a run beside the build may have added a content the build added
    too: the later copy goes, as INSERT OR IGNORE would have dropped it."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'docs_chash'").fetchone():
        return
    try:
        conn.execute("CREATE UNIQUE INDEX docs_chash ON docs(chash)")
    except sqlite3.IntegrityError:
        conn.execute("DELETE FROM docs WHERE rowid NOT IN (SELECT min(rowid) FROM docs GROUP BY chash)")
        conn.execute("CREATE UNIQUE INDEX docs_chash ON docs(chash)")


def facts_to_row(f: DocFacts) -> tuple:
    return (
        f.chash, f.normhash, f.mode, f.n,
        f.sig.astype("<u4").tobytes(), f.shingles.astype("<u4").tobytes(),  # verification_set's 32 bits
        f.line_hashes.astype("<i8").tobytes(), f.head_row, f.head_len,
    )


class MemoryIndex:
    """The no-cache index: facts live for one run."""

    persistent = False
    location = "memory"

    def __init__(self, settings: dict[str, str]):
        self.settings = settings
        self.notes: list[str] = []
        self.docs: dict[bytes, DocFacts] = {}

    # -- stat cache --------------------------------------------------------------------
    def stat_rows(self) -> dict[str, StatRow]:
        return {}

    # -- docs ----------------------------------------------------------------------------
    def known(self, chashes: Iterable[bytes]) -> set[bytes]:
        return {c for c in chashes if c in self.docs}

    def shingles(self, chashes: Iterable[bytes]) -> dict[bytes, np.ndarray]:
        return {c: self.docs[c].shingles for c in chashes if c in self.docs}

    def bulk(self, chashes: Iterable[bytes]) -> dict[bytes, tuple]:
        from newslint.corpus.engine import light_row

        return {c: light_row(self.docs[c]) for c in chashes if c in self.docs}

    def commit(self, new_docs: list[DocFacts], file_rows: dict[str, StatRow], gone: Iterable[str],
               live: set[bytes] | None = None) -> None:
        for f in new_docs:
            self.docs[f.chash] = f

    def bucket_candidates(self, query_facts, corpus_chashes):  # None: the engine bands in memory
        return None

    def clear(self) -> None:
        self.docs.clear()

    def close(self) -> None:
        pass


class SqliteIndex:
    """The embedded persistent index (see module docs)."""

    persistent = True

    def __init__(self, root: str, settings: dict[str, str], path: str | None = None, rebuild: bool = False,
                 keep_docs: bool = True):
        self.root = root
        self.settings = dict(settings, schema=SCHEMA_VERSION)
        self.notes: list[str] = []
        self.path = path or os.path.join(ensure_cache_dir(root), DB_NAME)
        self.location = self.path
        self.keep_docs = keep_docs  # False when another store (Redis) holds the docs
        self._building_empty = False  # inside a first build that began with no docs (first_build)
        self.conn = self._open(rebuild)

    # -- opening, checking, rebuilding ----------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 60000")
        mode = switch_to_wal(conn, 60.0)
        if str(mode).lower() != "wal":
            raise sqlite3.DatabaseError(f"cannot switch to WAL (journal_mode={mode})")
        conn.execute("PRAGMA synchronous = NORMAL")
        # 64 MB of page cache (SQLite's default is 2 MB): the docs table's key index is
        # written in random order, and at a million documents it no longer fits in 2 MB
        conn.execute("PRAGMA cache_size = -65536")
        return conn

    def _open(self, rebuild: bool) -> sqlite3.Connection:
        try:
            conn = self._connect()
            self._setup(conn, rebuild)
            return conn
        except sqlite3.DatabaseError as exc:
            if busy(exc):
                raise
            self.notes.append(f"corpus index {self.path} is unreadable ({exc}); rebuilding it")
            try:
                conn.close()  # type: ignore[possibly-undefined]
            except Exception:
                pass
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.unlink(self.path + suffix)
                except FileNotFoundError:
                    pass
            conn = self._connect()
            self._setup(conn, False)
            return conn

    def _setup(self, conn: sqlite3.Connection, rebuild: bool) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            have = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if have and have != self.settings and not rebuild:
                diff = ", ".join(
                    f"{k}: {have.get(k, '-')} -> {v}" for k, v in sorted(self.settings.items()) if have.get(k) != v
                ) or "unknown keys"
                self.notes.append(f"corpus index {self.path} was built with other settings ({diff}); rebuilding it")
                rebuild = True
            if rebuild:
                conn.execute("DROP TABLE IF EXISTS files")
                conn.execute("DROP TABLE IF EXISTS docs")
                conn.execute("DELETE FROM meta")
                have = {}
            conn.execute(
                "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, "
                "ino INTEGER, chash BLOB NOT NULL, checked REAL)"
            )
            # docs' content hash is a unique index, not the primary key: a first build makes it
            # once at its end (first_build)
            conn.execute(
                "CREATE TABLE IF NOT EXISTS docs (chash BLOB NOT NULL, normhash BLOB, mode TEXT, "
                "nshingles INTEGER, sig BLOB, shingles BLOB, lines BLOB, head_row INTEGER, "
                "head_len INTEGER)"
            )
            _make_docs_index(conn)
            conn.execute("CREATE INDEX IF NOT EXISTS files_chash ON files(chash)")
            if not have:
                conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", sorted(self.settings.items()))
            # a quick structural probe: a damaged file fails here rather than mid-run
            conn.execute("SELECT count(*) FROM meta").fetchone()
            conn.execute("COMMIT")
        except BaseException:
            rollback(conn)
            raise

    # -- stat cache ------------------------------------------------------------------------
    def _rel(self, path: str) -> str | bytes:
        prefix = self.root.rstrip(os.sep) + os.sep
        return path_key(path[len(prefix):] if path.startswith(prefix) else os.path.relpath(path, self.root))

    def stat_rows(self) -> dict[str, StatRow]:
        out = {}
        prefix = self.root.rstrip(os.sep) + os.sep
        for path, size, mtime, ino, chash in self.conn.execute("SELECT path, size, mtime_ns, ino, chash FROM files"):
            path = path_from_key(path)  # a name that is not UTF-8 is stored as bytes
            # stored normalised and relative (see _rel); ".." only for files outside the root
            key = prefix + path if not path.startswith("..") else os.path.normpath(os.path.join(self.root, path))
            out[key] = (size, mtime, ino, bytes(chash))
        return out

    # -- docs ----------------------------------------------------------------------------
    def known(self, chashes: Iterable[bytes]) -> set[bytes]:
        if self._building_empty:  # docs was empty when this build began: it knows no content but
            return set()  # the ones this run signed, which the engine does not ask about
        chashes = list(chashes)
        found: set[bytes] = set()
        for i in range(0, len(chashes), _BATCH):
            part = chashes[i:i + _BATCH]
            q = f"SELECT chash FROM docs WHERE chash IN ({','.join('?' * len(part))})"
            found.update(bytes(r[0]) for r in self.conn.execute(q, part))
        return found

    def bulk(self, chashes: Iterable[bytes]) -> dict[bytes, tuple]:
        """content hash -> engine.light_row(...): raw blobs, no per-row numpy."""
        chashes = list(chashes)
        out: dict[bytes, tuple] = {}
        cols = "chash, nshingles, normhash, mode, sig, lines, head_row, head_len"
        if len(chashes) > 20 * _BATCH:  # most of the table: one scan beats many IN lookups
            wanted = set(chashes)
            for c, n, h, mode, sig, lines, hr, hl in self.conn.execute(f"SELECT {cols} FROM docs"):
                c = bytes(c)
                if c in wanted:
                    out[c] = (n, bytes(h), mode, bytes(sig), bytes(lines), hr, hl)
            return out
        for i in range(0, len(chashes), _BATCH):
            part = chashes[i:i + _BATCH]
            q = f"SELECT {cols} FROM docs WHERE chash IN ({','.join('?' * len(part))})"
            for c, n, h, mode, sig, lines, hr, hl in self.conn.execute(q, part):
                out[bytes(c)] = (n, bytes(h), mode, bytes(sig), bytes(lines), hr, hl)
        return out

    def shingles(self, chashes: Iterable[bytes]) -> dict[bytes, np.ndarray]:
        chashes = list(chashes)
        out = {}
        for i in range(0, len(chashes), _BATCH):
            part = chashes[i:i + _BATCH]
            q = f"SELECT chash, shingles FROM docs WHERE chash IN ({','.join('?' * len(part))})"
            for c, blob in self.conn.execute(q, part):
                out[bytes(c)] = np.frombuffer(blob, dtype="<u4")  # verification_set copies it
        return out

    def commit(self, new_docs: list[DocFacts], file_rows: dict[str, StatRow], gone: Iterable[str],
               live: set[bytes] | None = None) -> None:
        """Write one run's changes in one transaction: new docs, changed stat rows, vanished
        paths; then drop docs no file points at any more."""
        gone = list(gone)
        if not new_docs and not file_rows and not gone:
            return
        now = time.time()
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if new_docs and self.keep_docs:
                conn.executemany("INSERT OR IGNORE INTO docs VALUES (?,?,?,?,?,?,?,?,?)",
                                 [facts_to_row(f) for f in new_docs])
            # the contents the changed and vanished paths pointed at (read inside the write
            # transaction: a concurrent run's rows are seen), so only they are checked for
            # orphans below, not the whole table
            touched = [self._rel(p) for p in file_rows] + [self._rel(p) for p in gone]
            before: set[bytes] = set()
            for i in range(0, len(touched), _BATCH):
                part = touched[i:i + _BATCH]
                q = f"SELECT chash FROM files WHERE path IN ({','.join('?' * len(part))})"
                before.update(bytes(r[0]) for r in conn.execute(q, part))
            if file_rows:
                conn.executemany(
                    "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?)",
                    [(self._rel(p), s, m, i, c, now) for p, (s, m, i, c) in file_rows.items()],
                )
            if gone:
                conn.executemany("DELETE FROM files WHERE path = ?", [(self._rel(p),) for p in gone])
            if self.keep_docs and before:
                conn.executemany("DELETE FROM docs WHERE chash = ?1 AND NOT EXISTS "
                                 "(SELECT 1 FROM files WHERE chash = ?1)", [(c,) for c in before])
            conn.execute("COMMIT")
        except BaseException:
            rollback(conn)
            raise

    def bucket_candidates(self, query_facts, corpus_chashes):
        return None

    @contextlib.contextmanager
    def first_build(self):
        """The first build of a large index, a window of files committed at a time: the
        content-hash indexes of the files table and (if it starts empty) of the docs table
        are made once at the end instead of kept up to date. Kept, each window's commit
        rewrote (through the WAL: twice) as many of their pages as the tables had grown, since
        content hashes arrive in random order: the part of the build that grew with the square
        of the corpus. A first build has no orphaned docs to find (files_chash's one use) and
        asks docs about no content it did not sign itself (known() answers from that). The
        files index: a million files' commits 62.8 s without it, 70.3-76.5 s with it (session
        20); the docs index: bench/RESULTS.md, target 4, session 21. A run stopped midway
        makes them on the way out; one killed leaves them to the next open (_setup)."""
        conn = self.conn
        self._building_empty = conn.execute("SELECT 1 FROM docs LIMIT 1").fetchone() is None
        conn.execute("DROP INDEX IF EXISTS files_chash")
        if self._building_empty:
            conn.execute("DROP INDEX IF EXISTS docs_chash")
        try:
            yield
        finally:
            self._building_empty = False
            try:
                _make_docs_index(conn)
                conn.execute("CREATE INDEX IF NOT EXISTS files_chash ON files(chash)")
            except sqlite3.Error as exc:  # busy, or the disk full: the next open makes them
                log.info("corpus: content-hash indexes not made (%s)", exc)

    def clear(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("DELETE FROM files")
        self.conn.execute("DELETE FROM docs")
        self.conn.execute("COMMIT")

    def counts(self) -> tuple[int, int]:
        files = self.conn.execute("SELECT count(*) FROM files").fetchone()[0]
        docs = self.conn.execute("SELECT count(*) FROM docs").fetchone()[0]
        return files, docs

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:
            pass
