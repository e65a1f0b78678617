"""The identity of the installed code, for the caches that keep what it computed.

`__version__` alone is not one: newslint is installed from commits (pre-commit's `rev:`,
`pip install git+...@COMMIT`, an editable checkout), all "0.1.0", and a results cache,
last-run record or parsed-pack cache written by one of them was served to another, whose
rules may find, word or fingerprint their findings differently.
"""

from __future__ import annotations

import hashlib
import os

_ID: str | None = None


def code_id() -> str:
    """`__version__` and a digest of the package's Python sources (read once a process:
    ~60 files, well under a millisecond to hash)."""
    global _ID
    if _ID is None:
        from newslint import __version__

        root = os.path.dirname(os.path.abspath(__file__))
        h = hashlib.sha256()
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__pycache__")))
            for name in sorted(files):
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    h.update(os.path.relpath(path, root).replace(os.sep, "/").encode() + b"\0")
                    try:
                        with open(path, "rb") as fh:
                            h.update(fh.read())
                    except OSError:  # unreadable: its name still counts
                        pass
                    h.update(b"\0")
        _ID = f"{__version__}+{h.hexdigest()[:16]}"
    return _ID
