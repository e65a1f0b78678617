"""NL2xx: boilerplate, and the bridge that turns pack rules into diagnostics."""

from __future__ import annotations

import re

from newslint.diagnostics import Applicability, Diagnostic, Edit, Fix
from newslint.document import Document
from newslint.normalize import normalize, word_count
from newslint.needs import fold
from newslint.packs import MAX_LINE_MATCH, LineScreen, Match
from newslint.registry import Context, Rule, delete_lines_fix, line_diagnostic, register


class _CodeIndex:
    """A code's pack rules, sorted once per run: listed lines by normal form, whole-line
    patterns in pack order (joined into a LineScreen after SCREEN_AFTER documents), the rest."""

    __slots__ = ("listed", "patterns", "others", "screen", "documents")

    def __init__(self, ctx: Context, code: str):
        self.listed, self.patterns, self.others = {}, [], []
        for pack in ctx.packs:
            for prule in pack.rules:
                if prule.code != code:
                    continue
                if prule.kind == "line":
                    for text in prule.spec.get("lines", []):
                        self.listed.setdefault(normalize(text), prule)
                    if "pattern" in prule.spec:
                        self.patterns.append(prule)
                else:
                    self.others.append(prule)
        self.screen = None
        self.documents = 0


def pack_matches(doc: Document, ctx: Context, code: str):
    """(pack rule, match) for every loaded pack rule that carries `code`, in pack order.

    Whole-line rules are run together in one pass over the lines: a dict lookup of the
    normalised line for listed lines, then the patterns, only on short lines."""
    indexes = ctx.__dict__.setdefault("_line_index", {})
    index = indexes.get(code)
    if index is None:
        index = indexes[code] = _CodeIndex(ctx, code)
    listed, patterns = index.listed, index.patterns
    for prule in patterns:
        prule.start_file()
    if index.screen is None and patterns and index.documents >= SCREEN_AFTER:
        index.screen = LineScreen(patterns)
    index.documents += 1
    screen = index.screen
    if listed or patterns:
        for ln in doc.lines:
            if ln.blank:
                continue
            prule = listed.get(ln.norm)
            stripped = ln.text.strip()
            if prule is None and patterns and len(stripped) <= MAX_LINE_MATCH:
                folded = fold(stripped)
                if screen is not None:
                    prule = screen.first(stripped, folded)
                else:
                    for cand in patterns:
                        if cand.may_match(stripped, folded) and cand.fullmatch(stripped):
                            prule = cand
                            break
            if prule is not None:
                yield prule, Match(ln.start, ln.end, stripped, whole_line=ln.index)
    for prule in index.others:
        for m in prule.matches(doc):
            yield prule, m


# Documents a process matches pattern by pattern before joining the patterns into one
# LineScreen: joining compiles them all (~16 ms), which a hook run over one file, whose
# lines rarely pass the patterns' prefilters, never needs to pay.
SCREEN_AFTER = 8


# A safe fix may delete a pack-listed line of at most this many words. Longer lines
# ("Continue reading the main story", a copyright notice) hold words that exist nowhere
# else in the file, so deleting them waits for --unsafe-fixes: safe means no word is lost.
SAFE_DELETE_MAX_WORDS = 3


def _applicability(prule, doc: Document, line_index: int, deletes: bool) -> Applicability:
    if prule.fix != "safe":
        return Applicability.UNSAFE
    text = doc.lines[line_index].text
    if deletes and max(word_count(text), len(text.split()), _estimated_words(text)) > SAFE_DELETE_MAX_WORDS:
        return Applicability.UNSAFE
    return Applicability.SAFE


# Besides the scripts written without spaces (normalize.NOSPACE_RANGES), those dense enough
# that a word is about two characters: Hangul (jamo, compatibility jamo, syllables: Korean
# written without its spaces), half-width katakana, CJK ideographs of extensions B-H.
_DENSE_MORE = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF), (0xFF65, 0xFF9F), (0x20000, 0x3134F))
_DENSE = _TOKEN = None  # compiled when first needed (~2 ms: not at every run's start)
LONGEST_WORD = 16  # characters: a longer run of letters is counted as words of this length


