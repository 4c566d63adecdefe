"""sed: a stream editor, as GNU sed does (POSIX sed and the common GNU extensions).

Commands: s///[g p N i I m M w FILE] (& \\1-\\9 \\n \\L \\U \\l \\u \\E), y, d, D, p, P, n, N,
g, G, h, H, x, l, =, q [N], Q [N], a, i, c (POSIX 'a\\' and GNU one-line forms), r, w, b, t, T,
:label, { }, z, F, #comments. Addresses: N, $, /RE/ and \\cREc (with I and M), first~step,
ranges A,B  A,+N  A,~N  0,/RE/, and ! after an address. Options -n -e -f -E/-r -i[SUFFIX]
-s -z -u --posix. Regular expressions are POSIX BRE (ERE with -E) translated to Python's re
with the C locale's byte semantics. Exit status 0; 1 for a bad script; 2 when an input file
could not be read; 4 for an I/O error; q/Q's status when given.
"""

import os
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from pith.lib.gnu import broken_pipe, strerror

PROG = "sed"
HELP = """Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...

  -n, --quiet, --silent
                 suppress automatic printing of pattern space
  -e script, --expression=script
                 add the script to the commands to be executed
  -f script-file, --file=script-file
                 add the contents of script-file to the commands to be executed
  -i[SUFFIX], --in-place[=SUFFIX]
                 edit files in place (makes backup if SUFFIX supplied)
  -l N, --line-length=N
                 specify the desired line-wrap length for the `l' command
  --posix
                 disable all GNU extensions.
  -E, -r, --regexp-extended
                 use extended regular expressions in the script
                 (for portability use POSIX -E).
  -s, --separate
                 consider files as separate rather than as a single,
                 continuous long stream.
  -u, --unbuffered
                 load minimal amounts of data from the input files and flush
                 the output buffers more often
  -z, --null-data
                 separate lines by NUL characters
      --help     display this help and exit

If no -e, --expression, -f, or --file option is given, then the first
non-option argument is taken as the sed script to interpret.  All
remaining arguments are names of input files; if no input files are
specified, then the standard input is read.
"""
ENC = "latin-1"  # one character per byte: the C locale's view of text
CLASSES = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "0-9a-zA-Z", "upper": "A-Z", "lower": "a-z",
    "space": " \\t\\n\\r\\f\\v", "blank": " \\t", "punct": "!-/:-@\\[-`{-~",
    "print": " -~", "graph": "!-~", "cntrl": "\\x00-\\x1f\\x7f", "xdigit": "0-9A-Fa-f"}


class SedError(Exception):
    """A bad script: GNU's message (with where it was found), exit status 1."""


class Quit(Exception):
    def __init__(self, status: int, autoprint: bool) -> None:
        self.status, self.autoprint = status, autoprint


class Panic(Exception):
    """An I/O error that ends sed at once: exit status 4."""


# ---------------------------------------------------------------- regular expressions

def bracket(src: str, i: int) -> tuple[str, int]:
    """The bracket expression starting at src[i] == '[': Python's form and the index after."""
    j = i + 1
    out = ["["]
    if j < len(src) and src[j] == "^":
        out.append("^")
        j += 1
    first = True
    while True:
        if j >= len(src):
            raise SedError("unterminated address regex")
        c = src[j]
        if c == "]" and not first:
            return "".join(out) + "]", j + 1
        first = False
        if c == "[" and j + 1 < len(src) and src[j + 1] in ":.=":
            kind = src[j + 1]
            end = src.find(kind + "]", j + 2)
            if end < 0:
                raise SedError("unterminated address regex")
            name = src[j + 2:end]
            if kind == ":":
                if name not in CLASSES:
                    raise SedError("Invalid character class name")
                out.append(CLASSES[name])
            else:
                out.append(re.escape(name))
            j = end + 2
            continue
        if c == "\\" and j + 1 < len(src) and src[j + 1] in "nt\\]":
            out.append({"n": "\\n", "t": "\\t", "\\": "\\\\", "]": "\\]"}[src[j + 1]])
            j += 2
            continue
        out.append("\\" + c if c in "[\\&~|^" else c)
        j += 1


