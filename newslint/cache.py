"""The results cache for in-file rules, under `.newslint_cache/`.

Keyed by the file's content hash, a digest of the settings that shape the findings
(selected rules, rule options, pack contents) and the build of newslint (its version and a
digest of its sources: newslint.build) — never by
mtime, which CI checkouts reset. SQLite in WAL mode makes two concurrent runs safe:
both may read, writes are short transactions, and a corrupt file is replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import zlib

from newslint.build import code_id
from newslint.files import path_from_key, path_key
from newslint.serialize import dump, load

SCHEMA = 2
_BATCH = 500  # keys per IN (...) query (SQLite allows 32,766 variables; small keeps plans cheap)
_NONE = b""  # the stored findings of a clean file (most files): nothing to decompress or parse


def cache_root(start: str | None = None) -> str:
    """The folder that holds `.newslint_cache/`: the git work tree's top, else the cwd."""
    from newslint.corpus.discover import git_toplevel

    return git_toplevel(start or os.getcwd()) or os.path.abspath(start or os.getcwd())


def ensure_cache_dir(root: str) -> str:
    """`<root>/.newslint_cache`, made a cache folder (see `mark_cache_dir`)."""
    return mark_cache_dir(os.path.join(root, ".newslint_cache"))


def mark_cache_dir(path: str) -> str:
    """Create `path` if needed; git ignores it and backup tools skip it (CACHEDIR.TAG). A
    folder where these notes cannot be written still works as a cache."""
    os.makedirs(path, exist_ok=True)
    ignore = os.path.join(path, ".gitignore")
    if not os.path.exists(ignore):
        try:
            with open(ignore, "w", encoding="utf-8") as fh:
                fh.write("# Automatically created by newslint.\n*\n")
            with open(os.path.join(path, "CACHEDIR.TAG"), "w", encoding="utf-8") as fh:
                fh.write("Signature: 8a477f597d28d172789f06886806bc55\n# newslint cache\n")
        except OSError:
            pass
    return path


def switch_to_wal(conn: sqlite3.Connection, timeout: float) -> str:
    """`PRAGMA journal_mode = WAL`, tried again while another connection switches the same
    new database: SQLite then answers "database is locked" at once instead of waiting out the
    busy timeout, so two runs creating one index or results cache failed (two threads racing
    on a fresh file: 111 failures in 1,000 switches here)."""
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        try:
            return conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            message = str(exc).lower()
            if ("locked" not in message and "busy" not in message) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(2 * delay, 0.1)


class CacheDamaged(Exception):
    """The results cache could not be read back (a damaged page, a garbled entry)."""


_DAMAGE = (sqlite3.DatabaseError, zlib.error, ValueError, KeyError, TypeError, IndexError)


def rollback(conn: sqlite3.Connection) -> None:
    """End a failed write transaction. None may be open: Ctrl-C can land just after COMMIT
    returned, and SQLite ends a transaction itself on some errors; the error that brought
    us here is the one to raise, not "cannot rollback"."""
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def busy(exc: Exception) -> bool:
    """Is this SQLite error another run holding the database (not damage)?"""
    return "locked" in str(exc).lower() or "busy" in str(exc).lower()


