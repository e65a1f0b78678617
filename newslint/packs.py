"""Declarative rule packs: TOML files of `[[rule]]` tables (Vale's model).

    [pack]
    name = "boilerplate"
    description = "..."

    [[rule]]
    code = "NL201"             # built-in packs may use NL codes; user packs use their own prefix
    id = "stray-page-token"    # unique within the pack
    kind = "line"              # line | existence | substitution | occurrence
    message = "stray page token {match!r}"
    severity = "warning"
    fix = "safe"               # safe | unsafe | none
    lines = ["TT", "Highlights"]   # kind-specific fields
    examples = { valid = ["..."], invalid = ["..."] }

Each kind is one small class below. Patterns are matched with the `regex` module and
a time limit, so a catastrophic user pattern cannot hang a run.
"""

from __future__ import annotations

import os
import re
import time


from newslint.document import Document
from newslint.needs import fold
from newslint.normalize import normalize
from newslint.record import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on every start
if TYPE_CHECKING:
    from typing import Any, Iterator

REGEX_TIMEOUT = 1.0  # seconds per match call
FILE_BUDGET = 3.0  # seconds one user rule may spend on one file, all its match calls together


class PackError(Exception):
    pass


class Match(Record):
    """One hit of a pack rule: a character span, and the replacement if fixable."""

    _fields = __slots__ = ("start", "end", "text", "replacement", "whole_line")

    def __init__(self, start: int, end: int, text: str, replacement: str | None = None, whole_line: int | None = None):
        self.start = start
        self.end = end
        self.text = text
        self.replacement = replacement
        self.whole_line = whole_line  # line index when the whole line is the hit


class PackRule(Record):
    # no __slots__: the compiled patterns and the time budget live in __dict__
    _fields = ("code", "id", "kind", "message", "severity", "fix", "spec", "pack", "examples", "needs")

    def __init__(self, code: str, id: str, kind: str, message: str, severity: str, fix: str, spec: dict[str, Any],
                 pack: Pack, examples: dict[str, list[str]] | None = None, needs: list[str] | None = None):
        self.code = code
        self.id = id
        self.kind = kind
        self.message = message
        self.severity = severity
        self.fix = fix
        self.spec = spec
        self.pack = pack
        self.examples = {} if examples is None else examples
        self.needs = needs  # a shipped pattern's literal prefilter (newslint.needs)

    def matches(self, doc: Document) -> Iterator[Match]:
        self.start_file()
        return KINDS[self.kind].matches(self, doc)

    def start_file(self) -> None:
        """Start this rule's time budget for a new file (user patterns only)."""
        self.__dict__["_spent"] = 0.0  # seconds inside this rule's match calls on this file

    def may_match(self, text: str, folded: str | None = None) -> bool:
        """The cheap tests a line must pass before the full pattern is tried (and compiled):
        the `needs` of a shipped pattern, then an optional `prefilter`, a standard-library
        regex searched case-insensitively. `folded`: fold(text), when the caller has it."""
        if self.needs is not None:
            if folded is None:
                folded = fold(text)
            if not any(n in folded for n in self.needs):
                return False
        pre = self.prefilter_regex()
        return pre is None or pre.search(text) is not None

    def prefilter_regex(self) -> re.Pattern | None:
        compiled = self.__dict__.get("_prefilter")
        if compiled is None and "prefilter" in self.spec:
            compiled = self.__dict__["_prefilter"] = re.compile(self.spec["prefilter"], re.IGNORECASE)
        return compiled

    def may_match_document(self, doc: Document) -> bool:
        """may_match for a whole document: False when no line of it can pass (one test of the
        whole text instead of one per line). A need absent from the folded text is absent from
        every line; a prefilter without anchors or lookarounds that finds nothing in the text
        finds nothing in a line (the line breaks read as the ends of a line do to `\\b`)."""
        if self.needs is not None:
            folded = doc.__dict__.get("_folded")
            if folded is None:
                folded = doc.__dict__["_folded"] = fold(doc.text)
            if not any(n in folded for n in self.needs):
                return False
        whole = self.__dict__.get("_whole_text")  # may the prefilter be searched in the whole text?
        if whole is None:
            pre = self.spec.get("prefilter")
            whole = self.__dict__["_whole_text"] = pre is not None and not re.search(_CONTEXT_BOUND, pre)
        return not whole or self.prefilter_regex().search(doc.text) is not None

    def fullmatch(self, text: str) -> bool:
        """Does the whole of `text` match this rule's pattern?"""
        pattern = self.compiled()
        if isinstance(pattern, re.Pattern):
            return pattern.fullmatch(text) is not None
        return _guarded(self, pattern.fullmatch, text) is not None

    def compiled(self, key: str = "pattern"):
        """The rule's regex, compiled on first use. Shipped packs are trusted and use the
        standard library's faster engine; user packs get `regex` with a time limit."""
        cache = self.__dict__.setdefault("_compiled", {})
        if key not in cache:
            if self.pack.builtin:
                try:
                    cache[key] = re.compile(self.spec[key], re.IGNORECASE if self.spec.get("ignorecase", True) else 0)
                    return cache[key]
                except re.error:
                    pass  # needs the regex module's syntax (\p{...} and the like)
            import regex  # only user packs and a few shipped patterns need it (it costs an import)

            # VERSION0: simple case folding; VERSION1's full folding made matching 17-30x slower
            flags = regex.IGNORECASE if self.spec.get("ignorecase", True) else 0
            try:
                cache[key] = regex.compile(self.spec[key], flags | regex.VERSION0)
            except regex.error as exc:
                raise PackError(f"{self.pack.path}: rule {self.id}: bad {key} regex: {exc}") from None
        return cache[key]


