"""The parsed, immutable view of one text file.

    Source.text ──▶ lines (with offsets) ──▶ blocks (runs of non-blank lines)
                ──▶ paragraphs (a block's lines, or its indented parts when hard-wrapped)
                ──▶ segments (articles; more than one means merged files)
                ──▶ each segment's header zone (headline, captions, credit lines)

Everything derived is computed lazily and cached, so a rule pays only for what it uses.
"""

from __future__ import annotations

import re
from functools import lru_cache

from newslint.normalize import normalize, word_count, words
from newslint.record import FrozenRecord
from newslint.source import Source

_set = object.__setattr__  # how a frozen record's __init__ assigns


class cached_property:
    """functools.cached_property without its lock (Python 3.11 takes an RLock on every first
    access: a tenth of the in-file rules' time on a corpus). Documents are not shared across
    threads; two threads computing the same value would each get an equal one."""

    def __init__(self, func):
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


# A line and the paragraph it makes up hold the same text (the paragraph's stripped, which
# leaves a line without outer spaces as it is): normalised once for both.
_normalize = lru_cache(maxsize=1024)(normalize)


def _word_count(text: str) -> int:
    """len(words(text)); for ASCII text the memoised count the line predicates share (lowering
    can split a non-ASCII word: 'İ' lowers to 'i' and a combining dot)."""
    return word_count(text) if text.isascii() else len(words(text))

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SENTENCE_END = re.compile(r"[.!?…。！？؟]['\"’”»)\]]*$")


class Line(FrozenRecord):
    # no __slots__: the cached properties live in __dict__
    _fields = ("index", "start", "end", "next", "text")

    def __init__(self, index: int, start: int, end: int, next: int, text: str):
        _set(self, "index", index)  # 0-based
        _set(self, "start", start)  # offset of the first character
        _set(self, "end", end)  # offset just after the content (before the terminator)
        _set(self, "next", next)  # offset just after the terminator
        _set(self, "text", text)

    @cached_property
    def blank(self) -> bool:
        """No article text: empty, or only an HTML comment (e.g. a suppression comment)."""
        t = self.text.strip()
        return not t or comment_only(t)

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    @property
    def indent(self) -> int:
        return len(self.text) - len(self.text.lstrip())

    @cached_property
    def norm(self) -> str:
        return _normalize(self.text)

    @cached_property
    def word_count(self) -> int:
        return _word_count(self.text)


class Block(FrozenRecord):
    """A maximal run of non-blank lines."""

    _fields = __slots__ = ("first", "last")

    def __init__(self, first: int, last: int):
        _set(self, "first", first)
        _set(self, "last", last)  # inclusive

    @property
    def lines(self) -> range:
        return range(self.first, self.last + 1)


class Paragraph(FrozenRecord):
    # no __slots__: the cached properties live in __dict__
    _fields = ("first", "last", "text")

    def __init__(self, first: int, last: int, text: str):
        _set(self, "first", first)
        _set(self, "last", last)  # inclusive
        _set(self, "text", text)  # the lines joined by single spaces

    @cached_property
    def norm(self) -> str:
        return _normalize(self.text)

    @cached_property
    def word_count(self) -> int:
        return _word_count(self.text)

    @property
    def single_line(self) -> bool:
        return self.first == self.last


class Segment(FrozenRecord):
    """One article: its non-blank line span, headline and header zone."""

    _fields = __slots__ = ("first", "last", "headline", "body_start")

    def __init__(self, first: int, last: int, headline: int | None, body_start: int):
        _set(self, "first", first)
        _set(self, "last", last)  # inclusive, the last non-blank line
        _set(self, "headline", headline)  # line index of the headline, if the article has one
        _set(self, "body_start", body_start)  # first line of the body; lines first..body_start-1 are the header zone


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text.rstrip()))


