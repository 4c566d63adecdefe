"""od: dump files in octal and other formats, as GNU od does (the default is -t o2).

Options: -A RADIX (d o x n), -t TYPE (a c, d o u x with size 1 2 4 8 or C S I L, z for a
>text< trailer), -j BYTES (skip), -N BYTES (limit), -v (no '*' for repeated lines), -w[N]
(bytes per line, 16; 32 when N is left out), and the traditional -b -c -d -o -s -x -i -l.
The files are one stream. Fields of several types are padded so the columns line up, as
GNU pads them; numbers are little-endian, as on the host.
"""

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "od"
HELP = """Usage: od [OPTION]... [FILE]...
Write an unambiguous representation, octal bytes by default,
of FILE to standard output.  With more than one FILE argument,
concatenate them in the listed order to form the input.

With no FILE, or when FILE is -, read standard input.

  -A, --address-radix=RADIX   output format for file offsets; RADIX is one
                                of [doxn], for Decimal, Octal, Hex or None
  -j, --skip-bytes=BYTES      skip BYTES input bytes first
  -N, --read-bytes=BYTES      limit dump to BYTES input bytes
  -t, --format=TYPE           select output format or formats
  -v, --output-duplicates     do not use * to mark line suppression
  -w[BYTES], --width[=BYTES]  output BYTES bytes per output line;
                                32 is implied when BYTES is not specified
      --help                  display this help and exit

Traditional format specifications may be intermixed; they accumulate:
  -b   same as -t o1, select octal bytes
  -c   same as -t c,  select printable characters or backslash escapes
  -d   same as -t u2, select unsigned decimal 2-byte units
  -i   same as -t dI, select decimal ints
  -l   same as -t dL, select decimal longs
  -o   same as -t o2, select octal 2-byte units
  -s   same as -t d2, select decimal 2-byte units
  -x   same as -t x2, select hexadecimal 2-byte units

TYPE is made up of one or more of these specifications:
  a          named character, ignoring high-order bit
  c          printable character or backslash escape
  d[SIZE]    signed decimal, SIZE bytes per integer
  o[SIZE]    octal, SIZE bytes per integer
  u[SIZE]    unsigned decimal, SIZE bytes per integer
  x[SIZE]    hexadecimal, SIZE bytes per integer

SIZE is a number: 1, 2, 4 or 8, or C, S, I or L for char, short, int and long.
Adding a z suffix to any type displays printable characters at the end of
each output line.

BYTES is hex with 0x or 0X prefix, and may have a multiplier suffix:
  b 512, KB 1000, K 1024, MB 1000*1000, M 1024*1024, and so on for G, T, P, E.
"""
LONG = ["address-radix=", "skip-bytes=", "read-bytes=", "format=", "output-duplicates",
        "width=", "help"]
TRADITIONAL = {"-b": "o1", "-c": "c", "-d": "u2", "-i": "dI", "-l": "dL", "-o": "o2",
               "-s": "d2", "-x": "x2"}
SIZES = {"C": 1, "S": 2, "I": 4, "L": 8, "1": 1, "2": 2, "4": 4, "8": 8}
DIGITS = {"o": {1: 3, 2: 6, 4: 11, 8: 22}, "u": {1: 3, 2: 5, 4: 10, 8: 20},
          "d": {1: 4, 2: 6, 4: 11, 8: 20}, "x": {1: 2, 2: 4, 4: 8, 8: 16}}
