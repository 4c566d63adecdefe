"""sync: write cached file data to storage (os.sync for everything; -f/-d fsync named files)."""

import getopt
import os
import sys

PROG = "sync"
HELP = """Usage: sync [OPTION] [FILE]...
Synchronize cached writes to persistent storage

If one or more files are specified, sync only them,
or their containing file systems.

  -d, --data             sync only file data, no unneeded metadata
  -f, --file-system      sync the file systems that contain the files
      --help     display this help and exit
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

def sync_file(name: str) -> bool:
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        sys.stderr.write(f"{PROG}: error opening '{name}': {strerror(e)}\n")
        return False
    try:
        os.fsync(fd)
        return True
    except OSError as e:
        sys.stderr.write(f"{PROG}: error syncing '{name}': {strerror(e)}\n")
        return False
    finally:
        os.close(fd)


def command(argv: list[str]) -> int:
    opts, args = options(argv, "df", ["data", "file-system", "help"])
    flags = {o for o, _ in opts}
    if "--help" in flags:
        sys.stdout.write(HELP)
        return 0
    if flags & {"-d", "--data"} and flags & {"-f", "--file-system"}:
        raise UsageError("cannot specify both --data and --file-system")
    if flags & {"-d", "--data"} and not args:
        raise UsageError("--data needs at least one argument")
    if not args:
        os.sync()
        return 0
    return 0 if all([sync_file(name) for name in args]) else 1


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
