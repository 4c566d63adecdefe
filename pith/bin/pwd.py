"""pwd: print the name of the current working directory (-P physical, the default; -L from $PWD)."""

import getopt
import os
import sys

PROG = "pwd"
HELP = """Usage: pwd [OPTION]...
Print the full filename of the current working directory.

  -L, --logical   use PWD from environment, even if it contains symlinks
  -P, --physical  avoid all symlinks (the default)
      --help      display this help and exit
"""

class UsageError(Exception):
    """A bad option or operand: reported as GNU does, with a pointer to --help."""


def options(
    argv: list[str], short: str, longs: list[str]
) -> tuple[list[tuple[str, str]], list[str]]:
    """Parse GNU-style (options anywhere, long ones by unique prefix); GNU's wording on errors."""
    try:
        return getopt.gnu_getopt(argv, short, longs)
    except getopt.GetoptError as e:
        o = e.opt
        if "requires" in e.msg:
            msg = (f"option requires an argument -- '{o}'" if len(o) == 1
                   else f"option '--{o}' requires an argument")
        elif "must not" in e.msg:
            msg = f"option '--{o}' doesn't allow an argument"
        elif "unique" in e.msg:
            msg = f"option '--{o}' is ambiguous"
        else:
            msg = f"invalid option -- '{o}'" if len(o) == 1 else f"unrecognized option '--{o}'"
        raise UsageError(msg) from None


def usage_error(message: str, status: int = 1) -> int:
    sys.stderr.write(f"{PROG}: {message}\nTry '{PROG} --help' for more information.\n")
    return status


def broken_pipe() -> int:
    """The reader went away: point stdout at /dev/null so the exit-time flush is quiet."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError):
        pass
    return 141


def strerror(e: OSError) -> str:
    return os.strerror(e.errno) if e.errno else str(e)

def logical_cwd() -> str | None:
    """$PWD when it is absolute, has no . or .. parts and names the current directory."""
    pwd = os.environ.get("PWD", "")
    if not pwd.startswith("/") or {".", ".."} & set(pwd.split("/")):
        return None
    try:
        here, there = os.stat("."), os.stat(pwd)
    except OSError:
        return None
    return pwd if (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino) else None


def command(argv: list[str]) -> int:
    opts, args = options(argv, "LP", ["logical", "physical", "help"])
    logical = False
    for o, _ in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        logical = o in ("-L", "--logical")
    if args:
        sys.stderr.write(f"{PROG}: ignoring non-option arguments\n")
    try:
        cwd = (logical and logical_cwd()) or os.getcwd()
    except OSError as e:
        sys.stderr.write(f"{PROG}: couldn't find directory entry: {strerror(e)}\n")
        return 1
    sys.stdout.write(cwd + "\n")
    sys.stdout.flush()
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
