"""pwd: print the name of the current working directory (-P physical, the default; -L from $PWD)."""

import os
import sys

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "pwd"
HELP = """Usage: pwd [OPTION]...
Print the full filename of the current working directory.

  -L, --logical   use PWD from environment, even if it contains symlinks
  -P, --physical  avoid all symlinks (the default)
      --help      display this help and exit
"""


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


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
