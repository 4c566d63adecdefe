"""hexdump: display file contents in hexadecimal, as util-linux hexdump does.

Formats: the default (eight 2-byte hex words a line), -C (canonical: bytes in hex and
|text|), -b -c -d -o -x (one-byte octal, characters, two-byte decimal, octal, hex); several
formats print a line each per 16 bytes. -n LENGTH reads only LENGTH bytes, -s OFFSET skips
OFFSET bytes first (by seeking, so not on a pipe), -v prints repeated lines rather than '*'.
The files are one stream; words are little-endian, as on the host.
"""

import os
import sys
from collections.abc import Callable, Iterator
from typing import BinaryIO

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "hexdump"
HELP = """
Usage:
 hexdump [options] <file>...

Display file contents in hexadecimal, decimal, octal, or ascii.

Options:
 -b, --one-byte-octal      one-byte octal display
 -c, --one-byte-char       one-byte character display
 -C, --canonical           canonical hex+ASCII display
 -d, --two-bytes-decimal   two-byte decimal display
 -o, --two-bytes-octal     two-byte octal display
 -x, --two-bytes-hex       two-byte hexadecimal display
 -n, --length <length>     interpret only length bytes of input
 -s, --skip <offset>       skip offset bytes from the beginning
 -v, --no-squeezing        output identical lines

 -h, --help                display this help

Arguments:
 <length> and <offset> arguments may be followed by the suffixes for
   GiB, TiB, PiB, EiB, ZiB, and YiB (the "iB" is optional)
"""
LONG = ["one-byte-octal", "one-byte-char", "canonical", "two-bytes-decimal",
        "two-bytes-octal", "two-bytes-hex", "length=", "skip=", "no-squeezing", "help"]
SHORT_OF = {"--one-byte-octal": "-b", "--one-byte-char": "-c", "--canonical": "-C",
            "--two-bytes-decimal": "-d", "--two-bytes-octal": "-o", "--two-bytes-hex": "-x"}
