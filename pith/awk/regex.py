"""POSIX extended regular expressions (awk's dialect) translated to Python's re.

What differs and is translated: bracket expressions ([:classes:], ']' first, awk's backslash
escapes inside, every other character literal), '$' (only the very end, Python's also before
a last newline), '*' '+' '?' where nothing precedes them (literal), repeated quantifiers
('a**'), '{' that does not start an interval (literal), awk's escapes (\\/ \\" \\n \\t \\ddd ...),
'.' matching newline. Python's leftmost-first alternation is not POSIX's leftmost-longest.
Entry points: `compile_ere` (cached), `RegexError`.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["RegexError", "compile_ere", "translate"]

CLASSES = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "0-9a-zA-Z", "upper": "A-Z", "lower": "a-z",
    "space": " \\t\\n\\r\\f\\v", "blank": " \\t", "punct": "!-/:-@\\[-`{-~",
    "print": " -~", "graph": "!-~", "cntrl": "\\x00-\\x1f\\x7f", "xdigit": "0-9A-Fa-f",
    "word": "0-9a-zA-Z_"}
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "b": "\b"}
INTERVAL = re.compile(r"\{([0-9]+)(,([0-9]*))?\}")
QUANTIFIED, ATOM, ANCHOR, BAR = range(4)


class RegexError(Exception):
    """A regular expression that cannot be used (an unterminated [, a bad range, ...)."""


def escape_at(src: str, i: int) -> tuple[str, int]:
    """The character an awk escape at src[i] == '\\' stands for, and the index after it."""
    if i + 1 >= len(src):
        return "\\", i + 1
    d = src[i + 1]
    if d in ESCAPES:
        return ESCAPES[d], i + 2
    if d in "01234567":
        j = i + 1
        while j < min(len(src), i + 4) and src[j] in "01234567":
            j += 1
        return chr(int(src[i + 1:j], 8) & 0xFF), j
    return d, i + 2


def bracket(src: str, i: int) -> tuple[str, int]:
    """The bracket expression at src[i] == '[': Python's class and the index after it."""
    j = i + 1
    negate = src.startswith("^", j)
    j += negate
    items: list[str] = []  # each a character, a range 'a-z' (escaped) or a class body
    first = True
    while True:
        if j >= len(src):
            raise RegexError("bad class -- [], [^] or [")
        c = src[j]
        if c == "]" and not first:
            break
        first = False
        if c == "[" and src.startswith((":", "=", "."), j + 1):
            kind = src[j + 1]
            end = src.find(kind + "]", j + 2)
            if end < 0:
                raise RegexError("bad class -- [], [^] or [")
            name = src[j + 2:end]
            if kind == ":":
                if name not in CLASSES:
                    raise RegexError(f"bad character class [:{name}:]")
                items.append(CLASSES[name])
            else:
                items.extend(re.escape(ch) for ch in name)
            j = end + 2
            continue
        lo, j = escape_at(src, j) if c == "\\" else (c, j + 1)
        if src.startswith("-", j) and j + 1 < len(src) and src[j + 1] != "]":
            hi, j = escape_at(src, j + 1) if src[j + 1] == "\\" else (src[j + 1], j + 2)
            if hi < lo:
                raise RegexError(f"invalid range {lo}-{hi}")
            items.append(re.escape(lo) + "-" + re.escape(hi))
        else:
            items.append(re.escape(lo))
    body = "".join(items)
    if not body:
        return ("[\\x00-\\xff]" if negate else "(?!)"), j + 1
    return "[" + ("^" if negate else "") + body + "]", j + 1


class Translation:
    """One ERE being translated: pieces (text, kind), a stack of them per open group."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.pieces: list[tuple[str, int]] = []
        self.stack: list[list[tuple[str, int]]] = []

    def add(self, text: str, kind: int = ATOM) -> None:
        self.pieces.append((text, kind))

    def quantifiable(self) -> bool:
        return bool(self.pieces) and self.pieces[-1][1] in (ATOM, QUANTIFIED)

    def quantify(self, q: str) -> None:
        text, kind = self.pieces.pop()
        if kind == QUANTIFIED:
            text = "(?:" + text + ")"
        self.pieces.append((text + q, QUANTIFIED))

    def close_group(self) -> None:
        inner = "".join(text for text, _ in self.pieces)
        self.pieces = self.stack.pop()
        self.add("(?:" + inner + ")")

    def run(self) -> str:
        src, i = self.src, 0
        while i < len(src):
            i = self.step(src, i)
        if self.stack:
            raise RegexError("missing )")
        return "".join(text for text, _ in self.pieces)

    def step(self, src: str, i: int) -> int:
        c = src[i]
        if c == "\\":
            ch, i = escape_at(src, i)
            self.add(re.escape(ch))
            return i
        if c == "[":
            text, i = bracket(src, i)
            self.add(text)
            return i
        if c in "*+?":
            if self.quantifiable():
                self.quantify(c)
            else:
                self.add(re.escape(c))
            return i + 1
        if c == "{":
            m = INTERVAL.match(src, i)
            if m and self.quantifiable():
                lo, comma, hi = m.group(1), m.group(2), m.group(3)
                if hi and int(hi) < int(lo):
                    raise RegexError("bad repetition count")
                self.quantify("{" + lo + ("," + hi if comma else "") + "}")
                return m.end()
            self.add("\\{")
            return i + 1
        return self.structure(c, i)

    def structure(self, c: str, i: int) -> int:
        if c == "(":
            self.stack.append(self.pieces)
            self.pieces = []
        elif c == ")":
            if not self.stack:
                raise RegexError("missing (")
            self.close_group()
        elif c == "|":
            self.add("|", BAR)
        elif c == "^":
            self.add("^", ANCHOR)
        elif c == "$":
            self.add("\\Z", ANCHOR)
        elif c == ".":
            self.add(".")
        else:
            self.add(re.escape(c))
        return i + 1


def translate(src: str) -> str:
    """Python's pattern for the ERE `src`; RegexError if it is not one."""
    return Translation(src).run()


@lru_cache(maxsize=512)
def compile_ere(src: str) -> re.Pattern[str]:
    """The compiled ERE (dotall: '.' matches a newline too); RegexError if it is not one."""
    try:
        return re.compile(translate(src), re.DOTALL)
    except (re.error, OverflowError, RecursionError) as e:
        raise RegexError(str(e)) from None
