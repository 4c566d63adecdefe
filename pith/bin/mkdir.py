"""mkdir: create directories (-p makes parents and accepts existing ones, -m MODE, -v)."""

import os
import sys

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "mkdir"
HELP = """Usage: mkdir [OPTION]... DIRECTORY...
Create the DIRECTORY(ies), if they do not already exist.

  -m, --mode=MODE   set file mode (as in chmod), not a=rwx - umask
  -p, --parents     no error if existing, make parent directories as needed,
                    with their file modes unaffected by any -m option.
  -v, --verbose     print a message for each created directory
      --help     display this help and exit
"""


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def parse_mode(text: str, base: int = 0o777) -> int:
    """An octal mode, or a symbolic one ([ugoa]*[-+=][rwxXst]*, comma separated) applied to base."""
    if text and all(c in "01234567" for c in text):
        return int(text, 8)
    mode = base
    for clause in text.split(","):
        who = ""
        while clause[:1] in tuple("ugoa") and clause:
            who, clause = who + clause[0], clause[1:]
        mask = 0o7777 if who in ("", "a") or "a" in who else sum(
            {"u": 0o4700, "g": 0o2070, "o": 0o1007}[w] for w in set(who))
        if not clause or clause[0] not in "+-=":
            raise ValueError(text)
        while clause:
            op, clause = clause[0], clause[1:]
            perms = ""
            while clause and clause[0] not in "+-=":
                perms, clause = perms + clause[0], clause[1:]
            bits = 0
            for p in perms:
                if p not in "rwxXst":
                    raise ValueError(text)
                bits |= {"r": 0o444, "w": 0o222, "x": 0o111, "X": 0o111, "s": 0o6000,
                         "t": 0o1000}[p]
            bits &= mask
            if op == "+":
                mode |= bits
            elif op == "-":
                mode &= ~bits
            else:
                mode = (mode & ~mask) | bits
    return mode

def make(path: str, mode: int | None, verbose: bool) -> None:
    os.mkdir(path, 0o777 if mode is None else mode)
    if mode is not None:
        try:
            os.chmod(path, mode)
        except OSError as e:
            if e.errno != getattr(os, "ENOSYS", 38):
                raise
    if verbose:
        sys.stdout.write(f"{PROG}: created directory '{path}'\n")


def make_parents(path: str, mode: int | None, verbose: bool) -> None:
    parts = path.split("/")
    for i in range(1, len(parts)):
        prefix = "/".join(parts[:i])
        if prefix and parts[i - 1] not in ("", ".", "..") and not os.path.isdir(prefix):
            make(prefix, None, verbose)
    if not os.path.isdir(path):
        make(path, mode, verbose)


def command(argv: list[str]) -> int:
    opts, args = options(argv, "m:pvZ", ["mode=", "parents", "verbose", "help"])
    mode, parents, verbose = None, False, False
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in ("-m", "--mode"):
            try:
                mode = parse_mode(v)
            except ValueError:
                raise UsageError(f"invalid mode '{v}'") from None
        parents = parents or o in ("-p", "--parents")
        verbose = verbose or o in ("-v", "--verbose")
    if not args:
        raise UsageError("missing operand")
    ok = True
    for path in args:
        try:
            if parents:
                make_parents(path, mode, verbose)
            else:
                make(path, mode, verbose)
        except OSError as e:
            sys.stderr.write(f"{PROG}: cannot create directory '{path}': {strerror(e)}\n")
            ok = False
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
