"""Bytes to text and back, losslessly.

A `Source` keeps everything needed to write a file back exactly as it was, except
for the edits a fix makes: the BOM, the encoding and the original line endings
(the text keeps its own terminators, so mixed endings survive untouched lines).
"""

from __future__ import annotations

import codecs
import os
import stat
import tempfile
from dataclasses import dataclass

UTF8_BOM = codecs.BOM_UTF8

# Files larger than this are refused rather than read into memory.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024


class SourceError(Exception):
    """A file that cannot be linted; `code` is the diagnostic code to report."""

    def __init__(self, code: str, message: str, offset: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.offset = offset


@dataclass(frozen=True)
class Source:
    path: str | None
    text: str
    encoding: str = "utf-8"
    bom: bool = False
    newline: str = "\n"  # the dominant line ending; used for text a fix inserts
    mode: int | None = None

    @property
    def final_newline(self) -> bool:
        return self.text.endswith(("\n", "\r"))

    def with_text(self, text: str) -> "Source":
        return Source(self.path, text, self.encoding, self.bom, self.newline, self.mode)

    def to_bytes(self) -> bytes:
        data = self.text.encode(self.encoding)
        return (UTF8_BOM + data) if self.bom else data


def dominant_newline(text: str) -> str:
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    best = max((lf, "\n"), (crlf, "\r\n"), (cr, "\r"), key=lambda t: t[0])
    return best[1] if best[0] else "\n"


def looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


def decode(data: bytes, path: str | None = None, encoding: str = "utf-8", mode: int | None = None) -> Source:
    """Decode file bytes; raise SourceError (NL501) when they are not valid text."""
    if looks_binary(data):
        raise SourceError("NL502", "binary file (NUL bytes); skipped")
    bom = False
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig"):
        encoding = "utf-8"
        if data.startswith(UTF8_BOM):
            bom, data = True, data[len(UTF8_BOM):]
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(
            "NL501",
            f"not valid {encoding}: byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start + (3 if bom else 0)} ({exc.reason}); file left untouched",
            offset=exc.start + (3 if bom else 0),
        ) from None
    return Source(path, text, encoding, bom, dominant_newline(text), mode)


def read_source(path: str, encoding: str = "utf-8", max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Read a file from disk. Raises SourceError for anything that is not lintable text."""
    try:
        st = os.stat(path)  # follows symlinks: a broken link fails here
    except FileNotFoundError:
        if os.path.islink(path):
            raise SourceError("NL500", f"broken symlink to {os.readlink(path)!r}") from None
        raise SourceError("NL500", "no such file") from None
    except OSError as exc:
        raise SourceError("NL500", f"cannot stat: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise SourceError("NL500", "not a regular file")
    if st.st_size > max_bytes:
        raise SourceError(
            "NL503", f"file is {st.st_size:,} bytes, over the {max_bytes:,}-byte limit (max-file-size); skipped"
        )
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise SourceError("NL500", f"cannot read: {exc.strerror}") from None
    return decode(data, path, encoding, stat.S_IMODE(st.st_mode))


def atomic_write(path: str, data: bytes, mode: int | None = None) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a mix.

    Symlinks are resolved so the link survives and its target is rewritten in place.
    """
    real = os.path.realpath(path)
    folder = os.path.dirname(real) or "."
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(real).st_mode)
        except FileNotFoundError:
            mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix=".newslint-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def create_exclusive(path: str, data: bytes, mode: int = 0o644) -> None:
    """Create a new file atomically, failing if `path` already exists (never overwrites)."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".newslint-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.link(tmp, path)  # atomic, and fails with FileExistsError instead of overwriting
    finally:
        os.unlink(tmp)
