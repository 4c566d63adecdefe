"""find: search for files in a directory hierarchy, as GNU find does.

Tests -name -iname -path -ipath -wholename -type -newer -size -mtime -mmin -empty -true
-false; actions -print -print0 -exec CMD {} ; and + -delete -prune -quit; operators ( ) ! -not
-a -and -o -or ,; options -maxdepth -mindepth -depth and -P/-L/-H. With no action the whole
expression is followed by -print. Directories are read in their own order (as GNU's fts).
Exit status 1 when a file could not be read or an -exec failed, else 0.
"""

import fnmatch
import os
import stat
import subprocess
import sys
import time
from collections.abc import Callable

from pith.lib.gnu import broken_pipe, strerror

PROG = "find"
HELP = """Usage: find [-H] [-L] [-P] [path...] [expression]

default path is the current directory; default expression is -print
expression may consist of: operators, options, tests, and actions:

operators (decreasing precedence; -and is implicit where no others are given):
      ( EXPR )   ! EXPR   -not EXPR   EXPR1 -a EXPR2   EXPR1 -and EXPR2
      EXPR1 -o EXPR2   EXPR1 -or EXPR2   EXPR1 , EXPR2

normal options (always true, specified before other expressions):
      -depth -maxdepth LEVELS -mindepth LEVELS

tests (N can be +N or -N or N):
      -empty -false -iname PATTERN -ipath PATTERN -mmin N -mtime N -name PATTERN
      -newer FILE -path PATTERN -size N[bcwkMG] -true -type [bcdpflsD]
      -wholename PATTERN

actions: -delete -print0 -print -prune -quit
      -exec COMMAND ; -exec COMMAND {} +
"""
NOW = time.time()


class FindError(Exception):
    """A bad expression: find's message, exit status 1."""


class Quit(Exception):
    """-quit: stop at once (pending -exec + batches still run)."""


class Entry:
    """One file met on the walk: its path as printed, depth, and lstat (or stat with -L)."""

    def __init__(self, path: str, depth: int, st: os.stat_result) -> None:
        self.path, self.depth, self.st = path, depth, st
        self.prune = False


Test = Callable[[Entry], bool]


class State:
    def __init__(self) -> None:
        self.status = 0
        self.depth_first = False
        self.maxdepth: int | None = None
        self.mindepth = 0
        self.follow = False
        self.batches: list[tuple[list[str], list[str]]] = []


def warn(message: str, state: State) -> None:
    sys.stdout.flush()
    sys.stderr.write(f"{PROG}: {message}\n")
    state.status = 1


def number_test(text: str, primary: str) -> Callable[[int], bool]:
    sign = text[:1] if text[:1] in "+-" else ""
    digits = text[len(sign):]
    if not digits.isdigit():
        raise FindError(f"invalid argument `{text}' to `{primary}'")
    n = int(digits)
    if sign == "+":
        return lambda v: v > n
    if sign == "-":
        return lambda v: v < n
    return lambda v: v == n


SIZE_UNITS = {"c": 1, "w": 2, "b": 512, "k": 1024, "M": 1 << 20, "G": 1 << 30}
TYPES = {"f": stat.S_ISREG, "d": stat.S_ISDIR, "l": stat.S_ISLNK, "b": stat.S_ISBLK,
         "c": stat.S_ISCHR, "p": stat.S_ISFIFO, "s": stat.S_ISSOCK}


def run_command(argv: list[str], state: State) -> bool:
    sys.stdout.flush()
    try:
        return subprocess.run(argv).returncode == 0
    except OSError as e:
        sys.stderr.write(f"{PROG}: '{argv[0]}': {strerror(e)}\n")  # (GNU's status stays 0)
        return False


