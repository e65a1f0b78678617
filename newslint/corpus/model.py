"""The corpus pass's settings and results, and the steps from content edges to per-file
findings that every engine shares. Plain Python (no numpy, no dataclasses): the hook's
quick path (`newslint.corpus.quick`) uses them without paying those imports."""

from __future__ import annotations

import os
import re

from newslint.corpus.textfacts import DEFAULT_NUM_PERM, DEFAULT_ROWS, DEFAULT_SEED, HASH_SCHEME, MINHASH_SCHEME
from newslint.corpus.textfacts import ShingleSettings
from newslint.files import DEFAULT_INCLUDE
from newslint.record import FrozenRecord

INDEX_SCHEMA = "4"  # the corpus index's table layout (store.py); recorded in its meta table
# (3: nshingles counts distinct shingles, which the signature screen relies on; docs.chash
# is a unique index made once at the end of a first build, not the primary key; 4: docs.shingles
# holds 32 bits a shingle, shingle.verification_set)
INDEX_DB_NAME = "corpus-v1.sqlite3"  # the index's file in the cache folder


class CorpusOptions:
    """Settings for the corpus pass. Defaults are the documented behaviour; keyword
    arguments override them (an unknown name is a TypeError, as for a dataclass)."""

    threshold: float = 0.8  # NL402: word 5-gram Jaccard at least this
    containment: float = 0.9  # NL403: share of the smaller file's shingles found in the larger
    min_contained_shingles: int = 20  # NL403 ignores files shorter than this many shingles
    boilerplate_min_files: int = 5  # NL202: a line in at least this many distinct files ...
    boilerplate_fraction: float = 0.001  # ... and in at least this share of the corpus
    num_perm: int = DEFAULT_NUM_PERM
    seed: int = DEFAULT_SEED
    rows: int = DEFAULT_ROWS  # LSH rows per band (bands = num_perm // rows)
    shingle_size: int = 5
    char_size: int = 5
    auto_char: bool = True
    hash: str = "tok64"  # shingle hash: "tok64" (fast) or "sha1" (datasketch's default); see shingle.py
    include: tuple = DEFAULT_INCLUDE
    exclude: tuple = ()
    use_cache: bool = True  # False: --no-cache
    index_url: str | None = None  # "redis://HOST:PORT/DB" for the shared index
    cache_root: str | None = None  # folder holding .newslint_cache (default: git top, else cwd)
    cache_dir: str | None = None  # the cache folder itself (`check --cache-dir`), overriding cache_root
    rebuild: bool = False
    select: frozenset | None = None  # corpus codes to report (None: all four)
    jobs: int | None = None  # worker processes for signing (None: all cores)
    cwd: str | None = None
    use_git: bool = True
    quick: bool = True  # a few files in git: answer from the corpus snapshot when it is current
    snapshot: bool = False  # write the snapshot after any number of files (a full check: newslint.lastrun)
    encoding: str = "utf-8"  # the files' encoding (the `encoding` setting); the pass works on UTF-8 (corpus_bytes)
    max_bytes: int = 50 * 1024 * 1024  # `max-file-size`: a larger file is NL503, not read, left out of the corpus

    _NAMES = ("threshold", "containment", "min_contained_shingles", "boilerplate_min_files",
              "boilerplate_fraction", "num_perm", "seed", "rows", "shingle_size", "char_size", "auto_char",
              "hash", "include", "exclude", "use_cache", "index_url", "cache_root", "cache_dir", "rebuild",
              "select", "jobs", "cwd", "use_git", "quick", "snapshot", "encoding", "max_bytes")

    def __init__(self, **kw):
        for name, value in kw.items():
            if name not in self._NAMES:
                raise TypeError(f"CorpusOptions() got an unexpected keyword argument {name!r}")
            setattr(self, name, value)

    def replace(self, **changes) -> "CorpusOptions":
        """A copy with `changes` (as dataclasses.replace)."""
        return CorpusOptions(**{**{n: getattr(self, n) for n in self._NAMES}, **changes})

    def __repr__(self) -> str:
        return "CorpusOptions(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in self._NAMES) + ")"

    def __eq__(self, other):
        if not isinstance(other, CorpusOptions):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._NAMES)

    __hash__ = None

    @property
    def shingles(self) -> ShingleSettings:
        return ShingleSettings(self.shingle_size, self.char_size, self.auto_char, self.hash)

    def index_settings(self) -> dict[str, str]:
        """What the index must have been built with; a mismatch rebuilds it."""
        return {
            "num_perm": str(self.num_perm),
            "seed": str(self.seed),
            "shingles": self.shingles.describe(),
            "hash_scheme": HASH_SCHEME,
            "minhash_scheme": MINHASH_SCHEME,
            "lines": "blake2b64(normalize(line))",
            # corpus_bytes
            "text": "utf-8, newslint comments, front matter, HTML comments and fenced code dropped",
            **({} if is_utf8(self.encoding) else {"encoding": self.encoding}),  # hashes of the UTF-8 text
        }

    def wants(self, code: str) -> bool:
        return self.select is None or code in self.select


