"""echo and printf, as dash has them: echo interprets backslash escapes (no -e), only -n
is an option; printf reuses its format until the arguments run out.

Entry points: echo_text(args) -> (text, stop), printf_text(fmt, args) -> (text, status,
errors).
"""

from __future__ import annotations

import re

__all__ = ["echo_text", "printf_text", "unescape"]

SIMPLE = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
          "\\": "\\", "e": "\x1b"}


def unescape(s: str, echo_style: bool) -> tuple[str, bool]:
    """Backslash escapes; echo/%b style has \\0NNN octal and \\c (stop): (text, stopped)."""
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\" or i + 1 >= len(s):
            out.append(c)
            i += 1
            continue
        n = s[i + 1]
        if n in SIMPLE:
            out.append(SIMPLE[n])
            i += 2
        elif n == "c" and echo_style:
            return "".join(out), True
        elif n in "01234567":
            # \NNN everywhere; echo and %b also take \0NNN (up to 3 digits after the 0)
            start = i + 2 if echo_style and n == "0" else i + 1
            j = start
            while j < len(s) and j < start + 3 and s[j] in "01234567":
                j += 1
            out.append(_byte(int(s[start:j] or "0", 8) & 0xFF))
            i = j
        elif n == '"' and not echo_style:
            out.append('"')
            i += 2
        else:
            out.append("\\" + n)
            i += 2
    return "".join(out), False


def _byte(v: int) -> str:
    """The character that stands for byte v: ASCII, or (128..255) the raw byte, written
    out as itself (surrogateescape), not UTF-8 encoded as dash never does."""
    return chr(v) if v < 128 else chr(0xDC00 + v)


def _text(spec: str, text: str) -> str:
    """%s with width and precision counted in bytes, as in C."""
    raw = text.encode("utf-8", "surrogateescape")
    return (("%" + spec + "s").encode() % raw).decode("utf-8", "surrogateescape")


def echo_text(args: list[str]) -> str:
    newline = True
    if args and args[0] == "-n":
        newline = False
        args = args[1:]
    text, stopped = unescape(" ".join(args), True)
    return text + ("\n" if newline and not stopped else "")


NUMBER = re.compile(r"[ \t\n\r\f\v]*([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")
INT_MIN, INT_MAX = -(1 << 63), (1 << 63) - 1


def _number(arg: str, errors: list[str]) -> int:
    """An integer argument as C's strtoimax reads it (the longest number at its start),
    with dash's messages for what is left over or out of range."""
    if arg[:1] in ("'", '"'):
        return ord(arg[1]) if len(arg) > 1 else 0
    if not arg:
        return 0
    m = NUMBER.match(arg)
    if not m:
        errors.append(f"{arg}: expected numeric value")
        return 0
    digits = m.group(2)
    if digits[:2].lower() == "0x":
        n = int(digits, 16)
    else:
        n = int(digits, 8) if digits.startswith("0") else int(digits)
    n = -n if m.group(1) == "-" else n
    if not INT_MIN <= n <= INT_MAX:
        errors.append(f"{arg}: Numerical result out of range")
        n = max(INT_MIN, min(INT_MAX, n))
    elif m.end() != len(arg):
        errors.append(f"{arg}: not completely converted")
    return n


def _float(arg: str, errors: list[str]) -> float:
    try:
        return float(arg) if arg else 0.0
    except ValueError:
        errors.append(f"{arg}: Illegal number")
        return 0.0


def _alternate(spec: str, conv: str, v: int) -> str:
    """C's %#o (a leading 0) and %#x (0x, but not for 0), which Python spells otherwise."""
    rest = spec.lstrip("-+ #0")
    flags = spec[:len(spec) - len(rest)]
    width, dot, prec = rest.partition(".")
    digits = ("%" + dot + prec + conv) % v
    prefix = ""
    if conv == "o" and not digits.startswith("0"):
        digits = "0" + digits
    elif conv in "xX" and v:
        prefix = "0" + conv
    pad = int(width or 0) - len(prefix) - len(digits)
    if pad <= 0:
        return prefix + digits
    if "-" in flags:
        return prefix + digits + " " * pad
    if "0" in flags and not dot:
        return prefix + "0" * pad + digits
    return " " * pad + prefix + digits


def _convert(spec: str, conv: str, arg: str | None, errors: list[str]) -> tuple[str, bool]:
    a = "" if arg is None else arg
    if conv == "s":
        return _text(spec, a), False
    if conv == "b":
        text, stop = unescape(a, True)
        return _text(spec, text), stop
    if conv == "c":  # the first byte; an empty argument gives a NUL, as in dash
        return _text(spec, a.encode("utf-8", "surrogateescape")[:1].decode(
            "utf-8", "surrogateescape") or "\0"), False
    if conv in "di":
        return ("%" + spec + "d") % _number(a, errors), False
    if conv in "uoxX":
        v = _number(a, errors)
        if v < 0:
            v &= (1 << 64) - 1
        if "#" in spec and conv != "u":
            return _alternate(spec, conv, v), False
        return ("%" + spec + (conv if conv != "u" else "d")) % v, False
    return ("%" + spec + conv) % _float(a, errors), False


def printf_text(fmt: str, args: list[str]) -> tuple[str, list[str]]:
    """The output and any error messages (a message means status 1)."""
    out: list[str] = []
    errors: list[str] = []
    args = list(args)
    while True:
        used = 0
        i = 0
        while i < len(fmt):
            c = fmt[i]
            if c == "\\":
                j = i + 2
                if i + 1 < len(fmt) and fmt[i + 1] in "01234567":
                    j = i + 1
                    while j < len(fmt) and j < i + 4 and fmt[j] in "01234567":
                        j += 1
                text, _ = unescape(fmt[i:j], False)
                out.append(text)
                i = j
                continue
            if c != "%":
                out.append(c)
                i += 1
                continue
            if fmt[i + 1:i + 2] == "%":
                out.append("%")
                i += 2
                continue
            j = i + 1
            while j < len(fmt) and fmt[j] in "-+ #0":
                j += 1
            flags = fmt[i + 1:j]

            def num(j: int) -> tuple[str, int]:
                nonlocal used
                if fmt[j:j + 1] == "*":
                    used += 1
                    return (str(_number(args.pop(0), errors)) if args else "0"), j + 1
                k = j
                while j < len(fmt) and fmt[j].isdigit():
                    j += 1
                return fmt[k:j], j

            width, j = num(j)
            spec = flags + width
            if fmt[j:j + 1] == ".":
                prec, j = num(j + 1)
                spec += "." + (prec or "0")
            conv = fmt[j:j + 1]
            if not conv or conv not in "sbcdiuoxXfeEgG":
                errors.append(f"%{conv}: invalid directive")
                return "".join(out), errors
            arg = args.pop(0) if args else None
            if arg is not None:
                used += 1
            text, stop = _convert(spec, conv, arg, errors)
            out.append(text)
            if stop:
                return "".join(out), errors
            i = j + 1
        if not args or not used:
            return "".join(out), [e for e in errors if e]