def translate(src: str, ere: bool, multiline: bool) -> str:
    """A POSIX BRE (or ERE) as Python's re: anchors, groups, intervals, classes, escapes."""
    out: list[str] = []
    i, n = 0, len(src)
    at_start = True  # where a '*' is literal and '^' an anchor
    while i < n:
        c = src[i]
        start = at_start
        at_start = False
        if c == "[":
            piece, i = bracket(src, i)
            out.append(piece)
            continue
        if c == "\\" and i + 1 < n:
            d = src[i + 1]
            i += 2
            if not ere and d in "(){}|+?":
                out.append(d)
                at_start = d in "(|"
            elif d.isdigit() and d != "0":
                out.append(f"(?:\\{d})")
            elif d == "n":
                out.append("\\n")
            elif d == "t":
                out.append("\\t")
            elif d in "wWsSbB":
                out.append("\\" + d)
            elif d == "<":
                out.append("\\b(?=\\w)")
            elif d == ">":
                out.append("\\b(?<=\\w)")
            elif d == "`":
                out.append("\\A")
            elif d == "'":
                out.append("\\Z")
            else:
                out.append(re.escape(d))
            continue
        if c == "\\":
            raise SedError("Trailing backslash")
        i += 1
        if c == "^":
            if ere or start:
                out.append("^" if not multiline else "(?:^)")
                at_start = True
            else:
                out.append("\\^")
        elif c == "$":
            rest = src[i:]
            anchor = ere or rest == "" or rest.startswith(("\\)", "\\|"))
            if anchor:
                out.append("(?=\\n|\\Z)" if multiline else "\\Z")
            else:
                out.append("\\$")
        elif c == "*":
            out.append("\\*" if start else "*")
        elif c in "(){}|+?":
            if ere:
                if c in "*+?{" and start:
                    out.append(re.escape(c))
                else:
                    out.append(c)
                    at_start = c in "(|"
            else:
                out.append(re.escape(c))
        elif c == ".":
            out.append(".")
        else:
            out.append(re.escape(c))
    return "".join(out)


ERRORS = {"missing ), unterminated subpattern": "Unmatched ( or \\(",
          "unbalanced parenthesis": "Unmatched ) or \\)",
          "nothing to repeat": "Invalid preceding regular expression",
          "multiple repeat": "Invalid preceding regular expression",
          "invalid group reference": "Invalid back reference",
          "unterminated character set": "unterminated address regex"}


def compile_re(src: str, ere: bool, icase: bool, multiline: bool) -> re.Pattern[str]:
    flags = re.DOTALL | re.ASCII | (re.IGNORECASE if icase else 0) | (re.M if multiline else 0)
    try:
        return re.compile(translate(src, ere, multiline), flags)
    except re.error as e:
        msg = str(e.msg)
        raise SedError(next((v for k, v in ERRORS.items() if msg.startswith(k)),
                            "Invalid regular expression")) from None


# ---------------------------------------------------------------- the script

@dataclass
class Regex:
    """/RE/ or s's RE; pattern None: the last regular expression used."""

    pattern: re.Pattern[str] | None


@dataclass
class Addr:
    kind: str  # "line", "last", "re", "step", "plus", "mult", "zero"
    n: int = 0
    step: int = 0
    regex: Regex | None = None


@dataclass
class Cmd:
    name: str
    a1: Addr | None = None
    a2: Addr | None = None
    negate: bool = False
    text: str = ""  # a i c text, label, file name
    target: int = -1  # b t T: the command index; {: the index after its }
    regex: Regex | None = None
    repl: list[str | int] = field(default_factory=list)  # literal pieces, group numbers
    gflag: bool = False
    nth: int = 1
    pflag: int = 0
    wfile: str = ""
    status: int = 0
    ymap: dict[int, int] = field(default_factory=dict)
    active: bool = False  # a range between its two addresses
    end: int = 0  # plus/mult: the last line of the range


