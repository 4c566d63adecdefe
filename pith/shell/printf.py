"""echo and printf, as dash has them: echo interprets backslash escapes (no -e), only -n
is an option; printf reuses its format until the arguments run out.

Entry points: echo_text(args) -> (text, stop), printf_text(fmt, args) -> (text, status,
errors).
"""

from __future__ import annotations

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
            out.append(chr(int(s[start:j] or "0", 8) & 0xFF))
            i = j
        elif n == '"' and not echo_style:
            out.append('"')
            i += 2
        else:
            out.append("\\" + n)
            i += 2
    return "".join(out), False


def echo_text(args: list[str]) -> str:
    newline = True
    if args and args[0] == "-n":
        newline = False
        args = args[1:]
    text, stopped = unescape(" ".join(args), True)
    return text + ("\n" if newline and not stopped else "")


def _number(arg: str, errors: list[str]) -> int:
    if arg[:1] in ("'", '"'):
        return ord(arg[1]) if len(arg) > 1 else 0
    s = arg.strip()
    try:
        if s.lower().startswith(("0x", "-0x", "+0x")):
            return int(s, 16)
        if len(s) > 1 and s.lstrip("+-").startswith("0"):
            return int(s, 8)
        return int(s or "0")
    except ValueError:
        errors.append(f"{arg}: Illegal number" if s else "")
        digits = ""
        for ch in s:
            if ch.isdigit() or (not digits and ch in "+-"):
                digits += ch
            else:
                break
        try:
            return int(digits)
        except ValueError:
            return 0


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
        return ("%" + spec + "s") % a, False
    if conv == "b":
        text, stop = unescape(a, True)
        return ("%" + spec + "s") % text, stop
    if conv == "c":
        return ("%" + spec + "s") % a[:1], False
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
