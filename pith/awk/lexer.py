"""awk's lexer: program text to a list of Tokens (POSIX awk's lexical conventions).

A '/' starts a regular expression unless the token before it ends an operand (then it is
division). Newlines are tokens, but none follows '{', '&&', '||', ',', 'do', 'else' or another
newline, and backslash-newline is nothing. Entry points: `tokens`, `unescape`, `SyntaxError_`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["BUILTINS", "KEYWORDS", "AwkSyntaxError", "Token", "tokens", "unescape"]

KEYWORDS = {"BEGIN", "END", "function", "func", "if", "else", "while", "for", "do", "break",
            "continue", "next", "nextfile", "exit", "return", "delete", "in", "getline",
            "print", "printf"}
BUILTINS = {"length", "substr", "index", "split", "sub", "gsub", "match", "sprintf",
            "tolower", "toupper", "int", "sqrt", "exp", "log", "sin", "cos", "atan2", "rand",
            "srand", "system", "close", "fflush"}
OPERATORS = sorted(["+=", "-=", "*=", "/=", "%=", "^=", "**=", "**", "==", "<=", ">=", "!=",
                    "++", "--", ">>", "&&", "||", "!~", "{", "}", "(", ")", "[", "]", ";",
                    ",", "+", "-", "*", "/", "%", "^", "!", ">", "<", "|", "?", ":", "~",
                    "$", "="], key=len, reverse=True)
ENDS_OPERAND = {"NAME", "NUMBER", "STRING", "ERE", "BUILTIN", ")", "]", "$", "++", "--"}
NO_NEWLINE_AFTER = {"{", "&&", "||", ",", "do", "else", "NEWLINE", ";"}
NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "n": "\n",
                  "r": "\r", "t": "\t", "v": "\v"}
OCTAL, HEX = "01234567", "0123456789abcdefABCDEF"


class AwkSyntaxError(Exception):
    """A program that does not parse: 'line N: syntax error at or near X' (status 2)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass
class Token:
    kind: str  # NUMBER STRING ERE NAME FUNC_NAME BUILTIN NEWLINE EOF, a keyword or an operator
    value: str  # the text (a string's with its escapes done)
    line: int

    def near(self) -> str:
        """How an error message names this token."""
        if self.kind == "NEWLINE":
            return "end of line"
        if self.kind == "EOF":
            return "end of file"
        return self.value


