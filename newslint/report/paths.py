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
    return _display(filename, _ci_root())


def _ci_root() -> str | None:
    return os.environ.get("CI_PROJECT_DIR") or os.environ.get("GITHUB_WORKSPACE")


def _display(filename: str, root: str | None) -> str:
    if filename == "-" or "://" in filename:
        return filename
    path = filename
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


def display_message(d, shown=display_path) -> str:
    """`d.message` with the related files it names (NL401-NL403: "duplicate of X") in the
    form `shown` gives the finding's own path, so a report does not name the file
    repo-relative ('business/a.txt') and its partner as the run was given it
    ('../sport/b.txt', './sport/b.txt'). The names are found in the order `related` holds
    them, each a whole word of the message (after a space; before a space, a comma or the
    end); a name the message does not hold is left alone."""
    msg = d.message
    if not d.related:
        return msg
    out, pos = [], 0
    for r in d.related:
        name = r.filename
        if not name or type(name) is not str:
            continue
        i = _word_at(msg, name, pos)
        if i < 0:
            continue
        out.append(msg[pos:i])
        out.append(shown(name))
        pos = i + len(name)
    if not out:
        return msg
    out.append(msg[pos:])
    return "".join(out)


def _word_at(msg: str, name: str, start: int) -> int:
    """The first place from `start` where `name` stands in `msg` as a whole word, or -1."""
    i = msg.find(name, start)
    while i >= 0:
        end = i + len(name)
        if (i == 0 or msg[i - 1] == " ") and (end == len(msg) or msg[end] in " ,"):
            return i
        i = msg.find(name, i + 1)
    return -1


def memo_display_path():
    """display_path, remembering each name: a report names a file at each of its findings."""
    names: dict = {}
    root = _ci_root()  # once a report, not at each of its ~10,000 names

    def shown(name):
        if name not in names:
            names[name] = _display(name, root) if type(name) is str else name
        return names[name]

    return shown


def report_order(diags, shown=display_path) -> list:
    """`diags` in the machine reports' order: by the path as shown, then place and code, so
    two runs that named the same files differently ('.' from a subfolder lists '../sport/b.txt'
    before './a.txt') write the same report."""
    return sorted(diags, key=lambda d: (shown(d.filename), d.row, d.column, d.code, d.message))
