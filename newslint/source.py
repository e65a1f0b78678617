"""Bytes to text and back, losslessly.

A `Source` keeps everything needed to write a file back exactly as it was, except
for the edits a fix makes: the BOM, the encoding and the original line endings
(the text keeps its own terminators, so mixed endings survive untouched lines).

Reading never blocks and never trusts the name: the path is opened without following
it into a FIFO or device, the open file is checked to be a regular file, and at most
`max_bytes + 1` bytes are read. Writing goes through a temporary file in the target's
own folder and a rename, so a reader (or a crash) sees the old file or the new one,
never a mix; a symlink keeps pointing at its target, which is the file rewritten.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
import time

from newslint.record import FrozenRecord

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on every start
if TYPE_CHECKING:
    from typing import Iterator

UTF8_BOM = codecs.BOM_UTF8
_set = object.__setattr__  # how a frozen record's __init__ assigns

# Files larger than this are refused rather than read into memory.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# How long a fix run waits for another newslint process that is fixing the same file.
LOCK_TIMEOUT = 120.0
TEMP_PREFIX, TEMP_SUFFIX = ".newslint-", ".tmp"  # dotfiles: discovery never picks them up

_UTF8_NAMES = ("utf-8", "utf8", "utf-8-sig", "utf_8", "utf_8_sig", "u8")


class SourceError(Exception):
    """A file that cannot be linted; `code` is the diagnostic code to report.

    For undecodable bytes, `offset` is the byte offset of the first bad byte and
    `row`/`column` its 1-based line and character column (as far as they decode).
    """

    def __init__(self, code: str, message: str, offset: int | None = None, row: int = 1, column: int = 1):
        super().__init__(message)
        self.code = code
        self.message = message
        self.offset = offset
        self.row = row
        self.column = column


class FileChanged(OSError):
    """The file on disk is no longer the one that was read: someone else wrote it."""


class Source(FrozenRecord):
    _fields = __slots__ = ("path", "text", "encoding", "bom", "newline", "mode", "identity")
    _compare = _repr = _fields[:-1]  # not identity

    def __init__(self, path: str | None, text: str, encoding: str = "utf-8", bom: bool = False, newline: str = "\n",
                 mode: int | None = None, identity: tuple | None = None):
        _set(self, "path", path)
        _set(self, "text", text)
        _set(self, "encoding", encoding)
        _set(self, "bom", bom)
        _set(self, "newline", newline)  # the dominant line ending; used for text a fix inserts
        _set(self, "mode", mode)
        # (st_dev, st_ino, st_size, st_mtime_ns) of the file as read: a write is refused if
        # the file on disk no longer matches (it changed under us).
        _set(self, "identity", identity)

    @property
    def final_newline(self) -> bool:
        return self.text.endswith(("\n", "\r"))

    def with_text(self, text: str) -> "Source":
        return self.replace(text=text)

    def to_bytes(self) -> bytes:
        data = self.text.encode(self.encoding)
        return (_BOMS[self.encoding] + data) if self.bom else data


def dominant_newline(text: str) -> str:
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    best = max((lf, "\n"), (crlf, "\r\n"), (cr, "\r"), key=lambda t: t[0])
    return best[1] if best[0] else "\n"


def looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


def _identity(st: os.stat_result) -> tuple:
    # the ctime too: an edit that keeps the size and puts the mtime back (an editor's or a
    # sync tool's `touch -r`) was written over by a concurrent --fix (a review); no one can
    # set the ctime back
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _codec_name(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise SourceError(
            "NL500", f"unknown encoding {encoding!r} (check the `encoding` setting); file left untouched"
        ) from None


def _position(data: bytes, offset: int, encoding: str) -> tuple[int, int]:
    """1-based (row, column) of a byte offset; the column counts decodable characters. A line
    ends at LF, CRLF or a bare CR, as the Document splits lines."""
    before = data[:offset].decode(encoding, "replace")
    row = before.count("\n") + before.count("\r") - before.count("\r\n") + 1
    column = len(before) - max(before.rfind("\n"), before.rfind("\r"))
    return row, column


# the byte-order mark each codec may find at the start of a file: taken off the text, kept in Source.bom
_BOMS = {"utf-8": UTF8_BOM, "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
         "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}


def _wide_bom_hint(data: bytes) -> str:
    """For a file skipped as binary that begins with a UTF-16 or UTF-32 byte-order mark:
    how to have it read as the text it likely is (a --diff of it printed nothing, exit 0)."""
    for name, marks in (("utf-32", (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)),
                        ("utf-16", (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))):
        if data.startswith(marks):
            return (f" (it begins with a {name.upper()} byte-order mark: set encoding = \"{name}\" to check "
                    "it as text)")
    return ""


def decode(data: bytes, path: str | None = None, encoding: str = "utf-8", mode: int | None = None,
           identity: tuple | None = None) -> Source:
    """Decode file bytes; raise SourceError (NL501) when they are not valid text.

    The result always encodes back to exactly `data`: an encoding whose round trip
    would change a byte is refused like an invalid file, so a fix can never re-encode
    text the user did not touch.
    """
    codec = _codec_name(encoding)
    wide = codec.startswith(("utf-16", "utf-32"))  # NUL bytes are normal there
    if not wide and looks_binary(data):
        raise SourceError("NL502", "binary file (NUL bytes); skipped" + _wide_bom_hint(data))
    bom = False
    if codec in ("utf-8", "utf-8-sig"):
        codec = "utf-8"
    elif codec in ("utf-16", "utf-32"):
        # read in the byte order the file's mark gives, and written back in it: the plain codec
        # writes the machine's order, so a big-endian file failed the round trip below (NL501)
        codec = next((c for c in (codec + "-le", codec + "-be") if data.startswith(_BOMS[c])), codec)
    if codec in _BOMS and data.startswith(_BOMS[codec]):
        bom, data = True, data[len(_BOMS[codec]):]
    skip = len(_BOMS[codec]) if bom else 0
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        row, column = _position(data, exc.start, codec)
        raise SourceError(
            "NL501",
            f"not valid {codec}: byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start + skip} ({exc.reason}); file left untouched",
            offset=exc.start + skip, row=row, column=column,
        ) from None
    if codec != "utf-8":  # utf-8 (strict) always round-trips; other codecs may not
        try:
            same = text.encode(codec) == data
        except UnicodeEncodeError:
            same = False
        if not same:
            raise SourceError(
                "NL501", f"bytes do not round-trip through {codec} (a fix would re-encode them); file left untouched"
            )
    return Source(path, text, codec, bom, dominant_newline(text), mode, identity)


def _open_error(path: str, exc: OSError) -> SourceError:
    if isinstance(exc, FileNotFoundError) and os.path.islink(path):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return SourceError("NL500", f"broken symlink to {target!r}")
    if exc.errno == errno.ELOOP:
        return SourceError("NL500", "symlink loop")
    if isinstance(exc, FileNotFoundError):
        return SourceError("NL500", "no such file")
    if isinstance(exc, PermissionError):
        return SourceError("NL500", f"cannot read: {exc.strerror or 'permission denied'}")
    return SourceError("NL500", f"cannot read: {exc.strerror or exc}")


def _kind(st: os.stat_result) -> str:
    m = st.st_mode
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(m):
            return name
    return "a special file"


def _open_regular(path: str) -> tuple[int, os.stat_result]:
    """Open a regular file for reading without ever blocking; (fd, fstat) or SourceError."""
    try:
        st = os.stat(path)  # follows symlinks: a broken link fails here
    except OSError as exc:
        raise _open_error(path, exc) from None
    if not stat.S_ISREG(st.st_mode):  # never open FIFOs or devices: opening can block or act
        raise SourceError("NL500", f"{_kind(st)}, not a regular file; skipped")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _open_error(path, exc) from None
    fst = os.fstat(fd)
    if not stat.S_ISREG(fst.st_mode):  # swapped for something else between stat and open
        os.close(fd)
        raise SourceError("NL500", f"{_kind(fst)}, not a regular file; skipped")
    return fd, fst


def _read_fd_bytes(fd: int, fst: os.stat_result, max_bytes: int) -> bytes:
    if fst.st_size > max_bytes:
        raise SourceError(
            "NL503", f"file is {fst.st_size:,} bytes, over the {max_bytes:,}-byte limit (max-file-size); skipped"
        )
    chunks, total = [], 0
    try:
        while True:  # read at most max_bytes + 1: a file growing while we read is still bounded
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise SourceError(
                    "NL503", f"file grew past the {max_bytes:,}-byte limit (max-file-size) while being read; skipped"
                )
    except OSError as exc:
        raise SourceError("NL500", f"cannot read: {exc.strerror or exc}") from None
    return b"".join(chunks)


def _read_fd(fd: int, fst: os.stat_result, path: str, encoding: str, max_bytes: int) -> Source:
    data = _read_fd_bytes(fd, fst, max_bytes)
    return decode(data, path, encoding, stat.S_IMODE(fst.st_mode), _identity(fst))


def read_bytes(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular file, read the way `read_source` reads them: never opening
    a FIFO or device (which could block forever) and never more than `max_bytes`.
    Raises SourceError (NL500 unreadable, NL503 too large)."""
    fd, fst = _open_regular(path)
    try:
        return _read_fd_bytes(fd, fst, max_bytes)
    finally:
        os.close(fd)


