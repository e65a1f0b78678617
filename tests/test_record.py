"""newslint.record: the plain classes that replaced dataclasses on the `check FILE` path
(dataclasses imports inspect, a cost on every start) must keep a dataclass's behaviour:
equality, hashing, immutability, pickling, copies and replace()."""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import pickle

import pytest

from conftest import BBC, SAMPLE, SCRAPED, need
from newslint.diagnostics import Diagnostic, Related
from newslint.document import Document
from newslint.record import FrozenInstanceError, FrozenRecord, Record
from newslint.runner import CheckOptions, LinterFactory
from newslint.config import Settings
from newslint.serialize import dump, load
from newslint.source import Source

MODULES = ["newslint.config", "newslint.diagnostics", "newslint.document", "newslint.engine", "newslint.packs",
           "newslint.registry", "newslint.report", "newslint.runner", "newslint.source", "newslint.suppress",
           "newslint.checks.chrome"]


def records() -> list[type]:
    for name in MODULES:
        importlib.import_module(name)
    out, todo = [], [Record]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub is not FrozenRecord:
                out.append(sub)
    return out


def as_dataclass(cls: type) -> type:
    """The dataclass `cls` replaced: the same fields, compare and frozen flags."""
    fields = [(n, object, dataclasses.field(compare=n in cls._compare, repr=n in cls._repr)) for n in cls._fields]
    return dataclasses.make_dataclass(cls.__name__, fields, frozen=issubclass(cls, FrozenRecord))


def real_diagnostics() -> list[Diagnostic]:
    linter = LinterFactory(CheckOptions()).get(Settings())[0]
    texts = [need(SAMPLE).read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted(need(BBC).glob("*/*.txt"))[::40]]
    texts += [p.read_text(encoding="utf-8") for p in sorted(need(SCRAPED).glob("raw/*.txt"))[::4]]
    out = [d for i, t in enumerate(texts) for d in linter.lint(Document.from_text(t, f"f{i}.txt"))]
    assert any(d.fix and d.fix.edits for d in out) and any(d.related for d in out)  # every class shows up
    return out


def test_every_record_lists_its_init_parameters_as_fields():
    """replace(), pickling and == read `_fields`: it must be __init__'s parameters, in order."""
    classes = records()
    assert len(classes) >= 20
    for cls in classes:
        params = list(inspect.signature(cls.__init__).parameters)[1:]
        assert tuple(params) == cls._fields, cls
        if "__slots__" in cls.__dict__:
            assert cls.__slots__ == cls._fields, cls


def test_real_diagnostics_compare_hash_and_pickle_as_dataclasses():
    diags = real_diagnostics()
    ref = {cls: as_dataclass(cls) for cls in (Diagnostic, Related)}

    def as_ref(d):
        values = {n: getattr(d, n) for n in d._fields}
        if isinstance(d, Diagnostic):
            values["related"] = tuple(as_ref(r) for r in d.related)
        return ref[type(d)](**values)

    for a in diags[:60]:
        for b in diags[:60]:
            assert (a == b) == (as_ref(a) == as_ref(b))
    for d in diags:
        assert hash(d) == hash(d.replace()) and hash(d) == hash(pickle.loads(pickle.dumps(d)))
    assert len(set(diags)) == len({as_ref(d) for d in diags})
    for d in diags:
        for twin in (pickle.loads(pickle.dumps(d)), copy.copy(d), copy.deepcopy(d), load(dump(d)), d.replace()):
            assert twin == d and type(twin) is Diagnostic
        assert d != d.replace(row=d.row + 1) and d.replace(row=d.row + 1).replace(row=d.row) == d
        assert d.replace(filename="x").filename == "x" and d.replace(filename="x").related == d.related
        assert (d == object()) is False and d != as_ref(d)
    assert sorted(diags, key=Diagnostic.sort_key) == sorted(pickle.loads(pickle.dumps(diags)), key=Diagnostic.sort_key)


def test_frozen_records_refuse_assignment_and_mutable_ones_are_unhashable():
    d = Diagnostic("NL101", "m", "f.txt", 1, 1, 1, 2)
    with pytest.raises(FrozenInstanceError):
        d.row = 2
    with pytest.raises(AttributeError):
        del d.code
    with pytest.raises(TypeError):
        d.replace(nonsense=1)
    opts = CheckOptions()
    with pytest.raises(TypeError):
        hash(opts)
    assert opts == CheckOptions() and opts != CheckOptions(mode="fix") and opts.extend_select is not CheckOptions().extend_select
    assert pickle.loads(pickle.dumps(opts)) == opts


def test_source_identity_is_neither_compared_nor_shown():
    a = Source("a.txt", "text\n", identity=(1, 2, 3, 4))
    b = Source("a.txt", "text\n", identity=(5, 6, 7, 8))
    assert a == b and hash(a) == hash(b) and "identity" not in repr(a)
    c = pickle.loads(pickle.dumps(a.with_text("other\n")))
    assert c.identity == (1, 2, 3, 4) and c.text == "other\n" and c.path == "a.txt"


def test_lines_keep_cached_properties_and_pickle_without_them():
    doc = Document.from_text("Headline\n\nA paragraph of text.\n")
    line = doc.lines[2]
    assert line.norm == line.norm and "norm" in line.__dict__
    twin = pickle.loads(pickle.dumps(line))
    assert twin == line and "norm" not in twin.__dict__ and twin.norm == line.norm


def test_repr_reads_like_a_dataclass_and_survives_cycles():
    from newslint.packs import load_builtin_packs

    assert repr(Related("a.txt", 3)) == "Related(filename='a.txt', row=3, column=None, similarity=None, message=None)"
    rule = load_builtin_packs()[0].rules[0]
    assert rule.pack.rules[0] is rule and "..." in repr(rule)
