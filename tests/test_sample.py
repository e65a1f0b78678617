"""Acceptance on the real merged sample (issue 2, points 1-3)."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest

from conftest import EXPECTED, EXPECTED_SPLIT, need


def test_check_reports_each_defect_at_its_line(cli, sample):
    res = cli("check", sample, "--output-format", "json")
    assert res.exit_code == 1
    found = json.loads(res.stdout)
    assert Counter(d["code"] for d in found) == {"NL101": 2, "NL102": 6, "NL201": 2, "NL301": 1}
    rows = {(d["code"], d["location"]["row"]) for d in found}
    lines = sample.read_text(encoding="utf-8").splitlines()
    # each reported row holds what the rule says it holds
    for code, row in rows:
        text = lines[row - 1]
        if code == "NL101":
            assert text in (lines[0], lines[35]) and row not in (1, 36)
        elif code == "NL102":
            assert text.endswith(("(AFP)", "(Government media)"))
        elif code == "NL201":
            assert text == "TT"
        elif code == "NL301":
            assert text.startswith("Baghdad Urges Washington")
    assert ("NL301", 36) in rows
    assert {r for c, r in rows if c == "NL201"} == {5, 40}
    assert {r for c, r in rows if c == "NL101"} == {7, 42}
    assert {r for c, r in rows if c == "NL102"} == {4, 9, 10, 39, 44, 45}


def test_text_output_is_linter_shaped(cli, sample):
    res = cli("check", sample)
    first = res.stdout.splitlines()[0]
    assert first == f"{sample}:4:1: NL102 [*] Caption repeated (copy 2 of 4; first at line 3)"
    assert "Found 11 errors." in res.stdout
    assert "[*] 10 fixable with the `--fix` option" in res.stdout


def test_the_fix_hint_names_the_command_that_fixes_everything(cli, sample):
    """With unsafe fixes on, the summary names the command that applies them all: with the
    flag, `--fix --unsafe-fixes`; with the config's `unsafe-fixes = true`, `--fix` alone (as
    ruff), since that is what then splits the merged file."""
    flagged = cli("check", "--isolated", "--unsafe-fixes", sample)
    assert "[*] 11 fixable with `--fix --unsafe-fixes`." in flagged.stdout
    config = sample.parent / "newslint.toml"
    config.write_text("unsafe-fixes = true\n", encoding="utf-8")
    res = cli("check", sample)
    assert "[*] 11 fixable with the `--fix` option." in res.stdout
    fixed = cli("check", "--fix", sample)  # as the hint says
    assert "11 fixed, 0 remaining" in fixed.stdout and fixed.exit_code == 0
    config.unlink()
    assert sorted(p.name for p in sample.parent.iterdir()) == sorted(p.name for p in need(EXPECTED_SPLIT).iterdir())


def test_safe_fix_matches_expected_bytes_and_is_stable(cli, sample):
    res = cli("check", "--fix", sample)
    assert sample.read_bytes() == need(EXPECTED).read_bytes()
    assert res.exit_code == 1  # the merged-articles finding is left (its fix is unsafe)
    assert "10 fixed, 1 remaining" in res.stdout
    before = sample.read_bytes()
    again = cli("check", "--fix", sample)
    assert sample.read_bytes() == before
    assert "0 fixed, 1 remaining" in again.stdout


def test_unsafe_fix_splits_into_expected_files(cli, sample):
    res = cli("check", "--fix", "--unsafe-fixes", sample)
    assert res.exit_code == 0, res.stdout
    produced = sorted(p.name for p in sample.parent.iterdir())
    expected = sorted(p.name for p in need(EXPECTED_SPLIT).iterdir())
    assert produced == expected
    for name in expected:
        assert (sample.parent / name).read_bytes() == (EXPECTED_SPLIT / name).read_bytes(), name
    assert "wrote split-off article to" in res.stdout
    # running again changes nothing and creates no third file
    snapshot = {p.name: p.read_bytes() for p in sample.parent.iterdir()}
    cli("check", "--fix", "--unsafe-fixes", sample.parent)
    assert {p.name: p.read_bytes() for p in sample.parent.iterdir()} == snapshot


def test_split_never_overwrites_an_existing_sibling(cli, sample):
    taken = sample.with_name("aawsat_two_articles-2.txt")
    taken.write_text("someone else's file\n", encoding="utf-8")
    cli("check", "--fix", "--unsafe-fixes", sample)
    assert taken.read_text(encoding="utf-8") == "someone else's file\n"
    third = sample.with_name("aawsat_two_articles-3.txt")
    assert third.read_bytes() == (EXPECTED_SPLIT / "aawsat_two_articles-2.txt").read_bytes()


def _reencode(data: bytes, crlf: bool, bom: bool) -> bytes:
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    return (b"\xef\xbb\xbf" if bom else b"") + data


@pytest.mark.parametrize("crlf,bom", [(True, False), (False, True), (True, True)], ids=["crlf", "bom", "crlf+bom"])
def test_fixes_keep_line_endings_and_bom(cli, sample, crlf, bom):
    sample.write_bytes(_reencode(sample.read_bytes(), crlf, bom))
    res = cli("check", sample, "--output-format", "json")
    assert Counter(d["code"] for d in json.loads(res.stdout)) == {"NL101": 2, "NL102": 6, "NL201": 2, "NL301": 1}
    cli("check", "--fix", sample)
    assert sample.read_bytes() == _reencode(need(EXPECTED).read_bytes(), crlf, bom)
    cli("check", "--fix", "--unsafe-fixes", sample)
    for part in EXPECTED_SPLIT.iterdir():
        assert (sample.parent / part.name).read_bytes() == _reencode(part.read_bytes(), crlf, bom), part.name


def test_fix_keeps_file_mode(cli, sample):
    sample.chmod(0o600)
    cli("check", "--fix", sample)
    assert sample.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("front", ['---\ntitle: "Assad to Visit Moscow"\ndate: 2019-03-04\ntags:\n  - Syria\n---\n',
                                   '+++\ntitle = "Assad to Visit Moscow"\n+++\n',
                                   # a TOML multi-line string holding lines of any shape (a caption
                                   # the body repeats, a page token): they were read and fixed as text
                                   '+++\ntitle = "Assad to Visit Moscow"\nsummary = """\n'
                                   'Russian soldiers near the Red Square in Moscow (AFP)\nTT\n"""\n+++\n',
                                   # YAML with a quoted key and a flow list continued on the next line
                                   '---\n"title": "Assad to Visit Moscow"\ncategories: [Russia,\nSyria]\n---\n'],
                         ids=["yaml", "toml", "toml-multiline-string", "yaml-quoted-key-flow-list"])
