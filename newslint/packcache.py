"""A cache of the shipped rule packs' parsed TOML, so that a one-file run neither imports
tomllib (pure Python) nor parses ~47 KB of TOML: together ~10 ms of a ~100 ms hook run.
(With each table, packs.py keeps its rules' derived prefilters: see newslint.needs.)

One marshal file per newslint build (newslint.build) and Python version in the user's cache folder
($XDG_CACHE_HOME/newslint, else ~/.cache/newslint) maps each pack's file name to its
full text and what was parsed from it. An entry is used only when the text read now is
the same, so an edited pack is always parsed again; a missing, unreadable, corrupt or
unwritable cache only costs the parse. It holds no findings (--no-cache is about those).
Every build writes its own file, so a machine that installs newslint from many commits
(pre-commit's environments, venvs, an editable checkout) kept one per build without end
(226 files, 20 MB, on a reviewer's machine): a write keeps the KEEP newest and removes the
rest. A build whose file went writes it again at its next run (one parse, ~10 ms).
"""

from __future__ import annotations

import marshal
import os
import sys

FORMAT = 2  # of what packs.py stores per pack; a new format starts a new file
KEEP = 8  # cache files left in the folder after a write: the builds in use, about 90 KB each


def cache_file() -> str:
    from newslint.build import code_id

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    # marshal's format may change between Python versions
    name = f"packs{FORMAT}-{code_id()}-py{sys.version_info[0]}.{sys.version_info[1]}.marshal"
    return os.path.join(base, "newslint", name)


def parsed_tables(texts: dict[str, str], parse) -> dict[str, dict]:
    """{name: parse(name, text)} for {name: text}, from the cache where the text matches.
    parse returns a dict of what marshal can store."""
    path = cache_file()
    cached = _read(path)
    out = {}
    for name, text in texts.items():
        entry = cached.get(name)
        out[name] = entry[1] if entry is not None and entry[0] == text else parse(name, text)
    fresh = {name: (text, out[name]) for name, text in texts.items()}
    if any(cached.get(name) != entry for name, entry in fresh.items()):
        _write(path, {**cached, **fresh})
    return out


def _read(path: str) -> dict:
    try:
        with open(path, "rb") as fh:
            data = marshal.load(fh)
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, tuple) and len(v) == 2
            and isinstance(v[0], str) and isinstance(v[1], dict)}


def _write(path: str, entries: dict) -> None:
    try:
        blob = marshal.dumps(entries)
    except ValueError:  # a table holding a TOML date or time: marshal cannot store it, parse each time
        return
    from newslint.files import replace_file

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        replace_file(path, blob)  # readers see the old file or the new one, never a torn one
    except OSError:
        return
    _prune(os.path.dirname(path), os.path.basename(path))


def _prune(folder: str, own: str) -> None:
    """Remove all but the KEEP newest pack caches of `folder` (`own`, just written, is kept)."""
    try:
        with os.scandir(folder) as it:
            found = [(e.stat().st_mtime, e.path) for e in it
                     if e.name.startswith("packs") and e.name.endswith(".marshal") and e.name != own and e.is_file()]
    except OSError:
        return
    for _, old in sorted(found, reverse=True)[KEEP - 1:]:
        try:
            os.unlink(old)
        except OSError:  # another run removed it, or the folder is not ours to clean
            pass
