"""Recall of the in-file rules on defects planted in real text, in the shapes scrapers and
copy-paste leave them (bench/recall_eval.py measures each shape over many articles).

Articles are BBC files read from ../shared; captions and headlines come from the real
sample (../shared/samples/aawsat_two_articles.txt) and the scrapinghub pages.
"""

from __future__ import annotations

from conftest import BBC, SAMPLE, SCRAPED, need
from newslint.document import Document
from newslint.engine import Linter
from newslint.packs import load_builtin_packs
from newslint.registry import Context, all_rules


def lint_all(text: str):
    """Every default in-file rule, as `newslint check` runs them."""
    rules = [r for r in all_rules().values() if getattr(r, "default", True) and r.code[:3] in ("NL1", "NL2", "NL3")]
    linter = Linter(rules, Context(settings={}, packs=load_builtin_packs()))
    return linter.lint(Document.from_text(text, "case.txt"))


def bbc(rel: str) -> tuple[str, list[str]]:
    """A BBC article's headline and its paragraphs."""
    lines = need(BBC / rel).read_text(encoding="utf-8").split("\n")
    return lines[0], [ln for ln in lines[1:] if ln.strip()]


def sample_caption() -> str:
    return need(SAMPLE).read_text(encoding="utf-8").split("\n")[2]  # "Russian soldiers ... (AFP)"


def test_a_caption_printed_twice_in_the_body_is_a_caption_not_a_second_article():
    """A photo caption with its credit printed twice between two paragraphs (a responsive
    image saved at two sizes) was taken for the headline of a second article (NL301), its
    copy for that article's headline printed twice (NL101)."""
    head, paras = bbc("sport/081.txt")
    text = "\n\n".join([head, *paras[:2], f"{sample_caption()}\n{sample_caption()}", *paras[2:]]) + "\n"
    found = [(d.code, d.row) for d in lint_all(text)]
    assert found == [("NL102", 8)]


def raw_line(page: str, startswith: str) -> str:
    text = need(SCRAPED / "raw" / f"{page}.txt").read_text(encoding="utf-8")
    return next(ln.strip() for ln in text.split("\n") if ln.startswith(startswith))


def test_a_caption_ending_in_photograph_by_is_a_caption_with_a_credit():
    """Guardian- and Fortune-style captions end in 'Photograph by Name/AFP/Getty Images' or
    '... Photo: Getty Images': the credit was recognised only at the start of a line, so
    such a caption printed twice in the body was no caption to NL102 (no credit, not in the
    header zone) and was taken for another article's headline (NL301)."""
    caption = raw_line("f8ff621a0b9b7646cc0d57d37416feabba2bf78ef5dd0bfc5b080f9f97bbe584", "Home Depot stock fell")
    assert caption.endswith("Photograph by Robyn Beck/AFP/Getty Images")
    head, paras = bbc("business/433.txt")
    text = "\n\n".join([head, *paras[:2], f"{caption}\n{caption}", *paras[2:]]) + "\n"
    found = [(d.code, d.row) for d in lint_all(text)]
    assert found == [("NL102", 8)]


def _fixed(text: str, diags, unsafe: bool = False) -> str:
    from newslint.diagnostics import Applicability
    from newslint.fixer import apply_edits, merge_fixes

    fixes = [d.fix for d in diags if d.fix and (unsafe or d.fix.applicability == Applicability.SAFE)]
    return apply_edits(text, merge_fixes(Document.from_text(text), fixes))


def test_a_headline_copy_with_a_final_full_stop_is_a_repeated_headline():
    """'IAAF will contest Greek decision' printed again as 'IAAF will contest Greek
    decision.' was not reported: the repeat rules group lines by their normal form, which
    keeps the stop. Deleting the copy loses only the stop: a safe fix."""
    original = need(BBC / "sport/081.txt").read_text(encoding="utf-8")
    head, paras = bbc("sport/081.txt")
    text = "\n\n".join([head, head + ".", *paras]) + "\n"
    diags = [d for d in lint_all(text) if d.code == "NL101"]
    assert [(d.row, d.message) for d in diags] == [(3, "Headline repeated with a full stop (the headline is at line 1)")]
    assert _fixed(text, diags) == original