def _search(rule: PackRule, pattern, text: str, pos: int = 0):
    if isinstance(pattern, re.Pattern):  # a shipped pattern, compiled by the standard library
        return pattern.search(text, pos)
    return _guarded(rule, pattern.search, text, pos)


def _budget_spent(rule: PackRule) -> PackError:
    return PackError(f"{rule.pack.path}: rule {rule.id}: pattern used its {FILE_BUDGET}s budget on one "
                     f"file; simplify it (nested quantifiers backtrack)")


def _guarded(rule: PackRule, method, text: str, pos: int = 0):
    """Run a `regex` match method within the call limit and the rule's per-file budget."""
    # the budget counts the time spent in the pattern's own calls, not the wall time since the
    # file was started: the rule's matches are a generator, consumed between other work, and a
    # file of 200,000 lines spent 3 s around cheap calls on a loaded machine (NL500, exit 2)
    spent = rule.__dict__.get("_spent")
    limit = REGEX_TIMEOUT
    if spent is not None:
        limit = min(limit, FILE_BUDGET - spent)
    if limit <= 0:
        raise _budget_spent(rule)
    start = time.monotonic()
    try:
        return method(text, pos, timeout=limit)
    except TimeoutError:
        if limit < REGEX_TIMEOUT:  # the budget's rest, not the call limit, ran out
            raise _budget_spent(rule) from None
        raise PackError(
            f"{rule.pack.path}: rule {rule.id}: pattern took over {limit:.1f}s on a "
            f"{len(text):,}-character line; simplify it (nested quantifiers backtrack)"
        ) from None
    finally:
        if spent is not None:
            rule.__dict__["_spent"] += time.monotonic() - start


def _finditer(rule: PackRule, pattern, text: str):
    pos = 0
    while pos <= len(text):
        m = _search(rule, pattern, text, pos)
        if not m:
            return
        yield m
        pos = m.end() if m.end() > m.start() else m.end() + 1


# what makes a regex's matches depend on the text around the line: anchors, lookarounds
_CONTEXT_BOUND = r"[\^$]|\\[AZ]|\(\?<?[=!]"  # compiled on first use (re caches it), as the two below

MAX_LINE_MATCH = 200  # a whole-line boilerplate pattern never needs to look at a paragraph


