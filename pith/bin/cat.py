"""cat: concatenate files to standard output, byte for byte (-n -b -s -E -T -v -A -e -t).

Without options data is copied in chunks as it arrives (so `cat` on a terminal echoes each
line); with them, line by line, keeping line numbers and blank-line state across files as
GNU does.
"""

import os
import stat
import sys
from typing import BinaryIO

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "cat"
HELP = """Usage: cat [OPTION]... [FILE]...
Concatenate FILE(s) to standard output.

With no FILE, or when FILE is -, read standard input.

  -A, --show-all           equivalent to -vET
  -b, --number-nonblank    number nonempty output lines, overrides -n
  -e                       equivalent to -vE
  -E, --show-ends          display $ at end of each line
  -n, --number             number all output lines
  -s, --squeeze-blank      suppress repeated empty output lines
  -t                       equivalent to -vT
  -T, --show-tabs          display TAB characters as ^I
  -u                       (ignored)
  -v, --show-nonprinting   use ^ and M- notation, except for LFD and TAB
      --help     display this help and exit
"""
FLAGS = {"-A": "vET", "--show-all": "vET", "-b": "b", "--number-nonblank": "b", "-e": "vE",
         "-E": "E", "--show-ends": "E", "-n": "n", "--number": "n", "-s": "s",
         "--squeeze-blank": "s", "-t": "vT", "-T": "T", "--show-tabs": "T", "-u": "",
         "-v": "v", "--show-nonprinting": "v"}


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def visible(byte: int, tabs: bool) -> bytes:
    """One byte in ^ and M- notation (tab and newline stay unless tabs is set)."""
    prefix = b""
    if byte >= 128:
        prefix, byte = b"M-", byte - 128
    if byte == 9 and not tabs and not prefix:
        return b"\t"
    if byte < 32:
        return prefix + b"^" + bytes([byte + 64])
    if byte == 127:
        return prefix + b"^?"
    return prefix + bytes([byte])


class Formatter:
    """Line-by-line output with the given flags; state runs on across files."""

    def __init__(self, flags: set[str]) -> None:
        self.flags = flags
        self.line = 0
        self.at_start = True
        self.blanks = 0
        self.table = [visible(b, "T" in flags) if "v" in flags else
                      (b"^I" if b == 9 and "T" in flags else bytes([b])) for b in range(256)]

    def feed(self, line: bytes) -> bytes:
        ended = line.endswith(b"\n")
        body = line[:-1] if ended else line
        blank = self.at_start and ended and not body
        self.blanks = self.blanks + 1 if blank else 0
        if blank and self.blanks > 1 and "s" in self.flags:
            return b""
        out = b""
        number_all = "n" in self.flags and "b" not in self.flags
        numbered = number_all or ("b" in self.flags and not blank)
        if self.at_start and numbered:
            self.line += 1
            out = b"%6d\t" % self.line
        if self.flags & {"v", "T"}:
            body = b"".join(self.table[b] for b in body)
        self.at_start = ended
        return out + body + (b"$\n" if ended and "E" in self.flags else b"\n" if ended else b"")


def copy(src: BinaryIO, out: BinaryIO, fmt: Formatter | None) -> None:
    if fmt is None:
        read = getattr(src, "read1", src.read)
        while chunk := read(65536):
            out.write(chunk)
            out.flush()
        return
    for line in src:
        out.write(fmt.feed(line))
    out.flush()


def same_as_output(src: BinaryIO, out: BinaryIO) -> bool:
    """GNU's check: the input is the regular file being written, with data still ahead of
    its read position (copying would never end: `cat f >> f`)."""
    try:
        si, so = os.fstat(src.fileno()), os.fstat(out.fileno())
        return (stat.S_ISREG(so.st_mode) and (si.st_dev, si.st_ino) == (so.st_dev, so.st_ino)
                and os.lseek(src.fileno(), 0, os.SEEK_CUR) < si.st_size)
    except (OSError, ValueError):
        return False


def cat_one(name: str, out: BinaryIO, fmt: Formatter | None) -> bool:
    try:
        if name == "-":
            if same_as_output(sys.stdin.buffer, out):
                sys.stderr.write(f"{PROG}: -: input file is output file\n")
                return False
            copy(sys.stdin.buffer, out, fmt)
            return True
        with open(name, "rb") as src:
            if same_as_output(src, out):
                sys.stderr.write(f"{PROG}: {name}: input file is output file\n")
                return False
            copy(src, out, fmt)
        return True
    except BrokenPipeError:
        raise
    except OSError as e:
        sys.stderr.write(f"{PROG}: {name}: {strerror(e)}\n")
        return False


def command(argv: list[str]) -> int:
    opts, args = options(argv, "AbeEnstTuv", [n[2:] for n in FLAGS if n[1] == "-"] + ["help"])
    flags: set[str] = set()
    for o, _ in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        flags |= set(FLAGS[o])
    fmt = Formatter(flags) if flags else None
    out = sys.stdout.buffer
    ok = [cat_one(name, out, fmt) for name in args or ["-"]]
    return 0 if all(ok) else 1


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
