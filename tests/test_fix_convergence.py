"""--fix converging on the real sample: a split-off article is fixed as the file it becomes,
so that a second run changes nothing and `--diff` shows what `--fix` writes."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from newsdocs import BBC, SAMPLE, need_shared, newslint

EXPECTED_SPLIT = SAMPLE.parent / "expected" / "split"


def _desk(tmp_path, config: str):
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / SAMPLE.name).write_bytes(need_shared(SAMPLE).read_bytes())
    (desk / "newslint.toml").write_text(config, encoding="utf-8")
    return desk


def _tree(folder) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch(1) is not installed")
def test_a_split_off_article_gets_its_own_per_file_ignores(tmp_path):
    """The folder's config ignores NL102 for the merged file by name. The split put the second
    article's four copies of its caption in aawsat_two_articles-2.txt, which that glob does not
    name, but the part was fixed (and reported) with the original's rules: the run said
    '0 remaining', exit 0, then `check` found three NL102 [*] in the new file and a second
    `--fix --unsafe-fixes` removed them. Now the part is fixed under its own name."""
    desk = _desk(tmp_path, 'per-file-ignores = { "aawsat_two_articles.txt" = ["NL102"] }\n')
    copy = tmp_path / "copy"
    shutil.copytree(desk, copy)
    diff = newslint("check", "--diff", "--unsafe-fixes", "desk", cwd=tmp_path).stdout
    first = newslint("check", "--fix", "--unsafe-fixes", "desk", cwd=tmp_path)
    assert first.returncode == 0, first.stdout
    assert "0 remaining" in first.stdout
    part = (desk / "aawsat_two_articles-2.txt").read_text(encoding="utf-8")
    # the second article as the default run splits it: its caption kept once, not four times
    assert part == need_shared(EXPECTED_SPLIT / "aawsat_two_articles-2.txt").read_text(encoding="utf-8")
    # the original keeps its captions (NL102 ignored there): four copies of the first caption
    caption = need_shared(EXPECTED_SPLIT / SAMPLE.name).read_text(encoding="utf-8").split("\n")[2]
    assert (desk / SAMPLE.name).read_text(encoding="utf-8").count(caption) == 4
    after = _tree(desk)
    check = newslint("check", "desk", cwd=tmp_path)
    assert check.returncode == 0 and "[*]" not in check.stdout, check.stdout
    second = newslint("check", "--fix", "--unsafe-fixes", "desk", cwd=tmp_path)
    assert second.returncode == 0 and _tree(desk) == after, second.stdout
    # --diff showed exactly what --fix wrote, the split-off file included
    res = subprocess.run(["patch", "-p1", "--quiet", "--force", "--no-backup-if-mismatch"], cwd=copy,
                         input=diff.encode("utf-8"), capture_output=True)
    assert res.returncode == 0, (res.stdout + res.stderr).decode()
    assert _tree(copy) == after


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch(1) is not installed")
def test_diff_does_not_create_a_split_off_file_that_fix_reuses(tmp_path):
    """A split interrupted after writing aawsat_two_articles-2.txt (or a user who had copied the
    second article out already): --fix reuses that file, which holds exactly the part's bytes,
    and rewrites only the original. --diff still showed the part as a new file
    ('--- /dev/null', '+++ aawsat_two_articles-2.txt'), and `patch` stopped on it ('The next
    patch would create the file ..., which already exists!', exit 1)."""
    for folder in ("fix", "diff"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / SAMPLE.name).write_bytes(need_shared(SAMPLE).read_bytes())
        part = EXPECTED_SPLIT / "aawsat_two_articles-2.txt"
        (tmp_path / folder / part.name).write_bytes(need_shared(part).read_bytes())
    diff = newslint("check", "--isolated", "--diff", "--unsafe-fixes", ".", cwd=tmp_path / "diff")
    assert diff.returncode == 1 and "/dev/null" not in diff.stdout
    fix = newslint("check", "--isolated", "--fix", "--unsafe-fixes", ".", cwd=tmp_path / "fix")
    assert fix.returncode == 0, fix.stdout
    res = subprocess.run(["patch", "-p0", "--force", "--no-backup-if-mismatch"], cwd=tmp_path / "diff",
                         input=diff.stdout.encode("utf-8"), capture_output=True)
    assert res.returncode == 0, (res.stdout + res.stderr).decode()
    assert _tree(tmp_path / "diff") == _tree(tmp_path / "fix")
    assert _tree(tmp_path / "fix") == {p.name: p.read_bytes() for p in sorted(EXPECTED_SPLIT.iterdir())}


def test_fix_says_when_a_split_off_file_was_reused_not_written(tmp_path):
    """A split interrupted after writing aawsat_two_articles-2.txt, run again: the fixer keeps
    that file (it holds exactly the part's bytes) and rewrites only the original, but the
    report said 'wrote split-off article to ./aawsat_two_articles-2.txt' for a file it had
    not touched. It now says the article was already there; a fresh split still says 'wrote'."""
    part = EXPECTED_SPLIT / "aawsat_two_articles-2.txt"
    for folder in ("fresh", "interrupted"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / SAMPLE.name).write_bytes(need_shared(SAMPLE).read_bytes())
    left = tmp_path / "interrupted" / part.name
    left.write_bytes(need_shared(part).read_bytes())
    os.utime(left, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before = (left.stat().st_ino, left.stat().st_mtime_ns)
    runs = {folder: newslint("check", "--isolated", "--fix", "--unsafe-fixes", SAMPLE.name, cwd=tmp_path / folder)
            for folder in ("fresh", "interrupted")}
    assert runs["fresh"].stdout.splitlines() == [
        f"{SAMPLE.name}: wrote split-off article to aawsat_two_articles-2.txt", "Found 11 errors (11 fixed, 0 remaining)."]
    assert runs["interrupted"].stdout.splitlines() == [
        f"{SAMPLE.name}: split-off article already in aawsat_two_articles-2.txt (same text; left as it was)",
        "Found 11 errors (11 fixed, 0 remaining)."]
    assert (left.stat().st_ino, left.stat().st_mtime_ns) == before  # not written, as it says
    for folder in ("fresh", "interrupted"):
        assert _tree(tmp_path / folder) == {p.name: p.read_bytes() for p in sorted(EXPECTED_SPLIT.iterdir())}


def test_a_hidden_file_splits_to_a_visible_name_that_later_checks_see(tmp_path):
    """A pre-commit hook passes a staged hidden file by name (`.aawsat_two_articles.txt`); the
    split wrote the second article to `.aawsat_two_articles-2.txt`, hidden too, which every
    folder walk skips: `newslint check .` said 'All checks passed!' with that article a
    duplicate of other.txt. The part is now `aawsat_two_articles-2.txt`, and the walk sees it."""
    repo = tmp_path / "news"
    repo.mkdir()
    hidden = repo / ("." + SAMPLE.name)
    hidden.write_bytes(need_shared(SAMPLE).read_bytes())
    part = EXPECTED_SPLIT / "aawsat_two_articles-2.txt"
    (repo / "other.txt").write_bytes(need_shared(part).read_bytes())  # the second article, saved again
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "articles"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env, capture_output=True)
    res = newslint("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", hidden.name, cwd=repo)
    assert f"{hidden.name}: wrote split-off article to aawsat_two_articles-2.txt" in res.stdout.splitlines()
    # in a git work tree the new file is untracked: `git add -u` would commit the shortened
    # original without it, so the report says to add it (a review, through pre-commit's fix hook)
    assert "note: the split-off file is new, not tracked by git: add it with the shortened original " \
           "(git add aawsat_two_articles-2.txt)" in res.stdout.splitlines()
    assert (repo / part.name).read_bytes() == part.read_bytes()
    assert hidden.read_bytes() == (EXPECTED_SPLIT / SAMPLE.name).read_bytes()
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout
    assert status.splitlines() == [f" M {hidden.name}", f"?? {part.name}"]
    walk = newslint("check", "--isolated", "--no-cache", "--select", "NL401", ".", cwd=repo)
    assert walk.stdout.splitlines() == [
        "./aawsat_two_articles-2.txt:1:1: NL401 Duplicate article: identical after normalisation to ./other.txt",
        "./other.txt:1:1: NL401 Duplicate article: identical after normalisation to ./aawsat_two_articles-2.txt",
        "Found 2 errors."]


@pytest.mark.parametrize("name,first", [(".x.txt", "x-2.txt"), ("..notes.md", "notes-2.md"), (".txt", "txt-2.txt"),
                                        (".draft.2024.md", "draft.2024-2.md"), ("x.txt", "x-2.txt")])
def test_split_off_names_of_hidden_files_are_visible(tmp_path, name, first):
    """The names sibling_paths gives (a taken name is skipped, as for any file)."""
    from newslint.engine import sibling_paths

    stem, ext = first.rsplit("-2", 1)
    (tmp_path / first).write_text("taken\n", encoding="utf-8")
    assert sibling_paths(str(tmp_path / name), 2) == [str(tmp_path / f"{stem}-3{ext}"), str(tmp_path / f"{stem}-4{ext}")]


JEKYLL_POST = """---
layout: post
title: "Assad to Visit Moscow in Mid-March for Talks with the Kremlin"
date: 2023-03-06 09:30:00 +0300
author: Raed Jabr
categories: [world, middle-east]
description: >-
  The Kremlin confirmed media leaks about an imminent visit

  of Syrian President Bashar al-Assad.
source: https://english.aawsat.com/
permalink: /world/2023/03/06/assad-to-visit-moscow/
redirect_from:
- /news/assad-moscow/
---
"""
HUGO_POST = """+++
title = 'Assad to Visit Moscow in Mid-March for Talks with the Kremlin'
date = 2023-03-06T09:30:00+03:00
slug = "assad-to-visit-moscow"
aliases = [
  "/news/assad-moscow/",
]
summary = \"\"\"
The Kremlin confirmed media leaks.
url = "/not/a/key/"
\"\"\"
draft = true
[params]
  source = "https://english.aawsat.com/"
+++
"""
SECOND_TITLE = "Baghdad Urges Washington to Prevent \u2018Imminent\u2019 Israeli Strikes"
# what the split-off part's front matter keeps: the title its own, no address, no summary
PART_FRONT_MATTER = {
    "jekyll": f"""---
layout: post
title: "{SECOND_TITLE}"
date: 2023-03-06 09:30:00 +0300
author: Raed Jabr
categories: [world, middle-east]
source: https://english.aawsat.com/
---
""",
    "hugo": f"""+++
title = "{SECOND_TITLE}"
date = 2023-03-06T09:30:00+03:00
draft = true
[params]
  source = "https://english.aawsat.com/"
+++
"""}


@pytest.mark.parametrize("kind", ["jekyll", "hugo"])
def test_a_split_off_post_gets_the_front_matter_with_its_own_title(tmp_path, kind):
    """A Markdown post in a content repo (Jekyll's YAML, Hugo's TOML front matter) holding the
    two merged articles: the part split off began at its headline, with no front matter, so
    Jekyll did not render it as a post (and Hugo's list pages lost it). It now gets the
    post's front matter, with its own headline as `title` and without the keys that are the
    first article's own (permalink, slug, aliases, redirects, summary): a copy of those
    would give two pages one address. The original's front matter is left as it was."""
    repo = tmp_path / "site"
    (repo / "_posts").mkdir(parents=True)
    front = JEKYLL_POST if kind == "jekyll" else HUGO_POST
    post = repo / "_posts" / "2023-03-06-assad-to-visit-moscow.md"
    post.write_bytes(front.encode("utf-8") + need_shared(SAMPLE).read_bytes())
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "post"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env, capture_output=True)
    first = newslint("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", ".", cwd=repo)
    assert first.returncode == 0, first.stdout
    part = repo / "_posts" / "2023-03-06-assad-to-visit-moscow-2.md"
    split = {p.name: p.read_text(encoding="utf-8") for p in EXPECTED_SPLIT.iterdir()}
    assert post.read_text(encoding="utf-8") == front + split[SAMPLE.name]
    assert part.read_text(encoding="utf-8") == PART_FRONT_MATTER[kind] + split["aawsat_two_articles-2.txt"]
    after = _tree(repo / "_posts")
    again = newslint("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", ".", cwd=repo)
    assert again.stdout == "All checks passed!\n" and _tree(repo / "_posts") == after