class LineScreen:
    """Which of a list of whole-line patterns fullmatches a line first, in one regex call.

    Trying each pattern on each short line (its prefilter, then the pattern) was most of the
    in-file rules' time on a corpus. The shipped patterns the standard library parses are
    joined into one alternation, each alternative a named group `_nlK` (K its place in the
    list): an alternation tries its alternatives in order and `fullmatch` backtracks into the
    next one, so the group that matched is the first pattern that fullmatches the line, the
    one the loop would pick. Each alternative keeps its own flags (scoped `(?i:...)`). The
    rest (user patterns, which run under a time limit; the `regex` module's syntax; numbered
    back-references, which joining would renumber) are still tried one by one, in order."""

    def __init__(self, patterns: list[PackRule]):
        self.patterns = patterns
        alternatives, self.loose = [], []
        for k, prule in enumerate(patterns):
            alt = _alternative(prule)
            if alt is None:
                self.loose.append(k)
            else:
                alternatives.append(f"(?P<_nl{k}>{alt})")
        self.joined = None
        if alternatives:
            try:
                self.joined = re.compile("|".join(alternatives))
            except re.error:  # say two patterns name a group alike: every pattern on its own
                self.loose = list(range(len(patterns)))
                self.joined = None
        # The loose patterns' prefilters, searched as one: none of them matching (the usual
        # case) rules all those patterns out with one call instead of one each.
        self.gated = {k for k in self.loose if _joinable(patterns[k].spec.get("prefilter"))}
        self.gate = None
        if self.gated:
            try:
                self.gate = re.compile("|".join(f"(?:{patterns[k].spec['prefilter']})" for k in sorted(self.gated)),
                                       re.IGNORECASE)
            except re.error:
                self.gated = set()

    def first(self, stripped: str, folded: str) -> PackRule | None:
        """The first pattern (in list order) that fullmatches `stripped` (`folded` = fold(it))."""
        joined = None
        if self.joined is not None:
            m = self.joined.fullmatch(stripped)
            if m is not None:
                joined = int(m.lastgroup[3:])
        passed = None  # does any gated prefilter match? (asked once, when needed)
        for k in self.loose:
            if joined is not None and k > joined:
                break
            if k in self.gated:
                if passed is None:
                    passed = self.gate.search(stripped) is not None
                if not passed:
                    continue
            cand = self.patterns[k]
            if cand.may_match(stripped, folded) and cand.fullmatch(stripped):
                return cand
        return None if joined is None else self.patterns[joined]


_GLOBAL_FLAGS = r"\(\?([aiLmsux]+)\)"
_REFERS_BACK = r"\\[1-9]|\(\?\("  # a numbered back-reference, or a conditional group


def _joinable(prefilter: str | None) -> bool:
    """Can this prefilter be one alternative of a joined search? Not with a back-reference
    (joining renumbers groups) or a global flag (allowed only at the start of a pattern)."""
    return bool(prefilter) and not re.search(_REFERS_BACK, prefilter) and not re.search(_GLOBAL_FLAGS, prefilter)


def _alternative(prule: PackRule) -> str | None:
    """A shipped pattern as one alternative of a LineScreen, or None when it cannot be one."""
    if not prule.pack.builtin:
        return None
    pattern = prule.spec["pattern"]
    letters = "i" if prule.spec.get("ignorecase", True) else ""
    lead = re.match(_GLOBAL_FLAGS, pattern)
    if lead:  # `(?x)` at the start: global flags must become the alternative's own
        letters += lead.group(1)
        pattern = pattern[lead.end():]
    if re.search(_REFERS_BACK, pattern):  # joined, a back-reference would name another pattern's group
        return None
    alt = f"(?{letters}:{pattern})" if letters else f"(?-i:{pattern})"
    # what the standard library cannot parse (the `regex` module's syntax) stays loose;
    # parsing is half the cost of compiling, and the joined pattern is compiled once
    try:
        from re import _parser
    except ImportError:  # pragma: no cover  (before Python 3.11)
        import sre_parse as _parser
    try:
        _parser.parse(alt)
    except re.error:
        return None
    return alt