def _estimated_words(text: str) -> int:
    """Words in `text` as a safe deletion counts them: `\\w+` finds one word in a sentence of a
    script written without spaces, in words joined by underscores, in a run of letters with no
    break; each of those is counted as the words it may hold (two characters a word in the
    dense scripts), so that no line of more than three words passes for a page token."""
    global _DENSE, _TOKEN
    if _TOKEN is None:
        _TOKEN = re.compile(r"[^\W_]+")  # \w runs, split at underscores ("the_mayor_resigned" is three words)
    n = 0
    for token in _TOKEN.findall(text):
        dense = 0
        if not token.isascii():
            if _DENSE is None:  # the big class only for text that may need it
                from newslint.normalize import NOSPACE_RANGES, char_class

                _DENSE = re.compile(char_class(NOSPACE_RANGES + _DENSE_MORE))
            dense = len(_DENSE.findall(token))
        n += max(1, -(-dense // 2) + -(-(len(token) - dense) // LONGEST_WORD))
    return n


def pack_diagnostics(rule: Rule, doc: Document, ctx: Context, code: str):
    """Diagnostics for every pack rule (of any loaded pack) that carries `code`."""
    for prule, m in pack_matches(doc, ctx, code):
        message = prule.message.replace("{match!r}", repr(m.text)).replace("{match}", m.text)
        if m.whole_line is not None:
            fix = None
            if prule.fix != "none":
                applic = _applicability(prule, doc, m.whole_line, deletes=True)
                fix = delete_lines_fix(doc, [m.whole_line], applic == Applicability.SAFE, f"Remove {m.text!r}")
            yield line_diagnostic(doc, rule, message, m.whole_line, fix=fix)
            continue
        fix = None
        row, col = doc.position(m.start)
        end_row, end_col = doc.position(m.end)
        if m.replacement is not None or prule.fix != "none":
            content = m.replacement if m.replacement is not None else ""
            applic = _applicability(prule, doc, row - 1, deletes=not content)
            verb = f"Replace with {content!r}" if content else f"Remove {m.text!r}"
            fix = Fix(applic, verb, (Edit(m.start, m.end, content),))
        yield Diagnostic(code, message, doc.path or "-", row, col, end_row, end_col,
                         severity=prule.severity, fix=fix, fingerprint_text=m.text.casefold())


class PackCodeRule(Rule):
    """A rule whose findings are the pack entries carrying its code (built-in or a user's)."""

    def check(self, doc: Document, ctx: Context):
        return pack_diagnostics(self, doc, ctx, self.code)


@register
class BoilerplateLine(PackCodeRule):
    """A whole line that is page debris, as listed by the loaded rule packs.

    ## What it flags
    Lines that are, in their entirety, a stray page token or widget label listed under
    code NL201 in a rule pack: `TT`, `Highlights`, `Advertisement`, "Continue reading the
    main story", share bars ("Share this with Facebook", "Facebook Twitter WhatsApp"),
    follow and subscription prompts, comment widgets, counters, copyright footers,
    cookie notices. The shipped lists are `rules/boilerplate.toml` and the publisher packs
    (`rules/publisher-*.toml`: BBC, Al Jazeera, AP, Al Bawaba); a line is matched as a
    whole, so the same words inside a sentence are never flagged.

    ## Why
    These tokens are layout, not text: they break paragraphs apart, leak into
    summaries and make duplicate articles look different.

    ## Example
        Russian soldiers near the Red Square in Moscow (AFP)
        TT        <- NL201

    ## Fix safety
    As the pack entry says, with one limit: a safe fix deletes a line of at most three
    words (`TT`, "Share this with Facebook" is four: unsafe; text written without spaces,
    or words joined by underscores, counts as the words it may hold: two characters a word
    in Chinese, Japanese, Korean, Thai). A longer boilerplate line
    holds words found nowhere else in the file, so it is removed only with
    `--unsafe-fixes`. Entries marked unsafe always need `--unsafe-fixes`.
    """

    code = "NL201"
    name = "boilerplate-line"
    fix = "sometimes"  # a listed line of four words or more is deleted by --unsafe-fixes only


@register
class CreditLine(PackCodeRule):
    """A line that is only a picture credit or a caption label.

    ## What it flags
    Lines such as "Image copyright EPA", "Image caption", "[File: Reuters]", "(AFP)"
    alone, "Photo: Ringo H.W. Chiu, AP", "Sanjeev Verma/Hindustan Times/Getty Images",
    "Credit... Doug Mills/The New York Times", and the "Image caption " / "Media caption "
    label in front of caption text (`rules/captions.toml`). Datelines
    ("WASHINGTON (Reuters) -") and bylines ("Associated Press") are not flagged.

    ## Why
    Credits and labels are layout, not text: they split paragraphs and leak into
    summaries and duplicate signatures.

    ## Example
        Image copyright EPA        <- NL204
        Image caption Rescuers searched the rubble overnight   <- NL204 (the label only)

    ## Fix safety
    A line that holds only the credit is deleted, safely only when it is three words or
    fewer ("Image copyright EPA", "[File: Reuters]", "(AFP)"): safe fixes leave every line
    of four words or more as it is, as NL201's do, so a longer credit ("Image copyright
    Getty Images", "Photo: Ringo H.W. Chiu, AP", "Sanjeev Verma/Hindustan Times/Getty
    Images") waits for `--unsafe-fixes`. A label prefix is removed alone (the caption
    stays), and safely only when the whole line, label and caption, is three words or
    fewer ("Image caption Rescuers").
    "Image credit: X" lines are unsafe: reader-checked article bodies sometimes keep them
    as the closing line.
    """

    code = "NL204"
    name = "credit-line"
    fix = "sometimes"


@register
class CaptionCredit(PackCodeRule):
    """A caption line that ends in a picture credit (off by default; report only).

    ## What it flags
    Caption lines such as "WikiLeaks founder Julian Assange (AFP)", "... [File: Reuters]",
    "... (Photo: Getty Images)". Not flagged: datelines, all-capitals place names
    ("BEIRUT (AFP)"), and an acronym right after its full name ("Saudi Press Agency (SPA)").

    ## Why
    Useful to find where captions sit in a corpus (for example to strip them before
    training); in a news file a caption is article-adjacent text, so this rule is off
    unless selected. Repeated captions are NL102's job.

    ## Example
        Russian soldiers near the Red Square in Moscow (AFP)     <- NL205

    ## Fix safety
    None: nothing is deleted.
    """

    code = "NL205"
    name = "caption-credit"
    fix = "none"
    default = False
