"""NL401-NL403 and NL202: findings that need the whole corpus, not one file.

These rules do not look at one document alone: `newslint.corpus.check_corpus` runs the
corpus pass (index, LSH candidates, exact verification) and hands each queried file's
`FileFindings` to `corpus_check`. Their `check(doc, ctx)` yields nothing, so the file-scope
linter may hold them without effect.
"""

from __future__ import annotations

import os

from newslint.diagnostics import Diagnostic, Related
from newslint.registry import Context, Rule, delete_lines_fix, register

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on every start
if TYPE_CHECKING:
    from typing import Iterable

_MAX_NAMED = 3


def _names(others: list[tuple[str, float]], fmt) -> str:
    shown = ", ".join(fmt(name, sim) for name, sim in others[:_MAX_NAMED])
    more = len(others) - _MAX_NAMED
    return shown + (f" and {more} more" if more > 0 else "")


def _seen_from(path: str, partner: str, cwd: str | None) -> str:
    """A partner's name as seen from the flagged file's folder, for the finding's identity
    (baselines, CI fingerprints): the same however the run was given its paths ('.', bare
    names from a hook, absolute, from a subfolder) and in any checkout of the repository.
    `cwd`: the folder the names are relative to (the client's, on a Dask worker)."""
    if "://" in path or "://" in partner:  # URLs (the Dask engine's corpora): as named
        return partner
    cwd = cwd or os.getcwd()
    rel = os.path.relpath(os.path.join(cwd, partner), os.path.dirname(os.path.join(cwd, path)))
    return rel.replace(os.sep, "/")


class CorpusRule(Rule):
    scope = "corpus"
    fix = "none"

    def check(self, doc, ctx: Context) -> Iterable[Diagnostic]:
        return ()

    def corpus_check(self, ff, options) -> list[Diagnostic]:
        raise NotImplementedError

    def _whole_file(self, ff, options, message: str, related: list[Related]) -> Diagnostic:
        """A finding about the whole article, placed on its headline (first non-blank line)."""
        fingerprint = f"{self.code} " + " ".join(sorted(_seen_from(ff.path, r.filename, options.cwd)
                                                        for r in related))
        return Diagnostic(
            self.code, message, ff.path, ff.head_row, 1, ff.head_row, ff.head_len + 1,
            related=tuple(related), fingerprint_text=fingerprint,
        )


@register
class DuplicateArticle(CorpusRule):
    """An article that another file of the corpus holds word for word.

    ## What it flags
    A file whose text equals another file's after normalisation (Unicode NFKC, case,
    quotes, dashes, whitespace folded). The finding sits on the headline and `related`
    names every other file with the same text (similarity 1.0). The corpus is the whole
    repository (`git ls-files` filtered by `include` / `exclude`) when inside git, so a file
    passed alone, as pre-commit does, is compared with everything already committed.

    ## Why
    The same story filed twice (under two names, in two folders, re-saved by a second
    scraper run) is counted twice by every statistic and every model trained on the repo.

    ## Example
        business/007.txt   Jobs growth still slow in the US   <- NL401 (same text as business/253.txt)
        business/253.txt   Jobs growth still slow in the US   <- NL401 (same text as business/007.txt)

    ## Fix safety
    No fix: which copy to keep is an editorial choice. Both files are reported.
    """

    code = "NL401"
    name = "duplicate-article"

    def corpus_check(self, ff, options) -> list[Diagnostic]:
        if not ff.duplicates:
            return []
        related = [Related(name, 1, 1, 1.0, "identical after normalisation") for name, _ in ff.duplicates]
        msg = "Duplicate article: identical after normalisation to " + _names(ff.duplicates, lambda n, s: n)
        return [self._whole_file(ff, options, msg, related)]


