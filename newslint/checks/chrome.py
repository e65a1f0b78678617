"""NL203: page chrome (menus, share bars, related-story lists, bylines, footers) in text
saved from a whole web page.

The rule reads the text alone, in one pass over the lines plus a few linear scans:

1. Each non-blank line gets features: its length in words, whether it reads as prose
   (long enough, ends a sentence, dense in function words), whether it is a widget
   label ("Related", "Share", "Tags", "Comments", "©", "Subscribe", ...), a site notice
   (cookie banner, legal line, newsletter prompt), a byline or timestamp, a photo
   credit, a table row, an item of a list introduced by a colon, a short line the page
   prints more than once, a whole-line match of a loaded pack.
2. A Kadane score per line (prose adds its length, anything else costs) finds the
   article's main block: the heaviest run of prose within sections cut at strong gaps
   (a menu, a comments or tags widget), discounted by its distance below the in-page
   headline (a line repeating the page title without its site name), and joined with
   neighbouring runs that continue it.
3. The page is treated as a saved web page only when the text outside the main block
   shows enough evidence (menus, widget labels, notices, repeated short lines, a page
   title with a site name). Otherwise nothing is reported: a clean article that ends
   with a list of results is left alone.
4. Reported: everything outside the main block except one headline line at the top,
   and inside it the lines that are chrome on their own (a labelled related-story
   list, a "Read more:" teaser, a photo credit, a byline, a notice).
"""

from __future__ import annotations

import re
from collections import Counter

from newslint.checks.repeats import is_boilerplate
from newslint.document import Document, ends_sentence
from newslint.lineclass import FUNCTION_WORDS, is_credit_only, is_list_item, looks_like_headline, unmarked
from newslint.normalize import word_count, words
from newslint.record import Record
from newslint.registry import Context, Rule, delete_lines_fix, line_diagnostic, register

# ---------------------------------------------------------------- vocabulary