class CorpusStats:
    """What a run did; `hashed == 0 and signed == 0` means nothing was re-read."""

    _NAMES = ("corpus_files", "stat_hits", "hashed", "signed", "skipped", "dropped", "candidates", "screened",
              "verified", "seconds", "quick")

    def __init__(self):
        self.corpus_files = 0
        self.stat_hits = 0  # unchanged by stat (size, mtime, inode): not read
        self.hashed = 0  # read and content-hashed
        self.signed = 0  # new content: shingled and MinHashed
        self.skipped = 0  # not text (undecodable, binary, too large)
        self.dropped = 0  # index rows of deleted or renamed files dropped
        self.candidates = 0  # candidate pairs from LSH (and equal normal forms)
        self.screened = 0  # candidate pairs whose signatures agree too little to pass: not verified
        self.verified = 0  # pairs confirmed exactly
        self.seconds = 0.0
        self.quick = False  # answered from the corpus snapshot (newslint.corpus.quick)

    def __repr__(self) -> str:
        return "CorpusStats(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in self._NAMES) + ")"


class Edge(FrozenRecord):
    """A verified relation between two files (display names)."""

    __slots__ = ("code", "a", "b", "jaccard", "containment_ab", "containment_ba")
    _fields = __slots__

    def __init__(self, code: str, a: str, b: str, jaccard: float, containment_ab: float, containment_ba: float):
        object.__setattr__(self, "code", code)  # NL401, NL402 or NL403
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "jaccard", jaccard)
        object.__setattr__(self, "containment_ab", containment_ab)  # share of a's shingles found in b
        object.__setattr__(self, "containment_ba", containment_ba)


class FileFindings:
    """What the corpus pass found for one queried file; rules turn it into diagnostics."""

    def __init__(self, path: str, abspath: str, head_row: int = 1, head_len: int = 0, mode: str = "word"):
        self.path = path  # display name
        self.abspath = abspath
        self.head_row = head_row
        self.head_len = head_len
        self.mode = mode  # how its shingles were cut: "word", or "char" for text without spaces
        self.duplicates: list = []  # [(other, 1.0)]
        self.near: list = []  # [(other, jaccard)]
        self.contained_in: list = []  # [(other, containment of this file in other)]
        self.contains: list = []  # [(other, containment of other in this file)]
        self.boilerplate: dict = {}  # line hash -> number of files holding it
        self.boilerplate_threshold = 0
        self.corpus_size = 0

    def __repr__(self) -> str:
        return f"FileFindings({self.path!r}, {vars(self)!r})"


def relative(path: str, cwd: str) -> str:
    """os.path.relpath for normalised absolute paths, without its cost in the common case."""
    prefix = cwd.rstrip(os.sep) + os.sep
    if path.startswith(prefix):
        return path[len(prefix):]
    try:
        return os.path.relpath(path, cwd)
    except ValueError:
        return path


def _joins_as_opened(name: str) -> bool:
    """Is the file the system opens for `name` the one its parts joined to the cwd name
    (normpath, unresolved)? Not when a '..' follows a folder, which may be a link: the '..'
    then goes up from the link's target (feeds/../a.txt, feeds a link). Leading '..' climb
    from the cwd, which os.getcwd() gives resolved."""
    parts = name.replace(os.sep, "/").split("/")
    i = 0
    while i < len(parts) and not os.path.isabs(name) and parts[i] in (".", ".."):
        i += 1
    return ".." not in parts[i:]


