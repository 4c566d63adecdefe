"""awk's command line: awk [-F fs] [-v var=value]... ['program' | -f progfile...] [file...]

Options end at the first operand or '--'. Messages and statuses as mawk's: a syntax error
is 'awk: line N: syntax error at or near X', a run-time error 'awk: run time error: ...',
both status 2, as a bad option or a missing program. Entry point: `main(argv)`.
"""

from __future__ import annotations

import re
import sys

from pith.awk.interp import AwkError, Interpreter
from pith.awk.lexer import AwkSyntaxError, unescape
from pith.awk.parser import parse
from pith.awk.streams import from_host, host
from pith.lib.gnu import broken_pipe, strerror

__all__ = ["main"]

PROG = "awk"
USAGE = "Usage: awk [-F value] [-v var=value] [--] 'program text' [file ...]\n" \
        "       awk [-F value] [-v var=value] [-f program-file] [--] [file ...]\n"
HELP = USAGE + """
POSIX awk: pattern-action programs over records and fields.
  -F value         sets the field separator, FS, to value
  -v var=value     assigns value to program variable var before BEGIN
  -f program-file  program text is read from the file (more than one may be given)
  --               ends the options
      --help       display this help and exit
      --version    output version information and exit
"""
VERSION = "awk (Pith) 1.0\n"
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z_0-9]*=", re.DOTALL)


class Usage(Exception):
    """A bad command line: the message (or the usage text), status 2."""


class Options:
    def __init__(self) -> None:
        self.fs: str | None = None
        self.assigns: list[tuple[str, str]] = []
        self.files: list[str] = []
        self.info = ""  # --help or --version's text


def option_value(argv: list[str], i: int, letter: str) -> tuple[str, int]:
    """-Xvalue or -X value: the value and the index after it."""
    if len(argv[i]) > 2:
        return argv[i][2:], i + 1
    if i + 1 >= len(argv):
        raise Usage(f"option requires an argument -- {letter}")
    return argv[i + 1], i + 2


def parse_options(argv: list[str]) -> tuple[Options, list[str]]:
    opts = Options()
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            return opts, argv[i + 1:]
        if arg in ("--help", "-W help", "--usage"):
            opts.info = HELP
            return opts, []
        if arg == "--version":
            opts.info = VERSION
            return opts, []
        if not arg.startswith("-") or arg == "-":
            return opts, argv[i:]
        letter = arg[1]
        if letter not in "FvfW":
            raise Usage(f"not an option: {arg}")
        value, i = option_value(argv, i, letter)
        if letter == "F":
            opts.fs = unescape(value)
        elif letter == "v":
            if not ASSIGNMENT.match(value):
                raise Usage(f"improper assignment: -v {value}")
            name, _, text = value.partition("=")
            opts.assigns.append((name, text))
        elif letter == "f":
            opts.files.append(value)
        elif value.startswith("v"):
            opts.info = VERSION
            return opts, []
        else:
            opts.info = HELP
            return opts, []
    return opts, []


def program_text(opts: Options, operands: list[str]) -> tuple[str, list[str]]:
    if not opts.files:
        if not operands:
            raise Usage(USAGE.rstrip("\n"))
        return operands[0], operands[1:]
    parts = []
    for name in opts.files:
        try:
            if name == "-" or name == "/dev/stdin":
                parts.append(sys.stdin.buffer.read().decode("latin-1"))
            else:
                with open(host(name), "rb") as f:
                    parts.append(f.read().decode("latin-1"))
        except OSError as e:
            raise Usage(f"couldn't open file {name} ({strerror(e)})") from None
    return "\n".join(parts), operands


def run(argv: list[str]) -> int:
    opts, operands = parse_options(argv)
    if opts.info:
        sys.stdout.write(opts.info)
        return 0
    text, files = program_text(opts, operands)
    program = parse(text)
    assigns = ([("FS", opts.fs)] if opts.fs is not None else []) + opts.assigns
    interp = Interpreter(program, [PROG, *files], [])
    for name, value in assigns:
        if name == "FS":
            interp.vars["FS"] = value
        else:
            interp.assign_text(name, value)
    try:
        return interp.run()
    except AwkError as e:
        sys.stdout.flush()
        where = (f"FILENAME=\"{interp.special_str('FILENAME')}\" "
                 f"FNR={interp.special_str('FNR')} NR={interp.special_str('NR')}")
        sys.stderr.write(f"{PROG}: run time error: {e}\n\t{where}\n")
        return 2


def main(argv: list[str]) -> int:
    """awk's whole run: its exit status."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 12000))
    try:
        return run([from_host(a) for a in argv])
    except Usage as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 2
    except AwkSyntaxError as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 2
    except AwkError as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 2
    except RecursionError:
        sys.stderr.write(f"{PROG}: program or function calls nested too deeply\n")
        return 2
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130
