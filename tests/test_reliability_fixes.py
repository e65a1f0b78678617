"""The fixer and `--diff` on real text (issue 7): regressions for bugs found by the
property tests, `patch` equivalence on fixed examples, and known bugs outside the
write path; each test names the bug it guards against (all fixed).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from newsdocs import (SAMPLE, bbc_articles, default_linter, fix_text, join_lines, need_shared, sample_captions,
                      source_of, split_keepends, with_defects)

from newslint.engine import process_path, process_source

pytestmark = pytest.mark.skipif(not bbc_articles() or not SAMPLE.exists(), reason="../shared is missing")
needs_patch = pytest.mark.skipif(shutil.which("patch") is None, reason="patch(1) is not installed")


def patched(tmp_path, text: str) -> tuple[bytes, bytes]:
    """(bytes after `patch` applies the --diff output, bytes --fix writes)."""
    src = source_of(text)
    diff = process_source(src, default_linter(), "diff", False, "doc.txt").diff
    target = tmp_path / "doc.txt"
    target.write_bytes(src.to_bytes())
    res = subprocess.run(["patch", "--quiet", "--force", "--no-backup-if-mismatch", str(target)],
                         input=diff.encode("utf-8"), capture_output=True)
    assert res.returncode == 0, (res.stdout + res.stderr).decode()
    (fixed,) = fix_text(text)
    return target.read_bytes(), fixed.encode("utf-8")


@needs_patch
@pytest.mark.parametrize("nl", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("final", [True, False], ids=["final-newline", "no-final-newline"])
def test_patch_applied_to_diff_gives_the_fix_bytes(tmp_path, nl, final):
    lines = need_shared(SAMPLE).read_text(encoding="utf-8").split("\n")
    while lines and not lines[-1]:
        lines.pop()
    # a repeated last line, so that the fix also deletes the file's last line
    lines += ["", lines[-1]]
    text = join_lines(lines, [nl] * len(lines), final)
    got, want = patched(tmp_path, text)
    assert got == want and got != text.encode("utf-8")


def test_deleting_after_a_bare_cr_line_does_not_merge_two_line_breaks():
    """Regression (fixer.plan_line_deletions): in a mixed-endings file, deleting the line(s)
    between a CR-terminated line and an empty LF line made "\\r" + "\\n" read as one CRLF:
    a blank line vanished and the caption joined the paragraph's block. Then the empty line's
    LF was made a CR, and for every tool that splits on LF (git, wc, most editors) the caption
    and the paragraph were one line: the CR line ends in CRLF instead, the LF line kept."""
    art, caption = bbc_articles()[0], sample_captions()[0]
    for deleted in ("TT", caption):  # a page token; the caption's own copy (a sweep's case)
        text = f"{art.headline}\n\n{caption}\r{deleted}\n\n{art.paragraphs[0]}\n"
        (fixed,) = fix_text(text)
        assert fixed == f"{art.headline}\n\n{caption}\r\n\n{art.paragraphs[0]}\n"
        assert [ln.strip("\r\n") for ln in split_keepends(fixed)] == [art.headline, "", caption, "",
                                                                       art.paragraphs[0]]
        assert [ln.rstrip("\r") for ln in fixed.split("\n")] == [art.headline, "", caption, "",
                                                                  art.paragraphs[0], ""]
        assert fix_text(fixed) == [fixed]


def test_a_crash_inside_a_rule_leaves_the_file_alone_and_the_run_goes_on(tmp_path):
    linter = default_linter()
    rule = next(r for r in linter.rules if r.code == "NL102")
    good, bad = tmp_path / "a.txt", tmp_path / "b.txt"
    text = "\n".join(with_defects(bbc_articles()[0], sample_captions()[0])) + "\n"
    good.write_text(text, encoding="utf-8")
    bad.write_text(text.replace("TT", "TT\n\nBOOM"), encoding="utf-8")
    before = bad.read_bytes()
    real = type(rule).check

    def check(self, doc, ctx):
        if any(ln.text == "BOOM" for ln in doc.lines):
            raise IndexError("list index out of range")
        return real(self, doc, ctx)

    type(rule).check = check
    try:
        results = [process_path(str(p), linter, "fix", False) for p in (bad, good)]
    finally:
        type(rule).check = real
    assert results[0].error and results[0].diagnostics[0].code == "NL500"
    assert "internal error: IndexError: list index out of range" in results[0].diagnostics[0].message
    assert bad.read_bytes() == before
    assert good.read_text(encoding="utf-8") == fix_text(text)[0]


# -- known bugs elsewhere ----------------------------------------------------------------

@needs_patch
def test_patch_applies_diff_of_a_cr_file(tmp_path):
    lines = with_defects(bbc_articles()[3], sample_captions()[0])
    got, want = patched(tmp_path, join_lines(lines, ["\r"] * len(lines), True))
    assert got == want


@needs_patch
@pytest.mark.parametrize("sep", ["\u2028", "\x0c", "\x85"], ids=["U+2028", "form-feed", "NEL"])
def test_patch_applies_diff_when_a_line_holds_a_unicode_line_separator(tmp_path, sep):
    art = bbc_articles()[5]
    lines = with_defects(art, sample_captions()[0])
    i = lines.index(art.paragraphs[0])
    lines[i] = lines[i].replace(" ", sep, 1)
    got, want = patched(tmp_path, "\n".join(lines) + "\n")
    assert got == want


def test_unsafe_fix_with_split_is_idempotent():
    arts, caps = bbc_articles(), sample_captions()
    first = next(a for a in arts if a.headline.startswith("Watchdog probes"))
    second = next(a for a in arts if a.headline.startswith("Levy tipped"))
    lines = with_defects(first, caps[0]) + ["", "", "", second.headline, "", "", "", caps[1], caps[1],
                                            second.headline, ""]
    lines += [x for p in second.paragraphs[:4] for x in (p, "")]
    parts = fix_text("\n".join(lines) + "\n", unsafe=True)
    assert len(parts) == 2
    assert [fix_text(p, unsafe=True) for p in parts] == [[p] for p in parts]


def test_split_keeps_a_comment_line_between_articles(tmp_path):
    lines = need_shared(SAMPLE).read_text(encoding="utf-8").split("\n")
    second = next(i for i, ln in enumerate(lines) if ln.startswith("Baghdad Urges"))
    lines.insert(second - 1, "<!-- editor: second story starts below -->")
    parts = fix_text("\n".join(lines), unsafe=True)
    assert len(parts) == 2
    assert sum(p.count("<!-- editor: second story starts below -->") for p in parts) == 1


def test_unsafe_fixes_in_one_pass_never_delete_both_versions():
    arts = bbc_articles()
    labour = next(a for a in arts if a.paragraphs[0].startswith("The Labour Party will hold"))
    first = labour.paragraphs[0]
    later = first.replace("it has been confirmed", "it was confirmed")  # a corrected re-paste (NL104)
    lines = ["Facebook Twitter WhatsApp Email", arts[8].headline, "", first, "Continue reading the main story",
             "Continue reading the main story", "", "Share this article", "", "TT", "",
             "Facebook Twitter WhatsApp Email", "", later, "", arts[0].headline, ""]
    parts = fix_text("\n".join(lines), unsafe=True)
    kept = "".join(parts)
    assert first in kept or later in kept


def test_a_form_feed_between_blocks_is_kept_when_a_line_next_to_it_goes():
    """A form feed (page break) is whitespace to str.strip, so the separator chosen for
    deletion beside a removed 'TT' took it with the blank lines (found by a review)."""
    art = bbc_articles()[0]
    text = "\n".join([art.headline, "", art.paragraphs[0], "\f", "TT", "", "", art.paragraphs[1]]) + "\n"
    (fixed,) = fix_text(text)
    assert fixed == "\n".join([art.headline, "", art.paragraphs[0], "\f", "", "", art.paragraphs[1]]) + "\n"
    # other whitespace-only lines (no-break spaces) are separators, dropped as empty ones
    nbsp = text.replace("\f", "\u00a0").replace("\n\n\n", "\n\u00a0\n\n")
    (fixed,) = fix_text(nbsp)
    assert "TT" not in fixed.split("\n") and fixed.count("\u00a0") < nbsp.count("\u00a0")


def test_fixing_a_hard_linked_file_says_the_other_links_keep_the_old_text(tmp_path):
    """An atomic write renames a new file into place, so a hard link's other names keep the
    old text: said on stderr rather than silently (found by a fix-safety review)."""
    from conftest import run_newslint

    first = tmp_path / "story.txt"
    first.write_bytes(need_shared(SAMPLE).read_bytes())
    first.chmod(0o644)
    other = tmp_path / "mirror.txt"
    os.link(first, other)
    res = run_newslint("check", "--no-cache", "--fix", "story.txt", cwd=tmp_path)
    assert b"story.txt: had 2 hard links; the fix wrote a new file, the other links keep the old text" in res.stderr
    assert first.read_bytes() != other.read_bytes() == need_shared(SAMPLE).read_bytes()


@needs_patch
def test_patch_applies_diff_of_a_file_with_a_utf8_bom(tmp_path, monkeypatch):
    """Bug (engine.process_source): --diff showed the text without the file's UTF-8 BOM, which
    --fix keeps. On the sample saved with a BOM the first hunk holds line 1 as context, and
    `patch --fuzz=0` rejected it (line 1 on disk starts with the BOM); with --unsafe-fixes the split-off
    article was shown without the BOM --fix writes into it."""
    text = need_shared(SAMPLE).read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    src = source_of(text, "doc.txt", bom=True)
    for unsafe in (False, True):
        res = process_source(src, default_linter(), "diff", unsafe, "doc.txt")
        target = tmp_path / "doc.txt"
        target.write_bytes(src.to_bytes())
        (tmp_path / "doc-2.txt").unlink(missing_ok=True)
        run = subprocess.run(["patch", "--quiet", "--force", "--fuzz=0", "--no-backup-if-mismatch", "-p0"], cwd=tmp_path,
                             input=res.diff.encode("utf-8"), capture_output=True)
        assert run.returncode == 0, (run.stdout + run.stderr).decode()
        parts, _, _ = default_linter().fix(src, unsafe)
        assert len(parts) == (2 if unsafe else 1)
        names = ["doc.txt", "doc-2.txt"][:len(parts)]
        assert [(tmp_path / n).read_bytes() for n in names] == [p.to_bytes() for p in parts]
        assert all(p.to_bytes().startswith(b"\xef\xbb\xbf") for p in parts)


# A review found lines of more than three words that `\w+` counts as one or two, deleted by
# a safe fix though their words were in the file nowhere else: a shipped pattern (the
# copyright footer, the image-copyright credit) takes free text after its prefix.
LONG_LINES_COUNTED_SHORT = [
    "© 2019 노인이버스정류장에서기다렸다",  # Korean written without its spaces
    "Image copyright 노인이버스정류장에서버스를기다리고있다",
    "Image source ｱﾙﾊﾞｲﾄｦｻｶﾞｼﾃｲﾙﾋﾄﾊｺﾁﾗﾆﾚﾝﾗｸｼﾃｸﾀﾞｻｲ",  # half-width katakana
    "Photo copyright the_mayor_resigned_after_the_vote_on_tuesday",  # words joined by underscores
    "© 2019 \U00020000\U00020001\U00020002\U00020003\U00020004\U00020005\U00020006\U00020007",  # CJK extension B
]


@pytest.mark.parametrize("line", LONG_LINES_COUNTED_SHORT, ids=["hangul", "hangul-credit", "halfwidth-kana",
                                                                "underscores", "cjk-ext-b"])
def test_a_safe_fix_never_deletes_a_long_line_that_counts_as_few_words(line):
    lines = need_shared(SAMPLE).read_text(encoding="utf-8").split("\n")
    text = "\n".join(lines[:12] + [line, ""] + lines[12:])
    (fixed,) = fix_text(text)
    assert line in fixed.split("\n")  # flagged, but its deletion waits for --unsafe-fixes
    assert "\nTT\n" not in fixed  # the sample's stray token is still deleted safely
    findings = process_source(source_of(text), default_linter(), "check", False, "doc.txt").diagnostics
    (finding,) = [d for d in findings if d.row == 13]
    assert finding.code in ("NL201", "NL204") and finding.fix.applicability.value == "unsafe"


def test_a_paragraph_both_merged_articles_hold_stays_in_each_when_the_file_is_split():
    """A review put a paragraph of the sample's first article into its second (the wires'
    background paragraph does this): NL103 took the second's copy for a repeat, its safe fix
    deleted it, and the split wrote the second article without it. Each article keeps its
    own copy now, and repeats inside one article are still fixed."""
    lines = need_shared(SAMPLE).read_text(encoding="utf-8").split("\n")
    shared_paragraph = lines[11]
    assert shared_paragraph.startswith("The Kremlin confirmed on Monday")
    text = "\n".join(lines[:48] + [shared_paragraph, ""] + lines[48:])
    findings = process_source(source_of(text), default_linter(), "check", False, "doc.txt").diagnostics
    assert not [d for d in findings if d.code == "NL103"]
    assert [d.row for d in findings if d.code == "NL101"] == [7, 42]  # each article's own headline copy
    first, second = fix_text(text, unsafe=True)
    assert shared_paragraph in first.split("\n") and shared_paragraph in second.split("\n")
    (safe,) = fix_text(text)
    assert safe.split("\n").count(shared_paragraph) == 2 and "\nTT\n" not in safe


def test_a_near_copy_in_the_other_merged_article_is_kept_by_the_split():
    """As for NL103 above: NL104 compared the paragraphs of both merged articles, so with
    --unsafe-fixes the second article's version of a paragraph went before the split wrote
    it. Each article is compared within itself; a near-copy inside one is still found."""
    lines = need_shared(SAMPLE).read_text(encoding="utf-8").split("\n")
    paragraph = lines[11]
    version = paragraph.replace("The Kremlin confirmed on Monday", "The Kremlin said on Monday")
    assert version != paragraph
    text = "\n".join(lines[:48] + [version, ""] + lines[48:])
    findings = process_source(source_of(text), default_linter(), "check", False, "doc.txt").diagnostics
    assert not [d for d in findings if d.code == "NL104"]
    first, second = fix_text(text, unsafe=True)
    assert paragraph in first.split("\n") and version in second.split("\n")
    inside = "\n".join(lines[:14] + ["", version] + lines[14:])  # the version inside the first article
    findings = process_source(source_of(inside), default_linter(), "check", False, "doc.txt").diagnostics
    assert [(d.code, d.row) for d in findings if d.code == "NL104"] == [("NL104", 16)]


BBC_ARTICLES = SAMPLE.parent.parent / "corpora" / "bbc" / "articles"


def _post(rel: str, front: str) -> str:
    return front + "\n" + need_shared(BBC_ARTICLES / rel).read_text(encoding="utf-8").rstrip("\n") + "\n"


def test_two_markdown_posts_in_one_file_are_split_at_the_second_front_matter():
    """`cat a.md b.md > c.md`: the second post's front matter stood between the two articles
    and NL301 found nothing (0 of 100 such files in a review: the text above the second
    headline did not end in prose). A post's front matter below other text is a second post;
    each part keeps its own front matter, not a copy of the first's."""
    first = _post("politics/001.txt", '---\ntitle: "Labour plans maternity pay rise"\ndate: 2005-02-01\nslug: a0\n---\n')
    second_front = '---\ntitle: "Watchdog probes e-mail deletions"\ndate: 2005-03-01\n---\n'
    second = _post("politics/002.txt", second_front)
    text = first + "\n" + second
    findings = process_source(source_of(text), default_linter(), "check", False, "two.md").diagnostics
    (d,) = [d for d in findings if d.code == "NL301"]
    assert d.row == len(first.split("\n")) + 1  # the second post's opening fence
    part1, part2 = fix_text(text, unsafe=True)
    assert part1.startswith(first.split("\n\n")[0]) and part1.count("\n---\n") == 1  # its own front matter only
    assert part2.startswith(second_front) and part2.count("---\n") == 2
    assert "Watchdog probes e-mail deletions" in part2.split("---\n", 2)[2]  # the headline below it
    # a thematic break (a lone ---) between paragraphs is no front matter: one article
    body = need_shared(BBC_ARTICLES / "politics/001.txt").read_text(encoding="utf-8").split("\n\n")
    ruled = "\n\n".join(body[:3] + ["---"] + body[3:])
    assert not [d for d in process_source(source_of(ruled), default_linter(), "check", False, "r.md").diagnostics
                if d.code == "NL301"]