class _lazy:
    """A regex compiled on first use: a clean article never needs most of them, and
    compiling them all at import cost every hook run ~20 ms."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, *args):
        self._args, self._compiled = args, None

    def __getattr__(self, name):
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


_WORD = _lazy(r"\w+")
_CJK = _lazy(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TRUNCATED = _lazy(r"(?:\.\.\.|…)$")
_TITLE_SEP = _lazy(r"\s+(?:[-|–—:•»·]|::)\s+")
_LETTER = _lazy(r"[^\W\d_]")
_ASCII_LETTER = _lazy(r"[A-Za-z]")

# Function words of the Latin-script languages news sites use most (lineclass): prose is
# dense in them; menus, tag lists and title-case headlines are not.
_STOP = FUNCTION_WORDS

# Widget labels: generic web vocabulary, matched at the start of a short line.
_LABELS: list[tuple[str, re.Pattern]] = [
    ("related list", _lazy(
        r"""(?ix)^(?:related|see\ also|read\ (?:more|next|also)|also\ (?:read|on|see)|recommended
        |trending|popular|most\ (?:read|popular|viewed|shared|watched|recent)|top\ (?:stories|videos?|news)
        |latest(?:\ (?:news|stories|videos?|posts?))?$|you\ (?:may|might)\ (?:also\ )?(?:like|enjoy|be\ interested)
        |more\ (?:from|in|on|stories|news|videos?|great|to\ explore)|more:|don'?t\ miss|up\ next|next\ up
        |what\ to\ read\ next|editor'?s\ picks?|must\ read|further\ reading|other\ stories
        |(?:previous|next)\ (?:post|article|story)|in\ case\ you\ missed|watch\ more|story\ timeline
        |recent\ posts|popular\ posts|top\ rated|explore\ further)\b""")),
    ("share bar", _lazy(
        r"""(?ix)^(?:share|sharing|tweet|e-?mail(?:\ (?:this|me))?$|print(?:\ this)?|copy(?:\ link)?$|pin\ it
        |facebook|twitter|whatsapp|linkedin|reddit|pinterest|flipboard|telegram|instagram|youtube|rss
        |google\+|messenger|pocket|sms$|get\ short\ url|permalink|\d+\s+shares?$)""")),
    ("follow prompt", _lazy(r"(?i)^(?:follow|like\ us|join\ us|connect\ with\ us|find\ us)\b")),
    ("tags", _lazy(
        r"(?i)^(?:tags?|topics?|filed\s+(?:under|in)|categor(?:y|ies)|keywords|posted\s+in|related\s+tags)\b")),
    ("comments", _lazy(
        r"""(?ix)(?:^(?:\(?\d+\)?\s+)?comments?\b|leave\ a\ (?:comment|reply)|post\ a\ comment|add\ a\ comment
        |join\ the\ (?:conversation|discussion)|view\ (?:all\ )?comments|discussion\ thread|comments\ are\ closed
        |loading\ comments)""")),
    ("footer", _lazy(
        r"""(?ix)(?:©|\(c\)\s*\d{4}|copyright\b|all\ rights\ reserved|privacy\ (?:policy|notice|settings)
        |terms\ (?:of|and)\ (?:use|service|conditions)|cookies?\b|ad\ ?choices|user\ agreement|contact\ us
        |about\ us|site\ ?map|site\ index|careers$|advertise(?:\ with\ us)?$)""")),
    ("subscription prompt", _lazy(
        r"(?i)(?:subscribe|newsletter|sign\s?(?:up|in|out)|log\s?(?:in|out)\b|^register\b|your inbox|free trial)")),
    ("navigation", _lazy(
        r"""(?ix)^(?:(?:home|menu|search|close|sections|navigation|all\ sections|more|explore|main\ menu)\W*$
        |skip\ to|back\ to\ top|go\ to)""")),
    ("advertising", _lazy(r"(?i)^(?:advertisement|advert|sponsored|promoted|paid (?:content|post)|ad$)")),
]
# A label followed by another story's headline: "READ MORE: ...", "Also on rt.com ...".
_TEASER = _lazy(r"^(?:[^:|»]{0,30}[:|»]|also on |read more|see also|more from |more on )")
_INLINE_ITEM = _lazy(r"^[^:|»]{1,40}[:|»]\s*\S+(?:\s+\S+)+")  # "Related post: <a headline>"
_LONG_LABELS = {"footer", "subscription prompt", "comments"}  # may sit in a longer line

# Site notices that read as sentences: cookie banners, legal lines, newsletter prompts.
_NOTICE = _lazy(
    r"""(?ix)
    \bcookies?\b.{0,100}\b(?:web|site|sito|sitio|browser|navig|consent|accept|experien|esperienz|policy
        |settings|opt[-\ ]?out|privacy|utiliz|verwende|nutz)
    |\b(?:website|site|sito|sitio|browser|consent|accept|experience|utiliz|use|usa)\w*\b.{0,100}\bcookies?\b
    |all\ rights\ reserved|privacy\ (?:policy|notice|statement)|terms\ (?:of|and)\ (?:use|service|conditions)
    |may\ not\ be\ (?:re)?(?:produced|published|distributed)|registered\ trademarks?|©
    |click\ (?:here|on\ the)|sign\ up\ (?:for|to)\ (?:our|the)|subscribe\ (?:to|now|today)|newsletters?\b
    |(?:to|in)\ your\ inbox|affiliate\b.{0,30}\b(?:links?|commission)|(?:we|site)\ may\ (?:earn|receive)
    |follow\ (?:us|him|her|me|them)\ on|can\ be\ (?:contacted|reached)|(?:email|contact)\ (?:us|him|her|me)\ at
    |\bthis\ (?:web)?site\b|javascript|(?:modern|your|supported|latest)\ browser
    |subject\ to\ copyright|protected\ by\ copyright
    |without\ (?:the\ )?(?:prior\ )?(?:written\ )?permission"""
)

# Cheap substring tests that gate the slower patterns (on the lower-cased line).
_NOTICE_HINTS = ("cookie", "rights", "privacy", "terms", "reproduc", "publish", "distribut", "trademark", "©",
                 "click", "sign up", "subscribe", "newsletter", "inbox", "affiliate", "may earn", "may receive",
                 "follow", "contact", "reached", "site", "javascript", "browser", "copyright", "permission")
_CREDIT_HINTS = ("(", "[", "image", "photo", "picture", "credit", "getty", "source")
_LABEL_HINTS = {
    "comments": ("comment", "conversation", "discussion"),
    "footer": ("©", "(c)", "copyright", "rights reserved", "privacy", "terms", "cookie", "choices", "agreement",
               "contact us", "about us", "site map", "sitemap", "site index", "careers", "advertise"),
    "subscription prompt": ("subscri", "newsletter", "sign", "log", "register", "inbox", "trial"),
}
_DATED_STARTS = ("by ", "written", "posted", "published", "updated", "first published", "author")
_DIGIT = _lazy(r"\d")


# A photo credit: "(Image: GETTY)", "Image copyright EPA", "[File: Reuters]", "(AFP)". Stricter
# than lineclass.has_credit, whose "(...)" at the end of a line also fits "Howard Webb (South
# Yorkshire)" in a clean article: here a credit counts towards chrome.
_AGENCY = r"(?:afp|ap|reuters|epa|getty(?:\s+images)?|xinhua|pa|shutterstock|bloomberg|istock|ap\s+photo|file)"
_CREDIT = _lazy(
    rf"""(?ix)
    \(\s*(?:(?:image|photo|picture|pic|credit|source|file)s?\s*(?:credit)?\s*:[^()]*|{_AGENCY})\s*\)\s*$
    |\[\s*(?:(?:file|photo|image)\s*:[^\[\]]*|{_AGENCY})\s*\]\s*$
    |\b(?:image|photo|picture)\s+(?:copyright|credit|courtesy)\b|\bcredit\s*(?:\.\.\.|…|:)
    |^(?:photo|image|picture|credit|source)\s*(?:credit)?\s*:|\bgetty\s+images\b"""
)

# Bylines and datelines: "By Jane Doe", "Published 10:02 AM EST Nov 19, 2019", "2 days ago".
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATED = _lazy(
    rf"""(?ix)^(?:by\s+\S|written\s+by|posted\b|published\b|updated\b|first\ published|author:?$)
    |^\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|^{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}
    |\b\d{{1,2}}:\d{{2}}\s*(?:am|pm|gmt|utc|et|pt|est|pst|cst)\b
    |\b\d{{4}}-\d{{2}}-\d{{2}}|\b\d+\s+(?:min(?:ute)?s?|hours?|days?)\s+ago\b|\b\d+\s+min\s+read\b"""
)
_HANDLE = _lazy(r"(?:^|\s)@\w+")  # a social-media handle beside an author's name

# ---------------------------------------------------------------- settings

SHORT = 6  # words: a menu item, a button
LABEL_WORDS = 5  # a widget label is this short, unless a colon or "Also on" leads into a teaser
PROSE_MIN = 8  # words: a sentence of body text is at least this long
STOP_MIN = 0.1  # share of function words below which a Latin-script line is a list, not prose
STRONG_GAP = 5  # non-prose lines in a row that the article does not continue across
DECAY = 30.0  # lines: a prose run this far below the headline counts half
MERGE_GAP = 10  # at most this many lines between two parts of one article
MERGE_DENSITY = 0.6  # share of prose lines in a part that continues the article
WIDGET_GAP = 6  # lines: a widget this short inside an article (a subscribe box) is crossed...
WIDGET_DENSITY = 0.75  # ...when the text after it is this much prose
ANCHOR_MIN_SHARE = 0.4  # the run below an in-page headline weighs at least this share of the heaviest
MAX_HEADLINE_CANDIDATES = 10
BYLINE_REACH = 6  # lines: a byline this close to the top of the main block opens the article
MENU_RUN = 4  # short lines one under the other (no blank line between them): a menu
SCRAPED = 4.0  # evidence needed before anything is reported

_END_KINDS = {"comments", "tags", "share bar", "follow prompt", "footer", "subscription prompt", "related list"}
_LIST_KINDS = {"related list", "share bar", "follow prompt", "tags", "comments", "subscription prompt", "navigation"}
_WEAK_KINDS = {"photo credit"}  # chrome, but also found in clean text: never evidence on its own


# ---------------------------------------------------------------- line features

class LineInfo(Record):
    _fields = __slots__ = ("index", "text", "words", "prose", "short", "label", "notice", "dated", "byline", "repeated",
                           "pack", "data", "marked", "listed", "score")

    def __init__(self, index: int, text: str, words: int, prose: bool, short: bool, label: str | None, notice: bool,
                 dated: bool, byline: bool, repeated: bool, pack: bool, data: bool, marked: bool,
                 listed: bool = False, score: float = 0.0):
        self.index = index  # line index in the document
        self.text = text
        self.words = words
        self.prose = prose  # reads as a sentence of running text
        self.short = short  # a menu item, a button, a label
        self.label = label  # widget label kind
        self.notice = notice  # a site notice (cookies, legal, newsletter) even when it reads as prose
        self.dated = dated  # a byline or dateline proper
        self.byline = byline  # dated, or a name with a social-media handle
        self.repeated = repeated  # a non-prose line the page prints more than once (not the title)
        self.pack = pack  # a whole-line match of a loaded pack (NL201 and user packs)
        self.data = data  # a table row: results, standings, a schedule
        self.marked = marked  # starts with a list marker ("- ", "• ", "1. ")
        self.listed = listed  # an item of a list that a sentence ending in ":" introduces
        self.score = score  # Kadane weight


def _size(text: str) -> int:
    """Words, counting two CJK characters as one word (those scripts have no spaces)."""
    n = len(_WORD.findall(text))
    cjk = len(_CJK.findall(text))
    return max(n, cjk // 2) if cjk else n


def _is_prose(text: str, n: int) -> bool:
    if n < PROSE_MIN:
        return False
    if _TRUNCATED.search(text) and n < 30:
        return False  # a teaser cut short: "Two people in China have been diagnosed..."
    if n < 40 and (text.isascii() or len(_ASCII_LETTER.findall(text)) > 0.6 * len(_LETTER.findall(text))):
        toks = words(text)
        if sum(t in _STOP for t in toks) < STOP_MIN * len(toks):
            return False  # a list of names or tags, a title-case headline
    return ends_sentence(text) or text.endswith(":") or n >= 25


def _is_data(text: str) -> bool:
    """A table row: three or more fields, at least two and 40% of them numbers."""
    if not _DIGIT.search(text):
        return False
    fields = text.split()
    numeric = sum(1 for f in fields if _DIGIT.search(f))
    return len(fields) >= 3 and numeric >= 2 and numeric >= 0.4 * len(fields)


def widget_label(text: str) -> str | None:
    """The kind of page widget a short line labels ("related list" for "Most Read"), or None."""
    return _label(text, text.lower(), word_count(text))


def _label(text: str, low: str, n: int) -> str | None:
    if n > 30:
        return None
    if n <= 25 and any(h in low for h in _CREDIT_HINTS) and _CREDIT.search(text):
        return "photo credit"
    for kind, pat in _LABELS:
        limit = 30 if kind == "footer" else 20 if kind in _LONG_LABELS else 25 if kind == "related list" else 12
        if n > limit:
            continue
        hints = _LABEL_HINTS.get(kind)
        if hints is None:
            if pat.match(text) and (n <= LABEL_WORDS or _TEASER.match(low)):
                return kind  # anchored at the start of the line: "Related", "Share this:"
        elif any(h in low for h in hints) and pat.search(text):
            return kind
    return None


def _is_dated(text: str, low: str) -> bool:
    return (low.startswith(_DATED_STARTS) or bool(_DIGIT.search(text))) and bool(_DATED.search(text))


MIN_SHORT_LINES = 3  # a saved page has menus, buttons, labels: lines of at most 12 words


def _few_short_lines(doc: Document) -> bool:
    """A cheap first look: fewer than three short lines below the first cannot add up
    to the evidence of a saved page (menus, labels, bylines are short lines)."""
    short = 0
    for ln in doc.lines[1:]:
        if not ln.blank and len(ln.text.split()) <= 12:
            short += 1
            if short >= MIN_SHORT_LINES:
                return False
    return True


def _wire_copy(doc: Document) -> bool:
    """Hard-wrapped text: nearly all long lines fill one width of at most 100 characters
    and most of them run on mid-sentence. (Document.hard_wrapped looks at multi-line
    blocks only, and so also fires on saved pages whose menus and tables have even widths.)"""
    lengths = [len(ln.text.rstrip()) for ln in doc.lines if len(ln.text.strip()) >= 40]
    if len(lengths) < 10:
        return False
    width = sorted(lengths)[int(0.9 * len(lengths))]
    if width > 100:
        return False
    full = sum(1 for n in lengths if n >= 0.7 * width)
    run_on = sum(1 for ln in doc.lines if len(ln.text.strip()) >= 40 and not ends_sentence(ln.text))
    return full >= 0.8 * len(lengths) and run_on >= 0.5 * len(lengths)


def _front_matter_end(doc: Document) -> int:
    """Index of the first line after YAML/TOML front matter (`---` or `+++` fences), or 0."""
    lines = doc.lines
    first = next((ln for ln in lines if not ln.blank), None)
    if first is None or first.text.strip() not in ("---", "+++"):
        return 0
    fence = first.text.strip()
    for ln in lines[first.index + 1:first.index + 200]:
        if ln.text.strip() == fence:
            return ln.index + 1
    return 0


def _text_features(text: str) -> dict:
    """The features that depend on the line's text alone."""
    low = text.lower()
    n = _size(text)
    prose = _is_prose(text, n)
    dated = not prose and n <= 20 and _is_dated(text, low)
    return dict(
        text=text, words=n, prose=prose,
        short=n <= SHORT and not prose,
        label=None if prose and n > 12 else _label(text, low, n),
        notice=n <= 80 and any(h in low for h in _NOTICE_HINTS) and bool(_NOTICE.search(text)),
        dated=dated,
        byline=dated or (not prose and n <= 20 and bool(_HANDLE.search(text))),
        data=_is_data(text),
        marked=is_list_item(text),
    )


