"""Literal prefilters derived from a pattern: strings one of which every match contains.

A shipped pattern is compiled on first use, and compiling the ~30 shipped line patterns
was most of the first lint of a file (~8 ms); most lines cannot match most of them. So
each pattern gets `needs`: lowercase ASCII strings, one of which is in every text the
pattern matches (anywhere in it). A line is tried, and the pattern compiled, only when
its folded text holds one of them. Derived once per pack text (newslint.packcache keeps
them); a pattern the derivation does not understand gets no prefilter.

Folding: ASCII lowercase, plus the non-ASCII letters that re's IGNORECASE matches to an
ASCII letter (tests/test_needs.py recomputes that set), so a literal of a case-blind
pattern cannot be missed. Non-ASCII literals of a pattern are not used as needs.
"""

from __future__ import annotations

FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
MAX_NEEDS = 64  # more alternatives than this: no prefilter (testing them would cost more than it saves)


_FOLDED = "\u0130\u0131\u017f\u212a"


def fold(text: str) -> str:
    if text.isascii() or not any(ch in text for ch in _FOLDED):  # translate() is slow: skip it when idle
        return text.lower()
    return text.translate(FOLD).lower()


def derive(pattern: str, flags: int = 0) -> list[str] | None:
    """Sorted needs of `pattern`, or None when no useful set is known."""
    try:
        from re import _parser
    except ImportError:  # pragma: no cover  (before Python 3.11)
        import sre_parse as _parser
    try:
        tree = _parser.parse(pattern, flags)
    except Exception:  # the regex module's syntax: no prefilter
        return None
    found = _needs(list(tree))
    return sorted(found) if found else None


def _needs(items) -> set[str] | None:
    """Needs of a sequence: the best of its literal runs and its parts' needs."""
    from re._constants import (ASSERT, ASSERT_NOT, AT, BRANCH, LITERAL, MAX_REPEAT, MIN_REPEAT, SUBPATTERN)

    repeats = {MAX_REPEAT, MIN_REPEAT}
    try:
        from re._constants import POSSESSIVE_REPEAT
        repeats.add(POSSESSIVE_REPEAT)
    except ImportError:  # pragma: no cover
        pass
    try:
        from re._constants import ATOMIC_GROUP
    except ImportError:  # pragma: no cover
        ATOMIC_GROUP = None

    candidates = []
    run = ""
    for op, av in items:
        if op is LITERAL and av < 128:
            run += chr(av).lower()
            continue
        if op is AT:  # zero-width anchors keep the run going
            continue
        if run:
            candidates.append({run})
            run = ""
        if op is SUBPATTERN:
            candidates.append(_needs(list(av[-1])))
        elif op is ATOMIC_GROUP:
            candidates.append(_needs(list(av)))
        elif op is BRANCH:
            parts = [_needs(list(branch)) for branch in av[1]]
            if all(parts):
                candidates.append(set().union(*parts))
        elif op in repeats and av[0] >= 1:
            candidates.append(_needs(list(av[2])))
        elif op in (ASSERT, ASSERT_NOT):
            continue  # a lookaround says nothing this prefilter can use
        # anything else (classes, any char, back-references) is one unknown character
    if run:
        candidates.append({run})
    usable = [c for c in candidates if c and len(c) <= MAX_NEEDS and "" not in c]
    if not usable:
        return None
    # the best set is the one whose shortest string is longest: it rejects the most text
    return max(usable, key=lambda c: (min(map(len, c)), -len(c)))
