"""NL2xx: boilerplate, and the bridge that turns pack rules into diagnostics."""

from __future__ import annotations

from newslint.diagnostics import Applicability, Diagnostic, Edit, Fix
from newslint.document import Document
from newslint.normalize import normalize
from newslint.packs import MAX_LINE_MATCH, Match
from newslint.registry import Context, Rule, delete_lines_fix, line_diagnostic, register


def pack_matches(doc: Document, ctx: Context, code: str):
    """(pack rule, match) for every loaded pack rule that carries `code`, in pack order.

    Whole-line rules are run together in one pass over the lines: a dict lookup of the
    normalised line for listed lines, then the patterns, only on short lines."""
    index = ctx.__dict__.setdefault("_line_index", {})
    if code not in index:
        listed, patterns, others = {}, [], []
        for pack in ctx.packs:
            for prule in pack.rules:
                if prule.code != code:
                    continue
                if prule.kind == "line":
                    for text in prule.spec.get("lines", []):
                        listed.setdefault(normalize(text), prule)
                    if "pattern" in prule.spec:
                        patterns.append(prule)
                else:
                    others.append(prule)
        index[code] = (listed, patterns, others)
    listed, patterns, others = index[code]
    if listed or patterns:
        for ln in doc.lines:
            if ln.blank:
                continue
            prule = listed.get(ln.norm)
            stripped = ln.text.strip()
            if prule is None and len(stripped) <= MAX_LINE_MATCH:
                for cand in patterns:
                    if cand.fullmatch(stripped):
                        prule = cand
                        break
            if prule is not None:
                yield prule, Match(ln.start, ln.end, stripped, whole_line=ln.index)
    for prule in others:
        for m in prule.matches(doc):
            yield prule, m


def pack_diagnostics(rule: Rule, doc: Document, ctx: Context, code: str):
    """Diagnostics for every pack rule (of any loaded pack) that carries `code`."""
    for prule, m in pack_matches(doc, ctx, code):
        message = prule.message.replace("{match!r}", repr(m.text)).replace("{match}", m.text)
        if m.whole_line is not None:
            fix = None
            if prule.fix != "none":
                fix = delete_lines_fix(doc, [m.whole_line], prule.fix == "safe", f"Remove {m.text!r}")
            yield line_diagnostic(doc, rule, message, m.whole_line, fix=fix)
            continue
        fix = None
        if m.replacement is not None or prule.fix != "none":
            applic = Applicability.SAFE if prule.fix == "safe" else Applicability.UNSAFE
            content = m.replacement if m.replacement is not None else ""
            verb = f"Replace with {content!r}" if content else f"Remove {m.text!r}"
            fix = Fix(applic, verb, (Edit(m.start, m.end, content),))
        row, col = doc.position(m.start)
        end_row, end_col = doc.position(m.end)
        yield Diagnostic(code, message, doc.path or "-", row, col, end_row, end_col,
                         severity=prule.severity, fix=fix, fingerprint_text=m.text.casefold())


@register
class BoilerplateLine(Rule):
    """A whole line that is page debris, as listed by the loaded rule packs.

    ## What it flags
    Lines that are, in their entirety, a stray page token or widget label listed under
    code NL201 in a rule pack: `TT`, `Highlights`, `Advertisement`, "Continue reading the
    main story", share bars ("Share this with Facebook", "Facebook Twitter WhatsApp"),
    subscription prompts. The shipped list is `rules/boilerplate.toml`; a line is matched
    as a whole, so the same words inside a sentence are never flagged.

    ## Why
    These tokens are layout, not text: they break paragraphs apart, leak into
    summaries and make duplicate articles look different.

    ## Example
        Russian soldiers near the Red Square in Moscow (AFP)
        TT        <- NL201

    ## Fix safety
    As the pack entry says; every shipped entry is safe (the line carries no article
    text). Entries marked unsafe need `--unsafe-fixes`.
    """

    code = "NL201"
    name = "boilerplate-line"
    fix = "safe"

    def check(self, doc: Document, ctx: Context):
        return pack_diagnostics(self, doc, ctx, self.code)
