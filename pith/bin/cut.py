"""cut: print selected bytes (-b), characters (-c, bytes in the C locale) or fields (-f, split
on -d, tab by default) of each line; -s drops lines with no delimiter, --complement inverts,
--output-delimiter sets the joiner."""

import os
import sys

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "cut"
HELP = """Usage: cut OPTION... [FILE]...
Print selected parts of lines from each FILE to standard output.

With no FILE, or when FILE is -, read standard input.

  -b, --bytes=LIST        select only these bytes
  -c, --characters=LIST   select only these characters
  -d, --delimiter=DELIM   use DELIM instead of TAB for field delimiter
  -f, --fields=LIST       select only these fields;  also print any line
                            that contains no delimiter character, unless
                            the -s option is specified
  -n                      (ignored)
      --complement        complement the set of selected bytes, characters
                            or fields
  -s, --only-delimited    do not print lines not containing delimiters
      --output-delimiter=STRING  use STRING as the output delimiter
                            the default is to use the input delimiter
  -z, --zero-terminated   line delimiter is NUL, not newline
      --help     display this help and exit

Each LIST is made up of one range, or many ranges separated by commas.
Each range is one of: N, N-, N-M, -M (N'th to M'th, counted from 1).
"""
LONG = {"bytes=": "b", "characters=": "c", "delimiter=": "d", "fields=": "f",
        "complement": "C", "only-delimited": "s", "output-delimiter=": "O",
        "zero-terminated": "z"}


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def parse_list(text: str, what: str) -> list[tuple[int, int]]:
    """Sorted, merged 1-based inclusive ranges (end 0 = to the end of the line)."""
    ranges = []
    for part in text.replace(" ", ",").split(","):
        lo, dash, hi = part.partition("-")
        if (not lo and not hi) or not (lo or "1").isdigit() or not (hi or "1").isdigit():
            raise UsageError(f"invalid {what} list")
        start = int(lo) if lo else 1
        end = (int(hi) if hi else 0) if dash else start
        if start == 0 or (dash and hi and int(hi) == 0):
            raise UsageError(f"{what}s are numbered from 1" if what == "field" else
                             f"{what} positions are numbered from 1".replace(
                                 "byte/character", "byte/character"))
        if end and end < start:
            raise UsageError("invalid decreasing range")
        ranges.append((start, end))
    return ranges


def selected(n: int, ranges: list[tuple[int, int]], complement: bool) -> list[int]:
    """The 1-based indexes out of n that the ranges select."""
    keep = [False] * (n + 1)
    for start, end in ranges:
        for i in range(start, (end or n) + 1 if start <= n else start):
            if i <= n:
                keep[i] = True
    return [i for i in range(1, n + 1) if keep[i] != complement]


def cut_bytes(line: bytes, ranges: list[tuple[int, int]], complement: bool,
              joiner: bytes | None) -> bytes:
    picked = selected(len(line), ranges, complement)
    if joiner is None:
        return bytes(line[i - 1] for i in picked)
    out = bytearray()
    for k, i in enumerate(picked):
        if k and picked[k - 1] != i - 1:
            out += joiner
        out.append(line[i - 1])
    return bytes(out)


def cut_fields(line: bytes, ranges: list[tuple[int, int]], complement: bool, delim: bytes,
               joiner: bytes, only: bool) -> bytes | None:
    if delim not in line:
        return None if only else line
    fields = line.split(delim)
    return joiner.join(fields[i - 1] for i in selected(len(fields), ranges, complement))


def command(argv: list[str]) -> int:
    opts, args = options(argv, "b:c:d:f:nsz", [*LONG, "help"])
    mode, ranges, delim, joiner = None, [], None, None
    flags: set[str] = set()
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        letter = LONG.get(o[2:], LONG.get(o[2:] + "=", o[1:]))
        if letter in "bcf":
            if mode is not None:
                raise UsageError("only one list may be specified")
            mode = letter
            ranges = parse_list(v, "field" if letter == "f" else "byte/character")
        elif letter == "d":
            delim = os.fsencode(v)
            if len(delim) != 1:
                raise UsageError("the delimiter must be a single character")
        elif letter == "O":
            joiner = os.fsencode(v)
        flags.add(letter)
    if mode is None:
        raise UsageError("you must specify a list of bytes, characters, or fields")
    if mode != "f" and delim is not None:
        raise UsageError("an input delimiter may be specified only when operating on fields")
    if mode != "f" and "s" in flags:
        raise UsageError("suppressing non-delimited lines makes sense\n"
                         "\tonly when operating on fields")
    eol = b"\0" if "z" in flags else b"\n"
    delim = delim or b"\t"
    ok = True
    for name in args or ["-"]:
        try:
            if name == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(name, "rb") as src:
                    data = src.read()
        except OSError as e:
            sys.stderr.write(f"{PROG}: {name}: {strerror(e)}\n")
            ok = False
            continue
        lines = data.split(eol)
        if lines[-1] == b"":
            lines.pop()
        out = []
        for line in lines:
            if mode == "f":
                got = cut_fields(line, ranges, "C" in flags, delim,
                                 delim if joiner is None else joiner, "s" in flags)
            else:
                got = cut_bytes(line, ranges, "C" in flags, joiner)
            if got is not None:
                out.append(got + eol)
        sys.stdout.buffer.write(b"".join(out))
    sys.stdout.flush()
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e))
    except BrokenPipeError:
        return broken_pipe()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
