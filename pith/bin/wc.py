"""wc: count lines, words and bytes (-l -w -c -m -L) per file and in total, GNU's columns.

Words are runs of printable non-space bytes (other bytes neither start nor end one), as GNU
counts them in the C locale; -m counts characters as UTF-8 when the locale says so, else bytes.
Number width: 1 for a lone count of one file; else wide enough for the total size of the
regular files, at least 7 when one input is not a regular file (a pipe, a terminal).
"""

import os
import stat
import sys
from typing import BinaryIO

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "wc"
HELP = """Usage: wc [OPTION]... [FILE]...
Print newline, word, and byte counts for each FILE, and a total line if
more than one FILE is specified.  A word is a non-zero-length sequence of
printable characters delimited by white space.

With no FILE, or when FILE is -, read standard input.

The options below may be used to select which counts are printed, always in
the following order: newline, word, character, byte, maximum line length.
  -c, --bytes            print the byte counts
  -m, --chars            print the character counts
  -l, --lines            print the newline counts
  -L, --max-line-length  print the maximum display width
  -w, --words            print the word counts
      --help     display this help and exit
"""
ORDER = "lwmcL"
LONG = {"--bytes": "c", "--chars": "m", "--lines": "l", "--max-line-length": "L",
        "--words": "w"}
SPACE = frozenset(b" \t\n\v\f\r")
PRINTABLE = frozenset(range(0x21, 0x7F))


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def utf8_locale() -> bool:
    for var in ("LC_ALL", "LC_CTYPE", "LANG"):
        if value := os.environ.get(var):
            return "utf-8" in value.lower() or "utf8" in value.lower()
    return False


class Counter:
    """Counts for one input, fed in chunks."""

    def __init__(self, wanted: set[str], utf8: bool) -> None:
        self.wanted, self.utf8 = wanted, utf8
        self.n = dict.fromkeys(ORDER, 0)
        self.in_word = False
        self.column = 0

    def feed(self, data: bytes) -> None:
        n = self.n
        n["c"] += len(data)
        n["l"] += data.count(b"\n")
        if "m" in self.wanted:
            n["m"] += (len(data) - sum(1 for b in data if 0x80 <= b < 0xC0)) if self.utf8 \
                else len(data)
        if "w" in self.wanted or "L" in self.wanted:
            self.scan(data)

    def scan(self, data: bytes) -> None:
        words, in_word, column, longest = 0, self.in_word, self.column, self.n["L"]
        for b in data:
            if b in SPACE:
                in_word = False
                if b == 9:
                    column = (column // 8 + 1) * 8
                elif b == 32:
                    column += 1
                elif b in (10, 13, 12):
                    longest, column = max(longest, column), 0
            elif b in PRINTABLE or (self.utf8 and b >= 0xC0):
                words += not in_word
                in_word = True
                column += 1
        self.in_word, self.column = in_word, column
        self.n["w"] += words
        self.n["L"] = max(longest, column)


def width_for(names: list[str], wanted: set[str]) -> int:
    if len(names) == 1 and len(wanted) == 1:
        return 1
    total, minimum = 0, 1
    for name in names:
        try:
            st = os.fstat(sys.stdin.fileno()) if name == "-" else os.stat(name)
        except (OSError, ValueError):
            continue
        if stat.S_ISREG(st.st_mode):
            total += st.st_size
        else:
            minimum = 7
    return max(len(str(total)), minimum)


def count_file(src: BinaryIO, counter: Counter) -> None:
    read = getattr(src, "read1", src.read)
    while chunk := read(65536):
        counter.feed(chunk)


def line(n: dict[str, int], wanted: set[str], width: int, name: str | None) -> str:
    cells = [f"{n[k]:>{width}}" for k in ORDER if k in wanted]
    return " ".join(cells) + (f" {name}" if name is not None else "") + "\n"


def command(argv: list[str]) -> int:
    opts, args = options(argv, "cmlLw", [*(n[2:] for n in LONG), "help"])
    wanted: set[str] = set()
    for o, _ in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        wanted.add(LONG.get(o, o[1:]))
    wanted = wanted or {"l", "w", "c"}
    names = args or ["-"]
    width = width_for(names, wanted)
    utf8, ok = utf8_locale(), True
    total = dict.fromkeys(ORDER, 0)
    for name in names:
        counter = Counter(wanted, utf8)
        try:
            if name == "-":
                count_file(sys.stdin.buffer, counter)
            else:
                with open(name, "rb") as src:
                    count_file(src, counter)
        except OSError as e:
            sys.stderr.write(f"{PROG}: {name}: {strerror(e)}\n")
            ok = False
            if not isinstance(e, IsADirectoryError):
                continue
        for k in ORDER:
            total[k] = max(total[k], counter.n[k]) if k == "L" else total[k] + counter.n[k]
        sys.stdout.write(line(counter.n, wanted, width, name if args else None))
    if len(names) > 1:
        sys.stdout.write(line(total, wanted, width, "total"))
    sys.stdout.flush()
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
