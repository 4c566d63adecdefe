"""test: evaluate a conditional expression (POSIX test, as GNU's): file tests -e -f -d -r -w -x
-s -L -h -b -c -p -S -g -u -k -t, strings -z -n = == !=, integers -eq -ne -lt -le -gt -ge,
files -nt -ot -ef, and ! -a -o ( ). Exit 0 true, 1 false, 2 error. Also serves as '['."""

import os
import stat
import sys

PROG = "test"
HELP = """Usage: test EXPRESSION
  or:  test
  or:  [ EXPRESSION ]
  or:  [ ]
  or:  [ OPTION
Exit with the status determined by EXPRESSION.

      --help     display this help and exit

An omitted EXPRESSION defaults to false.  Otherwise, EXPRESSION is true or false
and sets exit status.  It is one of:

  ( EXPRESSION )               EXPRESSION is true
  ! EXPRESSION                 EXPRESSION is false
  EXPRESSION1 -a EXPRESSION2   both EXPRESSION1 and EXPRESSION2 are true
  EXPRESSION1 -o EXPRESSION2   either EXPRESSION1 or EXPRESSION2 is true
  -n STRING, STRING            the length of STRING is nonzero
  -z STRING                    the length of STRING is zero
  STRING1 = STRING2, STRING1 != STRING2
  INTEGER1 -eq -ge -gt -le -lt -ne INTEGER2
  FILE1 -ef -nt -ot FILE2
  -b -c -d -e -f -g -G -h -k -L -N -O -p -r -s -S -t -u -w -x FILE
"""
UNARY = set("bcdefgGhkLNOprsStuwxzn")
BINARY = {"=", "==", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot",
          "-ef"}


class TestError(Exception):
    pass


def integer(text: str) -> int:
    t = text.strip(" \t\n")
    digits = t[1:] if t[:1] in "+-" else t
    if not digits.isdigit():
        raise TestError(f"invalid integer '{text}'")
    return int(t)


def stat_of(path: str, follow: bool = True) -> os.stat_result | None:
    try:
        return os.stat(path) if follow else os.lstat(path)
    except (OSError, ValueError):
        return None


def unary(op: str, arg: str) -> bool:
    if op == "z":
        return arg == ""
    if op == "n":
        return arg != ""
    if op == "t":
        try:
            return os.isatty(integer(arg))
        except OSError:
            return False
    if op in "hL":
        st = stat_of(arg, follow=False)
        return st is not None and stat.S_ISLNK(st.st_mode)
    if op in "rwx":
        return os.access(arg, {"r": os.R_OK, "w": os.W_OK, "x": os.X_OK}[op])
    st = stat_of(arg)
    if st is None:
        return False
    m = st.st_mode
    checks = {"e": True, "f": stat.S_ISREG(m), "d": stat.S_ISDIR(m), "b": stat.S_ISBLK(m),
              "c": stat.S_ISCHR(m), "p": stat.S_ISFIFO(m), "S": stat.S_ISSOCK(m),
              "s": st.st_size > 0, "g": bool(m & stat.S_ISGID), "u": bool(m & stat.S_ISUID),
              "k": bool(m & stat.S_ISVTX), "O": st.st_uid == os.geteuid(),
              "G": st.st_gid == os.getegid(), "N": st.st_mtime > st.st_atime}
    return checks[op]


def binary(left: str, op: str, right: str) -> bool:
    if op in ("=", "=="):
        return left == right
    if op == "!=":
        return left != right
    if op in ("-nt", "-ot", "-ef"):
        a, b = stat_of(left), stat_of(right)
        if op == "-ef":
            return a is not None and b is not None and (a.st_dev, a.st_ino) == (b.st_dev,
                                                                                 b.st_ino)
        if op == "-ot":
            a, b = b, a
        return a is not None and (b is None or a.st_mtime_ns > b.st_mtime_ns)
    x, y = integer(left), integer(right)
    return {"-eq": x == y, "-ne": x != y, "-lt": x < y, "-le": x <= y, "-gt": x > y,
            "-ge": x >= y}[op]


