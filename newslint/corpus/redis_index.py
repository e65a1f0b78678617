"""A shared corpus index in Redis: `--index redis://HOST:PORT/DB[?prefix=NAME]`.

Layout. The LSH buckets use **datasketch's Redis storage layout** (`MinHashLSH` with
`storage_config={"type": "redis", "basename": NAME}`, `prepickle=False`), written with
redis-py directly rather than through datasketch:

    NAME_bucket_<band as >H>      HASH   band bytes -> NAME_bucket_<i><band bytes>
    NAME_bucket_<i><band bytes>   SET    content hashes (16 bytes) in that bucket
    NAME_keys                     HASH   content hash -> NAME_keys<content hash>
    NAME_keys<content hash>       LIST   the content hash's band bytes, band by band

where "band bytes" are the band's uint32 MinHash values big-endian, as datasketch's
`MinHashLSH._byteswap` makes them. Why this layout and why not through datasketch:
importing datasketch costs about a second (scipy), which a hook cannot pay, and its storage
classes issue two commands per band per key without pipelining across keys; writing the same
layout ourselves keeps the hook fast and still lets anyone open the index with
`datasketch.MinHashLSH(num_perm=128, params=(64, 2), storage_config={"type": "redis",
"basename": b"NAME", "redis": {...}}, prepickle=False)` and query it with a MinHash of
the same text (tests/test_corpus_redis.py does exactly that).

Beside the buckets, newslint keeps per content hash what exact verification and NL202 need:

    NAME_doc_<content hash>       HASH   normhash, mode, n, sig, shingles, lines, head_row, head_len
    NAME_meta                     HASH   num_perm, seed, shingles, hash scheme, bands, rows

The index is content-addressed, so every checkout, branch and CI runner shares it; what a
checkout holds is its own business: the stat cache (path -> content hash) stays in the
local SQLite file, and candidates whose content is not in this checkout's corpus are
ignored. A meta mismatch clears NAME_* and rebuilds, with a note.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import struct
from typing import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np

from newslint.config import ConfigError
from newslint.corpus import minhash as mh
from newslint.corpus.shingle import DocFacts
from newslint.corpus.store import MemoryIndex, SqliteIndex


class IndexUnavailable(ConfigError, RuntimeError):
    """The shared index cannot be used: a URL redis-py cannot open, a server that does not
    answer, no redis package. A ConfigError, so `newslint check` reports it in one line and
    exits 2 like any bad setting; a RuntimeError for callers that catch that."""

# One call per document writes its datasketch-layout bucket entries server-side (2 * bands + 3
# commands), instead of sending each command from Python.
_INSERT_LUA = """
local name, chash, nb = ARGV[1], ARGV[2], tonumber(ARGV[3])
local keys_name = name .. "_keys"
for i = 1, nb do
  local t = name .. "_bucket_" .. string.char(math.floor((i - 1) / 256), (i - 1) % 256)
  local h = ARGV[3 + i]
  redis.call("HSET", t, h, t .. h)
  redis.call("SADD", t .. h, chash)
end
redis.call("HSET", keys_name, chash, keys_name .. chash)
redis.call("DEL", keys_name .. chash)
redis.call("RPUSH", keys_name .. chash, unpack(ARGV, 4, 3 + nb))
return 1
"""


def _guarded(method):
    """`method` with a Redis error (a server gone or restarted since the PING, one full at its
    maxmemory, a read-only replica) raised as IndexUnavailable: one error line, exit 2."""
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        import redis

        try:
            return method(self, *args, **kwargs)
        except redis.RedisError as exc:
            raise IndexUnavailable(f"the corpus index at {self.location} failed: {exc}") from None

    return call


_FIELDS = (b"normhash", b"mode", b"n", b"sig", b"shingles", b"lines", b"head_row", b"head_len")
_PIPE = 1000  # commands per pipeline flush


def parse_url(url: str) -> tuple[str, bytes]:
    """(redis-py URL, key prefix) from `redis://HOST:PORT/DB?prefix=NAME`."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    prefix = "newslint"
    rest = []
    for k, v in query:
        if k == "prefix":
            prefix = v
        else:
            rest.append((k, v))
    clean = url
    if parts.query:  # replaced in place: urlunsplit writes unix:///PATH as unix:/PATH, which redis-py refuses
        clean = url.replace("?" + parts.query, "?" + urlencode(rest) if rest else "", 1)
    return clean, prefix.encode("utf-8")