def is_hard_wrapped(lines: list[Line]) -> bool:
    """True for fixed-width text: most lines fill the width and run on mid-sentence."""
    if len(lines) < 3:
        return False
    lengths = sorted(len(ln.text.rstrip()) for ln in lines)
    width = lengths[int(len(lengths) * 0.9) - 1] if len(lengths) >= 10 else lengths[-1]
    if not 30 <= width <= 110:
        return False
    body = lines[:-1]
    full = sum(1 for ln in body if len(ln.text.rstrip()) >= 0.7 * width)
    run_on = sum(1 for ln in body if not ends_sentence(ln.text))
    return full >= 0.6 * len(body) and run_on >= 0.5 * len(body)


# Markdown front matter: YAML between '---' lines ('...' may close it), TOML between '+++'
_FRONT_MATTER_END = {"---": ("---", "..."), "+++": ("+++",)}
_BARE_KEY = re.compile(r"[\w.-]+\s*[:=]")  # key: / key =
# a bare key, a quoted key, indented, a list item, a comment, blank
_FRONT_MATTER_LINE = re.compile(_BARE_KEY.pattern + r"""|"[^"]*"\s*[:=]|'[^']*'\s*[:=]|\s|-\s|-$|#|$""")
FRONT_MATTER_MAX_LINES = 200


def front_matter_lines(texts: list[str]) -> int:
    """How many of a file's first lines (`texts`, without their line breaks) are its front
    matter, both fences counted; 0 when it has none. TOML between '+++' fences counts when it
    parses (its multi-line strings hold lines of any shape); YAML, and TOML that does not
    parse, when every line reads as metadata, a flow list or map continued over lines
    included, so a rule of dashes above a headline is left as text."""
    fence = texts[0].rstrip() if texts else ""
    ends = _FRONT_MATTER_END.get(fence)
    if ends is None:
        return 0
    close = next((i for i in range(1, min(len(texts), FRONT_MATTER_MAX_LINES)) if texts[i].rstrip() in ends), 0)
    if not close:
        return 0
    if fence == "+++":
        from newslint.config import load_toml

        try:
            if _holds_a_value(load_toml("\n".join(texts[1:close]))):  # "[Advertisement]" alone is
                return close + 1                                        # a TOML table, and no metadata
        except (ValueError, RecursionError):  # not TOML (or nested past the parser's depth): judged line
            pass                                # by line, as YAML is
    depth = 0  # brackets a YAML flow collection ("tags: [a,") left open on an earlier line
    keyed = False  # a quoted key alone is also a quoted headline: "'I thought I would die': Survivor ..."
    empty = True  # nothing but blanks and comments: Jekyll's empty "---", "---" marks a page too
    for t in texts[1:close]:
        if depth <= 0 and not _FRONT_MATTER_LINE.match(t):
            return 0
        keyed = keyed or _BARE_KEY.match(t) is not None
        empty = empty and (not t.strip() or t.lstrip().startswith("#"))
        depth += t.count("[") + t.count("{") - t.count("]") - t.count("}")
    return close + 1 if keyed or empty else 0


def _holds_a_value(table: dict) -> bool:
    return any(not isinstance(v, dict) or _holds_a_value(v) for v in table.values())


def _blank_front_matter(lines: list[Line]) -> None:
    """Front matter at the top of a file (Markdown's metadata block) is not article text: its
    lines read as blank, as comment lines do, so its first line is never taken for the
    headline (which hid a repeated headline from NL101), and no rule reads or fixes it."""
    n = front_matter_lines([ln.text for ln in lines[:FRONT_MATTER_MAX_LINES]])
    for x in lines[:n]:
        x.__dict__["blank"] = True


_FENCE = re.compile(r"(`{3,}|~{3,})")  # a Markdown code fence opening: ``` or ~~~, an info string after it


