"""A user's catastrophic pattern cannot hang `newslint check` (issue 3).

`(a+)+$` against a 40,000-character line of a's ending in "!" backtracks for a very long
time in a plain backtracking engine (measured here with the `regex` module and no time
limit: 5.9 s for 1,000 characters, 34 s for 2,000). newslint.packs runs every match with a
1 s time limit; when it is hit the run stops that file with exit code 2 and a message that
names the pack and the rule. Measured: the whole CLI run takes about 2.4 s.

Runs newslint as a real process in a temp folder whose pyproject.toml loads the user pack
(`rule-packs = ["pack.toml"]`), as a user would.
"""

from __future__ import annotations

import time

import pytest

from conftest import run_newslint

PACK = """\
[pack]
name = "user-pack"

[[rule]]
code = "USR101"
id = "nested-quantifier"
kind = "{kind}"
message = "found {{match!r}}"
pattern = '(a+)+$'
{extra}
[rule.examples]
valid = ["b"]
invalid = ["aaa"]
"""


def project(tmp_path, kind: str = "existence", extra: str = "", body: str | None = None):
    (tmp_path / "pyproject.toml").write_text('[tool.newslint]\nrule-packs = ["pack.toml"]\n', encoding="utf-8")
    (tmp_path / "pack.toml").write_text(PACK.format(kind=kind, extra=extra), encoding="utf-8")
    text = body if body is not None else "A headline for the test\n\n" + "a" * 40_000 + "!\n"
    (tmp_path / "article.txt").write_text(text, encoding="utf-8")
    return tmp_path


def timed_check(cwd, *args):
    """Run the check; the time is printed for the record, never asserted (a hang would
    trip the subprocess timeout in run_newslint instead)."""
    start = time.perf_counter()
    res = run_newslint("check", "article.txt", "--output-format", "concise", *args, cwd=cwd)
    return res, time.perf_counter() - start


def test_catastrophic_existence_pattern_is_stopped_with_a_message_naming_the_rule(tmp_path):
    res, seconds = timed_check(project(tmp_path))
    out = (res.stdout + res.stderr).decode()
    print(f"\n(a+)+$ existence on a 40,000-character line: exit {res.returncode} after {seconds:.2f} s")
    if res.returncode == 2:
        assert "nested-quantifier" in out and "pack.toml" in out, out
        assert "took over" in out and "40,001-character line" in out, out
    else:  # a linear-time engine would simply finish
        assert res.returncode in (0, 1), out


def test_catastrophic_occurrence_pattern_is_stopped_too(tmp_path):
    res, seconds = timed_check(project(tmp_path, kind="occurrence", extra="max = 1"))
    out = (res.stdout + res.stderr).decode()
    print(f"\n(a+)+$ occurrence on a 40,000-character line: exit {res.returncode} after {seconds:.2f} s")
    assert res.returncode == 2 and "nested-quantifier" in out, out


def test_whole_line_kind_skips_lines_too_long_to_be_boilerplate(tmp_path):
    """kind = "line" only tries its pattern on lines of at most 300 characters."""
    res, seconds = timed_check(project(tmp_path, kind="line"))
    out = (res.stdout + res.stderr).decode()
    print(f"\n(a+)+$ line kind on a 40,000-character line: exit {res.returncode} after {seconds:.2f} s")
    assert res.returncode in (0, 1), out
    assert "USR101" not in out


def test_the_same_pack_still_works_on_normal_text(tmp_path):
    res, _ = timed_check(project(tmp_path, body="A headline for the test\n\nThe body of the article.\n\naaa\n"))
    out = res.stdout.decode()
    assert res.returncode == 1 and "USR101" in out, out


@pytest.mark.slow
def test_many_slow_lines_are_stopped_as_a_whole(tmp_path):
    """Each user rule has a per-file budget (packs.FILE_BUDGET), not only a per-call limit.
    Each line costs the pattern well under the 1 s call limit (600 a's: 0.35 s on the machine
    of session 21), all of them together several times the 3 s budget: 12 lines of 450 a's
    (0.15 s each) stayed under it there, and the file passed."""
    body = "A headline for the test\n\n" + "".join("a" * 600 + "!\n\n" for _ in range(40))
    res, seconds = timed_check(project(tmp_path, body=body))
    print(f"\n(a+)+$ on 40 lines of 600 a's: exit {res.returncode} after {seconds:.2f} s")
    out = (res.stdout + res.stderr).decode()
    assert res.returncode == 2 and "nested-quantifier" in out and "budget on one file" in out, out


def test_the_file_budget_counts_time_in_the_pattern_not_between_its_calls(monkeypatch):
    """A rule's matches are consumed lazily, between other work: on a file of 200,000
    one-word lines the shipped subscription-prompt rule got NL500 ('used its 3.0s budget',
    exit 2) on a loaded machine, its calls being fast. A fake clock that jumps FILE_BUDGET
    between calls, never during one, must not exhaust the budget; one that jumps during
    each call must."""
    from newslint import packs
    from newslint.document import Document

    rule = next(r for p in packs.load_builtin_packs() for r in p.rules if r.id == "subscription-prompt")
    doc = Document.from_text("".join("Sign up\n\nword\n\n" for _ in range(20)), "case.txt")
    now = [0.0]
    monkeypatch.setattr(packs.time, "monotonic", lambda: now[0])
    found = 0
    for _ in rule.matches(doc):
        found += 1
        now[0] += packs.FILE_BUDGET  # other rules' work, or another process's, between calls
    assert found == 20

    class Slow:
        def __init__(self, pattern):
            self.pattern = pattern

        def __getattr__(self, name):
            method = getattr(self.pattern, name)

            def timed(*a, **k):
                now[0] += packs.FILE_BUDGET / 4
                return method(*a, **k)
            return timed

    monkeypatch.setitem(rule.__dict__, "_compiled", {"pattern": Slow(rule.compiled())})
    with pytest.raises(packs.PackError, match="budget"):
        for _ in rule.matches(doc):
            pass
