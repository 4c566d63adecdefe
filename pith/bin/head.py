"""head: print the first 10 lines (or -n N lines, -c N bytes) of each file; -N is -n N.

A negative count (-n -N, -c -N) prints all but the last N. With several files each gets a
'==> NAME <==' header (-q never, -v always).
"""

import re
import sys
from collections import deque
from collections.abc import Iterator
from typing import BinaryIO

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "head"
HELP = """Usage: head [OPTION]... [FILE]...
Print the first 10 lines of each FILE to standard output.
With more than one FILE, precede each with a header giving the file name.

With no FILE, or when FILE is -, read standard input.

  -c, --bytes=[-]NUM       print the first NUM bytes of each file;
                             with the leading '-', print all but the last
                             NUM bytes of each file
  -n, --lines=[-]NUM       print the first NUM lines instead of the first 10;
                             with the leading '-', print all but the last
                             NUM lines of each file
  -q, --quiet, --silent    never print headers giving file names
  -v, --verbose            always print headers giving file names
  -z, --zero-terminated    line delimiter is NUL, not newline
      --help     display this help and exit

NUM may have a multiplier suffix: b 512, kB 1000, K 1024, MB 1000*1000, M 1024*1024, ...
"""
LEGACY = re.compile(r"-(\d+)([bkm]?)([cl]?)([qvz]*)")


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

def head(src: BinaryIO, out: BinaryIO, unit: str, sign: str, n: int, sep: bytes) -> None:
    if unit == "c":
        if sign == "-":
            data = src.read()
            out.write(data[: max(len(data) - n, 0)])
        else:
            while n > 0 and (chunk := src.read(min(n, 65536))):
                out.write(chunk)
                n -= len(chunk)
        return
    if sign == "-":
        window: deque[bytes] = deque()
        for line in split(src, sep):
            window.append(line)
            if len(window) > n:
                out.write(window.popleft())
        return
    for line in split(src, sep):
        if n <= 0:
            break
        out.write(line)
        n -= 1


def split(src: BinaryIO, sep: bytes) -> Iterator[bytes]:
    if sep == b"\n":
        # not `yield from src`: closing this generator would close src
        yield from iter(src.readline, b"")
        return
    rest = b""
    while chunk := src.read(65536):
        *whole, rest = (rest + chunk).split(sep)
        yield from (w + sep for w in whole)
    if rest:
        yield rest


def legacy(argv: list[str]) -> list[str]:
    """-N[bkm][cl][qvz] as the first argument means -n N (or -c N with c)."""
    m = LEGACY.fullmatch(argv[0]) if argv else None
    if not m:
        return argv
    number, mult, unit, flags = m.groups()
    opt = "-c" if unit == "c" or (mult and unit != "l") else "-n"
    return [opt, number + {"b": "b", "k": "K", "m": "M", "": ""}[mult]] + (
        [f"-{flags}"] if flags else []) + argv[1:]


def command(argv: list[str]) -> int:
    opts, args = options(legacy(argv), "c:n:qvz",
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
        else:
            sep = b"\0"
    names = args or ["-"]
    if headers is None:
        headers = len(names) > 1
    out = sys.stdout.buffer
    ok = True
    for i, name in enumerate(names):
        try:
            src = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115
        except OSError as e:
            sys.stderr.write(f"{PROG}: cannot open '{name}' for reading: {strerror(e)}\n")
            ok = False
            continue
        if headers:
            label = "standard input" if name == "-" else name
            out.write(("\n" if i else "") .encode() + f"==> {label} <==\n".encode(
                errors="surrogateescape"))
        try:
            head(src, out, unit, sign, n, sep)
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