class Script:
    """Reads the joined -e/-f pieces and compiles them; knows where each piece started."""

    def __init__(self, pieces: list[tuple[str, str]], ere: bool) -> None:
        self.pieces = pieces  # (text, "-e expression #N" or "file F")
        self.ere = ere
        self.text = "\n".join(p for p, _ in pieces)
        self.pos = 0
        self.cmds: list[Cmd] = []

    def where(self) -> str:
        start = 0
        for k, (text, label) in enumerate(self.pieces):
            end = start + len(text)
            if self.pos <= end + 1 or k == len(self.pieces) - 1:
                if label.startswith("file "):
                    line = self.text.count("\n", start, max(start, self.pos - 1)) + 1
                    return f"{label} line {line}"
                return f"{label}, char {min(self.pos, end + 1) - start}"
            start = end + 1
        return "-e expression #1, char 0"

    def fail(self, message: str) -> SedError:
        return SedError(f"{self.where()}: {message}")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def get(self) -> str:
        c = self.peek()
        self.pos += 1
        return c

    def blanks(self) -> None:
        while self.peek() in (" ", "\t") and self.peek():
            self.pos += 1

    def number(self) -> int:
        start = self.pos
        while self.peek().isdigit() and self.peek():
            self.pos += 1
        return int(self.text[start:self.pos])

    def regex(self, delim: str) -> str:
        """The text up to an unescaped `delim` (\\delim is the character itself)."""
        out: list[str] = []
        while True:
            c = self.get()
            if c == "" or (c == "\n" and delim != "\n"):
                raise self.fail("unterminated address regex")
            if c == delim:
                return "".join(out)
            if c == "\\":
                d = self.get()
                if d == "":
                    raise self.fail("unterminated address regex")
                if d == delim:
                    out.append("\\" + d if d in ".*[]^$" else d)
                elif d == "\n":
                    out.append("\\n")
                else:
                    out.append("\\" + d)
            else:
                out.append(c)

    def make_regex(self, src: str, icase: bool, multiline: bool) -> Regex:
        if src == "":
            return Regex(None)
        try:
            return Regex(compile_re(src, self.ere, icase, multiline))
        except SedError as e:
            raise self.fail(str(e)) from None

    def address(self) -> Addr | None:
        c = self.peek()
        if c.isdigit() and c:
            n = self.number()
            if self.peek() == "~":
                self.pos += 1
                step = self.number() if self.peek().isdigit() and self.peek() else 0
                return Addr("step", n, step)
            return Addr("line", n)
        if c == "$":
            self.pos += 1
            return Addr("last")
        if c in ("/", "\\"):
            self.pos += 1
            delim = "/" if c == "/" else self.get()
            src = self.regex(delim)
            icase = multiline = False
            while self.peek() in ("I", "M") and self.peek():
                icase |= self.get() == "I"
                multiline |= self.text[self.pos - 1] == "M"
            return Addr("re", regex=self.make_regex(src, icase, multiline))
        return None

    def label(self) -> str:
        self.blanks()
        start = self.pos
        while self.peek() not in ("", "\n", ";"):
            self.pos += 1
        return self.text[start:self.pos].rstrip()

    def filename(self) -> str:
        self.blanks()
        start = self.pos
        while self.peek() not in ("", "\n"):
            self.pos += 1
        return self.text[start:self.pos]

    def end_of_command(self) -> None:
        self.blanks()
        c = self.peek()
        if c in ("", "\n", ";"):
            if c:
                self.pos += 1
        elif c in ("}", "#"):
            pass
        else:
            self.pos += 1
            raise self.fail("extra characters after command")

    def append_text(self, name: str) -> str:
        """a, i, c: 'a\\' NEWLINE text, or GNU's 'a text'; backslash-newline continues."""
        self.blanks()
        if self.peek() == "\\":
            self.pos += 1
            if self.peek() == "\n":
                self.pos += 1
        elif self.peek() in ("", "\n"):
            raise self.fail("expected \\ after `a', `c' or `i'")
        out: list[str] = []
        while True:
            c = self.get()
            if c in ("", "\n"):
                break
            if c == "\\":
                d = self.get()
                if d == "":
                    break
                out.append(d)
            else:
                out.append(c)
        return "".join(out) + "\n"

    def substitute(self, cmd: Cmd) -> None:
        delim = self.get()
        if delim in ("", "\n", "\\"):
            raise self.fail("unterminated `s' command")
        try:
            src = self.regex(delim)
        except SedError:
            raise self.fail("unterminated `s' command") from None
        pieces: list[str | int] = []
        lit: list[str] = []
        while True:
            c = self.get()
            if c == "":
                raise self.fail("unterminated `s' command")
            if c == delim:
                break
            if c == "\\":
                d = self.get()
                if d == "":
                    raise self.fail("unterminated `s' command")
                if d.isdigit():
                    if lit:
                        pieces.append("".join(lit))
                        lit = []
                    pieces.append(int(d))
                elif d in "LUluE":
                    if lit:
                        pieces.append("".join(lit))
                        lit = []
                    pieces.append(-"LUluE".index(d) - 1)
                else:
                    lit.append({"n": "\n", "t": "\t", "\n": "\n"}.get(d, d))
            elif c == "&":
                if lit:
                    pieces.append("".join(lit))
                    lit = []
                pieces.append(0)
            else:
                lit.append(c)
        if lit:
            pieces.append("".join(lit))
        icase = multiline = False
        while True:
            c = self.peek()
            if c == "g":
                cmd.gflag = True
            elif c == "p":
                cmd.pflag += 1
            elif c in ("i", "I"):
                icase = True
            elif c in ("m", "M"):
                multiline = True
            elif c.isdigit() and c:
                n = self.number()
                if n == 0:
                    raise self.fail("number option to `s' command may not be zero")
                cmd.nth = n
                continue
            elif c == "w":
                self.pos += 1
                cmd.wfile = self.filename()
                if not cmd.wfile:
                    raise self.fail("missing filename in r/R/w/W commands")
                break
            elif c in ("", "\n", ";", " ", "\t", "}", "#"):
                break
            else:
                self.pos += 1
                raise self.fail("unknown option to `s'")
            self.pos += 1
        cmd.regex = self.make_regex(src, icase, multiline)
        if cmd.regex.pattern is not None:
            groups = cmd.regex.pattern.groups
            for p in pieces:
                if isinstance(p, int) and p > groups:
                    raise self.fail(f"invalid reference \\{p} on `s' command's RHS")
        cmd.repl = pieces

    def transliterate(self, cmd: Cmd) -> None:
        delim = self.get()
        if delim in ("", "\n", "\\"):
            raise self.fail("unterminated `y' command")
        sides: list[str] = []
        for _ in range(2):
            out: list[str] = []
            while True:
                c = self.get()
                if c == "":
                    raise self.fail("unterminated `y' command")
                if c == delim:
                    break
                if c == "\\":
                    d = self.get()
                    if d == delim or d == "\\":
                        out.append(d)
                    elif d == "n":
                        out.append("\n")
                    elif d == "t":
                        out.append("\t")
                    else:
                        raise self.fail("unknown command: `\\'" if d == "" else
                                        "strings for `y' command are different lengths")
                else:
                    out.append(c)
            sides.append("".join(out))
        if len(sides[0]) != len(sides[1]):
            raise self.fail("strings for `y' command are different lengths")
        cmd.ymap = {ord(a): ord(b) for a, b in zip(*sides, strict=True)}

    def compile(self) -> list[Cmd]:
        blocks: list[tuple[int, int]] = []  # ({ index, its position) for "unmatched {"
        while True:
            while self.peek() in (" ", "\t", "\n", ";") and self.peek():
                self.pos += 1
            if self.peek() == "":
                break
            if self.peek() == "#":
                while self.peek() not in ("", "\n"):
                    self.pos += 1
                continue
            cmd = Cmd("")
            cmd.a1 = self.address()
            if cmd.a1 is not None:
                if self.peek() == ",":
                    self.pos += 1
                    self.blanks()
                    c = self.peek()
                    if c in ("+", "~"):
                        self.pos += 1
                        if not (self.peek().isdigit() and self.peek()):
                            raise self.fail("expected newer version of sed")
                        cmd.a2 = Addr("plus" if c == "+" else "mult", self.number())
                    else:
                        cmd.a2 = self.address()
                        if cmd.a2 is None:
                            raise self.fail("unexpected `,'")
                        if cmd.a2.kind == "step":
                            cmd.a2 = Addr("line", cmd.a2.n)
                if cmd.a1.kind == "line" and cmd.a1.n == 0:
                    if cmd.a2 is None or cmd.a2.kind != "re":
                        raise self.fail("invalid usage of line address 0")
                    cmd.a1 = Addr("zero")
            self.blanks()
            while self.peek() == "!":
                self.pos += 1
                cmd.negate = True
                self.blanks()
            name = self.get()
            cmd.name = name
            if name == "":
                raise self.fail("missing command")
            if name in ":}" and cmd.a1 is not None:
                raise self.fail(": doesn't want any addresses" if name == ":"
                                else "unexpected `}'")
            if name in "qQ" and cmd.a2 is not None:
                raise self.fail("command only uses one address")
            if name == "{":
                blocks.append((len(self.cmds), self.pos))
                self.cmds.append(cmd)
                continue
            if name == "}":
                if not blocks:
                    raise self.fail("unexpected `}'")
                self.cmds[blocks.pop()[0]].target = len(self.cmds) + 1
                self.cmds.append(cmd)
                self.end_of_command()
                continue
            if name in "aic":
                cmd.text = self.append_text(name)
            elif name == ":":
                cmd.text = self.label()
                if not cmd.text:
                    raise self.fail("\":\" lacks a label")
                if self.peek() == ";":
                    self.pos += 1
            elif name in "btT":
                cmd.text = self.label()
                self.end_of_command()
            elif name in "rRwW":
                cmd.text = self.filename()
                if not cmd.text:
                    raise self.fail("missing filename in r/R/w/W commands")
            elif name == "s":
                self.substitute(cmd)
                self.end_of_command()
            elif name == "y":
                self.transliterate(cmd)
                self.end_of_command()
            elif name in "qQlL":
                self.blanks()
                if self.peek().isdigit() and self.peek():
                    cmd.status = self.number()
                self.end_of_command()
            elif name in "=dDgGhHnNpPxzF":
                self.end_of_command()
            else:
                raise self.fail(f"unknown command: `{name}'")
            self.cmds.append(cmd)
        if blocks:
            self.pos = 0
            raise SedError(f"{self.pieces[0][1]}, char 0: unmatched `{{'"
                           if not self.pieces[0][1].startswith("file ")
                           else f"{self.pieces[-1][1]} line 1: unmatched `{{'")
        labels = {c.text: i for i, c in enumerate(self.cmds) if c.name == ":"}
        for jump in self.cmds:
            if jump.name in "btT":
                if jump.text and jump.text not in labels:
                    raise Panic(f"can't find label for jump to `{jump.text}'")
                jump.target = labels[jump.text] if jump.text else len(self.cmds)
        return self.cmds


