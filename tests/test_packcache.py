"""The parsed-pack cache: used only for the exact text it was parsed from, and never in
the way (corrupt, unreadable or unwritable, it costs a parse)."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import ROOT, SAMPLE, need
from newslint import config, packcache, packs


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def rules_dir(tmp_path, monkeypatch):
    """A copy of the shipped packs, loaded as the shipped ones."""
    dst = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", dst)
    monkeypatch.setattr(packs, "_builtin_dir", lambda: str(dst))
    return dst


@pytest.fixture
def parses(monkeypatch):
    """The TOML texts parsed from now on."""
    seen = []
    real = config.load_toml

    def counting(text):
        seen.append(text)
        return real(text)

    monkeypatch.setattr(config, "load_toml", counting)
    return seen


def shape(loaded):
    return [(p.path, p.name, p.description, [(r.code, r.id, r.kind, r.message, r.severity, r.fix, r.spec, r.examples)
                                             for r in p.rules]) for p in loaded]


def test_second_load_parses_nothing_and_gives_the_same_packs(cache_home, parses):
    first = packs.load_builtin_packs()
    assert len(parses) == len(packs.builtin_pack_names()) and os.path.isfile(packcache.cache_file())
    parses.clear()
    second = packs.load_builtin_packs()
    assert parses == []
    assert shape(second) == shape(first)
    folder = packs._builtin_dir()
    direct = [packs.parse_pack(open(os.path.join(folder, n), encoding="utf-8").read(), f"rules/{n}", builtin=True)
              for n in packs.builtin_pack_names()]
    assert shape(second) == shape(direct)
    assert shape(packs.load_builtin_packs(["captions"])) == shape(direct)[1:2]


def test_an_edited_pack_is_parsed_again_even_at_the_same_size_and_time(cache_home, rules_dir, parses):
    packs.load_builtin_packs()
    target = rules_dir / "publisher-bbc.toml"
    st = target.stat()
    text = target.read_text(encoding="utf-8")
    edited = text.replace('message = "BBC share panel {match!r}"', 'message = "BBC share bar!! {match!r}"')
    assert edited != text and len(edited) == len(text)
    target.write_text(edited, encoding="utf-8")
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    parses.clear()
    loaded = {p.name: p for p in packs.load_builtin_packs()}
    assert parses == [edited]
    assert loaded["publisher-bbc"].rules[0].message == "BBC share bar!! {match!r}"
    parses.clear()
    assert packs.load_builtin_packs()[-1].rules[0].message == "BBC share bar!! {match!r}" and parses == []


def test_a_removed_rule_is_gone(cache_home, rules_dir):
    packs.load_builtin_packs()
    target = rules_dir / "publisher-bbc.toml"
    text = target.read_text(encoding="utf-8")
    cut = text.index("[[rule]]\ncode = \"NL201\"\nid = \"bbc-newsbeat-promo\"")
    target.write_text(text[:cut], encoding="utf-8")
    ids = [r.id for p in packs.load_builtin_packs() for r in p.rules]
    assert "bbc-social-embed" in ids and "bbc-newsbeat-promo" not in ids


@pytest.mark.parametrize("garbage", [b"", b"\x00\x01garbage", b"\xe3" + b"\xff" * 40, None])
def test_a_corrupt_cache_falls_back_to_parsing_and_is_rewritten(cache_home, parses, garbage):
    import marshal

    path = packcache.cache_file()
    os.makedirs(os.path.dirname(path))
    with open(path, "wb") as fh:  # None: a well-formed file of the wrong shape
        fh.write(garbage if garbage is not None else marshal.dumps({"boilerplate.toml": ["x", 1], 3: "y"}))
    loaded = packs.load_builtin_packs()
    assert len(parses) == len(loaded) == len(packs.builtin_pack_names())
    parses.clear()
    assert shape(packs.load_builtin_packs()) == shape(loaded) and parses == []


def test_an_unusable_cache_folder_only_costs_the_parse(tmp_path, monkeypatch, parses):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert shape(packs.load_builtin_packs()) == shape(packs.load_builtin_packs())
    assert len(parses) == 2 * len(packs.builtin_pack_names())
    assert blocker.read_text() == "x"


def test_invalid_toml_in_a_shipped_pack_is_an_error_and_is_not_cached(cache_home, rules_dir):
    (rules_dir / "zz-broken.toml").write_text("[[rule]\ncode = 'NL201'\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(packs.PackError, match="rules/zz-broken.toml: invalid TOML"):
            packs.load_builtin_packs()


def test_findings_are_the_same_from_the_cache(cache_home):
    from conftest import run_newslint

    env_args = ("check", "--no-cache", "--output-format", "json", need(SAMPLE))
    cold = run_newslint(*env_args)
    assert os.path.isfile(packcache.cache_file())
    warm = run_newslint(*env_args)
    assert cold.returncode == warm.returncode == 1 and cold.stdout == warm.stdout and b"NL201" in warm.stdout


def test_a_write_keeps_the_newest_caches_and_removes_the_rest(cache_home, parses):
    """One cache file per build, never removed: a reviewer's machine held 226 of them (20 MB)
    from the commits pre-commit and venvs had installed. A write now keeps the KEEP newest."""
    folder = cache_home / "newslint"
    folder.mkdir(parents=True)
    old = []
    for i in range(packcache.KEEP + 4):
        f = folder / f"packs{packcache.FORMAT}-oldbuild{i:02d}-py3.11.marshal"
        f.write_bytes(b"not ours to read")
        os.utime(f, (1_000_000 + i, 1_000_000 + i))  # build 00 the oldest
        old.append(f)
    unrelated = folder / "notes.txt"
    unrelated.write_text("kept")
    packs.load_builtin_packs()
    left = sorted(p.name for p in folder.glob("packs*.marshal"))
    assert len(left) == packcache.KEEP and os.path.basename(packcache.cache_file()) in left
    assert {p.name for p in old[-(packcache.KEEP - 1):]} == set(left) - {os.path.basename(packcache.cache_file())}
    assert unrelated.exists()
    parses.clear()
    packs.load_builtin_packs()  # nothing to write: nothing removed, nothing parsed
    assert parses == [] and len(list(folder.glob("packs*.marshal"))) == packcache.KEEP
