"""Fuzzing the reader, the parser and the fixer (issue 7): random Unicode mixed into real
news lines (right-to-left text, combining marks, zero-width and bidi characters, lone
surrogates as surrogateescape makes them, odd line separators, very long lines) and
random or damaged bytes through `decode`. No crash, no hang (each example runs under
an alarm), and the invariants that make fixes lossless hold.
"""

from __future__ import annotations

import codecs
import os
import signal
from contextlib import contextmanager

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from newsdocs import (BOILERPLATE, LATIN1_FILE, bbc_articles, default_linter, fix_text, need_shared,  # noqa: E402
                      safe_pack_lines, sample_captions, split_keepends)

from newslint.document import Document  # noqa: E402
from newslint.engine import NotConverged, process_path  # noqa: E402
from newslint.normalize import normalize  # noqa: E402
from newslint.source import SourceError, decode  # noqa: E402

ARTICLES = bbc_articles()
if not ARTICLES or not sample_captions():
    pytest.skip("../shared is missing: the fuzzer mixes real news lines into its input", allow_module_level=True)

EXAMPLE_BUDGET = 30.0  # seconds per example before it counts as a hang
FUZZ = dict(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@contextmanager
def no_hang(seconds: float = EXAMPLE_BUDGET):
    def alarm(signum, frame):
        raise TimeoutError(f"hang: no result after {seconds:.0f} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# -- the alphabet of trouble ---------------------------------------------------------------

RTL = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF) | st.characters(min_codepoint=0x05D0,
                                                                                  max_codepoint=0x05EA)
COMBINING = st.characters(min_codepoint=0x0300, max_codepoint=0x036F) | st.sampled_from("\u0651\u064b\u20dd")
INVISIBLE = st.sampled_from("\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066"
                            "\u2069\u00ad\u180e")
SEPARATORS = st.sampled_from(["\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1e"])
SURROGATES = st.binary(min_size=1, max_size=4).map(lambda b: bytes(x | 0x80 for x in b).decode(
    "utf-8", "surrogateescape"))  # lone surrogates, the way undecodable bytes arrive
ODD = st.sampled_from(["\x00", "\x07", "\x1b[31m", "\ufffd", "\U0001f600", "\U0001f1fa\U0001f1f8", "ﬁ", "Ⅻ",
                       "\u0130", "ß", "&#3;", "<p>", "<!--", "-->", "<!-- newslint: disable NL101 -->", "  ", "\t"])
TROUBLE = st.text(RTL | COMBINING | INVISIBLE | st.characters(max_codepoint=0x7F), max_size=40) | SURROGATES | ODD


@st.composite
def real_line(draw) -> str:
    art = draw(st.sampled_from(ARTICLES))
    return draw(st.sampled_from([art.headline, art.paragraphs[0], art.paragraphs[-1], *sample_captions(),
                                 *BOILERPLATE, ""]))


@st.composite
def mangled(draw, line: str) -> str:
    """A real line with trouble spliced in at random places."""
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(line)))
        line = line[:at] + draw(TROUBLE) + line[at:]
    return line


@st.composite
def fuzz_docs(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 30))):
        kind = draw(st.integers(0, 9))
        if kind < 5:
            parts.append(draw(real_line()))
        elif kind < 8:
            parts.append(draw(mangled(draw(real_line()))))
        elif parts:  # a repeat of an earlier line, maybe mangled: something to fix
            parts.append(draw(mangled(draw(st.sampled_from(parts)))))
        else:
            parts.append(draw(TROUBLE))
        parts.append(draw(SEPARATORS) if draw(st.integers(0, 5)) == 0 else draw(st.sampled_from(["\n", "\n\n"])))
    return "".join(parts)


def check_document_invariants(text: str) -> Document:
    doc = Document.from_text(text)
    # lines tile the text exactly: nothing lost or doubled by the parser
    assert "".join(text[ln.start:ln.next] for ln in doc.lines) == text
    for ln in doc.lines:
        assert ln.text == text[ln.start:ln.end] and not any(c in ln.text for c in "\r\n")
    prev = -1
    for b in doc.blocks:
        assert prev < b.first <= b.last and all(not doc.lines[i].blank for i in b.lines)
        prev = b.last
    for p in doc.paragraphs:
        assert 0 <= p.first <= p.last < len(doc.lines)
    for s in doc.segments:
        assert 0 <= s.first <= s.last < len(doc.lines)
    return doc


@settings(max_examples=150, **FUZZ)
@given(fuzz_docs())
def test_parser_linter_and_fixer_survive_random_unicode(text):
    with no_hang():
        doc = check_document_invariants(text)
        diags = default_linter().lint(doc)
        for d in diags:
            assert 1 <= d.row <= max(1, len(doc.lines)) and d.row <= d.end_row
        try:
            (fixed,) = fix_text(text)
            parts = fix_text(text, unsafe=True)
        except NotConverged:  # an error the run reports (file untouched), never a silent write
            return
        check_document_invariants(fixed)
        for part in parts:
            check_document_invariants(part)
        # safe fixes lose no line that has no other copy (pack-listed boilerplate aside)
        kept = {normalize(ln) for ln in split_keepends(fixed)}
        boiler = safe_pack_lines(doc)
        lost = [ln.text for ln in doc.lines if not ln.blank and ln.index not in boiler and ln.norm not in kept]
        assert not lost, lost[:3]
        assert fix_text(fixed) == [fixed]


