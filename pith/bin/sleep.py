"""sleep: pause for the sum of the given intervals (NUMBER[smhd], fractions allowed)."""

import sys
import time

from pith.lib.gnu import UsageError, options
from pith.lib.gnu import usage_error as _usage_error

PROG = "sleep"
HELP = """Usage: sleep NUMBER[SUFFIX]...
Pause for NUMBER seconds.  SUFFIX may be 's' for seconds (the default),
'm' for minutes, 'h' for hours or 'd' for days.  NUMBER need not be an
integer.  Given two or more arguments, pause for the amount of time
specified by the sum of their values.

      --help     display this help and exit
"""
SCALE = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


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
