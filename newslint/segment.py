"""Split a document into articles and find each article's header zone.

A new article starts at a headline-like line that opens a block after body text,
when enough evidence says the text changed story: a wider gap than the file's usual
paragraph gap, the headline printed again just below, a header zone of captions and
credits after it, and above all a change of vocabulary (the text after it shares
few content words with the text before it, and the headline's words are found after
it rather than before it).
"""

from __future__ import annotations

import math
from collections import Counter
from statistics import median

from newslint.document import Document, Paragraph, Segment
from newslint.lineclass import has_credit, is_body_text, looks_like_caption, looks_like_headline
from newslint.normalize import words

_STOP = frozenset(
    """about above after again against also among been before being below between both
    but could does doing down during each from further have having here however into
    itself just more most much must only other over same says said should some such than
    that their them then there these they this those through under until very were what
    when where which while whom will with would your year years last first told added
    week weeks month months time people because made make many well still even back""".split()
)

MIN_BODY_WORDS = 40  # each side of a boundary must hold at least this much prose
HEADER_MAX_LINES = 14
THRESHOLD = 3.0


def content_words(text: str) -> Counter:
    return Counter(w for w in words(text) if len(w) >= 4 and w not in _STOP and not w.isdigit())


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


def boundary_score(doc: Document, paras: list[Paragraph], k: int, seg_body: int, usual_gap: float) -> float:
    """Evidence that paragraph k starts a new article; below THRESHOLD means it does not."""
    cand = paras[k]
    body_k = header_end(paras, k)
    before = " ".join(p.text for p in paras[seg_body:k])
    after_paras = paras[body_k:]
    after = " ".join(p.text for p in after_paras)
    if len(words(before)) < MIN_BODY_WORDS or len(words(after)) < MIN_BODY_WORDS:
        return 0.0
    # Compare like with like: the same amount of text on each side of the boundary.
    n = min(len(words(before)), len(words(after)), 400)
    before_cw = content_words(" ".join(words(before)[-n:]))
    after_cw = content_words(" ".join(words(after)[:n]))
    score = 0.0
    gap = _blank_run_before(doc, cand.first)
    if gap > usual_gap:
        score += 1.5
    header = paras[k + 1:body_k]
    if any(p.norm == cand.norm for p in header):
        score += 2.5
    if any(has_credit(p.text) or looks_like_caption(p.text) for p in header):
        score += 0.5
    sim = cosine(before_cw, after_cw)
    score += min(2.0, 3.0 * (0.18 - sim) / 0.18)  # different stories share few content words
    head = content_words(cand.text)
    if head:
        in_after = sum(1 for w in head if w in after_cw) / len(head)
        in_before = sum(1 for w in head if w in before_cw) / len(head)
        score += 1.5 * (in_after - in_before)
    if not doc.lines[cand.first - 1].blank:  # a headline is set off by white space
        score -= 2.0
    prev = paras[k - 1]
    if not is_body_text(prev.text):
        score -= 2.0  # a short line before it: a list, a table or a subheading run
    if body_k < len(paras) and not is_body_text(paras[body_k].text):
        score -= 2.0  # no prose after it either
    return score


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
        if p.single_line and looks_like_headline(p.text):
            if boundary_score(doc, paras, k, seg_body, usual_gap) >= THRESHOLD:
                starts.append(k)
                seg_body = header_end(paras, k)
                k = seg_body + 1
                continue
        k += 1

    segments = []
    for i, s in enumerate(starts):
        end = starts[i + 1] - 1 if i + 1 < len(starts) else len(paras) - 1
        first_para = paras[s]
        headline = first_para.first if first_para.single_line and looks_like_headline(first_para.text) else None
        body = header_end(paras, s) if headline is not None else s
        body_line = paras[body].first if body < len(paras) and body <= end else paras[end].last + 1
        segments.append(Segment(first_para.first, paras[end].last, headline, body_line))
    return segments
