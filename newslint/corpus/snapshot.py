"""The corpus snapshot: what a hook needs of the whole repository, in one memory-mapped file.

A pre-commit hook checks one or two files against 100,000 others. Re-validating and
re-loading the index row by row costs seconds (the stat of every file, every signature and
line fingerprint loaded, banded and counted). A full corpus run in a git work tree
therefore leaves `corpus-snapshot.bin` beside the index, describing the corpus as it was:

    header      JSON: settings, globs, git state, section offsets
    gitls       `git ls-files -s -z` at that time (mode, blob id, stage, path per entry);
                the header adds HEAD's tree then and the entries that differ from it
    paths       the tracked corpus paths (relative, '/'-separated), byte-sorted, and the
                content (doc) each holds
    docs        per distinct content: content hash, normal-form hash; the
                docs' paths grouped by doc
    norms       normal-form hashes sorted, with their doc: equal normal forms are NL401
    bands       per LSH band, the band keys of every signed doc sorted, with their doc
    lines       every line fingerprint of the corpus (one file per normal form) with the
                number of normal forms holding it: NL202's counts

`newslint.corpus.quick` reads it with mmap, bisect and `memoryview.cast` (no numpy), after
proving with git that nothing but the checked files changed since (see there). Written
atomically (temporary file + rename); a reader never sees half a snapshot.

The snapshot is a cache of the index, not a second truth: deleting it costs one slow run.
"""

from __future__ import annotations

import json
import mmap
import os
import struct

SNAPSHOT_NAME = "corpus-snapshot.bin"
DELTA_NAME = "corpus-snapshot.delta"
MAGIC = b"NLSNAP2\n"
_LEAD = len(MAGIC) + 8  # the magic, then the header's length (little-endian u64)
NONE = 0xFFFFFFFF  # a path whose content is not text (left out of the corpus checks)
# the sections a reader sees as arrays: (name, memoryview format); little-endian on disk
_ARRAYS = (("path_off", "Q"), ("path_doc", "I"), ("by_doc", "I"), ("doc_first", "I"), ("normhash", "Q"),
           ("norm_sorted", "Q"), ("norm_doc", "I"), ("band_keys", "Q"), ("band_docs", "I"),
           ("line_values", "q"), ("line_counts", "I"))


def linked_paths(raw: bytes) -> set[bytes]:
    """The paths `git ls-files -s -z` output lists as symbolic links (mode 120000): git holds
    the link's target path, not the text the corpus reads through it."""
    out, i = set(), 0
    while (i := raw.find(b"120000 ", i)) >= 0:
        if i == 0 or raw[i - 1] == 0:  # a mode starts an entry
            tab = raw.find(b"\t", i)
            end = raw.find(b"\0", tab)
            out.add(raw[tab + 1:end if end >= 0 else len(raw)])
        i += 7
    return out


def ls_entry(raw: bytes, rel: str) -> tuple[int, int] | None:
    """(start, end) of `rel`'s entry in `git ls-files -s -z` output, or None."""
    key = b"\t" + rel.encode("utf-8", "surrogateescape") + b"\0"
    i = raw.find(key)
    if i < 0:
        return None
    return raw.rfind(b"\0", 0, i) + 1, i + len(key)


def listing_changes(then: bytes, now: bytes) -> set[str]:
    """The paths whose entries differ between two `git ls-files -s -z` outputs (added,
    removed, restaged)."""
    if then == now:
        return set()

    def entries(raw: bytes) -> dict[bytes, list[bytes]]:
        out: dict[bytes, list[bytes]] = {}
        for rec in raw.split(b"\0"):
            if rec:
                meta, path = rec.split(b"\t", 1)
                out.setdefault(path, []).append(meta)  # a path in a merge conflict: one entry a stage
        return out

    a, b = entries(then), entries(now)
    return {p.decode("utf-8", "surrogateescape") for p in a.keys() | b.keys() if a.get(p) != b.get(p)}