def test_a_split_off_post_is_titled_from_its_headline_not_a_carried_suppression(tmp_path):
    """The post's `disable-file` comment is carried into the part (it suppresses the part's
    repeated captions): the front matter goes above it, and the title is the headline below
    it, not the comment ('title: "<!-- newslint: disable-file NL102 -->"')."""
    comment = "<!-- newslint: disable-file NL102 -->"
    post = tmp_path / "2023-03-06-assad-to-visit-moscow.md"
    post.write_bytes(f"{JEKYLL_POST}{comment}\n".encode("utf-8") + need_shared(SAMPLE).read_bytes())
    res = newslint("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", post.name, cwd=tmp_path)
    assert res.returncode == 0, res.stdout
    part = (tmp_path / "2023-03-06-assad-to-visit-moscow-2.md").read_text(encoding="utf-8")
    assert part.startswith(PART_FRONT_MATTER["jekyll"] + comment + "\n" + SECOND_TITLE + "\n"), part[:400]


def test_a_split_off_article_keeps_the_originals_extended_attributes(tmp_path):
    """The rewritten original kept its extended attributes (a user tag, here) but the file
    split off it, the other half of the same saved page, was created without any: 'newslint
    check --fix --unsafe-fixes' on the sample tagged user.source left aawsat_two_articles-2.txt
    untagged. It now takes the original's attributes, owner and group, as it takes its mode."""
    import os

    if not hasattr(os, "setxattr"):
        pytest.skip("no extended attributes on this platform")
    f = tmp_path / SAMPLE.name
    f.write_bytes(need_shared(SAMPLE).read_bytes())
    f.chmod(0o640)
    try:
        os.setxattr(f, "user.source", b"aawsat.com/two-stories")
    except OSError as exc:
        pytest.skip(f"the test folder's file system does not keep user extended attributes ({exc.strerror})")
    res = newslint("check", "--isolated", "--fix", "--unsafe-fixes", f.name, cwd=tmp_path)
    assert res.returncode == 0, res.stdout
    part = tmp_path / "aawsat_two_articles-2.txt"
    assert part.read_bytes() == need_shared(EXPECTED_SPLIT / part.name).read_bytes()
    for p in (f, part):
        assert os.getxattr(p, "user.source") == b"aawsat.com/two-stories", p.name
        assert (p.stat().st_mode & 0o777, p.stat().st_uid, p.stat().st_gid) == (
            0o640, f.stat().st_uid, f.stat().st_gid)