def _glob_escape(name: bytes) -> bytes:
    """`name` as a literal in a Redis SCAN MATCH pattern."""
    return b"".join(b"\\" + bytes([c]) if c in b"*?[]\\" else bytes([c]) for c in name)


def redacted(url: str) -> str:
    """`url` with its password (`redis://USER:PASSWORD@HOST`, `?password=...`) shown as ***."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return url
    if password is not None:
        user, _, host = parts.netloc.rpartition("@")
        url = url.replace(parts.netloc, user.partition(":")[0] + ":***@" + host, 1)
    if parts.query:  # replaced in place: urlunsplit writes unix:///tmp/s as unix:/tmp/s
        url = url.replace("?" + parts.query, "?" + re.sub(r"(?i)(^|&)(password=)[^&]*", r"\1\2***", parts.query), 1)
    return url


REDIS_SCHEMES = ("redis://", "rediss://", "unix://")  # what redis.Redis.from_url takes


def _eviction_policy(r) -> str | None:
    """The server's maxmemory-policy when it may evict the index's keys (`allkeys-*`; the
    `volatile-*` policies evict only keys with a TTL, and the index sets none), else None.
    A server that refuses CONFIG (a managed Redis often does) is not asked again."""
    import redis

    try:
        policy = r.config_get("maxmemory-policy").get("maxmemory-policy", "")
    except redis.RedisError:
        return None
    policy = policy.decode() if isinstance(policy, bytes) else str(policy)
    return policy if policy.startswith("allkeys-") else None


class RedisIndex:
    persistent = True

    def __init__(self, url: str, root: str, settings: dict[str, str], options, rebuild: bool = False):
        shown = redacted(url)  # what messages name: never the password
        if not url.lower().startswith(REDIS_SCHEMES):  # before the import: a typo is not a missing package
            raise IndexUnavailable(f"corpus index {shown!r} is not a usable Redis URL "
                                   f"(redis://HOST:PORT/DB[?prefix=NAME]): not a redis:// URL")
        db = urlsplit(url).path.strip("/")
        if db and not db.isdigit() and not url.lower().startswith("unix://"):  # redis-py took '/x' for db 0
            raise IndexUnavailable(f"corpus index {shown!r} is not a usable Redis URL "
                                   f"(redis://HOST:PORT/DB[?prefix=NAME]): database {db!r} is not a number")
        try:
            import redis
        except ImportError:  # pragma: no cover
            raise IndexUnavailable(f"the corpus index {shown} needs the `redis` package (pip install redis)") from None
        clean, self.name = parse_url(url)
        self.location = shown
        self.bands, self.rows = mh.lsh_params(options.num_perm, options.rows)
        self.settings = dict(settings, bands=str(self.bands), rows=str(self.rows), layout="datasketch-redis-4")
        # 3: n counts distinct shingles; 4: shingles hold 32 bits each (shingle.verification_set)
        self.notes: list[str] = []
        try:
            self.r = redis.Redis.from_url(clean)
        except ValueError as exc:  # no or another scheme, a port or db that is not a number
            raise IndexUnavailable(f"corpus index {shown!r} is not a usable Redis URL "
                                   f"(redis://HOST:PORT/DB[?prefix=NAME]): {exc}") from None
        try:
            self.r.ping()
        except TypeError as exc:  # a query parameter redis-py does not know ('?prefx=team'), given to the connection
            raise IndexUnavailable(f"corpus index {shown!r} is not a usable Redis URL "
                                   f"(redis://HOST:PORT/DB[?prefix=NAME]): an unknown parameter ({exc})") from None
        except (redis.RedisError, ValueError) as exc:
            if isinstance(exc, redis.AuthenticationError) and shown == url:  # no password given
                # the server's reply ('HELLO must be called with the client already authenticated,
                # otherwise the HELLO AUTH <user> <pass> option ...') names no setting of newslint's
                exc = "the server requires a password: give it in the URL, redis://:PASSWORD@HOST:PORT/DB"
            raise IndexUnavailable(f"cannot reach the corpus index at {shown}: {exc}") from None
        policy = _eviction_policy(self.r)
        if policy:
            self.notes.append(f"the Redis at {shown} evicts keys when full (maxmemory-policy {policy}): an evicted "
                              f"bucket or document hides its duplicates from later runs; set maxmemory-policy "
                              f"noeviction (Redis's default) for the index")
        # the stat cache is per checkout: it stays local
        import hashlib
        import os

        from newslint.cache import ensure_cache_dir, mark_cache_dir

        tag = hashlib.blake2b(url.encode("utf-8"), digest_size=6).hexdigest()
        try:
            # in the cache folder given (`--cache-dir`, `cache-dir`), as the SQLite index is
            folder = mark_cache_dir(options.cache_dir) if options.cache_dir else ensure_cache_dir(root)
            path = os.path.join(folder, f"stat-redis-{tag}.sqlite3")
            self.local = SqliteIndex(root, dict(settings, index=url), path=path, keep_docs=False, rebuild=rebuild)
        except (OSError, sqlite3.OperationalError) as exc:
            if isinstance(exc, sqlite3.OperationalError) and "unable to open" not in str(exc):
                raise  # locked or busy past the timeout: not a folder problem
            # a folder that cannot be made or written (a read-only checkout) costs reading every
            # file again, not the run: the shared index is still used (as engine.open_index does)
            self.local = MemoryIndex(settings)
            self.notes.append(f"the corpus index's stat cache cannot be kept ({exc}); this run reads every file")
        self.notes.extend(self.local.notes)
        self.tables = [self.name + b"_bucket_" + struct.pack(">H", i) for i in range(self.bands)]
        self.keys_name = self.name + b"_keys"
        self._check_meta(rebuild)
        self._insert_sha = self._load_script()

    @_guarded
    def _load_script(self) -> bytes:
        return self.r.script_load(_INSERT_LUA)

    # -- meta ---------------------------------------------------------------------------------
    @_guarded
    def _check_meta(self, rebuild: bool) -> None:
        meta_key = self.name + b"_meta"
        have = {k.decode(): v.decode() for k, v in self.r.hgetall(meta_key).items()}
        if have and have != self.settings and not rebuild:
            diff = ", ".join(f"{k}: {have.get(k, '-')} -> {v}" for k, v in sorted(self.settings.items())
                             if have.get(k) != v)
            # a shared index: the other settings may be another team's, who will rebuild it back
            self.notes.append(f"corpus index {self.location} was built with other settings ({diff}); rebuilding it "
                              f"(runs whose settings differ need an index each: ?prefix=NAME in the URL)")
            rebuild = True
        if rebuild:
            self.clear()
            have = {}
        if not have:
            self.r.hset(meta_key, mapping=self.settings)

    @_guarded
    def clear(self) -> None:
        # this index's keys only: `NAME_*` also matches the keys of a longer prefix (`?prefix=news`
        # cleared `news_sport`), so each key found is kept unless it has the shape of one of ours
        start = len(self.name) + 1
        batch = []
        for key in self.r.scan_iter(match=_glob_escape(self.name) + b"_*", count=1000):
            rest = key[start:]
            if not (rest.startswith(b"bucket_") or rest in (b"keys", b"meta")
                    or (rest[:4] in (b"keys", b"doc_") and len(rest) == 4 + 16)):  # + a 16-byte content hash
                continue
            batch.append(key)
            if len(batch) >= 1000:
                self.r.delete(*batch)
                batch = []
        if batch:
            self.r.delete(*batch)
        self.local.clear()

    # -- stat cache (local) ----------------------------------------------------------------------
    def stat_rows(self):
        return self.local.stat_rows()

    # -- docs --------------------------------------------------------------------------------------
    def _doc(self, chash: bytes) -> bytes:
        return self.name + b"_doc_" + chash

    @_guarded
    def known(self, chashes: Iterable[bytes]) -> set[bytes]:
        chashes = list(chashes)
        out = set()
        for i in range(0, len(chashes), _PIPE):
            part = chashes[i:i + _PIPE]
            pipe = self.r.pipeline(transaction=False)
            for c in part:
                pipe.exists(self._doc(c))
            out.update(c for c, ok in zip(part, pipe.execute()) if ok)
        return out

    @_guarded
    def bulk(self, chashes: Iterable[bytes]) -> dict[bytes, tuple]:
        chashes = list(chashes)
        out = {}
        fields = (b"n", b"normhash", b"mode", b"sig", b"lines", b"head_row", b"head_len")
        for i in range(0, len(chashes), _PIPE):
            part = chashes[i:i + _PIPE]
            pipe = self.r.pipeline(transaction=False)
            for c in part:
                pipe.hmget(self._doc(c), fields)
            for c, (n, h, mode, sig, lines, hr, hl) in zip(part, pipe.execute()):
                if n is not None:
                    out[c] = (int(n), h, mode.decode(), sig, lines, int(hr), int(hl))
        return out

    @_guarded
    def shingles(self, chashes: Iterable[bytes]) -> dict[bytes, np.ndarray]:
        chashes = list(chashes)
        out = {}
        for i in range(0, len(chashes), _PIPE):
            part = chashes[i:i + _PIPE]
            pipe = self.r.pipeline(transaction=False)
            for c in part:
                pipe.hget(self._doc(c), b"shingles")
            for c, blob in zip(part, pipe.execute()):
                if blob is not None:
                    out[c] = np.frombuffer(blob, dtype="<u4")  # verification_set copies it
        return out

    @_guarded
    def commit(self, new_docs: list[DocFacts], file_rows, gone, live=None) -> None:
        pipe = self.r.pipeline(transaction=False)
        n = 0
        for f in new_docs:
            mapping = {
                b"normhash": f.normhash, b"mode": f.mode, b"n": f.n, b"sig": f.sig.astype("<u4").tobytes(),
                b"shingles": f.shingles.astype("<u4").tobytes(), b"lines": f.line_hashes.astype("<i8").tobytes(),
                b"head_row": f.head_row, b"head_len": f.head_len,
            }
            if f.n > 0:  # empty texts would all share one bucket: they stay out of the LSH
                hs = mh.band_bytes(f.sig, self.bands, self.rows)
                pipe.evalsha(self._insert_sha, 0, self.name, f.chash, self.bands, *hs)
                n += 1
            # the doc hash last: once it exists, its buckets do too
            pipe.hset(self._doc(f.chash), mapping=mapping)
            n += 1
            if n >= _PIPE:
                pipe.execute()
                n = 0
        pipe.execute()
        self.local.commit([], file_rows, gone)

    @_guarded
    def bucket_candidates(self, query_facts: list[DocFacts], corpus_chashes: set[bytes]):
        """{query content hash: content hashes sharing a bucket} from the Redis buckets."""
        out: dict[bytes, set[bytes]] = {}
        todo = [f for f in query_facts if f.n > 0]
        for i in range(0, len(todo), max(1, _PIPE // self.bands)):
            part = todo[i:i + max(1, _PIPE // self.bands)]
            pipe = self.r.pipeline(transaction=False)
            for f in part:
                for table, h in zip(self.tables, mh.band_bytes(f.sig, self.bands, self.rows)):
                    pipe.smembers(table + h)
            res = pipe.execute()
            for k, f in enumerate(part):
                found = set().union(*res[k * self.bands:(k + 1) * self.bands])
                out[f.chash] = {c for c in found if c in corpus_chashes and c != f.chash}
        return out

    @_guarded
    def counts(self) -> tuple[int, int]:
        return self.local.counts()[0], self.r.hlen(self.keys_name)

    def close(self) -> None:
        self.local.close()
        try:
            self.r.close()
        except Exception:
            pass