# ---------------------------------------------------------------- input and output

class Input:
    """The input lines, one ahead so that `$` is known; across files unless `separate`."""

    def __init__(self, names: list[str], sep: bytes, separate: bool, in_place: bool) -> None:
        self.names = names
        self.sep = sep
        self.separate = separate or in_place
        self.in_place = in_place
        self.status = 0
        self.files: Iterator[tuple[str, BinaryIO | None]] = self.open_all()
        self.current: tuple[str, BinaryIO | None] | None = None
        self.lines: Iterator[tuple[bytes, bool]] = iter(())
        self.ahead: tuple[bytes, bool] | None = None
        self.lineno = 0
        self.name = "-"
        self.last_newline = True
        self.new_file = False

    def open_all(self) -> Iterator[tuple[str, BinaryIO | None]]:
        for name in self.names:
            if name == "-" and not self.in_place:
                yield name, sys.stdin.buffer
                continue
            try:
                if os.path.isdir(name):
                    if self.in_place:
                        sys.stderr.write(f"{PROG}: couldn't edit {name}: not a regular file\n")
                        self.status = 4
                        continue
                    raise Panic(f"read error on {name}: Is a directory")
                f = open(name, "rb")  # noqa: SIM115  (closed when its lines are read)
            except OSError as e:
                sys.stderr.write(f"{PROG}: can't read {name}: {strerror(e)}\n")
                self.status = 2
                continue
            yield name, f

    def split(self, f: BinaryIO) -> Iterator[tuple[bytes, bool]]:
        try:
            if self.sep == b"\n":
                for raw in f:
                    if raw.endswith(b"\n"):
                        yield raw[:-1], True
                    else:
                        yield raw, False
                return
            parts = f.read().split(self.sep)
            last = parts.pop()
            for p in parts:
                yield p, True
            if last:
                yield last, False
        except OSError as e:
            raise Panic(f"read error on {self.current[0] if self.current else '-'}: "
                        f"{strerror(e)}") from None
        finally:
            if f is not sys.stdin.buffer:
                f.close()

    def fill(self, same_file: bool) -> tuple[bytes, bool] | None:
        """The next line (of this file only when `same_file`), opening files as needed."""
        while True:
            line = next(self.lines, None)
            if line is not None:
                return line
            if same_file:
                return None
            nxt = next(self.files, None)
            if nxt is None:
                return None
            self.current = nxt
            assert nxt[1] is not None
            self.lines = self.split(nxt[1])
            self.new_file = True

    def start(self) -> None:
        self.ahead = self.fill(False)

    def next_file(self) -> bool:
        """-s/-i: go on to the next file with lines; False at the end of all."""
        self.new_file = False
        self.ahead = self.fill(False)
        return self.ahead is not None

    def read(self) -> str | None:
        if self.ahead is None:
            return None
        line, newline = self.ahead
        self.name = self.current[0] if self.current else "-"
        self.lineno += 1
        self.last_newline = newline
        self.new_file = False
        self.ahead = self.fill(self.separate)
        return line.decode(ENC)

    def is_last(self) -> bool:
        return self.ahead is None


