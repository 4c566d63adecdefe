"""printf: format and print data, as GNU /usr/bin/printf (%d %i %o %u %x %X %f %F %e %E %g %G
%a %A %c %s %b %%, flags, widths and precisions, '*'); the format is reused while arguments
remain. Numeric arguments take 0x/0 prefixes and 'c (a character's code); a bad one is
reported and counts as 0 (exit status 1)."""

import os
import re
import sys

PROG = "printf"
HELP = """Usage: printf FORMAT [ARGUMENT]...
Print ARGUMENT(s) according to FORMAT.

FORMAT controls the output as in C printf.  Interpreted sequences are:
  \\"  double quote   \\\\  backslash   \\a  alert   \\b  backspace   \\c  produce no further output
  \\e  escape   \\f  form feed   \\n  new line   \\r  carriage return   \\t  tab   \\v  vertical tab
  \\NNN  byte with octal value NNN (1 to 3 digits)   \\xHH  byte with hexadecimal value HH
  \\uHHHH  Unicode character   \\UHHHHHHHH  Unicode character
  %%  a single %      %b  ARGUMENT as a string with '\\' escapes interpreted
and all C format specifications ending with one of diouxXfeEgGcs, with
ARGUMENTs converted to proper type first.  Variable widths are handled.
      --help     display this help and exit
"""
SPEC = re.compile(rb"%([-+ #0']*)(\*|\d*)(?:\.(\*|\d*))?([hlLqjzt]*)([diouxXfFeEgGaAcsb%])?")
SIMPLE = {ord('"'): b'"', ord("\\"): b"\\", ord("a"): b"\a", ord("b"): b"\b",
          ord("e"): b"\x1b", ord("f"): b"\f", ord("n"): b"\n", ord("r"): b"\r",
          ord("t"): b"\t", ord("v"): b"\v"}
OCT = b"01234567"
HEX = b"0123456789abcdefABCDEF"


def utf8_locale() -> bool:
    for var in ("LC_ALL", "LC_CTYPE", "LANG"):
        if value := os.environ.get(var):
            return "utf-8" in value.lower() or "utf8" in value.lower()
    return False


class Stop(Exception):
    """\\c: produce no further output."""