class Parser:
    """POSIX's rules by argument count, then a recursive descent for longer expressions."""

    def __init__(self, args: list[str]) -> None:
        self.args, self.pos = args, 0

    def evaluate(self) -> bool:
        a = self.args
        if len(a) <= 4:
            return self.counted(a)
        result = self.expr()
        if self.pos != len(a):
            raise TestError(f"extra argument '{a[self.pos]}'")
        return result

    def counted(self, a: list[str]) -> bool:
        n = len(a)
        if n == 0:
            return False
        if n == 1:
            return a[0] != ""
        if n == 2:
            if a[0] == "!":
                return a[1] == ""
            if len(a[0]) == 2 and a[0][0] == "-" and a[0][1] in UNARY:
                return unary(a[0][1], a[1])
            raise TestError(f"'{a[0]}': unary operator expected")
        if n == 3:
            if a[1] in BINARY:
                return binary(a[0], a[1], a[2])
            if a[1] in ("-a", "-o"):
                return (a[0] != "" and a[2] != "") if a[1] == "-a" else (a[0] != "" or
                                                                         a[2] != "")
            if a[0] == "!":
                return not self.counted(a[1:])
            if a[0] == "(" and a[2] == ")":
                return a[1] != ""
            raise TestError(f"'{a[1]}': binary operator expected")
        if a[0] == "!":
            return not self.counted(a[1:])
        if a[0] == "(" and a[3] == ")":
            return self.counted(a[1:3])
        result = self.expr()
        if self.pos != n:
            raise TestError(f"extra argument '{a[self.pos]}'")
        return result

    def group(self) -> bool:
        """After '(': as GNU does, up to four arguments before the first ')' are judged by
        count, more by the full grammar; then ')' must follow."""
        a, start = self.args, self.pos
        n = 1
        while start + n < len(a) and a[start + n] != ")":
            n += 1
            if n == 4:
                n = len(a) - start
                break
        if start >= len(a):
            raise TestError("argument expected after '('")
        if n <= 4:
            result = self.counted(a[start:start + n])
            self.pos = start + n
        else:
            result = self.expr()
        if self.pos >= len(a):
            raise TestError("')' expected")
        if a[self.pos] != ")":
            raise TestError(f"')' expected, found '{a[self.pos]}'")
        self.pos += 1
        return result

    def peek(self, k: int = 0) -> str | None:
        i = self.pos + k
        return self.args[i] if i < len(self.args) else None

    def take(self) -> str:
        if self.pos >= len(self.args):
            raise TestError(f"argument expected after '{self.args[-1]}'" if self.args
                            else "argument expected")
        self.pos += 1
        return self.args[self.pos - 1]

    def expr(self) -> bool:
        result = self.conj()
        while self.peek() == "-o":
            self.pos += 1
            right = self.conj()
            result = result or right
        return result

    def conj(self) -> bool:
        result = self.neg()
        while self.peek() == "-a":
            self.pos += 1
            right = self.neg()
            result = result and right
        return result

    def neg(self) -> bool:
        if self.peek() == "!":
            self.pos += 1
            return not self.neg()
        return self.primary()

    def primary(self) -> bool:
        first = self.take()
        if first == "(" and self.peek(1) not in BINARY:
            return self.group()
        if self.peek() in BINARY:
            op = self.take()
            return binary(first, op, self.take())
        if len(first) == 2 and first[0] == "-" and first[1] in UNARY and self.peek() is not None:
            return unary(first[1], self.take())
        return first != ""


def main(argv: list[str], bracket: bool = False) -> int:
    name = "[" if bracket else PROG
    if bracket:
        if argv in (["--help"], ["--version"]):
            sys.stdout.write(HELP)
            return 0
        if not argv or argv[-1] != "]":
            sys.stderr.write(f"{name}: missing ']'\n")
            return 2
        argv = argv[:-1]
    try:
        return 0 if Parser(argv).evaluate() else 1
    except TestError as e:
        sys.stderr.write(f"{name}: {e}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], os.path.basename(sys.argv[0]).startswith("[")))