class Output:
    """stdout, or an -i file's replacement; `w` files by name (opened once, truncated)."""

    def __init__(self, unbuffered: bool) -> None:
        self.out: BinaryIO = sys.stdout.buffer
        self.files: dict[str, BinaryIO] = {}
        self.unbuffered = unbuffered
        self.missing: set[int] = set()  # files whose last line went out without its newline

    def write(self, text: str, f: BinaryIO | None = None, newline: bool = True) -> None:
        """Text to `f` (stdout); a last line's missing newline is added when more follows."""
        f = f or self.out
        if id(f) in self.missing:
            f.write(b"\n")
            self.missing.discard(id(f))
        f.write(text.encode(ENC))
        if not newline:
            self.missing.add(id(f))
        if self.unbuffered:
            f.flush()

    def wfile(self, name: str) -> BinaryIO:
        if name == "/dev/stdout":
            return self.out
        if name not in self.files:
            try:
                self.files[name] = open(name, "wb")  # noqa: SIM115  (closed at the end)
            except OSError as e:
                raise Panic(f"couldn't open file {name}: {strerror(e)}") from None
        return self.files[name]


# ---------------------------------------------------------------- running

def case(text: str, mode: int) -> str:
    return text.lower() if mode == -1 else text.upper() if mode == -2 else text


