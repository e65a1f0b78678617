"""Plain data classes, without the dataclasses module.

`import dataclasses` imports inspect (and with it ast, dis, tokenize), and every
@dataclass compiles its methods when its module is imported: together about a fifth of
a `newslint check FILE` run. A Record lists its fields in `_fields`, in the order a
dataclass would, and writes its own __init__; equality, hashing, pickling, repr and
replace() then behave as a dataclass's (Record: eq=True; FrozenRecord: frozen=True).
"""

from __future__ import annotations

from operator import attrgetter
from reprlib import recursive_repr  # imported by collections already


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a FrozenRecord (as dataclasses.FrozenInstanceError)."""


class Record:
    __slots__ = ()
    _fields: tuple[str, ...] = ()
    # the fields that == (and a FrozenRecord's hash) compare, and the fields repr shows
    _compare: tuple[str, ...] = ()
    _repr: tuple[str, ...] = ()

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if "_compare" not in cls.__dict__:
            cls._compare = cls._fields
        if "_repr" not in cls.__dict__:
            cls._repr = cls._fields
        if cls._compare:  # one C call for the compared values (one field: a bare value, as good for == and hash)
            cls._key = staticmethod(attrgetter(*cls._compare))

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return self._key(self) == self._key(other)
        return NotImplemented

    __hash__ = None  # mutable and compared by value: unhashable, like a dataclass

    @recursive_repr()  # a pack's rules refer to the pack
    def __repr__(self) -> str:
        return f"{type(self).__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self._repr)})"

    def replace(self, **changes):
        """A copy with `changes` applied (dataclasses.replace)."""
        values = {n: getattr(self, n) for n in self._fields}
        values.update(changes)
        return self.__class__(**values)


class FrozenRecord(Record):
    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._key(self))

    def __setattr__(self, name, value):
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name):
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    # pickle and copy would set the fields with setattr, which a frozen record refuses
    def __getstate__(self):
        return tuple(getattr(self, n) for n in self._fields)

    def __setstate__(self, state):
        for name, value in zip(self._fields, state):
            object.__setattr__(self, name, value)