def line_infos(doc: Document, ctx: Context) -> list[LineInfo]:
    start = _front_matter_end(doc)
    body = [ln for ln in doc.lines[start:] if not ln.blank]
    keys = [" ".join(ln.text.lower().split()) for ln in body]  # cheaper than .norm, enough to count
    counts = Counter(keys)
    title = keys[0] if keys else ""
    seen: dict[str, dict] = {}  # pages print the same menu items and buttons many times
    out = []
    for ln, key in zip(body, keys):
        text = ln.text.strip()
        features = seen.get(text)
        if features is None:
            features = seen[text] = _text_features(text)
        out.append(LineInfo(
            index=ln.index, **features,
            repeated=not features["prose"] and features["words"] <= 20 and counts[key] > 1 and key != title,
            pack=is_boilerplate(doc, ctx, ln.index),
        ))
    _mark_lists(out)
    for li in out:
        li.score = _line_score(li)
    return out


def _mark_lists(infos: list[LineInfo]) -> None:
    """Mark the items of lists introduced in running text ("The nominees are:"): the
    lines after an introducing line, up to the next sentence or widget."""
    open_list = False
    for k, li in enumerate(infos):
        plain = not (li.label or li.byline or li.notice or li.repeated or li.pack)
        if open_list and plain and not li.prose:
            li.listed = True
            continue
        open_list = plain and li.text.endswith(":") and li.words >= 3 and (li.prose or (k > 0 and infos[k - 1].prose))