class LineKind:
    """A whole line that is boilerplate: `lines` (compared normalised) or `pattern` (full match)."""

    fields = {"lines": list, "pattern": str, "ignorecase": bool, "prefilter": str}

    @staticmethod
    def matches(rule: PackRule, doc: Document) -> Iterator[Match]:
        wanted = rule.__dict__.get("_lines")
        if wanted is None:
            wanted = rule.__dict__["_lines"] = {normalize(s) for s in rule.spec.get("lines", [])}
        has_pattern = "pattern" in rule.spec
        for ln in doc.lines:
            if ln.blank:
                continue
            stripped = ln.text.strip()
            hit = ln.norm in wanted
            if not hit and has_pattern and len(stripped) <= MAX_LINE_MATCH and rule.may_match(stripped):
                hit = rule.fullmatch(stripped)  # compiles the pattern on first use
            if hit:
                yield Match(ln.start, ln.end, stripped, whole_line=ln.index)


class ExistenceKind:
    """A word or pattern that should not appear anywhere: `tokens` or `pattern`, matched inline."""

    fields = {"tokens": list, "pattern": str, "ignorecase": bool, "prefilter": str}

    @staticmethod
    def matches(rule: PackRule, doc: Document) -> Iterator[Match]:
        key = "pattern"
        if "tokens" in rule.spec:
            key = "_tokens"
            rule.spec.setdefault(
                key, r"(?<!\w)(?:" + "|".join(re.escape(t) for t in rule.spec["tokens"]) + r")(?!\w)"
            )
        if not rule.may_match_document(doc):
            return
        pattern = None
        for ln in doc.lines:
            if not rule.may_match(ln.text) or ln.blank:  # front matter, comments, code: no article text
                continue
            pattern = pattern or rule.compiled(key)
            for m in _finditer(rule, pattern, ln.text):
                yield Match(ln.start + m.start(), ln.start + m.end(), m.group(0))


class SubstitutionKind:
    """A wrong form with a known right one: `swap = {wrong = "right"}`; fixable."""

    fields = {"swap": dict, "ignorecase": bool}

    @staticmethod
    def matches(rule: PackRule, doc: Document) -> Iterator[Match]:
        swap = rule.spec["swap"]
        keys = sorted(swap, key=len, reverse=True)
        rule.spec.setdefault("_swap", r"(?<!\w)(?:" + "|".join(re.escape(k) for k in keys) + r")(?!\w)")
        pattern = rule.compiled("_swap")
        lowered = {k.casefold(): v for k, v in swap.items()}
        for ln in doc.lines:
            if ln.blank:
                continue
            for m in _finditer(rule, pattern, ln.text):
                right = lowered.get(m.group(0).casefold())
                if right is not None and right != m.group(0):
                    yield Match(ln.start + m.start(), ln.start + m.end(), m.group(0), replacement=right)


class OccurrenceKind:
    """A pattern allowed at most `max` times per file; every hit past `max` is flagged."""

    fields = {"pattern": str, "max": int, "ignorecase": bool}

    @staticmethod
    def matches(rule: PackRule, doc: Document) -> Iterator[Match]:
        pattern = rule.compiled()
        limit = int(rule.spec.get("max", 1))
        seen = 0
        for ln in doc.lines:
            if ln.blank:
                continue
            for m in _finditer(rule, pattern, ln.text):
                seen += 1
                if seen > limit:
                    yield Match(ln.start + m.start(), ln.start + m.end(), m.group(0))


KINDS = {"line": LineKind, "existence": ExistenceKind, "substitution": SubstitutionKind, "occurrence": OccurrenceKind}
COMMON_FIELDS = {"code": str, "id": str, "name": str, "kind": str, "message": str, "severity": str,
                 "fix": str, "examples": dict, "description": str}
SEVERITIES = ("error", "warning", "info", "note", "hint")  # report.sarif.LEVELS, report.gitlab.SEVERITIES, ...
REQUIRED = {"line": ("lines", "pattern"), "existence": ("tokens", "pattern"), "substitution": ("swap",),
            "occurrence": ("pattern",)}


class Pack(Record):
    _fields = __slots__ = ("path", "name", "description", "builtin", "rules")

    def __init__(self, path: str, name: str, description: str, builtin: bool, rules: list[PackRule] | None = None):
        self.path = path
        self.name = name
        self.description = description
        self.builtin = builtin
        self.rules = [] if rules is None else rules


