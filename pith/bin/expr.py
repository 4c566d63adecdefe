"""expr: evaluate an expression and print its value, as GNU expr does (C locale, bytes).

The grammar, loosest first: A | B, A & B, comparisons (< <= = == != >= >: numeric when
both sides look like integers, else bytewise), + -, * / %, STRING : BRE (anchored at the
start; the first \\( \\) group's text, else the length matched), then GNU's match, substr,
index, length, `+ TOKEN` and ( ). Integers are unbounded, / and % truncate toward zero.
Exit status 0 when the value is neither empty nor 0, 1 when it is, 2 for a bad expression,
3 for any other error.
"""

import os
import re
import sys

from pith.bin.grep import PatternError, translate

PROG = "expr"
HELP = """Usage: expr EXPRESSION
  or:  expr OPTION

      --help        display this help and exit

Print the value of EXPRESSION to standard output.  A blank line below
separates increasing precedence groups.  EXPRESSION may be:

  ARG1 | ARG2       ARG1 if it is neither null nor 0, otherwise ARG2

  ARG1 & ARG2       ARG1 if neither argument is null or 0, otherwise 0

  ARG1 < ARG2       ARG1 is less than ARG2
  ARG1 <= ARG2      ARG1 is less than or equal to ARG2
  ARG1 = ARG2       ARG1 is equal to ARG2
  ARG1 != ARG2      ARG1 is unequal to ARG2
  ARG1 >= ARG2      ARG1 is greater than or equal to ARG2
  ARG1 > ARG2       ARG1 is greater than ARG2

  ARG1 + ARG2       arithmetic sum of ARG1 and ARG2
  ARG1 - ARG2       arithmetic difference of ARG1 and ARG2

  ARG1 * ARG2       arithmetic product of ARG1 and ARG2
  ARG1 / ARG2       arithmetic quotient of ARG1 divided by ARG2
  ARG1 % ARG2       arithmetic remainder of ARG1 divided by ARG2

  STRING : REGEXP   anchored pattern match of REGEXP in STRING

  match STRING REGEXP        same as STRING : REGEXP
  substr STRING POS LENGTH   substring of STRING, POS counted from 1
  index STRING CHARS         index in STRING where any CHARS is found, or 0
  length STRING              length of STRING
  + TOKEN                    interpret TOKEN as a string, even if it is a
                               keyword like 'match' or an operator like '/'

  ( EXPRESSION )             value of EXPRESSION

Beware that many operators need to be escaped or quoted for shells.
Comparisons are arithmetic if both ARGs are numbers, else lexicographical.
Pattern matches return the string matched between \\( and \\) or null; if
\\( and \\) are not used, they return the number of characters matched or 0.

Exit status is 0 if EXPRESSION is neither null nor 0, 1 if EXPRESSION is null
or 0, 2 if EXPRESSION is syntactically invalid, and 3 if an error occurred.
"""
Value = int | bytes
INTEGER = re.compile(rb"-?[0-9]+")
COMPARE = {b"<": lambda c: c < 0, b"<=": lambda c: c <= 0, b"=": lambda c: c == 0,
           b"==": lambda c: c == 0, b"!=": lambda c: c != 0, b">=": lambda c: c >= 0,
           b">": lambda c: c > 0}


class Invalid(Exception):
    """A bad expression or operand: exit status 2."""


def text(v: Value) -> bytes:
    return str(v).encode() if isinstance(v, int) else v


def null(v: Value) -> bool:
    if isinstance(v, int):
        return v == 0
    return v == b"" or re.fullmatch(rb"-?0+", v) is not None


def integer(v: Value) -> int | None:
    if isinstance(v, int):
        return v
    return int(v) if INTEGER.fullmatch(v) else None


def quote(arg: bytes) -> str:
    return "'" + arg.decode("utf-8", "surrogateescape") + "'"


