"""which: locate a command in $PATH, as Debian's which does (-a: every match).

A NAME with a slash is checked itself; else each directory of $PATH (an empty entry is
'.') is searched for an executable regular file NAME, or NAME.py as Pith's shell and
posix_spawnp run it. Exit status 0 when every NAME was found, 1 when one was not (or
no NAME was given), 2 for a bad option. -s (silent, only the status) is an extension.
"""

import os
import stat
import sys

from pith.lib.gnu import UsageError, broken_pipe, options

PROG = "which"
HELP = """Usage: which [-a] args
Locate each command in $PATH and print its file name.

  -a         print all matching pathnames of each argument
  -s         print nothing, only set the exit status
      --help display this help and exit
"""


def executable(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode) and os.access(path, os.X_OK)
    except (OSError, ValueError):
        return False


def search(name: str, every: bool) -> list[str]:
    if "/" in name:
        return [name] if executable(name) else []
    found: list[str] = []
    for entry in os.environ.get("PATH", "").split(":"):
        for candidate in (f"{entry or '.'}/{name}", f"{entry or '.'}/{name}.py"):
            if executable(candidate):
                found.append(candidate)
                break
        if found and not every:
            break
    return found


def command(argv: list[str]) -> int:
    opts, args = options(argv, "as", ["help"])
    every = silent = False
    for o, _ in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o == "-a":
            every = True
        else:
            silent = True
    status = 0 if args else 1
    for name in args:
        found = search(name, every)
        if not found:
            status = 1
        if not silent:
            sys.stdout.write("".join(f"{path}\n" for path in found))
    sys.stdout.flush()
    return status


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        sys.stdout.write(f"Usage: {PROG} [-a] args\n")  # on stdout, as Debian's
        return 2
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
