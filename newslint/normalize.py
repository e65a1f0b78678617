"""One normalisation for all matching.

Two lines are "the same" for every rule when their normal forms are equal:
Unicode NFKC, case-folded, curly quotes and primes made straight, every dash and
minus made '-', invisible characters dropped and whitespace folded to one space.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TRANSLATE = {}
for ch in "\u2018\u2019\u201a\u201b\u2032\u2035\u00b4\u0060\u02bc":
    _TRANSLATE[ord(ch)] = "'"
for ch in "\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\u300c\u300d":
    _TRANSLATE[ord(ch)] = '"'
for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d":
    _TRANSLATE[ord(ch)] = "-"
# Zero-width and bidi-control characters carry no words.
for ch in "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u00ad":
    _TRANSLATE[ord(ch)] = None

# Scripts written without spaces between words: CJK (kana, ideographs), Thai, Lao, Khmer, Myanmar
# (the cross-file pass cuts their text into characters; a safe deletion counts their words).
NOSPACE_RANGES = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x3040, 0x30FF), (0x3400, 0x4DBF),
                  (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


def char_class(ranges) -> str:
    """A regex character class of (first, last) code point ranges."""
    return "[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in ranges) + "]"


_TRANSLATED = re.compile("[" + "".join(re.escape(chr(c)) for c in _TRANSLATE) + "]")
_WORD = re.compile(r"\w+")


def normalize(text: str) -> str:
    if text.isascii():  # NFKC leaves ASCII as it is, casefold is lower, and only '`' is translated
        return " ".join(text.lower().replace("`", "'").split())
    text = unicodedata.normalize("NFKC", text).casefold()
    if _TRANSLATED.search(text):  # translate() walks every character: skip it when idle
        text = text.translate(_TRANSLATE)
    return " ".join(text.split())  # str.split() folds every Unicode space, faster than a regex


def words(text: str) -> list[str]:
    """Lower-cased `\\w+` tokens: the word notion used by every rule and the corpus index."""
    return _WORD.findall(text.lower())


@lru_cache(maxsize=8192)
def word_count(text: str) -> int:
    """len(words(text)), memoised: the line predicates ask it of the same text many times."""
    return len(_WORD.findall(text))


_AT_LEAST: dict[int, re.Pattern] = {}


def has_words(text: str, n: int) -> bool:
    """word_count(text) >= n, reading the text only up to its n-th word (a paragraph holds
    a hundred words; the line predicates ask whether it has 10 or 25)."""
    if n <= 0:
        return True
    pattern = _AT_LEAST.get(n)
    if pattern is None:  # n runs of word characters, each but the last followed by others
        pattern = _AT_LEAST[n] = re.compile(r"\W*(?:\w+\W+){%d}\w" % (n - 1))
    return pattern.match(text) is not None