class Parser:
    """Recursive descent over the arguments, one method per precedence level."""

    def __init__(self, args: list[bytes]) -> None:
        self.args, self.i = args, 0

    def next_is(self, *tokens: bytes) -> bytes | None:
        if self.i < len(self.args) and self.args[self.i] in tokens:
            self.i += 1
            return self.args[self.i - 1]
        return None

    def missing(self) -> None:
        if self.i >= len(self.args):
            raise Invalid(f"syntax error: missing argument after {quote(self.args[self.i - 1])}")

    def either(self, evaluate: bool) -> Value:
        left = self.both(evaluate)
        while self.next_is(b"|"):
            right = self.both(evaluate and null(left))
            if null(left):
                left = 0 if null(right) else right
        return left

    def both(self, evaluate: bool) -> Value:
        left = self.comparison(evaluate)
        while self.next_is(b"&"):
            right = self.comparison(evaluate and not null(left))
            if null(left) or null(right):
                left = 0
        return left

    def comparison(self, evaluate: bool) -> Value:
        left = self.sum(evaluate)
        while op := self.next_is(*COMPARE):
            right = self.sum(evaluate)
            a, b = integer(left), integer(right)
            if a is not None and b is not None:
                order = (a > b) - (a < b)
            else:
                order = (text(left) > text(right)) - (text(left) < text(right))
            left = int(COMPARE[op](order))
        return left

    def sum(self, evaluate: bool) -> Value:
        left = self.product(evaluate)
        while op := self.next_is(b"+", b"-"):
            right = self.product(evaluate)
            if evaluate:
                a, b = arithmetic(left, right)
                left = a + b if op == b"+" else a - b
        return left

    def product(self, evaluate: bool) -> Value:
        left = self.match(evaluate)
        while op := self.next_is(b"*", b"/", b"%"):
            right = self.match(evaluate)
            if evaluate:
                a, b = arithmetic(left, right)
                if op != b"*" and b == 0:
                    raise Invalid("division by zero")
                quotient = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1) if b else 0
                left = a * b if op == b"*" else quotient if op == b"/" else a - b * quotient
        return left

    def match(self, evaluate: bool) -> Value:
        left = self.keyword(evaluate)
        while self.next_is(b":"):
            right = self.keyword(evaluate)
            if evaluate:
                left = colon(left, right)
        return left

    def keyword(self, evaluate: bool) -> Value:
        self.missing()
        if self.next_is(b"+"):
            self.missing()
            self.i += 1
            return self.args[self.i - 1]
        if self.next_is(b"length"):
            return len(text(self.keyword(evaluate)))
        if self.next_is(b"match"):
            s, p = self.keyword(evaluate), self.keyword(evaluate)
            return colon(s, p) if evaluate else 0
        if self.next_is(b"index"):
            s, chars = text(self.keyword(evaluate)), text(self.keyword(evaluate))
            return next((i + 1 for i, c in enumerate(s) if c in chars), 0)
        if self.next_is(b"substr"):
            s = text(self.keyword(evaluate))
            pos, length = integer(self.keyword(evaluate)), integer(self.keyword(evaluate))
            if pos is None or length is None or pos <= 0 or length <= 0 or pos > len(s):
                return b""
            return s[pos - 1:pos - 1 + length]
        return self.primary(evaluate)

    def primary(self, evaluate: bool) -> Value:
        self.missing()
        if self.next_is(b"("):
            self.missing()
            value = self.either(evaluate)
            if not self.next_is(b")"):
                if self.i >= len(self.args):
                    raise Invalid(f"syntax error: expecting ')' after "
                                  f"{quote(self.args[self.i - 1])}")
                raise Invalid(f"syntax error: expecting ')' instead of "
                              f"{quote(self.args[self.i])}")
            return value
        if self.next_is(b")"):
            raise Invalid("syntax error: unexpected ')'")
        self.i += 1
        return self.args[self.i - 1]


def arithmetic(left: Value, right: Value) -> tuple[int, int]:
    a, b = integer(left), integer(right)
    if a is None or b is None:
        raise Invalid("non-integer argument")
    return a, b


def colon(string: Value, pattern: Value) -> Value:
    """STRING : REGEXP, anchored at the start: group 1's text if there is one, else a length."""
    try:
        regex = re.compile(translate(text(pattern), False), re.DOTALL)
    except (PatternError, re.error) as e:
        raise Invalid("Unmatched ( or \\(" if "missing )" in str(e) else str(e)) from None
    m = regex.match(text(string))
    if regex.groups:
        return (m.group(1) or b"") if m else b""
    return m.end() if m else 0


def evaluate(args: list[bytes]) -> Value:
    parser = Parser(args)
    value = parser.either(True)
    if parser.i < len(args):
        raise Invalid(f"syntax error: unexpected argument {quote(args[parser.i])}")
    return value


def main(argv: list[str]) -> int:
    if argv == ["--help"]:
        sys.stdout.write(HELP)
        return 0
    args = [os.fsencode(a) for a in argv]
    if args[:1] == [b"--"]:
        args = args[1:]
    if not args:
        sys.stderr.write(f"{PROG}: missing operand\nTry '{PROG} --help' for more information.\n")
        return 2
    try:
        value = evaluate(args)
        sys.stdout.buffer.write(text(value) + b"\n")
        sys.stdout.flush()
    except Invalid as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 2
    except RecursionError:
        sys.stderr.write(f"{PROG}: memory exhausted\n")
        return 3
    except BrokenPipeError:
        return 3
    except OSError as e:
        sys.stderr.write(f"{PROG}: write error: {os.strerror(e.errno or 0)}\n")
        return 3
    return 1 if null(value) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