def test_a_headline_copy_with_a_site_name_is_a_repeated_headline():
    """A scraper that keeps the page title ('... | BBC News') beside the article's title:
    the copy was not reported. Its site name has no other copy, so the fix is unsafe."""
    original = need(BBC / "politics/197.txt").read_text(encoding="utf-8")
    head, paras = bbc("politics/197.txt")
    text = "\n\n".join([head, f"{head} | BBC News", *paras]) + "\n"
    diags = [d for d in lint_all(text) if d.code == "NL101"]
    assert [(d.row, d.message) for d in diags] == [(3, "Headline repeated with a site name (the headline is at line 1)")]
    assert _fixed(text, diags) == text  # nothing safe to do
    assert _fixed(text, diags, unsafe=True) == original


def test_a_page_title_with_a_site_name_above_the_headline_is_the_copy_reported():
    """A saved TechCrunch page: 'New York State Attorney General reportedly investigating
    WeWork – TechCrunch' on line 1, the headline alone on line 3. The plain headline is kept
    and the page title, with its site name, is the copy reported."""
    page = need(SCRAPED / "raw" / "1ace8c85aaee21b9d4505eca506d50c4721c29db62848b567a9703bfe0583892.txt")
    diags = [d for d in lint_all(page.read_text(encoding="utf-8")) if d.code == "NL101"]
    assert [(d.row, d.message) for d in diags] == [(1, "Headline repeated with a site name (the headline is at line 3)")]



def uncredited_caption() -> str:
    """The sample's second caption without its credit: 'Sudani visiting a market in Baghdad
    on Thursday'."""
    line = need(SAMPLE).read_text(encoding="utf-8").split("\n")[37]
    assert line.endswith(" (Government media)")
    return line[: -len(" (Government media)")]


def test_a_caption_printed_on_two_lines_in_a_row_is_no_second_article():
    """A caption without a credit printed on two lines in a row between paragraphs was taken
    for a second article's headline, its copy for that headline printed again (NL301's
    'repeat' evidence, weight 4). A page template prints a title again after a blank line;
    copies in one block are an image's caption saved at two sizes."""
    head, paras = bbc("business/433.txt")
    cap = uncredited_caption()
    for copies in (2, 4):
        text = "\n\n".join([head, *paras[:2], "\n".join([cap] * copies), *paras[2:]]) + "\n"
        assert [d.row for d in lint_all(text) if d.code == "NL301"] == []


def test_a_caption_without_a_credit_printed_twice_in_a_row_in_the_body_is_a_repeated_caption():
    """A caption without a credit, printed on two lines in a row between paragraphs, was
    reported by no rule: NL102 asked a caption without a credit to stand in the header zone,
    NL103 to read as a sentence. Copies with nothing between them but blank lines or credit
    lines are an image saved at two sizes, not a line a list prints again."""
    head, paras = bbc("business/433.txt")
    cap = uncredited_caption()
    text = "\n\n".join([head, *paras[:2], f"{cap}\n{cap}", *paras[2:]]) + "\n"
    assert [(d.code, d.row) for d in lint_all(text) if d.code.startswith("NL1")] == [("NL102", 8)]


def test_a_caption_with_its_credit_on_the_line_below_is_a_caption_with_a_credit():
    """BBC's saved pages print 'Image copyright EPA' over 'Image caption ...'; others print
    the caption, then 'Photo: Getty Images'. The caption's copies were taken for a
    headline printed twice (NL101) or were not reported (in the body, without a credit of
    their own); a short credit line right above or below a caption is its credit."""
    head, paras = bbc("politics/197.txt")
    cap = uncredited_caption()
    pair = f"Image copyright EPA\nImage caption {cap}"
    text = "\n\n".join([head, pair, pair, *paras]) + "\n"
    assert [(d.code, d.row) for d in lint_all(text) if d.code in ("NL101", "NL102")] == [("NL102", 7)]
    text = "\n\n".join([head, *paras[:2], f"{cap}\nPhoto: Getty Images\n\n{cap}\nPhoto: Getty Images", *paras[2:]]) + "\n"
    found = [d for d in lint_all(text) if d.code in ("NL101", "NL102")]
    assert [(d.code, d.row) for d in found] == [("NL102", 10)]
    assert found[0].message.startswith("Caption repeated (")  # its credit is known: a caption, not "caption-like"


