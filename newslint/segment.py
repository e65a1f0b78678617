"""Split a document into articles and find each article's header zone.

A new article starts at a headline-like line set off by white space between a closing
sentence of prose and more prose, when enough evidence says the text changed story:
a wider gap than the file's usual paragraph gap, the headline printed again just
below, and above all a change of vocabulary — the text after it shares few content
words and few proper names with the text before it, and the headline's words are not
found before it. The weights are a logistic model fitted on synthetic merges of BBC
articles (bench/merged_eval.py), including hard negatives with subheadings.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from itertools import chain

from newslint.document import Document, Paragraph, Segment
from newslint.lineclass import (FUNCTION_WORDS, ends_prose, has_credit, is_body_text, is_box_score, is_credit_line,
                                looks_like_headline)
from newslint.normalize import words

# Common English words of four letters or more: they say nothing about the topic.
_STOP = frozenset(
    """about above across actually added after again against almost along already also although always
    among another any anyone anything around away back became because become been before began behind
    being believe below best better between big both bring brought but call called came can cannot case
    certain change clear come comes coming could course day days did different do does doing done down
    during each early either else end enough even ever every fact far feel few find first five following
    found four from full further gave general get gets getting give given gives go goes going gone good
    got great group had half has have having help her here high him his home how however idea important
    including instead into its itself just keep kind knew know known large last late later least less
    let like likely little long look looking lot made main major make makes making many may means might
    month months more most move much must need needs never new next none nothing now number off often
    old once one only open other others our out over own part past people per perhaps place point
    possible put quite rather really recent right said same saw say saying says second see seen set
    several she should show shown side since small some something soon still such sure take taken taking
    than that their them then there these they thing things think third this those though thought three
    through time times today together told too took top towards two under until upon used using very
    want wanted wants was way ways week weeks well went were what when where whether which while who
    whole whom whose why will with within without work working world would year years yet you your""".split()
)

MIN_BODY_WORDS = 40  # each side of a boundary must hold at least this much prose
HEADER_MAX_LINES = 14


def median(values: list[int]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _is_content(w: str) -> bool:
    return len(w) >= 4 and w not in _STOP and not w.isdigit()


def content_words(text: str) -> Counter:
    return Counter(w for w in words(text) if _is_content(w))


# Each candidate compares up to WINDOW_WORDS each side of it, and neighbouring candidates
# share most of those paragraphs: a paragraph's words and content words are found once
# (kept on the paragraph) and the windows counted from them. Joining the texts and
# tokenising again gave the same words (`\w+` tokens joined by spaces re-tokenise to
# themselves) at 3-4x the cost on a file of many articles.
def _para_words(p: Paragraph) -> list[str]:
    got = p.__dict__.get("_words")
    if got is None:
        got = p.__dict__["_words"] = words(p.text)
    return got


def _para_content(p: Paragraph) -> list[str]:
    got = p.__dict__.get("_content")
    if got is None:
        got = p.__dict__["_content"] = [w for w in _para_words(p) if _is_content(w)]
    return got


def cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    small, big = (a, b) if len(a) < len(b) else (b, a)
    dot = sum(v * big.get(k, 0) for k, v in small.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb)


def header_end(paras: list[Paragraph], start: int) -> int:
    """Index (into paras) of the first body paragraph at or after `start`."""
    first_line = paras[start].first
    k = start
    while k < len(paras) and paras[k].last - first_line < HEADER_MAX_LINES:
        if is_body_text(paras[k].text) and not (k == start and looks_like_headline(paras[k].text)):
            return k
        k += 1
    return k if k < len(paras) else start + 1 if start + 1 < len(paras) else start


def _blank_run_before(doc: Document, line: int) -> int:
    n = 0
    while line - n - 1 >= 0 and doc.lines[line - n - 1].blank:
        n += 1
    return n


# compiled on first use (re caches it): most runs never ask
_PROPER = r"(?<=[a-z,;] )([A-Z][\w'-]{2,})"


def proper_names(text: str) -> set[str]:
    """Capitalised words inside sentences (not sentence-initial): names, places, bodies."""
    return {m.lower() for m in re.findall(_PROPER, text)}


_NAME_START = r"[A-Z][\w'-]{2,}"
_BEFORE_NAME = frozenset("abcdefghijklmnopqrstuvwxyz,;")  # _PROPER's look-behind, less its space


def _window_names(paras: list[Paragraph]) -> set[str]:
    """proper_names of the paragraphs' texts joined by spaces, from each paragraph's own
    names (kept on it): a paragraph's first word is one when the paragraph before it ends
    in a small letter, a comma or a semicolon, as in the joined text."""
    out: set[str] = set()
    prev = ""
    for p in paras:
        got = p.__dict__.get("_names")
        if got is None:
            m = re.match(_NAME_START, p.text)
            got = p.__dict__["_names"] = (proper_names(p.text), m.group(0).lower() if m else None)
        out |= got[0]
        if got[1] is not None and prev and prev[-1] in _BEFORE_NAME:
            out.add(got[1])
        prev = p.text
    return out


def _edge_content(paras: list[Paragraph], n: int, last: bool) -> Counter:
    """content_words of the first (or last) n words of the paragraphs (in reading order)."""
    parts = []
    for p in reversed(paras) if last else paras:
        ws = _para_words(p)
        if len(ws) <= n:
            parts.append(_para_content(p))
            n -= len(ws)
        else:
            parts.append(filter(_is_content, ws[len(ws) - n:] if last else ws[:n]))
            n = 0
        if n == 0:
            break
    return Counter(chain.from_iterable(parts))


WINDOW_WORDS = 1500

# A wire story's sign-off ("Reporting by Dmitry Zhdannikov; Editing by Alison Williams",
# "(Additional reporting by ...)"): the last line of the article above, not a headline
# (compiled on first use, as _PROPER: re caches it)
_SIGN_OFF = (r"\(?\s*(?:additional\s+)?(?:reporting|writing|editing|edited|written|compiled|produced)"
             r"(?:\s+and\s+\w+)?\s+by\s")


def is_sign_off(text: str) -> bool:
    return re.match(_SIGN_OFF, text, re.IGNORECASE) is not None


def _window(paras: list[Paragraph], start: int, stop: int, step: int) -> list[Paragraph]:
    """Paragraphs from `start` towards `stop` (exclusive) until WINDOW_WORDS are taken."""
    out, total = [], 0
    for i in range(start, stop, step):
        out.append(paras[i])
        total += paras[i].word_count
        if total >= WINDOW_WORDS:
            break
    return out


def _lead_words(paras: list[Paragraph], body_k: int) -> int:
    """Words of the prose that runs on under a headline, from its first body paragraph to
    the next paragraph that is not prose. An article opens with more than a sentence; an
    entry of a teaser list ("LOVE IS LOVE", a title, "aeon.co Sex", a one-sentence blurb,
    then the next entry's kicker) has one blurb. Stops at MIN_BODY_WORDS: a few paragraphs."""
    total = 0
    for p in paras[body_k:]:
        words_here = _prose_words(p)
        if not words_here:
            break
        total += words_here
        if total >= MIN_BODY_WORDS:
            break
    return total


def _reads_as_prose(paras: list[Paragraph]) -> bool:
    """Enough body text, and at least 0.4 of the words in body-text paragraphs (not box
    scores, which end in full stops without reading as sentences, nor results tables)."""
    prose = sum(_prose_words(p) for p in paras)
    return prose >= MIN_BODY_WORDS and prose >= 0.4 * sum(p.word_count for p in paras)


def _prose_words(p: Paragraph) -> int:
    """The paragraph's words if it is body text and no box score, else 0 (kept on the
    paragraph: the windows of neighbouring candidates ask it of the same paragraphs)."""
    got = p.__dict__.get("_prose_words")
    if got is None:
        got = p.__dict__["_prose_words"] = p.word_count if is_body_text(p.text) and not is_box_score(p.text) else 0
    return got


def _named_below(headline: str, after_words: list[str]) -> bool:
    """Some word of the headline is in the text below it: any word of two letters or more
    that is not a stop or function word ("EA", "Utd", "oil"), or an inflection of one (the
    same first five letters: "squabbles", "squabbling"). Asked only when no content word
    of the headline is found below, so the set is built for few candidates."""
    heads = {w for w in words(headline) if len(w) >= 2 and w not in _STOP and w not in FUNCTION_WORDS
             and not w.isdigit()}
    if not heads:
        return True  # nothing to look for: no evidence either way
    below = set(after_words)
    stems = {w[:5] for w in below if len(w) >= 5}
    return any(w in below or len(w) >= 5 and w[:5] in stems for w in heads)


def features(doc: Document, paras: list[Paragraph], k: int, seg_body: int, usual_gap: float) -> dict | None:
    """The evidence that paragraph k starts a new article, or None when it cannot:
    it is not set off by white space, does not follow a closing sentence of prose, is
    not followed by prose, or either side holds too little prose to compare."""
    cand = paras[k]
    body_k = header_end(paras, k)
    header = paras[k + 1:body_k]
    # the headline printed again below it (a page template's second title); copies in the
    # same block, with no blank line between, are a caption saved at several image sizes
    repeat = any(p.norm == cand.norm and any(doc.lines[i].blank for i in range(cand.last + 1, p.first))
                 for p in header)
    gap = _blank_run_before(doc, cand.first) > usual_gap
    if not doc.lines[cand.first - 1].blank or body_k >= len(paras) or not is_body_text(paras[body_k].text):
        return None
    if not (ends_prose(paras[k - 1].text) or repeat or gap):
        return None  # after a list or a table row, a short line is more of the same
    if _lead_words(paras, body_k) < MIN_BODY_WORDS:
        return None  # one blurb, then the next kicker: an entry of a teaser list
    # Both sides must read as articles, mostly prose and enough of it: above, not page
    # furniture (menus, teasers) that a scraper saved before the real one; below, not an
    # info box or a list (times, prices, credits). Both are read up to WINDOW_WORDS from
    # the boundary, so the cost per candidate is bounded and a long file is linear.
    before = _window(paras, k - 1, seg_body - 1, -1)
    after = _window(paras, body_k, len(paras), 1)
    # a wire sign-off names the agency's staff, not the story: two merged stories signed by
    # the same desk would share those names and read as one
    before = [p for p in before if not is_sign_off(p.text)]
    after = [p for p in after if not is_sign_off(p.text)]
    if not _reads_as_prose(before) or not _reads_as_prose(after):
        return None
    before.reverse()  # in reading order
    before_words = list(chain.from_iterable(map(_para_words, before)))
    after_words = list(chain.from_iterable(map(_para_words, after)))
    if len(before_words) < MIN_BODY_WORDS or len(after_words) < MIN_BODY_WORDS:
        return None
    # Local cohesion compares like with like: the same amount of text on each side.
    n = min(len(before_words), len(after_words), 400)
    before_all = Counter(chain.from_iterable(map(_para_content, before)))
    after_all = Counter(chain.from_iterable(map(_para_content, after)))
    before_names, after_names = _window_names(before), _window_names(after)
    head = content_words(cand.text)
    if head:
        head_after = sum(1 for w in head if w in after_all) / len(head)
        head_before = sum(1 for w in head if w in before_all) / len(head)
    else:
        # No word of four letters or more that is not a stop word ("WHAT YOU NEED TO MAKE
        # JAM", "[ PC World ]"): 0 would say none of the headline's words is found above,
        # the strongest evidence of a new story, for want of words to look for. Its shorter
        # words that are not stop or function words are looked for instead, among all the words.
        short = {w for w in words(cand.text) if w not in _STOP and w not in FUNCTION_WORDS and not w.isdigit()}
        before_set, after_set = set(before_words), set(after_words)
        head_after = sum(1 for w in short if w in after_set) / len(short) if short else 0.0
        head_before = sum(1 for w in short if w in before_set) / len(short) if short else 0.0
    return {
        "named_below": head_after > 0 or _named_below(cand.text, after_words),
        "gap": gap,
        "repeat": repeat,
        "sim_local": cosine(_edge_content(before, n, True), _edge_content(after, n, False)),
        "sim_full": cosine(before_all, after_all),
        "names": len(before_names & after_names) / max(1, min(len(before_names), len(after_names))),
        "head_after": head_after,
        "head_before": head_before,
    }


# A logistic model fitted on bench/merged_eval.py cases (seed 301; checked on seed 7):
# weights on the raw features, and the log-odds a boundary must reach (p >= 0.9).
WEIGHTS = {"gap": 2.0, "repeat": 4.0, "sim_local": -9.6, "sim_full": -7.4, "names": -7.55,
           "head_after": 0.3, "head_before": -3.2}
BIAS = 4.75
THRESHOLD = 2.2


def _story_list_label(text: str) -> bool:
    """A label of a list of other stories ("Popular posts", "Next Up In Science & Health",
    "Most Read"): page chrome under an article (NL203's), not the headline of another."""
    from newslint.checks.chrome import widget_label  # NL203's vocabulary, loaded when asked

    return widget_label(text) == "related list"


def boundary_score(f: dict) -> float:
    """Log-odds that a new article starts here; THRESHOLD or more means it does."""
    return BIAS + sum(w * float(f[k]) for k, w in WEIGHTS.items())


def is_boundary(f: dict) -> bool:
    """A new article starts here: the model's log-odds reach THRESHOLD and, unless the
    headline is printed again below it, some word of the headline is found in the text
    below it. A headline names its story; a line none of whose words the text below speaks
    of (another story's headline set between two paragraphs as a link) heads no article
    there. (9 of the 2,224 BBC headlines name nothing in their own text: "Souped-up wi-fi
    is on the horizon", "A November to remember".) A wider gap than usual counts in the
    score but no longer stands in for that: scrapers set subheadings off by two blank
    lines ("Mixed picture"), and it let them pass for headlines; on bench/merged_eval.py's
    cases and a review's constructions (dateline, byline, 3 and 4 articles, Markdown) no
    merged file was lost by it."""
    if not (f["named_below"] or f["repeat"]):
        return False
    return boundary_score(f) >= THRESHOLD


_PAREN_TAIL = re.compile(r"\(\s*([^()]{1,40})\)\s*$")


def ends_in_picture_credit(text: str) -> bool:
    """A line ending in a picture credit ("... in Moscow (AFP)", "(Government media)"), not in
    a lower-case aside a headline may carry ("... (saved as merged-7.txt)", "(updated)")."""
    if not has_credit(text):
        return False
    m = _PAREN_TAIL.search(text.strip())
    return not (m and m.group(1)[:1].islower())


def _caption_block(doc: Document, paras: list[Paragraph], k: int) -> bool:
    """The line is printed again, or credited, on the very next line of its block ("The
    plague wiped out half of Europe in the 14th century" twice, or over "Photo: Getty
    Images"): a caption saved at several image sizes, or over its credit, not a headline.
    Asked only of a line the model would take for a headline: one neighbour, no search."""
    if k + 1 >= len(paras) or paras[k + 1].first != paras[k].last + 1:
        return False
    cand, nxt = paras[k], paras[k + 1]
    return nxt.norm == cand.norm or is_credit_line(nxt.text) \
        or nxt.text.startswith(cand.text) and ends_in_picture_credit(nxt.text)


def front_matter_end(doc: Document, p: Paragraph) -> int | None:
    """The last line of a post's front matter (`---` / `+++` fences around metadata, as
    Document finds one at the top of a file) that starts at paragraph `p`, below other text:
    the next post of two Markdown posts saved into one file (no article's text reads as
    one); None when `p` starts none. (A block of metadata lines is read as a paragraph a
    line, so the block, not the paragraph, is what is measured.)"""
    fence = doc.lines[p.first].text
    if not fence.startswith(("---", "+++")) or fence.rstrip() not in ("---", "+++") or p.first == 0 \
            or not doc.lines[p.first - 1].blank:
        return None
    from newslint.document import front_matter_lines

    last = p.first
    while last + 1 < len(doc.lines) and not doc.lines[last + 1].blank:
        last += 1
    n = front_matter_lines([doc.lines[i].text for i in range(p.first, last + 1)])
    return p.first + n - 1 if n == last - p.first + 1 else None


def _first_after(paras: list[Paragraph], k: int, line: int) -> int:
    """Index of the first paragraph at or after k that starts below `line`."""
    while k < len(paras) and paras[k].first <= line:
        k += 1
    return k


def find_segments(doc: Document) -> list[Segment]:
    paras = doc.paragraphs
    if not paras:
        return []
    gaps = [_blank_run_before(doc, b.first) for b in doc.blocks[1:]]
    usual_gap = median(gaps) if gaps else 1

    starts = [0]
    seg_body = header_end(paras, 0)
    k = seg_body + 1
    while k < len(paras):
        p = paras[k]
        fm_end = front_matter_end(doc, p)
        head = _first_after(paras, k, fm_end) if fm_end is not None else len(paras)
        if head < len(paras):  # a second post, by its own front matter: no other evidence needed
            starts.append(k)
            seg_body = header_end(paras, head)
            k = seg_body + 1
            continue
        # a line ending in a picture credit ("... in Moscow (AFP)") is a caption, not the
        # headline of another article, however often it is printed
        if p.single_line and looks_like_headline(p.text) and not ends_in_picture_credit(p.text) \
                and not _story_list_label(p.text) and not is_sign_off(p.text):
            f = features(doc, paras, k, seg_body, usual_gap)
            if f is not None and is_boundary(f) and not _caption_block(doc, paras, k):
                starts.append(k)
                seg_body = header_end(paras, k)
                k = seg_body + 1
                continue
        k += 1

    segments = []
    for i, s in enumerate(starts):
        end = starts[i + 1] - 1 if i + 1 < len(starts) else len(paras) - 1
        fm_end = front_matter_end(doc, paras[s]) if i else None
        head = s if fm_end is None else min(_first_after(paras, s, fm_end), end)  # below a post's front matter
        first_para, head_para = paras[s], paras[head]
        headline = head_para.first if head_para.single_line and looks_like_headline(head_para.text) else None
        body = header_end(paras, head) if headline is not None else head
        body_line = paras[body].first if body < len(paras) and body <= end else paras[end].last + 1
        segments.append(Segment(first_para.first, paras[end].last, headline, body_line))
    return segments
