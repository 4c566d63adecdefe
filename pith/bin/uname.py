"""uname: print system information from os.uname (-a -s -n -r -v -m -p -i -o)."""

import os
import sys

from pith.lib.gnu import UsageError, broken_pipe, options
from pith.lib.gnu import usage_error as _usage_error

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


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


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
