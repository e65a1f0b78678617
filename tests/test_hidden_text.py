"""Text a reader never sees is no article text: front matter, HTML comments over several
lines, fenced code blocks. No rule reads it, no fix touches it, and no visible line counts
as its copy.

A review found a safe fix deleting the visible lead paragraph of a post whose draft copy sat
in a comment above it (the comment's copy came first, so the visible one was "the repeat"),
page tokens deleted from inside a code block, and an inline pack rule rewriting a front
matter line (which broke the YAML). The posts below are the real sample's first article,
cleaned (shared/samples/expected), as a Markdown post.
"""

from __future__ import annotations

import json

import pytest

from newslint.document import Document

from conftest import EXPECTED, bbc_excerpt, need


def clean_article() -> list[str]:
    """The sample's first article after --fix: headline, caption, body paragraphs."""
    text = need(EXPECTED).read_text(encoding="utf-8")
    return text.split("\n\n")[:6]


def findings(cli, path) -> list[tuple[str, int]]:
    res = cli("check", "--no-cache", path, "--output-format", "json")
    return sorted((d["code"], d["location"]["row"]) for d in json.loads(res.stdout))


def test_a_draft_paragraph_kept_in_a_comment_is_not_the_visible_one_s_first_copy(cli, tmp_path):
    head, caption, lead, *rest = clean_article()
    post = tmp_path / "post.md"
    text = "\n\n".join([f"# {head}", caption, f"<!--\nDraft from the wire:\n{lead}\n-->", lead, *rest]) + "\n"
    post.write_text(text, encoding="utf-8")
    assert findings(cli, post) == []
    cli("check", "--no-cache", "--fix", "--unsafe-fixes", post)
    assert post.read_text(encoding="utf-8") == text
    # the same paragraph printed twice where readers see it is still one repeat too many
    visible = "\n\n".join([f"# {head}", caption, lead, lead, *rest]) + "\n"
    post.write_text(visible, encoding="utf-8")
    assert findings(cli, post) == [("NL103", 7)]


def test_lines_in_a_fenced_code_block_are_neither_read_nor_fixed(cli, tmp_path):
    head, caption, lead, *rest = clean_article()
    post = tmp_path / "post.md"
    for fence in ("```text", "~~~~"):
        close = fence.rstrip("text")
        text = "\n\n".join([f"# {head}", caption, f"{fence}\n{lead}\nTT\nShare\n{caption}\n{close}", lead,
                            *rest]) + "\n"
        post.write_text(text, encoding="utf-8")
        assert findings(cli, post) == [], fence
        cli("check", "--no-cache", "--fix", "--unsafe-fixes", post)
        assert post.read_text(encoding="utf-8") == text, fence


def test_a_front_matter_line_is_not_rewritten_by_an_inline_pack_rule(cli, tmp_path):
    """captions.toml's "Image caption" label rule (safe, inline) rewrote an indented YAML
    block scalar line, dropping its indentation: the site's build then failed on the YAML."""
    head, caption, lead, *rest = clean_article()
    front = ("---\ntitle: \"Assad to Visit Moscow\"\nimage:\n  src: putin.jpg\n  alt: >\n"
             f"    Image caption {caption}\ntags: [russia]\n---\n")
    post = tmp_path / "post.md"
    body = "\n\n".join([head, caption, lead, *rest]) + "\n"
    post.write_text(front + body, encoding="utf-8")
    assert findings(cli, post) == []
    # the same line in the body is the label the rule takes off
    post.write_text(front + body.replace(caption, f"Image caption {caption}", 1), encoding="utf-8")
    assert [code for code, _ in findings(cli, post)] == ["NL204"]
    cli("check", "--no-cache", "--fix", "--unsafe-fixes", post)  # (unsafe: the caption is over 3 words)
    assert post.read_text(encoding="utf-8") == front + body


@pytest.mark.parametrize("lines, hidden", [
    (["<!--", "a", "-->", "b"], [0, 1, 2]),
    (["<!-- a", "b -->"], [0, 1]),
    (["<!--", "a", "--> b"], [0, 1]),  # text after the comment's end is the article's again
    (["<!--", "a", "b"], []),  # unclosed: a stray marker hides nothing
    (["<!-- one line -->", "a"], [0]),
    (["```python", "x", "```", "y"], [0, 1, 2]),
    (["````", "```", "x", "````"], [0, 1, 2, 3]),  # a shorter fence inside a longer one is code
    (["~~~", "x", "```", "y"], []),  # a fence closes with its own character
    (["```", "x"], []),
    (["```inline``` code", "x", "```"], []),  # backticks after the fence: inline code, no block
])
def test_which_lines_are_hidden(lines, hidden):
    doc = Document.from_text("\n".join(lines) + "\n")
    assert [ln.index for ln in doc.lines if ln.blank] == hidden


def test_many_unclosed_markers_hide_nothing_and_pairs_still_close():
    """Each unclosed marker looked for its end down to the end of the file (20,000 of them:
    2e8 line tests); the ends are now found once. What is hidden is unchanged: nothing for
    unclosed markers, and fences that pair up after them."""
    doc = Document.from_text("<!-- draft\n" * 20000 + "````text\n" * 100 + "```\n" * 4)
    assert [ln.index for ln in doc.lines if ln.blank] == [20100, 20101, 20102, 20103]


def cross_file(cli, folder, *extra) -> list[tuple[str, str, list[str]]]:
    res = cli("check", "--isolated", "--select", "NL401,NL402,NL403,NL202", *extra, folder, "--output-format", "json")
    return sorted((d["code"], d["filename"].rsplit("/", 1)[-1], sorted(r["filename"].rsplit("/", 1)[-1]
                                                                         for r in d["related"]))
                  for d in json.loads(res.stdout))


@pytest.mark.parametrize("hide", ["comment", "fence"])
@pytest.mark.parametrize("cache", [[], ["--no-cache"]])
def test_another_article_kept_hidden_in_a_post_is_not_its_copy_across_files(cli, tmp_path, monkeypatch, hide, cache):
    """The cross-file rules read what the in-file ones read: a post that keeps another file's
    article in an HTML comment (a draft, a 'related' block taken out) or in a code block did
    'contain' that article (NL403) though no reader sees it there. Copies that differ only in
    what is hidden are identical (NL401)."""
    monkeypatch.chdir(tmp_path)
    wire, other = bbc_excerpt("tech/001.txt").strip(), bbc_excerpt("business/001.txt").strip()
    hidden = f"<!--\n{wire}\n-->" if hide == "comment" else f"```text\n{wire}\n```"
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "wire.md").write_text(wire + "\n", encoding="utf-8")
    (tmp_path / "news" / "post.md").write_text(f"{other}\n\n{hidden}\n", encoding="utf-8")
    assert cross_file(cli, "news", *cache) == []
    # the hidden text was what made the pair: shown, it is a contained article again
    (tmp_path / "news" / "post.md").write_text(f"{other}\n\n{wire}\n", encoding="utf-8")
    assert ("NL403", "wire.md", ["post.md"]) in cross_file(cli, "news", *cache)
    # a copy of the post whose only difference is hidden (a one-line note, the kept draft)
    (tmp_path / "news" / "post.md").write_text(f"{other}\n\n{hidden}\n", encoding="utf-8")
    (tmp_path / "news" / "copy.md").write_text(f"<!-- checked by the desk -->\n{other}\n", encoding="utf-8")
    assert cross_file(cli, "news", *cache) == [("NL401", "copy.md", ["post.md"]), ("NL401", "post.md", ["copy.md"])]
