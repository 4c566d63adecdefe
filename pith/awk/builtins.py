"""awk's built-in functions, each `(interpreter, argument nodes) -> value`.

length substr index split sub gsub match sprintf tolower toupper int sqrt exp log sin cos
atan2 rand srand system close fflush. They get the argument nodes unevaluated because some
take an array (split, length) or an lvalue (sub, gsub) or a regular expression literal.
Entry points: `BUILTINS`, `Random`, `substitute`.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from random import Random
from typing import TYPE_CHECKING

from pith.awk import nodes as n
from pith.awk.fields import split_text
from pith.awk.values import Value, strnum, to_num

if TYPE_CHECKING:
    from pith.awk.interp import Interpreter

__all__ = ["BUILTINS", "Random", "substitute"]

UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
Builtin = Callable[["Interpreter", list[n.Expr]], Value]


def text_arg(it: Interpreter, e: n.Expr) -> str:
    return it.tostr(it.eval(e))


def num_arg(it: Interpreter, e: n.Expr) -> float:
    return to_num(it.eval(e))


def b_length(it: Interpreter, args: list[n.Expr]) -> Value:
    if not args:
        return float(len(it.record.text))
    a = args[0]
    if isinstance(a, n.Var) and isinstance(it.vars.get(a.name), dict):
        return float(len(it.array(a)))
    if isinstance(a, n.Local) and isinstance(it.frame[a.slot], dict):
        return float(len(it.array(a)))
    return float(len(text_arg(it, a)))


def b_substr(it: Interpreter, args: list[n.Expr]) -> Value:
    """Characters m to m+n-1 (from 1; m and n truncated), those that exist."""
    s = text_arg(it, args[0])
    m = num_arg(it, args[1])
    count = num_arg(it, args[2]) if len(args) > 2 else math.inf
    if math.isnan(m) or math.isnan(count):
        return ""
    start = math.trunc(m) if math.isfinite(m) else (len(s) + 1 if m > 0 else -len(s))
    end = start + math.trunc(count) if math.isfinite(count) else (
        len(s) + 1 if count > 0 else start)
    start, end = max(start, 1), min(end, len(s) + 1)
    return s[start - 1:end - 1] if start < end else ""


def b_index(it: Interpreter, args: list[n.Expr]) -> Value:
    return float(text_arg(it, args[0]).find(text_arg(it, args[1])) + 1)


def b_split(it: Interpreter, args: list[n.Expr]) -> Value:
    s = text_arg(it, args[0])
    target = args[1]
    assert isinstance(target, (n.Var, n.Local))
    if len(args) < 3:
        parts = split_text(s, it.special_str("FS"))
    elif isinstance(args[2], n.Regex):
        parts = split_text(s, it.regex(args[2]))
    else:
        parts = split_text(s, text_arg(it, args[2]))
    arr = it.array(target)
    arr.clear()
    for i, part in enumerate(parts, 1):
        arr[str(i)] = strnum(part)
    return float(len(parts))


def expand(repl: str, matched: str) -> str:
    """sub's replacement: & is the match, \\& a '&', \\\\ a backslash, \\x stays \\x."""
    if "\\" not in repl and "&" not in repl:
        return repl
    out: list[str] = []
    i = 0
    while i < len(repl):
        c = repl[i]
        if c == "\\" and i + 1 < len(repl) and repl[i + 1] in "\\&":
            out.append(repl[i + 1])
            i += 2
            continue
        out.append(matched if c == "&" else c)
        i += 1
    return "".join(out)


def substitute(pattern: re.Pattern[str], repl: str, text: str, every: bool) -> tuple[str, int]:
    """text with the first (or every) match replaced, and how many; no empty match is taken
    right where the previous match ended."""
    out: list[str] = []
    i, count, prev_end, size = 0, 0, -1, len(text)
    while i <= size:
        m = pattern.search(text, i)
        if m is None:
            break
        s, e = m.span()
        if s == e and s == prev_end:
            if s >= size:
                break
            out.append(text[i:s + 1])
            i = s + 1
            continue
        out.append(text[i:s])
        out.append(expand(repl, m.group()))
        count += 1
        prev_end = e
        if s == e:
            out.append(text[s:s + 1])
            i = s + 1
        else:
            i = e
        if not every:
            break
    out.append(text[i:])
    return "".join(out), count


