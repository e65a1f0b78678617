"""Which files make up the corpus.

Inside a git work tree the corpus is every tracked file (`git ls-files`) whose name matches
the include globs (`*.txt`, `*.md` by default) and no exclude glob, plus the files being
checked; elsewhere it is the paths given, walked the way `newslint check` walks them.
This is pre-commit-hooks' `check-case-conflict` shape: the files passed in are the query,
the whole repo is the corpus.
"""

from __future__ import annotations

import os
import subprocess
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on every start
if TYPE_CHECKING:
    from typing import Iterable

from newslint.files import DEFAULT_INCLUDE, SKIP_DIRS, _matches, discover, git_folder_above, name_suffixes  # noqa: E402


def git_toplevel(path: str) -> str | None:
    """The top of the git work tree holding `path`, or None (no git, or not in a repo)."""
    folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=folder or ".", capture_output=True, text=True, timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    top = out.stdout.strip()
    return os.path.normpath(top) if top else None


def git_trouble(path: str) -> str | None:
    """Why git gave no work tree for `path` though a `.git` lies at or above it (git not
    installed, a repository owned by another user, a worktree whose main repository moved), or
    None when there is no `.git` (not a repository: nothing is wrong). Asked only after
    `git_toplevel` gave None, so a run in a repository pays nothing for it."""
    folder = git_folder_above(path)
    if folder is None:
        return None
    try:
        out = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=folder, capture_output=True, text=True,
                             timeout=30)
    except OSError as exc:
        return f"git cannot be run ({exc.strerror or exc})"
    except subprocess.SubprocessError as exc:
        return f"git failed ({exc})"
    if out.returncode == 0:
        return None
    lines = [ln.strip() for ln in out.stderr.splitlines() if ln.strip()]
    return f"git failed: {lines[0]}" if lines else f"git failed (exit {out.returncode})"