def unescape(text: str) -> str:
    """A string literal's (or -v value's) escape sequences done; unknown ones kept as written."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c != "\\" or i + 1 == n:
            out.append(c)
            i += 1
            continue
        d = text[i + 1]
        i += 2
        if d in SIMPLE_ESCAPES:
            out.append(SIMPLE_ESCAPES[d])
        elif d in OCTAL:
            j = i
            while j < min(n, i + 2) and text[j] in OCTAL:
                j += 1
            out.append(chr(int(d + text[i:j], 8) & 0xFF))
            i = j
        elif d == "x" and i < n and text[i] in HEX:
            j = i
            while j < min(n, i + 2) and text[j] in HEX:
                j += 1
            out.append(chr(int(text[i:j], 16)))
            i = j
        elif d == "\n":
            pass
        else:
            out.append("\\" + d)
    return "".join(out)


class Lexer:
    def __init__(self, src: str) -> None:
        self.src, self.i, self.line = src, 0, 1
        self.out: list[Token] = []

    def add(self, kind: str, value: str) -> None:
        if kind == "NEWLINE" and (not self.out or self.out[-1].kind in NO_NEWLINE_AFTER):
            return
        self.out.append(Token(kind, value, self.line))

    def prev_ends_operand(self) -> bool:
        return bool(self.out) and self.out[-1].kind in ENDS_OPERAND

    def run(self) -> list[Token]:
        src = self.src
        while self.i < len(src):
            c = src[self.i]
            if c in " \t\r":
                self.i += 1
            elif c == "\\" and src.startswith("\n", self.i + 1):
                self.i += 2
                self.line += 1
            elif c == "\\" and src.startswith("\r\n", self.i + 1):
                self.i += 3
                self.line += 1
            elif c == "\n":
                self.add("NEWLINE", "\n")
                self.i += 1
                self.line += 1
            elif c == "#":
                end = src.find("\n", self.i)
                self.i = len(src) if end < 0 else end
            elif c == '"':
                self.string()
            elif c == "/" and not self.prev_ends_operand():
                self.regex()
            elif c.isdigit() or (c == "." and src[self.i + 1:self.i + 2].isdigit()):
                m = NUMBER.match(src, self.i)
                assert m is not None
                self.add("NUMBER", m.group())
                self.i = m.end()
            elif c.isalpha() or c == "_":
                self.word()
            else:
                self.operator()
        self.add("NEWLINE", "\n")
        self.out.append(Token("EOF", "", self.line))
        return self.out

    def word(self) -> None:
        m = NAME.match(self.src, self.i)
        assert m is not None
        word, self.i = m.group(), m.end()
        if word in KEYWORDS:
            self.add("function" if word == "func" else word, word)
        elif word in BUILTINS:
            self.add("BUILTIN", word)
        elif self.src.startswith("(", self.i):
            self.add("FUNC_NAME", word)
        else:
            self.add("NAME", word)

    def operator(self) -> None:
        for op in OPERATORS:
            if self.src.startswith(op, self.i):
                self.add(op, op)
                self.i += len(op)
                return
        raise AwkSyntaxError(self.line, f"syntax error at or near {self.src[self.i]}")

    def string(self) -> None:
        src, j = self.src, self.i + 1
        while j < len(src) and src[j] != '"':
            if src[j] == "\n":
                raise AwkSyntaxError(self.line, "runaway string constant \"" +
                                     src[self.i + 1:j][:10] + " ...")
            if src[j] == "\\" and j + 1 < len(src):
                if src[j + 1] == "\n":
                    self.line += 1
                j += 1
            j += 1
        if j >= len(src):
            raise AwkSyntaxError(self.line, "runaway string constant \"" +
                                 src[self.i + 1:j][:10] + " ...")
        self.add("STRING", unescape(src[self.i + 1:j]))
        self.i = j + 1

    def regex(self) -> None:
        src, j = self.src, self.i + 1
        out: list[str] = []
        while j < len(src) and src[j] != "/":
            if src[j] == "\n":
                break
            if src[j] == "\\" and j + 1 < len(src) and src[j + 1] != "\n":
                out.append("/" if src[j + 1] == "/" else src[j:j + 2])
                j += 2
                continue
            if src[j] == "[":
                k = bracket_end(src, j)
                if k > 0:
                    out.append(src[j:k])
                    j = k
                    continue
            out.append(src[j])
            j += 1
        if j >= len(src) or src[j] != "/":
            raise AwkSyntaxError(self.line, "runaway regular expression /" +
                                 src[self.i + 1:j][:10] + " ...")
        self.add("ERE", "".join(out))
        self.i = j + 1


def bracket_end(src: str, i: int) -> int:
    """The index after the bracket expression at src[i] == '[' (on one line), or -1."""
    j = i + 1
    if j < len(src) and src[j] == "^":
        j += 1
    if j < len(src) and src[j] == "]":
        j += 1
    while j < len(src) and src[j] != "]":
        if src[j] == "\n":
            return -1
        if src[j] == "[" and j + 1 < len(src) and src[j + 1] in ":=.":
            end = src.find(src[j + 1] + "]", j + 2)
            if end < 0:
                return -1
            j = end + 2
            continue
        j += 2 if src[j] == "\\" else 1
    return j + 1 if j < len(src) else -1


def tokens(src: str) -> list[Token]:
    """The program's tokens, ending with NEWLINE and EOF; AwkSyntaxError for bad text."""
    return Lexer(src).run()