def test_a_caption_block_with_credit_lines_does_not_make_an_article_hard_wrapped():
    """A caption and its credit line printed twice in one block below the headline (caption,
    'Photo: Getty Images', caption, 'Photo: Getty Images'): the only block of three lines or
    more, its two long caption lines fill the width and run on, so the whole article was
    read as hard-wrapped wire copy, the block joined into one paragraph and the copy not
    reported. A line printed again within three lines is no evidence of wrapping."""
    head, paras = bbc("politics/197.txt")
    cap = raw_line("70cb2d5bca75ab5a8f6bb378a38a52f882f6bda508de93b12502e74936d86ff2", "Image caption Taylor")
    cap = cap[len("Image caption "):]
    block = f"{cap}\nPhoto: Getty Images\n{cap}\nPhoto: Getty Images"
    text = "\n\n".join([head, block, *paras]) + "\n"
    assert not Document.from_text(text).hard_wrapped
    assert [(d.code, d.row) for d in lint_all(text) if d.code.startswith("NL1")] == [("NL102", 5)]


def test_a_caption_printed_again_without_its_credit_is_a_repeated_caption():
    """Responsive pages print a caption once per image size, and some sizes leave the credit
    out: 'Russian soldiers near the Red Square in Moscow (AFP)' over 'Russian soldiers near
    the Red Square in Moscow' was reported by no rule (two normal forms, so no repeat group).
    The copy without the credit is reported; its words are all in the kept caption, so its
    deletion is safe."""
    head, paras = bbc("sport/081.txt")
    cap = sample_caption()
    bare = cap[: -len(" (AFP)")]
    text = "\n\n".join([head, f"{cap}\n{bare}", *paras]) + "\n"
    diags = [d for d in lint_all(text) if d.code.startswith("NL1")]
    assert [(d.code, d.row, d.message) for d in diags] == [
        ("NL102", 4, "Caption repeated without its credit (the caption with its credit is at line 3)")]
    assert _fixed(text, diags) == "\n\n".join([head, cap, *paras]) + "\n"


def test_a_share_bar_line_between_paragraphs_opens_no_second_article():
    """BBC tech/395 with the saved BBC page's 'Share this with Facebook' line between its
    second and third paragraphs: NL201 reports the line, and NL301 took it for the headline
    of a second article (the two paragraphs above it share few words with the rest). A line
    a pack rule flags as debris opens no article."""
    token = raw_line("70cb2d5bca75ab5a8f6bb378a38a52f882f6bda508de93b12502e74936d86ff2", "Share this with Facebook")
    head, paras = bbc("tech/395.txt")
    text = "\n\n".join([head, *paras[:2], token, *paras[2:]]) + "\n"
    assert [(d.code, d.row) for d in lint_all(text)] == [("NL201", 7)]


class _CountingList(list):
    walks = 0

    def __iter__(self):
        type(self).walks += 1
        return super().__iter__()


def test_captions_printed_again_with_other_credits_are_compared_in_one_walk_of_the_paragraphs():
    """NL102 asks, for each copy of a caption printed with another credit, whether body text
    stands between it and the caption kept: it walked all the paragraphs for each copy, so a
    page of 20,000 such lines did not finish in ten minutes (2.2 s with one walk). Count the
    walks over the paragraphs on 400 copies of the sample's caption with other credits."""
    cap = sample_caption()[: -len(" (AFP)")]
    head, paras = bbc("business/001.txt")
    lines = [head, paras[0], *(f"{cap} (Photo {i})" if i % 2 else cap for i in range(400)), paras[1]]
    doc = Document.from_text("\n\n".join(lines) + "\n", "case.txt")
    doc.__dict__["paragraphs"] = _CountingList(doc.paragraphs)
    rule = all_rules()["NL102"]
    found = list(Linter([rule], Context(settings={}, packs=load_builtin_packs())).lint(doc))
    assert len(found) >= 199  # (the uncredited copies at least: printed 200 times)
    assert _CountingList.walks < 20, _CountingList.walks