def probe(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Raise the SourceError that reading `path` would raise at open time (missing, not a
    regular file, unreadable, over the size limit), without reading it: for runs whose rules
    never look at the text here (the corpus pass reads it)."""
    fd, fst = _open_regular(path)
    os.close(fd)
    if fst.st_size > max_bytes:
        raise SourceError(
            "NL503", f"file is {fst.st_size:,} bytes, over the {max_bytes:,}-byte limit (max-file-size); skipped"
        )


def read_source(path: str, encoding: str = "utf-8", max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Read a file from disk. Raises SourceError for anything that is not lintable text."""
    fd, fst = _open_regular(path)
    try:
        return _read_fd(fd, fst, path, encoding, max_bytes)
    finally:
        os.close(fd)


def locked_source(path: str, encoding: str = "utf-8", max_bytes: int = DEFAULT_MAX_BYTES,
                  timeout: float | None = None):
    """Read `path` holding an exclusive advisory lock on it until the block ends.

    Two `newslint check --fix` runs on the same tree (pre-commit can start several)
    then fix each file one after the other: the second reads what the first wrote,
    instead of both fixing the old text and the last rename winning. The lock is on
    the file itself (a symlink's target), so no lock file is ever left behind; a
    lock taken on an inode that a rename has since replaced is dropped and retaken.
    """
    import contextlib  # only fixes lock: a check run does without its import

    return contextlib.contextmanager(_locked_source)(path, encoding, max_bytes, timeout)


def _locked_source(path: str, encoding: str, max_bytes: int, timeout: float | None) -> Iterator[Source]:
    timeout = LOCK_TIMEOUT if timeout is None else timeout
    deadline = time.monotonic() + timeout
    while True:
        fd, fst = _open_regular(path)
        try:
            if not _lock(fd, deadline):
                raise SourceError("NL500", f"another process kept the file locked for {timeout:.0f} s; skipped")
            try:
                now = os.stat(path)
            except OSError as exc:
                raise _open_error(path, exc) from None
            if (now.st_dev, now.st_ino) != (fst.st_dev, fst.st_ino):
                if time.monotonic() >= deadline:
                    raise SourceError("NL500", f"the file kept being replaced for {timeout:.0f} s; skipped")
                continue  # replaced while we waited: lock the new file (finally closes this one)
            fst = os.fstat(fd)  # size and mtime as of now, under the lock
            source = _read_fd(fd, fst, path, encoding, max_bytes)
            yield source
            return
        finally:
            os.close(fd)  # closing releases the lock


def _lock(fd: int, deadline: float) -> bool:
    try:  # advisory locks serialise concurrent `newslint check --fix` runs (POSIX only)
        import fcntl
    except ImportError:  # pragma: no cover - Windows: unlocked
        return True
    delay = 0.005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        except OSError:  # no lock support here (some network file systems): go on unlocked
            return True


def _same_owner(fd: int, st: os.stat_result | None) -> None:
    """Give the new file the old one's owner and group, where we are allowed to."""
    if st is None or not hasattr(os, "fchown"):
        return
    mine = os.fstat(fd)
    if (mine.st_uid, mine.st_gid) == (st.st_uid, st.st_gid):
        return
    try:
        os.fchown(fd, st.st_uid, st.st_gid)
    except OSError:
        try:  # not root: at least keep the group if we are in it
            os.fchown(fd, -1, st.st_gid)
        except OSError:
            pass


# what a file system or a user may refuse for one attribute (a SELinux label, a trusted.*
# one without privilege) or one removed since it was listed: not copied, the write goes on
_XATTR_SKIP = {getattr(errno, name) for name in ("EPERM", "EACCES", "ENOTSUP", "EOPNOTSUPP", "ENODATA")
               if hasattr(errno, name)}


def _same_xattrs(fd: int, path: str | None) -> None:
    """Give the new file the old one's extended attributes (user tags, POSIX ACLs, SELinux
    labels), where the platform has them: a rename into place would drop them."""
    if path is None or not hasattr(os, "listxattr"):
        return
    try:
        names = os.listxattr(path)
    except OSError as exc:
        if exc.errno in _XATTR_SKIP:
            return
        raise
    for name in names:
        try:
            os.setxattr(fd, name, os.getxattr(path, name))
        except OSError as exc:
            if exc.errno not in _XATTR_SKIP:
                raise


def _same_attributes(fd: int, path: str, mode: int, like: os.stat_result | None, like_path: str | None) -> None:
    """Give the open file `fd` (at `path`) the owner, group and extended attributes of the file
    `like_path` (stat `like`), and `mode` (not the umask's)."""
    _same_owner(fd, like)
    _same_xattrs(fd, like_path)  # after chown (it clears capabilities), before chmod: `mode` wins
    os.fchmod(fd, mode) if hasattr(os, "fchmod") else os.chmod(path, mode)


def _write_temp(folder: str, data: bytes, mode: int, like: os.stat_result | None,
                like_path: str | None = None) -> str:
    import tempfile  # only when writing: its import (random, hashlib) costs every run

    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            _same_attributes(fh.fileno(), tmp, mode, like, like_path)
            os.fsync(fh.fileno())
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return tmp


def atomic_write(path: str, data: bytes, mode: int | None = None, expect: tuple | None = None) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a mix.

    Symlinks are resolved so the link survives and its target is rewritten in place
    (the target's folder holds the temporary file). The mode, owner, group and extended
    attributes (ACLs, SELinux labels) of the old file are kept. With `expect` (a
    `Source.identity`), the write is refused with `FileChanged` if the file on disk is no
    longer the one that was read.
    """
    real = os.path.realpath(path)
    folder = os.path.dirname(real) or "."
    try:
        old = os.stat(real)
    except FileNotFoundError:
        old = None
    _check_unchanged(path, old, expect)
    if old is not None:
        assert_writable(real)
    if mode is None:
        mode = stat.S_IMODE(old.st_mode) if old is not None else 0o644
    tmp = _write_temp(folder, data, mode, old, real if old is not None else None)
    try:
        if expect is not None:  # once more, as late as possible
            try:
                _check_unchanged(path, os.stat(real), expect)
            except FileNotFoundError:
                _check_unchanged(path, None, expect)
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def assert_writable(path: str) -> None:
    """Raise PermissionError if this user may not write the existing file `path`, or its
    folder: a rename would get past the file's own permissions, so respect them as an editor
    does.

    A file with no write bit at all (0444, 0400) is read-only for root too, as vim takes it:
    access() lets root write anything, and a fix run as root (a container, a CI job) rewrote
    a file its owner had made read-only."""
    if os.path.islink(path):
        _assert_link_inside(path)
    effective = os.access in os.supports_effective_ids
    if not os.access(path, os.W_OK, effective_ids=effective) or not os.stat(path).st_mode & 0o222:
        raise PermissionError(errno.EACCES, "the file is read-only (no write permission); not rewritten", path)
    # The rewrite is a new file renamed over the old (and a split adds files beside it): the
    # folder must be writable too. A user who may not write it fails there with a bare EACCES;
    # root, whom its bits do not stop, wrote into a folder its owner had made read-only (0555).
    folder = os.path.dirname(os.path.realpath(path))
    if not os.access(folder, os.W_OK, effective_ids=effective) or not os.stat(folder).st_mode & 0o222:
        raise PermissionError(errno.EACCES, "its folder is read-only (no write permission); not rewritten", path)


def _assert_link_inside(path: str) -> None:
    """A symlink in a git work tree whose file lies outside it is not written through: a
    committed link would let a CI job's `--fix` over a checkout rewrite a file anywhere on
    the machine (found by a review). Outside git, links are the user's own layout: followed."""
    from newslint.files import git_folder_above

    top = git_folder_above(os.path.dirname(os.path.abspath(path)) or ".")
    if top is None:
        return
    real, top = os.path.realpath(path), os.path.realpath(top)
    if not real.startswith(top.rstrip(os.sep) + os.sep):
        raise PermissionError(errno.EACCES, f"a symlink to a file outside its repository ({real}); not rewritten",
                              path)


def _check_unchanged(path: str, st: os.stat_result | None, expect: tuple | None) -> None:
    if expect is not None and (st is None or _identity(st) != expect):
        raise FileChanged(errno.EAGAIN, "the file changed on disk while it was being fixed; left as it is now", path)


def create_exclusive(path: str, data: bytes, mode: int = 0o644, like: str | None = None) -> None:
    """Create a new file atomically, failing if `path` already exists (never overwrites).

    The content is written and synced under a temporary name first and then hard-linked
    into place, so the new name appears complete or not at all. `like`: a file whose owner,
    group and extended attributes the new one takes (an article split off it), as a
    rewritten file keeps its own.
    """
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.lexists(path):
        raise FileExistsError(errno.EEXIST, "file exists", path)
    like_st = None
    if like is not None:
        like = os.path.realpath(like)
        like_st = os.stat(like)
    tmp = _write_temp(folder, data, mode, like_st, like)
    try:
        try:
            os.link(tmp, path)  # atomic, and fails with FileExistsError instead of overwriting
        except FileExistsError:
            raise
        except OSError as exc:  # no hard links on this file system: exclusive create instead
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.EXDEV):
                raise
            _create_excl_direct(path, data, mode, like_st, like)
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


def _create_excl_direct(path: str, data: bytes, mode: int, like: os.stat_result | None = None,
                        like_path: str | None = None) -> None:
    """create_exclusive where hard links are refused: the new file made with O_EXCL and
    written in place, given the attributes the linked temporary file gets (`like`'s owner,
    group and extended attributes, `mode` whatever the umask)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            _same_attributes(fh.fileno(), path, mode, like, like_path)
            os.fsync(fh.fileno())
    except BaseException:
        try:
            os.unlink(path)
        except OSError:
            pass
        raise


def assert_unchanged(path: str, expect: tuple | None) -> None:
    """Raise FileChanged if `path` is no longer the file whose identity was `expect`."""
    if expect is None:
        return
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    _check_unchanged(path, st, expect)


def same_content(path: str, data: bytes) -> bool:
    """Whether `path` is a regular file (not a symlink) holding exactly `data`."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return False
        with open(path, "rb") as fh:
            return fh.read(len(data) + 1) == data
    except OSError:
        return False
