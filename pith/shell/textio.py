"""The builtins that read and write text: echo and printf (their formatting is printf.py)
and read (a line from fd 0, split by $IFS into variables).

Writes fd 1 (with out) and reads fd 0 a byte at a time; read sets the variables it is
given. Entry points: the handlers below, registered into builtins.BUILTINS as this is
imported.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from pith.shell.builtins import builtin, out
from pith.shell.printf import echo_text, printf_text
from pith.shell.words import is_name

if TYPE_CHECKING:
    from pith.shell.run import Shell

__all__ = ["b_echo", "b_printf", "b_read"]


@builtin("echo")
def b_echo(sh: Shell, argv: list[str]) -> int:
    out(echo_text(argv[1:]))
    return 0


@builtin("printf")
def b_printf(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    elif args and args[0].startswith("-") and len(args[0]) > 1:
        sh.error(f"printf: Illegal option {args[0][:2]}")
        return 2
    if not args:
        sh.error("printf: usage: printf format [arg ...]")
        return 2
    text, errors = printf_text(args[0], args[1:])
    out(text)
    for e in errors:
        sh.error(f"printf: {e}")
    if any("invalid directive" in e for e in errors):
        return 2
    return 1 if errors else 0


def _read_line(raw: bool) -> tuple[list[tuple[str, bool]], bool]:
    """A line from fd 0, a byte at a time: (chars with escaped flags, hit end of input)."""
    buf = bytearray()
    eof = False
    while True:
        try:
            b = os.read(0, 1)
        except InterruptedError:
            continue
        if not b:
            eof = True
            break
        if b == b"\n":
            if not raw and buf.endswith(b"\\") and not buf.endswith(b"\\\\"):
                buf.pop()
                continue
            break
        buf += b
    text = buf.decode("utf-8", "surrogateescape")
    chars: list[tuple[str, bool]] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and not raw and i + 1 < len(text):
            chars.append((text[i + 1], True))
            i += 2
            continue
        if text[i] == "\\" and not raw:
            i += 1
            continue
        chars.append((text[i], False))
        i += 1
    return chars, eof


def _read_split(chars: list[tuple[str, bool]], count: int, ifs: str) -> list[str]:
    ws = [c for c in ifs if c in " \t\n"]

    def is_ws(k: int) -> bool:
        return not chars[k][1] and chars[k][0] in ws

    def is_ifs(k: int) -> bool:
        return not chars[k][1] and chars[k][0] in ifs

    i, n = 0, len(chars)
    while i < n and is_ws(i):
        i += 1
    values: list[str] = []
    while len(values) < count - 1 and i < n:
        start = i
        while i < n and not is_ifs(i):
            i += 1
        values.append("".join(c for c, _ in chars[start:i]))
        while i < n and is_ws(i):
            i += 1
        if i < n and is_ifs(i):
            i += 1
            while i < n and is_ws(i):
                i += 1
    end = n
    while end > i and is_ws(end - 1):
        end -= 1
    if end > i and is_ifs(end - 1) and not is_ws(end - 1):
        # the rest is one field and the delimiter ending it ("b:"): the delimiter goes
        k = end - 1
        while k > i and is_ws(k - 1):
            k -= 1
        if not any(is_ifs(m) for m in range(i, k)):
            end = k
    rest = "".join(c for c, _ in chars[i:end])
    values.append(rest)
    return values


@builtin("read")
def b_read(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    raw = False
    prompt = ""
    while args and args[0].startswith("-") and len(args[0]) > 1:
        a = args.pop(0)
        if a == "--":
            break
        for k, c in enumerate(a[1:]):
            if c == "r":
                raw = True
            elif c == "p":
                prompt = a[k + 2:] or (args.pop(0) if args else "")
                break
            else:
                sh.error(f"read: Illegal option -{c}")
                return 2
    if not args:
        sh.error("read: arg count")
        return 2
    for name in args:
        if not is_name(name):
            sh.error(f"read: {name}: bad variable name")
            return 2
    if prompt and os.isatty(0):
        sh.error_raw(prompt)
    chars, eof = _read_line(raw)
    ifs = sh.get_var("IFS")
    values = _read_split(chars, len(args), " \t\n" if ifs is None else ifs)
    for k, name in enumerate(args):
        sh.set_var(name, values[k] if k < len(values) else "")
    return 1 if eof else 0