def _line_score(li: LineInfo) -> float:
    """Kadane weight: prose adds its length; table rows and introduced list items add a
    little; list-marked lines are neutral; anything else costs, widgets the most."""
    if li.notice:
        return -float(max(8, li.words))
    if li.prose and not li.label:
        return float(li.words)
    widget = li.label or li.pack or li.repeated or li.byline
    if li.data and not widget:
        return 0.5 * li.words
    if li.listed:
        return 1.0
    if li.marked and not widget:
        return 0.0
    cost = 2.0 + 0.5 * min(li.words, 30)
    if li.label or li.pack or li.repeated:
        cost += 6.0
    return -cost


# ---------------------------------------------------------------- the main block

Run = tuple[int, int, float]  # first and last position in infos, Kadane sum


def _best_run(infos: list[LineInfo], lo: int, hi: int) -> Run | None:
    best, span = 0.0, None
    cur, start = 0.0, lo
    for k in range(lo, hi):
        s = infos[k].score
        if cur <= 0:
            cur, start = s, k
        else:
            cur += s
        if cur > best:
            best, span = cur, (start, k, cur)
    return span


def _strong_gap(gap: list[LineInfo]) -> bool:
    """A run of non-prose lines the article does not continue across: a menu, a widget."""
    if len(gap) >= STRONG_GAP:
        return True
    if sum(1 for li in gap if li.label or li.pack or li.repeated or li.notice) >= 2:
        return True
    return len(gap) >= 2 and any(li.label in _END_KINDS or li.notice for li in gap)


def prose_runs(infos: list[LineInfo]) -> list[Run]:
    """The heaviest prose run of each section; sections are cut at strong gaps."""
    runs: list[Run] = []
    n = len(infos)
    lo = k = 0
    while k < n:
        if infos[k].score > 0:
            k += 1
            continue
        j = k
        while j < n and infos[j].score <= 0:
            j += 1
        if j < n and not _strong_gap(infos[k:j]):
            k = j
            continue
        run = _best_run(infos, lo, k)
        if run is not None:
            runs.append(run)
        lo = k = j
    if lo < n:
        run = _best_run(infos, lo, n)
        if run is not None:
            runs.append(run)
    return runs


COPY_SHARE = 0.8  # of a run's words found in a run of more lines: the article printed again
COPY_AGAINST = 4  # the runs of most lines a run is compared with


