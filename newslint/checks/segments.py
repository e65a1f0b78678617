"""NL3xx: file structure. One file should hold one article."""

from __future__ import annotations

from newslint.diagnostics import Applicability, Fix, Related
from newslint.document import Document
from newslint.registry import Context, Rule, line_diagnostic, register


@register
class MergedArticles(Rule):
    """Two or more different articles merged into one file.

    ## What it flags
    The headline of every article after the first, when the text below it is a
    different story: a headline-like line that opens a block after body text, with
    evidence such as a wider gap than the file's usual paragraph gap, the headline
    printed again below it, captions and credits after it, and a change of
    vocabulary (the text after it shares few content words with the text before it).

    ## Why
    One file per article is what every consumer of a content repo assumes: the
    second article is invisible to search by headline and inflates the first.

    ## Example
        ... as it would push towards the preservation of its territorial integrity.



        Baghdad Urges Washington to Prevent 'Imminent' Israeli Strikes   <- NL301

    ## Fix safety
    Unsafe (it creates files): the first article stays in the file; each later one
    moves to a sibling file `<stem>-2<ext>`, `<stem>-3<ext>`, ..., taking the next
    free number so no existing file is overwritten (a hidden `.x.txt` splits to `x-2.txt`,
    which folder walks see). Every word is kept.
    """

    code = "NL301"
    name = "merged-articles"
    fix = "unsafe"

    def check(self, doc: Document, ctx: Context):
        from newslint.checks.repeats import is_boilerplate

        # a line a pack rule flags as page debris ("Share this with Facebook" between two
        # paragraphs) reads as a headline, but it opens no article
        segs = [s for k, s in enumerate(doc.segments) if k == 0 or not is_boilerplate(doc, ctx, s.first)]
        if len(segs) < 2:
            return
        starts = tuple(s.first for s in segs[1:])
        fix = Fix(Applicability.UNSAFE, f"Split into {len(segs)} files", split_at=starts)
        first = segs[1]
        others = ", ".join(str(s + 1) for s in starts)
        yield line_diagnostic(
            doc, self,
            f"File holds {len(segs)} articles; the next one starts here"
            + (f" (articles start at lines {segs[0].first + 1}, {others})" if len(segs) > 2 else ""),
            first.first, fix=fix,
            related=[Related(doc.path or "-", s + 1, 1, None, "article starts") for s in starts[1:]],
        )


def split_text(doc: Document, starts: tuple[int, ...]) -> list[str]:
    """The file's text cut at the given line indices; every part but the last ends with
    exactly one newline (the file's own style), and the last keeps the file's ending."""
    parts = []
    bounds = [0, *starts, len(doc.lines)]
    nl = doc.source.newline
    for a, b in zip(bounds, bounds[1:]):
        lines = doc.lines[a:b]
        while lines and lines[-1].empty and b != len(doc.lines):
            lines = lines[:-1]
        if not lines:
            continue
        text = doc.text[lines[0].start:lines[-1].next]
        if b != len(doc.lines):
            text = doc.text[lines[0].start:lines[-1].end] + nl
        parts.append(text)
    return parts