def test_a_split_off_article_keeps_the_originals_attributes_where_hard_links_are_refused(tmp_path, monkeypatch):
    """On a file system without hard links (FAT, some network and FUSE mounts: link() fails with
    EPERM) the split-off file is created in place with O_EXCL, and that path gave it none of the
    original's extended attributes, root's owner when root ran the fix, and the umask's mode
    (0644 for a 0664 original). It now takes them all, as the hard-link path does."""
    import errno
    import os

    f = tmp_path / SAMPLE.name
    f.write_bytes(need_shared(SAMPLE).read_bytes())
    f.chmod(0o664)
    tagged = hasattr(os, "setxattr")
    try:
        if tagged:
            os.setxattr(f, "user.source", b"aawsat.com/two-stories")
    except OSError:  # the test folder's file system keeps no user attributes: mode and owner only
        tagged = False
    owner = (65534, 65534) if os.geteuid() == 0 else (f.stat().st_uid, f.stat().st_gid)
    os.chown(f, *owner)
    tried = []

    def no_hard_links(src, dst, *a, **kw):
        tried.append(dst)
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", no_hard_links)
    old_umask = os.umask(0o022)
    try:
        res = newslint("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", f.name, cwd=tmp_path)
    finally:
        os.umask(old_umask)
    assert res.returncode == 0, res.stdout
    part = tmp_path / "aawsat_two_articles-2.txt"
    assert tried == [part.name]  # the fallback made it
    assert part.read_bytes() == need_shared(EXPECTED_SPLIT / part.name).read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [part.name, f.name]  # no temporary file left
    for p in (f, part):
        st = p.stat()
        assert (st.st_mode & 0o777, st.st_uid, st.st_gid) == (0o664, *owner), p.name
        if tagged:
            assert os.getxattr(p, "user.source") == b"aawsat.com/two-stories", p.name