def copy_runs(infos: list[LineInfo], runs: list[Run]) -> dict[int, Counter]:
    """Runs that print the text of a run of more lines again, with their words: a page's
    meta description holding the whole article in one line (businessinsider.de prints it
    twice below the article, each copy a little longer than the article's paragraphs)."""
    if len(runs) < 2:
        return {}
    toks = [_tokens(" ".join(infos[k].text for k in range(a, b + 1))) for a, b, _ in runs]
    # compared with the runs of most lines only (the article is among them): every pair of a
    # page cut into thousands of runs by menus cost seconds (6,776 runs: ~6 s)
    longest = sorted(range(len(runs)), key=lambda s: runs[s][0] - runs[s][1])[:COPY_AGAINST]
    out = {}
    for r, (a, b, total) in enumerate(runs):
        n = sum(toks[r].values())
        if total <= 0 or n == 0:
            continue
        if any(s != r and runs[s][1] - runs[s][0] > b - a and sum((toks[r] & toks[s]).values()) >= COPY_SHARE * n
               for s in longest):
            out[r] = toks[r]
    return out


def copied_tail(infos: list[LineInfo], copies: list[Counter], a: int, b: int) -> int:
    """The last position of the article once the lines right below it that a copy of it
    also holds are added (its closing line, e.g. a newsletter prompt, is the article's
    when the page's own copy of the article ends with it)."""
    if not copies:
        return b
    body = _tokens(" ".join(infos[k].text for k in range(a, b + 1)))
    for copy in copies:
        left = copy - body
        k = b
        while k + 1 < len(infos):
            t = _tokens(infos[k + 1].text)
            n = sum(t.values())
            if n == 0 or infos[k + 1].prose and n > 40 or sum((t & left).values()) < 0.9 * n:
                break
            left -= t
            k += 1
        b = max(b, k)
    return b


def main_run(runs: list[Run], anchor: int | None) -> int | None:
    """Index of the article's main run: the heaviest, discounted by its distance below
    the in-page headline when there is one (runs above the headline do not count)."""
    best, pick = 0.0, None
    for r, (first, _, total) in enumerate(runs):
        if anchor is not None:
            if first <= anchor:
                continue
            total = total / (1.0 + (first - anchor) / DECAY)
        if total > best:
            best, pick = total, r
    return pick


def _continues(infos: list[LineInfo], gap: range, run: Run, forward: bool) -> bool:
    """Whether `run`, beyond the lines `gap`, is more of the same article.

    Above the main block (towards the headline) the gap must be short and the run
    mostly prose, not counting bylines (they sit at the top of articles). Below it,
    where comments and teasers follow an article, the run must be mostly prose by
    lines, and an end-of-article widget in the gap (share bar, tags, footer, notice,
    subscription prompt) is crossed only when it is at most a few lines long and the
    run is nearly all prose; a comments widget is never crossed."""
    if len(gap) > MERGE_GAP:
        return False
    lines = range(run[0], run[1] + 1)
    if not forward:
        counted = [k for k in lines if not infos[k].byline]
        return sum(1 for k in counted if infos[k].score > 0) >= MERGE_DENSITY * len(counted)
    density = sum(1 for k in lines if infos[k].score > 0) / len(lines)
    widgets = [k for k in gap if infos[k].label in _END_KINDS or infos[k].notice]
    if not widgets:
        return density >= MERGE_DENSITY
    if any(infos[k].label == "comments" for k in gap):
        return False
    return len(gap) <= WIDGET_GAP and density >= WIDGET_DENSITY


def article_span(infos: list[LineInfo], runs: list[Run], pick: int, head: int) -> tuple[int, int]:
    first, last = runs[pick][0], runs[pick][1]
    r = pick + 1
    while r < len(runs) and _continues(infos, range(last + 1, runs[r][0]), runs[r], True):
        last = runs[r][1]
        r += 1
    r = pick - 1
    # a run that the kept headline opens (a first line that reads as a sentence: "LOS ANGELES
    # (AP) - To LeBron James, ...") is the article's start as much as one below it
    while r >= 0 and runs[r][1] > head and _continues(infos, range(runs[r][1] + 1, first), runs[r], False):
        first = runs[r][0]
        r -= 1
    return first, last


def after_byline(infos: list[LineInfo], a: int, b: int) -> int:
    """Start the main block below a byline or dateline among its first lines: what comes
    above it (a standfirst, a photo caption) is page furniture."""
    for k in range(a + 1, min(b, a + BYLINE_REACH)):
        if infos[k].dated and not infos[k].label and any(infos[j].score > 0 for j in range(k + 1, b + 1)):
            return k + 1
    return a


# ---------------------------------------------------------------- the headline

def _tokens(text: str) -> Counter:
    return Counter(words(text))


def headline_candidates(infos: list[LineInfo]) -> list[tuple[int, float]]:
    """Lines that print the page title (the first line) again, e.g. without " - Site":
    (position, share of the title or of its longest part that they cover). A candidate
    may not add words the title lacks (a breadcrumb or a teaser does)."""
    title = infos[0].text
    ttoks = _tokens(title)
    total = sum(ttoks.values())
    if total < 2:
        return []
    longest = max((_tokens(p) for p in _TITLE_SEP.split(title)), key=lambda c: sum(c.values()))
    size = max(1, sum(longest.values()))
    out = []
    for k in range(1, len(infos)):
        li = infos[k]
        if li.prose or not 2 <= li.words <= 40:
            continue
        ctoks = _tokens(li.text)
        n = sum(ctoks.values())
        inside = sum((ctoks & ttoks).values())
        if n < 2 or inside < 0.9 * n:
            continue
        cover = max(inside / total, sum((ctoks & longest).values()) / size)
        if cover >= 0.5:
            out.append((k, cover))
            if len(out) == MAX_HEADLINE_CANDIDATES:
                break
    return out


