"""The shared Redis index against a real redis-server on a free loopback port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

from newslint.corpus import CorpusOptions, analyze

from conftest import SHARED, need  # noqa: E402
ARTICLES = SHARED / "corpora" / "bbc" / "articles"




def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install -y redis-server): Redis index tests skipped")
    pytest.importorskip("redis", reason="the `redis` client package is not installed")
    import redis

    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--unixsocket", str(folder / "redis.sock"),
         "--dir", str(folder), "--save", "",
         "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("redis-server did not start")
    yield f"redis://127.0.0.1:{port}/0"
    client.close()
    proc.terminate()
    proc.wait(timeout=10)


def key(result):
    return {name: [(d.code, d.message, d.row, d.related) for d in diags] for name, diags in result.diagnostics.items()}


COMMON = dict(threshold=0.5, use_git=False, cwd=str(ARTICLES))


@pytest.fixture(scope="module")
def cold(redis_url, tmp_path_factory):
    """The BBC corpus indexed into an empty Redis (database 0, prefix `newslint`)."""
    need(ARTICLES)
    return analyze(None, None, CorpusOptions(cache_root=str(tmp_path_factory.mktemp("b")), index_url=redis_url,
                                             **COMMON))


def test_redis_index_gives_the_same_findings_as_sqlite(redis_url, cold, tmp_path):
    sqlite = analyze(None, None, CorpusOptions(cache_root=str(tmp_path / "a"), **COMMON))
    assert cold.index_location == redis_url
    assert cold.stats.signed == 2224 - 98  # exact copies share a content hash: signed once
    assert key(cold) == key(sqlite)
    assert cold.edges == sqlite.edges
    # a second checkout (fresh stat cache) finds every signature in Redis: reads, never re-signs
    warm = analyze(None, None, CorpusOptions(cache_root=str(tmp_path / "c"), index_url=redis_url, **COMMON))
    assert warm.stats.hashed == 2225 and warm.stats.signed == 0
    assert key(warm) == key(sqlite)
    # the hook shape: a few files, candidates from the Redis buckets
    few = ["sport/312.txt", "business/007.txt", "politics/111.txt", "tech/164.txt"]
    hook_redis = analyze(few, ["."], CorpusOptions(cache_root=str(tmp_path / "c"), index_url=redis_url, **COMMON))
    hook_sqlite = analyze(few, ["."], CorpusOptions(cache_root=str(tmp_path / "a"), **COMMON))
    assert hook_redis.stats.hashed == 0 and hook_redis.stats.candidates < 20
    assert key(hook_redis) == key(hook_sqlite)
    assert {k: v for k, v in key(sqlite).items() if k in few} == key(hook_redis)
    assert all(key(hook_redis)[f] for f in few)


def test_datasketch_reads_the_redis_buckets(redis_url, cold):
    datasketch = pytest.importorskip("datasketch")
    from urllib.parse import urlsplit

    from newslint.corpus.shingle import content_hash, shingles_of_text, tok64_hash32

    parts = urlsplit(redis_url)
    lsh = datasketch.MinHashLSH(
        num_perm=128, params=(64, 2), prepickle=False,
        storage_config={"type": "redis", "basename": b"newslint",
                        "redis": {"host": parts.hostname, "port": parts.port, "db": 0}},
    )
    text = (ARTICLES / "sport/312.txt").read_text(encoding="utf-8")
    m = datasketch.MinHash(num_perm=128, hashfunc=tok64_hash32)  # the index's default shingle hash
    m.update_batch(shingles_of_text(text)[0])
    found = set(lsh.query(m))
    expect = {content_hash((ARTICLES / n).read_bytes()) for n in ("sport/312.txt", "sport/416.txt")}
    assert expect <= found
    assert content_hash((ARTICLES / "sport/312.txt").read_bytes()) in lsh  # the keys table too


def test_redis_settings_mismatch_rebuilds_with_a_note(redis_url, tmp_path):
    need(ARTICLES)
    small = tmp_path / "small"
    small.mkdir()
    for n in ("business/007.txt", "business/253.txt", "business/001.txt"):
        shutil.copyfile(ARTICLES / n, small / n.replace("/", "-"))
    url = redis_url.replace("/0", "/2") + "?prefix=team"
    base = dict(use_git=False, cwd=str(small), cache_root=str(tmp_path), index_url=url)
    first = analyze(["."], None, CorpusOptions(**base))
    assert not first.notes
    other = analyze(["."], None, CorpusOptions(num_perm=64, **base))
    assert any("num_perm: 128 -> 64" in n and "rebuilding" in n for n in other.notes), other.notes
    # two teams (or configs) sharing one Redis with different settings would wipe each other's
    # index run after run: the note says how each keeps its own
    assert any("?prefix=NAME" in n for n in other.notes), other.notes
    assert other.stats.signed == 2  # 007 and 253 are the same bytes: one content, signed once
    assert key(other) == key(first)


def _small_copy(folder):
    folder.mkdir()
    for n in ("business/007.txt", "business/253.txt", "business/001.txt"):
        shutil.copyfile(ARTICLES / n, folder / n.replace("/", "-"))
    return folder


@pytest.mark.parametrize("command", [("check", "."), ("dups",), ("index",)])
def test_a_redis_that_fails_after_it_answered_is_an_error_not_a_traceback(redis_url, tmp_path, command):
    """A shared Redis that answers PING but then refuses the run's commands (here: full, at
    its maxmemory with the default noeviction policy; a server restarted or a connection
    dropped mid-run fail the same way) stopped the run with an internal error and redis-py's
    traceback: only the connection at the start was checked."""
    import redis

    from conftest import run_newslint

    need(ARTICLES)
    small = _small_copy(tmp_path / "small")
    url = redis_url.replace("/0", "/5") + "?prefix=full"
    admin = redis.Redis.from_url(redis_url)
    admin.config_set("maxmemory", 1)
    try:
        proc = run_newslint(*command, "--index", url, cwd=small)
    finally:
        admin.config_set("maxmemory", 0)
        admin.close()
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "internal error" not in err, err
    assert proc.returncode == 2, err
    assert url in err and "maxmemory" in err, err


def test_rebuilding_one_prefix_leaves_a_longer_prefix_alone(redis_url, tmp_path):
    """Two teams on one Redis database, `?prefix=news` and `?prefix=news_sport`: rebuilding
    `news` (`newslint index --rebuild`, or a run with other settings) scanned for `news_*`
    and deleted every key of `news_sport` too, whose next run then had to sign everything
    again."""
    import redis

    need(ARTICLES)
    small = _small_copy(tmp_path / "small")
    base = redis_url.replace("/0", "/6")
    sport = dict(use_git=False, cwd=str(small), cache_root=str(tmp_path / "sport"), index_url=base + "?prefix=news_sport")
    analyze(["."], None, CorpusOptions(**sport))
    admin = redis.Redis.from_url(base)
    before = sorted(admin.scan_iter(match=b"news_sport_*"))
    assert before
    analyze(["."], None, CorpusOptions(use_git=False, cwd=str(small), cache_root=str(tmp_path / "news"),
                                       index_url=base + "?prefix=news", rebuild=True))
    assert sorted(admin.scan_iter(match=b"news_sport_*")) == before
    again = analyze(["."], None, CorpusOptions(**sport))
    assert again.stats.signed == 0 and not again.notes
    admin.close()


def test_the_redis_password_is_never_printed(redis_url, tmp_path):
    """A Redis that requires a password is given one in the URL (redis://:PASSWORD@HOST:PORT/DB):
    `newslint index` printed that URL whole on stdout, and the notes and errors naming the index
    did on stderr, so the password landed in every CI log and terminal scrollback."""
    import redis

    from conftest import run_newslint

    need(ARTICLES)
    small = _small_copy(tmp_path / "small")
    secret, wrong = "s3cret-team-pw", "wr0ng-team-pw"
    url = redis_url.replace("127.0.0.1", f":{secret}@127.0.0.1").replace("/0", "/8")
    admin = redis.Redis.from_url(redis_url)
    admin.config_set("requirepass", secret)
    admin = redis.Redis.from_url(url)
    try:
        built = run_newslint("index", "--index", url, cwd=small)
        other = run_newslint("check", "--index", url, "--config", "duplicates.num-perm = 64", ".", cwd=small)
        refused = run_newslint("check", "--index", url.replace(secret, wrong), ".", cwd=small)
    finally:
        admin.config_set("requirepass", "")
        admin.close()
    shown = url.replace(secret, "***")
    assert built.returncode == 0, built.stderr
    assert shown in built.stdout.decode()
    assert "built with other settings" in other.stderr.decode() and shown in other.stderr.decode()
    assert refused.returncode == 2 and "cannot reach" in refused.stderr.decode()
    for proc in (built, other, refused):
        out = (proc.stdout + proc.stderr).decode("utf-8", "replace")
        assert secret not in out and wrong not in out, out


def test_a_redis_that_wants_a_password_says_so(redis_url, tmp_path):
    """A Redis with requirepass, given no password: the error was redis-server's reply to the
    client's HELLO ('HELLO must be called with the client already authenticated, otherwise the
    HELLO AUTH <user> <pass> option can be used ...'), naming a protocol command a newslint user
    never types instead of where the password goes."""
    import redis

    from conftest import run_newslint

    need(ARTICLES)
    small = _small_copy(tmp_path / "small")
    admin = redis.Redis.from_url(redis_url)
    admin.config_set("requirepass", "team-pw")
    admin = redis.Redis.from_url(redis_url.replace("127.0.0.1", ":team-pw@127.0.0.1"))
    try:
        proc = run_newslint("check", "--index", redis_url, ".", cwd=small)
    finally:
        admin.config_set("requirepass", "")
        admin.close()
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2 and "Traceback" not in err, err
    assert "requires a password" in err and "redis://:PASSWORD@" in err, err
    assert "HELLO" not in err, err


def test_the_redis_index_keeps_its_stat_cache_in_the_cache_dir_given(redis_url, tmp_path):
    """`--cache-dir` (`cache-dir` in the config) is where the cache lives, the corpus index's
    too: the SQLite index honours it, but with a Redis index the local stat cache (path ->
    content hash) was still made in `.newslint_cache/` beside the files, a folder the user had
    moved the cache out of (a read-only or shared checkout)."""
    from conftest import run_newslint

    need(ARTICLES)
    small = _small_copy(tmp_path / "small")
    cache = tmp_path / "elsewhere"
    proc = run_newslint("check", "--cache-dir", cache, "--index", redis_url.replace("/0", "/9"), ".", cwd=small)
    assert proc.returncode == 1, proc.stderr.decode()
    assert not (small / ".newslint_cache").exists()
    assert list(cache.glob("stat-redis-*.sqlite3"))


def test_a_stat_cache_that_cannot_be_made_costs_speed_not_the_run(redis_url, tmp_path):
    """A checkout where the cache folder cannot be made (read-only, or a file in its place):
    the SQLite index is then kept in memory with a note, but the Redis index's local stat cache
    raised from os.makedirs, an internal error (FileExistsError, exit 2) for a cache that only
    saves reading files again."""
    from conftest import run_newslint

    need(ARTICLES)
    small = _small_copy(tmp_path / "small")
    (small / ".newslint_cache").write_text("not a folder\n")
    proc = run_newslint("check", "--select", "NL401", "--index", redis_url.replace("/0", "/9"), ".", cwd=small)
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "internal error" not in err, err
    assert proc.returncode == 1 and b"NL401" in proc.stdout, err
    assert "stat cache" in err, err


def test_a_unix_socket_url_reaches_the_server(redis_url, tmp_path):
    """unix:///PATH/redis.sock is one of the three URL forms the index takes (redis-py's), but
    taking `?prefix=` out of the URL wrote it back as unix:/PATH/redis.sock, which redis-py
    refuses: 'Redis URL must specify one of the following schemes (redis://, rediss://,
    unix://)', of a URL that does."""
    import redis

    from conftest import run_newslint

    need(ARTICLES)
    small = _small_copy(tmp_path / "small")
    admin = redis.Redis.from_url(redis_url)
    sock = admin.config_get("unixsocket")["unixsocket"]
    admin.close()
    for url in (f"unix://{sock}", f"unix://{sock}?db=4&prefix=sock"):
        proc = run_newslint("check", "--select", "NL401", "--index", url, ".", cwd=small)
        assert proc.returncode == 1 and b"NL401" in proc.stdout, proc.stderr.decode()
    client = redis.Redis.from_url(f"unix://{sock}?db=4")
    assert client.exists(b"sock_meta")
    client.close()


def test_a_redis_that_evicts_keys_is_named_in_a_note(redis_url, tmp_path):
    """A Redis that evicts keys when full (maxmemory-policy allkeys-lru, as a Redis set up as a
    cache is) drops bucket keys the hook's small runs take their candidates from: a near copy
    of a file whose buckets were evicted then passed without a word (NL402 only with
    --no-cache). The index cannot see what was evicted, so the run says the server may evict."""
    import redis

    from conftest import run_newslint

    need(ARTICLES)
    small = _small_copy(tmp_path / "small")
    admin = redis.Redis.from_url(redis_url)
    try:
        admin.config_set("maxmemory-policy", "allkeys-lru")
        evicting = run_newslint("check", "--index", redis_url, ".", cwd=small)
    finally:
        admin.config_set("maxmemory-policy", "noeviction")
    kept = run_newslint("check", "--index", redis_url, ".", cwd=small)
    admin.close()
    err = evicting.stderr.decode("utf-8", "replace")
    assert "maxmemory-policy allkeys-lru" in err and "noeviction" in err, err
    assert "maxmemory-policy" not in kept.stderr.decode("utf-8", "replace")
    assert evicting.stdout == kept.stdout  # a note only: the findings are the same
