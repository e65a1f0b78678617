"""The CI reporters (sarif, github, junit, gitlab) on the real sample, and the CI snippets
of docs/ci.md run for real."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import EXPECTED, ROOT, SAMPLE, SHARED, need, run_newslint

SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"
CI_FIXTURES = Path(__file__).parent / "fixtures" / "ci"
NAME = SAMPLE.name
# what the sample holds (see ../shared/README.md): per article a repeated headline,
# three extra copies of the caption and a stray "TT"; and the merge itself
SAMPLE_CODES = {"NL101": 2, "NL102": 6, "NL201": 2, "NL301": 1}


def report(fmt: str, *paths, cwd) -> tuple[int, str]:
    out = run_newslint("check", "--output-format", fmt, *paths, cwd=cwd)
    assert out.returncode in (0, 1), out.stderr.decode()
    return out.returncode, out.stdout.decode("utf-8")


# --- SARIF ------------------------------------------------------------------------


@pytest.fixture
def sarif(sample):
    rc, text = report("sarif", NAME, cwd=sample.parent)
    assert rc == 1
    return json.loads(text)


def test_sarif_of_the_sample_validates_against_the_2_1_0_schema(sarif):
    import jsonschema

    schema = json.loads(need(SCHEMA).read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(sarif), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    assert sarif["version"] == "2.1.0" and len(sarif["runs"]) == 1


def test_sarif_rules_carry_the_rule_docs(sarif, sample):
    from newslint import __version__
    from newslint.registry import all_rules

    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["name"] == "newslint" and driver["version"] == __version__
    rules = {r["id"]: r for r in driver["rules"]}
    # the same rules `newslint rules` lists in that folder
    listed = json.loads(run_newslint("rules", "--output-format", "json", cwd=sample.parent).stdout)
    assert set(rules) == {r["code"] for r in listed}
    for r in listed:
        assert rules[r["code"]]["name"] == r["name"]
        assert rules[r["code"]]["shortDescription"]["text"] == r["summary"]
        assert rules[r["code"]]["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert rules[r["code"]]["defaultConfiguration"]["enabled"] == r["default"]
    builtin = all_rules()
    for code in ("NL101", "NL102", "NL201", "NL301"):
        assert rules[code]["fullDescription"]["text"] == builtin[code].doc()
        assert rules[code]["help"]["text"] == builtin[code].doc()
    assert "## Why" in rules["NL102"]["help"]["markdown"]


def test_sarif_results_point_at_the_findings(sarif):
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert run["columnKind"] == "unicodeCodePoints"
    counts = {}
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        counts[r["ruleId"]] = counts.get(r["ruleId"], 0) + 1
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == NAME  # relative, no "./"
    assert counts == SAMPLE_CODES

    by_line = {r["locations"][0]["physicalLocation"]["region"]["startLine"]: r for r in results}
    headline = by_line[7]  # "Assad to Visit Moscow ..." printed again
    assert headline["ruleId"] == "NL101"
    assert headline["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 7,
        "startColumn": 1,
        "endLine": 7,
        "endColumn": len(SAMPLE.read_text(encoding="utf-8").splitlines()[6]) + 1,
    }
    related = headline["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"] == NAME and related["region"]["startLine"] == 1
    fps = [r["partialFingerprints"]["newslint/v1"] for r in results]
    assert len(set(fps)) == len(fps)  # the four copies of a caption stay distinct


def test_sarif_fixes_are_the_safe_fixes(sarif, sample):
    """Every fixable finding carries its edit as a SARIF fix; applying them all removes
    the same lines as `newslint check --fix` (which also merges the blank runs left
    between removed blocks). The split of merged articles is not offered as a fix."""
    results = sarif["runs"][0]["results"]
    text = sample.read_text(encoding="utf-8")
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def offset(line, col):
        return starts[line - 1] + col - 1

    edits = []
    for r in results:
        if r["ruleId"] == "NL301":
            assert "fixes" not in r
            continue
        (fix,) = r["fixes"]
        assert fix["properties"]["applicability"] == "safe" and fix["description"]["text"]
        (change,) = fix["artifactChanges"]
        assert change["artifactLocation"]["uri"] == NAME
        for rep in change["replacements"]:
            reg = rep["deletedRegion"]
            edits.append(
                (
                    offset(reg["startLine"], reg["startColumn"]),
                    offset(reg["endLine"], reg["endColumn"]),
                    rep.get("insertedContent", {}).get("text", ""),
                )
            )
    for start, end, content in sorted(edits, reverse=True):
        text = text[:start] + content + text[end:]

    def squeeze(s):
        return re.sub(r"\n{3,}", "\n\n", s)

    assert squeeze(text) == squeeze(need(EXPECTED).read_text(encoding="utf-8"))


def test_sarif_clean_run_and_output_file(tmp_path):
    (tmp_path / "clean.txt").write_text("A short clean article.\n\nIt says one thing once.\n", encoding="utf-8")
    out = run_newslint("check", "--output-format", "sarif", "-o", "r.sarif", ".", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout == b""
    data = json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))
    assert data["runs"][0]["results"] == []
    assert data["runs"][0]["invocations"] == [{"executionSuccessful": True}]


# --- GitHub -------------------------------------------------------------------------

ANNOTATION = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::(?P<msg>.*)$")


def _props(s: str) -> dict:
    return dict(kv.split("=", 1) for kv in s.split(","))


def test_github_annotations_for_the_sample(sample):
    rc, text = report("github", NAME, cwd=sample.parent)
    assert rc == 1
    lines = text.splitlines()
    assert len(lines) == sum(SAMPLE_CODES.values())
    parsed = []
    for line in lines:
        m = ANNOTATION.match(line)
        assert m, line
        parsed.append((_props(m["props"]), m["msg"]))
    props, msg = next(p for p in parsed if p[0]["line"] == "7")
    assert props == {
        "file": NAME,
        "line": "7",
        "col": "1",
        "endLine": "7",
        "endColumn": props["endColumn"],
        "title": "NL101",
    }
    assert msg.startswith("Headline repeated")
    assert sorted(p["title"] for p, _ in parsed) == sorted(c for c, n in SAMPLE_CODES.items() for _ in range(n))


def test_github_escaping():
    from newslint.diagnostics import Diagnostic
    from newslint.report.github import annotation

    d = Diagnostic("NL501", "100% junk\r\nline: a, b", "news/a,b:c.txt", 3, 2, 3, 9)
    line = annotation(d)
    assert "\n" not in line and "\r" not in line
    assert line == (
        "::error file=news/a%2Cb%3Ac.txt,line=3,col=2,endLine=3,endColumn=9,title=NL501::100%25 junk%0D%0Aline: a, b"
    )
    multi = annotation(Diagnostic("NL103", "m", "a.txt", 3, 1, 5, 4))
    assert ",col=" not in multi and "endLine=5" in multi  # GitHub takes columns on one line only


# --- JUnit --------------------------------------------------------------------------


def test_junit_one_suite_per_file_one_case_per_finding(sample):
    """A file's findings were many <failure>s of one test case: the JUnit schema allows one,
    and Jenkins, GitLab and most parsers showed the first (1 of the sample's 11). Now, as
    ruff's report: a suite per file, a failing case per finding, one passing case per clean file."""
    (sample.parent / "clean.txt").write_text("A short clean article.\n\nIt says one thing once.\n", encoding="utf-8")
    rc, text = report("junit", ".", cwd=sample.parent)
    assert rc == 1
    root = ET.fromstring(text.encode("utf-8"))
    expected_codes = sorted(c for c, n in SAMPLE_CODES.items() for _ in range(n))
    n = len(expected_codes)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == (str(n + 1), str(n), "0")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {NAME, "clean.txt"}
    (clean,) = suites["clean.txt"].iter("testcase")
    assert list(clean) == [] and suites["clean.txt"].get("failures") == "0"
    cases = list(suites[NAME].iter("testcase"))
    assert suites[NAME].get("tests") == suites[NAME].get("failures") == str(n)
    assert all(len(list(c)) == 1 and c.find("failure") is not None for c in cases)  # one failure a case
    assert sorted(c.find("failure").get("type") for c in cases) == expected_codes
    assert len({c.get("name") for c in cases}) == n and all(c.get("classname") == NAME for c in cases)
    first = cases[0]
    assert (first.get("name"), first.get("line")) == ("NL102 4:1", "4")
    assert first.find("failure").get("message").startswith("NL102 Caption repeated")
    assert first.find("failure").text.startswith(f"{NAME}:4:1: NL102") and f"related: {NAME}:3" in first.find("failure").text


def test_junit_stays_valid_xml_with_control_characters_and_markup():
    from newslint.diagnostics import Diagnostic
    from newslint.engine import FileResult
    from newslint.report import Run, printable
    from newslint.report.junit import render

    d = Diagnostic("NL502", "control character '\x0c' and <p> & \"quotes\" \udcff", "a&b.txt", 1, 1, 1, 2)
    text = printable(render(Run([FileResult("a&b.txt", [d])])), "junit")  # as the CLI writes it
    root = ET.fromstring(text.encode("utf-8"))
    (failure,) = root.iter("failure")
    assert failure.get("message") == "NL502 control character '\\x0c' and <p> & \"quotes\" \\xff"
    assert root.find("testsuite").get("name") == root.find("testsuite/testcase").get("classname") == "a&b.txt"


def test_junit_unreadable_file_is_an_error(tmp_path):
    (tmp_path / "broken.txt").symlink_to("nowhere.txt")
    out = run_newslint("check", "--output-format", "junit", "broken.txt", cwd=tmp_path)
    assert out.returncode == 2  # an I/O error, not a finding
    root = ET.fromstring(out.stdout)
    suite = root.find("testsuite")
    for totals in (root, suite):
        assert (totals.get("tests"), totals.get("failures"), totals.get("errors")) == ("1", "0", "1")
    case = suite.find("testcase")
    assert case.find("failure") is None and case.find("error").get("type") == "NL500"


def test_junit_binary_file_is_a_skipped_case_not_a_pass(sample):
    # a PNG header and NUL bytes: the file is skipped unread, so it neither passed nor failed
    (sample.parent / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    rc, text = report("junit", ".", cwd=sample.parent)
    assert rc == 1  # the sample's findings; the binary file adds none
    root = ET.fromstring(text.encode("utf-8"))
    n = sum(SAMPLE_CODES.values())
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (str(n + 1), str(n), "0", "1")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    (case,) = suites["photo.txt"].iter("testcase")
    (skipped,) = list(case)
    assert skipped.tag == "skipped" and skipped.get("message") == "binary file (NUL bytes); skipped"
    assert suites["photo.txt"].get("skipped") == "1" and suites[NAME].get("skipped") == "0"
    assert not any(c.find("skipped") is not None for c in suites[NAME].iter("testcase"))


# --- GitLab -------------------------------------------------------------------------


def test_gitlab_code_quality_fields(sample):
    rc, text = report("gitlab", NAME, cwd=sample.parent)
    assert rc == 1
    items = json.loads(text)
    assert len(items) == sum(SAMPLE_CODES.values())
    for item in items:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(item)
        assert item["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert item["location"]["path"] == NAME
        assert isinstance(item["location"]["lines"]["begin"], int)
        assert item["description"].startswith(item["check_name"] + " ")
    assert len({i["fingerprint"] for i in items}) == len(items)
    assert {i["check_name"] for i in items} == set(SAMPLE_CODES)


@pytest.mark.parametrize("fmt, variable", [("gitlab", "CI_PROJECT_DIR"), ("github", "GITHUB_WORKSPACE")])
def test_ci_paths_are_relative_to_the_checkout_from_a_subfolder(sample, monkeypatch, fmt, variable):
    """A CI job that runs the check from a subfolder: GitLab and GitHub place findings by
    paths from the checkout root, which they name in these variables (the paths were
    relative to the subfolder, so the findings landed on no file)."""
    sub = sample.parent / "wire" / "2024"
    sub.mkdir(parents=True)
    sample.rename(sub / "merged.txt")
    plain = run_newslint("check", "--output-format", fmt, "merged.txt", cwd=sub).stdout.decode()
    monkeypatch.setenv(variable, str(sample.parent))
    res = run_newslint("check", "--output-format", fmt, "merged.txt", cwd=sub).stdout.decode()
    if fmt == "gitlab":
        assert {i["location"]["path"] for i in json.loads(plain)} == {"merged.txt"}
        assert {i["location"]["path"] for i in json.loads(res)} == {"wire/2024/merged.txt"}
    else:
        assert "file=merged.txt," in plain and "file=wire/2024/merged.txt," in res
        assert "file=merged.txt," not in res


@pytest.mark.parametrize("fmt, variable", [("gitlab", "CI_PROJECT_DIR"), ("github", "GITHUB_WORKSPACE")])
def test_ci_paths_stay_relative_when_the_checkout_is_reached_through_a_symlink(sample, tmp_path, monkeypatch, fmt,
                                                                              variable):
    """A runner whose build folder is a symlink (macOS /tmp, some runners): the variable
    keeps the link, the working directory is resolved, and every path came out absolute,
    which GitHub and GitLab place on no file."""
    sub = sample.parent / "wire"
    sub.mkdir()
    sample.rename(sub / "merged.txt")
    link = tmp_path / "checkout-link"
    link.symlink_to(sample.parent, target_is_directory=True)
    monkeypatch.setenv(variable, str(link))
    (sub / "latest.txt").symlink_to("merged.txt")  # a file that is itself a link keeps its own name
    res = run_newslint("check", "--output-format", fmt, "wire", "wire/latest.txt", cwd=link).stdout.decode()
    if fmt == "gitlab":
        assert {i["location"]["path"] for i in json.loads(res)} == {"wire/merged.txt", "wire/latest.txt"}
    else:
        assert "file=wire/merged.txt," in res and "file=wire/latest.txt," in res and "file=/" not in res


def test_gitlab_fingerprints_survive_moved_lines(sample):
    """An editor adds a paragraph at the top: every finding moves down two lines and
    keeps its fingerprint, so GitLab shows nothing as new or fixed."""
    _, before = report("gitlab", NAME, cwd=sample.parent)
    text = sample.read_text(encoding="utf-8")
    sample.write_text(
        "An editor's note added at the top of the file, which moves every line below it down.\n\n" + text,
        encoding="utf-8",
    )
    _, after = report("gitlab", NAME, cwd=sample.parent)
    old = {i["fingerprint"]: i for i in json.loads(before)}
    new = {i["fingerprint"]: i for i in json.loads(after)}
    assert len(new) >= len(old) - 1  # (the first headline may stop counting as one)
    for fp, item in new.items():
        assert fp in old, f"new fingerprint for {item['description']}"
        assert item["check_name"] == old[fp]["check_name"]
        assert item["location"]["lines"]["begin"] == old[fp]["location"]["lines"]["begin"] + 2


def _marked(full: str) -> list[str]:
    """The lines the `full` format marks as flagged ('  >   NN | text'), as 'NN text'."""
    return [" ".join(ln.split("|", 1)[0].split()[1:]) + " " + ln.split("| ", 1)[1]
            for ln in full.splitlines() if ln.startswith("  > ")]


def test_full_format_shows_the_lines_it_checked(sample, tmp_path):
    """`full` shows each finding's lines as newslint read them: stdin's own text (it showed
    the file on disk that --stdin-filename names), lines as the document counts them (a
    U+2028 or form feed in a line moved the marker to the wrong line), and text decoded with
    the configured encoding (a Latin-1 file came out with U+FFFD)."""
    text = sample.read_text(encoding="utf-8")
    (tmp_path / "desk.txt").write_text("An unrelated file on disk.\n" * 20, encoding="utf-8")
    out = run_newslint("check", "--output-format", "full", "--stdin-filename", "desk.txt", "-",
                       cwd=tmp_path, input=text.encode("utf-8")).stdout.decode()
    assert "5 TT" in _marked(out) and "unrelated" not in out

    lines = text.split("\n")
    lines[1] = "A line\u2028with a line separator and a\fform feed"  # line 2, before every finding
    sample.write_text("\n".join(lines), encoding="utf-8")
    out = run_newslint("check", "--output-format", "full", sample.name, cwd=sample.parent).stdout.decode()
    assert "5 TT" in _marked(out) and "7 " + lines[6] in _marked(out)

    latin = tmp_path / "latin"
    latin.mkdir()
    (latin / "newslint.toml").write_text('encoding = "latin-1"\n')
    body = "Café owners protest new tax in Paris\n\nCafé owners protest new tax in Paris\n\nThe owners of " \
           "cafés across the city marched on Monday against a tax on terraces, which they say will close many.\n"
    (latin / "cafe.txt").write_bytes(body.encode("latin-1"))
    out = run_newslint("check", "--output-format", "full", "cafe.txt", cwd=latin).stdout.decode()
    assert "3 Café owners protest new tax in Paris" in _marked(out) and "\ufffd" not in out


@pytest.mark.parametrize("fmt", ["text", "full", "json", "json-lines", "sarif", "github", "gitlab", "junit"])
def test_a_file_name_that_is_not_utf8_gives_a_valid_report(tmp_path, fmt):
    """Old archives hold Latin-1 file names. Every report stays valid UTF-8 (and JSON, XML),
    naming the byte as \\xNN (SARIF: a percent-encoded URI); with -o, a report is written in
    full. SARIF crashed (exit 2), -o left an empty file, JSON on stdout held a raw 0xE9."""
    if sys.platform == "darwin":
        pytest.skip("macOS file systems refuse names that are not UTF-8")
    folder = tmp_path / "archive"
    folder.mkdir()
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text("\n".join(lines[:12]) + "\n", encoding="utf-8")
    out = run_newslint("check", "--no-cache", "--output-format", fmt, ".", cwd=folder)
    assert out.returncode == 1, out.stderr.decode()
    text = out.stdout.decode("utf-8")  # strict: raises on a raw byte
    shown = {"sarif": "caf%E9.txt", "json": "caf\\\\xe9.txt", "json-lines": "caf\\\\xe9.txt",
             "gitlab": "caf\\\\xe9.txt"}.get(fmt, "caf\\xe9.txt")  # a JSON string escapes the backslash
    assert shown in text
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(text)
    elif fmt == "json-lines":
        assert all(json.loads(line)["filename"] == "caf\\xe9.txt" for line in text.splitlines())
    elif fmt == "junit":
        ET.fromstring(text)
    report_file = tmp_path / "report.out"
    report_file.write_text("old report")
    out = run_newslint("check", "--no-cache", "--output-format", fmt, "-o", report_file, ".", cwd=folder)
    assert out.returncode == 1, out.stderr.decode()
    assert report_file.read_text(encoding="utf-8") == text


def test_fingerprints_depend_on_text_not_lines():
    from newslint.diagnostics import Diagnostic
    from newslint.report._common import fingerprints

    a = Diagnostic("NL102", "copy 2", "./x.txt", 4, 1, 4, 9, fingerprint_text="caption (afp)")
    b = Diagnostic("NL102", "copy 3", "./x.txt", 9, 1, 9, 9, fingerprint_text="caption (afp)")
    moved = [
        Diagnostic("NL102", "copy 2", "x.txt", 40, 1, 40, 9, fingerprint_text="caption (afp)"),
        Diagnostic("NL102", "copy 3", "x.txt", 90, 1, 90, 9, fingerprint_text="caption (afp)"),
    ]
    assert fingerprints([a, b]) == fingerprints(moved)
    assert len(set(fingerprints([a, b]))) == 2
    other_file = [Diagnostic("NL102", "copy 2", "y.txt", 4, 1, 4, 9, fingerprint_text="caption (afp)")]
    assert fingerprints(other_file)[0] != fingerprints([a])[0]


# --- the CI snippets of docs/ci.md --------------------------------------------------


def _yaml(name: str):
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load((CI_FIXTURES / name).read_text(encoding="utf-8"))


def _run_command_line(line: str, cwd: Path) -> subprocess.CompletedProcess:
    argv = shlex.split(line)
    assert argv[0] == "newslint", line
    return subprocess.run(
        [sys.executable, "-m", "newslint", *argv[1:]],
        check=False,
        cwd=cwd,
        capture_output=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=300,
    )


def _newslint_lines(commands) -> list[str]:
    lines = []
    for cmd in commands:
        for line in str(cmd).splitlines():
            if line.strip().startswith("newslint "):
                lines.append(line.strip())
    return lines


def _output_file(line: str) -> str:
    argv = shlex.split(line)
    return argv[argv.index("--output-file") + 1]


def test_ci_snippet_github_workflow_runs(sample):
    import jsonschema

    wf = _yaml("github-workflow.yml")
    (job,) = wf["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    steps = job["steps"]
    lines = _newslint_lines(s["run"] for s in steps if "run" in s)
    assert len(lines) == 2
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    assert upload["if"] == "${{ !cancelled() }}"

    annotate = _run_command_line(lines[0], sample.parent)
    assert annotate.returncode == 1  # findings fail the job
    assert annotate.stdout.decode().startswith("::error file=" + NAME)

    sarif_step = _run_command_line(lines[1], sample.parent)
    assert sarif_step.returncode == 0, sarif_step.stderr  # --exit-zero: the upload always has a file
    assert _output_file(lines[1]) == upload["with"]["sarif_file"]
    data = json.loads((sample.parent / upload["with"]["sarif_file"]).read_text(encoding="utf-8"))
    schema = json.loads(need(SCHEMA).read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(data)
    assert len(data["runs"][0]["results"]) == sum(SAMPLE_CODES.values())


def test_ci_snippet_gitlab_job_runs(sample):
    (job,) = _yaml("gitlab-ci.yml").values()
    lines = _newslint_lines(job["script"])
    assert len(lines) == 2
    reports = job["artifacts"]["reports"]
    assert job["artifacts"]["when"] == "always"

    quality = _run_command_line(lines[0], sample.parent)
    assert quality.returncode == 0, quality.stderr
    assert _output_file(lines[0]) == reports["codequality"]
    items = json.loads((sample.parent / reports["codequality"]).read_text(encoding="utf-8"))
    assert len(items) == sum(SAMPLE_CODES.values()) and all(i["location"]["path"] == NAME for i in items)

    junit = _run_command_line(lines[1], sample.parent)
    assert junit.returncode == 1  # the job fails on findings; the reports are still uploaded
    assert _output_file(lines[1]) == reports["junit"]
    root = ET.parse(sample.parent / reports["junit"]).getroot()
    # the codequality report written by the line before is not a checked text file
    assert {s.get("name") for s in root.iter("testsuite")} == {NAME}
    assert len(list(root.iter("testcase"))) == sum(SAMPLE_CODES.values())


def test_ci_snippet_pre_commit_config_uses_our_hooks():
    import yaml

    config = _yaml("pre-commit-config.yml")
    manifest = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    (repo,) = config["repos"]
    assert {h["id"] for h in repo["hooks"]} <= manifest


def test_docs_match_the_ci_fixtures():
    """docs/ci.md shows exactly the files the tests above run."""
    doc = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", doc, flags=re.DOTALL)
    for name in ("pre-commit-config.yml", "github-workflow.yml", "gitlab-ci.yml"):
        assert (CI_FIXTURES / name).read_text(encoding="utf-8") in blocks, name


def test_the_ci_snippets_install_no_stale_commit():
    """The CI jobs pinned `newslint@0e2b108`, 389 commits behind HEAD when a review found it,
    after the pre-commit `rev:` had been moved to a placeholder for that very reason."""
    doc = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    refs = re.findall(r"git\+https://\S+?/newslint@([^\"'\s]+)", doc)
    assert len(refs) == 2, refs  # the GitHub and GitLab jobs
    assert refs == ["COMMIT-SHA", "COMMIT-SHA"], refs
    assert "in place of `COMMIT-SHA`" in doc


def test_paths_are_relative_and_uris_encoded(tmp_path, monkeypatch):
    from newslint.report.paths import display_path
    from newslint.report.sarif import _uri

    monkeypatch.chdir(tmp_path)
    inside = tmp_path / "news desk" / "día 1.txt"
    assert display_path(str(inside)) == "news desk/día 1.txt"
    assert display_path("./news desk/día 1.txt") == "news desk/día 1.txt"
    assert _uri(str(inside)) == "news%20desk/d%C3%ADa%201.txt"
    outside = tmp_path.parent / "elsewhere.txt"
    assert display_path(str(outside)) == str(outside)
    assert _uri(str(outside)).startswith("file:///") and _uri(str(outside)).endswith("/elsewhere.txt")


def test_json_report_is_byte_for_byte_what_the_json_module_writes(tmp_path):
    """The JSON reporter's own indenting encoder against json.dumps(indent=2), on a real
    report (BBC articles with every kind of finding, the sample with fixes and edits) and on
    the values a report can hold."""
    from newslint.report.json import dumps_indented

    folder = tmp_path / "articles"
    shutil.copytree(need(SHARED / "corpora" / "bbc" / "articles" / "tech"), folder / "tech")
    (folder / NAME).write_bytes(SAMPLE.read_bytes())
    rc, text = report("json", ".", cwd=folder)
    items = json.loads(text)
    assert {d["code"] for d in items} >= {"NL101", "NL102", "NL201", "NL202", "NL401", "NL402", "NL403"}
    assert any(d["fix"] and d["fix"]["edits"] for d in items)
    assert text == json.dumps(items, indent=2, ensure_ascii=False) + "\n"
    for value in ([], {}, [{}], [[], [1, -2]], {"a": {"b": []}}, [1.0, 0.9841, 1e-07, float("nan"), float("inf"),
                  float("-inf"), None, True, False], ["é\"\\\n\t\u2028\x00 — «quoted»", "日本語"]):
        assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False), value


def test_corpus_boilerplate_fix_carries_its_edits_in_json_and_sarif(tmp_path):
    """NL202's unsafe fix deletes the flagged line; the JSON and SARIF reports must say so
    with edits (they were empty: the corpus pass built the fix, but only the in-file linter
    turned a fix's offsets into rows and columns)."""
    folder = tmp_path / "articles"
    shutil.copytree(need(SHARED / "corpora" / "bbc" / "articles" / "tech"), folder / "tech")
    items = [d for d in json.loads(report("json", ".", cwd=folder)[1]) if d["code"] == "NL202"]
    assert items
    for d in items:
        (edit,) = d["fix"]["edits"]
        lines = (folder / d["filename"]).read_text(encoding="utf-8").split("\n")
        assert edit["content"] == ""
        # the deletion covers the flagged line (and the blank line that separated it)
        assert edit["location"]["row"] <= d["location"]["row"] <= edit["end_location"]["row"]
        assert lines[d["location"]["row"] - 1].strip()
    sarif = json.loads(report("sarif", ".", cwd=folder)[1])
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "NL202"]
    assert len(results) == len(items) and all(r.get("fixes") for r in results)


def test_json_findings_template_and_its_general_path_write_what_the_json_module_writes():
    """The reporter writes a finding's fixed part from a template; a finding whose values are
    not plain str and int (a library caller's, say a numpy integer row or a None severity)
    goes the general way. Both must be json.dumps(indent=2) byte for byte."""
    from newslint.diagnostics import Diagnostic, Related
    from newslint.report import Run
    from newslint.report.json import diagnostic_dict, render

    class Row(int):  # an int subclass (IntEnum, numpy ints) is written as json writes it
        pass

    found = [
        Diagnostic("NL402", 'Near-duplicate of "reuters/0001.txt" — 91% «same»', "dir with space/ü.txt", 3, 1, 9, 80,
                   related=(Related("reuters/0001.txt", 1, 1, 0.912, "near copy"), Related("b.txt", None, None, None))),
        Diagnostic("NL202", "Line in 12 of 40 files:\n\t\"Share this\"", "a.txt", Row(2), 1, 2, 11),
        Diagnostic("NL201", "Boilerplate line", "a.txt", 4, 1, 4, 3, severity=None),
    ]
    run = Run([type("R", (), {"diagnostics": found})()])
    assert render(run) == json.dumps([diagnostic_dict(d) for d in run.diagnostics], indent=2, ensure_ascii=False) + "\n"
    assert render(Run([])) == "[]\n" == json.dumps([], indent=2) + "\n"


# --- one form of a file name in every machine-readable report --------------------------

# a real near-duplicate pair of the BBC corpus (word 5-gram Jaccard 0.92), filed in two desks
NEAR_PAIR = {"business/a.txt": "entertainment/079.txt", "sport/b.txt": "entertainment/331.txt"}


@pytest.fixture
def desks(tmp_path):
    """A git repository of news desks holding the pair, committed."""
    repo = tmp_path / "news"
    for name, rel in NEAR_PAIR.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(need(SHARED / "corpora" / "bbc" / "articles" / rel), repo / name)
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "two desks"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env, capture_output=True)
    return repo


@pytest.mark.parametrize("fmt", ["json", "json-lines"])
def test_json_names_a_file_alike_however_its_path_was_given(desks, fmt):
    """`newslint check .` reported './business/a.txt', the hook (bare names) 'business/a.txt':
    a CI tool comparing two reports saw two files. JSON now writes the CI formats' one form
    (relative to the working folder, no './'), for the finding and for its related file, and
    a baseline written by `check .` still accepts the hook's findings."""
    def names(*paths):
        rc, text = report(fmt, "--no-cache", *paths, cwd=desks)
        found = json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()]
        return rc, sorted((d["filename"], d["code"], tuple(r["filename"] for r in d["related"])) for d in found)

    want = [("business/a.txt", "NL402", ("sport/b.txt",)), ("sport/b.txt", "NL402", ("business/a.txt",))]
    assert names(".") == names("./business/a.txt", "sport//b.txt") == names(*NEAR_PAIR) == (1, want)

    baseline = desks.parent / "baseline.json"
    assert run_newslint("check", "--no-cache", ".", "--write-baseline", baseline, cwd=desks).returncode == 0
    for paths in ((".",), tuple(NEAR_PAIR)):
        res = run_newslint("check", "--no-cache", "--output-format", fmt, "--baseline", baseline, *paths, cwd=desks)
        assert res.returncode == 0 and b"stale" not in res.stderr, res.stdout.decode() + res.stderr.decode()


MACHINE_FORMATS = ["json", "json-lines", "sarif", "github", "junit", "gitlab"]


@pytest.mark.parametrize("fmt", MACHINE_FORMATS)
def test_a_partner_named_in_a_message_is_in_the_form_of_the_files_own_path(desks, fmt):
    """A GitHub job checking from a desk's folder (GITHUB_WORKSPACE the checkout) annotated
    business/a.txt with "Near-duplicate article: ... with ../sport/b.txt": the file's own
    path from the checkout, its partner's from the working folder. The partners named in a
    message now take the form of the file's path, so the report is the one a run from the
    checkout's top writes, byte for byte."""
    def run(cwd, *paths):
        env = dict(os.environ, NO_COLOR="1", GITHUB_WORKSPACE=str(desks))
        out = subprocess.run([sys.executable, "-m", "newslint", "check", "--no-cache", "--output-format", fmt,
                              *paths], cwd=cwd, env=env, capture_output=True, timeout=600)
        assert out.returncode == 1, out.stderr.decode()
        return out.stdout.decode("utf-8")

    top = run(desks, ".")
    assert "with sport/b.txt (0.92)" in top and "with business/a.txt (0.92)" in top, top
    assert run(desks / "business", ".", "../sport") == top
    assert run(desks / "business", "a.txt", "./../sport/b.txt") == top