def test_every_copy_without_the_credit_is_reported_among_copies_with_other_credits():
    """The sample's caption printed ten times, every other copy with a credit of its own
    ('... in Moscow (Photo 1)', '... in Moscow', ...): the copies without a credit form a
    repeat group no rule owns (credited lines stand between them), and the check of copies
    without their credit skipped every later copy of any repeat group, so four of the five
    were reported by no rule."""
    cap = sample_caption()[: -len(" (AFP)")]
    head, paras = bbc("business/001.txt")
    lines = [head, paras[0], *(f"{cap} (Photo {i})" if i % 2 else cap for i in range(10)), paras[1]]
    found = [(d.row, d.message.split(" (")[0]) for d in lint_all("\n\n".join(lines) + "\n") if d.code == "NL102"]
    without = [row for row, m in found if m == "Caption repeated without its credit"]
    assert without == [5, 9, 13, 17, 21]  # each copy without a credit; the one kept is at line 7
    assert [row for row, m in found if m == "Caption repeated with another credit"] == [11, 15, 19, 23]


def test_a_labelled_list_of_other_stories_after_the_article_is_page_chrome():
    """A BBC article followed by "Related Stories" (or "Most Read") and four other BBC
    headlines: NL201 reported the label, nothing the headlines (NL203 asked for saved-page
    evidence of 4 and the list gave 3: a label and a run of short lines)."""
    head, paras = bbc("business/010.txt")
    others = [bbc(f"business/0{n}.txt")[0] for n in (20, 30, 40, 50)]
    for label, gap in (("Related Stories", "\n\n"), ("Most Read", "\n")):
        text = "\n\n".join([head, *paras]) + f"\n\n{label}{gap}" + "\n".join(others) + "\n"
        rows = text.split("\n")
        nl203 = [(d.row, d.end_row) for d in lint_all(text) if d.code == "NL203"]
        assert nl203 == [(rows.index(label) + 1, len(rows) - 1)], label
    # under the label, lines the article holds (its paragraphs' openings): not other
    # stories' headlines, so nothing is reported
    own = [" ".join(p.split()[:6]).rstrip(",.") for p in paras[:4]]
    text = "\n\n".join([head, *paras]) + "\n\nRelated Stories\n\n" + "\n".join(own) + "\n"
    assert [d for d in lint_all(text) if d.code == "NL203"] == [], own


def test_a_bulleted_story_list_and_one_with_a_share_bar_under_it_are_page_chrome():
    """The same list with "- " bullets (looks_like_headline refuses a list item), and with
    BBC's "Share this page" under it (not a headline, so the list did not end the text):
    nothing reported the headlines of either."""
    head, paras = bbc("business/010.txt")
    others = [bbc(f"business/0{n}.txt")[0] for n in (20, 30, 40, 50)]
    for items, after in ((["- " + o for o in others], ""), (others, "\nShare this page\n")):
        text = "\n\n".join([head, *paras]) + "\n\nRelated Stories\n\n" + "\n".join(items) + "\n" + after
        rows = text.rstrip("\n").split("\n")
        nl203 = [(d.row, d.end_row) for d in lint_all(text) if d.code == "NL203"]
        assert nl203 == [(rows.index("Related Stories") + 1, len(rows))], after
    # a sentence under the list is no widget: the text goes on, nothing is reported
    text = "\n\n".join([head, *paras]) + "\n\nRelated Stories\n\n" + "\n".join(others) + "\n\n" + paras[0] + "\n"
    assert [d for d in lint_all(text) if d.code == "NL203"] == []
