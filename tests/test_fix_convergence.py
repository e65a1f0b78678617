"""--fix converging on the real sample: a split-off article is fixed as the file it becomes,
so that a second run changes nothing and `--diff` shows what `--fix` writes."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from newsdocs import SAMPLE, need_shared, newslint

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