def _blank_hidden(lines: list[Line]) -> None:
    """An HTML comment over several lines and a fenced code block (closed, both) are not
    article text either: a paragraph a draft keeps in a comment, or a line quoted in a code
    block, was taken for the first copy of the visible one below it, which a safe fix then
    deleted (found by a review). Their lines read as blank, as a one-line comment does: no
    rule reads or fixes them, and no visible line counts as their copy. Unclosed, they are
    left as text (a stray marker must not hide an article from the rules)."""
    for first, last in hidden_spans([ln.text for ln in lines]):
        for x in lines[first:last + 1]:
            x.__dict__["blank"] = True


def comment_only(stripped: str) -> bool:
    """A line (stripped) that is only an HTML comment: it reads as blank, for the in-file rules
    (Line.blank) and the cross-file pass (newslint.corpus.model) alike."""
    return stripped.startswith("<!--") and stripped.endswith("-->")


def hidden_spans(texts: list[str]) -> list[tuple[int, int]]:
    """(first, last) line of each multi-line HTML comment and closed fenced code block in
    `texts` (the lines of a file), in order: what _blank_hidden blanks, and the cross-file
    pass too (newslint.corpus.model.corpus_bytes)."""
    from bisect import bisect_right

    # where a comment or a fence can end, found once: a file of unclosed markers must not
    # cost a scan to its end for each of them
    ends = [j for j, t in enumerate(texts) if "-->" in t]
    fences = [(j, t.strip()) for j, t in enumerate(texts) if t.strip()[:3] in ("```", "~~~")]
    closers = [(j, f) for j, f in fences if not f.strip(f[0])]  # a fence alone on its line
    at: dict[str, int] = {}  # per opening fence: where its search stopped (lines are visited in order)

    def next_closer(i: int, fence: str) -> int | None:
        """The first line after i that closes `fence`: its character, at least as long."""
        x = at.get(fence, 0)
        while x < len(closers) and (closers[x][0] <= i or closers[x][1][0] != fence[0]
                                    or len(closers[x][1]) < len(fence)):
            x += 1  # never a closer of this fence later either: i only grows
        at[fence] = x
        return closers[x][0] if x < len(closers) else None

    spans = []
    i, n = 0, len(texts)
    while i < n:
        t = texts[i].strip()
        close = None
        if t.startswith("<!--") and "-->" not in t[4:]:
            k = bisect_right(ends, i)
            if k < len(ends):
                close = ends[k]
                if not texts[close].rstrip().endswith("-->"):
                    close -= 1  # text after the comment's end is the article's again
        else:
            m = _FENCE.match(t)
            if m and not (m.group(1)[0] == "`" and "`" in t[m.end():]):  # ``` with a backtick after it: inline code
                close = next_closer(i, m.group(1))
        if close is None:
            i += 1
            continue
        spans.append((i, close))
        i = close + 1
    return spans


TWIN_DISTANCE = 3  # a caption's copy, one or two credit lines below it


