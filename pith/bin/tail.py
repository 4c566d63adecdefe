"""tail: print the last 10 lines (-n N, -c N bytes) of each file; +N starts at line/byte N.

-N is -n N. Several files get '==> NAME <==' headers (-q never, -v always). -f is not
supported (the whole input is read, a window of the last N kept).
"""

import re
import sys
from collections import deque
from collections.abc import Iterator
from typing import BinaryIO

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "tail"
HELP = """Usage: tail [OPTION]... [FILE]...
Print the last 10 lines of each FILE to standard output.
With more than one FILE, precede each with a header giving the file name.

With no FILE, or when FILE is -, read standard input.

  -c, --bytes=[+]NUM       output the last NUM bytes; or use -c +NUM to
                             output starting with byte NUM of each file
  -n, --lines=[+]NUM       output the last NUM lines, instead of the last 10;
                             or use -n +NUM to skip NUM-1 lines at the start
  -q, --quiet, --silent    never output headers giving file names
  -v, --verbose            always output headers giving file names
  -z, --zero-terminated    line delimiter is NUL, not newline
      --help     display this help and exit

NUM may have a multiplier suffix: b 512, kB 1000, K 1024, MB 1000*1000, M 1024*1024, ...
"""
LEGACY = re.compile(r"([-+])(\d+)([bcl]?)")


SUFFIXES = {"": 1, "b": 512, "kB": 1000, "K": 1024, "k": 1024, "KiB": 1024, "MB": 1000**2,
            "M": 1024**2, "MiB": 1024**2, "GB": 1000**3, "G": 1024**3, "GiB": 1024**3,
            "TB": 1000**4, "T": 1024**4, "TiB": 1024**4, "PB": 1000**5, "P": 1024**5,
            "PiB": 1024**5, "EB": 1000**6, "E": 1024**6, "EiB": 1024**6}


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def count(text: str, what: str) -> tuple[str, int]:
    """GNU's COUNT argument: an optional sign ('+' or '-') then digits with a size suffix."""
    sign = text[:1] if text[:1] in "+-" else ""
    digits = text[len(sign):].lstrip()
    number = digits.rstrip("bkKMGTPEiB")
    try:
        if not number.isdigit():
            raise ValueError
        return sign, int(number) * SUFFIXES[digits[len(number):]]
    except (KeyError, ValueError):
        raise UsageError(f"invalid number of {what}: '{text}'") from None

def split(src: BinaryIO, sep: bytes) -> Iterator[bytes]:
    rest = b""
    while chunk := src.read(65536):
        *whole, rest = (rest + chunk).split(sep)
        for w in whole:
            yield w + sep
    if rest:
        yield rest


def tail(src: BinaryIO, out: BinaryIO, unit: str, sign: str, n: int, sep: bytes) -> None:
    if unit == "c":
        if sign == "+":
            skip = max(n - 1, 0)
            while skip and (chunk := src.read(min(skip, 65536))):
                skip -= len(chunk)
            while chunk := src.read(65536):
                out.write(chunk)
            return
        kept = b""
        while chunk := src.read(65536):
            kept = (kept + chunk)[-n:] if n else b""
        out.write(kept)
        return
    if sign == "+":
        for i, line in enumerate(split(src, sep), 1):
            if i >= n:
                out.write(line)
        return
    window: deque[bytes] = deque(maxlen=n)
    window.extend(split(src, sep))
    out.write(b"".join(window))


def legacy(argv: list[str]) -> list[str]:
    """-N or +N (with b, c or l) as the first argument is an obsolete count."""
    m = LEGACY.fullmatch(argv[0]) if argv else None
    if not m or (m.group(1) == "+" and len(argv) > 1 and argv[1] != "--"):
        return argv
    sign, number, unit = m.groups()
    size = number + ("b" if unit == "b" else "")
    return ["-c" if unit in "bc" and unit else "-n", ("+" if sign == "+" else "") + size,
            *argv[1:]]


def command(argv: list[str]) -> int:
    opts, args = options(legacy(argv), "c:n:qvzf",
                         ["bytes=", "lines=", "quiet", "silent", "verbose", "zero-terminated",
                          "help"])
    unit, sign, n, headers, sep = "n", "", 10, None, b"\n"
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in ("-c", "--bytes", "-n", "--lines"):
            unit = "c" if o in ("-c", "--bytes") else "n"
            sign, n = count(v, "bytes" if unit == "c" else "lines")
        elif o in ("-q", "--quiet", "--silent", "-v", "--verbose"):
            headers = o in ("-v", "--verbose")
        elif o == "-f":
            raise UsageError("option -f (follow) is not supported")
        else:
            sep = b"\0"
    names = args or ["-"]
    if headers is None:
        headers = len(names) > 1
    out = sys.stdout.buffer
    ok, first = True, True
    for name in names:
        try:
            src = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115
        except OSError as e:
            sys.stderr.write(f"{PROG}: cannot open '{name}' for reading: {strerror(e)}\n")
            ok = False
            continue
        if headers:
            label = "standard input" if name == "-" else name
            out.write(f"{'' if first else chr(10)}==> {label} <==\n".encode(
                errors="surrogateescape"))
        first = False
        try:
            tail(src, out, unit, sign, n, sep)
        except IsADirectoryError as e:
            sys.stderr.write(f"{PROG}: error reading '{name}': {strerror(e)}\n")
            ok = False
        finally:
            if src is not sys.stdin.buffer:
                src.close()
        out.flush()
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e))
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
