"""cmp: compare two files byte by byte, as GNU cmp (diffutils 3.8) does.

Options: -b (print the differing bytes), -i SKIP[:SKIP2] (and the SKIP1 SKIP2 operands),
-l (every differing byte: offset and octal values), -n LIMIT, -s (no output, only the
status). The first difference is said as "a b differ: char N, line M" ("byte" with -b, as
diffutils 3.8 words it); a shorter file as "cmp: EOF on a after byte N, line M" on stderr.
Exit status 0 when the same, 1 when they differ, 2 on trouble.
"""

import os
import stat
import sys
from typing import BinaryIO

from pith.lib.gnu import UsageError, broken_pipe, options, strerror

PROG = "cmp"
HELP = """Usage: cmp [OPTION]... FILE1 [FILE2 [SKIP1 [SKIP2]]]
Compare two files byte by byte.

The optional SKIP1 and SKIP2 specify the number of bytes to skip
at the beginning of each file (zero by default).

Mandatory arguments to long options are mandatory for short options too.
  -b, --print-bytes          print differing bytes
  -i, --ignore-initial=SKIP         skip first SKIP bytes of both inputs
  -i, --ignore-initial=SKIP1:SKIP2  skip first SKIP1 bytes of FILE1 and
                                      first SKIP2 bytes of FILE2
  -l, --verbose              output byte numbers and differing byte values
  -n, --bytes=LIMIT          compare at most LIMIT bytes
  -s, --quiet, --silent      suppress all normal output
      --help                 display this help and exit

SKIP values may be followed by the following multiplicative suffixes:
kB 1000, K 1024, MB 1,000,000, M 1,048,576,
GB 1,000,000,000, G 1,073,741,824, and so on for T, P, E, Z, Y.

If a FILE is '-' or missing, read standard input.
Exit status is 0 if inputs are the same, 1 if different, 2 if trouble.
"""
LONG = ["print-bytes", "ignore-initial=", "verbose", "bytes=", "quiet", "silent", "help"]
UNITS = "KMGTPEZY"
CHUNK = 65536


def number(text: str, what: str) -> int:
    """A SKIP or LIMIT: digits and a multiplier (K 1024, kB 1000, M, MB, ...)."""
    digits = text.rstrip("BKMGTPEZYki")
    suffix = text[len(digits):]
    mult = 1
    if suffix:
        unit = suffix[0].upper()
        if unit not in UNITS or suffix[1:] not in ("", "B", "iB") or (
                suffix[0] == "k" and suffix[1:] != "B"):
            raise UsageError(f"invalid {what} value '{text}'")
        mult = (1000 if suffix[1:] == "B" else 1024) ** (UNITS.index(unit) + 1)
    if not digits.isdigit():
        raise UsageError(f"invalid {what} value '{text}'")
    return int(digits) * mult


def shown(b: int) -> str:
    """A byte as cat -v shows it: M- for the high bit, ^X for controls, ^? for DEL."""
    prefix = "M-" if b >= 128 else ""
    b &= 0x7F
    return prefix + ("^?" if b == 127 else f"^{chr(b + 64)}" if b < 32 else chr(b))


def opened(name: str, skip: int) -> BinaryIO:
    f: BinaryIO = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115
    if stat.S_ISDIR(os.fstat(f.fileno()).st_mode):
        raise IsADirectoryError(21, "Is a directory")
    while skip > 0:
        got = f.read(min(skip, CHUNK))
        if not got:
            break
        skip -= len(got)
    return f


def room(files: list[BinaryIO], limit: int | None) -> int:
    """-l's offset width: the digits of the most bytes that can be compared."""
    most = limit if limit is not None else 2**63 - 1
    for f in files:
        st = os.fstat(f.fileno())
        if stat.S_ISREG(st.st_mode) and f.seekable():
            most = min(most, max(0, st.st_size - f.tell()))
    return len(str(most))


class Comparison:
    """Reads both inputs in step; the offset and line of where it is."""

    def __init__(self, files: list[BinaryIO], limit: int | None) -> None:
        self.files, self.limit = files, limit
        self.offset, self.lines = 0, 0
        self.bufs = [b"", b""]

    def fill(self, want: int) -> None:
        for i, f in enumerate(self.files):
            while len(self.bufs[i]) < want and (got := f.read(want - len(self.bufs[i]))):
                self.bufs[i] += got

    def step(self) -> tuple[bytes, bytes] | None:
        """The next pair of equal-length chunks; None when either input has ended."""
        want = CHUNK if self.limit is None else min(CHUNK, self.limit - self.offset)
        if want <= 0:
            return None
        self.fill(want)
        n = min(len(self.bufs[0]), len(self.bufs[1]))
        if n == 0:
            return None
        a, b = self.bufs[0][:n], self.bufs[1][:n]
        self.bufs = [self.bufs[0][n:], self.bufs[1][n:]]
        return a, b


