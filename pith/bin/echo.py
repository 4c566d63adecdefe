"""echo: write the arguments to standard output, as GNU /bin/echo (-n, -e, -E; --help alone).

An argument is an option only while every letter after its '-' is one of n, e, E; the
first argument that is not ends option processing. Output is bytes (arguments are re-encoded
with os.fsencode), so odd file names come out as they came in.
"""

import os
import sys

HELP = """Usage: echo [SHORT-OPTION]... [STRING]...
Echo the STRING(s) to standard output.

  -n             do not output the trailing newline
  -e             enable interpretation of backslash escapes
  -E             disable interpretation of backslash escapes (default)
      --help     display this help and exit

If -e is in effect, the following sequences are recognized:
  \\\\  backslash      \\a  alert (BEL)    \\b  backspace      \\c  produce no further output
  \\e  escape         \\f  form feed      \\n  new line       \\r  carriage return
  \\t  horizontal tab \\v  vertical tab   \\0NNN  byte with octal value NNN (1 to 3 digits)
  \\xHH  byte with hexadecimal value HH (1 to 2 digits)
"""

SIMPLE = {ord("\\"): b"\\", ord("a"): b"\a", ord("b"): b"\b", ord("e"): b"\x1b", ord("f"): b"\f",
          ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("v"): b"\v"}
OCTAL = b"01234567"
HEX = b"0123456789abcdefABCDEF"


def unescape(arg: bytes) -> tuple[bytes, bool]:
    """Interpret backslash escapes in arg; the flag says \\c asked to stop all output."""
    out = bytearray()
    i, n = 0, len(arg)
    while i < n:
        c = arg[i]
        i += 1
        if c != 0x5C or i >= n:
            out.append(c)
            continue
        e = arg[i]
        i += 1
        if e in SIMPLE:
            out += SIMPLE[e]
        elif e == ord("c"):
            return bytes(out), True
        elif e == ord("x") and i < n and arg[i] in HEX:
            j = i + 1 if i + 1 < n and arg[i + 1] in HEX else i
            out.append(int(arg[i:j + 1], 16))
            i = j + 1
        elif e in OCTAL:
            value = 0 if e == ord("0") else e - 0x30
            limit = i + (3 if e == ord("0") else 2)
            while i < min(limit, n) and arg[i] in OCTAL:
                value = value * 8 + arg[i] - 0x30
                i += 1
            out.append(value & 0xFF)
        else:
            out += b"\\" + bytes([e])
    return bytes(out), False


def main(argv: list[str]) -> int:
    if argv == ["--help"]:
        sys.stdout.write(HELP)
        return 0
    newline, escapes = True, False
    while argv and len(argv[0]) > 1 and argv[0][0] == "-" and set(argv[0][1:]) <= set("neE"):
        for flag in argv.pop(0)[1:]:
            newline = newline and flag != "n"
            escapes = {"e": True, "E": False}.get(flag, escapes)
    out = bytearray()
    for k, arg in enumerate(argv):
        data = os.fsencode(arg)
        if escapes:
            data, stop = unescape(data)
            if stop:
                out += (b" " if k else b"") + data
                newline = False
                break
        out += (b" " if k else b"") + data
    if newline:
        out += b"\n"
    try:
        sys.stdout.buffer.write(bytes(out))
        sys.stdout.flush()
    except BrokenPipeError:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
        return 141
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
