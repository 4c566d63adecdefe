"""sleep: pause for the sum of the given intervals (NUMBER[smhd], fractions allowed)."""

import getopt
import os
import sys
import time

PROG = "sleep"
HELP = """Usage: sleep NUMBER[SUFFIX]...
Pause for NUMBER seconds.  SUFFIX may be 's' for seconds (the default),
'm' for minutes, 'h' for hours or 'd' for days.  NUMBER need not be an
integer.  Given two or more arguments, pause for the amount of time
specified by the sum of their values.

      --help     display this help and exit
"""
SCALE = {"s": 1, "m": 60, "h": 3600, "d": 86400}

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

def seconds(arg: str) -> float | None:
    """The interval arg names, or None when it is not one."""
    number, scale = (arg[:-1], SCALE[arg[-1]]) if arg and arg[-1] in SCALE else (arg, 1)
    if not number or number.strip() != number or "_" in number:
        return None
    try:
        value = float(number)
    except ValueError:
        return None
    return None if value != value or value < 0 else value * scale


def command(argv: list[str]) -> int:
    if argv and argv[0] == "--":
        argv = argv[1:]
    elif argv and argv[0].startswith("-") and seconds(argv[0]) is None:
        options(argv, "", ["help"])
        sys.stdout.write(HELP)
        return 0
    if not argv:
        raise UsageError("missing operand")
    total, ok = 0.0, True
    for arg in argv:
        value = seconds(arg)
        if value is None:
            sys.stderr.write(f"{PROG}: invalid time interval '{arg}'\n")
            ok = False
        else:
            total += value
    if not ok:
        sys.stderr.write(f"Try '{PROG} --help' for more information.\n")
        return 1
    deadline = time.monotonic() + total
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(left, 86400.0))
    return 0


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