def blob_id(data: bytes) -> str:
    """git's (SHA-1) blob id of a file's bytes."""
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def listed_entry(raw: bytes, rel: str) -> str | None:
    """'mode blob-id' of `rel`'s entry in `git ls-files -s -z` output, or None."""
    span = ls_entry(raw, rel)
    if span is None:
        return None
    mode, oid, _ = raw[span[0]:span[1]].split(b"\t", 1)[0].split(b" ")
    return f"{mode.decode()} {oid.decode()}"


def really_modified(top: str, entry_of, rels, limit: int = 256) -> list[str]:
    """Of the paths `git diff-files` named, those whose bytes differ from the index's blob
    (`entry_of(rel)`: the index entry's 'mode blob-id', or None).
    diff-files goes by the stat data git recorded: a file rewritten with the same bytes (an
    edit undone, a checkout, a tool that touches files) is listed until git refreshes its
    index. Reading it settles the question; past `limit` files, all are taken as modified."""
    rels = list(rels)
    if len(rels) > limit:
        return rels
    out = []
    for rel in rels:
        entry = entry_of(rel)
        try:
            with open(os.path.join(top, rel), "rb") as fh:
                data = fh.read()
        except OSError:
            out.append(rel)
            continue
        if entry is None or entry.split(" ")[1] != blob_id(data):
            out.append(rel)
    return out


def base_tree(top: str, raw_ls: bytes, limit: int) -> dict | None:
    """What lets a hook prove the index unchanged with `git diff-index --cached` (which skips
    unchanged folders by the index's cache-tree: 10-20 ms at 100,000 files) instead of listing
    every entry (`git ls-files -s`, 60-80 ms): HEAD's tree now, and the entries in which the
    listing `raw_ls` differs from it ({"tree": id, "differs": {path: the tree's 'mode blob-id',
    or None where the tree has no such path}}). None without a commit, during a merge, when git
    fails, or when more than `limit` entries differ. Reads objects only; writes none."""
    from newslint.corpus.discover import git_output

    tree = git_output(top, "rev-parse", "-q", "--verify", "HEAD^{tree}")
    listing = git_output(top, "ls-tree", "-r", "-z", "--full-tree", tree.decode().strip()) if tree else None
    if listing is None:
        return None
    in_tree = {}
    for rec in listing.split(b"\0"):
        if rec:
            meta, path = rec.split(b"\t", 1)
            mode, _, oid = meta.split(b" ")
            in_tree[path] = f"{mode.decode()} {oid.decode()}"
    differs = {}
    for rec in raw_ls.split(b"\0"):
        if not rec:
            continue
        meta, path = rec.split(b"\t", 1)
        mode, oid, stage = meta.split(b" ")
        if stage != b"0":
            return None
        then = in_tree.pop(path, None)
        if then != f"{mode.decode()} {oid.decode()}":
            differs[path] = then
    for path, then in in_tree.items():  # in the tree, not in the index
        differs[path] = then
    if len(differs) > limit:
        return None
    return {"tree": tree.decode().strip(),
            "differs": {p.decode("utf-8", "surrogateescape"): e for p, e in sorted(differs.items())}}


# -- writing (a full run: numpy is loaded already) ---------------------------------------------

