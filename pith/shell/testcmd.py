"""The test / [ builtin: file tests, string and integer comparisons, ! -a -o ( ).

Entry point: run_test(args) -> status (0 true, 1 false, 2 error with a message raised as
TestError).
"""

from __future__ import annotations

import os
import stat

__all__ = ["TestError", "run_test"]

UNARY = set("bcdefghknprstuwxzGLOS")
BINARY = {"=", "!=", "==", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef", "<", ">"}


class TestError(Exception):
    pass


def _int(s: str) -> int:
    try:
        n = int(s.strip())
    except ValueError:
        raise TestError(f"Illegal number: {s}") from None
    if not -(1 << 63) <= n < 1 << 63:
        raise TestError(f"Illegal number: {s}")
    return n


def _stat(path: str, follow: bool = True) -> os.stat_result | None:
    try:
        return os.stat(path) if follow else os.lstat(path)
    except (OSError, ValueError):
        return None


def _unary(op: str, a: str) -> bool:
    if op == "n":
        return a != ""
    if op == "z":
        return a == ""
    if op == "t":
        try:
            return os.isatty(_int(a))
        except OSError:
            return False
    if op in "rwx":
        return os.access(a, {"r": os.R_OK, "w": os.W_OK, "x": os.X_OK}[op])
    st = _stat(a, follow=op not in "hL")
    if st is None:
        return False
    m = st.st_mode
    checks = {
        "e": True, "f": stat.S_ISREG(m), "d": stat.S_ISDIR(m), "s": st.st_size > 0,
        "h": stat.S_ISLNK(m), "L": stat.S_ISLNK(m), "b": stat.S_ISBLK(m), "c": stat.S_ISCHR(m),
        "p": stat.S_ISFIFO(m), "S": stat.S_ISSOCK(m), "u": bool(m & stat.S_ISUID),
        "g": bool(m & stat.S_ISGID), "k": bool(m & stat.S_ISVTX),
        "O": st.st_uid == os.geteuid() if hasattr(os, "geteuid") else True,
        "G": st.st_gid == os.getegid() if hasattr(os, "getegid") else True,
    }
    return bool(checks[op])


def _binary(a: str, op: str, b: str) -> bool:
    if op in ("=", "=="):
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == ">":
        return a > b
    if op in ("-nt", "-ot", "-ef"):
        sa, sb = _stat(a), _stat(b)
        if op == "-ef":
            return bool(sa and sb and (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino))
        if not (sa and sb):  # as dash: both files must exist
            return False
        if op == "-nt":
            return sa.st_mtime > sb.st_mtime
        return sa.st_mtime < sb.st_mtime
    x, y = _int(a), _int(b)
    return {"-eq": x == y, "-ne": x != y, "-lt": x < y, "-le": x <= y, "-gt": x > y,
            "-ge": x >= y}[op]


class _Parser:
    def __init__(self, args: list[str]) -> None:
        self.a = args
        self.i = 0

    def peek(self, k: int = 0) -> str | None:
        j = self.i + k
        return self.a[j] if j < len(self.a) else None

    def take(self) -> str:
        if self.i >= len(self.a):
            raise TestError("argument expected")
        self.i += 1
        return self.a[self.i - 1]

    def expr(self) -> bool:
        v = self.and_()
        while self.peek() == "-o":
            self.take()
            r = self.and_()
            v = v or r
        return v

    def and_(self) -> bool:
        v = self.not_()
        while self.peek() == "-a":
            self.take()
            r = self.not_()
            v = v and r
        return v

    def not_(self) -> bool:
        if self.peek() == "!" and self.peek(1) is not None:
            self.take()
            return not self.not_()
        return self.primary()

    def primary(self) -> bool:
        t = self.take()
        if t == "(" and self.peek() == ")" and self.peek(1) is None:
            self.take()
            return False  # an empty ( ): false, as dash has it
        if (t == "(" and self.peek(1) != ")") or (t == "(" and self.peek() != ")"):
            v = self.expr()
            if self.take() != ")":
                raise TestError("closing paren expected")
            return v
        nxt = self.peek()
        if nxt in BINARY and self.peek(1) is not None:
            self.take()
            return _binary(t, nxt, self.take())
        if len(t) == 2 and t[0] == "-" and t[1] in UNARY and nxt is not None:
            return _unary(t[1], self.take())
        return t != ""


def run_test(args: list[str]) -> int:
    n = len(args)
    if n == 0:
        return 1
    if n == 1:
        return 0 if args[0] else 1
    if n == 2 and args[0] == "!":
        return 0 if not args[1] else 1
    if n == 3 and args[1] in BINARY:
        return 0 if _binary(args[0], args[1], args[2]) else 1
    if n == 4 and args[0] == "!" and args[2] in BINARY:
        return 1 if _binary(args[1], args[2], args[3]) else 0
    p = _Parser(args)
    v = p.expr()
    if p.i != n:
        raise TestError(f"{args[p.i]}: unexpected operator")
    return 0 if v else 1
