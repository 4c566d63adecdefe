"""rm: remove files (-f ignores missing ones, -r/-R directories and their contents, -d empty
directories, -v). No -i: Pith's rm never asks. '.', '..' and '/' are refused as GNU does."""

import os
import stat
import sys

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "rm"
HELP = """Usage: rm [OPTION]... [FILE]...
Remove (unlink) the FILE(s).

  -f, --force           ignore nonexistent files and arguments, never prompt
  -r, -R, --recursive   remove directories and their contents recursively
  -d, --dir             remove empty directories
  -v, --verbose         explain what is being done
      --help     display this help and exit

By default, rm does not remove directories.  Use the --recursive (-r or -R)
option to remove each listed directory, too, along with all of its contents.
"""


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


class Remover:
    def __init__(self, force: bool, recursive: bool, dirs: bool, verbose: bool) -> None:
        self.force, self.recursive, self.dirs, self.verbose = force, recursive, dirs, verbose
        self.ok = True

    def fail(self, path: str, e: OSError | str) -> None:
        why = e if isinstance(e, str) else strerror(e)
        sys.stderr.write(f"{PROG}: cannot remove '{path}': {why}\n")
        self.ok = False

    def done(self, path: str, is_dir: bool) -> None:
        if self.verbose:
            sys.stdout.write(f"removed {'directory ' if is_dir else ''}'{path}'\n")

    def remove(self, path: str) -> None:
        try:
            st = os.lstat(path)
        except OSError as e:
            if not (self.force and isinstance(e, FileNotFoundError)):
                self.fail(path, e)
            return
        if not stat.S_ISDIR(st.st_mode):
            try:
                os.unlink(path)
                self.done(path, False)
            except OSError as e:
                self.fail(path, e)
            return
        if self.recursive:
            self.remove_tree(path)
        elif self.dirs:
            self.remove_dir(path)
        else:
            self.fail(path, "Is a directory")

    def remove_tree(self, path: str) -> None:
        try:
            names = sorted(os.listdir(path))
        except OSError as e:
            self.fail(path, e)
            return
        for name in names:
            self.remove(path.rstrip("/") + "/" + name if path != "/" else "/" + name)
        self.remove_dir(path)

    def remove_dir(self, path: str) -> None:
        try:
            os.rmdir(path)
            self.done(path, True)
        except OSError as e:
            self.fail(path, e)


def refused(path: str, recursive: bool) -> str | None:
    last = path.rstrip("/").rsplit("/", 1)[-1]
    if last in (".", ".."):
        return f"refusing to remove '.' or '..' directory: skipping '{path}'"
    if recursive and os.path.realpath(path) == "/":
        return (f"it is dangerous to operate recursively on '{path}'\n"
                f"{PROG}: use --no-preserve-root to override this failsafe")
    return None


def command(argv: list[str]) -> int:
    opts, args = options(argv, "frRdvI", ["force", "recursive", "dir", "verbose", "help"])
    flags = {o for o, _ in opts}
    if "--help" in flags:
        sys.stdout.write(HELP)
        return 0
    force = bool(flags & {"-f", "--force"})
    recursive = bool(flags & {"-r", "-R", "--recursive"})
    rm = Remover(force, recursive, bool(flags & {"-d", "--dir"}), bool(flags & {"-v", "--verbose"}))
    if not args and not force:
        raise UsageError("missing operand")
    for path in args:
        if why := refused(path, recursive):
            sys.stderr.write(f"{PROG}: {why}\n")
            rm.ok = False
        else:
            rm.remove(path)
    sys.stdout.flush()
    return 0 if rm.ok else 1


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e))
    except BrokenPipeError:
        return broken_pipe()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