def _type_name(t) -> str:
    return {str: "a string", list: "an array", dict: "a table", bool: "a boolean", int: "an integer"}[t]


def _toml(text: str, path: str) -> dict:
    from newslint.config import TomlError, load_toml

    try:
        return load_toml(text)
    except TomlError as exc:
        raise PackError(f"{path}: invalid TOML: {exc}") from None


def parse_pack(text: str, path: str, builtin: bool = False) -> Pack:
    return pack_from_table(_toml(text, path), path, builtin)


def _parse_shipped(name: str, text: str) -> dict:
    """What newslint.packcache keeps for a shipped pack: its table and each rule's needs."""
    from newslint.needs import derive

    table = _toml(text, f"rules/{name}")
    needs = []
    for raw in table.get("rule", []):
        pattern = raw.get("pattern") if isinstance(raw, dict) else None
        ignorecase = raw.get("ignorecase", True) if isinstance(raw, dict) else True
        needs.append(derive(pattern, re.IGNORECASE if ignorecase else 0) if isinstance(pattern, str) else None)
    return {"table": table, "needs": needs}


def pack_from_table(data: dict, path: str, builtin: bool = False, needs: list | None = None) -> Pack:
    """A Pack from the parsed TOML of the file at `path`; checks every rule. `needs`:
    the derived prefilter of each rule, in order (shipped packs only)."""
    meta = data.get("pack", {})
    unknown = set(data) - {"pack", "rule"}
    if unknown:
        raise PackError(f"{path}: unknown top-level key(s): {', '.join(sorted(unknown))}")
    if not isinstance(meta, dict) or not all(isinstance(meta.get(k, ""), str) for k in ("name", "description")):
        raise PackError(f"{path}: [pack] must be a table of strings (name, description)")
    rules = data.get("rule", [])
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise PackError(f"{path}: rules are [[rule]] tables (double brackets), one per rule")
    pack = Pack(path, meta.get("name", os.path.splitext(os.path.basename(path))[0]), meta.get("description", ""), builtin)
    seen_ids = set()
    for n, raw in enumerate(rules, 1):
        where = f"{path}: rule #{n}"
        kind = raw.get("kind")
        if kind not in KINDS:
            raise PackError(f"{where}: 'kind' must be one of {', '.join(KINDS)} (got {kind!r})")
        allowed = dict(COMMON_FIELDS, **KINDS[kind].fields)
        for key, value in raw.items():
            if key not in allowed:
                raise PackError(f"{where}: unknown key {key!r} for kind {kind!r}")
            if not isinstance(value, allowed[key]) or (allowed[key] is int and isinstance(value, bool)):
                raise PackError(f"{where}: {key!r} must be {_type_name(allowed[key])}")
        _check_items(raw, where)
        for key in ("code", "message"):
            if key not in raw:
                raise PackError(f"{where}: missing required key {key!r}")
        if not any(k in raw for k in REQUIRED[kind]):
            raise PackError(f"{where}: kind {kind!r} needs one of {', '.join(REQUIRED[kind])}")
        if "\n" in raw["message"] or "\r" in raw["message"]:  # a finding is one line of a report
            raise PackError(f"{where}: 'message' must be one line (a line break splits the finding in the text "
                            "report); put more in 'description'")
        other = [p for p in re.findall(r"\{[^{}]*\}", raw["message"]) if p not in ("{match}", "{match!r}")]
        if other:  # it would be printed as written in every finding
            raise PackError(f"{where}: message placeholder {other[0]} is not known; "
                            "{match} is the matched text, {match!r} the same quoted")
        code = raw["code"].strip().upper()
        if not re.fullmatch(r"[A-Z]{1,8}[0-9]{1,4}", code):
            raise PackError(f"{where}: code {raw['code']!r} must be letters then digits, like ACME101")
        if code.startswith("NL") and not builtin:
            raise PackError(f"{where}: code {code} uses the built-in prefix NL; give your pack its own prefix")
        if raw.get("severity", "warning").lower() not in SEVERITIES:  # as the reporters map them
            raise PackError(f"{where}: 'severity' must be one of {', '.join(SEVERITIES)} (got {raw['severity']!r})")
        fix = raw.get("fix", "none")
        if fix not in ("safe", "unsafe", "none"):
            raise PackError(f"{where}: 'fix' must be safe, unsafe or none (got {fix!r})")
        if kind == "substitution" and fix == "none":
            fix = "safe"
        rid = raw.get("id") or raw.get("name") or f"{code.lower()}-{n}"
        if rid in seen_ids:
            raise PackError(f"{where}: id {rid!r} used twice in the pack")
        seen_ids.add(rid)
        # the kind's fields, and the rule's description (what `newslint rule` leads with)
        spec = {k: v for k, v in raw.items() if k in KINDS[kind].fields or k == "description"}
        rule = PackRule(code, rid, kind, raw["message"], raw.get("severity", "warning"), fix, spec, pack,
                        raw.get("examples", {}), needs[n - 1] if needs else None)
        if not builtin:  # report a bad user regex at load time (shipped ones are tested)
            if "pattern" in spec:
                # an inline pattern that matches nothing at all would flag '' at every position
                if rule.compiled().fullmatch("") is not None and kind != "line":
                    raise PackError(f"{where}: pattern {spec['pattern']!r} matches the empty string, so it would "
                                    "flag every position of every line; make what it must find required")
            if "prefilter" in spec:
                try:
                    rule.prefilter_regex()
                except re.error as exc:
                    raise PackError(f"{where}: bad prefilter regex: {exc}") from None
        pack.rules.append(rule)
    return pack


