"""Baselines: accept today's findings, fail only on new ones.

A baseline entry is (file, rule code, hash of the flagged text after normalisation)
with a count, never a line number: inserting or moving text does not resurrect a
suppressed finding, while a new copy of a flagged line (count + 1) is reported.
Entries no longer matched by any finding are stale and are reported so the baseline
can be refreshed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter

from newslint import __version__
from newslint.diagnostics import Diagnostic

FORMAT = "newslint-baseline/1"


class BaselineError(Exception):
    pass


def _rel(filename: str, base_dir: str) -> str:
    return os.path.relpath(os.path.abspath(filename), base_dir).replace(os.sep, "/")


def finding_key(d: Diagnostic, base_dir: str) -> tuple[str, str, str]:
    return _rel(d.filename, base_dir), d.code, _digest(d.fingerprint_text)


def _digest(text: str) -> str:
    # surrogatepass: a file name that is not UTF-8 (an escape in a partner's name, NL401-NL403)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


# NL203's page-chrome blocks: a block's bounds, and how many blocks a page's chrome is found
# as, move with any edit near them (a share-bar line a safe fix deletes split one page's 5
# blocks into 18), while the lines of chrome a page holds only shrink as it is cleaned. A
# baseline keeps, for each file, an entry per block (its text, as for every rule) and one
# for all its blocks' lines (the key of CHROME_LINES). A block whose text is accepted is
# taken first; the others are taken while the file's lines last, so an edited or split
# block stays accepted and a grown one, or chrome beyond the lines counted, is reported. A
# file with block entries and no lines entry (written before) accepts all its chrome.
_BY_LINES = "NL203"
CHROME_LINES = "page chrome"
_UNLIMITED = 1 << 62


def _chrome_hash() -> str:
    return _digest(CHROME_LINES)


def _span(d: Diagnostic) -> int:
    return max(1, d.end_row - d.row + 1)


class Accepted:
    """The findings a baseline accepts: `--fix --baseline` leaves them as they are, as it
    leaves suppressed ones (picklable, for worker processes)."""

    def __init__(self, counts: Counter, base_dir: str):
        self.counts = dict(counts)
        self.base_dir = base_dir

    def among(self, diags: list[Diagnostic]) -> set[int]:
        """The id()s of the accepted findings of one file's `diags` (in report order), taken as
        the report filter takes them: a new copy of an accepted line is reported, so its fix
        is not held back either."""
        return _take(diags, dict(self.counts), self.base_dir)


def _take(diags: list[Diagnostic], budget: dict, base_dir: str) -> set[int]:
    """The id()s of the findings a baseline accepts: of each key, as many as `budget` still
    counts, the first ones in report order (`budget` is spent as they are taken); then the
    NL203 blocks whose text it does not hold, while their file's lines of chrome last. An
    NL500, an I/O error, is never accepted (nor written: check_command)."""
    out: set[int] = set()
    chrome: list[Diagnostic] = []
    for d in diags:
        if d.code == "NL500":
            continue
        key = finding_key(d, base_dir)
        if budget.get(key, 0) > 0:
            budget[key] -= 1
            out.add(id(d))
            if d.code == _BY_LINES:
                lines = (key[0], key[1], _chrome_hash())
                if lines in budget:
                    budget[lines] = max(0, budget[lines] - _span(d))
        elif d.code == _BY_LINES:
            chrome.append(d)
    for d in chrome:
        lines = (_rel(d.filename, base_dir), d.code, _chrome_hash())
        if budget.get(lines, 0) >= _span(d):
            budget[lines] -= _span(d)
            out.add(id(d))
    return out


def write_baseline(path: str, diags: list[Diagnostic], checked: dict | None = None) -> tuple[int, int]:
    """Write the baseline of `diags`; (findings written, entries kept from the file).

    `checked`: {path: the codes that ran on it} of this run. The entries an existing baseline
    at `path` holds for anything else -- a file this run did not check (a hook's or a
    folder's run), a rule that did not run on it (`--select NL1`) -- are kept: refreshing a
    baseline from a partial run (as a stale note suggests) replaced the whole archive's
    entries with that run's. Entries of a file that no longer exists are dropped."""
    base_dir = os.path.dirname(os.path.abspath(path))
    counts: Counter = Counter()
    for d in diags:
        counts[finding_key(d, base_dir)] += 1
        if d.code == _BY_LINES:
            counts[(_rel(d.filename, base_dir), d.code, _chrome_hash())] += _span(d)
    kept = 0
    if checked is not None and os.path.isfile(path):
        try:
            old = _read_entries(path)
        except BaselineError:  # not a baseline (an empty file, another report): written afresh
            old = Counter()
        ran = {_rel(p, base_dir): codes for p, codes in checked.items()}
        for (fname, code, digest), n in old.items():
            codes = ran.get(fname)
            if codes is not None and code in codes:  # this run decides
                continue
            if codes is None and not os.path.lexists(os.path.join(base_dir, fname)):  # deleted or renamed
                continue
            counts[(fname, code, digest)] += n
            kept += n
    entries = [{"file": f, "code": c, "hash": h, "count": n} for (f, c, h), n in sorted(counts.items())]
    data = {"format": FORMAT, "newslint": __version__, "entries": entries}
    from newslint.source import atomic_write

    try:
        raw = (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8 (surrogate escapes): as JSON escapes
        raw = (json.dumps(data, indent=1) + "\n").encode("ascii")
    atomic_write(path, raw)
    return len(diags), kept


def load_baseline(path: str) -> tuple[Counter, str]:
    """(the budget of each key, the baseline's folder)."""
    counts = _read_entries(path)
    lines = _chrome_hash()
    for fname in {k[0] for k in counts if k[1] == _BY_LINES and k[2] != lines}:
        counts.setdefault((fname, _BY_LINES, lines), _UNLIMITED)  # block entries alone: all its chrome
    return counts, os.path.dirname(os.path.abspath(path))


def _read_entries(path: str) -> Counter:
    """The entries of the baseline at `path` as written: {(file, code, hash): count}."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        from newslint.config import not_utf8

        raise BaselineError(f"{path}: not a newslint baseline (not UTF-8 text: {not_utf8(exc)})") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: not a newslint baseline (invalid JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BaselineError(f"{path}: not a newslint baseline (expected format {FORMAT!r})")
    counts: Counter = Counter()
    entries = data.get("entries", [])
    if not isinstance(entries, list):
        raise BaselineError(f"{path}: damaged baseline: 'entries' must be a list, got {type(entries).__name__}")
    for n, e in enumerate(entries, 1):
        try:
            key = (e["file"], e["code"], e["hash"])
            count = e.get("count", 1)
            if not all(isinstance(k, str) for k in key) or not isinstance(count, int) or isinstance(count, bool) \
                    or count < 1:  # a hand edit: 0 or -1 would accept nothing, silently
                raise TypeError
        except (TypeError, KeyError, AttributeError):
            raise BaselineError(f"{path}: damaged baseline: entry {n} must be an object with string 'file', "
                                f"'code' and 'hash' and an integer 'count' of 1 or more, got {e!r}") from None
        counts[key] += count
    return counts


class Baseline:
    """A baseline read once for a run: each file's findings are filtered against its own
    entries (keys hold the file, so one budget serves every file). Reading the file again
    for each checked file cost a run over 100,000 files as many JSON parses."""

    def __init__(self, path: str):
        counts, self.base_dir = load_baseline(path)
        self._counts = dict(counts)  # as read: what the budget started from
        self.accepted = Accepted(counts, self.base_dir)
        self._budget = counts
        self._by_file: dict[str, list] = {}
        for key in counts:
            self._by_file.setdefault(key[0], []).append(key)

    def filter(self, diags: list[Diagnostic], checked_file: str,
               ran: frozenset | None = None) -> tuple[list[Diagnostic], list]:
        """(findings not in the baseline, stale entries of the checked file).

        `ran`: the codes that ran on the file (None: all). An entry of a rule that did not
        run (`--select NL1`, a config's `ignore`, a per-file ignore) is not stale: the run
        cannot tell whether its finding is still there."""
        budget = self._budget
        taken = _take(diags, budget, self.base_dir)
        kept = [d for d in diags if id(d) not in taken]
        keys = self._by_file.get(_rel(checked_file, self.base_dir), ())
        stale = []
        for k in keys:
            if budget[k] <= 0 or (ran is not None and k[1] not in ran):
                continue
            if k[1] == _BY_LINES:  # a block edited or split, lines left over after a clean-up: no
                lk = (k[0], k[1], _chrome_hash())  # stale entry; a file whose chrome is all gone
                if k != lk or budget[k] < self._counts[k]:  # has one
                    continue
                stale.append((k, 1))
            else:
                stale.append((k, budget[k]))
        return kept, stale