def expand(pieces: list[str | int], m: re.Match[str]) -> str:
    """The replacement for one match: literals, groups and GNU's \\L \\U \\l \\u \\E."""
    out: list[str] = []
    mode = 0  # -1 lower, -2 upper
    once = 0  # -3 lower the next char, -4 upper it
    for p in pieces:
        if isinstance(p, int) and p < 0:
            if p in (-3, -4):
                once = p
            else:
                mode = 0 if p == -5 else p
                once = 0
            continue
        s = p if isinstance(p, str) else (m.group(p) or "")
        s = case(s, mode)
        if once and s:
            s = (s[0].lower() if once == -3 else s[0].upper()) + s[1:]
            once = 0
        out.append(s)
    return "".join(out)


def visible(text: str, width: int) -> str:
    """`l`: the pattern space unambiguously, wrapped at `width` with a backslash, then $."""
    escapes = {"\\": "\\\\", "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
               "\t": "\\t", "\v": "\\v"}
    out, col = [], 0
    for ch in text:
        piece = escapes.get(ch) or (ch if " " <= ch <= "~" else f"\\{ord(ch):03o}")
        if width > 1 and col + len(piece) > width - 1:
            out.append("\\\n")
            col = 0
        out.append(piece)
        col += len(piece)
    return "".join(out) + "$\n"


