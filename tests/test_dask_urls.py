"""URL paths with `--engine dask`: a folder of real BBC articles (with planted duplicates, a
near-duplicate, a corpus-wide sign-off and the merged sample) served through fsspec as
file://, zip://...::file:// and http:// (python -m http.server on loopback) must give the
findings the local engine gives on the same folder, named by URL. Bad URLs are usage errors.

The cluster is test_dask_engine's (one per session, workers in a folder of their own).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="distributed not installed (pip install 'newslint[dask]')")
fsspec = pytest.importorskip("fsspec")

from conftest import BBC, SAMPLE, need, run_newslint  # noqa: E402
from test_dask_engine import _free_port, cluster  # noqa: E402,F401  (the session's cluster)

SIGN_OFF = "Follow the business desk on the wire for updates every hour."


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """site/news: 25 tech and 15 business articles, tech/copy.txt (a copy: NL401), tech/edited.txt
    (one sentence changed: NL402), business/short.txt (the last paragraph dropped: NL403), a
    sign-off line in 6 files (NL202), merged.txt (the sample: NL101/102/201/301); and what
    discovery must skip: a hidden folder, a folder excluded by site/newslint.toml, a .csv file."""
    need(BBC)
    need(SAMPLE)
    site = tmp_path_factory.mktemp("site")
    news = site / "news"
    for cat, n in (("tech", 25), ("business", 15)):
        (news / cat).mkdir(parents=True)
        for src in sorted((BBC / cat).glob("*.txt"))[:n]:
            shutil.copy(src, news / cat / src.name)
    shutil.copy(BBC / "tech" / "001.txt", news / "tech" / "copy.txt")
    text = (BBC / "tech" / "010.txt").read_text(encoding="utf-8")
    first = text.split(". ")[1]
    (news / "tech" / "edited.txt").write_text(text.replace(first, "The report said otherwise", 1), encoding="utf-8")
    paras = (BBC / "business" / "002.txt").read_text(encoding="utf-8").rstrip("\n").split("\n\n")
    (news / "business" / "short.txt").write_text("\n\n".join(paras[:-1]) + "\n", encoding="utf-8")
    for p in sorted((news / "business").glob("0*.txt"))[:6]:
        p.write_text(p.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + SIGN_OFF + "\n", encoding="utf-8")
    shutil.copy(SAMPLE, news / "merged.txt")
    for skipped in (".drafts", "old"):
        (news / skipped).mkdir()
        shutil.copy(BBC / "tech" / "002.txt", news / skipped / "x.txt")
    (news / "notes.csv").write_text("a,b\n")
    (site / "newslint.toml").write_text('extend-exclude = ["old"]\n')
    return site


def _check(cwd: Path, *args: str) -> tuple[int, str, str]:
    fmt = () if "--diff" in args else ("--output-format", "json")  # a diff is no json report
    p = run_newslint("check", *fmt, "--no-cache", *args, cwd=cwd, timeout=900)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


@pytest.fixture(scope="module")
def local(site) -> tuple[int, list]:
    """The local engine's findings on site/news, run from site/ with its absolute path: the
    report names the files from there ('news/business/001.txt'), as every JSON report does."""
    rc, out, err = _check(site, "--engine", "local", str(site / "news"))
    assert rc == 1, err
    found = json.loads(out)
    codes = {d["code"] for d in found}
    assert {"NL101", "NL102", "NL201", "NL202", "NL301", "NL401", "NL402", "NL403"} <= codes, codes
    assert not any("/old/" in d["filename"] or "/.drafts/" in d["filename"] for d in found)
    return rc, found


def _dask(addr: str, cwd: Path, *paths: str) -> tuple[int, str]:
    rc, out, err = _check(cwd, "--engine", "dask", "--scheduler", addr, "--partition-size", "12", *paths)
    assert rc in (0, 1), err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    return rc, out


def _as_local(out: str, url_prefix: str, local_prefix: str, suffix: str = "") -> list:
    """A URL run's findings with its URL names written as the local names (in filenames,
    related files and messages alike)."""
    assert url_prefix in out
    if suffix:
        out = out.replace(suffix, "")
    return json.loads(out.replace(url_prefix, local_prefix))


def test_file_urls(cluster, site, local):
    addr, _ = cluster
    news = site / "news"
    rc, out = _dask(addr, site, f"file://{news}")
    assert '"filename": "file:///' in out
    assert (rc, _as_local(out, f"file://{news}/", "news/")) == local


def test_url_corpus_is_the_urls_given_not_the_git_repo(cluster, site, local, tmp_path):
    """From inside a git work tree, a local path's corpus is the whole repo; a URL's is the
    URLs given. A committed copy of a checked article must not be reported."""
    addr, _ = cluster
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(site / "newslint.toml", repo / "newslint.toml")
    shutil.copy(BBC / "tech" / "003.txt", repo / "committed.txt")
    for cmd in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", *cmd], cwd=repo, check=True, capture_output=True)
    news = site / "news"
    rc, out = _dask(addr, repo, f"file://{news}")
    assert "committed.txt" not in out
    assert (rc, _as_local(out, f"file://{news}/", "news/")) == local


def test_zip_urls(cluster, site, local, tmp_path):
    """A chained URL: the folder inside a zip archive (fsspec's zip filesystem over file://)."""
    addr, _ = cluster
    archive = tmp_path / "news.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in sorted((site / "news").rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(site).as_posix())
    rc, out = _dask(addr, site, f"zip://news::file://{archive}")
    assert f'"filename": "zip://news/merged.txt::file://{archive}"' in out
    assert (rc, _as_local(out, "zip://news/", "news/", f"::file://{archive}")) == local


def test_diff_on_urls_writes_nothing(cluster, site):
    """--diff is read-only, so it works on URLs: the local engine's diff, under the URL names."""
    addr, _ = cluster
    news = site / "news"
    rc_l, out_l, err_l = _check(site, "--engine", "local", "--diff", "--unsafe-fixes", str(news / "merged.txt"))
    rc_d, out_d = _dask(addr, site, "--diff", "--unsafe-fixes", f"file://{news}/merged.txt")
    assert f"+++ file://{news}/merged-2.txt\n" in out_d  # the split-off article, shown as a new file
    assert (rc_d, out_d.replace(f"file://{news}/", f"{news}/")) == (rc_l, out_l) and rc_l == 1
    assert (news / "merged.txt").read_bytes() == SAMPLE.read_bytes() and not (news / "merged-2.txt").exists()


def test_diff_with_unsafe_fixes_shows_corpus_boilerplate_deletions(cluster, site):
    """--diff --unsafe-fixes shows NL202's deletions of the sign-off line, as --fix would make
    them, on the cluster as on the local engine (the cluster's diff left them out)."""
    addr, _ = cluster
    news = site / "news" / "business"
    rc_l, out_l, err_l = _check(site, "--engine", "local", "--diff", "--unsafe-fixes", str(news))
    assert f"-{SIGN_OFF}\n" in out_l, err_l
    rc_d, out_d = _dask(addr, site, "--diff", "--unsafe-fixes", f"file://{news}")
    assert (rc_d, out_d.replace(f"file://{news}/", f"{news}/")) == (rc_l, out_l)


@pytest.fixture(scope="module")
def http_site(site):
    """site/ served by `python -m http.server` on loopback: its base URL."""
    pytest.importorskip("aiohttp", reason="fsspec's http:// filesystem needs aiohttp")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None and time.time() < deadline, "http.server did not start"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_http_urls(cluster, site, local, http_site):
    addr, _ = cluster
    rc, out = _dask(addr, site, f"{http_site}/news")
    assert (rc, _as_local(out, f"{http_site}/news/", "news/")) == local


def test_local_and_url_paths_together(cluster, site, tmp_path):
    """Local folders and URLs in one run: one corpus (a duplicate across the two is found both
    ways), each file named as given, the findings those of the local engine on the same files."""
    addr, _ = cluster
    news = site / "news"
    shutil.copytree(news / "tech", tmp_path / "tech")
    (tmp_path / "tech" / "from-business.txt").write_bytes((news / "business" / "003.txt").read_bytes())
    shutil.copy(site / "newslint.toml", tmp_path / "newslint.toml")
    rc_l, out_l, err_l = _check(tmp_path, "--engine", "local", "tech", str(news / "business"), str(news / "merged.txt"))
    assert rc_l == 1, err_l
    rc_d, out_d = _dask(addr, tmp_path, "tech", f"file://{news}/business", f"file://{news}/merged.txt")
    assert '"filename": "tech/from-business.txt"' in out_d
    assert f'"filename": "file://{news}/business/003.txt"' in out_d
    found = _as_local(out_d, f"file://{news}/", f"{news}/")
    assert (rc_d, found) == (rc_l, json.loads(out_l))
    cross = {(d["filename"], r["filename"]) for d in found if d["code"] == "NL401" for r in d["related"]}
    assert ("tech/from-business.txt", f"{news}/business/003.txt") in cross
    assert (f"{news}/business/003.txt", "tech/from-business.txt") in cross


# -- usage errors: exit 2, a message naming the problem, no traceback ------------------------------

def _usage_error(cli, *args: str) -> str:
    res = cli("check", *args)  # the `cli` fixture lets exceptions through: a traceback fails here
    assert res.exit_code == 2, res.output
    return res.output


def test_url_needs_the_dask_engine(cli, site):
    out = _usage_error(cli, "--engine", "local", f"file://{site / 'news'}")
    assert "URL paths need --engine dask" in out


def test_fix_refuses_urls_and_touches_nothing(cli, site, tmp_path):
    local_copy = tmp_path / "merged.txt"
    shutil.copy(SAMPLE, local_copy)
    out = _usage_error(cli, "--fix", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9",
                       str(local_copy), f"file://{site / 'news' / 'merged.txt'}")
    assert "--fix cannot write to a URL" in out
    assert local_copy.read_bytes() == SAMPLE.read_bytes() == (site / "news" / "merged.txt").read_bytes()
    assert "URLs are never written" in " ".join(cli("check", "--help").output.split())


@pytest.mark.parametrize("url, message", [
    ("file:///nonexistent-newslint/news", "path does not exist: file:///nonexistent-newslint/news"),
    ("zip://news::file:///nonexistent-newslint/news.zip", "path does not exist: zip://news::file://"),
    ("nosuchproto://host/news", "unknown URL protocol"),
])
def test_bad_url_is_a_usage_error(cli, url, message):
    assert message in _usage_error(cli, "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", url)


def test_missing_fsspec_backend_is_a_usage_error(cli, monkeypatch):
    """A protocol fsspec knows whose package is not installed (as s3:// without s3fs)."""
    from fsspec.registry import known_implementations

    monkeypatch.setitem(known_implementations, "nlmissing",
                        {"class": "newslint_no_such_package.FileSystem",
                         "err": "Install newslint-no-such-package to access nlmissing://"})
    out = _usage_error(cli, "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", "nlmissing://bucket/news")
    assert "the fsspec backend for this protocol is not installed" in out
    assert "Install newslint-no-such-package" in out


def test_unreachable_http_server_is_a_usage_error(cli):
    pytest.importorskip("aiohttp", reason="fsspec's http:// filesystem needs aiohttp")
    url = f"http://127.0.0.1:{_free_port()}/news"
    assert f"cannot list {url}" in _usage_error(cli, "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", url)


# -- the pieces, in-process -------------------------------------------------------------------------

def test_url_folder_listed_as_a_local_folder_is_walked(tmp_path):
    """Same files, same order as local discovery under the same globs (a '/' glob anchored at
    the URL as at the config's folder): hidden and tool folders skipped, names sorted."""
    from newslint.config import Resolver
    from newslint.remote import list_url
    from newslint.runner import files_to_check

    tree = tmp_path / "tree"
    for rel in ("b.txt", "a.md", "a-b.txt", "a/z.txt", "a/b/c.txt", "drafts/x.txt", "sub/drafts/y.txt",
                ".hidden/x.txt", "node_modules/x.txt", "x.skip.txt", "notes.csv", ".x.txt"):
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text("Headline\n\nBody.\n")
    (tree / "newslint.toml").write_text('exclude = ["drafts/", "*.skip.txt"]\n')
    resolver = Resolver()
    walked = files_to_check([str(tree)], resolver)
    s = resolver.for_path(str(tree))
    listed = list_url(f"file://{tree}", s.include, s.all_excludes)
    assert [u.replace("file://", "", 1) for u in listed] == walked
    assert [os.path.relpath(p, tree) for p in walked] == ["a-b.txt", "a.md", "a/b/c.txt", "a/z.txt", "b.txt",
                                                         "sub/drafts/y.txt"]


def test_url_per_file_ignores_match_the_end_of_the_path():
    from newslint.config import Settings
    from newslint.remote import ignored_codes

    s = Settings(per_file_ignores=(("wire/*.txt", ("NL201",)), ("*.md", ("NL301",))))
    assert ignored_codes("s3://bucket/news/wire/a.txt", s) == ["NL201"]
    assert ignored_codes("zip://news/wire/a.txt::file:///data/news.zip", s) == ["NL201"]
    assert ignored_codes("s3://bucket/news/tech/a.md", s) == ["NL301"]
    assert ignored_codes("s3://bucket/wireless/a.txt", s) == []
    dotted = Settings(per_file_ignores=(("./wire/*.txt", ("NL201",)),))  # written from the config's folder
    assert ignored_codes("s3://bucket/news/wire/a.txt", dotted) == ["NL201"]


def test_url_file_gone_after_listing_is_nl500_and_never_fixed(site):
    """On a worker: a URL that cannot be read is a finding for that file; a fix is never
    attempted (the command line refuses --fix first; this is the second lock)."""
    from newslint.config import Settings
    from newslint.remote import check_url
    from newslint.runner import CheckOptions, LinterFactory

    gone = check_url(f"file://{site}/news/gone.txt", Settings(), LinterFactory(CheckOptions()), CheckOptions())
    assert gone.error and [(d.code, d.message) for d in gone.diagnostics] == [("NL500", "no such file")]
    url = f"file://{site}/news/merged.txt"
    before = (site / "news" / "merged.txt").read_bytes()
    fix = CheckOptions(mode="fix", unsafe_fixes=True)
    res = check_url(url, Settings(), LinterFactory(fix), fix)
    assert res.error and not res.written and (site / "news" / "merged.txt").read_bytes() == before
