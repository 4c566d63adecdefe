"""rmdir: remove empty directories (-p also their parents, -v, --ignore-fail-on-non-empty)."""

import errno
import os
import sys

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "rmdir"
HELP = """Usage: rmdir [OPTION]... DIRECTORY...
Remove the DIRECTORY(ies), if they are empty.

      --ignore-fail-on-non-empty
                    ignore each failure to remove a non-empty directory
  -p, --parents     remove DIRECTORY and its ancestors; e.g., 'rmdir -p a/b'
                    is similar to 'rmdir a/b a'
  -v, --verbose     output a diagnostic for every directory processed
      --help     display this help and exit
"""
NOT_EMPTY = (errno.ENOTEMPTY, errno.EEXIST)


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def remove(path: str, verbose: bool, ignore: bool) -> bool:
    if verbose:
        sys.stdout.write(f"{PROG}: removing directory, '{path}'\n")
    try:
        os.rmdir(path)
        return True
    except OSError as e:
        if ignore and e.errno in NOT_EMPTY:
            return False
        sys.stderr.write(f"{PROG}: failed to remove '{path}': {strerror(e)}\n")
        raise


def command(argv: list[str]) -> int:
    opts, args = options(argv, "pv", ["parents", "verbose", "ignore-fail-on-non-empty", "help"])
    flags = {o for o, _ in opts}
    if "--help" in flags:
        sys.stdout.write(HELP)
        return 0
    parents = bool(flags & {"-p", "--parents"})
    verbose = bool(flags & {"-v", "--verbose"})
    ignore = "--ignore-fail-on-non-empty" in flags
    if not args:
        raise UsageError("missing operand")
    ok = True
    for path in args:
        try:
            if not remove(path, verbose, ignore):
                continue
            while parents and "/" in (path := path.rstrip("/")):
                path = path.rsplit("/", 1)[0].rstrip("/")
                if not path or not remove(path, verbose, ignore):
                    break
        except OSError:
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