def sub_or_gsub(it: Interpreter, args: list[n.Expr], every: bool) -> Value:
    pattern = it.regex(args[0])
    repl = text_arg(it, args[1])
    target = args[2] if len(args) > 2 else n.Field(n.Num(0.0))
    result, count = substitute(pattern, repl, text_arg(it, target), every)
    if count and isinstance(target, (n.Var, n.Local, n.Field, n.Index)):
        it.assign(target, result)
    return float(count)


def b_sub(it: Interpreter, args: list[n.Expr]) -> Value:
    return sub_or_gsub(it, args, False)


def b_gsub(it: Interpreter, args: list[n.Expr]) -> Value:
    return sub_or_gsub(it, args, True)


def b_match(it: Interpreter, args: list[n.Expr]) -> Value:
    s = text_arg(it, args[0])
    m = it.regex(args[1]).search(s)
    start, length = (m.start() + 1, m.end() - m.start()) if m else (0, -1)
    it.vars["RSTART"], it.vars["RLENGTH"] = float(start), float(length)
    return float(start)


def b_sprintf(it: Interpreter, args: list[n.Expr]) -> Value:
    values = [it.eval(a) for a in args]
    return it.format(it.tostr(values[0]), values[1:])


def b_tolower(it: Interpreter, args: list[n.Expr]) -> Value:
    return text_arg(it, args[0]).translate(LOWER)


def b_toupper(it: Interpreter, args: list[n.Expr]) -> Value:
    return text_arg(it, args[0]).translate(UPPER)


def b_int(it: Interpreter, args: list[n.Expr]) -> Value:
    x = num_arg(it, args[0])
    return float(math.trunc(x)) if math.isfinite(x) else x


def math_function(f: Callable[[float], float]) -> Builtin:
    def call(it: Interpreter, args: list[n.Expr]) -> Value:
        x = num_arg(it, args[0])
        try:
            return f(x)
        except OverflowError:
            return math.inf
        except ValueError:
            return -math.nan if not math.isnan(x) else x
    return call


def log(x: float) -> float:
    return -math.inf if x == 0 else math.log(x)


def b_atan2(it: Interpreter, args: list[n.Expr]) -> Value:
    return math.atan2(num_arg(it, args[0]), num_arg(it, args[1]))


def b_rand(it: Interpreter, args: list[n.Expr]) -> Value:
    return it.random.random()


def b_srand(it: Interpreter, args: list[n.Expr]) -> Value:
    previous = it.seed
    it.seed = num_arg(it, args[0]) if args else float(int(time.time()))
    it.random.seed(it.seed)
    return previous


def b_system(it: Interpreter, args: list[n.Expr]) -> Value:
    return float(it.streams.system(text_arg(it, args[0])))


def b_close(it: Interpreter, args: list[n.Expr]) -> Value:
    return float(it.streams.close(text_arg(it, args[0])))


def b_fflush(it: Interpreter, args: list[n.Expr]) -> Value:
    return float(it.streams.fflush(text_arg(it, args[0]) if args else None))


BUILTINS: dict[str, Builtin] = {
    "length": b_length, "substr": b_substr, "index": b_index, "split": b_split,
    "sub": b_sub, "gsub": b_gsub, "match": b_match, "sprintf": b_sprintf,
    "tolower": b_tolower, "toupper": b_toupper, "int": b_int,
    "sqrt": math_function(math.sqrt), "exp": math_function(math.exp),
    "log": math_function(log), "sin": math_function(math.sin), "cos": math_function(math.cos),
    "atan2": b_atan2, "rand": b_rand, "srand": b_srand, "system": b_system,
    "close": b_close, "fflush": b_fflush}