@register
class NearDuplicateArticle(CorpusRule):
    """An article that is almost the same text as another file of the corpus.

    ## What it flags
    A file whose word 5-gram shingle set (lower-cased `\\w+` tokens; 5-character shingles
    for text written without spaces, such as Chinese or Japanese) has a Jaccard similarity
    of at least `threshold` (default 0.8) with another file's, and is not an exact
    duplicate (NL401). `related` lists every file meeting the threshold with its Jaccard.
    Candidates come from MinHash (128 permutations, datasketch-compatible) with LSH bands of
    two rows; every reported pair is confirmed by an exact computation on the shingle sets,
    so nothing below the threshold is ever reported.

    ## Why
    Re-filed wire copy with a corrected headline or a few edited sentences, or the same
    body under a rewritten headline ("Wales win in Rome" / "Italy 8-38 Wales"), is the
    same story twice. A headline comparison misses these and flags different stories that
    happen to share a headline; the body comparison does neither.

    ## Example
        sport/312.txt   Wales win in Rome       <- NL402 (Jaccard 0.99 with sport/416.txt)
        sport/416.txt   Italy 8-38 Wales        <- NL402 (Jaccard 0.99 with sport/312.txt)

    ## Fix safety
    No fix: deciding which version is the better one needs an editor.
    """

    code = "NL402"
    name = "near-duplicate-article"

    def corpus_check(self, ff, options) -> list[Diagnostic]:
        if not ff.near:
            return []
        related = [Related(name, 1, 1, round(sim, 4), f"Jaccard {sim:.2f}") for name, sim in ff.near]
        unit = "character" if ff.mode == "char" else "word"  # text without spaces is cut into characters
        msg = (f"Near-duplicate article: {unit} {options.shingle_size}-gram Jaccard >= {options.threshold:g} with "
               + _names(ff.near, lambda n, s: f"{n} ({s:.2f})"))
        return [self._whole_file(ff, options, msg, related)]


@register
class ContainedArticle(CorpusRule):
    """An article whose text is (almost) all inside a larger file of the corpus.

    ## What it flags
    A pair of files where at least `containment` (default 0.9) of the smaller file's word
    5-gram shingles occur in the larger one, while their Jaccard stays below the NL402
    threshold: an article pasted into a longer file (a digest, a merged scrape, a live
    blog). Both files are reported: the smaller ("contained in") and the larger
    ("contains"). Files shorter than 20 shingles (about 24 words) are not considered
    contained: short lines recur everywhere. Candidates come from the same MinHash LSH as
    NL402, whose two-row bands find a file inside one up to about four times its size;
    every pair is confirmed exactly.

    ## Why
    The contained copy duplicates the story just as a near-duplicate does, but its Jaccard
    is low (roughly the size ratio), so NL402 cannot see it.

    ## Example
        politics/101.txt        <- NL403 (97% of this article is in digests/week-12.txt)
        digests/week-12.txt     <- NL403 (contains 97% of politics/101.txt)

    ## Fix safety
    No fix: the larger file may need the text, or may be the one to delete.
    """

    code = "NL403"
    name = "contained-article"

    def corpus_check(self, ff, options) -> list[Diagnostic]:
        out = []
        if ff.contained_in:
            related = [Related(n, 1, 1, round(s, 4), f"{s:.0%} of this article is in it") for n, s in ff.contained_in]
            msg = "Contained article: " + _names(ff.contained_in, lambda n, s: f"{s:.0%} of this article is in {n}")
            out.append(self._whole_file(ff, options, msg, related))
        if ff.contains:
            related = [Related(n, 1, 1, round(s, 4), f"{s:.0%} of it is in this file") for n, s in ff.contains]
            msg = "Contains another article: " + _names(ff.contains, lambda n, s: f"{s:.0%} of {n}")
            out.append(self._whole_file(ff, options, msg, related))
        return out


