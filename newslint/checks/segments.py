"""NL3xx: file structure. One file should hold one article."""

from __future__ import annotations

import re

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
    Also a post's front matter (`---` or `+++` fences around metadata) below other text:
    two Markdown posts saved into one file; the finding is on its opening fence.

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
    which folder walks see). Every word is kept. A part that begins with its own front
    matter keeps it; a part without gets the file's, titled with its headline.
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


# Front matter keys whose value is one article's own: its address or identity, which two
# pages may not share (a second page at the same permalink overwrites the first when the
# site is built), and its summary. A split-off part's copy of the front matter goes without
# them; `title` becomes the part's own headline.
_OWN_KEYS = frozenset({"permalink", "url", "slug", "aliases", "redirect_from", "redirect_to", "canonical_url",
                       "canonicalurl", "id", "uuid", "guid", "description", "summary", "excerpt"})
_YAML_KEY = re.compile(r"""(?:"([^"]+)"|'([^']+)'|([\w.-]+))\s*:(?:\s|$)""")
_TOML_KEY = re.compile(r"""(?:"([^"]+)"|'([^']+)'|([\w.-]+))\s*=""")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+|\s+#+\s*$")


def front_matter_for_part(doc: Document, part: str) -> str:
    """The front matter to put at the top of `part`, an article split off `doc`: `doc`'s own
    (YAML or TOML, as Document finds it), lines and line breaks as they are, with `title` set
    to the part's headline and the keys of _OWN_KEYS left out. '' when `doc` has none.

    A post without front matter is not rendered by Jekyll (nor listed as a post by Hugo's
    themes): the split-off article would have dropped out of the site. Copied whole, it
    would carry the first article's title and permalink, and one page would overwrite the
    other when the site is built."""
    import json

    from newslint.document import FRONT_MATTER_MAX_LINES, front_matter_lines

    lines = doc.lines
    n = front_matter_lines([ln.text for ln in lines[:FRONT_MATTER_MAX_LINES]]) if doc.text.startswith(("---", "+++")) \
        else 0
    if not n or part.startswith(("---", "+++")) and front_matter_lines(part.splitlines()[:FRONT_MATTER_MAX_LINES]):
        return ""  # none to copy, or the part is a post of its own, front matter included
    toml = lines[0].text.rstrip() == "+++"
    key_re, sep = (_TOML_KEY, " = ") if toml else (_YAML_KEY, ": ")
    headline = next((_HEADING.sub("", t).strip() for t in part.splitlines() if t.strip()), "")
    raw = [doc.text[ln.start:ln.next] for ln in lines[:n]]
    out = [raw[0]]
    i, end = 1, n - 1
    while i < end:
        t = lines[i].text
        m = key_re.match(t)
        if toml and t.lstrip().startswith("["):  # a table: its keys are not the page's own
            out += raw[i:end]
            break
        if m is None:
            out.append(raw[i])
            i += 1
            continue
        j = i + 1  # the entry's continuation lines: indented, list items, an open multi-line string
        quote = next((q for q in ('"""', "'''") if toml and t.count(q) % 2), None)
        while j < end:
            u = lines[j].text
            if quote is not None:
                j += 1
                if quote in u:
                    quote = None
                continue
            if not u.strip() and not toml:  # a blank line inside a block scalar, if indented text follows
                k = next((k for k in range(j + 1, end) if lines[k].text.strip()), end)
                if k < end and lines[k].text[:1].isspace():
                    j = k
                    continue
                break
            if not u.strip() or u.lstrip().startswith("#") or key_re.match(u) or (toml and u.startswith("[")):
                break
            if not toml and not u[:1].isspace() and not u.startswith("-"):
                break
            j += 1
        key = (m.group(1) or m.group(2) or m.group(3)).lower()
        if key == "title" and headline:
            out.append(t[:m.end()].rsplit(sep.strip(), 1)[0].rstrip() + sep
                       + json.dumps(headline, ensure_ascii=False) + raw[i][len(t):])
        elif key not in _OWN_KEYS:
            out += raw[i:j]
        i = j
    out += raw[end:n]
    return "".join(out)