ESCAPES = {0: "\\0", 7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v"}
NAMES = ["nul", "soh", "stx", "etx", "eot", "enq", "ack", "bel", "bs", "ht", "nl", "vt", "ff",
         "cr", "so", "si", "dle", "dc1", "dc2", "dc3", "dc4", "nak", "syn", "etb", "can", "em",
         "sub", "esc", "fs", "gs", "rs", "us", "sp"]
ADDRESS = {"o": ("o", 7), "d": ("d", 7), "x": ("x", 6), "n": ("", 0)}
MULTIPLIERS = {"b": 512, "KB": 1000, "K": 1024, "k": 1024, "MB": 1000**2, "M": 1024**2,
               "GB": 1000**3, "G": 1024**3, "TB": 1000**4, "T": 1024**4, "PB": 1000**5,
               "P": 1024**5, "EB": 1000**6, "E": 1024**6}


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


class Failure(Exception):
    """A fatal error, said as `od: message`, without the pointer to --help."""


@dataclass
class Spec:
    """One output type: its letter, bytes per field, digits per field, >text< trailer."""

    kind: str
    size: int
    width: int
    trailer: bool = False
    pad: int = 0

    def field(self, value: bytes) -> str:
        n = int.from_bytes(value, "little", signed=self.kind == "d")
        if self.kind == "o":
            return f"{n:0{self.width}o}"
        if self.kind == "x":
            return f"{n:0{self.width}x}"
        if self.kind in "du":
            return str(n)
        if self.kind == "c":
            b = value[0]
            return ESCAPES.get(b) or (chr(b) if 32 <= b < 127 else f"{b:03o}")
        b = value[0] & 0x7F
        return NAMES[b] if b < len(NAMES) else "del" if b == 127 else chr(b)


def parse_types(text: str) -> list[Spec]:
    """-t's argument: one or more types, each with its size and a z suffix."""
    specs: list[Spec] = []
    i = 0
    while i < len(text):
        c = text[i]
        i += 1
        if c in "ac":
            spec = Spec(c, 1, 3)
        elif c in "doux":
            size = 4
            if i < len(text) and text[i] in "CSIL":
                size, i = SIZES[text[i]], i + 1
            elif i < len(text) and text[i].isdigit():
                j = i
                while j < len(text) and text[j].isdigit():
                    j += 1
                size, i = int(text[i:j]), j
                if size not in DIGITS[c]:
                    raise Failure(f"invalid type string '{text}';\n"
                                  f"this system doesn't provide a {size}-byte integral type")
            spec = Spec(c, size, DIGITS[c][size])
        else:
            raise Failure(f"invalid character '{c}' in type string '{text}'")
        if i < len(text) and text[i] == "z":
            spec.trailer, i = True, i + 1
        specs.append(spec)
    return specs


def parse_bytes(text: str, what: str) -> int:
    """-j's and -N's argument: decimal, 0x hex or 0 octal, and a multiplier suffix."""
    body, mult = text, 1
    for suffix in sorted(MULTIPLIERS, key=len, reverse=True):
        if body.endswith(suffix) and not (suffix == "b" and body.lower().startswith("0x")):
            body, mult = body[: -len(suffix)], MULTIPLIERS[suffix]
            break
    try:
        if body.lower().startswith("0x"):
            n = int(body[2:], 16)
        elif body.startswith("0") and len(body) > 1:
            n = int(body[1:], 8)
        else:
            n = int(body, 10)
        if n < 0 or not body[-1:].isalnum():
            raise ValueError
    except ValueError:
        raise Failure(f"invalid {what} argument '{text}'") from None
    return n * mult


class Input:
    """The files as one stream of bytes; a file that cannot be opened is reported and skipped."""

    def __init__(self, names: list[str]) -> None:
        self.names = iter(names)
        self.current: BinaryIO | None = None
        self.ok = True

    def next_file(self) -> bool:
        if self.current is not None and self.current is not sys.stdin.buffer:
            self.current.close()
        self.current = None
        for name in self.names:
            try:
                self.current = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115
                return True
            except OSError as e:
                sys.stderr.write(f"{PROG}: {name}: {strerror(e)}\n")
                self.ok = False
        return False

    def read(self, n: int) -> bytes:
        """Up to n bytes, fewer only at the end of the last file."""
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


def set_padding(specs: list[Spec], per_line: int) -> None:
    widest = max((s.width + 1) * (per_line // s.size) for s in specs)
    for s in specs:
        s.pad = widest - s.width * (per_line // s.size)


def fields(spec: Spec, block: bytes, n: int, per_line: int) -> str:
    """One type's fields of a block of n meaningful bytes (zero-filled to whole fields)."""
    count = per_line // spec.size
    blank = (per_line - n) // spec.size
    out, remaining = [], spec.pad
    for i in range(count, blank, -1):
        next_pad = spec.pad * (i - 1) // count
        k = (count - i) * spec.size
        out.append(spec.field(block[k:k + spec.size]).rjust(remaining - next_pad + spec.width))
        remaining = next_pad
    if spec.trailer:
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in block[:n])
        out.append(" " * (blank * (spec.width + 1)) + f"  >{text}<")
    return "".join(out)


def dump(src: Input, specs: list[Spec], per_line: int, address: Callable[[int], str],
         offset: int, limit: int | None, verbose: bool) -> Iterator[str]:
    """The output lines, the last one the final address."""
    set_padding(specs, per_line)
    indent = " " * len(address(0))
    previous: bytes | None = None
    starred = False
    while limit is None or limit > 0:
        block = src.read(per_line if limit is None else min(per_line, limit))
        if not block:
            break
        n = len(block)
        if limit is not None:
            limit -= n
        if not verbose and n == per_line and block == previous:
            if not starred:
                yield "*\n"
                starred = True
        else:
            starred = False
            padded = block + bytes(-n % 8)
            for i, spec in enumerate(specs):
                yield (address(offset) if i == 0 else indent) + fields(spec, padded, n,
                                                                       per_line) + "\n"
        previous, offset = block, offset + n
    if address(0):
        yield address(offset) + "\n"


def skip(src: Input, count: int) -> None:
    while count > 0:
        got = src.read(min(count, 65536))
        if not got:
            raise Failure("cannot skip past end of combined input")
        count -= len(got)


def width_option(argv: list[str]) -> list[str]:
    """-w's argument is optional, which getopt cannot say: a bare -w is -w32."""
    out: list[str] = []
    for arg in argv:
        if arg == "--":
            return out + argv[len(out):]
        out.append("-w32" if arg == "-w" else "--width=32" if arg == "--width" else arg)
    return out


def command(argv: list[str]) -> int:
    opts, args = options(width_option(argv), "A:j:N:t:vw:bcdilosx", LONG)
    radix, start, limit, verbose, per_line = "o", 0, None, False, 16
    specs: list[Spec] = []
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in ("-A", "--address-radix"):
            if v not in ADDRESS:
                raise Failure(f"invalid output address radix '{v}'; "
                              "it must be one character from [doxn]")
            radix = v
        elif o in ("-j", "--skip-bytes"):
            start = parse_bytes(v, "skip")
        elif o in ("-N", "--read-bytes"):
            limit = parse_bytes(v, "-N")
        elif o in ("-t", "--format"):
            specs += parse_types(v)
        elif o in ("-v", "--output-duplicates"):
            verbose = True
        elif o in ("-w", "--width"):
            per_line = parse_bytes(v, "-w")
        else:
            specs += parse_types(TRADITIONAL[o])
    specs = specs or parse_types("o2")
    if per_line <= 0 or any(per_line % s.size for s in specs):
        lcm = max(s.size for s in specs)  # the sizes are powers of two
        sys.stderr.write(f"{PROG}: warning: invalid width {per_line}; using {lcm} instead\n")
        per_line = lcm
    letter, digits = ADDRESS[radix]
    address: Callable[[int], str] = lambda n: f"{n:0{digits}{letter}}" if letter else ""  # noqa: E731
    src = Input(args or ["-"])
    if not src.next_file():  # not one file to read: no output at all
        return 1
    skip(src, start)
    sys.stdout.writelines(dump(src, specs, per_line, address, start, limit, verbose))
    sys.stdout.flush()
    return 0 if src.ok else 1


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e))
    except Failure as e:
        sys.stdout.flush()
        sys.stderr.write(f"{PROG}: {e}\n")
        return 1
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