class Parser:
    """The expression as a tree of closures; records whether it has an action."""

    def __init__(self, args: list[str], state: State) -> None:
        self.args, self.i, self.state = args, 0, state
        self.has_action = False

    def peek(self) -> str | None:
        return self.args[self.i] if self.i < len(self.args) else None

    def take(self, primary: str) -> str:
        if self.i >= len(self.args):
            raise FindError(f"missing argument to `{primary}'")
        self.i += 1
        return self.args[self.i - 1]

    def parse(self) -> Test:
        if self.peek() is None:
            return lambda e: True
        test = self.comma()
        if self.peek() is not None:
            token = self.peek()
            if token == ")":
                raise FindError("invalid expression; you have too many ')'")
            raise FindError(f"paths must precede expression: `{token}'")
        return test

    def comma(self) -> Test:
        left = self.disjunction()
        while self.peek() == ",":
            self.i += 1
            right = self.disjunction()
            left = (lambda a, b: lambda e: (a(e), b(e))[1])(left, right)
        return left

    def disjunction(self) -> Test:
        left = self.conjunction()
        while self.peek() in ("-o", "-or"):
            op = self.args[self.i]
            self.i += 1
            if self.peek() in (None, ")", ",", "-o", "-or", "-a", "-and"):
                raise FindError(f"invalid expression; you have used a binary operator '{op}'"
                                " with nothing after it.")
            right = self.conjunction()
            left = (lambda a, b: lambda e: a(e) or b(e))(left, right)
        return left

    def conjunction(self) -> Test:
        left = self.unary()
        while self.peek() not in (None, ")", ",", "-o", "-or"):
            if self.peek() in ("-a", "-and"):
                op = self.args[self.i]
                self.i += 1
                if self.peek() in (None, ")", ",", "-o", "-or", "-a", "-and"):
                    raise FindError("invalid expression; you have used a binary operator "
                                    f"'{op}' with nothing after it.")
            right = self.unary()
            left = (lambda a, b: lambda e: a(e) and b(e))(left, right)
        return left

    def unary(self) -> Test:
        token = self.peek()
        if token in ("!", "-not"):
            self.i += 1
            if self.peek() in (None, ")", "-o", "-or", "-a", "-and", ","):
                raise FindError(f"invalid expression; you have used a unary operator '{token}'"
                                " with nothing after it.")
            inner = self.unary()
            return lambda e: not inner(e)
        if token == "(":
            self.i += 1
            if self.peek() == ")":
                raise FindError("invalid expression; empty parentheses are not allowed.")
            inner = self.comma()
            if self.peek() != ")":
                raise FindError("invalid expression; I was expecting to find a ')' somewhere"
                                " but did not see one.")
            self.i += 1
            return inner
        if token == ")":
            raise FindError("invalid expression; you have too many ')'")
        self.i += 1
        return self.primary(str(token))

    def primary(self, p: str) -> Test:
        state = self.state
        if p in ("-name", "-iname"):
            pattern = self.take(p)
            fold = p == "-iname"

            def name(e: Entry) -> bool:
                base = os.path.basename(e.path.rstrip("/")) or "/"
                return (fnmatch.fnmatchcase(base.lower(), pattern.lower()) if fold
                        else fnmatch.fnmatchcase(base, pattern))
            return name
        if p in ("-path", "-wholename", "-ipath", "-iwholename"):
            pattern = self.take(p)
            if p.startswith("-i"):
                return lambda e: fnmatch.fnmatchcase(e.path.lower(), pattern.lower())
            return lambda e: fnmatch.fnmatchcase(e.path, pattern)
        if p == "-type":
            letters = self.take(p).split(",")
            for letter in letters:
                if letter not in TYPES:
                    raise FindError(f"Unknown argument to -type: {letter}")
            return lambda e: any(TYPES[k](e.st.st_mode) for k in letters)
        if p == "-newer":
            ref = self.take(p)
            try:
                when = (os.stat(ref) if state.follow else os.lstat(ref)).st_mtime
            except OSError as err:
                raise FindError(f"'{ref}': {strerror(err)}") from None
            return lambda e: e.st.st_mtime > when
        if p == "-size":
            text = self.take(p)
            unit = text[-1] if text and text[-1] in SIZE_UNITS else "b"
            digits = text[:-1] if text and text[-1] in SIZE_UNITS else text
            if not digits.lstrip("+-"):
                raise FindError(f"invalid -size type `{text[-1:]}'")
            check = number_test(digits, p)
            size = SIZE_UNITS[unit]
            return lambda e: check(-(-e.st.st_size // size))
        if p in ("-mtime", "-mmin"):
            check = number_test(self.take(p), p)
            span = 86400 if p == "-mtime" else 60
            return lambda e: check(int((NOW - e.st.st_mtime) // span))
        if p == "-empty":
            def empty(e: Entry) -> bool:
                if stat.S_ISDIR(e.st.st_mode):
                    try:
                        return not os.listdir(e.path)
                    except OSError:
                        return False
                return stat.S_ISREG(e.st.st_mode) and e.st.st_size == 0
            return empty
        if p in ("-true", "-false"):
            return lambda e: p == "-true"
        if p in ("-maxdepth", "-mindepth"):
            text = self.take(p)
            if not text.isdigit():
                raise FindError(f"Expected a positive decimal integer argument to {p}, "
                                f"but got `{text}'")
            if p == "-maxdepth":
                state.maxdepth = int(text)
            else:
                state.mindepth = int(text)
            return lambda e: True
        if p == "-depth":
            state.depth_first = True
            return lambda e: True
        if p in ("-print", "-print0"):
            self.has_action = True
            end = "\n" if p == "-print" else "\0"

            def show(e: Entry) -> bool:
                sys.stdout.buffer.write(os.fsencode(e.path) + end.encode())
                return True
            return show
        if p == "-prune":
            def prune(e: Entry) -> bool:
                e.prune = True
                return True
            return prune
        if p == "-quit":
            def stop(e: Entry) -> bool:
                raise Quit
            return stop
        if p == "-delete":
            self.has_action = True
            state.depth_first = True

            def delete(e: Entry) -> bool:
                if e.path == ".":
                    return True
                try:
                    if stat.S_ISDIR(e.st.st_mode):
                        os.rmdir(e.path)
                    else:
                        os.unlink(e.path)
                except OSError as err:
                    warn(f"cannot delete '{e.path}': {strerror(err)}", state)
                    return False
                return True
            return delete
        if p in ("-exec", "-ok"):
            return self.execute(p)
        raise FindError(f"unknown predicate `{p}'")

    def execute(self, p: str) -> Test:
        self.has_action = True
        state = self.state
        words: list[str] = []
        while True:
            word = self.peek()
            if word is None:
                raise FindError(f"missing argument to `{p}'")
            self.i += 1
            if word == ";":
                break
            if word == "+" and words and words[-1] == "{}":
                batch: tuple[list[str], list[str]] = (words[:-1], [])
                state.batches.append(batch)

                return self.gatherer(batch)
            words.append(word)
        if not words:
            raise FindError(f"missing argument to `{p}'")
        return lambda e: run_command([w.replace("{}", e.path) for w in words], state)


    def gatherer(self, batch: tuple[list[str], list[str]]) -> Test:
        state = self.state

        def gather(e: Entry) -> bool:
            batch[1].append(e.path)
            if len(batch[1]) >= 1000:
                flush(batch, state)
            return True
        return gather


def flush(batch: tuple[list[str], list[str]], state: State) -> None:
    if batch[1]:
        if not run_command(batch[0] + batch[1], state):
            state.status = 1
        batch[1].clear()


def walk(path: str, depth: int, test: Test, state: State) -> None:
    try:
        st = os.stat(path) if state.follow else os.lstat(path)
    except OSError as e:
        warn(f"'{path}': {strerror(e)}", state)
        return
    entry = Entry(path, depth, st)
    visible = depth >= state.mindepth
    if visible and not state.depth_first:
        test(entry)
    is_dir = stat.S_ISDIR(st.st_mode)
    if is_dir and not entry.prune and (state.maxdepth is None or depth < state.maxdepth):
        try:
            names = [d.name for d in os.scandir(path)]
        except OSError as e:
            warn(f"'{path}': {strerror(e)}", state)
            names = []
        for name in names:
            walk(path + name if path.endswith("/") else f"{path}/{name}", depth + 1, test,
                 state)
    if visible and state.depth_first:
        test(entry)


def command(argv: list[str]) -> int:
    state = State()
    i = 0
    while i < len(argv) and argv[i] in ("-P", "-L", "-H"):
        state.follow = argv[i] == "-L"
        i += 1
    paths = []
    while i < len(argv) and not ((argv[i].startswith("-") and argv[i] != "-")
                                 or argv[i] in ("(", "!")):
        paths.append(argv[i])
        i += 1
    if argv[i:i + 1] == ["--help"]:
        sys.stdout.write(HELP)
        return 0
    parser = Parser(argv[i:], state)
    test = parser.parse()
    if not parser.has_action:
        inner = test

        def test(e: Entry) -> bool:
            if inner(e):
                sys.stdout.buffer.write(os.fsencode(e.path) + b"\n")
            return True
    for path in paths or ["."]:
        if path == "":
            warn("'': No such file or directory", state)
            continue
        try:
            walk(path, 0, test, state)
        except Quit:
            break
    for batch in state.batches:
        flush(batch, state)
    sys.stdout.flush()
    return state.status


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except FindError as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 1
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