class Sed:
    def __init__(self, cmds: list[Cmd], quiet: bool, inp: Input, out: Output,
                 width: int, sep: str) -> None:
        self.cmds, self.quiet, self.inp, self.out = cmds, quiet, inp, out
        self.width, self.sep = width, sep
        self.hold = ""
        self.last_re: re.Pattern[str] | None = None
        self.append: list[tuple[str, str]] = []  # ("text", s) or ("file", name)
        self.ps = ""

    def pattern(self, r: Regex) -> re.Pattern[str]:
        if r.pattern is not None:
            self.last_re = r.pattern
            return r.pattern
        if self.last_re is None:
            raise SedError("no previous regular expression")
        return self.last_re

    def matches(self, a: Addr) -> bool:
        n = self.inp.lineno
        if a.kind == "line":
            return n == a.n
        if a.kind == "last":
            return self.inp.is_last()
        if a.kind == "step":
            return n == a.n if a.step <= 0 else n >= a.n and (n - a.n) % a.step == 0
        if a.kind == "re":
            assert a.regex is not None
            return self.pattern(a.regex).search(self.ps) is not None
        return False

    def selected(self, c: Cmd) -> bool:
        if c.a1 is None:
            return True
        if c.a2 is None:
            return self.matches(c.a1)
        n = self.inp.lineno
        if not c.active:
            if c.a1.kind == "zero":
                if n != 1:
                    return False
                c.active = True
            elif not self.matches(c.a1):
                return False
            a2 = c.a2
            if a2.kind == "line":
                c.active = a2.n > n
            elif a2.kind == "plus":
                c.end = n + a2.n
                c.active = a2.n > 0
            elif a2.kind == "mult":
                c.end = n if a2.n <= 0 else -(-n // a2.n) * a2.n
                c.active = c.end > n
            elif a2.kind == "last":
                c.active = not self.inp.is_last()
            else:
                c.active = True
                if c.a1.kind == "zero":
                    c.active = not self.matches(a2)
            return True
        a2 = c.a2
        if a2.kind == "line":
            if n >= a2.n:
                c.active = False
            if n > a2.n:  # the end line went by (a line number below the start): not this one
                return self.selected(c)
        elif a2.kind in ("plus", "mult"):
            if n >= c.end:
                c.active = False
        elif a2.kind == "last":
            c.active = not self.inp.is_last()
        elif self.matches(a2):
            c.active = False
        return True

    def flush_append(self) -> None:
        for kind, value in self.append:
            if kind == "text":
                self.out.write(value)
            else:
                try:
                    with open(value, "rb") as f:
                        data = f.read()
                    if data:
                        self.out.write(data.decode(ENC), newline=data.endswith(b"\n"))
                except OSError:
                    pass
        self.append = []

    def emit(self, text: str, newline: bool = True) -> None:
        self.out.write(text + (self.sep if newline else ""), newline=newline)

    def end_cycle(self, autoprint: bool = True) -> None:
        if autoprint and not self.quiet:
            self.emit(self.ps, self.inp.last_newline or not self.inp.is_last())
        self.flush_append()

    def substitute(self, c: Cmd) -> bool:
        assert c.regex is not None
        pat = self.pattern(c.regex)
        ps = self.ps
        out: list[str] = []
        pos = count = 0
        done = False
        prev_end = -1
        while pos <= len(ps):
            m = pat.search(ps, pos)
            if m is None:
                break
            if m.start() == m.end() and m.start() == prev_end:
                # an empty match right after the last one: not a match (as GNU)
                if m.start() >= len(ps):
                    break
                out.append(ps[m.start()])
                pos = m.start() + 1
                continue
            count += 1
            if count >= c.nth:
                out.append(ps[pos:m.start()])
                out.append(expand(c.repl, m))
                done = True
            else:
                out.append(ps[pos:m.end()])
            prev_end = m.end()
            if m.end() == m.start():
                if m.start() < len(ps):
                    out.append(ps[m.start()])
                pos = m.end() + 1
            else:
                pos = m.end()
            if done and not c.gflag:
                break
        if not done:
            return False
        out.append(ps[pos:])
        self.ps = "".join(out)
        for _ in range(c.pflag):
            self.emit(self.ps)
        if c.wfile:
            self.out.write(self.ps + "\n", self.out.wfile(c.wfile))
        return True

    def next_line(self) -> bool:
        line = self.inp.read()
        if line is None:
            return False
        self.ps = line
        return True

    def cycle(self) -> bool:
        """One cycle on the line just read; False when sed is to stop (q, n/N at the end)."""
        cmds = self.cmds
        flagged = False
        restart = True
        while restart:
            restart = False
            i = 0
            while i < len(cmds):
                c = cmds[i]
                sel = self.selected(c) if c.name not in ":}" else True
                if c.negate:
                    sel = not sel
                if not sel:
                    i = c.target if c.name == "{" else i + 1
                    continue
                i += 1
                name = c.name
                if name in "{}:":
                    continue
                if name == "s":
                    flagged |= self.substitute(c)
                elif name == "p":
                    self.emit(self.ps)
                elif name == "d":
                    self.flush_append()
                    return True
                elif name == "D":
                    if "\n" not in self.ps:
                        self.flush_append()
                        return True
                    self.ps = self.ps.split("\n", 1)[1]
                    self.flush_append()
                    restart = True
                    break
                elif name == "q":
                    raise Quit(c.status, True)
                elif name == "Q":
                    raise Quit(c.status, False)
                elif name == "=":
                    self.out.write(f"{self.inp.lineno}\n")
                elif name == "a":
                    self.append.append(("text", c.text))
                elif name == "i":
                    self.out.write(c.text)
                elif name == "c":
                    if c.a2 is None or c.negate or not c.active:
                        self.out.write(c.text)
                    self.flush_append()
                    return True
                elif name == "y":
                    self.ps = self.ps.translate(c.ymap)
                elif name == "h":
                    self.hold = self.ps
                elif name == "H":
                    self.hold += "\n" + self.ps
                elif name == "g":
                    self.ps = self.hold
                elif name == "G":
                    self.ps += "\n" + self.hold
                elif name == "x":
                    self.ps, self.hold = self.hold, self.ps
                elif name == "z":
                    self.ps = ""
                elif name == "F":
                    self.out.write(f"{self.inp.name}\n")
                elif name == "l":
                    self.out.write(visible(self.ps, c.status or self.width))
                elif name == "P":
                    self.emit(self.ps.split("\n", 1)[0])
                elif name == "n":
                    if self.inp.is_last():
                        if not self.quiet:
                            self.emit(self.ps, self.inp.last_newline)
                        self.flush_append()
                        return False
                    self.end_cycle()
                    self.next_line()
                elif name == "N":
                    if self.inp.is_last():
                        self.end_cycle()
                        return False
                    self.flush_append()
                    prev = self.ps
                    self.next_line()
                    self.ps = prev + "\n" + self.ps
                elif name in "bt T".replace(" ", ""):
                    if name == "b" or (name == "t") == flagged:
                        flagged = False if name != "b" else flagged
                        i = c.target
                elif name == "r":
                    self.append.append(("file", c.text))
                elif name == "R":
                    pass
                elif name in "wW":
                    text = self.ps if name == "w" else self.ps.split("\n", 1)[0]
                    self.out.write(text + "\n", self.out.wfile(c.text))
        self.end_cycle()
        return True

    def run(self) -> int:
        self.inp.start()
        try:
            while True:
                if self.inp.ahead is None and not (self.inp.separate and self.inp.next_file()):
                    break
                if self.inp.new_file and self.inp.separate:
                    self.begin_file()
                if not self.next_line():
                    break
                if not self.cycle():
                    break
                if self.inp.is_last() and self.inp.separate:
                    self.end_file()
        except Quit as q:
            if q.autoprint:
                self.end_cycle()
            else:
                self.flush_append()
            self.end_file()
            return q.status
        return 0

    # -s and -i: each file starts afresh (line numbers, ranges); -i writes a new copy
    def begin_file(self) -> None:
        self.inp.lineno = 0
        for c in self.cmds:
            c.active = False
        if self.inp.in_place and self.inp.current is not None:
            name = self.inp.current[0]
            d = os.path.dirname(name) or "."
            fd, tmp = tempfile.mkstemp(prefix="sed", dir=d)
            self.out.out = os.fdopen(fd, "wb")
            self.tmp = (tmp, name)

    def end_file(self) -> None:
        if self.inp.in_place and self.tmp is not None:
            tmp, name = self.tmp
            self.out.missing.discard(id(self.out.out))
            self.out.out.close()
            st = os.stat(name)
            os.chmod(tmp, st.st_mode & 0o7777)
            if self.suffix:
                base = os.path.basename(name)
                backup = (self.suffix.replace("*", base) if "*" in self.suffix
                          else base + self.suffix)
                os.rename(name, os.path.join(os.path.dirname(name), backup))
            os.rename(tmp, name)
            self.tmp = None
            self.out.out = sys.stdout.buffer

    suffix = ""
    tmp: tuple[str, str] | None = None


# ---------------------------------------------------------------- the command line

LONG = {"quiet": "n", "silent": "n", "expression": "e", "file": "f", "in-place": "i",
        "line-length": "l", "regexp-extended": "E", "separate": "s", "unbuffered": "u",
        "null-data": "z", "posix": "posix", "help": "help", "debug": "debug",
        "sandbox": "sandbox", "follow-symlinks": "follow"}


def parse(argv: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """(option, value) pairs and operands, as GNU getopt_long does for sed."""
    opts: list[tuple[str, str]] = []
    operands: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        i += 1
        if a == "--":
            operands += argv[i:]
            break
        if a.startswith("--"):
            name, eq, value = a[2:].partition("=")
            found = [k for k in LONG if k.startswith(name)]
            if name in LONG:
                found = [name]
            if not found:
                raise OptionError(f"unrecognized option '{a}'")
            if len({LONG[k] for k in found}) > 1:
                raise OptionError(f"option '{a}' is ambiguous")
            key = LONG[found[0]]
            if key in ("e", "f", "l"):
                if not eq:
                    if i >= len(argv):
                        raise OptionError(f"option '--{found[0]}' requires an argument")
                    value = argv[i]
                    i += 1
            elif key != "i" and eq:
                raise OptionError(f"option '--{found[0]}' doesn't allow an argument")
            opts.append((key, value))
            continue
        if not a.startswith("-") or a == "-":
            operands.append(a)
            continue
        j = 1
        while j < len(a):
            o = a[j]
            j += 1
            if o in "efl":
                if j < len(a):
                    value = a[j:]
                elif i < len(argv):
                    value = argv[i]
                    i += 1
                else:
                    raise OptionError(f"option requires an argument -- '{o}'")
                opts.append((o, value))
                break
            if o == "i":
                opts.append(("i", a[j:]))
                break
            if o in "nrEsuz":
                opts.append(("E" if o == "r" else o, ""))
                continue
            raise OptionError(f"invalid option -- '{o}'")
    return opts, operands


class OptionError(Exception):
    pass


def command(argv: list[str]) -> int:
    opts, operands = parse(argv)
    pieces: list[tuple[str, str]] = []
    quiet = ere = separate = unbuffered = False
    in_place: str | None = None
    width = 70
    sep = "\n"
    for o, v in opts:
        if o == "help":
            sys.stdout.write(HELP)
            return 0
        if o == "n":
            quiet = True
        elif o == "e":
            pieces.append((v, f"-e expression #{len(pieces) + 1}"))
        elif o == "f":
            try:
                if v == "-":
                    text = sys.stdin.read()
                else:
                    with open(v, encoding=ENC) as f:
                        text = f.read()
            except OSError as e:
                sys.stderr.write(f"{PROG}: couldn't open file {v}: {strerror(e)}\n")
                return 4
            if text.endswith("\n"):
                text = text[:-1]
            if text.startswith("#n\n") or text == "#n":
                quiet = True
            pieces.append((text, f"file {v}"))
        elif o == "E":
            ere = True
        elif o == "s":
            separate = True
        elif o == "u":
            unbuffered = True
        elif o == "z":
            sep = "\0"
        elif o == "i":
            in_place = v
        elif o == "l":
            if not v.isdigit():
                sys.stderr.write(f"{PROG}: invalid line length: {v}\n")
                return 1
            width = int(v)
    if not pieces:
        if not operands:
            sys.stderr.write(HELP)
            return 1
        pieces.append((operands.pop(0), "-e expression #1"))
    cmds = Script(pieces, ere).compile()
    if in_place is not None and not operands:
        sys.stderr.write(f"{PROG}: no input files\n")
        return 1
    inp = Input(operands or ["-"], sep.encode(), separate, in_place is not None)
    out = Output(unbuffered)
    sed = Sed(cmds, quiet, inp, out, width, sep)
    sed.suffix = in_place or ""
    try:
        status = sed.run()
    finally:
        try:
            out.out.flush()
        finally:
            for w in out.files.values():
                w.close()
    return status or inp.status


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except OptionError as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        sys.stderr.write(HELP)
        return 1
    except SedError as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 1
    except Panic as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 4
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