@register
class CorpusBoilerplate(CorpusRule):
    """A line that recurs across many files of the corpus: a sign-off, footer or banner.

    ## What it flags
    A non-blank line whose normal form (case, quotes, dashes, whitespace folded) appears in
    at least `max(min-files, ceil(min-fraction * N))` distinct files of an N-file corpus
    (`[corpus-boilerplate]` keys `min-files` and `min-fraction`, defaults 5 and 0.001: 5
    files up to 5,000, then one file in a thousand), counting files with the same
    normalised text once. Every occurrence in a checked file is flagged.

    ## Why
    Wire sign-offs, author bios and site footers are not part of the story; they inflate
    duplicate statistics and teach models to produce them. Pack rules (NL201) list the
    boilerplate someone has seen before; this rule finds the corpus's own.

    ## Example
        Bill Thompson is a regular commentator on the BBC World Service programme Go Digital.
                                       <- NL202 (in 7 of the BBC articles)

    ## Fix safety
    Unsafe: the line is deleted. A line can recur because many articles quote it, so a
    person should look before the fix is applied (`--unsafe-fixes`).
    """

    code = "NL202"
    name = "corpus-boilerplate"
    fix = "unsafe"

    def check(self, doc, ctx: Context) -> Iterable[Diagnostic]:
        """The fixer's path: with `ctx.settings["corpus-boilerplate"]` set from
        `CorpusResult.boilerplate` ({"lines": {hash: files}, "threshold": T, "corpus_size": N}),
        this rule runs like a file rule, so its fix is re-linted with the others."""
        data = ctx.settings.get(self.name) if ctx is not None else None
        if not data or not data.get("lines"):
            return []
        return boilerplate_diagnostics(self, doc, data["lines"], data.get("threshold", 0),
                                       data.get("corpus_size", 0))

    def corpus_check(self, ff, options) -> list[Diagnostic]:
        if not ff.boilerplate:
            return []
        from newslint.document import Document
        from newslint.source import SourceError

        try:
            doc = Document(read_corpus_source(ff.abspath, options.encoding))
        except SourceError:
            return []
        from newslint.engine import with_edit_positions

        out = boilerplate_diagnostics(self, doc, ff.boilerplate, ff.boilerplate_threshold, ff.corpus_size)
        # rows and columns for the reports' edits, as the in-file linter gives its own (and
        # this rule's, when it runs as a file rule: check() above)
        return [_renamed(with_edit_positions(doc, d), ff.path) for d in out]


def read_corpus_source(path: str, encoding: str):
    """The Source of a corpus file to place NL202's findings in: a local file, or a URL read
    through fsspec (the Dask engine's URL corpora)."""
    from newslint.remote import is_url
    from newslint.source import read_source

    if not is_url(path):
        return read_source(path, encoding)
    from newslint.remote import read_url
    from newslint.source import DEFAULT_MAX_BYTES, decode

    return decode(read_url(path, DEFAULT_MAX_BYTES), path, encoding)


def boilerplate_diagnostics(rule: Rule, doc, counts: dict, threshold: int, corpus_size: int) -> list[Diagnostic]:
    """NL202 for every line of `doc` whose normal form's fingerprint is in `counts`."""
    from newslint.corpus.textfacts import fast_normalize, line_hash
    from newslint.registry import line_diagnostic

    out = []
    for ln in doc.lines:
        if ln.blank:
            continue
        n = counts.get(line_hash(fast_normalize(ln.text)))
        if n is None:
            continue
        fix = delete_lines_fix(doc, [ln.index], safe=False, message="Remove corpus boilerplate line")
        out.append(line_diagnostic(doc, rule, boilerplate_message(n, corpus_size, threshold), ln.index, fix=fix))
    return out


def boilerplate_message(count: int, corpus_size: int, threshold: int) -> str:
    return f"Corpus boilerplate: this line is in {count} of {corpus_size} files (threshold {threshold})"


def boilerplate_line(d: Diagnostic) -> int:
    """The fingerprint of the line an NL202 finding is about (its fingerprint text is the
    line's normal form, whose fast normal form is itself)."""
    from newslint.corpus.textfacts import fast_normalize, line_hash

    return line_hash(fast_normalize(d.fingerprint_text))


def _renamed(d: Diagnostic, name: str) -> Diagnostic:
    return d.replace(filename=name)


def corpus_rules() -> list[CorpusRule]:
    from newslint.registry import REGISTRY

    return [r for r in REGISTRY.values() if isinstance(r, CorpusRule)]