ESCAPES = {0: "\\0", 7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v"}
UNITS = "KMGTPEZY"
Format = Callable[[int, bytes], str]


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


class Failure(Exception):
    """A fatal error, said as `hexdump: message`."""


def char(b: int) -> str:
    return ESCAPES.get(b) or (chr(b) if 32 <= b < 127 else f"{b:03o}")


def words(block: bytes) -> list[int]:
    padded = block + bytes(len(block) % 2)
    return [int.from_bytes(padded[i:i + 2], "little") for i in range(0, len(padded), 2)]


def canonical(offset: int, block: bytes) -> str:
    cells = [f"{b:02x} " for b in block] + ["   "] * (16 - len(block))
    text = "".join(chr(b) if 32 <= b < 127 else "." for b in block)
    return f"{offset:08x}  " + "".join(cells[:8]) + " " + "".join(cells[8:]) + f" |{text}|"


def columns(cell: Callable[[bytes], list[str]], width: int, per_line: int) -> Format:
    """A format of `per_line` cells of `width` after a 7-digit hex offset, blank-filled."""
    def line(offset: int, block: bytes) -> str:
        cells = cell(block)
        return f"{offset:07x}" + "".join(cells) + " " * (width * (per_line - len(cells)))
    return line


FORMATS: dict[str, Format] = {
    "": columns(lambda b: [f" {w:04x}" for w in words(b)], 5, 8),
    "-C": canonical,
    "-b": columns(lambda b: [f" {x:03o}" for x in b], 4, 16),
    "-c": columns(lambda b: [f"{char(x):>4}" for x in b], 4, 16),
    "-d": columns(lambda b: [f"   {w:05d}" for w in words(b)], 8, 8),
    "-o": columns(lambda b: [f"  {w:06o}" for w in words(b)], 8, 8),
    "-x": columns(lambda b: [f"    {w:04x}" for w in words(b)], 8, 8),
}


def parse_size(text: str, what: str) -> int:
    """A length or offset: a number (0x hex, 0 octal) and K, KiB (1024) or KB (1000)..."""
    body, mult = text, 1
    for i, unit in enumerate(UNITS, 1):
        for suffix, base in ((f"{unit}iB", 1024), (f"{unit}B", 1000), (unit, 1024)):
            if body.upper().endswith(suffix.upper()) and len(body) > len(suffix):
                body, mult = body[: -len(suffix)], base ** i
                break
        if mult != 1:
            break
    try:
        return int(body, 0) * mult if not body.startswith("-") else int("x")
    except ValueError:
        try:
            return int(body, 8) * mult if body.startswith("0") else int("x")
        except ValueError:
            raise Failure(f"failed to parse {what}: '{text}': Invalid argument") from None


class Input:
    """The files as one stream, skipping `skip` bytes by seeking; errors reported here."""

    def __init__(self, names: list[str], skip: int) -> None:
        self.names, self.skip = iter(names), skip
        self.current: BinaryIO | None = None
        self.failed = self.opened = 0
        self.skipped = 0

    def next_file(self) -> bool:
        if self.current is not None and self.current is not sys.stdin.buffer:
            self.current.close()
        self.current = None
        for name in self.names:
            try:
                f = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115
                self.opened += 1
                if self.skip:
                    self.seek(f, name)
                self.current = f
                return True
            except OSError as e:
                sys.stderr.write(f"{PROG}: {'stdin' if name == '-' else name}: "
                                 f"{strerror(e)}\n")
                self.failed += 1
        return False

    def seek(self, f: BinaryIO, name: str) -> None:
        size = os.fstat(f.fileno()).st_size
        step = min(self.skip, size) if os.path.isfile(name) else self.skip
        os.lseek(f.fileno(), step, os.SEEK_CUR)
        self.skip -= step
        self.skipped += step

    def read(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            if self.current is None and not self.next_file():
                break
            assert self.current is not None
            chunk = self.current.read(n - len(out))
            if chunk:
                out += chunk
            elif not self.next_file():
                break
        return out


def dump(src: Input, formats: list[Format], limit: int | None,
         verbose: bool) -> Iterator[str]:
    previous, starred = b"", False
    opened = src.next_file()
    offset = src.skipped
    while opened and (limit is None or limit > 0):
        block = src.read(16 if limit is None else min(16, limit))
        if not block:
            break
        if limit is not None:
            limit -= len(block)
        if not verbose and len(block) == 16 and block == previous:
            if not starred:
                yield "*\n"
            starred = True
        else:
            starred = False
            for fmt in formats:
                yield fmt(offset, block) + "\n"
        previous, offset = block, offset + len(block)
    offset = max(offset, src.skipped)
    if offset or previous:
        yield (f"{offset:08x}" if formats[-1] is canonical else f"{offset:07x}") + "\n"


def command(argv: list[str]) -> int:
    opts, args = options(argv, "bcCdoxn:s:vh", LONG)
    formats: list[Format] = []
    limit: int | None = None
    skip, verbose = 0, False
    for o, v in opts:
        if o in ("--help", "-h"):
            sys.stdout.write(HELP)
            return 0
        if o in ("-n", "--length"):
            limit = parse_size(v, "length")
        elif o in ("-s", "--skip"):
            skip = parse_size(v, "offset")
        elif o in ("-v", "--no-squeezing"):
            verbose = True
        else:
            formats.append(FORMATS[SHORT_OF.get(o, o)])
    src = Input(args or ["-"], skip)
    sys.stdout.writelines(dump(src, formats or [FORMATS[""]], limit, verbose))
    sys.stdout.flush()
    if src.failed and not src.opened:
        sys.stderr.write(f"{PROG}: all input file arguments failed\n")
    return 1 if src.failed else 0


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e))
    except Failure as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 1
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
