"""The identity of the installed code, for the caches that keep what it computed.

`__version__` alone is not one: newslint is installed from commits (pre-commit's `rev:`,
`pip install git+...@COMMIT`, an editable checkout), all "0.1.0", and a results cache,
last-run record or parsed-pack cache written by one of them was served to another, whose
rules may find, word or fingerprint their findings differently.

The identity is taken from each source file's name, size and modification time, not its
bytes: every run asks for it (the parsed-pack cache's name), and reading and hashing the
~60 files, with hashlib's import, cost ~10 ms of a ~90 ms hook run; the stats cost well
under a millisecond. Installing or checking out other code writes the files again, so
their times change; the same code installed again only costs one cache miss.
"""

from __future__ import annotations

import os

_ID: str | None = None


def code_id() -> str:
    """`__version__` and a checksum of the package's Python sources' names, sizes and times."""
    global _ID
    if _ID is None:
        import zlib  # imported for the caches' compression anyway; hashlib would add ~7 ms

        from newslint import __version__

        root = os.path.dirname(os.path.abspath(__file__))
        cut = len(os.path.join(root, ""))  # a path below root less root: its relative name
        entries = []
        stack = [root]
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(folder) as it:
                    listed = list(it)
            except OSError:
                continue
            for e in listed:
                try:
                    if e.is_dir(follow_symlinks=False):
                        if not e.name.startswith((".", "__pycache__")):
                            stack.append(e.path)
                    elif e.name.endswith(".py"):
                        st = e.stat()
                        entries.append(f"{e.path[cut:]}\0{st.st_size}\0{st.st_mtime_ns}")
                except OSError:  # gone or unreadable: its name still counts
                    entries.append(e.path[cut:])
        blob = "\n".join(sorted(entries)).encode("utf-8", "surrogateescape")
        _ID = f"{__version__}+{zlib.crc32(blob):08x}{zlib.adler32(blob):08x}"
    return _ID