WORD = __import__("re").compile(r"\w+")
# the deletions the README allows a safe fix that have no other copy: a whole line of page
# debris of up to three words listed by a pack (NL201: 'TT', 'Share') or a bare credit (NL204)
LONE_LINE_CODES = ("NL201", "NL204")


def test_safe_fixes_lose_no_word_on_the_scraped_pages():
    """Over all 92 scrapinghub raw pages and the sample (safe fixes, default rules): every word
    a fix removes from a page still occurs in the fixed page, unless it stood on a whole line
    of page debris (NL201/NL204, up to three words); a second fix changes nothing and leaves
    nothing a fix would take. A guard over the whole raw corpus (all held when written: 83
    pages changed, 1,002 fixes)."""
    from newsdocs import SCRAPED_RAW, default_linter, source_of

    from newslint.document import Document

    pages = sorted(need_shared(SCRAPED_RAW).glob("*.txt")) + [need_shared(SAMPLE)]
    linter = default_linter()
    changed = fixes = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        src = source_of(text, page.name)
        exempt = set()
        for d in linter.fixable(linter.lint(Document(src)), unsafe=False):
            if d.code in LONE_LINE_CODES:
                for i in d.fix.deleted_lines:
                    exempt.update(WORD.findall(Document(src).lines[i].text.lower()))
        (fixed,), counts, left = linter.fix(src, unsafe=False)
        fixes += sum(counts.values())
        changed += fixed.text != text
        kept = set(WORD.findall(fixed.text.lower()))
        lost = {w for w in WORD.findall(text.lower()) if w not in kept} - exempt
        assert not lost, (page.name, sorted(lost)[:20])
        (again,), more, _ = linter.fix(fixed, unsafe=False)
        assert again.text == fixed.text and not more, page.name
        assert not linter.fixable(left[0], unsafe=False), page.name
    assert len(pages) == 93 and changed > 80 and fixes > 900