class Document:
    def __init__(self, source: Source):
        self.source = source
        self.text = source.text
        self.path = source.path

    @classmethod
    def from_text(cls, text: str, path: str | None = None) -> "Document":
        from newslint.source import dominant_newline

        return cls(Source(path, text, newline=dominant_newline(text)))

    @cached_property
    def lines(self) -> list[Line]:
        out: list[Line] = []
        pos = 0
        text = self.text
        if "\r" not in text:  # LF only: split, and count the offsets (a regex walk costs twice that)
            parts = text.split("\n")
            last = parts.pop()
            for index, part in enumerate(parts):
                end = pos + len(part)
                out.append(Line(index, pos, end, end + 1, part))
                pos = end + 1
            if last:
                out.append(Line(len(out), pos, len(text), len(text), last))
        else:
            for m in _LINE_BREAK.finditer(text):
                out.append(Line(len(out), pos, m.start(), m.end(), text[pos:m.start()]))
                pos = m.end()
            if pos < len(text):
                out.append(Line(len(out), pos, len(text), len(text), text[pos:]))
        if text.startswith(("---", "+++")):
            _blank_front_matter(out)
        if "<!--" in text or "```" in text or "~~~" in text:
            _blank_hidden(out)
        return out

    @cached_property
    def blocks(self) -> list[Block]:
        out: list[Block] = []
        first = None
        for ln in self.lines:
            if ln.blank:
                if first is not None:
                    out.append(Block(first, ln.index - 1))
                    first = None
            elif first is None:
                first = ln.index
        if first is not None:
            out.append(Block(first, len(self.lines) - 1))
        return out

    @cached_property
    def hard_wrapped(self) -> bool:
        """Whether the file's prose is hard-wrapped (wire copy, old archives)."""
        blocks = [[self.lines[i] for i in b.lines] for b in self.blocks if b.last - b.first >= 2]
        if sum(map(len, blocks)) < 3:
            return False
        # a line printed again a line or two below (a caption block, also with a credit line
        # between the copies) fills the width and runs on like wrapped prose; wrapped prose
        # never repeats a line so close, so such lines are no evidence (a wrapped article
        # printed twice still is: its copies are far apart)
        kept = []
        for lines in blocks:
            texts = [ln.text.strip() for ln in lines]
            twins = {j for k, t in enumerate(texts) for j in range(max(0, k - TWIN_DISTANCE), k)
                     if texts[j] == t}
            twins |= {k for k, t in enumerate(texts) if t in texts[max(0, k - TWIN_DISTANCE):k]}
            kept += [ln for k, ln in enumerate(lines) if k not in twins]
        return is_hard_wrapped(kept)

    @cached_property
    def paragraphs(self) -> list[Paragraph]:
        out: list[Paragraph] = []
        for block in self.blocks:
            lines = [self.lines[i] for i in block.lines]
            if not (self.hard_wrapped and len(lines) > 1):
                out.extend(Paragraph(ln.index, ln.index, ln.text.strip()) for ln in lines)
                continue
            # Hard-wrapped: a paragraph starts at an indented line, or after a short line
            # that ends a sentence (the ragged last line of the previous paragraph).
            base = min(ln.indent for ln in lines)
            width = max(len(ln.text.rstrip()) for ln in lines)
            start = 0
            for k in range(1, len(lines)):
                prev, cur = lines[k - 1], lines[k]
                new_para = (cur.indent > base) or (
                    ends_sentence(prev.text) and len(prev.text.rstrip()) < 0.7 * width
                ) or not ends_sentence(prev.text) and len(prev.text.rstrip()) < 0.5 * width \
                    or cur.text.strip() == prev.text.strip()  # a line printed twice: a copy, not a wrap
                if new_para:
                    out.append(self._para(lines[start:k]))
                    start = k
            out.append(self._para(lines[start:]))
        return out

    @staticmethod
    def _para(lines: list[Line]) -> Paragraph:
        return Paragraph(lines[0].index, lines[-1].index, " ".join(ln.text.strip() for ln in lines))

    @cached_property
    def paragraph_at(self) -> dict[int, Paragraph]:
        """Map from a paragraph's first line index to the paragraph."""
        return {p.first: p for p in self.paragraphs}

    @cached_property
    def segments(self) -> list[Segment]:
        from newslint.segment import find_segments

        return find_segments(self)

    def segment_of(self, line_index: int) -> Segment | None:
        # segments are in order and do not overlap (find_segments): a bisection, not a scan
        # of them all for every line asked about (a file of many merged articles asks often)
        import bisect

        segs = self.segments
        i = bisect.bisect_right(self._segment_firsts, line_index) - 1
        if i >= 0 and line_index <= segs[i].last:
            return segs[i]
        return None

    @cached_property
    def _segment_firsts(self) -> list[int]:
        return [seg.first for seg in self.segments]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (row, column) of a character offset; columns count characters."""
        import bisect

        starts = self._line_starts
        i = max(0, bisect.bisect_right(starts, offset) - 1)
        return i + 1, offset - starts[i] + 1

    @cached_property
    def _line_starts(self) -> list[int]:
        return [ln.start for ln in self.lines] or [0]
