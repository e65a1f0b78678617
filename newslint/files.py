"""Which files a run looks at: paths given, folders walked, include/exclude globs."""

from __future__ import annotations

import fnmatch
import os

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on every start
if TYPE_CHECKING:
    from typing import Iterable

DEFAULT_INCLUDE = ("*.txt", "*.md")
SKIP_DIRS = {".git", ".hg", ".svn", ".bzr", "_darcs", ".newslint_cache", "__pycache__", "node_modules",
             ".venv", "venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache"}


def _matches(path: str, globs: Iterable[str], name_only: bool = False, rel: str | None = None) -> bool:
    """Does `path` match a glob? A glob with a '/' is anchored (callers make it absolute)
    and matches the path or anything below it; a plain glob matches the file name, or
    with name_only=False any folder name on the way (so 'drafts' excludes drafts/x.txt):
    the way from where the walk started, `rel` (`path` as given when None), never the
    folders above it (a repository cloned under /tmp/drafts is not excluded by 'drafts')."""
    absolute = os.path.abspath(path).replace(os.sep, "/")
    parts = [p for p in (path if rel is None else rel).replace(os.sep, "/").split("/") if p not in ("", ".", "..")]
    for g in globs:
        if "/" in g:
            g = g.rstrip("/")
            if fnmatch.fnmatch(absolute, g) or fnmatch.fnmatch(absolute, g + "/*"):
                return True
        elif parts and (fnmatch.fnmatch(parts[-1], g) or
                        (not name_only and any(fnmatch.fnmatch(part, g) for part in parts[:-1]))):
            return True
    return False


def dotless(glob: str) -> str:
    """A glob written from the config's folder with a leading './' ('./drafts'), without it."""
    while glob.startswith("./"):
        glob = glob[2:]
    return glob


def name_suffixes(include) -> tuple[str, ...] | None:
    """(".txt", ".md") for ("*.txt", "*.md"); None when a glob is anything richer."""
    out = []
    for g in include:
        if not g.startswith("*.") or any(ch in g[1:] for ch in "*?[]/"):
            return None
        out.append(g[1:])
    return tuple(out)


def discover(paths: Iterable[str], include=DEFAULT_INCLUDE, exclude=(), force_exclude=False,
             unlisted: list | None = None, base: str | None = None) -> list[str]:
    """Files to check, in a stable order. Explicit files are always kept unless
    `force_exclude` is set and they match `exclude` (the pre-commit case). `unlisted`, a list,
    receives (folder, OSError) for each folder that could not be listed (else left out).
    `base`: the folder plain exclude globs judge absolute `paths` from (see _matches).
    A list, not a generator: 100,000 yields cost 0.05 s of a warm full check's 2 s."""
    suffixes = name_suffixes(include)  # the default "*.ext" globs: a suffix test, not fnmatch per file
    seen = set()
    out: list[str] = []

    def excluded(p: str) -> bool:
        return bool(exclude) and _matches(p, exclude, rel=None if base is None else os.path.relpath(p, base))

    onerror = None if unlisted is None else (lambda exc: unlisted.append((exc.filename or root, exc)))
    for root in paths:
        if os.path.isdir(root) and not os.path.islink(root):
            found = []
            for folder, dirs, files in os.walk(root, onerror=onerror):
                dirs[:] = sorted(
                    d for d in dirs
                    if d not in SKIP_DIRS and not d.startswith(".")
                    and not excluded(os.path.join(folder, d))
                )
                prefix = os.path.join(folder, "")  # os.path.join(folder, f) is prefix + f
                if suffixes is not None and not exclude:  # the usual case, in one comprehension
                    found += [prefix + f for f in files if f.endswith(suffixes) and not f.startswith(".")]
                    continue
                for f in files:
                    if f.startswith(".") or not (f.endswith(suffixes) if suffixes is not None
                                                 else _matches(prefix + f, include, name_only=True)) \
                            or (exclude and excluded(prefix + f)):
                        continue
                    found.append(prefix + f)
            found.sort()
            if not seen:  # the first folder: nothing to skip (a walk never finds a path twice)
                seen.update(found)
                out += found
                continue
            for p in found:
                if p not in seen:
                    seen.add(p)
                    out.append(p)
        else:
            if force_exclude and excluded(root):
                continue
            if root not in seen:
                seen.add(root)
                out.append(root)
    return out


