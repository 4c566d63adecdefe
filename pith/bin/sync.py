"""sync: write cached file data to storage (os.sync for everything; -f/-d fsync named files)."""

import os
import sys

from pith.lib.gnu import UsageError, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "sync"
HELP = """Usage: sync [OPTION] [FILE]...
Synchronize cached writes to persistent storage

If one or more files are specified, sync only them,
or their containing file systems.

  -d, --data             sync only file data, no unneeded metadata
  -f, --file-system      sync the file systems that contain the files
      --help     display this help and exit
"""


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


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