def write_snapshot(path: str, *, settings: dict, include, exclude, top: str, raw_ls: bytes, dirty: list[str],
                   chash_of: dict[str, bytes], table: dict[bytes, tuple], num_perm: int, rows: int,
                   base: dict | None = None, max_bytes: int | None = None) -> None:
    """Write the snapshot of the tracked corpus paths `chash_of` (absolute path -> content
    hash) whose light rows are in `table` (engine.light_row), `base` being `base_tree`'s answer
    for the listing `raw_ls`. Raises OSError on a write failure."""
    import numpy as np

    from newslint.corpus.shingle import value_counts

    prefix = top.rstrip(os.sep) + os.sep
    items = []
    for p, c in chash_of.items():
        rel = p[len(prefix):] if p.startswith(prefix) else None
        if rel is None or c not in table:
            continue
        items.append((rel.replace(os.sep, "/").encode("utf-8", "surrogateescape"), c))
    items.sort()
    linked = linked_paths(raw_ls)
    links = [r.decode("utf-8", "surrogateescape") for r, _ in items if r in linked]
    docs = sorted({c for _, c in items if table[c][2] != "skip"})
    doc_id = {c: i for i, c in enumerate(docs)}
    path_doc = np.array([doc_id.get(c, NONE) for _, c in items], dtype="<u4")
    path_blob = b"\0".join(r for r, _ in items)
    path_off = np.zeros(len(items) + 1, dtype="<u8")
    if items:
        np.cumsum([len(r) + 1 for r, _ in items], out=path_off[1:])
    # paths grouped by doc (skipped contents last, not addressed)
    by_doc = np.argsort(path_doc, kind="stable").astype("<u4")
    doc_first = np.searchsorted(path_doc[by_doc], np.arange(len(docs) + 1)).astype("<u4")
    rows_ = [table[c] for c in docs]
    nsh = np.array([r[0] for r in rows_], dtype="<u4")
    normhash = np.frombuffer(b"".join(r[1] for r in rows_), dtype="<u8") if docs else np.zeros(0, "<u8")
    norm_order = np.argsort(normhash, kind="stable")
    norm_sorted = normhash[norm_order]
    # LSH bands of the signed docs (rows <= 2: a key is the band's raw values, see minhash.band_keys)
    bands = num_perm // rows
    signed = np.flatnonzero(nsh > 0).astype("<u4")
    band_keys = []
    band_docs = []
    if signed.size:
        from newslint.corpus import minhash as mh

        sigs = np.frombuffer(b"".join(rows_[i][3] for i in signed.tolist()), dtype="<u4").reshape(signed.size, -1)
        keys = mh.band_keys(sigs, bands, rows)
        for b in range(bands):
            order = np.argsort(keys[:, b])  # ties in any order: a lookup takes every equal key
            band_keys.append(np.ascontiguousarray(keys[order, b], dtype="<u8"))
            band_docs.append(signed[order])
        del sigs, keys
    # NL202: every line fingerprint with the number of normal forms holding it (one doc per form)
    first_of_form = norm_order[np.concatenate(([True], norm_sorted[1:] != norm_sorted[:-1]))] if docs else []
    first_of_form = np.sort(first_of_form) if len(first_of_form) else np.zeros(0, dtype=np.int64)
    blobs = [rows_[i][4] for i in first_of_form.tolist()]
    values, counts = value_counts(np.frombuffer(b"".join(blobs), dtype="<i8").copy())
    del blobs
    sections = [
        ("gitls", raw_ls),
        ("path_blob", path_blob),
        ("path_off", path_off.tobytes()),
        ("path_doc", path_doc.tobytes()),
        ("by_doc", by_doc.tobytes()),
        ("doc_first", doc_first.tobytes()),
        ("chash", b"".join(docs)),
        ("normhash", normhash.astype("<u8").tobytes()),
        ("norm_sorted", norm_sorted.astype("<u8").tobytes()),
        ("norm_doc", norm_order.astype("<u4").tobytes()),
        ("band_keys", b"".join(k.tobytes() for k in band_keys)),
        ("band_docs", b"".join(d.tobytes() for d in band_docs)),
        ("line_values", values.astype("<i8").tobytes()),
        ("line_counts", counts.astype("<u4").tobytes()),
    ]
    offsets, pos = {}, 0
    for name, data in sections:
        offsets[name] = [pos, len(data)]
        pos += len(data) + (-len(data)) % 8  # 8-byte aligned for the casts
    header = json.dumps({
        "settings": settings, "include": list(include), "exclude": list(exclude), "top": top,
        "dirty": sorted(dirty), "links": links, "max_bytes": max_bytes,
        "bands": bands, "rows": rows, "num_perm": num_perm, "n_paths": len(items),
        "n_docs": len(docs), "n_signed": int(signed.size), "n_forms": int(len(first_of_form)),
        "sections": offsets, "generation": os.urandom(8).hex(), "base": base,
    }, sort_keys=True).encode()
    from newslint.files import temp_path

    tmp = temp_path(path)  # a snapshot's temporary file a killed run left is removed first
    try:
        with open(tmp, "wb") as fh:
            fh.write(MAGIC + struct.pack("<Q", len(header)) + header)
            fh.write(b"\0" * ((-fh.tell()) % 8))
            base = fh.tell()
            for name, data in sections:
                assert fh.tell() - base == offsets[name][0]
                fh.write(data)
                fh.write(b"\0" * ((-len(data)) % 8))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    delta = os.path.join(os.path.dirname(path), DELTA_NAME)
    if os.path.exists(delta):
        os.unlink(delta)