def opened_path(cwd: str, name: str) -> str:
    """The absolute path of the file the system opens for `name`: its parts joined, or, when
    a '..' follows a folder, its folder resolved as the system resolves it (links first)."""
    joined = os.path.join(cwd, name)
    if ".." not in name or _joins_as_opened(name):
        return os.path.normpath(joined)
    head, tail = os.path.split(joined)
    if tail in ("", ".", ".."):  # a folder (`newslint dups feeds/..`)
        return os.path.realpath(joined)
    return os.path.join(os.path.realpath(head), tail)  # the file itself may be a link: kept as named


def left_out_note(name: str) -> str:
    """The note for a file decode_text gives no text for."""
    return f"{name}: binary or not UTF-8 text; left out of the corpus checks"


def left_out(files: list[str], corpus_notes: list[str]) -> frozenset:
    """The `files` the corpus pass left out as not text (its note names each)."""
    said = set(corpus_notes)
    return frozenset(f for f in files if left_out_note(f) in said) if said else frozenset()


TOO_LARGE = b"\0newslint: file over the size limit\0"  # NUL: never decodes as text, so it is skipped


def is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")


def corpus_bytes(data: bytes | None, encoding: str) -> bytes | None:
    """A corpus file's bytes as the cross-file pass compares them (hashes, shingles, lines):
    - as UTF-8 when the files are declared in another encoding (the `encoding` setting), so a
      corpus in cp1252 or UTF-16 is compared as text, not left out as 'not UTF-8'; bytes that
      are not text in that encoding get a NUL in front: decode_text skips them, as binaries;
    - without newslint's suppression comments, which are not article text (the document model
      reads them as blank lines): two copies of an article, one with a comment, are still
      identical, and a comment in many files is not corpus boilerplate. The line breaks stay;
    - with the lines the document model reads as blank for the in-file rules emptied: front
      matter, HTML comments (a draft kept in one was the 'duplicate' of another file's
      article), closed fenced code blocks."""
    if data is None or data.startswith(TOO_LARGE):
        return data
    if not is_utf8(encoding):
        try:
            data = data.decode(encoding).encode("utf-8")
        except (UnicodeError, LookupError):  # UnicodeError itself: 'undefined', 'punycode'
            return b"\0" + data
    if b"<!--" in data and b"newslint:" in data.lower():  # two C calls: most files have no comment
        data = _COMMENT.sub(b"", data)
    if data.startswith((b"---", b"+++", b"\xef\xbb\xbf---", b"\xef\xbb\xbf+++")):
        data = _blank_front_matter(data)
    if b"<!--" in data or b"```" in data or b"~~~" in data:  # three C scans: most files have none
        data = _blank_hidden(data)
    return data


# a line break; captured, so that split() keeps the breaks between the lines
_LINE_END = re.compile(rb"(\r\n|\r|\n)")


def _blank_hidden(data: bytes) -> bytes:
    """`data` with the lines the document model reads as blank emptied, their line breaks
    kept: a line that is only an HTML comment, a comment over several lines, a closed fenced
    code block (newslint.document.hidden_spans). The cross-file rules then compare what the
    in-file ones read: the article's visible text."""
    from newslint.document import comment_only, hidden_spans

    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    parts = _LINE_END.split(data[len(bom):])  # line, break, line, break, ..., the last line
    texts = [part.decode("utf-8", "replace") for part in parts[0::2]]
    hidden = [j for j, t in enumerate(texts) if comment_only(t.strip())]
    for first, last in hidden_spans(texts):
        hidden.extend(range(first, last + 1))
    if not hidden:
        return data
    for j in hidden:
        parts[2 * j] = b""
    return bom + b"".join(parts)


def _blank_front_matter(data: bytes) -> bytes:
    """`data` with its front matter's lines emptied, their line breaks kept: metadata is no
    article text, for the cross-file rules as for the in-file ones (a post and its copy with
    other front matter are the same article), and lines keep their numbers."""
    from newslint.document import FRONT_MATTER_MAX_LINES, front_matter_lines

    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    lines, breaks, ends, pos = [], [], [], len(bom)
    for m in _LINE_END.finditer(data, pos):
        lines.append(data[pos:m.start()].decode("utf-8", "replace"))
        breaks.append(m.group())
        pos = m.end()
        ends.append(pos)
        if len(lines) >= FRONT_MATTER_MAX_LINES:
            break
    else:
        if pos < len(data):  # a last line without a line break (the closing fence, say)
            lines.append(data[pos:].decode("utf-8", "replace"))
            breaks.append(b"")
            ends.append(len(data))
    n = front_matter_lines(lines)
    if not n:
        return data
    return bom + b"".join(breaks[:n]) + data[ends[n - 1]:]