def choose_anchor(infos: list[LineInfo], runs: list[Run]) -> tuple[int | None, int | None]:
    """(position of the in-page headline, index of the main run): the candidate with the
    heaviest prose run close below it, or (None, the heaviest run) without one."""
    heaviest = main_run(runs, None)
    best: tuple[int | None, int | None] = (None, heaviest)
    if heaviest is None:
        return best
    best_value = -1.0
    for k, cover in headline_candidates(infos):
        pick = main_run(runs, k)
        if pick is None or runs[pick][2] < ANCHOR_MIN_SHARE * runs[heaviest][2]:
            continue  # a copy of the title inside the article or in a list of stories
        # the article below this candidate: its main run with the parts that continue it,
        # so a copy of the title in a gallery under the lead does not outweigh the headline
        # above the lead
        first, last = article_span(infos, runs, pick, k)
        total = sum(t for a, b, t in runs if first <= a and b <= last)
        value = cover * total / (1.0 + (first - k) / DECAY)
        if value > best_value:
            best_value, best = value, (k, pick)
    return best


def headline_above(infos: list[LineInfo], a: int) -> int:
    """The headline of a text that opens with a menu item ("Home", "Menu", "Skip to
    content": no page title): the line right above the article when it reads as a
    headline, else the first line."""
    k = a - 1
    if k > 0:
        li = infos[k]
        if not (li.label or li.notice or li.byline or li.pack or li.repeated or li.data) and looks_like_headline(li.text):
            return k
    return 0


# ---------------------------------------------------------------- evidence and blocks

def page_evidence(doc: Document, infos: list[LineInfo], outside: list[int]) -> tuple[float, bool, Counter]:
    """Evidence, outside the main block, that the file is a whole saved page:
    (score, whether any structural sign is among it, the signs found)."""
    signs: Counter = Counter()
    out = set(outside)
    run = 0
    for k, li in enumerate(infos):
        if k not in out or not li.short or li.marked:
            run = 0
            continue
        adjacent = k > 0 and infos[k - 1].index == li.index - 1 and (k - 1) in out
        run = run + 1 if adjacent and run else 1
        if run == MENU_RUN:
            signs["menu"] += 1
    # a short line the article itself prints is the article's structure (a meal plan's
    # "Pre-Workout Meal" under each of its plans), not a menu printed at the top and bottom
    seen = {doc.lines[li.index].norm for k, li in enumerate(infos) if li.repeated and k not in out}
    for k in outside:
        li = infos[k]
        if li.label and li.label not in _WEAK_KINDS:
            signs["widget label"] += 1
        elif li.notice:
            signs["site notice"] += 1
        elif li.pack:
            signs["pack line"] += 1
        if li.repeated and doc.lines[li.index].norm not in seen:
            seen.add(doc.lines[li.index].norm)
            signs["repeated line"] += 1
        if li.byline and not li.label:
            signs["byline"] += 1
    score = (min(2.0, 2.0 * signs["menu"]) + signs["widget label"] + signs["site notice"] + signs["pack line"]
             + signs["repeated line"] + min(1.0, 0.5 * signs["byline"]))
    structural = bool(signs["menu"] or signs["widget label"] or signs["site notice"])
    return score, structural, signs


def inner_chrome(infos: list[LineInfo], a: int, b: int) -> set[int]:
    """Positions inside the main block that are chrome on their own: a widget label with
    the short lines under it, a photo credit, a byline, a notice, a repeated line."""
    out: set[int] = set()
    k = a
    while k <= b:
        li = infos[k]
        if li.score > 0:
            k += 1
            continue
        if li.label in _LIST_KINDS or li.label == "advertising":
            j = k + 1
            # a label that carries its item ("Related post: Pickled Brussels Sprouts Recipe",
            # "READ MORE: ...") is the whole teaser: the short line under it is the article's
            # (a subheading), not more of the list
            while j <= b and infos[j].score <= 0 and not infos[j].prose and not _INLINE_ITEM.match(li.text):
                j += 1
            out.update(range(k, j))
            k = j
            continue
        if li.label or li.byline or li.notice or (li.repeated and li.short and not is_credit_only(li.text)):
            out.add(k)  # a source tag printed twice ("[ PC World ]") names two different quotes
        k += 1
    return out


STORY_ITEMS = 3  # headlines under a "Related" label, at least
STORY_LIST = SCRAPED  # evidence of a labelled list of other stories after the article


def _story_item(li: LineInfo) -> bool:
    """A line that reads as another story's headline, bulleted or not: short, not a
    sentence, no widget."""
    text = unmarked(li.text) if li.marked else li.text
    return (not (li.prose or li.label or li.notice or li.byline or li.pack or li.data or li.listed)
            and 2 <= li.words <= 16 and looks_like_headline(text))