class Printer:
    def __init__(self) -> None:
        self.status = 0
        self.out = bytearray()

    def warn(self, message: str) -> None:
        sys.stderr.write(f"{PROG}: {message}\n")
        self.status = 1

    def escape(self, s: bytes, i: int, in_b: bool) -> tuple[bytes, int]:
        """The backslash escape at s[i] == '\\'; in %b arguments octal is \\0NNN."""
        if i + 1 >= len(s):
            return b"\\", i + 1
        e = s[i + 1]
        j = i + 2
        if e in SIMPLE and not (e == ord('"') and in_b):
            return SIMPLE[e], j
        if e == ord("c"):
            raise Stop
        if e in OCT:
            start = i + 2 if (in_b and e == ord("0")) else i + 1
            k = start
            while k < len(s) and k < start + 3 and s[k] in OCT:
                k += 1
            return bytes([int(s[start:k] or b"0", 8) & 0xFF]), k
        if e == ord("x") and j < len(s) and s[j] in HEX:
            k = j + 1 if j + 1 < len(s) and s[j + 1] in HEX else j
            return bytes([int(s[j:k + 1], 16)]), k + 1
        if e in (ord("u"), ord("U")):
            n = 4 if e == ord("u") else 8
            digits = s[j:j + n]
            if len(digits) == n and all(c in HEX for c in digits):
                code = int(digits, 16)
                if not utf8_locale():
                    return (b"\\u%04X" if n == 4 else b"\\U%08X") % code, j + n
                return chr(code).encode("utf-8", "surrogatepass"), j + n
            self.warn("missing hexadecimal number in escape")
            return b"", j
        if e == ord("x"):
            self.warn("missing hexadecimal number in escape")
            return b"", j
        return b"\\" + bytes([e]), j

    def unescape(self, s: bytes, in_b: bool) -> tuple[bytes, bool]:
        """s with its escapes interpreted, and whether a \\c cut it short."""
        out = bytearray()
        i = 0
        while i < len(s):
            if s[i] == 92:
                try:
                    text, i = self.escape(s, i, in_b)
                except Stop:
                    return bytes(out), True
                out += text
            else:
                out.append(s[i])
                i += 1
        return bytes(out), False

    def integer(self, arg: bytes) -> int:
        text = arg.decode(errors="surrogateescape")
        if text[:1] in ("'", '"'):
            return ord(text[1]) if len(text) > 1 else 0
        body = text.strip()
        try:
            sign = -1 if body.startswith("-") else 1
            digits = body.lstrip("+-")
            if digits[:2].lower() == "0x":
                return sign * int(digits[2:], 16)
            if digits.startswith("0") and len(digits) > 1:
                return sign * int(digits, 8)
            return sign * int(digits, 10)
        except ValueError:
            pass
        m = re.match(r"\s*[-+]?(0[xX][0-9a-fA-F]+|\d+)", text)
        self.warn(f"'{text}': expected a numeric value" if not m else f"'{text}': value not "
                  "completely converted")
        return self.integer(m.group(0).encode()) if m else 0

    def real(self, arg: bytes) -> float:
        text = arg.decode(errors="surrogateescape")
        if text[:1] in ("'", '"'):
            return float(ord(text[1])) if len(text) > 1 else 0.0
        try:
            if text.strip().lower().lstrip("+-").startswith("0x"):
                return float.fromhex(text)
            return float(text)
        except ValueError:
            m = re.match(r"\s*[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+)", text)
            self.warn(f"'{text}': expected a numeric value" if not m else f"'{text}': value "
                      "not completely converted")
            return float(m.group(0)) if m else 0.0

    def convert(self, flags: bytes, width: str, precision: str | None, conv: str,
                arg: bytes | None) -> bytes:
        spec = "%" + flags.decode().replace("'", "") + width + (
            "." + precision if precision is not None else "")
        if conv == "b":
            text, stopped = self.unescape(arg or b"", True)
            if stopped:
                self.out += (spec + "s").encode() % text
                raise Stop
            return (spec + "s").encode() % text
        if conv == "s":
            return (spec + "s").encode() % (arg or b"")
        if conv == "c":
            return (spec + "s").encode() % (arg or b"")[:1]
        if conv in "diouxX":
            value = self.integer(arg) if arg is not None else 0
            if conv in "ouxX" and value < 0:
                value += 1 << 64
            if conv == "u":
                conv = "d"
            if conv == "o" and b"#" in flags:  # C's %#o: a leading 0, not Python's 0o
                digits = format(value, "o")
                digits = digits if digits.startswith("0") else "0" + digits
                return (spec.replace("#", "").replace("0", "") + "s").encode() % (
                    digits.rjust(int(width or 0), "0") if b"0" in flags and b"-" not in flags
                    else digits).encode()
            return (spec + conv).encode() % value
        value_f = self.real(arg) if arg is not None else 0.0
        if conv in "aA":
            text = float.hex(value_f)
            return (spec.replace("#", "") + "s").encode() % (
                text.upper() if conv == "A" else text).encode()
        return (spec + conv).encode() % value_f

    def run(self, fmt: bytes, args: list[bytes]) -> None:
        while True:
            used = self.once(fmt, args)
            args = args[used:]
            if not args or used == 0:
                return

    def once(self, fmt: bytes, args: list[bytes]) -> int:
        used, i = 0, 0

        def take() -> bytes | None:
            nonlocal used
            if used < len(args):
                used += 1
                return args[used - 1]
            return None
        while i < len(fmt):
            c = fmt[i]
            if c == 92:
                text, i = self.escape(fmt, i, False)
                self.out += text
                continue
            if c != 37:
                self.out.append(c)
                i += 1
                continue
            m = SPEC.match(fmt, i)
            assert m is not None
            flags, width, precision, _, conv = m.groups()
            if conv is None:
                raise ValueError(f"%{fmt[i + 1:m.end() + 1].decode(errors='replace')}: "
                                 "invalid conversion specification")
            i = m.end()
            if conv == b"%":
                self.out += b"%"
                continue
            w = width.decode()
            if w == "*":
                w = str(self.integer(take() or b"0"))
            p = None if precision is None else precision.decode()
            if p == "*":
                p = str(self.integer(take() or b"0"))
            self.out += self.convert(flags, w, p, conv.decode(), take())
        return used


def main(argv: list[str]) -> int:
    if argv == ["--help"]:
        sys.stdout.write(HELP)
        return 0
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        sys.stderr.write(f"{PROG}: missing operand\nTry '{PROG} --help' for more information.\n")
        return 1
    printer = Printer()
    try:
        printer.run(os.fsencode(argv[0]), [os.fsencode(a) for a in argv[1:]])
    except Stop:
        pass
    except ValueError as e:
        sys.stdout.buffer.write(bytes(printer.out))
        sys.stdout.flush()
        sys.stderr.write(f"{PROG}: {e}\n")
        return 1
    try:
        sys.stdout.buffer.write(bytes(printer.out))
        sys.stdout.flush()
    except BrokenPipeError:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
        return 141
    return printer.status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
