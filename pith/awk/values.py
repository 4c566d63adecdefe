"""awk's values and POSIX's conversion and comparison rules.

A value is a float (a number), a str (a string) or a StrNum: a string that came from input
(a field, getline, split, ARGV, ENVIRON, -v or a command-line assignment) and looks like a
number, so that it compares as one. UNINIT, the value of a variable never assigned, is the
StrNum "" with the number 0. Strings are text decoded as latin-1 (one character a byte, the C
locale). Entry points: `StrNum`, `UNINIT`, `strnum`, `to_num`, `to_str`, `to_bool`, `compare`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

__all__ = ["UNINIT", "StrNum", "Value", "compare", "number_text", "strnum", "to_bool",
           "to_num", "to_str"]


class StrNum(str):
    """Input text that looks numeric: a string that compares (and tests) as its number."""

    num: float


Value = float | str
UNINIT = StrNum("")
UNINIT.num = 0.0

# What strtod (as glibc's, which mawk uses) takes from the front of a string.
PREFIX = re.compile(r"[ \t\n\r\f\v]*([-+]?(?:0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)"
                    r"(?:[eE][-+]?[0-9]+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN]))")
WHOLE = re.compile(PREFIX.pattern + r"[ \t\n\r\f\v]*\Z")
BIG = 2.0 ** 63
NOT_NUMERIC_START = frozenset(
    chr(c) for c in range(256)
    if chr(c) not in "0123456789+-. \t\n\r\f\viInN")  # (a quick no before the regex)


def parse_number(text: str) -> float:
    """The number strtod (glibc's, which mawk uses) reads from `text`: 0 when it reads none."""
    m = PREFIX.match(text)
    if not m:
        return 0.0
    digits = m.group(1)
    if "x" in digits or "X" in digits:
        sign = -1.0 if digits.startswith("-") else 1.0
        return sign * float(int(digits.lstrip("+-")[2:], 16))
    return float(digits)


def strnum(text: str) -> str:
    """`text` as input gives it: a StrNum when it looks like a number, else the string."""
    if not text or (text[0] in NOT_NUMERIC_START) or not WHOLE.match(text):
        return text
    value = StrNum(text)
    value.num = parse_number(text)
    return value


def to_num(v: Value) -> float:
    if isinstance(v, float):
        return v
    if isinstance(v, StrNum):
        return v.num
    return parse_number(v) if v else 0.0


def number_text(x: float, fmt: str, sprintf: Callable[[str, list[Value]], str]) -> str:
    """A number as a string: an integer as %d, else by `fmt` (CONVFMT or OFMT)."""
    if math.isfinite(x) and x == int(x) and -BIG < x < BIG:
        return str(int(x))
    if math.isnan(x):
        return "-nan" if math.copysign(1.0, x) < 0 else "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if fmt == "%.6g":
        return f"{x:.6g}"
    return sprintf(fmt, [x])


def to_str(v: Value, fmt: str, sprintf: Callable[[str, list[Value]], str]) -> str:
    if isinstance(v, str):
        return v
    return number_text(v, fmt, sprintf)


def to_bool(v: Value) -> bool:
    if isinstance(v, float):
        return v != 0.0
    if isinstance(v, StrNum):
        return v.num != 0.0
    return v != ""


def is_numeric(v: Value) -> bool:
    return isinstance(v, (float, StrNum))


def compare(a: Value, b: Value, fmt: str, sprintf: Callable[[str, list[Value]], str]) -> int:
    """-1, 0 or 1: numerically when both are numbers or strnums, else as strings (bytes)."""
    if is_numeric(a) and is_numeric(b):
        x, y = to_num(a), to_num(b)
        return (x > y) - (x < y)
    s, t = to_str(a, fmt, sprintf), to_str(b, fmt, sprintf)
    return (s > t) - (s < t)