@pytest.mark.parametrize("kind", ["words", "no-spaces", "rtl", "zalgo", "zero-width", "many-lines"])
def test_very_long_lines_do_not_hang(kind):
    import random

    rng = random.Random(kind)
    words = " ".join(p for a in ARTICLES[:20] for p in a.paragraphs).split()
    n = 400_000
    if kind == "words":
        text = " ".join(rng.choice(words) for _ in range(n // 6))
    elif kind == "no-spaces":
        text = "".join(rng.choice(words) for _ in range(n // 6))
    elif kind == "rtl":
        text = " ".join("".join(chr(rng.randint(0x0627, 0x064A)) for _ in range(rng.randint(2, 9)))
                        for _ in range(n // 6))
    elif kind == "zalgo":
        text = "".join(c + "".join(chr(rng.randint(0x300, 0x36F)) for _ in range(8)) for c in "newslint " * (n // 80))
    elif kind == "zero-width":
        text = "\u200b".join(rng.choice(words) for _ in range(n // 6))
    else:  # one long line among many short repeated ones
        text = "\n".join([ARTICLES[0].headline, "", "TT"] * 2000 + [" ".join(rng.choice(words) for _ in range(n // 6))])
    doc_text = "\n\n".join([ARTICLES[1].headline, text, ARTICLES[1].paragraphs[0], text])
    with no_hang(60):  # a hang guard, not a speed test: backtracking on 400,000 characters takes hours
        check_document_invariants(doc_text)
        (fixed,) = fix_text(doc_text)
    longest = max(text.split("\n"), key=len)
    assert len(longest) > 100_000 and longest in fixed  # the long line itself survives (one copy at least)


# -- bytes through decode ------------------------------------------------------------------

def check_decode(data: bytes, encoding: str = "utf-8") -> None:
    try:
        src = decode(data, encoding=encoding)
    except SourceError as exc:
        assert exc.code in ("NL501", "NL502"), exc.message
        if exc.code == "NL501" and exc.offset is not None and codecs.lookup(encoding).name == "utf-8":
            skip = 3 if data.startswith(codecs.BOM_UTF8) else 0
            data[skip:exc.offset].decode("utf-8")  # everything before the offset is valid
            with pytest.raises(UnicodeDecodeError):
                data[exc.offset:].decode("utf-8")
        if exc.code == "NL502":
            assert b"\0" in data[:8192]
        return
    assert src.to_bytes() == data  # lossless: what is read is what is written back untouched


@settings(max_examples=300, **FUZZ)
@given(st.binary(max_size=2000), st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "shift_jis",
                                                  "koi8-r", "ascii"]))
def test_decode_random_bytes_is_lossless_or_refused(data, encoding):
    with no_hang(10):
        check_decode(data, encoding)
        check_decode(codecs.BOM_UTF8 + data, encoding)


@st.composite
def damaged_article(draw) -> bytes:
    art = draw(st.sampled_from(ARTICLES))
    data = bytearray(("\n\n".join([art.headline, *art.paragraphs]) + "\n").encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "insert", "truncate", "cut-sequence"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif op == "truncate":
            del data[at:]
        else:  # cut in the middle of a multi-byte character
            data[at:at] = "£’€".encode("utf-8")[: draw(st.integers(1, 2))]
    return bytes(data)


@settings(max_examples=150, **FUZZ)
@given(damaged_article())
def test_damaged_real_files_are_decoded_losslessly_or_refused(data):
    check_decode(data)


def test_the_real_latin1_file_reports_the_first_bad_byte():
    raw = need_shared(LATIN1_FILE).read_bytes()
    with pytest.raises(SourceError) as exc:
        decode(raw)
    check_decode(raw)
    assert exc.value.offset == 257 or raw[:exc.value.offset].decode("utf-8")


@settings(max_examples=60, **FUZZ)
@given(st.one_of(damaged_article(), fuzz_docs().map(lambda t: t.encode("utf-8", "surrogateescape")),
                 st.binary(max_size=500)))
def test_fix_pipeline_never_raises_and_never_damages_what_it_cannot_read(tmp_path_factory, data):
    """Whatever bytes a file holds, a fix run returns a result; if the file cannot be
    decoded or the fix cannot be written, its bytes are untouched."""
    f = tmp_path_factory.mktemp("fuzz") / "story.txt"
    f.write_bytes(data)
    with no_hang():
        res = process_path(str(f), default_linter(), "fix", True)
    after = f.read_bytes()
    codes = {d.code for d in res.diagnostics}
    if res.error or codes & {"NL500", "NL501", "NL502"} or res.notes:
        assert after == data
    else:
        after.decode("utf-8")  # whatever was written is valid text in the file's encoding
    assert [p.name for p in f.parent.iterdir() if p.name.startswith(".")] == []
    for p in f.parent.iterdir():
        os.unlink(p)
