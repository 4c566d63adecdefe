"""uniq: report or omit repeated adjacent lines (-c -d -u -i -f N -s N -w N -z), reading
INPUT (or stdin) and writing OUTPUT (or stdout)."""

import sys

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "uniq"
HELP = """Usage: uniq [OPTION]... [INPUT [OUTPUT]]
Filter adjacent matching lines from INPUT (or standard input),
writing to OUTPUT (or standard output).

  -c, --count           prefix lines by the number of occurrences
  -d, --repeated        only print duplicate lines, one for each group
  -f, --skip-fields=N   avoid comparing the first N fields
  -i, --ignore-case     ignore differences in case when comparing
  -s, --skip-chars=N    avoid comparing the first N characters
  -u, --unique          only print unique lines
  -z, --zero-terminated     line delimiter is NUL, not newline
  -w, --check-chars=N   compare no more than N characters in lines
      --help     display this help and exit
"""
LONG = {"count": "c", "repeated": "d", "skip-fields=": "f", "ignore-case": "i",
        "skip-chars=": "s", "unique": "u", "zero-terminated": "z", "check-chars=": "w"}


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def key(line: bytes, fields: int, chars: int, width: int | None, fold: bool) -> bytes:
    i, n = 0, len(line)
    for _ in range(fields):
        while i < n and line[i] in b" \t":
            i += 1
        while i < n and line[i] not in b" \t":
            i += 1
    text = line[i + chars:]
    if width is not None:
        text = text[:width]
    return text.upper() if fold else text


def count_arg(value: str, what: str) -> int:
    if not value.isdigit():
        raise UsageError(f"{value}: invalid number of {what} to skip"
                         if what != "bytes to compare" else
                         f"{value}: invalid number of bytes to compare")
    return int(value)


def command(argv: list[str]) -> int:
    opts, args = options(argv, "cdf:is:uzw:D", [*LONG, "help"])
    flags: set[str] = set()
    fields, chars, width = 0, 0, None
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        letter = LONG.get(o[2:], LONG.get(o[2:] + "=", o[1:]))
        if letter == "f":
            fields = count_arg(v, "fields")
        elif letter == "s":
            chars = count_arg(v, "bytes")
        elif letter == "w":
            width = count_arg(v, "bytes to compare")
        flags.add(letter)
    if len(args) > 2:
        raise UsageError(f"extra operand '{args[2]}'")
    eol = b"\0" if "z" in flags else b"\n"
    try:
        if not args or args[0] == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(args[0], "rb") as src:
                data = src.read()
    except OSError as e:
        sys.stderr.write(f"{PROG}: {args[0]}: {strerror(e)}\n")
        return 1
    lines = data.split(eol)
    if lines and lines[-1] == b"":
        lines.pop()
    groups: list[tuple[bytes, int]] = []
    last = None
    for line in lines:
        k = key(line, fields, chars, width, "i" in flags)
        if groups and k == last:
            groups[-1] = (groups[-1][0], groups[-1][1] + 1)
        else:
            groups.append((line, 1))
            last = k
    out = []
    for line, n in groups:
        if ("d" in flags and n == 1) or ("u" in flags and n > 1):
            continue
        out.append((b"%7d " % n if "c" in flags else b"") + line + eol)
    try:
        if len(args) == 2:
            with open(args[1], "wb") as dst:
                dst.write(b"".join(out))
        else:
            sys.stdout.buffer.write(b"".join(out))
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as e:
        sys.stderr.write(f"{PROG}: {args[1]}: {strerror(e)}\n")
        return 1
    return 0


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e))
    except BrokenPipeError:
        return broken_pipe()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
