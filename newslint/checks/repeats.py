"""NL1xx: text printed more than once inside one file."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from newslint.diagnostics import Related
from newslint.document import Document, Paragraph, ends_sentence
from newslint.lineclass import (DATELINE, credit_search, has_credit, is_body_text, is_credit_line, is_credit_only, is_enumeration, is_labelled_list, is_list_item,
                                is_quantity_list, looks_like_caption, looks_like_headline)
from newslint.normalize import normalize
from newslint.registry import Context, Rule, delete_lines_fix, line_diagnostic, register

MIN_PARAGRAPH_WORDS = 5


class RepeatGroup:
    """Paragraphs with the same normal form, in document order; the first is the original."""

    def __init__(self, paras: list[Paragraph]):
        self.paras = paras

    @property
    def original(self) -> Paragraph:
        return self.paras[0]


def article_of(doc: Document, p: Paragraph) -> int | None:
    """Which article of a merged file (NL301's segments) `p` is in, by its first line: the
    repeat rules look for copies within one."""
    seg = doc.segment_of(p.first)
    return seg.first if seg is not None else None


def repeat_groups(doc: Document) -> list[RepeatGroup]:
    """Groups of paragraphs sharing a normal form within one article; computed once per
    document. In a file of merged articles (NL301) a paragraph of the second that the first
    also holds is the second's own text: grouped with the first's, its fix deleted it, and
    the split then wrote the second article without it."""
    cached = doc.__dict__.get("_repeat_groups")
    if cached is None:
        groups: dict = defaultdict(list)
        merged = len(doc.segments) > 1
        for p in doc.paragraphs:
            if p.norm:
                if merged:
                    groups[(article_of(doc, p), p.norm)].append(p)
                else:
                    groups[p.norm].append(p)
        cached = doc.__dict__["_repeat_groups"] = [RepeatGroup(g) for g in groups.values() if len(g) > 1]
    return cached


def headline_norms(doc: Document) -> set[str]:
    """Computed once per document: classify() asks it for every repeat group, and a file of
    many merged articles has thousands of both."""
    cached = doc.__dict__.get("_headline_norms")
    if cached is None:
        cached = doc.__dict__["_headline_norms"] = {
            doc.lines[s.headline].norm for s in doc.segments if s.headline is not None}
    return cached


def reported_copies(doc: Document, ctx: Context) -> set[int]:
    """First lines of the copies NL101-NL103 report as word-for-word repeats (a repeat group
    none of them owns reports none: its copies may still be a headline's or a caption's
    variants)."""
    return {p.first for g in repeat_groups(doc) if classify(doc, ctx, g) is not None for p in g.paras[1:]}


def in_header_zone(doc: Document, line: int) -> bool:
    seg = doc.segment_of(line)
    return seg is not None and line < seg.body_start


def is_boilerplate(doc: Document, ctx: Context, line: int) -> bool:
    """A line a pack rule already flags as a whole: NL201 owns it, not the repeat rules."""
    owned = doc.__dict__.get("_pack_lines")
    if owned is None:
        owned = set()
        from newslint.checks.boilerplate import pack_matches

        codes = {r.code for p in ctx.packs for r in p.rules if r.kind == "line"}
        for code in sorted(codes):
            if not ctx.selected or code in ctx.selected:
                owned.update(m.whole_line for _, m in pack_matches(doc, ctx, code) if m.whole_line is not None)
        doc.__dict__["_pack_lines"] = owned
    return line in owned


def classify(doc: Document, ctx: Context, group: RepeatGroup) -> str | None:
    """Which rule owns a repeat group: NL101, NL102, NL103, or None (someone else's)."""
    first = group.original
    if first.single_line and is_boilerplate(doc, ctx, first.first):
        return None
    if first.single_line and first.norm in headline_norms(doc):
        return "NL101"
    credit = first.single_line and credited(doc, first.first)
    if first.single_line and in_header_zone(doc, first.first) and looks_like_headline(first.text) \
            and all(p.single_line and in_header_zone(doc, p.first) for p in group.paras) \
            and not credit and not any(in_menu(doc, p.first) for p in group.paras):
        return "NL101"  # a title printed twice below a line that was taken for the headline
    if all(p.single_line for p in group.paras) and (looks_like_caption(first.text) or credit) \
            and not is_credit_only(first.text) and not is_enumeration(first.text):
        if credit or (first.word_count >= 4 and (any(in_header_zone(doc, p.first) for p in group.paras)
                                                 or copies_adjacent(doc, group))):
            return "NL102"
    if first.word_count >= MIN_PARAGRAPH_WORDS and is_body_text(first.text) and not is_list_item(first.text) \
            and not is_enumeration(first.text):
        return "NL103"
    return None


MENU_ITEM_WORDS = 3


def in_menu(doc: Document, line: int) -> bool:
    """A line of a menu: it and two or more other lines of its block (no blank line between
    them) are items of at most three words ("Home", "Latest News", "Opinion"). A page prints
    its menu items twice, in the header and the footer; a headline printed again is not one."""
    if doc.lines[line].word_count > MENU_ITEM_WORDS:
        return False
    block = next((b for b in doc.blocks if b.first <= line <= b.last), None)
    if block is None or block.last - block.first < 2:
        return False
    return sum(1 for i in block.lines if 0 < doc.lines[i].word_count <= MENU_ITEM_WORDS) >= 3


def credited(doc: Document, line: int) -> bool:
    """A caption with its credit: at the end of the line ("... (AFP)"), or, for a line of four
    words or more, as a line of its own right below it ("Photo: Getty Images") or right above
    it (BBC's "Image copyright EPA" over "Image caption ...")."""
    if has_credit(doc.lines[line].text):
        return True
    return doc.lines[line].word_count >= 4 and any(0 <= k < len(doc.lines) and not doc.lines[k].blank and is_credit_line(doc.lines[k].text)
               for k in (line - 1, line + 1))


def copies_adjacent(doc: Document, group: RepeatGroup) -> bool:
    """Each copy right after the one before, with nothing between but blank lines and credit
    lines: an image saved at several sizes, not a line a list or a page prints again."""
    for p, q in zip(group.paras, group.paras[1:]):
        if any(not doc.lines[k].blank and not is_credit_line(doc.lines[k].text) for k in range(p.last + 1, q.first)):
            return False
    return True


def _exact(p: Paragraph, q: Paragraph, doc: Document) -> bool:
    return " ".join(p.text.split()) == " ".join(q.text.split())


class _RepeatRule(Rule):
    what = ""
    safe_when = "exact"  # "normalised": any copy equal after normalisation is safe to drop

    def describe(self, doc: Document, first: Paragraph) -> str:
        """What the message calls the repeated text."""
        return self.what

    def check(self, doc: Document, ctx: Context):
        for group in repeat_groups(doc):
            if classify(doc, ctx, group) != self.code:
                continue
            first = group.original
            total = len(group.paras)
            what = self.describe(doc, first)
            for n, copy in enumerate(group.paras[1:], start=2):
                safe = self.safe_when == "normalised" or _exact(first, copy, doc)
                fix = delete_lines_fix(
                    doc, range(copy.first, copy.last + 1), safe, f"Remove repeated {what} (copy {n})"
                )
                yield line_diagnostic(
                    doc, self,
                    f"{what.capitalize()} repeated (copy {n} of {total}; first at line {first.first + 1})",
                    copy.first, copy.last, fix,
                    related=[Related(doc.path or "-", first.first + 1, 1, 1.0, "first copy")],
                )


@register
class RepeatedHeadline(_RepeatRule):
    """An article's headline printed again in the same file.

    ## What it flags
    A line equal (after normalisation: case, quotes, dashes, spaces) to the headline
    of the article it belongs to, found again below the headline, typically in the
    header zone where page templates print the title twice. Also, as a title printed
    twice below a line taken for the headline: a headline-like line (2 to 22 words, not
    ending as a sentence, no picture credit) whose copies all stand in the header zone,
    so a caption without a credit printed twice below the headline is reported here
    ("Headline repeated ... first at line 3"), not as NL102. And a line of the header zone
    that is the headline with a final full stop, or with a site name set off by a separator
    ("... | BBC News", "BBC NEWS | UK | ...", "... - The New York Times"): when that line is
    the first (a page title above the headline), it is the one reported, the plain
    headline the one kept.

    ## Why
    Scrapers that save both the page title and the article title keep two copies;
    the second reads as noise and skews every duplicate and length statistic.

    ## Example
        Assad to Visit Moscow in Mid-March for Talks with the Kremlin

        Russian soldiers near the Red Square in Moscow (AFP)

        Assad to Visit Moscow in Mid-March for Talks with the Kremlin   <- NL101

    ## Fix safety
    Safe: the copy is removed and the first (the headline) stays, so no word is lost; also
    for a copy with a final full stop (only the stop goes). Unsafe for a copy with a site
    name, whose words have no other copy.
    """

    code = "NL101"
    name = "repeated-headline"
    fix = "sometimes"
    what = "headline"
    safe_when = "normalised"

    def check(self, doc: Document, ctx: Context):
        yield from super().check(doc, ctx)
        reported = reported_copies(doc, ctx)
        for line, kept, kind in headline_variants(doc):
            if line in reported or is_boilerplate(doc, ctx, line):
                continue
            # a final full stop is all a variant loses; a site name is words with no other copy
            fix = delete_lines_fix(doc, [line], kind == "full stop", f"Remove the headline with a {kind}")
            yield line_diagnostic(
                doc, self, f"Headline repeated with a {kind} (the headline is at line {kept + 1})", line,
                fix=fix, related=[Related(doc.path or "-", kept + 1, 1, 1.0, "headline")],
            )


# " | BBC News", " - Al Jazeera", ": CityAM", "BBC NEWS | UK | ": a page title's site name,
# on normalised text (one kind of dash)
_SEPARATOR = r"(?:\||-|::?|·|•|»|«)"
_SITE_SEPARATOR = re.compile(rf"\s+{_SEPARATOR}\s+")
_ENDS_IN_SEPARATOR = re.compile(rf"\s{_SEPARATOR}\s+$")
_STARTS_WITH_SEPARATOR = re.compile(rf"^\s+{_SEPARATOR}\s")
SITE_NAME_MAX_WORDS = 5


def _is_site_affix(text: str, head: str) -> bool:
    """`text` is `head` with a site name before or after it, set off by a separator."""
    i = text.find(head)
    if i < 0 or text == head or not head:
        return False
    before, after = text[:i], text[i + len(head):]
    if before and not _ENDS_IN_SEPARATOR.search(before) or after and not _STARTS_WITH_SEPARATOR.match(after):
        return False
    pieces = [x for x in _SITE_SEPARATOR.split(f" {before} ") + _SITE_SEPARATOR.split(f" {after} ") if x.strip()]
    return bool(pieces) and all(1 <= len(x.split()) <= SITE_NAME_MAX_WORDS and not ends_sentence(x) for x in pieces)


def _bare(norm: str) -> str:
    return norm.rstrip(" .")


def headline_variants(doc: Document):
    """(line, headline line, kind) for each copy of an article's headline in its header zone
    that differs from it by a final full stop or by a site name ("... | BBC News"): a
    scraper that saves the page title and the article title keeps both. When the line taken
    for the headline is the one with the site name (the page title, above the headline),
    that line is the copy reported and the plain headline the one kept."""
    starts = doc.paragraph_at
    for seg in doc.segments:
        if seg.headline is None:
            continue
        # the single-line paragraphs that start in its header zone (segments do not overlap:
        # each line is looked at once, not every paragraph's segment looked up)
        zone = [p for p in (starts.get(i) for i in range(seg.first, min(seg.body_start, seg.last + 1)))
                if p is not None and p.single_line]
        body = doc.paragraph_at.get(seg.body_start)
        if body is not None and body.single_line and body.first <= seg.last:
            zone.append(body)  # a long headline with a full stop reads as body text
        head = doc.lines[seg.headline]
        bare_head = _bare(head.norm)
        kept = next((p for p in zone if p.first != head.index and (
            _is_site_affix(bare_head, _bare(p.norm)) or head.norm != bare_head and p.norm == bare_head)), None)
        kept_line, key = (kept.first, _bare(kept.norm)) if kept else (head.index, _bare(head.norm))
        kept_norm = doc.lines[kept_line].norm
        for p in zone:
            if p.first == kept_line or p.norm == kept_norm:
                continue
            bare = _bare(p.norm)
            if bare == key:
                yield p.first, kept_line, "full stop"
            elif _is_site_affix(bare, key):
                yield p.first, kept_line, "site name"


@register
class RepeatedCaption(_RepeatRule):
    """A photo caption or credit line printed more than once.

    ## What it flags
    Every copy after the first of a caption-like line (a short line without a final
    full stop, or one ending in a credit such as "(AFP)", "/ Reuters", "[File: EPA]",
    "Photo: Getty Images", "Photograph by Name/AFP")
    that repeats anywhere when it carries a credit (at the end of the line, or, for a line
    of four words or more, as a short credit line right above or below it: "Photo: Getty
    Images", BBC's "Image copyright EPA" over "Image caption ..."), or else (four words or
    more) when a copy stands in the article's header zone or the copies follow each other
    with nothing but blank or credit lines between. A line without a credit whose copies
    all stand in the header zone and read as a headline is NL101's. Also a caption (four
    words or more before its credit) printed again without its credit or with another one,
    the copies together (in the header zone, or no body text between them): the copy with
    the first credit is kept. The message says
    "Caption repeated" when a credit goes with the line and "Caption-like line repeated"
    when only its shape says so (a repeated "Back To Main Menu" link is one too).

    ## Why
    Image galleries and responsive page templates print the same caption once per
    image size; a scraper saves all of them.

    ## Example
        Russian soldiers near the Red Square in Moscow (AFP)
        Russian soldiers near the Red Square in Moscow (AFP)   <- NL102

    ## Fix safety
    Safe when the copy is identical to the first (up to surrounding whitespace), or is the
    caption without its credit; unsafe when they differ only after normalisation (case,
    quotes, dashes), or the copy has another credit (its words have no other copy).
    """

    code = "NL102"
    name = "repeated-caption"
    fix = "sometimes"
    what = "caption"

    def describe(self, doc: Document, first: Paragraph) -> str:
        # Without a credit only the line's shape says caption: a page's "Back To Main Menu"
        # link or "Find us on Facebook" repeats the same way, and calling it a caption misleads.
        return self.what if credited(doc, first.first) else "caption-like line"

    def check(self, doc: Document, ctx: Context):
        yield from super().check(doc, ctx)
        reported = reported_copies(doc, ctx)
        for p, kept, has_own in caption_variants(doc):
            if p.first in reported or is_boilerplate(doc, ctx, p.first):
                continue
            # a copy without a credit has every word in the kept one; another credit has not
            fix = delete_lines_fix(doc, [p.first], not has_own, "Remove the other copy of the caption")
            what = "with another credit" if has_own else "without its credit"
            yield line_diagnostic(
                doc, self, f"Caption repeated {what} (the caption with its credit is at line {kept.first + 1})",
                p.first, fix=fix, related=[Related(doc.path or "-", kept.first + 1, 1, 1.0, "caption")],
            )


def caption_variants(doc: Document):
    """(copy, kept caption, whether the copy has a credit of its own) for each caption printed
    again with another credit or without one ("... in Moscow (AFP)" and "... in Moscow": an
    image size that prints no credit), when the copies stand together: in the header zone,
    or with no body text between them. The first copy with a credit is kept."""
    by_caption: dict[str, list[tuple[Paragraph, bool]]] = defaultdict(list)
    singles = [p for p in doc.paragraphs if p.single_line]
    for p in singles:
        t = p.text.strip()
        m = credit_search(t)  # has_credit's search, done once: its match is needed here
        if m is not None and m.start() > 0 and not DATELINE.match(t) and not is_credit_only(t):
            bare = normalize(t[:m.start()]).rstrip(" .,;:-")
            if len(bare.split()) >= 4:  # a caption describes; "Give a Gift (Dropdown)" is a menu item
                by_caption[bare].append((p, True))
    if not by_caption:
        return
    for p in singles:
        if p.norm.rstrip(" .") in by_caption:
            by_caption[p.norm.rstrip(" .")].append((p, False))
    for members in by_caption.values():
        if len({p.norm for p, _ in members}) < 2:
            continue  # word-for-word copies are the repeat groups'
        members.sort(key=lambda m: m[0].first)
        kept = next(p for p, credited in members if credited)
        for p, credited in members:
            if p.norm != kept.norm and _together(doc, kept, p):
                yield p, kept, credited


def _together(doc: Document, a: Paragraph, b: Paragraph) -> bool:
    """Both in an article's header zone, or no body text between them."""
    if in_header_zone(doc, a.first) and in_header_zone(doc, b.first):
        return True
    import bisect

    starts = doc.__dict__.get("_body_text_starts")  # once per document: a page of many
    if starts is None:                                # captions asks for each copy
        starts = doc.__dict__["_body_text_starts"] = [q.first for q in doc.paragraphs if is_body_text(q.text)]
    lo, hi = min(a.last, b.last), max(a.first, b.first)
    i = bisect.bisect_right(starts, lo)
    return i >= len(starts) or starts[i] >= hi


@register
class DuplicateParagraph(_RepeatRule):
    """A paragraph of body text that appears twice in the same file.

    ## What it flags
    A paragraph of prose (ten or more words ending a sentence, or 25 or more words; shorter
    paragraphs, list items and table rows such as a repeated "Winners meet in final match"
    are left alone) equal, after normalisation, to an earlier paragraph of the same file
    (each later copy is flagged, pointing at the first). In a file of merged articles
    (NL301) copies are looked for within each article: a paragraph two articles both hold
    is each one's own text, and the split keeps it in both.
    In hard-wrapped text the whole wrapped paragraph is compared, not its lines.

    ## Why
    Copy-paste slips and paginated scrapes ("page 2" repeating the last paragraph
    of page 1) duplicate paragraphs; readers and models see the text twice.

    ## Example
        The Kremlin confirmed on Monday media leaks about preparations ...
        ...
        The Kremlin confirmed on Monday media leaks about preparations ...   <- NL103

    ## Fix safety
    Safe when the copy is identical to the first (up to whitespace): the later copy
    is removed. Unsafe when the copies differ in case, quotes or dashes.
    """

    code = "NL103"
    name = "duplicate-paragraph"
    fix = "sometimes"
    what = "paragraph"


@register
class NearDuplicateParagraph(Rule):
    """A paragraph that is almost a copy of an earlier one in the same file.

    ## What it flags
    A prose paragraph (ten or more words ending a sentence, or 25 or more words; not a list
    item) whose normalised text is at least `near-duplicate-paragraph.threshold` (default
    90) similar to an earlier paragraph by rapidfuzz's normalised Indel similarity
    (`fuzz.ratio`), without being equal to it (equal copies are NL101-NL103). Each
    paragraph is compared with the 64 nearest to it in length (all of them in any article
    of fewer than 65 paragraphs): a file of thousands of alike paragraphs would otherwise
    cost millions of comparisons. Two paragraphs that differ over more than 20,000
    characters (after their common start and end) are not compared: the comparison's cost
    grows with the product of their lengths, and no news paragraph is that long.

    ## Why
    A corrected re-paste (a typo fixed, a figure updated) leaves two versions of
    the same paragraph; one of them is stale.

    ## Example
        Russian newspaper Vedomosti quoted an undisclosed source in the Kremlin ...
        Russian newspaper Vedomosti quoted an unnamed source in the Kremlin ...   <- NL104

    ## Fix safety
    Unsafe: the later version is removed, and the words in which it differs from
    the earlier one are lost. Review before applying with `--unsafe-fixes`. In a file of
    merged articles (NL301) each article is compared within itself: its split keeps each
    article's own version.
    """

    code = "NL104"
    name = "near-duplicate-paragraph"
    fix = "unsafe"
    min_words = 8

    def check(self, doc: Document, ctx: Context):
        # fuzz.ratio pair by pair, not process.cdist: cdist needs numpy, whose import
        # would cost every hook run more than the comparisons themselves.
        threshold = float(ctx.option(self.name, "threshold", 90))
        # body text has 10 words or more: an ASCII paragraph's count need not be taken (a
        # non-ASCII one's may differ, its words being counted lowercased)
        # (labelled entry lists are left out here, keeping the nearest-length window for prose;
        # the quantity-led form only when a pair comes close: asked of every paragraph, its
        # test costs more than the comparisons it spares)
        paras = [p for p in doc.paragraphs if is_body_text(p.text) and not is_list_item(p.text)
                 and not is_labelled_list(p.text) and (p.text.isascii() or p.word_count >= self.min_words)]
        if len(paras) < 2:
            return
        if len(doc.segments) < 2:
            yield from self._later_versions(doc, paras, threshold)
            return
        # a file of merged articles (NL301): each article compared within itself, as the
        # repeat groups are (a near-copy in the other article is that one's own text)
        by_article: dict = defaultdict(list)
        for p in paras:
            by_article[article_of(doc, p)].append(p)
        for group in by_article.values():
            if len(group) > 1:
                yield from self._later_versions(doc, group, threshold)

    def _later_versions(self, doc: Document, paras: list[Paragraph], threshold: float):
        """NL104's findings among `paras` (prose paragraphs in document order)."""
        norms = [p.norm for p in paras]
        # a word-for-word copy of an earlier paragraph is NL101-NL103's to report (or
        # boilerplate's): comparing it too reported one line under two codes
        first_of: dict[str, int] = {}
        copies = {i for i, n in enumerate(norms) if first_of.setdefault(n, i) != i}
        # Indel similarity >= t needs the shorter text to be >= t/(200-t) of the longer,
        # so sorting by length leaves only a narrow window of candidates for each one.
        min_ratio = threshold / (200 - threshold)
        order = sorted(range(len(paras)), key=lambda i: len(norms[i]))
        best: dict[int, tuple[int, float]] = {}  # later paragraph -> (earliest similar one, score)
        entries: dict[int, bool] = {}  # is_quantity_list, asked once a paragraph (a page of alike entries asks often)

        def entry(k: int) -> bool:
            e = entries.get(k)
            if e is None:  # (the labelled form is out of `paras` already)
                e = entries[k] = is_quantity_list(paras[k].text)
            return e

        global _bound_budget, _fuzz
        grams: dict[int, Counter] = {}
        for pos, i in enumerate(order):
            for j in order[pos + 1:pos + 1 + NEAREST]:
                if len(norms[i]) < min_ratio * len(norms[j]):
                    break
                if norms[i] == norms[j]:
                    continue
                if len(norms[i]) + len(norms[j]) > _LONG_PAIR and _unlike_middle(norms[i], norms[j]) > _LONG_PAIR:
                    continue
                if _fuzz is None:
                    if _bound_budget > 0:
                        _bound_budget -= 1
                        if _below_threshold(norms[i], norms[j], grams, i, j, threshold):
                            continue
                    from rapidfuzz import fuzz as _fuzz
                s = _fuzz.ratio(norms[i], norms[j], score_cutoff=threshold)
                if s and _close_lengths(norms[i], norms[j]) and not entry(i) and not entry(j):
                    early, late = min(i, j), max(i, j)
                    if late in copies:
                        continue
                    if late not in best or early < best[late][0]:
                        best[late] = (early, s)
        for late in sorted(best):
            early, s = best[late]
            p, q = paras[early], paras[late]
            fix = delete_lines_fix(doc, range(q.first, q.last + 1), False, "Remove the later version")
            yield line_diagnostic(
                doc, self,
                f"Paragraph is {int(s)}% similar to the one at line {p.first + 1}",  # never "100%": they differ
                q.first, q.last, fix,
                related=[Related(doc.path or "-", p.first + 1, 1, round(s / 100, 3), "earlier version")],
            )


# How many paragraphs, the next in length, each one is compared with. Copies are close in
# length, and an article has tens of paragraphs; a 500 KB file of 4,000 alike paragraphs
# took 25 s with every length-compatible pair compared (8 million), ~1.5 s with this.
NEAREST = 64

# Pairs tested with the trigram bound before rapidfuzz is imported anyway, counted over the
# whole process: the bound is pure Python (~0.1 ms a paragraph against ~3 us for fuzz.ratio),
# so a hook run over one article avoids the import and a run over many files pays it once.
_BOUNDED_PAIRS = 64
_bound_budget = _BOUNDED_PAIRS
_fuzz = None  # rapidfuzz.fuzz once imported

# fuzz.ratio costs ~len(a) * len(b) / 64 steps on the part of two texts between their
# common start and end (two unlike 400 KB paragraphs: 1.4 s; two of 2 MB: ~35 s a pair,
# and a file of many such paragraphs compares each with 64 others). A pair whose differing
# middle is longer than this (both texts, in characters) is not compared: no news paragraph
# is that long, and a text with no paragraph breaks must not hang the linter.
_LONG_PAIR = 20_000


def _unlike_middle(a: str, b: str) -> int:
    """len(a) + len(b) less twice their common prefix and suffix (in O(n log n), in C)."""
    n = min(len(a), len(b))
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    pre, lo, hi = lo, 0, n - lo
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:] == b[len(b) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return len(a) + len(b) - 2 * (pre + lo)


def _below_threshold(a: str, b: str, grams: dict[int, Counter], i: int, j: int, threshold: float) -> bool:
    """True when fuzz.ratio(a, b) is certainly below `threshold`, so that a file whose
    paragraphs are all far apart does not import rapidfuzz (~8 ms of a hook run).

    q-gram lemma: one insertion or deletion changes at most q of a text's q-grams, so the
    Indel distance d >= (max(|Qa|, |Qb|) - |Qa & Qb|) / q (multisets). The ratio reaches
    t only if d <= (1 - t/100) * (len(a) + len(b)); one edit of slack covers rounding."""
    for k, text in ((i, a), (j, b)):
        if k not in grams:
            grams[k] = Counter(text[n:n + 3] for n in range(len(text) - 2))
    unshared = max(len(a), len(b)) - 2 - sum((grams[i] & grams[j]).values())
    return unshared > 3 * ((1 - threshold / 100) * (len(a) + len(b)) + 1)


def _close_lengths(a: str, b: str) -> bool:
    return min(len(a), len(b)) >= 0.8 * max(len(a), len(b))
