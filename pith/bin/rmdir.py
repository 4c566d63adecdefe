"""rmdir: remove empty directories (-p also their parents, -v, --ignore-fail-on-non-empty)."""

import errno
import getopt
import os
import sys

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
