"""The one form of a file name in the machine-readable reports (json, json-lines, sarif,
github, junit, gitlab), whatever form the paths were given in: `newslint check .` lists
'./a.txt', a hook passes 'a.txt', and a CI tool or a script comparing two reports needs
one name for one file. Only `os`: the json reporter imports it on a run's path."""

from __future__ import annotations

import os


def display_path(filename: str) -> str:
    """The path CI systems expect: relative to the checkout root (CI_PROJECT_DIR on GitLab,
    GITHUB_WORKSPACE on GitHub, else the working directory), '/'-separated, without a
    leading './'. Paths outside it, '-' (stdin) and URLs (the Dask engine's) are kept as given."""
    if filename == "-" or "://" in filename:
        return filename
    path = filename
    root = os.environ.get("CI_PROJECT_DIR") or os.environ.get("GITHUB_WORKSPACE")
    if root and not os.path.isabs(path):  # a run from a subfolder: relative to the checkout
        path = os.path.abspath(path)
    if os.path.isabs(path):
        rel = _inside(path, root or os.curdir)
        if rel is None and root:  # the root named through a symlink, the path resolved (getcwd)
            rel = _inside(path, _real(root))
            if rel is None:  # the path's folder named through a link: resolve it, never the file
                rel = _inside(os.path.join(_real(os.path.dirname(path)), os.path.basename(path)), _real(root))
        if rel is not None:
            path = rel
    return (_tidy(path) if not os.path.isabs(path) else path).replace(os.sep, "/")


def _tidy(path: str) -> str:
    """A relative path without its '.' parts and doubled separators: './a.txt' and 'a.txt'
    are one file. '..' stays: after a linked folder ('feeds/../x.txt') it is not what the
    lexical os.path.normpath makes of it, as the system resolves the link first."""
    if os.altsep:
        path = path.replace(os.altsep, os.sep)
    parts = [p for p in path.split(os.sep) if p not in ("", ".")]
    return os.sep.join(parts) or "."


def _inside(path: str, root: str) -> str | None:
    """`path` relative to `root`, or None when it is not inside it."""
    try:
        rel = os.path.relpath(path, root)
    except ValueError:  # another drive on Windows
        return None
    return None if rel.startswith(".." + os.sep) or rel == ".." else rel


_REAL: dict[str, str] = {}


def _real(folder: str) -> str:
    """os.path.realpath, once a folder (a report names many files of few folders)."""
    if folder not in _REAL:
        _REAL[folder] = os.path.realpath(folder)
    return _REAL[folder]