# -- reading (the hook: no numpy) -----------------------------------------------------------------

class Snapshot:
    """A memory-mapped snapshot; None from `open_snapshot` when missing or unreadable."""

    def __init__(self, path: str):
        self.path = path
        with open(path, "rb") as fh:
            self._mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        mm = self._mm
        hlen = _header_length(mm[:_LEAD], len(mm))
        start = _LEAD
        self.header = json.loads(mm[start:start + hlen])
        self._base = start + hlen + (-(start + hlen)) % 8
        self._view = memoryview(mm)
        h = self.header
        self.n_paths, self.n_docs, self.n_signed, self.bands = h["n_paths"], h["n_docs"], h["n_signed"], h["bands"]
        try:
            self._check_sections(len(mm) - self._base)
            for name, fmt in _ARRAYS:
                setattr(self, name, self._cast(name, fmt))
            self._check_lengths()
        except BaseException:
            self.close()
            raise

    def _check_sections(self, room: int) -> None:
        """A truncated or overwritten file must fail here, not as an IndexError in a hook."""
        for name, (off, size) in self.header["sections"].items():
            if not (isinstance(off, int) and isinstance(size, int) and 0 <= off and 0 <= size
                    and off + size <= room):
                raise ValueError(f"damaged snapshot: section {name} out of the file")
        for name, fmt in _ARRAYS:
            if self.header["sections"][name][1] % struct.calcsize(fmt):
                raise ValueError(f"damaged snapshot: section {name} is not whole {fmt} items")

    def _check_lengths(self) -> None:
        n, d = self.n_paths, self.n_docs
        want = {"path_off": n + 1, "path_doc": n, "by_doc": n, "doc_first": d + 1, "normhash": d,
                "norm_sorted": d, "norm_doc": d}
        if any(len(getattr(self, name)) != size for name, size in want.items()) or \
                self.header["sections"]["chash"][1] != 16 * d or \
                (n and self.path_off[n] - 1 > self.header["sections"]["path_blob"][1]):  # last NUL may be cut
            raise ValueError("damaged snapshot: section lengths disagree with the header")

    def section(self, name: str) -> memoryview:
        off, size = self.header["sections"][name]
        return self._view[self._base + off:self._base + off + size]

    def _cast(self, name: str, fmt: str) -> memoryview:
        return self.section(name).cast(fmt)

    def gitls(self) -> bytes:
        return bytes(self.section("gitls"))

    def rel_path(self, i: int) -> str:
        blob = self.section("path_blob")
        raw = bytes(blob[self.path_off[i]:self.path_off[i + 1] - 1])
        if not raw or b"\0" in raw:  # git paths are never empty and hold no NUL
            raise ValueError("damaged snapshot: a path overwritten")
        return raw.decode("utf-8", "surrogateescape")

    def find_path(self, rel: str) -> int | None:
        """Index of a relative path, by binary search over the byte-sorted paths."""
        blob, off = self.section("path_blob"), self.path_off
        key = rel.replace(os.sep, "/").encode("utf-8", "surrogateescape")
        return _find_sorted(lambda i: bytes(blob[off[i]:off[i + 1] - 1]), self.n_paths, key)

    def doc_paths(self, d: int) -> list[int]:
        return [self.by_doc[k] for k in range(self.doc_first[d], self.doc_first[d + 1])]

    def holders(self, d: int, lost: dict[int, int]) -> int:
        """How many paths still hold doc `d` when `lost` (doc -> paths overlaid) are taken away."""
        return self.doc_first[d + 1] - self.doc_first[d] - lost.get(d, 0)

    def chash(self, d: int) -> bytes:
        return bytes(self.section("chash")[16 * d:16 * d + 16])

    def find_doc(self, chash: bytes) -> int | None:
        """The doc holding a content hash, by binary search over the sorted hashes."""
        blob = self.section("chash")
        return _find_sorted(lambda i: bytes(blob[16 * i:16 * i + 16]), self.n_docs, chash)

    def normhash_bytes(self, d: int) -> bytes:
        return self.normhash[d].to_bytes(8, "little")

    def docs_with_norm(self, norm: bytes) -> list[int]:
        from bisect import bisect_left

        v = int.from_bytes(norm, "little")
        i = bisect_left(self.norm_sorted, v)
        out = []
        while i < self.n_docs and self.norm_sorted[i] == v:
            out.append(self.norm_doc[i])
            i += 1
        return out

    def band_matches(self, keys: list[int]) -> set[int]:
        """Docs sharing at least one band key with `keys` (one key per band)."""
        from bisect import bisect_left

        n = self.n_signed
        out: set[int] = set()
        for b, key in enumerate(keys):
            col = self.band_keys[b * n:(b + 1) * n]
            i = bisect_left(col, key)
            while i < n and col[i] == key:
                out.add(self.band_docs[b * n + i])
                i += 1
        return out

    def line_count(self, h: int) -> int:
        from bisect import bisect_left

        i = bisect_left(self.line_values, h)
        n = self.line_counts[i] if i < len(self.line_values) and self.line_values[i] == h else 0
        if n > self.n_docs:  # a count of texts beyond the corpus: the values were overwritten
            raise ValueError("damaged snapshot: a line count beyond the corpus")
        return n

    def close(self) -> None:
        try:
            for name, _ in _ARRAYS:
                view = self.__dict__.get(name)  # all set, unless a check in __init__ failed
                if view is not None:
                    view.release()
            self._view.release()
            self._mm.close()
        except BufferError:  # a slice still held (by a traceback's frame): the map goes with it
            pass


