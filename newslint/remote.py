"""URL paths (any fsspec URL: file://, http://, s3://, zip://...::file://...) for the Dask engine.

The client lists URL folders here (`list_url`); the workers read and lint URL files here
(`read_url`, `check_url`). URLs are read only: there is no atomic rename or file lock on an
object store or a web server, so nothing here ever writes (`--fix` refuses URLs).

Names: a URL folder's files are reported as the URL given joined with the path below it
(`http://host/news` -> `http://host/news/tech/001.txt`), the way a local folder's files are
named from the folder as given. A chained URL keeps its chain
(`zip://news::file:///a.zip` -> `zip://news/tech/001.txt::file:///a.zip`).
"""

from __future__ import annotations

import fnmatch
import os
import re

from newslint.files import SKIP_DIRS, dotless

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+://")  # two letters at least: never a drive such as C://


class RemoteError(Exception):
    """A URL that cannot be used: unknown protocol, backend not installed, nothing there."""


def is_url(path: str) -> bool:
    return bool(_URL.match(path))


def settings_for(path: str, resolver):
    """A URL has no folder on this machine to look for a config in: it takes the settings of
    the current folder (as `newslint check` with no path would); a local path its own."""
    return resolver.for_path(os.getcwd() if is_url(path) else path)


def _filesystem(url: str):
    """(fsspec filesystem, path inside it), or RemoteError saying what is missing."""
    try:
        import fsspec
    except ImportError:
        raise RemoteError(f"{url}: reading URLs needs fsspec: pip install 'newslint[dask]'") from None
    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as exc:  # fsspec knows the protocol, its package is missing ("Install s3fs ...")
        raise RemoteError(f"{url}: the fsspec backend for this protocol is not installed ({exc})") from None
    except ValueError as exc:  # "Protocol not known: foo"
        raise RemoteError(f"{url}: unknown URL protocol ({exc})") from None
    except FileNotFoundError:  # a chained URL whose archive is missing
        raise RemoteError(f"path does not exist: {url}") from None
    except Exception as exc:  # each backend fails in its own terms (bad credentials, ...)
        raise RemoteError(f"{url}: cannot open ({type(exc).__name__}: {exc})") from None


def _split_chain(url: str) -> tuple[str, str]:
    """'zip://news::file:///a.zip' -> ('zip://news', '::file:///a.zip'); ('http://h/x', '')."""
    head, sep, tail = url.partition("::")
    return head, sep + tail


def list_url(url: str, include, exclude, force_exclude: bool = False) -> list[str]:
    """The files under a URL folder (sorted, filtered as a local folder is), or the URL itself
    when it names a file. Raises RemoteError when the URL does not exist or cannot be listed."""
    fs, root = _filesystem(url)
    try:
        # isdir first: over HTTP a folder's index page also counts as a file
        if fs.isdir(root):
            found = fs.find(root)
        elif fs.isfile(root):
            name = _split_chain(url)[0].rstrip("/").rsplit("/", 1)[-1]
            return [] if force_exclude and _url_matches(name, exclude) else [url]
        else:
            raise RemoteError(f"path does not exist: {url}")
    except RemoteError:
        raise
    except Exception as exc:  # each backend raises its own errors (aiohttp, botocore, ...)
        raise RemoteError(f"cannot list {url}: {type(exc).__name__}: {exc}") from None
    head, chain = _split_chain(url)
    prefix = root.rstrip("/") + "/"
    rels = sorted(p[len(prefix):] for p in found if p.startswith(prefix))
    return [f"{head.rstrip('/')}/{rel}{chain}" for rel in rels if _wanted(rel, include, exclude)]


def _wanted(rel: str, include, exclude) -> bool:
    """Local discovery's rules on a path below the URL given: no hidden or tool folders, a file
    name that matches `include`, nothing that matches `exclude`."""
    parts = rel.split("/")
    if any(p.startswith(".") for p in parts) or any(p in SKIP_DIRS for p in parts[:-1]):
        return False
    return _url_matches(rel, include, name_only=True) and not _url_matches(rel, exclude)


def _url_matches(rel: str, globs, name_only: bool = False) -> bool:
    """`newslint.files._matches` for a path below a URL: a glob with a '/' is anchored at the
    URL given (it stands for the config's folder); a plain glob matches the file name, or with
    name_only=False any folder name on the way."""
    parts = [p for p in rel.split("/") if p]
    for g in globs:
        if "/" in g:
            g = g.strip("/")
            if fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(rel, g + "/*"):
                return True
        elif parts and (fnmatch.fnmatch(parts[-1], g)
                        or (not name_only and any(fnmatch.fnmatch(p, g) for p in parts[:-1]))):
            return True
    return False


