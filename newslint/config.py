"""Settings: discovery, validation and merging (ruff's semantics).

Each checked file uses the closest configuration file above it: in one folder
`.newslint.toml` wins over `newslint.toml`, which wins over a `pyproject.toml` that has
a `[tool.newslint]` table. `--config PATH` uses one file for everything, `--config
"key = value"` overrides single keys, and `--isolated` ignores every file. Relative
paths and globs in a file are taken relative to that file's folder.
"""

from __future__ import annotations

import os
import sys

from newslint.record import FrozenRecord, Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on every start
if TYPE_CHECKING:
    from typing import Any

_set = object.__setattr__  # how a frozen record's __init__ assigns
CONFIG_NAMES = (".newslint.toml", "newslint.toml", "pyproject.toml")


class TomlError(ValueError):
    """Invalid TOML; the message is tomllib's."""


def load_toml(text: str) -> dict:
    """tomllib.loads, imported on first use: a run without config files reads no TOML
    (the shipped packs come from newslint.packcache)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlError(str(exc)) from None


class ConfigError(Exception):
    """A bad setting; the message names the key, the file and what was expected."""


def not_utf8(exc: UnicodeDecodeError) -> str:
    """Where a file stops being UTF-8, for messages: 'byte 0xff at offset 0'."""
    return f"byte 0x{exc.object[exc.start]:02x} at offset {exc.start}"


def is_index_url(value: str) -> bool:
    """'sqlite' or a URL redis-py opens (redis://, rediss://, unix://)."""
    scheme, sep, _ = value.partition("://")
    return value == "sqlite" or (bool(sep) and scheme.lower() in ("redis", "rediss", "unix"))


NUMBER = (int, float)
# key -> (python type(s), description of the expected type)
TOP_LEVEL: dict[str, tuple[Any, str]] = {
    "select": (list, "a list of rule codes or prefixes"),
    "extend-select": (list, "a list of rule codes or prefixes"),
    "ignore": (list, "a list of rule codes or prefixes"),
    "per-file-ignores": (dict, "a table of glob = [codes]"),
    "include": (list, "a list of globs"),
    "exclude": (list, "a list of globs"),
    "extend-exclude": (list, "a list of globs"),
    "force-exclude": (bool, "a boolean"),
    "respect-gitignore": (bool, "a boolean"),
    "unsafe-fixes": (bool, "a boolean"),
    "rule-packs": (list, "a list of paths to TOML rule packs"),
    "builtin-packs": (list, "a list of shipped pack names"),
    "encoding": (str, "a text encoding such as 'utf-8' or 'latin-1'"),
    "max-file-size": (int, "a size in bytes (1 or more)"),
    "cache-dir": (str, "a path"),
    "engine": (str, "'local' or 'dask'"),
    "scheduler": (str, "a Dask scheduler address such as 'tcp://host:8786'"),
    "partition-size": (int, "a number of files per Dask task (1 or more)"),
}
# One table per configurable rule: table -> key -> (type, description)
RULE_TABLES: dict[str, dict[str, tuple[Any, str]]] = {
    "near-duplicate-paragraph": {"threshold": (NUMBER, "a number from 0 to 100")},
    "duplicates": {
        "threshold": (NUMBER, "a number from 0 to 1"),
        "containment": (NUMBER, "a number from 0 to 1"),
        "num-perm": (int, "an even integer from 2 to 1024 (LSH bands are two rows)"),
        "shingle-size": (int, "an integer from 1 to 50"),
        "index": (str, "'sqlite' or a redis://HOST:PORT/DB URL"),
        "hash": (str, "'tok64' (default, fast) or 'sha1' (datasketch's default scheme)"),
        "enabled": (bool, "a boolean"),
    },
    "corpus-boilerplate": {
        "min-files": (int, "an integer of 2 or more (a line in one file is no boilerplate)"),
        "min-fraction": (NUMBER, "a number from 0 to 1"),
    },
    "page-chrome": {"threshold": (NUMBER, "a number of 0 or more (the evidence of a saved page; default 4)")},
}
_NO_LIMIT = float("inf")
RANGES = {("duplicates", "threshold"): (0, 1), ("duplicates", "containment"): (0, 1),
          ("near-duplicate-paragraph", "threshold"): (0, 100), ("corpus-boilerplate", "min-fraction"): (0, 1),
          ("duplicates", "num-perm"): (2, 1024), ("duplicates", "shingle-size"): (1, 50),
          ("corpus-boilerplate", "min-files"): (2, _NO_LIMIT), ("page-chrome", "threshold"): (0, _NO_LIMIT),
          (None, "max-file-size"): (1, _NO_LIMIT), (None, "partition-size"): (1, _NO_LIMIT)}
EVEN = {("duplicates", "num-perm")}
PERCENT = {("near-duplicate-paragraph", "threshold")}  # similarity in %, not a fraction
CHOICES = {("duplicates", "hash"): ("tok64", "sha1"), (None, "engine"): ("local", "dask")}


DEFAULT_CACHE_DIR = ".newslint_cache"


class Settings(FrozenRecord):
    _fields = __slots__ = (
        "root", "source", "select", "extend_select", "ignore", "per_file_ignores", "include", "exclude",
        "extend_exclude", "force_exclude", "respect_gitignore", "unsafe_fixes", "rule_packs", "builtin_packs", "encoding", "max_file_size",
        "cache_dir", "engine", "scheduler", "partition_size", "rule_options")

    def __init__(
        self,
        root: str = ".",  # folder the relative globs are anchored at
        source: str | None = None,  # the config file these came from
        select: tuple[str, ...] | None = None,
        extend_select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (),
        per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = (),
        include: tuple[str, ...] = ("*.txt", "*.md"),
        exclude: tuple[str, ...] = (),
        extend_exclude: tuple[str, ...] = (),
        force_exclude: bool = False,
        respect_gitignore: bool = True,  # a folder walk skips what git ignores (as ruff's does)
        unsafe_fixes: bool = False,
        rule_packs: tuple[str, ...] = (),
        builtin_packs: tuple[str, ...] | None = None,
        encoding: str = "utf-8",
        max_file_size: int = 50 * 1024 * 1024,
        cache_dir: str = DEFAULT_CACHE_DIR,
        engine: str = "local",
        scheduler: str | None = None,
        partition_size: int = 2000,
        rule_options: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = (),
    ):
        _set(self, "root", root)
        _set(self, "source", source)
        _set(self, "select", select)
        _set(self, "extend_select", extend_select)
        _set(self, "ignore", ignore)
        _set(self, "per_file_ignores", per_file_ignores)
        _set(self, "include", include)
        _set(self, "exclude", exclude)
        _set(self, "extend_exclude", extend_exclude)
        _set(self, "force_exclude", force_exclude)
        _set(self, "respect_gitignore", respect_gitignore)
        _set(self, "unsafe_fixes", unsafe_fixes)
        _set(self, "rule_packs", rule_packs)
        _set(self, "builtin_packs", builtin_packs)
        _set(self, "encoding", encoding)
        _set(self, "max_file_size", max_file_size)
        _set(self, "cache_dir", cache_dir)
        _set(self, "engine", engine)
        _set(self, "scheduler", scheduler)
        _set(self, "partition_size", partition_size)
        _set(self, "rule_options", rule_options)

    def configured_cache_dir(self) -> str | None:
        """The config's `cache-dir` (from the config file's folder), when it sets one."""
        if self.cache_dir == DEFAULT_CACHE_DIR:
            return None
        return os.path.join(self.root, self.cache_dir)

    @property
    def all_excludes(self) -> tuple[str, ...]:
        return self.exclude + self.extend_exclude

    def options(self) -> dict[str, dict[str, Any]]:
        return {table: dict(kv) for table, kv in self.rule_options}

    def key(self) -> tuple:
        """Identity for grouping files that share a linter (and for the results cache)."""
        return (self.select, self.extend_select, self.ignore, self.rule_packs, self.builtin_packs,
                self.encoding, self.rule_options, self.root if self.rule_packs else None)


def _check_type(value, expected, key: str, where: str, what: str):
    ok = isinstance(value, expected) and not (expected in (int, NUMBER) and isinstance(value, bool))
    if not ok:
        raise ConfigError(f"{where}: '{key}' must be {what}, got {type(value).__name__} {value!r}")
    if isinstance(value, list) and key not in ("per-file-ignores",):
        for item in value:
            if not isinstance(item, str):
                raise ConfigError(f"{where}: every item of '{key}' must be a string, got {item!r}")


def _check_pack_names(names: list, where: str) -> None:
    from newslint.packs import builtin_pack_names

    shipped = [n[:-5] for n in builtin_pack_names()]
    unknown = [n for n in names if n not in shipped]
    if unknown:
        raise ConfigError(f"{where}: 'builtin-packs' names no shipped pack {', '.join(map(repr, unknown))} "
                          f"(shipped: {', '.join(shipped)})")


_ENCODING_PROBES = ("Headline - a line of news text, longer than a domain name's label could ever be.\n",
                    "Türkiye, Москва, 北京, القاهرة — “quoted”\n")


# Python-literal escapes, not a file encoding: a file's line break reads back as the two
# characters '\n', so no file with more than one line round-trips (every one was NL501)
_ESCAPE_CODECS = {"unicode-escape", "raw-unicode-escape"}


def is_text_encoding(name: str) -> bool:
    """Can files be read and written in `name` the way newslint does (decode, encode, and a
    refusal only as UnicodeDecodeError or UnicodeEncodeError)? Not a codec of bytes to bytes
    or str to str ('hex', 'rot13'), nor one whose bare UnicodeError on ordinary text ended
    the run or was called an internal error ('undefined', 'punycode', 'idna')."""
    import codecs

    try:
        info = codecs.lookup(name)
    except LookupError:
        return False
    if not getattr(info, "_is_text_encoding", True) or info.name in _ESCAPE_CODECS:
        return False
    try:
        for text in _ENCODING_PROBES:
            try:
                data = text.encode(info.name)
            except UnicodeEncodeError:  # a legacy encoding without these letters
                continue
            if data.decode(info.name) != text:
                return False
        try:
            _ENCODING_PROBES[0].encode("ascii").decode(info.name)
        except UnicodeDecodeError:  # no text in UTF-32, say: refused as a file's bytes would be
            pass
    except Exception:  # UnicodeError itself, or anything else a codec may raise
        return False
    return True


def _value_allowed(table: str | None, key: str, value) -> bool:
    """A value of the right type within its key's range and choices (table None: top level)."""
    lo_hi = RANGES.get((table, key))
    return (value in CHOICES.get((table, key), (value,)) and not (lo_hi and not lo_hi[0] <= value <= lo_hi[1])
            and not ((table, key) in EVEN and value % 2)
            and not ((table, key) == ("duplicates", "index") and not is_index_url(value))
            and not ((table, key) == (None, "encoding") and not is_text_encoding(value)))


def validate(table: dict[str, Any], where: str) -> dict[str, Any]:
    """Check keys and types; return the table unchanged. Raises ConfigError."""
    for key, value in table.items():
        if key in TOP_LEVEL:
            expected, what = TOP_LEVEL[key]
            _check_type(value, expected, key, where, what)
            if not _value_allowed(None, key, value):
                raise ConfigError(f"{where}: '{key}' must be {what}, got {value!r}")
            if key == "builtin-packs":
                _check_pack_names(value, where)
            if key == "per-file-ignores":
                for glob, codes in value.items():
                    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                        raise ConfigError(f"{where}: 'per-file-ignores.\"{glob}\"' must be a list of rule codes")
        elif key in RULE_TABLES:
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: '{key}' must be a table of options")
            for sub, subval in value.items():
                if sub not in RULE_TABLES[key]:
                    raise _unknown_key(where, f"{key}.{sub}", sub, sorted(RULE_TABLES[key]))
                expected, what = RULE_TABLES[key][sub]
                _check_type(subval, expected, f"{key}.{sub}", where, what)
                if not _value_allowed(key, sub, subval):
                    raise ConfigError(f"{where}: '{key}.{sub}' must be {what}, got {subval!r}")
                if (key, sub) in PERCENT and 0 < subval <= 1:  # the duplicates' threshold is 0-1: an easy slip
                    raise ConfigError(f"{where}: '{key}.{sub}' is a percentage from 0 to 100, got {subval!r} "
                                      f"(did you mean {subval * 100:g}?)")
        else:
            raise _unknown_key(where, key, key, [*sorted(TOP_LEVEL), *(f"[{t}]" for t in sorted(RULE_TABLES))])
    return table


def _unknown_key(where: str, shown: str, key: str, known) -> ConfigError:
    """'unknown key' with the nearest known key when one is close (a typo), and all of them
    (`known` in the order shown; tables in brackets)."""
    from difflib import get_close_matches  # only on this error: not on every start

    names = [k.strip("[]") for k in known]
    near = get_close_matches(key, names, n=1)
    hint = f"did you mean '{near[0]}'? " if near else ""
    return ConfigError(f"{where}: unknown key '{shown}' ({hint}known: {', '.join(known)})")


def read_config_file(path: str | os.PathLike) -> dict[str, Any] | None:
    """The newslint table of a file, or None for a pyproject.toml without one."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as fh:
            data = load_toml(fh.read())
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: config file is not UTF-8 text ({not_utf8(exc)}); TOML files must be UTF-8") from None
    except TomlError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if os.path.basename(path) == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: 'tool' must be a table ([tool.newslint]), got {type(tool).__name__} {tool!r}")
        table = tool.get("newslint")
        if table is None:
            return None
    else:
        table = data
        tool = table.get("tool")
        if isinstance(tool, dict) and "newslint" in tool:  # the README's pyproject example pasted as is
            raise ConfigError(f"{path}: [tool.newslint] is for pyproject.toml; in {os.path.basename(path)} write "
                              "its keys at the top level (select = [...], [duplicates], ...) without that header")
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.newslint] must be a table, got {type(table).__name__} {table!r}")
    return validate(table, str(path))


def apply_table(base: Settings, table: dict[str, Any], root: str, source: str | None) -> Settings:
    """Settings with `table`'s keys applied on top of `base` (a file's keys replace, not merge)."""
    kw: dict[str, Any] = {"root": root, "source": source}
    for key, value in table.items():
        attr = key.replace("-", "_")
        if key in RULE_TABLES:
            opts = base.options()
            opts[key] = {**opts.get(key, {}), **value}
            kw["rule_options"] = tuple(sorted((t, tuple(sorted(v.items()))) for t, v in opts.items()))
        elif key == "per-file-ignores":
            kw[attr] = tuple((g, tuple(c)) for g, c in value.items())
        elif key == "rule-packs":
            kw[attr] = tuple(p if os.path.isabs(p) else os.path.normpath(os.path.join(root, p)) for p in value)
        elif isinstance(value, list):
            kw[attr] = tuple(value)
        else:
            kw[attr] = value
    return base.replace(**kw)


def parse_inline(text: str) -> dict[str, Any]:
    """`--config "duplicates.threshold = 0.5"` -> {"duplicates": {"threshold": 0.5}}."""
    try:
        data = load_toml(text)
    except TomlError as exc:
        raise ConfigError(f"--config {text!r}: not a file and not valid TOML 'key = value': {exc}") from None
    return validate(data, f"--config {text!r}")


class Resolver(Record):
    """Finds the Settings for each path; caches per folder."""

    _fields = ("overrides", "config_file", "isolated", "_by_dir", "_by_parent", "_fixed")

    def __init__(self, overrides: dict[str, Any] | None = None, config_file: str | None = None, isolated: bool = False,
                 _by_dir: dict[str, Settings] | None = None, _by_parent: dict[str, Settings] | None = None,
                 _fixed: Settings | None = None):
        self.overrides = {} if overrides is None else overrides
        packs = self.overrides.get("rule-packs")
        if isinstance(packs, list):  # paths typed on the command line are from the current folder
            self.overrides = {**self.overrides, "rule-packs": [
                os.path.abspath(p) if isinstance(p, str) and not os.path.isabs(p) else p for p in packs]}
        self.config_file = config_file
        self.isolated = isolated
        self._by_dir = {} if _by_dir is None else _by_dir
        self._by_parent = {} if _by_parent is None else _by_parent  # for_file: dirname as given
        self._fixed = _fixed
        if self.config_file:
            table = read_config_file(self.config_file)
            if table is None:  # a pyproject.toml without our table: the defaults, used silently, were a surprise
                raise ConfigError(f"{self.config_file}: no [tool.newslint] table (--config names the file newslint "
                                  "reads its settings from)")
            root = os.path.dirname(os.path.realpath(self.config_file))
            self._fixed = apply_table(Settings(root=root), table, root, self.config_file)
        elif self.isolated:
            self._fixed = Settings(root=os.getcwd())
        if self._fixed is not None:
            self._fixed = apply_table(self._fixed, self.overrides, self._fixed.root, self._fixed.source)

    def for_path(self, path: str) -> Settings:
        if self._fixed is not None:
            return self._fixed
        folder = os.path.dirname(os.path.abspath(path)) if not os.path.isdir(path) else os.path.abspath(path)
        return self._for_dir(folder)

    def for_file(self, path: str) -> Settings:
        """for_path for a path known to be a file: no stat, one dict lookup per folder (a run
        over a tree asks once per file)."""
        if self._fixed is not None:
            return self._fixed
        parent = os.path.dirname(path)
        settings = self._by_parent.get(parent)
        if settings is None:
            settings = self._by_parent[parent] = self._for_dir(os.path.abspath(parent))
        return settings

    def _for_dir(self, folder: str) -> Settings:
        if folder in self._by_dir:
            return self._by_dir[folder]
        settings = None
        for name in CONFIG_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                table = read_config_file(candidate)
                if table is not None:
                    settings = apply_table(Settings(root=folder), table, folder, candidate)
                    settings = apply_table(settings, self.overrides, folder, candidate)
                    break
        if settings is None:
            parent = os.path.dirname(folder)
            if parent != folder:
                settings = self._for_dir(parent)
            else:
                settings = apply_table(Settings(root=os.getcwd()), self.overrides, os.getcwd(), None)
        self._by_dir[folder] = settings
        return settings


def relative_to_root(path: str, settings: Settings) -> str:
    try:
        return os.path.relpath(os.path.abspath(path), settings.root)
    except ValueError:
        return path
