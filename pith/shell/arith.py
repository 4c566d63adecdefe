"""Shell arithmetic ($(( ))): C-like integer expressions over shell variables.

Entry point: evaluate(text, get, set_) -> int, where get(name) returns a variable's
value (or None) and set_(name, value) assigns one. Raises ExpansionError on bad input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pith.shell.errors import ExpansionError

__all__ = ["evaluate"]

TOKEN = re.compile(r"\s*(0[xX][0-9a-fA-F]+|[0-9]+|[A-Za-z_][A-Za-z0-9_]*|<<=|>>=|&&|\|\||"
                   r"<<|>>|<=|>=|==|!=|[-+*/%&^|]=|[-+*/%()~!<>=&^|?:])")
BINARY = [["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<", "<=", ">", ">="],
          ["<<", ">>"], ["+", "-"], ["*", "/", "%"]]
Node = tuple[Any, ...]
COMPARE = ("==", "!=", "<=", ">=")


def _tokens(text: str) -> list[str]:
    out = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise ExpansionError(f"arithmetic expression: expecting primary: \"{text}\"")
        out.append(m.group(1))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, toks: list[str], text: str) -> None:
        self.t = toks
        self.i = 0
        self.text = text

    def peek(self) -> str:
        return self.t[self.i] if self.i < len(self.t) else ""

    def take(self) -> str:
        tok = self.peek()
        self.i += 1
        return tok

    def error(self) -> ExpansionError:
        return ExpansionError(f'arithmetic expression: expecting primary: "{self.text}"')

    def expr(self) -> Node:
        left = self.cond()
        tok = self.peek()
        if tok == "=" or (len(tok) >= 2 and tok.endswith("=") and tok not in COMPARE):
            if left[0] != "var":
                raise self.error()
            self.take()
            return ("assign", left[1], tok[:-1], self.expr())
        return left

    def cond(self) -> Node:
        c = self.binary(0)
        if self.peek() == "?":
            self.take()
            a = self.expr()
            if self.take() != ":":
                raise self.error()
            b = self.cond()
            return ("?", c, a, b)
        return c

    def binary(self, level: int) -> Node:
        if level == len(BINARY):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in BINARY[level]:
            op = self.take()
            left = ("bin", op, left, self.binary(level + 1))
        return left

    def unary(self) -> Node:
        tok = self.peek()
        if tok in ("-", "+", "!", "~"):
            self.take()
            return ("un", tok, self.unary())
        return self.primary()

    def primary(self) -> Node:
        tok = self.take()
        if tok == "(":
            e = self.expr()
            if self.take() != ")":
                raise self.error()
            return e
        if tok[:1].isdigit():
            try:
                if tok[:2].lower() == "0x":
                    n = int(tok, 16)
                else:
                    n = int(tok, 8) if tok.startswith("0") and len(tok) > 1 else int(tok)
                return ("num", min(n, (1 << 63) - 1))  # strtoimax's clamping, as in dash
            except ValueError:
                raise self.error() from None
        if tok[:1].isalpha() or tok[:1] == "_":
            return ("var", tok)
        raise self.error()


def _c_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _binop(op: str, a: int, b: int) -> int:
    if op in ("/", "%") and b == 0:
        raise ExpansionError("division by zero")
    ops: dict[str, Callable[[int, int], int]] = {
        "+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
        "/": _c_div, "%": lambda x, y: x - _c_div(x, y) * y,
        # (a shift count as the machine takes it: its low 6 bits, so never negative)
        "<<": lambda x, y: x << (y & 63), ">>": lambda x, y: x >> (y & 63),
        "<": lambda x, y: int(x < y), "<=": lambda x, y: int(x <= y),
        ">": lambda x, y: int(x > y), ">=": lambda x, y: int(x >= y),
        "==": lambda x, y: int(x == y), "!=": lambda x, y: int(x != y),
        "&": lambda x, y: x & y, "^": lambda x, y: x ^ y, "|": lambda x, y: x | y,
    }
    return _wrap(ops[op](a, b))


def _wrap(v: int) -> int:
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >= 1 << 63 else v


def number(value: str) -> int:
    """A variable's value as a number, as dash reads it: an optionally signed decimal, octal
    (leading 0) or hex (0x) constant, blanks around it allowed; anything else is an error."""
    v = value.strip(" \t\n")
    if not v:
        return 0
    m = re.fullmatch(r"([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)", v)
    if not m:
        raise ExpansionError(f"Illegal number: {value}")
    digits = m.group(2)
    if digits[:2].lower() == "0x":
        n = int(digits, 16)
    else:
        n = int(digits, 8) if digits.startswith("0") else int(digits)
    return _wrap(-n if m.group(1) == "-" else n)


def evaluate(text: str, get: Callable[[str], str | None], set_: Callable[[str, str], None]) -> int:
    if not text.strip():
        return 0
    p = _Parser(_tokens(text), text.strip())
    tree = p.expr()
    if p.i != len(p.t):
        raise p.error()

    def var(name: str) -> int:
        return number(get(name) or "")

    def ev(n: Node) -> int:
        kind = n[0]
        if kind == "num":
            return int(n[1])
        if kind == "var":
            return var(n[1])
        if kind == "un":
            v = ev(n[2])
            return {"-": -v, "+": v, "!": int(not v), "~": ~v}[n[1]]
        if kind == "?":
            return ev(n[2]) if ev(n[1]) else ev(n[3])
        if kind == "assign":
            v = ev(n[3])
            if n[2]:
                v = _binop(n[2], var(n[1]), v)
            set_(n[1], str(v))
            return v
        op = n[1]
        if op == "&&":
            return int(bool(ev(n[2])) and bool(ev(n[3])))
        if op == "||":
            return int(bool(ev(n[2])) or bool(ev(n[3])))
        return _binop(op, ev(n[2]), ev(n[3]))

    return ev(tree)
