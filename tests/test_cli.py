"""The command line: selection, formats, exit codes, stdin, --diff, docs."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from conftest import SAMPLE, need, run_newslint


def test_select_prefix_and_ignore(cli, sample):
    codes = lambda res: sorted({d["code"] for d in json.loads(res.stdout)})  # noqa: E731
    assert codes(cli("check", sample, "--select", "NL1", "--output-format", "json")) == ["NL101", "NL102"]
    assert codes(cli("check", sample, "--select", "NL1,NL3", "--ignore", "NL102", "--output-format", "json")) == [
        "NL101", "NL301"]
    # the more specific code wins over a broader prefix
    assert codes(cli("check", sample, "--ignore", "NL1", "--select", "NL102", "--output-format", "json")) == [
        "NL102"]


def test_unknown_code_is_a_usage_error(cli, sample):
    res = cli("check", sample, "--select", "XX9")
    assert res.exit_code == 2
    assert "unknown rule code or prefix: XX9" in res.output


def test_missing_path_is_a_usage_error_without_traceback(sample):
    res = run_newslint("check", sample.parent / "nope.txt")
    assert res.returncode == 2
    assert b"path does not exist" in res.stderr and b"Traceback" not in res.stderr


def test_exit_codes(cli, sample, tmp_path):
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "a.txt").write_text(need(SAMPLE).read_text(encoding="utf-8").split("\n")[11] + "\n", encoding="utf-8")
    assert cli("check", clean).exit_code == 0
    assert "All checks passed!" in cli("check", clean).stdout
    assert cli("check", sample).exit_code == 1
    assert cli("check", sample, "--exit-zero").exit_code == 0


def test_json_fields_follow_ruff(cli, sample):
    items = json.loads(cli("check", sample, "--output-format", "json").stdout)
    caption = next(d for d in items if d["code"] == "NL102")
    assert set(caption) >= {"code", "message", "filename", "location", "end_location", "fix", "related"}
    assert caption["location"] == {"row": 4, "column": 1}
    assert caption["fix"]["applicability"] == "safe"
    (edit,) = caption["fix"]["edits"]
    assert edit["content"] == "" and edit["location"] == {"row": 4, "column": 1}
    assert edit["end_location"] == {"row": 5, "column": 1}
    assert caption["related"] == [{"filename": str(sample), "location": {"row": 3, "column": 1},
                                   "similarity": 1.0, "message": "first copy"}]
    split = next(d for d in items if d["code"] == "NL301")
    assert split["fix"]["applicability"] == "unsafe"


def test_output_file(cli, sample, tmp_path):
    out = tmp_path / "report.json"
    res = cli("check", sample, "--output-format", "json", "-o", out)
    assert res.stdout == ""
    assert len(json.loads(out.read_text())) == 11


def test_quiet_prints_findings_only(cli, sample):
    lines = cli("check", sample, "-q").stdout.splitlines()
    assert len(lines) == 11 and all(" NL" in ln for ln in lines)


def test_statistics(cli, sample):
    out = cli("check", sample, "--statistics").stdout
    assert "     6  NL102" in out and "repeated-caption" in out


def test_stdin_check_and_fix(sample):
    data = sample.read_bytes()
    res = run_newslint("check", "-", "--stdin-filename", "in.txt", "--output-format", "json", input=data)
    assert res.returncode == 1
    assert {d["filename"] for d in json.loads(res.stdout)} == {"in.txt"}
    fixed = run_newslint("check", "-", "--fix", input=data)
    assert fixed.stdout == need(SAMPLE.parent / "expected" / SAMPLE.name).read_bytes()
    assert b"10 fixed, 1 remaining" in fixed.stderr


@pytest.mark.skipif(shutil.which("patch") is None, reason="needs patch(1)")
def test_diff_writes_nothing_and_applies_with_patch(sample, tmp_path):
    before = sample.read_bytes()
    res = run_newslint("check", "--diff", sample.name, cwd=sample.parent)
    assert res.returncode == 1
    assert sample.read_bytes() == before
    assert res.stdout.startswith(b"--- aawsat_two_articles.txt")
    subprocess.run(["patch", "-p0", "-s"], input=res.stdout, cwd=sample.parent, check=True)
    assert sample.read_bytes() == need(SAMPLE.parent / "expected" / SAMPLE.name).read_bytes()


def test_fix_and_diff_together_is_rejected(cli, sample):
    assert cli("check", "--fix", "--diff", sample).exit_code == 2


def test_folder_discovery_skips_hidden_and_vcs(cli, sample, tmp_path):
    root = sample.parent
    (root / ".git").mkdir()
    (root / ".git" / "x.txt").write_bytes(sample.read_bytes())
    (root / ".hidden.txt").write_bytes(sample.read_bytes())
    (root / "notes.rst").write_bytes(sample.read_bytes())
    sub = root / "sub"
    sub.mkdir()
    (sub / "b.md").write_bytes(sample.read_bytes())
    files = {d["filename"] for d in json.loads(cli("check", root, "--output-format", "json").stdout)}
    assert files == {str(sample), str(sub / "b.md")}


def test_rule_docs(cli):
    out = cli("rule", "NL102").stdout
    assert out.startswith("# NL102 repeated-caption")
    for section in ("## What it flags", "## Why", "## Example", "## Fix safety"):
        assert section in out
    assert cli("rule", "NL999").exit_code == 2


def test_every_rule_documents_itself(cli):
    rules = json.loads(cli("rules", "--output-format", "json").stdout)
    codes = [r["code"] for r in rules]
    assert codes == sorted(codes) and {"NL101", "NL102", "NL103", "NL104", "NL201", "NL301", "NL501"} <= set(codes)
    for r in rules:
        assert r["summary"] and r["source"] == "builtin" and isinstance(r["fixable"], bool)
        doc = cli("rule", r["code"]).stdout
        assert "Fix safety" in doc, r["code"]


def test_python_dash_m_and_version():
    res = run_newslint("--version")
    assert res.returncode == 0 and res.stdout.startswith(b"newslint, version ")


def test_discover_orders_and_dedupes_across_roots(sample, tmp_path):
    """Each folder's files sorted, every path once, in the order the roots were given: the
    plain-suffix walk and the glob walk (an exclude) agree, and a file given before its
    folder is not listed twice."""
    from newslint.files import discover

    root = sample.parent
    text = sample.read_bytes()
    for rel in ("desk/b.txt", "desk/a.md", "desk/.draft.txt", "desk/old/c.txt", "wire/z.txt", "wire/notes.rst"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(text)
    desk, wire = str(root / "desk"), str(root / "wire")
    walked = list(discover([desk, wire, desk]))
    assert walked == [f"{desk}/a.md", f"{desk}/b.txt", f"{desk}/old/c.txt", f"{wire}/z.txt"]
    assert list(discover([f"{wire}/z.txt", wire, desk])) == [f"{wire}/z.txt"] + walked[:3]
    assert list(discover([desk], exclude=("old",))) == walked[:2]
    assert list(discover([desk], include=("*.t?t",))) == [f"{desk}/b.txt", f"{desk}/old/c.txt"]
