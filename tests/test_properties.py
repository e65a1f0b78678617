"""Property tests for the fixer on real paragraphs with injected repeats (issue 7).

Documents are real BBC articles and the real captions of the Asharq Al-Awsat sample,
with the headline printed again, captions printed several times, pack-listed page
tokens ("TT", share bars) and duplicated paragraphs injected at random places, under
random line endings (LF, CRLF, CR, mixed), final-newline state, blank-line runs and
whitespace/case variants of the copies. Properties:

- a safe fix never removes a line that has no other remaining copy (compared after
  normalisation), unless a shipped pack lists it as safe whole-line boilerplate;
- every line left is an original line with its own terminator, and the final-newline
  state is kept;
- fixing twice equals fixing once (safe, and with unsafe fixes on every part);
- `patch` applied to the `--diff` output gives the bytes `--fix` writes.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from newsdocs import (BOILERPLATE, bbc_articles, default_linter, fix_text, join_lines,  # noqa: E402
                      safe_pack_lines, sample_captions, source_of, split_keepends)

from newslint.document import Document  # noqa: E402
from newslint.engine import process_source  # noqa: E402
from newslint.normalize import normalize  # noqa: E402

ARTICLES = bbc_articles()
CAPTIONS = sample_captions()
if not ARTICLES or not CAPTIONS:
    pytest.skip("../shared (BBC corpus and the sample) is missing: property tests need real text",
                allow_module_level=True)

SETTINGS = dict(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ENDINGS = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}


def _variant(draw, line: str) -> str:
    """A copy as scrapers print it: identical, with stray spaces, or in another case."""
    kind = draw(st.sampled_from(["same", "same", "same", "spaces", "upper"]))
    if kind == "spaces":
        return "  " + line + " \t"
    if kind == "upper":
        return line.upper()
    return line


@st.composite
def scraped_lines(draw) -> list[str]:
    lines = draw(one_article())
    if draw(st.integers(0, 3)) == 0:  # two articles merged into one file, as in the sample
        lines += [""] * draw(st.integers(1, 3)) + draw(one_article())
    return lines


@st.composite
def one_article(draw) -> list[str]:
    art = draw(st.sampled_from(ARTICLES))
    caption = draw(st.sampled_from(CAPTIONS))
    body = list(art.paragraphs[: draw(st.integers(2, min(7, len(art.paragraphs))))])
    blocks: list[list[str]] = [[art.headline]]
    header = [caption] + [_variant(draw, caption) for _ in range(draw(st.integers(0, 3)))]
    if draw(st.booleans()):
        header.insert(draw(st.integers(0, len(header))), draw(st.sampled_from(BOILERPLATE)))
    blocks.append(header)
    for _ in range(draw(st.integers(0, 2))):
        blocks.append([_variant(draw, art.headline)])
    body_blocks = [[p] for p in body]
    for _ in range(draw(st.integers(0, 3))):  # duplicate paragraphs, later in the text
        i = draw(st.integers(0, len(body) - 1))
        at = draw(st.integers(i + 1, len(body_blocks)))
        body_blocks.insert(at, [_variant(draw, body[i])])
    for _ in range(draw(st.integers(0, 3))):  # page tokens between paragraphs
        body_blocks.insert(draw(st.integers(0, len(body_blocks))), [draw(st.sampled_from(BOILERPLATE))])
    blocks += body_blocks
    lines: list[str] = [""] * draw(st.integers(0, 1))
    for k, block in enumerate(blocks):
        if k:
            glued = draw(st.integers(0, 7)) == 0  # sometimes no blank line between blocks
            lines += [""] * (0 if glued else draw(st.integers(1, 3)))
        lines += block
    return lines + [""] * draw(st.integers(0, 2))


@st.composite
def scraped_texts(draw, styles=("lf", "crlf", "cr", "mixed")) -> str:
    lines = draw(scraped_lines())
    style = draw(st.sampled_from(styles))
    if style == "mixed":
        endings = [draw(st.sampled_from(["\n", "\r\n", "\r"])) for _ in lines]
    elif style == "lf-crlf":
        endings = [draw(st.sampled_from(["\n", "\r\n"])) for _ in lines]
    else:
        endings = [ENDINGS[style]] * len(lines)
    return join_lines(lines, endings, draw(st.booleans()))


def _terminated(text: str) -> bool:
    return text.endswith(("\n", "\r"))


@settings(**SETTINGS)
@given(scraped_texts())
def test_safe_fix_never_removes_a_line_without_a_remaining_copy(text):
    (fixed,) = fix_text(text)
    doc = Document.from_text(text)
    boiler = safe_pack_lines(doc)
    kept = {normalize(ln) for ln in split_keepends(fixed)}
    for ln in doc.lines:
        if ln.blank or ln.index in boiler:
            continue
        assert ln.norm in kept, f"line {ln.index + 1} lost: {ln.text[:80]!r}"


@settings(**SETTINGS)
@given(scraped_texts())
def test_fix_keeps_each_line_ending_and_the_final_newline(text):
    original = split_keepends(text)
    dominant = source_of(text).newline
    for unsafe in (False, True):
        parts = fix_text(text, unsafe)
        for n, part in enumerate(parts):
            last_part = n == len(parts) - 1
            if last_part:  # the file's (or the last split-off article's) final-newline state is kept
                assert not part or _terminated(part) == _terminated(text)
            else:  # an article split off before the end ends with one line break, the file's own
                assert part.endswith(dominant) and not part.endswith(dominant * 2 if dominant != "\r" else "\r\r")
            # every line is an original line with its own terminator, in order; only a
            # part's last line may end differently (it became the last line)
            got = split_keepends(part)
            k = 0
            for i, ln in enumerate(got):
                is_last = i == len(got) - 1
                # the one exception: a bare-CR line that a deletion brought right before an
                # empty LF line ends in CRLF instead, or the two would read as a single CRLF
                crlf_for_cr = ln.endswith("\r\n")
                while k < len(original) and original[k] != ln and not (
                        is_last and original[k].rstrip("\r\n") == ln.rstrip("\r\n")) and not (
                        crlf_for_cr and original[k] == ln[:-1]):
                    k += 1
                assert k < len(original), f"part {n}: line {ln[:60]!r} is not an original line with its ending"
                k += 1


@settings(**SETTINGS)
@given(scraped_texts())
def test_fixing_twice_equals_fixing_once(text):
    (once,) = fix_text(text)
    assert fix_text(once) == [once]
    parts = fix_text(text, unsafe=True)
    # a split's parts too: each is a fixed article, which a second run leaves as it is
    assert [fix_text(part, unsafe=True) for part in parts] == [[part] for part in parts]


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch(1) is not installed")
@settings(**{**SETTINGS, "max_examples": 40})
@given(scraped_texts(styles=("lf", "crlf", "lf-crlf")))
def test_patch_applied_to_diff_equals_fix(tmp_path_factory, text):
    assert_patch_equals_fix(tmp_path_factory.mktemp("patch"), text)


def assert_patch_equals_fix(folder, text: str, encoding: str = "utf-8"):
    """`patch` on the `--diff` output reproduces the `--fix` bytes, byte for byte."""
    src = source_of(text, encoding=encoding)
    diff = process_source(src, default_linter(), "diff", False, "doc.txt").diff
    (fixed,) = fix_text(text)
    target = folder / "doc.txt"
    target.write_bytes(src.to_bytes())
    if diff:
        res = subprocess.run(["patch", "--quiet", "--force", "--no-backup-if-mismatch", str(target)],
                             input=diff.encode(encoding), capture_output=True)
        assert res.returncode == 0, res.stdout + res.stderr
    assert target.read_bytes() == src.with_text(fixed).to_bytes()


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60)
       | st.text(alphabet=st.sampled_from(" \t`'\"-Aa0_.\x1c\x85\u0130\u0131\u017f\u212a\u00df\u2019\u2013\u200b"
                                          "\u00a0\ufb01"), max_size=30))
def test_normalize_fold_and_word_count_shortcuts_equal_the_full_ones(text):
    """normalize(), needs.fold() and the document's word counts skip work for ASCII text, or
    when no character of a translation table is present: the results must be those of NFKC,
    casefold, the tables and lowering done in full (the second alphabet holds characters the
    tables map, so the full paths run too)."""
    import unicodedata

    from newslint.document import _word_count
    from newslint.needs import FOLD, fold
    from newslint.normalize import _TRANSLATE, words

    full = " ".join(unicodedata.normalize("NFKC", text).casefold().translate(_TRANSLATE).split())
    assert normalize(text) == full
    assert fold(text) == text.translate(FOLD).lower()
    assert _word_count(text) == len(words(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \n\r\t\x0b\x85\u2028"), max_size=40))
def test_lines_of_lf_text_equal_the_line_break_walk(text):
    """Document.lines splits LF-only text with str.split: its lines and offsets must be those
    of the walk over CR LF, CR and LF breaks (the only line breaks; \\x0b, NEL and U+2028 stay
    inside a line)."""
    from newslint.document import _LINE_BREAK

    expected, pos = [], 0
    for m in _LINE_BREAK.finditer(text):
        expected.append((len(expected), pos, m.start(), m.end(), text[pos:m.start()]))
        pos = m.end()
    if pos < len(text):
        expected.append((len(expected), pos, len(text), len(text), text[pos:]))
    lines = Document.from_text(text).lines
    assert [(ln.index, ln.start, ln.end, ln.next, ln.text) for ln in lines] == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab1_ .,'-\n\u00e9\u0130\u0307\u00a0"), max_size=80), st.integers(0, 30))
def test_has_words_reads_as_far_as_the_count_it_is_asked(text, n):
    """has_words(text, n) stops at the n-th word; it must say what counting them all says."""
    from newslint.normalize import has_words, word_count

    assert has_words(text, n) == (word_count(text) >= n)
