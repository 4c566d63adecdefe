"""The current record: $0, its fields (split only when one is asked for) and NF.

Assigning a field (or NF) rebuilds $0 from the fields joined by OFS; assigning $0 drops the
fields until they are asked for again. Entry point: `Record`.
"""

from __future__ import annotations

from collections.abc import Callable

from pith.awk.fields import split_text
from pith.awk.values import UNINIT, Value, strnum

__all__ = ["FieldError", "Record"]

MAX_FIELD = 1 << 20


class FieldError(Exception):
    """A field number below 0 or absurdly large: a run-time error."""


class Record:
    def __init__(self, fs: Callable[[], tuple[str, bool]], ofs: Callable[[], str],
                 tostr: Callable[[Value], str]) -> None:
        self.fs, self.ofs, self.tostr = fs, ofs, tostr  # FS (and paragraph mode), OFS, CONVFMT
        self.text = ""
        self.value: Value | None = UNINIT  # $0 as a value (a strnum if it looks numeric; lazy)
        self.fields: list[Value] | None = []
        self.split_by = (" ", False)  # FS (and paragraph mode) as they were when $0 was set

    def set_text(self, text: str) -> None:
        self.text = text
        self.value = None
        self.fields = None
        self.split_by = self.fs()

    def split(self) -> list[Value]:
        if self.fields is None:
            fs, paragraph = self.split_by
            self.fields = [strnum(f) for f in split_text(self.text, fs, paragraph)]
        return self.fields

    def rebuild(self) -> None:
        assert self.fields is not None
        self.text = self.ofs().join([self.tostr(f) for f in self.fields])
        self.value = self.text

    def get(self, i: int) -> Value:
        if i == 0:
            if self.value is None:
                self.value = strnum(self.text)
            return self.value
        if i < 0:
            raise FieldError(f"negative field index ${i}")
        fields = self.split()
        return fields[i - 1] if i <= len(fields) else UNINIT

    def set(self, i: int, v: Value) -> None:
        if i == 0:
            self.set_text(self.tostr(v))
            return
        if i < 0 or i > MAX_FIELD:
            raise FieldError(f"field index ${i} out of range")
        fields = self.split()
        if i > len(fields):
            fields.extend([UNINIT] * (i - len(fields)))
        fields[i - 1] = v
        self.rebuild()

    def nf(self) -> int:
        return len(self.split())

    def set_nf(self, n: int) -> None:
        if n < 0 or n > MAX_FIELD:
            raise FieldError(f"NF set to {n}")
        fields = self.split()
        del fields[n:]
        fields.extend([UNINIT] * (n - len(fields)))
        self.rebuild()
