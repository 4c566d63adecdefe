"""uname: print system information from os.uname (-a -s -n -r -v -m -p -i -o)."""

import getopt
import os
import sys

PROG = "uname"
HELP = """Usage: uname [OPTION]...
Print certain system information.  With no OPTION, same as -s.

  -a, --all                print all information, in the following order,
                             except omit -p and -i if unknown:
  -s, --kernel-name        print the kernel name
  -n, --nodename           print the network node hostname
  -r, --kernel-release     print the kernel release
  -v, --kernel-version     print the kernel version
  -m, --machine            print the machine hardware name
  -p, --processor          print the processor type (non-portable)
  -i, --hardware-platform  print the hardware platform (non-portable)
  -o, --operating-system   print the operating system
      --help     display this help and exit
"""
FIELDS = "snrvmpio"
LONG = {"--all": "a", "--kernel-name": "s", "--nodename": "n", "--kernel-release": "r",
        "--kernel-version": "v", "--machine": "m", "--processor": "p",
        "--hardware-platform": "i", "--operating-system": "o"}

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

def values() -> dict[str, str]:
    u = os.uname()
    system = "GNU/Linux" if u.sysname == "Linux" else u.sysname
    return {"s": u.sysname, "n": u.nodename, "r": u.release, "v": u.version, "m": u.machine,
            "p": "unknown", "i": "unknown", "o": system}


def command(argv: list[str]) -> int:
    opts, args = options(argv, "asnrvmpio", [*(name[2:] for name in LONG), "help"])
    wanted: set[str] = set()
    for o, _ in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        wanted.add(LONG.get(o, o[1:]))
    if args:
        raise UsageError(f"extra operand '{args[0]}'")
    info = values()
    if "a" in wanted:
        wanted |= {f for f in FIELDS if not (f in "pi" and info[f] == "unknown")}
    wanted = wanted - {"a"} or {"s"}
    sys.stdout.write(" ".join(info[f] for f in FIELDS if f in wanted) + "\n")
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