def git_folder_above(path: str) -> str | None:
    """The nearest folder at or above `path`'s folder that holds a `.git` (a repository's or a
    worktree's), looked for on disk without running git; None when there is none."""
    folder = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path)))
    while not os.path.lexists(os.path.join(folder, ".git")):
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return folder


def folders(paths: Iterable[str]) -> list[str]:
    """The distinct folders (os.path.dirname) of `paths`, sorted. dirname depends only on a
    path up to its last separator: 100,000 paths have a hundred such heads, and dirname is
    Python code (0.1 s for them all)."""
    heads = {p[:p.rfind(os.sep) + 1] for p in paths}
    return sorted({os.path.dirname(h) for h in heads})


def path_key(path: str) -> str | bytes:
    """A path as the caches' SQLite tables store it: TEXT, or a BLOB of its bytes for a name
    that is not UTF-8 (surrogate escapes, PEP 383), which SQLite's TEXT cannot hold."""
    if path.isascii():  # nearly every name: one C call (a million of them at each commit)
        return path
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape")


def path_from_key(value: str | bytes) -> str:
    """The path a caches' table stored with path_key."""
    return value if isinstance(value, str) else value.decode("utf-8", "surrogateescape")


def stat_key(st) -> tuple[int, int, int]:
    """What the corpus index's stat cache compares: (size, a stamp of both file times, inode).
    An edit in place that puts the mtime back (`touch -r`, a tool keeping times) keeps size,
    mtime and inode, but it moves the ctime, which no one can set. Both times go into the
    stamp (one integer column): the later of the two, as it was, hid every ctime change of a
    file whose mtime lay in the future (found by a review). With the mtime the same, any
    other ctime gives another stamp."""
    return st.st_size, (st.st_mtime_ns * 0x9E3779B97F4A7C15 ^ st.st_ctime_ns) & 0x7FFF_FFFF_FFFF_FFFF, st.st_ino


def replace_file(path: str, data: bytes) -> None:
    """Write `path` whole through a temporary file and a rename: a reader sees the old bytes
    or the new ones, never a torn file (for cache files; newslint.source.atomic_write is the
    one for user files: it keeps their mode and checks nobody wrote them meanwhile)."""
    tmp = temp_path(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# A temporary file younger than this is left alone even when no process here has its pid: a
# cache folder shared over a network holds other machines' writers (a write takes seconds)
_TEMP_GRACE_SECONDS = 300


def temp_path(path: str) -> str:
    """This process's temporary name for a cache file written whole (`path.PID.tmp`), once
    the ones a killed run left beside it are removed: a SIGKILL between the write and the
    rename kept them for good (a corpus snapshot's is ~100 MB at 100,000 files)."""
    own = f"{path}.{os.getpid()}.tmp"
    if os.name != "posix":  # os.kill(pid, 0) asks about a process only on POSIX
        return own
    import time

    folder, name = os.path.split(path)
    try:
        entries = os.scandir(folder or os.curdir)
    except OSError:
        return own
    with entries:
        for entry in entries:
            pid = entry.name[len(name) + 1:-4]
            if not (entry.name.startswith(name + ".") and entry.name.endswith(".tmp") and pid.isascii() and pid.isdigit()) \
                    or int(pid) == os.getpid() or _process_alive(int(pid)):
                continue
            try:
                if time.time() - entry.stat(follow_symlinks=False).st_mtime > _TEMP_GRACE_SECONDS:
                    os.unlink(entry.path)
            except OSError:
                pass
    return own


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError, ValueError):  # another user's (EPERM), or not a pid: kept
        return True
    return True