# suppress._DIRECTIVE on bytes, within one line (the document model finds comments line by line)
_COMMENT = re.compile(rb"<!--[^\S\r\n]*newslint:[^\S\r\n]*(?:disable-next-line|disable-file|disable|enable)\b"
                      rb"[^>\r\n]*?-->", re.IGNORECASE)


def decode_text(data: bytes) -> str | None:
    """The text of a corpus file's bytes (a UTF-8 BOM dropped), None when it is not UTF-8 text."""
    if b"\x00" in data[:8192]:
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _file_id(path: str) -> str | None:
    """The path `path` names once symlinks are resolved. A hard link stays its own file: git
    stores it as a second copy. Asked only of the paths that hold equal contents, so rarely."""
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return None


def file_edges(query_chashes, paths_of: dict, chash_edges, display, options: CorpusOptions) -> list:
    """Edges between files from edges between contents: files with the same content are
    NL401 among themselves; a content pair's edge holds for every pair of their files.
    Shared by every engine, so all report the same pairs in one order."""
    edges: list[Edge] = []
    for c in query_chashes:
        ps = paths_of[c]
        if len(ps) < 2:
            continue
        ids = [_file_id(p) for p in ps]
        for x in range(len(ps)):
            for y in range(x + 1, len(ps)):
                if ids[x] is None or ids[x] != ids[y]:  # a symlink and its target: one file, no copy
                    edges.append(Edge("NL401", display(ps[x]), display(ps[y]), 1.0, 1.0, 1.0))
    for code, ca, cb, jac, cab, cba in chash_edges:
        for pa in paths_of[ca]:
            for pb in paths_of[cb]:
                edges.append(Edge(code, display(pa), display(pb), jac, cab, cba))
    edges = [e for e in edges if options.wants(e.code)]
    edges.sort(key=lambda e: (e.a, e.b, e.code))
    return edges


def add_edge_findings(findings: dict, edges: list[Edge], containment: float) -> None:
    """Each edge into the FileFindings of its files that are in `findings`, lists sorted."""
    for e in edges:
        for me, other, mine, theirs in ((e.a, e.b, e.containment_ab, e.containment_ba),
                                        (e.b, e.a, e.containment_ba, e.containment_ab)):
            ff = findings.get(me)
            if ff is None:
                continue
            if e.code == "NL401":
                ff.duplicates.append((other, 1.0))
            elif e.code == "NL402":
                ff.near.append((other, e.jaccard))
            elif mine >= containment and mine >= theirs:
                ff.contained_in.append((other, mine))
            else:
                ff.contains.append((other, theirs))
    for ff in findings.values():
        for lst in (ff.duplicates, ff.near, ff.contained_in, ff.contains):
            lst.sort(key=lambda t: (-t[1], t[0]))


def classify(jac: float, cab: float, cba: float, size_a: int, size_b: int, options: CorpusOptions) -> str | None:
    """NL402, NL403 or None for a verified pair of distinct normal forms (sizes: unique shingles)."""
    if jac >= options.threshold:
        return "NL402"
    if (cab >= options.containment and size_a >= options.min_contained_shingles and size_a <= size_b) or \
            (cba >= options.containment and size_b >= options.min_contained_shingles and size_b <= size_a):
        return "NL403"
    return None


def rule_diagnostics(findings: dict, query_names, options: CorpusOptions) -> dict:
    """display name -> sorted corpus diagnostics: an empty list for every queried name,
    the rules' findings for those with FileFindings."""
    from newslint.corpus.rules import corpus_rules
    from newslint.diagnostics import Diagnostic

    diagnostics = {name: [] for name in query_names}
    rules = [r for r in corpus_rules() if options.wants(r.code)]
    for name, ff in findings.items():
        out = []
        for rule in rules:
            out.extend(rule.corpus_check(ff, options))
        out.sort(key=Diagnostic.sort_key)
        diagnostics[name] = out
    return diagnostics