def _check_items(raw: dict, where: str) -> None:
    """The insides of a rule's lists and tables: `lines` and `tokens` of strings, `swap` from
    string to string, `examples` lists of strings under `valid` and `invalid`. (A number in
    them failed deep in a run as an internal error; examples given as one string were tested
    character by character.)"""
    for key in ("lines", "tokens"):
        if key in raw and not all(isinstance(x, str) for x in raw[key]):
            raise PackError(f"{where}: every item of {key!r} must be a string")
    if "swap" in raw and not all(isinstance(v, str) for v in raw["swap"].values()):
        raise PackError(f"{where}: 'swap' maps strings to strings (\"colour\" = \"color\")")
    # an empty token or swap key (or no token at all) matches the empty string between any two
    # non-letters: a finding of '' everywhere, and a swap inserted all over the file
    if raw.get("tokens") == []:
        raise PackError(f"{where}: 'tokens' must list at least one token")
    if "" in raw.get("tokens", ()) or "" in raw.get("swap", {}):
        raise PackError(f"{where}: {'tokens' if 'tokens' in raw else 'swap'!r} holds an empty string, "
                        f"which would match between any two words")
    for name, items in raw.get("examples", {}).items():
        if name not in ("valid", "invalid"):
            raise PackError(f"{where}: examples are 'valid' and 'invalid' (got {name!r})")
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            raise PackError(f"{where}: examples.{name} must be a list of strings")


def builtin_pack_names() -> list[str]:
    return sorted(n for n in os.listdir(_builtin_dir()) if n.endswith(".toml"))


def _builtin_dir() -> str:
    """The shipped packs: package data of `newslint.rules` (the repo's rules/ folder)."""
    import newslint.rules

    return os.path.dirname(newslint.rules.__file__)


def load_builtin_packs(names: list[str] | None = None) -> list[Pack]:
    from newslint.packcache import parsed_tables

    folder = _builtin_dir()
    texts = {}
    for name in builtin_pack_names():
        if names is None or name[:-5] in names:
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                texts[name] = fh.read()
    parsed = parsed_tables(texts, _parse_shipped)
    return [pack_from_table(parsed[n]["table"], f"rules/{n}", True, parsed[n]["needs"]) for n in texts]


def load_pack_file(path: str) -> Pack:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise PackError(f"{path}: cannot read rule pack: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        from newslint.config import not_utf8

        raise PackError(f"{path}: rule pack is not UTF-8 text ({not_utf8(exc)}); TOML files must be UTF-8") from None
    return parse_pack(text, path, builtin=False)
