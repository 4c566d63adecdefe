"""printf and sprintf's formats (C's, as awk has them): %c %d %i %o %x %X %u %e %E %f %F %g
%G %s %%, with flags (- + space # 0), width and precision (either may be *).

Entry points: `sprintf(fmt, args, convfmt)` and `FormatError` (too few arguments: mawk's
run-time error).
"""

from __future__ import annotations

import math
import re

from pith.awk.values import StrNum, Value, to_num, to_str

__all__ = ["FormatError", "sprintf"]

SPEC = re.compile(r"%([-+ #0]*)(\*|[0-9]*)(?:\.(\*|[0-9]*))?[hlLqjzt]*([a-zA-Z%]?)")
MASK = (1 << 64) - 1
LIMIT = 1 << 20  # widths and precisions beyond this are cut to it


class FormatError(Exception):
    """A format that asks for more arguments than it was given (after `partial`)."""

    def __init__(self, message: str, partial: str = "") -> None:
        super().__init__(message)
        self.partial = partial


class Arguments:
    def __init__(self, fmt: str, args: list[Value]) -> None:
        self.fmt, self.args, self.i = fmt, args, 0

    def next(self) -> Value:
        if self.i >= len(self.args):
            shown = self.fmt.replace("\n", "\\n")
            raise FormatError(f"not enough arguments passed to printf(\"{shown}\")")
        self.i += 1
        return self.args[self.i - 1]


def number_part(text: str, args: Arguments) -> tuple[str, bool]:
    """A width or precision ('*' takes an argument): its digits, and whether it was negative."""
    if text != "*":
        return (str(min(int(text), LIMIT)) if text else ""), False
    n = to_num(args.next())
    n = int(n) if math.isfinite(n) else 0
    return str(min(abs(n), LIMIT)), n < 0


def integer(v: Value) -> int | None:
    x = to_num(v)
    return int(x) if math.isfinite(x) else None


def convert(conv: str, spec: str, v: Value, convfmt: str) -> str:
    """One conversion of `v` by `spec` (Python's % form of the C spec, without its letter)."""
    if conv in "di":
        n = integer(v)
        if n is None:
            return (spec + "s") % number_name(to_num(v))
        return (spec + "d") % n
    if conv in "oxXu":
        n = integer(v)
        if n is None:
            return (spec + "s") % number_name(to_num(v))
        n &= MASK if n < 0 else -1
        if conv == "o" and "#" in spec:
            spec = alternate_octal(spec, n)
        return (spec + ("d" if conv == "u" else conv)) % n
    if conv in "eEfFgG":
        return (spec + conv) % to_num(v)
    if conv == "c":
        if isinstance(v, (float, StrNum)) and v != "":
            n = integer(v)
            text = chr((n or 0) % 256)
        else:
            text = v[:1]
        return (re.sub(r"\.[0-9]*", "", spec) + "s") % text
    return (spec + "s") % to_str(v, convfmt, lambda f, a: sprintf(f, a, convfmt))


def alternate_octal(spec: str, n: int) -> str:
    """%#o as C has it (a leading 0, by raising the precision), which Python spells 0o."""
    digits = f"{n:o}"
    m = re.fullmatch(r"%([-+ #0]*)([0-9]*)(?:\.([0-9]*))?", spec)
    assert m is not None
    flags, width, precision = m.group(1).replace("#", ""), m.group(2), int(m.group(3) or 0)
    if not digits.startswith("0"):
        precision = max(precision, len(digits) + 1)
    return "%" + flags + width + "." + str(precision)


def number_name(x: float) -> str:
    if math.isnan(x):
        return "-nan" if math.copysign(1.0, x) < 0 else "nan"
    return "inf" if x > 0 else "-inf"


def sprintf(fmt: str, args: list[Value], convfmt: str) -> str:
    """`fmt` with its conversions done on `args`."""
    out: list[str] = []
    given = Arguments(fmt, args)
    i = 0
    while True:
        k = fmt.find("%", i)
        if k < 0:
            out.append(fmt[i:])
            return "".join(out)
        out.append(fmt[i:k])
        m = SPEC.match(fmt, k)
        assert m is not None
        flags, width, precision, conv = m.groups()
        i = m.end()
        if conv == "%":
            out.append("%")
            continue
        if conv == "" or conv not in "cdiouxXeEfFgGs":
            out.append(fmt[k:i])
            continue
        width, left = number_part(width, given)
        spec = "%" + flags + ("-" if left else "") + width
        if precision is not None:
            digits, negative = number_part(precision, given)
            spec += "" if negative else "." + (digits or "0")
        try:
            out.append(convert(conv, spec, given.next(), convfmt))
        except FormatError as e:
            raise FormatError(str(e), "".join(out)) from None