def eof(names: list[str], comp: Comparison, verbose: bool, last: int) -> int:
    """One input ended before the other (within the limit): say which, status 1."""
    comp.fill(1)
    if comp.limit is not None and comp.offset >= comp.limit:
        return 0
    short = [i for i in (0, 1) if not comp.bufs[i]]
    if len(short) == 2:
        return 0
    name = names[short[0]]
    sys.stdout.flush()
    if comp.offset == 0:
        sys.stderr.write(f"{PROG}: EOF on {name} which is empty\n")
    elif verbose:
        sys.stderr.write(f"{PROG}: EOF on {name} after byte {comp.offset}\n")
    else:
        where = f"line {comp.lines}" if last == 10 else f"in line {comp.lines + 1}"
        sys.stderr.write(f"{PROG}: EOF on {name} after byte {comp.offset}, {where}\n")
    return 1


def compare(names: list[str], files: list[BinaryIO], mode: str, show: bool,
            limit: int | None) -> int:
    comp = Comparison(files, limit)
    width = room(files, limit) if mode == "l" else 0
    status, last = 0, -1
    while (pair := comp.step()) is not None:
        a, b = pair
        if a == b:
            comp.offset += len(a)
            comp.lines += a.count(b"\n")
            last = a[-1]
            continue
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x == y:
                continue
            if mode == "s":
                return 1
            at = comp.offset + i + 1
            if mode == "":
                line = comp.lines + a[:i].count(b"\n") + 1
                word = "byte" if show else "char"
                tail = f" is {x:3o} {shown(x)} {y:3o} {shown(y)}" if show else ""
                sys.stdout.write(f"{names[0]} {names[1]} differ: {word} {at}, line {line}"
                                 f"{tail}\n")
                return 1
            bytes_ = f" {shown(x):<4} {y:3o} {shown(y)}" if show else f" {y:3o}"
            sys.stdout.write(f"{at:>{width}} {x:3o}" + bytes_ + "\n")
            status = 1
        comp.offset += len(a)
        comp.lines += a.count(b"\n")
        last = a[-1]
    if mode == "s":
        comp.fill(1)
        ended = [not buf for buf in comp.bufs]
        return 1 if ended[0] != ended[1] and not (limit is not None and comp.offset >= limit) \
            else status
    return eof(names, comp, mode == "l", last) or status


def command(argv: list[str]) -> int:
    opts, args = options(argv, "bi:ln:s", LONG)
    mode, show, limit, skips = "", False, None, [0, 0]
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in ("-b", "--print-bytes"):
            show = True
        elif o in ("-i", "--ignore-initial"):
            first, _, second = v.partition(":")
            skips = [number(first, "--ignore-initial"),
                     number(second or first, "--ignore-initial")]
        elif o in ("-l", "--verbose"):
            if mode == "s":
                raise UsageError("options -l and -s are incompatible")
            mode = "l"
        elif o in ("-n", "--bytes"):
            limit = number(v, "--bytes")
        else:
            if mode == "l":
                raise UsageError("options -l and -s are incompatible")
            mode = "s"
    if not args:
        raise UsageError("missing operand after 'cmp'")
    for i, text in enumerate(args[2:4]):
        skips[i] = number(text, "--ignore-initial")
    if len(args) > 4:
        raise UsageError(f"extra operand '{args[4]}'")
    names = [args[0], args[1] if len(args) > 1 else "-"]
    files: list[BinaryIO] = []
    for name, skip in zip(names, skips, strict=True):
        try:
            files.append(opened(name, skip))
        except OSError as e:
            sys.stderr.write(f"{PROG}: {name}: {strerror(e)}\n")
            return 2
    if names[0] == names[1] and skips[0] == skips[1] and names[0] != "-":
        return 0
    return compare(names, files, mode, show, limit)


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        sys.stderr.write(f"{PROG}: {e}\n{PROG}: Try '{PROG} --help' for more information.\n")
        return 2
    except BrokenPipeError:
        broken_pipe()
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