def git_output(top: str, *args: str) -> bytes | None:
    """What `git ARGS` run in `top` prints, or None when git is missing or fails."""
    try:
        out = subprocess.run(["git", *args], cwd=top, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def git_ignored(folder: str) -> tuple[set[str], set[str]] | None:
    """(files, folders) that git ignores and does not track under `folder` (.gitignore files,
    .git/info/exclude, core.excludesFile), relative to it, '/'-separated, folders ending in '/';
    None when git is missing, `folder` is in no work tree, or is itself ignored (named on the
    command line, it is checked)."""
    out = git_output(folder, "ls-files", "--others", "--ignored", "--exclude-standard", "--directory", "-z")
    if out is None:
        return None
    names = [n for n in out.decode("utf-8", "surrogateescape").split("\0") if n]
    if "./" in names:
        return None
    return {n for n in names if not n.endswith("/")}, {n for n in names if n.endswith("/")}


def drop_git_ignored(root: str, found: list[str]) -> list[str]:
    """`found`, the files a walk of the folder `root` found, less those git ignores."""
    ignored = git_ignored(root)
    if ignored is None:
        return found
    # a walk never enters a hidden or tool folder: git's ignored entries there (every
    # repository's .newslint_cache/) cannot hold a found file, and cost a test a file
    files = {n for n in ignored[0] if not _unwalked(n)}
    folders = {n for n in ignored[1] if not _unwalked(n)}
    if not files and not folders:
        return found
    prefix = os.path.join(root, "")
    # found and ignored compared as paths joined to root, the way the walk names what it finds
    # (a set test a file, and one startswith over the ignored folders: no split a file)
    names = found if all(p.startswith(prefix) for p in found) else \
        [prefix + os.path.relpath(p, root) for p in found]  # pragma: no cover (the walk joins root)
    drop = {prefix + n.replace("/", os.sep) for n in files}
    under = tuple(prefix + n.replace("/", os.sep) for n in folders)  # each ends in the separator
    return [p for p, name in zip(found, names) if name not in drop and not (under and name.startswith(under))]


def _unwalked(rel: str) -> bool:
    """Does a path relative to a walked folder lie in a hidden or tool folder (or is it hidden)?"""
    return any(part.startswith(".") or part in SKIP_DIRS for part in rel.rstrip("/").split("/"))


def git_files(top: str, raw_out: list | None = None) -> list[str] | None:
    """The files git tracks under `top`, relative to it, '/'-separated (None when git fails).
    `raw_out`, a list, receives git's own listing (`git ls-files -s -z`: mode, blob id,
    stage and path of each entry), which the corpus snapshot keeps as the state it describes."""
    out = git_output(top, "ls-files", "-s", "-z")
    if out is None:
        return None
    if raw_out is not None:
        raw_out.append(out)
    names = [e.split("\t", 1)[1] for e in out.decode("utf-8", "surrogateescape").split("\0") if e]
    return list(dict.fromkeys(names))  # a path in a merge conflict is listed once per stage


def git_modified(top: str) -> list[str] | None:
    """Tracked files whose work-tree copy differs from the index (`git diff-files`), relative."""
    out = git_output(top, "diff-files", "--name-only", "-z")
    return None if out is None else [n for n in out.decode("utf-8", "surrogateescape").split("\0") if n]


def corpus_files(paths: Iterable[str] | None, include=DEFAULT_INCLUDE, exclude=(), cwd: str | None = None,
                 use_git: bool = True, raw_out: list | None = None,
                 walk_outside_git: bool = True, unlisted: list | None = None) -> tuple[list[str], str | None]:
    """(absolute corpus paths, git top or None).

    `paths` None means "the repo": git's tracked files when in a work tree, else the cwd
    walked (or nothing, when `walk_outside_git` is False: the caller has its own files).
    Given paths inside a work tree still mean "the repo" unless `use_git` is False:
    a duplicate committed anywhere in the repo is a duplicate.
    """
    cwd = os.path.abspath(cwd or os.getcwd())
    top = git_toplevel(cwd) if use_git else None
    if top is not None:
        tracked = git_files(top, raw_out)
        if tracked is not None:
            prefix = top.rstrip(os.sep) + os.sep
            suffixes = name_suffixes(include)
            if suffixes is not None and not exclude:  # the default globs: no fnmatch per file
                keep = [rel for rel in tracked if rel.endswith(suffixes)]
            else:
                # matched as absolute paths: globs with a '/' are anchored at the config's folder,
                # made absolute, and a path relative to the top is not relative to the cwd
                keep = [rel for rel in tracked if _matches(prefix + rel, include, name_only=True)
                        and not _matches(prefix + rel, exclude, rel=rel)]
            if os.sep != "/":  # pragma: no cover
                keep = [rel.replace("/", os.sep) for rel in keep]
            return [prefix + rel for rel in keep], top
    if paths is None and not walk_outside_git:
        return [], None
    roots = [os.path.join(cwd, p) for p in paths] if paths else [cwd]
    return [os.path.normpath(p) for p in walk(roots, include, exclude, base=cwd, unlisted=unlisted)], None


def walk(roots: Iterable[str], include=DEFAULT_INCLUDE, exclude=(), base: str | None = None,
         unlisted: list | None = None) -> list[str]:
    """`newslint.files.discover` (same files, same order), with a fast path for the default
    `*.ext` globs: a corpus walk visits every file, and fnmatch per file costs more than the stat.
    `base`: where the paths were given from (absolute roots judged as discover judges them).
    `unlisted`, a list, receives (folder, OSError) for each folder that could not be listed."""
    suffixes = name_suffixes(include)
    if suffixes is None or exclude:
        return list(discover(roots, include, exclude, base=base, unlisted=unlisted))
    out: list[str] = []
    seen: set[str] = set()
    for root in roots:
        if os.path.isdir(root) and not os.path.islink(root):
            found: list[str] = []
            stack = [root]
            while stack:
                folder = stack.pop()
                try:
                    entries = list(os.scandir(folder))
                except OSError as exc:  # left out of the corpus; `check` reports it (files.discover's unlisted)
                    if unlisted is not None:
                        unlisted.append((folder, exc))
                    continue
                for e in entries:
                    name = e.name
                    if name.startswith("."):
                        continue
                    try:
                        is_dir = e.is_dir(follow_symlinks=True)
                    except OSError:
                        is_dir = False
                    if is_dir:
                        # a link to a folder is neither walked nor a file, as in os.walk: walked,
                        # each file below it would be its own duplicate under a second name
                        if name not in SKIP_DIRS and not e.is_symlink():
                            stack.append(e.path)
                    elif name.endswith(suffixes):
                        found.append(e.path)
            for p in sorted(found):
                if p not in seen:
                    seen.add(p)
                    out.append(p)
        elif root not in seen:
            seen.add(root)
            out.append(root)
    return out