def test_stdin_never_offers_the_split_it_cannot_make():
    """Text from stdin is never split (one stream out), yet with unsafe fixes on NL301 was
    marked [*] and counted: `cat sample | newslint check --unsafe-fixes -` said '[*] 11 fixable
    with `--fix --unsafe-fixes`' where --fix fixes 10, and after `check --fix --unsafe-fixes -`
    the one finding left was shown as '-:29:1: NL301 [*] File holds 2 articles', a fix this
    run had just not made. NL301 on stdin now has no fix: no marker, not counted."""
    from conftest import run_newslint

    data = need_shared(SAMPLE).read_bytes()
    res = run_newslint("check", "--isolated", "--unsafe-fixes", "-", input=data)
    out = res.stdout.decode()
    assert "[*] 10 fixable" in out and "-:36:1: NL301 File holds 2 articles" in out, out
    fixed = run_newslint("check", "--isolated", "--fix", "--unsafe-fixes", "-", input=data)
    err = fixed.stderr.decode()
    assert fixed.returncode == 1 and "-:29:1: NL301 File holds 2 articles" in err, err
    assert "Found 11 errors (10 fixed, 1 remaining)." in err
    assert fixed.stdout == need_shared(SAMPLE.parent / "expected" / SAMPLE.name).read_bytes()


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch(1) is not installed")
def test_diff_of_a_file_whose_name_has_spaces_applies_with_patch(tmp_path):
    """'--- ./my story.txt' ended the name at the space for patch(1): the merged sample saved as
    'my story.txt' gave 'No file to patch. Skipping patch.' (exit 1) for its own hunks, and the
    split-off hunk ('+++ ./my story-2.txt') created a file named 'my' holding the second
    article. The header's name now ends in a tab when it holds whitespace, as diff(1) ends it."""
    name = "my story.txt"
    for folder in ("fix", "diff"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_bytes(need_shared(SAMPLE).read_bytes())
    diff = newslint("check", "--isolated", "--diff", "--unsafe-fixes", ".", cwd=tmp_path / "diff")
    assert diff.returncode == 1
    newslint("check", "--isolated", "--fix", "--unsafe-fixes", ".", cwd=tmp_path / "fix")
    res = subprocess.run(["patch", "-p0", "--force", "--no-backup-if-mismatch"], cwd=tmp_path / "diff",
                         input=diff.stdout.encode("utf-8"), capture_output=True)
    assert res.returncode == 0, (res.stdout + res.stderr).decode()
    assert _tree(tmp_path / "diff") == _tree(tmp_path / "fix")
    assert sorted(_tree(tmp_path / "fix")) == ["my story-2.txt", "my story.txt"]
    assert "+++ ./my story-2.txt\t\n" in diff.stdout


def _git_desk_with_signed_merges(root):
    """A git repository: three files each holding two BBC politics articles, each article
    followed by the same sign-off line (so the line is in 3 files, 6 articles), a fourth
    file of two articles that are not split, and 20 other articles: 24 files."""
    politics = need_shared(BBC / "politics")
    root.mkdir()
    sign = "Reporting by the BBC News political desk."
    for k in range(4):
        a, b = (politics / f"{2 * k + n:03d}.txt" for n in (1, 2))
        text = (a.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{sign}\n\n"
                + b.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{sign}\n")
        (root / f"merged{k + 1}.txt").write_text(text, encoding="utf-8")
    for n in range(20, 40):
        (root / f"other{n}.txt").write_bytes((politics / f"{n:03d}.txt").read_bytes())
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(git + ["init", "-q", "."], cwd=root, check=True)
    subprocess.run(git + ["add", "-A"], cwd=root, check=True)
    subprocess.run(git + ["commit", "-qm", "desk"], cwd=root, check=True)
    return root


@pytest.mark.skipif(shutil.which("patch") is None or shutil.which("git") is None,
                    reason="patch(1) and git are needed")
def test_nl202_after_a_split_converges_in_one_fix_run(tmp_path):
    """The NL202 pre-pass counted the sign-off once per file (4 files, threshold 5); the split
    put it in 7 files, so `--fix --unsafe-fixes` said 'Found 11 errors (3 fixed, 8 remaining)',
    exit 1, with eight NL202 [*] findings, and a second run deleted them; `--diff` showed the
    first round only. Now one run fixes them all, and `--diff` shows what it writes."""
    desk = _git_desk_with_signed_merges(tmp_path / "desk")
    copy = tmp_path / "copy"
    shutil.copytree(desk, copy)
    diff = newslint("check", "--isolated", "--diff", "--unsafe-fixes", ".", cwd=desk).stdout
    first = newslint("check", "--isolated", "--fix", "--unsafe-fixes", ".", cwd=desk)
    assert first.returncode == 0 and "0 remaining" in first.stdout, first.stdout
    assert "NL202" not in first.stdout
    after = _tree(desk)
    assert "merged1-2.txt" in after
    assert not any(b"political desk" in text for text in after.values())
    # nothing lost but the sign-off: every other line of the merged files is still in the tree
    for k in range(1, 5):
        for line in (copy / f"merged{k}.txt").read_text(encoding="utf-8").splitlines():
            if line.strip() and "political desk" not in line:
                assert any(line.encode("utf-8") in text for text in after.values()), line
    second = newslint("check", "--isolated", "--fix", "--unsafe-fixes", ".", cwd=desk)
    assert second.returncode == 0 and _tree(desk) == after, second.stdout
    res = subprocess.run(["patch", "-p1", "--quiet", "--force", "--no-backup-if-mismatch"], cwd=copy,
                         input=diff.encode("utf-8"), capture_output=True)
    assert res.returncode == 0, (res.stdout + res.stderr).decode()
    assert _tree(copy) == after


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch(1) is not installed")
@pytest.mark.parametrize("tool", [["patch", "-p0", "--force", "--no-backup-if-mismatch"], ["git", "apply"]],
                         ids=["patch", "git apply"])
def test_diff_headers_name_any_file_the_way_patch_and_git_read_them(tmp_path, tool):
    """A name with a tab or a line break broke --diff's header ('can't find file to patch'),
    and `git apply` refused the whole diff for it (a review). Such names are C-quoted, as git
    quotes them; a name with a space still ends in a tab."""
    names = ["tab\tx.txt", 'q"uote.txt', "back\\slash.txt", "sp ace.txt", "plain.txt", "ünï.txt",
             "line\nbreak.txt"]
    if os.uname().sysname == "Linux":  # a name that is not UTF-8 (macOS refuses them)
        names.append(os.fsdecode(b"caf\xe9.txt"))
    for folder in ("fix", "diff"):
        (tmp_path / folder).mkdir()
        for name in names:
            (tmp_path / folder / name).write_bytes(need_shared(SAMPLE).read_bytes())
    diff = newslint("check", "--isolated", "--diff", ".", cwd=tmp_path / "diff")
    assert diff.returncode == 1
    newslint("check", "--isolated", "--fix", ".", cwd=tmp_path / "fix")
    if tool[0] == "git":
        subprocess.run(["git", "init", "-q"], cwd=tmp_path / "diff", check=True)
    res = subprocess.run(tool, cwd=tmp_path / "diff", input=diff.stdout.encode("utf-8", "surrogateescape"),
                         capture_output=True)
    assert res.returncode == 0, (res.stdout + res.stderr).decode(errors="replace")
    assert _tree(tmp_path / "diff") == _tree(tmp_path / "fix")
    assert len(_tree(tmp_path / "fix")) == len(names)
    assert set(_tree(tmp_path / "fix").values()) == {(SAMPLE.parent / "expected" / SAMPLE.name).read_bytes()}


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch(1) is not installed")
@pytest.mark.parametrize("given", [["a.txt", "link.txt"], ["link.txt", "a.txt"], ["."]])
def test_diff_of_a_file_and_a_link_to_it_is_one_patch(tmp_path, given):
    """--fix rewrites the file once (its second name then reads the fixed text); --diff showed
    the change under both names, and patch(1) applied the first and stopped on the link ('not
    a regular file', exit 1; a review). The link is left out with a note."""
    for folder in ("fix", "diff"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.txt").write_bytes(need_shared(SAMPLE).read_bytes())
        (tmp_path / folder / "link.txt").symlink_to("a.txt")
    diff = newslint("check", "--isolated", "--diff", *given, cwd=tmp_path / "diff")
    assert diff.returncode == 1 and diff.stdout.count("\n--- ") + diff.stdout.startswith("--- ") == 1, diff.stdout
    assert "link.txt: a link to " in diff.stderr and "a.txt, whose diff is shown" in diff.stderr
    newslint("check", "--isolated", "--fix", *given, cwd=tmp_path / "fix")
    res = subprocess.run(["patch", "-p0", "--force", "--no-backup-if-mismatch"], cwd=tmp_path / "diff",
                         input=diff.stdout.encode("utf-8"), capture_output=True)
    assert res.returncode == 0, (res.stdout + res.stderr).decode()
    assert _tree(tmp_path / "diff") == _tree(tmp_path / "fix")
    assert (tmp_path / "fix" / "a.txt").read_bytes() == (SAMPLE.parent / "expected" / SAMPLE.name).read_bytes()
