"""nl: number the lines of files, as GNU nl does.

Options: -b STYLE / -h STYLE / -f STYLE (which body / header / footer lines are numbered:
a all, t non-empty, n none, pBRE those matching the basic regular expression), -n FORMAT
(ln rn rz), -w WIDTH, -s SEP, -v START, -i INCREMENT, -p (do not restart at each page),
-d CC (the section delimiter, \\: by default). A line of just \\:\\:\\: \\:\\: or \\: starts a
header, body or footer and is output as an empty line, and restarts the numbering (as
GNU's nl 9 does, at each of them).
"""

import re
import sys
from collections.abc import Callable

from pith.bin.grep import PatternError, translate
from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "nl"
HELP = """Usage: nl [OPTION]... [FILE]...
Write each FILE to standard output, with line numbers added.

With no FILE, or when FILE is -, read standard input.

Mandatory arguments to long options are mandatory for short options too.
  -b, --body-numbering=STYLE      use STYLE for numbering body lines
  -d, --section-delimiter=CC      use CC for logical page delimiters
  -f, --footer-numbering=STYLE    use STYLE for numbering footer lines
  -h, --header-numbering=STYLE    use STYLE for numbering header lines
  -i, --line-increment=NUMBER     line number increment at each line
  -n, --number-format=FORMAT      insert line numbers according to FORMAT
  -p, --no-renumber               do not reset line numbers for each section
  -s, --number-separator=STRING   add STRING after (possible) line number
  -v, --starting-line-number=NUMBER  first line number for each section
  -w, --number-width=NUMBER       use NUMBER columns for line numbers
      --help        display this help and exit

Default options are: -bt -d'\\:' -fn -hn -i1 -n'rn' -s<TAB> -v1 -w6

STYLE is one of:

  a      number all lines
  t      number only nonempty lines
  n      number no lines
  pBRE   number only lines that contain a match for the basic regular
         expression, BRE

FORMAT is one of:

  ln     left justified, no leading zeros
  rn     right justified, no leading zeros
  rz     right justified, leading zeros
"""
LONG = ["body-numbering=", "section-delimiter=", "footer-numbering=", "header-numbering=",
        "line-increment=", "number-format=", "no-renumber", "number-separator=",
        "starting-line-number=", "number-width=", "help"]
STYLE_NAMES = {"-b": "body", "-h": "header", "-f": "footer"}
LONG_SHORT = {"--body-numbering": "-b", "--header-numbering": "-h", "--footer-numbering": "-f",
              "--section-delimiter": "-d", "--line-increment": "-i", "--number-format": "-n",
              "--no-renumber": "-p", "--number-separator": "-s",
              "--starting-line-number": "-v", "--number-width": "-w"}
Style = Callable[[bytes], bool]


class Failure(Exception):
    """A bad number or pattern: said as `nl: message`, without the pointer to --help."""


def style(text: str, which: str) -> Style:
    if text == "a":
        return lambda line: True
    if text == "t":
        return lambda line: line not in (b"", b"\n")
    if text == "n":
        return lambda line: False
    if text.startswith("p"):
        try:
            pattern = re.compile(translate(text[1:].encode("utf-8", "surrogateescape"), False))
        except (PatternError, re.error) as e:
            raise Failure(str(e)) from None
        return lambda line: pattern.search(line.rstrip(b"\n")) is not None
    raise UsageError(f"invalid {which} numbering style: '{text}'")


def integer(text: str, what: str, least: int) -> int:
    try:
        n = int(text)
    except ValueError:
        raise Failure(f"invalid {what}: '{text}'") from None
    if n < least:
        raise Failure(f"invalid {what}: '{text}': Numerical result out of range")
    return n


class Numberer:
    """The numbering state across files: the section, the next number."""

    def __init__(self) -> None:
        self.styles: dict[str, Style] = {"header": style("n", ""), "body": style("t", ""),
                                         "footer": style("n", "")}
        self.section = "body"
        self.fmt, self.width, self.sep = "rn", 6, b"\t"
        self.start, self.step, self.renumber = 1, 1, True
        self.delim = b"\\:"
        self.number = 1

    def number_text(self) -> bytes:
        n = self.number
        text = {"ln": f"{n:<{self.width}}", "rn": f"{n:>{self.width}}",
                "rz": f"{n:0{self.width}}"}[self.fmt]
        return text.encode()

    def line(self, line: bytes) -> bytes:
        body = line.rstrip(b"\n")
        for count, name in ((3, "header"), (2, "body"), (1, "footer")):
            if body == self.delim * count:
                self.section = name
                if self.renumber:
                    self.number = self.start
                return b"\n"
        if self.styles[self.section](line):
            out = self.number_text() + self.sep + line
            self.number += self.step
            return out
        return b" " * (self.width + len(self.sep)) + line


def configure(opts: list[tuple[str, str]]) -> Numberer:
    nl = Numberer()
    for o, v in opts:
        o = LONG_SHORT.get(o, o)
        if o in STYLE_NAMES:
            nl.styles[STYLE_NAMES[o]] = style(v, STYLE_NAMES[o])
        elif o == "-n":
            if v not in ("ln", "rn", "rz"):
                raise UsageError(f"invalid line numbering format: '{v}'")
            nl.fmt = v
        elif o == "-w":
            nl.width = integer(v, "line number field width", 1)
        elif o == "-s":
            nl.sep = v.encode("utf-8", "surrogateescape")
        elif o == "-v":
            nl.start = nl.number = integer(v, "starting line number", -(2**63))
        elif o == "-i":
            nl.step = integer(v, "line number increment", -(2**63))
        elif o == "-p":
            nl.renumber = False
        elif o == "-d":
            d = v.encode("utf-8", "surrogateescape")
            nl.delim = d + b":" if len(d) == 1 else d
    return nl


def command(argv: list[str]) -> int:
    opts, args = options(argv, "b:d:f:h:i:n:ps:v:w:", LONG)
    if ("--help", "") in opts:
        sys.stdout.write(HELP)
        return 0
    nl, ok = configure(opts), True
    out = sys.stdout.buffer
    for name in args or ["-"]:
        try:
            src = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115
        except OSError as e:
            sys.stderr.write(f"{PROG}: {name}: {strerror(e)}\n")
            ok = False
            continue
        try:
            for line in src:
                out.write(nl.line(line if line.endswith(b"\n") else line + b"\n"))
        except OSError as e:
            sys.stderr.write(f"{PROG}: {name}: {strerror(e)}\n")
            ok = False
        finally:
            if src is not sys.stdin.buffer:
                src.close()
    sys.stdout.flush()
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return _usage_error(PROG, str(e))
    except Failure as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 1
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
