"""Text -> the per-document facts of the corpus index, in plain Python (no numpy).

What the hook's quick path (`newslint.corpus.quick`) needs to place one changed file in the
corpus without importing numpy (~0.1-0.3 s here, more than the whole in-file check): the
tokens and shingles, the line fingerprints and normal-form hash, the headline position,
and the "tok64" / SHA-1 fingerprints and MinHash signature computed one value at a time.
`newslint.corpus.shingle` and `newslint.corpus.minhash` compute the same values in numpy
for many documents at once; tests/test_corpus_quick.py holds the two equal value for value.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import unicodedata
from array import array
from operator import methodcaller

from newslint.normalize import _TRANSLATE, NOSPACE_RANGES, char_class
from newslint.record import FrozenRecord

_WORD_B = re.compile(rb"\w+")
# bytes -> lower-cased word bytes, every other byte a space: `data.translate(T).split()` is
# `re.findall(r"\w+", text.lower())` for ASCII text, without a regex. Bytes >= 0x80 become
# spaces, which is right when no non-ASCII character of the text is a word character.
_ASCII_WORDS = bytes(
    (c + 32 if 65 <= c <= 90 else c) if (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 or c == 95) else 32
    for c in range(256)
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_WORD_S = re.compile(r"\w+")
_NOSPACE = None  # the regex of those ranges, compiled when first needed (a 4 ms compile)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # newslint.document's line breaks
_BLANKS = re.compile(r"[^\S\r\n]+")  # whitespace runs within a line
# every whitespace character but " ", CR and LF (str.isspace(); tests re-derive it over Unicode)
_ODD_BLANKS = ("\t\v\f\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
               "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_OTHER_BREAKS = re.compile("[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")  # str.splitlines() also splits at these
_TRANSLATED = re.compile("[" + re.escape("".join(map(chr, _TRANSLATE))) + "]")
_ASCII_TRANSLATE = {k: v for k, v in _TRANSLATE.items() if k < 128}  # the backtick
_ASCII_TRANSLATED = re.compile("[" + re.escape("".join(map(chr, _ASCII_TRANSLATE))) + "]")
_digest = methodcaller("digest")
try:  # CPython's own SHA-1: the same digest, without OpenSSL 3's per-call setup (~40% faster here)
    from _sha1 import sha1 as _sha1
except ImportError:  # pragma: no cover
    _sha1 = hashlib.sha1

HASH_SCHEME = "le64/datasketch-affine32"  # recorded in the index; change it and the index rebuilds
# How a shingle becomes a 64-bit fingerprint (the MinHash input is its low 32 bits):
#   "tok64" (default): token hashes from numpy prefix sums, the k of a shingle combined
#            polynomially mod 2**64 and finished with MurmurHash3's fmix64: no Python call
#            per shingle; signatures equal `datasketch.MinHash(..., hashfunc=tok64_hash32)`'s.
#   "sha1":  SHA-1 of the shingle's bytes, so the low half is datasketch's default
#            `sha1_hash32` and signatures equal `datasketch.MinHash(num_perm, seed)`'s.
HASHES = ("sha1", "tok64")


class ShingleSettings(FrozenRecord):
    """How a text is cut into shingles (see `newslint.corpus.shingle`'s module docs)."""

    __slots__ = ("size", "char_size", "auto_char", "hash")
    _fields = __slots__

    def __init__(self, size: int = 5, char_size: int = 5, auto_char: bool = True, hash: str = "tok64"):
        object.__setattr__(self, "size", size)  # words per shingle
        object.__setattr__(self, "char_size", char_size)  # characters per shingle in char mode
        object.__setattr__(self, "auto_char", auto_char)  # char mode for text without word spaces
        object.__setattr__(self, "hash", hash)  # see HASHES

    def describe(self) -> str:
        return f"word{self.size}/char{self.char_size}/auto={int(self.auto_char)}/{self.hash}"


DEFAULT_SHINGLES = ShingleSettings()


_UNSET = object()
# Characters after which folding may need the translation table: its keys, and U+0149, whose
# case folding yields U+02BC (tests/test_corpus_minhash.py re-derives this over all of Unicode).
_TRANSLATE_TRIGGERS = frozenset(map(chr, _TRANSLATE)) | {"\u0149"}
_ASCII_OTHER_BREAKS = "\v\f\x1c\x1d\x1e"
_NONASCII_OTHER_BREAKS = frozenset("\x85\u2028\u2029")


def non_ascii_chars(text: str) -> frozenset:
    """The distinct non-ASCII characters of `text` (empty for ASCII text): one scan answers
    every later "does it contain ...?" question for that text."""
    if text.isascii():
        return frozenset()
    return frozenset("".join(_NON_ASCII.findall(text)))


def is_nospace_text(text: str, na=_UNSET) -> bool:
    na = non_ascii_chars(text) if na is _UNSET else na
    if not na or not any(lo <= ord(ch) <= hi for ch in na for lo, hi in NOSPACE_RANGES):
        return False
    global _NOSPACE
    if _NOSPACE is None:
        _NOSPACE = re.compile(char_class(NOSPACE_RANGES))
    n = len(_NOSPACE.findall(text))
    word_chars = sum(map(len, _WORD_S.findall(text)))
    return n * 3 > word_chars


def _other_breaks(text: str, na) -> bool:
    """Whether str.splitlines() would cut `text` where newslint's line splitting does not."""
    return any(ch in text for ch in _ASCII_OTHER_BREAKS) or bool(na & _NONASCII_OTHER_BREAKS)


# -- the "tok64" fingerprints ------------------------------------------------------------------

_P = 0x100000001B3 * 2 + 1  # "tok64"'s token polynomial (odd, so invertible mod 2**64)
_MULT = 0x9E3779B97F4A7C15  # its shingle step (odd: a bijection per position)
_M64 = (1 << 64) - 1
_M32 = 0xFFFFFFFF

# MinHash (see `newslint.corpus.minhash`): datasketch's "affine32" scheme, 128 permutations of
# seed 1 by default, drawn once and shipped (drawing them imports numpy.random)
MINHASH_SCHEME = "affine32"
DEFAULT_NUM_PERM = 128
DEFAULT_SEED = 1
DEFAULT_ROWS = 2  # LSH rows per band
PERMUTATIONS_FILE = os.path.join(os.path.dirname(__file__), "permutations-128-1.bin")


def shingles_of_text(text: str, settings: ShingleSettings = DEFAULT_SHINGLES) -> tuple[list[bytes], str]:
    """(shingle byte strings, mode) for a text; the reference definition (see module docs)."""
    if settings.auto_char and not text.isascii() and is_nospace_text(text):
        chars = "".join(_WORD_S.findall(text.lower()))
        n = settings.char_size
        if not chars:
            return [], "char"
        if len(chars) < n:
            return [chars.encode("utf-8")], "char"
        return [chars[i:i + n].encode("utf-8") for i in range(len(chars) - n + 1)], "char"
    return word_shingles(word_tokens(text), settings.size), "word"


def word_tokens(text: str) -> list[bytes]:
    """`newslint.normalize.words(text)`, UTF-8 encoded, fast for mostly-ASCII text."""
    if text.isascii() or not _WORD_S.search("".join(_NON_ASCII.findall(text))):
        # every non-ASCII character is punctuation or a symbol (£, €, curly quotes, dashes)
        return text.encode("utf-8").translate(_ASCII_WORDS).split()
    return " ".join(_WORD_S.findall(text.lower())).encode("utf-8").split()


def word_shingles(toks: list[bytes], k: int) -> list[bytes]:
    n = len(toks)
    if n == 0:
        return []
    if n < k:
        return [b" ".join(toks)]
    if k == 5:  # the default: zip keeps the whole loop in C
        return list(map(b" ".join, zip(toks, toks[1:], toks[2:], toks[3:], toks[4:])))
    join = b" ".join
    return [join(toks[i:i + k]) for i in range(n - k + 1)]


def _blake8(data: bytes):
    return hashlib.blake2b(data, digest_size=8)


def line_hash(norm: str) -> int:
    """64-bit fingerprint of a normalised line (signed, so SQLite can store it as INTEGER)."""
    return int.from_bytes(hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def _fold(text: str, na=_UNSET) -> str:
    """normalize() without the whitespace folding."""
    if text.isascii():
        if "`" in text:
            text = text.translate(_ASCII_TRANSLATE)
        return text.lower()
    if unicodedata.is_normalized("NFKC", text):
        na = non_ascii_chars(text) if na is _UNSET else na
        text = text.casefold()
        if "`" in text or not na.isdisjoint(_TRANSLATE_TRIGGERS):
            text = text.translate(_TRANSLATE)
        return text
    text = unicodedata.normalize("NFKC", text).casefold()
    if _TRANSLATED.search(text):
        text = text.translate(_TRANSLATE)
    return text


def _fold_blanks(text: str) -> str:
    """Each run of whitespace within a line as one space. Most news text has no such run
    beyond single spaces, which the substitution would replace one by one (a quarter of the
    corpus pass); one C scan per other blank character (str.__contains__, ~14x faster than
    a regex search here) proves there is nothing to do."""
    odd = _ODD_BLANKS[:7] if text.isascii() else _ODD_BLANKS  # the first 7 are the ASCII ones
    if "  " in text or any(ch in text for ch in odd):
        return _BLANKS.sub(" ", text)
    return text


def fast_normalize(text: str) -> str:
    """`newslint.normalize.normalize`, the same result, faster: ASCII text needs no NFKC or
    translation, and the translation table is applied only when one of its characters occurs
    (str.split() and the `\\s+` regex agree on what whitespace is)."""
    if text.isascii():
        if _ASCII_TRANSLATED.search(text):
            text = text.translate(_ASCII_TRANSLATE)
        return " ".join(text.lower().split())
    text = unicodedata.normalize("NFKC", text).casefold()
    if _TRANSLATED.search(text):
        text = text.translate(_TRANSLATE)
    return " ".join(text.split())


def content_hash(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


# The normal form's hash of a text with no words at all (empty, blank lines, only comments):
# such a file holds no article, so it is nobody's duplicate (placeholders were NL401 of each other)
EMPTY_NORMHASH = hashlib.blake2b(b"", digest_size=8).digest()


def line_facts_raw(text: str, na=_UNSET) -> tuple[bytes, bytes, int, int]:
    """(normhash, fingerprints of the distinct normalised lines in first-seen order, headline
    row, headline length); the fingerprints as little-endian int64 bytes. No Python work per
    line beyond two list comprehensions."""
    na = non_ascii_chars(text) if na is _UNSET else na
    split = str.splitlines if not _other_breaks(text, na) else _LINE_BREAK.split  # same lines, faster
    raw_lines = split(text)
    head_row, head_len = 1, 0
    for i, line in enumerate(raw_lines):
        if line and not line.isspace():
            head_row, head_len = i + 1, len(line)
            break
    # NFKC, case folding and the translation table act character by character and never make
    # or remove a line break, so the whole text is folded once, its blank runs folded, and cut
    # into lines: each line is then `normalize(line)` (`" ".join(line.split())` == strip(" "))
    norm_lines = split(_fold_blanks(_fold(text, na)))
    if len(norm_lines) != len(raw_lines):  # pragma: no cover  (defensive)
        norm_lines = [_BLANKS.sub(" ", _fold(line)) for line in raw_lines]
    norms = [n for n in (x.strip(" ") for x in norm_lines) if n]
    uniq = dict.fromkeys(norms)
    # line_hash() for every distinct line, the loop kept in C
    digests = b"".join(map(_digest, map(_blake8, map(str.encode, uniq))))
    # normalize() folds line breaks into spaces, so the text's normal form is its lines' joined
    normhash = hashlib.blake2b(" ".join(norms).encode("utf-8"), digest_size=8).digest()
    return normhash, digests, head_row, head_len


def _tok64_buffer(text: str, raw: bytes | None, na=_UNSET) -> bytes:
    """The text's lower-cased `\\w+` tokens as bytes, separated by one or more spaces."""
    na = non_ascii_chars(text) if na is _UNSET else na
    if not na or not _WORD_S.search("".join(na)):
        return (raw if raw is not None else text.encode("utf-8")).translate(_ASCII_WORDS)
    return " ".join(_WORD_S.findall(text.lower())).encode("utf-8")




# -- fingerprints and signatures, one value at a time ---------------------------------------

def _fmix64(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & _M64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & _M64
    return h ^ (h >> 33)


def tok64_token_hash(tok: bytes) -> int:
    """"tok64"'s hash of one token: fmix64((sum_j byte_j * P**j mod 2**64) ^ len)."""
    poly, pw = 0, 1
    for byte in tok:
        poly += byte * pw
        pw = (pw * _P) & _M64
    return _fmix64((poly & _M64) ^ len(tok))


def tok64_list(buf: bytes, k: int) -> list[int]:
    """"tok64" fingerprints of the space-separated tokens of `buf`, in text order with
    repeats (as `shingle.tok64_fingerprints`): each run of k token hashes combined."""
    cache: dict[bytes, int] = {}
    th = []
    for tok in buf.split():
        h = cache.get(tok)
        if h is None:
            h = cache[tok] = tok64_token_hash(tok)
        th.append(h)
    n = len(th)
    if n == 0:
        return []
    m = min(k, n)
    out = []
    for i in range(n - m + 1):
        h = th[i]
        for j in range(1, m):
            h = (h * _MULT + th[i + j]) & _M64
        out.append(_fmix64((h + m) & _M64))
    return out


def sha1_list(shingles: list[bytes]) -> list[int]:
    """SHA-1 fingerprints (first 8 bytes, little-endian), sorted and unique (as `shingle.fingerprints`)."""
    return sorted({int.from_bytes(_sha1(s).digest()[:8], "little") for s in shingles})


def fingerprint_list(text: str, settings: ShingleSettings, raw: bytes | None = None) -> tuple[list[int], str]:
    """(fingerprints, mode) of a text: `shingle.text_fingerprints` as a list of ints."""
    na = non_ascii_chars(text)
    if settings.hash == "tok64" and not (settings.auto_char and na and is_nospace_text(text, na)):
        return tok64_list(_tok64_buffer(text, raw, na), settings.size), "word"
    shingles, mode = shingles_of_text(text, settings)
    return sha1_list(shingles), mode


def permutation_lists(num_perm: int, seed: int) -> tuple[list[int], list[int]] | None:
    """The shipped default MinHash permutations (a, b) as ints; None for other settings
    (drawing them needs numpy.random)."""
    if (num_perm, seed) != (DEFAULT_NUM_PERM, DEFAULT_SEED):
        return None
    ab = array("I")
    with open(PERMUTATIONS_FILE, "rb") as fh:
        ab.frombytes(fh.read())
    if sys.byteorder != "little":  # pragma: no cover
        ab.byteswap()
    return ab.tolist()[:num_perm], ab.tolist()[num_perm:]


def _fmix32(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _M32
    return h ^ (h >> 16)


def signature_list(fps: list[int], a: list[int], b: list[int]) -> list[int]:
    """`minhash.signature` as ints: per permutation min((a * fmix32(low32(fp)) + b) mod 2**32)."""
    if not fps:
        return [_M32] * len(a)
    hv = [_fmix32(fp & _M32) for fp in set(fps)]  # repeats change no minimum
    return [min([(ai * h + bi) & _M32 for h in hv]) for ai, bi in zip(a, b)]