def stories_after(infos: list[LineInfo], a: int, b: int) -> list[int]:
    """Positions of a labelled list of other stories that ends the text after the article:
    everything below it is "Related Stories" (or "More on this story", "Most Read", ...)
    with three or more headlines under each such label that the article does not hold,
    then at most short end-of-article widget lines ("Share this page", tags, a footer).
    Chrome on its own evidence, when the rest of the text shows no saved page."""
    tail = list(range(b + 1, len(infos)))
    if not tail or infos[tail[0]].label != "related list" or _INLINE_ITEM.match(infos[tail[0]].text):
        return []
    body = " " + " ".join(" ".join(words(infos[k].text)) for k in range(a, b + 1)) + " "
    title = " ".join(words(infos[0].text))
    items, closed = 0, False
    for k in tail:
        li = infos[k]
        if not closed and li.label == "related list" and li.words <= LABEL_WORDS and not _INLINE_ITEM.match(li.text):
            if k != tail[0] and items < STORY_ITEMS:
                return []
            items = 0
            continue
        if closed or (items >= STORY_ITEMS and li.words <= LABEL_WORDS and li.label in _END_KINDS):
            if li.words > LABEL_WORDS or li.label not in _END_KINDS:
                return []
            closed = True  # a share bar, tags, a footer below the list: chrome too, and the end
            continue
        item = " ".join(words(li.text))
        if not _story_item(li) or f" {item} " in body or item == title:
            return []
        items += 1
    return tail if items >= STORY_ITEMS else []


def keep_first_copies(doc: Document, infos: list[LineInfo], flagged: set[int], head: int) -> tuple[set[int], int]:
    """Keep the first copy of a line the page prints twice, as NL101-NL103 do (they remove
    later copies, so removing the first copy here would lose the text). A kept copy
    moves up only while it stays below the headline."""
    first: dict[str, int] = {}
    for k, li in enumerate(infos):
        first.setdefault(doc.lines[li.index].norm, k)
    flagged = set(flagged)
    top = first[doc.lines[infos[head].index].norm]
    if top != head and top in flagged:
        flagged.discard(top)
        flagged.add(head)
        head = top
    for k in range(head + 1, len(infos)):
        if k in flagged:
            continue
        f = first[doc.lines[infos[k].index].norm]
        if f != k and f > head and f in flagged:
            flagged.discard(f)
            flagged.add(k)
    return flagged, head


def _kind(li: LineInfo) -> str:
    if li.label:
        return li.label
    if li.notice:
        return "site notice"
    if li.byline:
        return "byline"
    if li.pack:
        return "page token"
    if li.short:
        return "menu"
    if li.prose:
        return "text outside the article"
    return "headline list"


class Block(Record):
    _fields = __slots__ = ("first", "last", "where", "kinds")

    def __init__(self, first: int, last: int, where: str, kinds: Counter | None = None):
        self.first = first  # line indices, inclusive
        self.last = last
        self.where = where  # "header", "footer" or "inside"
        self.kinds = Counter() if kinds is None else kinds


class Analysis(Record):
    _fields = __slots__ = ("headline", "span", "evidence", "signs", "scraped", "blocks")

    def __init__(self, headline: int | None = None, span: tuple[int, int] | None = None, evidence: float = 0.0,
                 signs: Counter | None = None, scraped: bool = False, blocks: list[Block] | None = None):
        self.headline = headline  # line index of the headline kept at the top
        self.span = span  # first and last line of the main block
        self.evidence = evidence
        self.signs = Counter() if signs is None else signs
        self.scraped = scraped
        self.blocks = [] if blocks is None else blocks


def analyse(doc: Document, ctx: Context) -> Analysis:
    cached = doc.__dict__.get("_chrome_analysis")
    if cached is not None:
        return cached
    result = doc.__dict__["_chrome_analysis"] = Analysis()
    if _few_short_lines(doc):
        return result  # an article of paragraphs: no menus, widgets or bylines to find
    if _wire_copy(doc):
        return result  # hard-wrapped text: lines are not paragraphs, and no page scraper saves it
    infos = line_infos(doc, ctx)
    if len(infos) < 3:
        return result
    runs = prose_runs(infos)
    copies = copy_runs(infos, runs)
    runs = [(x, y, 0.0) if r in copies else (x, y, t) for r, (x, y, t) in enumerate(runs)]
    anchor, pick = choose_anchor(infos, runs)
    if pick is None:
        return result
    head = 0
    signs: Counter = Counter()
    if anchor is not None and doc.lines[infos[anchor].index].norm != doc.lines[infos[0].index].norm:
        head = anchor  # the first line is "<headline> - <site>": keep the in-page headline
        if _TITLE_SEP.search(infos[0].text):
            signs["page title with site name"] += 1
    a, b = article_span(infos, runs, pick, anchor if anchor is not None else 0)
    a = after_byline(infos, a, b)
    if head == 0 and infos[0].label == "navigation":
        head = headline_above(infos, a)
    tail = b
    b = copied_tail(infos, list(copies.values()), a, b)
    result.headline, result.span = infos[head].index, (infos[a].index, infos[b].index)

    outside = [k for k in range(len(infos)) if (k < a or k > b) and k != head]
    score, structural, found = page_evidence(doc, infos, outside)
    signs.update(found)
    result.evidence = score + 2.0 * signs["page title with site name"]
    result.signs = signs
    needed = ctx.option("page-chrome", "threshold", SCRAPED)
    result.scraped = result.evidence >= needed and (structural or bool(signs["page title with site name"]))
    if not result.scraped:
        # a labelled list of other stories ending the text weighs as much as the default
        # evidence of a saved page: reported on its own (only it), unless the threshold
        # is raised past the evidence with it
        story_list = stories_after(infos, a, b)
        if story_list and result.evidence + STORY_LIST >= needed:
            first, last = story_list[0], story_list[-1]
            result.signs["story list"] += 1
            block = Block(infos[first].index, infos[last].index, "footer")
            for k in story_list:
                block.kinds[infos[k].label or "headline list"] += 1
            result.blocks.append(block)
        return result

    flagged = (set(outside) | inner_chrome(infos, a, b)) - set(range(tail + 1, b + 1))
    flagged, head = keep_first_copies(doc, infos, flagged, head)
    result.headline = infos[head].index
    cur: Block | None = None
    for k, li in enumerate(infos):
        if k not in flagged:
            cur = None
            continue
        if cur is None:
            cur = Block(li.index, li.index, "header" if k < a else "footer" if k > b else "inside")
            result.blocks.append(cur)
        cur.last = li.index
        cur.kinds[_kind(li)] += 1
    return result