def _find_sorted(item, n: int, key: bytes) -> int | None:
    """The index i < n with item(i) == key, items ascending; None when absent."""
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        if item(mid) < key:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo < n and item(lo) == key else None


def _header_length(lead: bytes, file_size: int) -> int:
    """The header's length from a snapshot's first len(MAGIC) + 8 bytes; ValueError if they
    are not a snapshot's, or name more bytes than the file holds."""
    if len(lead) != _LEAD or lead[:len(MAGIC)] != MAGIC:
        raise ValueError("not a newslint snapshot")
    length = struct.unpack("<Q", lead[len(MAGIC):])[0]
    if length > file_size - _LEAD:
        raise ValueError("damaged snapshot: header longer than the file")
    return length


def read_header(folder: str) -> dict | None:
    """The header of the folder's snapshot alone (no mapping), or None."""
    try:
        with open(os.path.join(folder, SNAPSHOT_NAME), "rb") as fh:
            header = json.loads(fh.read(_header_length(fh.read(_LEAD), os.fstat(fh.fileno()).st_size)))
    except (OSError, ValueError):
        return None
    return header if isinstance(header, dict) else None


def open_snapshot(folder: str) -> Snapshot | None:
    path = os.path.join(folder, SNAPSHOT_NAME)
    try:
        return Snapshot(path)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, struct.error):  # missing, damaged
        return None


def read_delta(folder: str, generation: str) -> dict[str, list[str]]:
    """{relative path: [blob id, content hash hex, old content hash hex or ""]} recorded by
    quick runs since the snapshot of `generation` was written ({} when none or stale)."""
    try:
        with open(os.path.join(folder, DELTA_NAME), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("generation") != generation:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def write_delta(folder: str, generation: str, entries: dict[str, list[str]]) -> None:
    from newslint.files import replace_file

    data = json.dumps({"generation": generation, "entries": entries}, sort_keys=True).encode("utf-8")
    replace_file(os.path.join(folder, DELTA_NAME), data)