class ResultsCache:
    def __init__(self, folder: str):
        self.path = os.path.join(folder, "results.sqlite")
        self.hits = self.misses = 0
        self._pending: list[tuple[str, bytes]] = []
        self._stats: list[tuple[str, str, str]] = []
        self._all_stats: dict[str, tuple[str, str]] | None = None
        mark_cache_dir(folder)
        try:
            self.db = self._open()
        except sqlite3.DatabaseError as exc:  # corrupt or foreign: start again
            if busy(exc):
                raise  # another run holds it: not damage (the runner goes on without the cache)
            self._remove()
            self.db = self._open()

    def _remove(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(self.path + suffix)
            except FileNotFoundError:
                pass

    def discard(self, exc: CacheDamaged) -> None:
        """Stop using a cache that failed while being read; a damaged one (not merely busy:
        another run's) is deleted, so the next run starts a new one."""
        try:
            self.db.close()
        except sqlite3.Error:
            pass
        if not busy(exc):
            try:
                self._remove()
            except OSError:
                pass

    def _open(self) -> sqlite3.Connection:
        # opened by the runner's creator, used by the thread that lints while the cross-file
        # pass runs (runner.run_beside): one thread at a time, never two at once
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        switch_to_wal(db, 30.0)
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is None or row[0] != str(SCHEMA):
            db.execute("DROP TABLE IF EXISTS results")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
        db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, data BLOB)")
        # A file whose (size, mtime, ctime, inode, device) are unchanged is not read again: its
        # content hash comes from here. The results stay keyed by content, so a checkout
        # that resets mtimes only costs a re-read, never a wrong result.
        db.execute("CREATE TABLE IF NOT EXISTS stats (path TEXT PRIMARY KEY, ident TEXT, content TEXT)")
        return db

    @staticmethod
    def ident(st) -> str:
        # the ctime too: an edit in place that puts the mtime back (as `touch -r`, or a tool
        # keeping times, can) keeps size, mtime and inode, but no one can set the ctime
        return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"

    def content_for(self, path: str, ident: str) -> str | None:
        if self._all_stats is not None:
            row = self._all_stats.get(path)
        else:
            try:
                row = self.db.execute("SELECT ident, content FROM stats WHERE path=?", (path_key(path),)).fetchone()
            except sqlite3.DatabaseError as exc:
                raise CacheDamaged(str(exc)) from exc
        return row[1] if row and row[0] == ident else None

    def prefetch_stats(self) -> None:
        """Load the whole stat table at once: a run over most of a tree asks for every row,
        and one scan costs a fraction of one query per file."""
        try:
            self._all_stats = {path_from_key(path): (ident, content) for path, ident, content in
                               self.db.execute("SELECT path, ident, content FROM stats")}
        except _DAMAGE as exc:
            raise CacheDamaged(str(exc)) from exc

    def remember(self, path: str, ident: str, content: str) -> None:
        self._stats.append((path_key(path), ident, content))  # a name that is not UTF-8: a BLOB

    @staticmethod
    def content_hash(content: bytes) -> str:
        return hashlib.sha256(content).hexdigest()

    @staticmethod
    def key(content_hash: str, settings_digest: str) -> str:
        h = hashlib.sha256(content_hash.encode())
        h.update(settings_digest.encode())
        h.update(code_id().encode())  # this build's, not only its version string
        return h.hexdigest()

    def get(self, key: str, filename: str):
        return self.get_many([(key, filename)])[0]

    def get_many(self, wanted: list[tuple[str, str]]) -> list:
        """The cached findings for each (key, filename), or None where there are none.
        Raises CacheDamaged when the cache cannot be read back."""
        try:
            return self._get_many(wanted)
        except _DAMAGE as exc:
            raise CacheDamaged(str(exc)) from exc

    def _get_many(self, wanted: list[tuple[str, str]]) -> list:
        blobs: dict[str, bytes] = {}
        keys = list(dict.fromkeys(k for k, _ in wanted))
        for i in range(0, len(keys), _BATCH):
            part = keys[i:i + _BATCH]
            q = f"SELECT key, data FROM results WHERE key IN ({','.join('?' * len(part))})"
            blobs.update(self.db.execute(q, part).fetchall())
        out = []
        for key, filename in wanted:
            blob = blobs.get(key)
            if blob is None:
                self.misses += 1
                out.append(None)
                continue
            self.hits += 1
            out.append([load(d, filename) for d in json.loads(zlib.decompress(blob))] if blob != _NONE else [])
        return out

    def put(self, key: str, diagnostics) -> None:
        blob = zlib.compress(json.dumps([dump(d) for d in diagnostics]).encode("utf-8")) if diagnostics else _NONE
        self._pending.append((key, blob))

    def flush(self) -> None:
        if not self._pending and not self._stats:
            return
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?)", self._pending)
            self.db.executemany("INSERT OR REPLACE INTO stats VALUES (?, ?, ?)", self._stats)
        self._pending.clear()
        self._stats.clear()

    def close(self) -> None:
        try:
            self.flush()
        except sqlite3.Error:
            pass  # a cache that cannot be written only costs time next run
        self.db.close()