def test_markdown_front_matter_is_not_the_headline(cli, sample, front):
    """The sample as a Markdown post with front matter: the same findings, each on the same line
    of the article (moved down by the front matter's lines), and the fix keeps the front matter.
    Its first line was taken for the headline, and NL101 missed the first article's repeat."""
    plain = json.loads(cli("check", "--no-cache", sample, "--output-format", "json").stdout)
    post = sample.with_suffix(".md")
    post.write_text(front + "\n" + sample.read_text(encoding="utf-8"), encoding="utf-8")
    shift = front.count("\n") + 1
    found = json.loads(cli("check", "--no-cache", post, "--output-format", "json").stdout)
    assert sorted((d["code"], d["location"]["row"] - shift) for d in found if d["code"] != "NL401") == \
        sorted((d["code"], d["location"]["row"]) for d in plain)
    cli("check", "--no-cache", "--fix", post)
    assert post.read_text(encoding="utf-8") == front + "\n" + need(EXPECTED).read_text(encoding="utf-8")


def test_front_matter_is_no_article_text_for_the_cross_file_rules(cli, sample, tmp_path):
    """Two posts of one article under different front matter are duplicates (NL401): the
    metadata was compared as text, and made a copy 'near' (NL402) or nothing at all."""
    body = sample.read_text(encoding="utf-8")
    (tmp_path / "a.md").write_text('---\ntitle: "Assad to Visit Moscow"\ndate: 2019-03-04\n---\n\n' + body,
                                   encoding="utf-8")
    (tmp_path / "b.md").write_text('+++\ntitle = "Republished: Assad in Moscow"\nsummary = """\nWire copy.\n'
                                   'Evening edition, archive desk.\n"""\n+++\n\n' + body, encoding="utf-8")
    found = json.loads(cli("check", "--no-cache", "--select", "NL401,NL402,NL403", tmp_path / "a.md",
                           tmp_path / "b.md", "--output-format", "json").stdout)
    assert sorted((os.path.basename(d["filename"]), d["code"], d["location"]["row"]) for d in found) == \
        [("a.md", "NL401", 6), ("b.md", "NL401", 9)]


def test_front_matter_edge_cases_neither_crash_nor_differ_between_the_passes(cli, sample, tmp_path):
    """TOML nested past the parser's depth raised RecursionError out of the corpus pass (a
    traceback, no report for any file); a file that ends on its closing fence without a line
    break was front matter to the in-file rules but text to the cross-file ones."""
    from newslint.corpus.model import corpus_bytes
    from newslint.document import Document

    nested = "+++\nx = " + "[" * 3000 + "\n+++\n\n" + sample.read_text(encoding="utf-8")
    (tmp_path / "nested.md").write_text(nested, encoding="utf-8")
    (tmp_path / "plain.txt").write_bytes(sample.read_bytes())
    res = cli("check", "--no-cache", tmp_path, "--output-format", "json")
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert {(os.path.basename(d["filename"]), d["code"]) for d in json.loads(res.stdout)} >= {
        ("nested.md", "NL401"), ("plain.txt", "NL401"), ("nested.md", "NL301")}
    only = b'---\ntitle: "Assad to Visit Moscow"\n---'
    assert [ln.blank for ln in Document.from_text(only.decode()).lines] == [True, True, True]
    assert corpus_bytes(only, "utf-8") == b"\n\n"


@pytest.mark.parametrize("top, is_front_matter", [
    ("+++\n[Advertisement]\n+++", False),  # a page token between rules: a TOML table, no metadata
    ("---\n'I thought I was going to die': Survivor tells of crash\n---", False),  # a quoted headline
    ("---\n---", True),  # Jekyll's empty front matter
    ('+++\ntitle = "Assad"\n[extra]\nsource = "wire"\n+++', True),
])
def test_what_counts_as_front_matter(top, is_front_matter):
    """Blanked front matter hides its lines from every rule, so only a block that holds
    metadata counts (a review found a page token and a quoted headline taken for it)."""
    from newslint.document import Document

    doc = Document.from_text(top + "\n\nThe Kremlin confirmed on Monday media leaks about the visit.\n")
    n = top.count("\n") + 1
    assert [ln.blank for ln in doc.lines[:n]] == [is_front_matter] * n


def test_a_rule_of_dashes_above_a_headline_is_text(cli, sample):
    """Only a block that reads as metadata is front matter: dashes around a headline are not."""
    from newslint.document import Document

    text = "---\n" + sample.read_text(encoding="utf-8").split("\n", 1)[0] + "\n---\n\nThe Kremlin said so.\n"
    doc = Document.from_text(text)
    assert [ln.blank for ln in doc.lines[:3]] == [False, False, False]