_PLACE = {"header": "before the article", "footer": "after the article", "inside": "inside the article"}


@register
class PageChrome(Rule):
    """Page chrome: menus, share bars, related-story lists, bylines and footers saved around the article.

    ## What it flags
    In text saved from a whole web page (what a naive scraper commits), each block
    outside the article: navigation menus, share bars, cookie and subscription notices,
    "Related" / "Read more" lists of other headlines, bylines and timestamps, comment
    widgets, footers; and, inside the article, lines that are chrome on their own (a
    labelled list of other stories, a "READ MORE:" teaser, a photo credit, a byline).
    One diagnostic per block, spanning its lines; the message says what the block holds.

    It works on the text alone, from generic signals:

    - the article is the densest run of prose: lines of eight or more words that end a
      sentence and are dense in function words add their length; every other line
      costs, widget labels ("Related", "Share", "Tags", "Comments", "©", "Privacy
      Policy", "Subscribe"), site notices, pack matches and short lines the page prints
      twice cost more; table rows and items of a list introduced by a colon are kept
      with the article; a menu or a comments widget ends it;
    - the in-page headline is a line that repeats the page title (the first line)
      without its site name; the article is the run of prose closest below it;
    - one headline line is kept at the top: that in-page headline when the first line
      is "<headline> - <site name>", else the first line, unless that is a menu item
      ("Home", "Menu": the text has no title line), then the headline-shaped line right
      above the article;
    - nothing is reported unless the text outside the article shows a saved page: menus
      (four or more short lines one under the other), widget labels, site notices,
      pack matches, repeated short lines, bylines, a page title with a site name, adding
      up to 4 (`page-chrome.threshold`: higher reports fewer pages, lower more), with at
      least one menu, label, notice or site-name title among them. A
      clean article, even one that ends with a list of results, is left alone; so are
      YAML/TOML front matter and hard-wrapped wire copy;
    - a labelled list of other stories that ends the text ("Related Stories", "Most
      Read", ... each with three or more headline-shaped lines, bulleted or not, that
      the article does not hold; a share bar, tags or a footer may close it) is
      evidence of 4 on its own: without other evidence only that list is reported.

    ## Why
    A scraper that saves the visible text of a page keeps the site around the story.
    Menus and lists of other headlines then leak into search, summaries and training
    data, and two pages of one site look alike to duplicate detection because of their
    chrome rather than their stories.

    ## Example
        Alibaba to raise up to $12.9bn in landmark Hong Kong listing : CityAM   <- NL203 (page title, menus)
        ...
        Search in posts
        City Talk
        Wednesday 20 November 2019 9:22 am
        Alibaba to raise up to $12.9bn in landmark Hong Kong listing            (kept: the headline)
        Anna Menin                                                              <- NL203 (author, share bar)
        Share
        Alibaba is set to raise up to $12.9bn (£10bn) from its record-breaking ... (the article)
        Read more: Alibaba poised to launch record-breaking $13.4bn Hong Kong ...  <- NL203 (teaser)
        The deal – set to be the largest share sale in Hong Kong for nine ...
        ...
        Tags: Alibaba                                                           <- NL203 (tags, related list)
        Related articles
        Alibaba’s secondary Hong Kong listing gets exchange approval

    ## Fix safety
    Unsafe: the blocks are deleted, and a block may hold text a reader wanted (a
    standfirst, an author's note, a table or list set apart from the article). Review
    the diff (`--diff --unsafe-fixes`) before applying it with `--unsafe-fixes`. When a
    line is printed twice, the first copy is the one kept, as NL101-NL103 keep it.

    On by default: on the 2,225 clean BBC articles it reports nothing (see
    `bench/CHROME_EVAL.md`); a file with fewer than three short lines is not looked at.

    ## Baselines
    A block's bounds are found anew on each run, and any edit inside or near it (a
    share-bar line removed by NL201's fix, a typo corrected in a menu) moves them, or
    splits one block into several. So a baseline keeps, beside each block's text, the
    lines of chrome the file held: a block whose text it accepted is taken first, then the
    others while those lines last. An accepted page stays accepted while it is cleaned; a
    block that grew, or chrome beyond the lines counted, is reported.
    """

    code = "NL203"
    name = "page-chrome"
    fix = "unsafe"
    default = True

    def check(self, doc: Document, ctx: Context):
        result = analyse(doc, ctx)
        for block in result.blocks:
            lines = [i for i in range(block.first, block.last + 1) if not doc.lines[i].blank]
            kinds = ", ".join(k for k, _ in block.kinds.most_common(3))
            n = len(lines)
            message = f"Page chrome {_PLACE[block.where]}: {kinds} ({n} line{'s' if n != 1 else ''})"
            fix = delete_lines_fix(doc, lines, False, "Remove the page chrome")
            # (a baseline also counts a file's lines of chrome, and CI fingerprints know a
            # block by its place: newslint.baseline, report._common.fingerprints)
            yield line_diagnostic(doc, self, message, block.first, block.last, fix)