def ignored_codes(path: str, settings) -> list[str]:
    """per-file-ignores for a file: a URL's globs match the end of its path ('wire/*.txt'
    matches .../wire/a.txt), a local file's the path relative to the config's folder."""
    if not is_url(path):
        from newslint.runner import per_file_ignored

        return per_file_ignored(path, settings)
    rel = _split_chain(path)[0].split("://", 1)[1]
    parts = rel.split("/")
    tails = ["/".join(parts[i:]) for i in range(len(parts))]
    return [code for glob, codes in settings.per_file_ignores
            if any(fnmatch.fnmatch(t, dotless(glob).strip("/")) for t in tails) for code in codes]


def linter_for(path: str, settings, factory):
    """The file's linter: `settings`' rules less its per-file-ignores (as runner.check_file)."""
    from newslint.runner import _without

    linter, _ = factory.get(settings)
    ignored = ignored_codes(path, settings)
    return _without(linter, ignored) if ignored else linter


def read_url(url: str, max_bytes: int) -> bytes:
    """A URL's bytes, never more than `max_bytes` (SourceError NL503), or SourceError NL500."""
    from newslint.source import SourceError

    fs, path = _filesystem_for_read(url)
    try:
        with fs.open(path, "rb") as fh:
            size = getattr(fh, "size", None)
            if size is not None and size > max_bytes:
                raise SourceError("NL503", f"file is {size:,} bytes, over the {max_bytes:,}-byte limit "
                                           "(max-file-size); skipped")
            data = fh.read(max_bytes + 1)
    except SourceError:
        raise
    except FileNotFoundError:
        raise SourceError("NL500", "no such file") from None
    except PermissionError as exc:
        raise SourceError("NL500", f"cannot read: {exc.strerror or 'permission denied'}") from None
    except Exception as exc:  # each backend raises its own errors; one file's failure is a finding
        raise SourceError("NL500", f"cannot read: {type(exc).__name__}: {exc}") from None
    if len(data) > max_bytes:
        raise SourceError("NL503", f"file grew past the {max_bytes:,}-byte limit (max-file-size) "
                                   "while being read; skipped")
    return data


def url_head(url: str, n: int) -> tuple[int, bytes]:
    """(size, first `n` bytes) of a URL: what the corpus pass keeps of a file over its size
    limit. Raises SourceError NL500 when it cannot be read."""
    from newslint.source import SourceError

    fs, path = _filesystem_for_read(url)
    try:
        with fs.open(path, "rb") as fh:
            head = fh.read(n)
            return (getattr(fh, "size", None) or len(head)), head
    except Exception as exc:  # each backend raises its own errors
        raise SourceError("NL500", f"cannot read: {type(exc).__name__}: {exc}") from None


def _filesystem_for_read(url: str):
    from newslint.source import SourceError

    try:
        return _filesystem(url)
    except RemoteError as exc:  # on a worker: a finding for this file, not a stop
        raise SourceError("NL500", f"cannot read: {exc}") from None


def check_url(url: str, settings, factory, opts):
    """`runner.check_file` for a URL: lint (or --diff) it with `settings`; never writes."""
    from newslint.engine import FileResult, error_result, process_source
    from newslint.source import SourceError, decode

    if opts.mode == "fix":  # the CLI refuses first; this keeps a URL from ever being written
        return error_result(url, SourceError("NL500", "a URL cannot be fixed in place; skipped"))
    linter = linter_for(url, settings, factory)
    unsafe = opts.unsafe_fixes if opts.unsafe_fixes is not None else settings.unsafe_fixes
    try:
        data = read_url(url, settings.max_file_size)
        if not linter.rules:  # only cross-file rules selected: read (to report an unreadable URL), no more
            return FileResult(url)
        source = decode(data, url, settings.encoding)
    except SourceError as exc:
        return error_result(url, exc)
    try:
        return process_source(source, linter, opts.mode, unsafe, url)
    except Exception as exc:  # a bug in a rule must not stop the run (as in engine.process_path)
        from newslint.diagnostics import Diagnostic
        from newslint.packs import PackError

        message = f"{exc}" if isinstance(exc, PackError) else f"internal error: {type(exc).__name__}: {exc}"
        res = FileResult(url, error=True)
        res.diagnostics = [Diagnostic("NL500", message, url, 1, 1, 1, 1, severity="error")]
        return res
