"""realpath: print the resolved absolute file name, as GNU realpath does.

By default every component but the last must exist; -e: all of them, -m: none. -s (or
--no-symlinks) does not follow symbolic links, -L resolves '..' before them, -P (the
default) after. --relative-to=DIR and --relative-base=DIR print names relative to DIR;
-q hides the errors, -z ends each name with NUL. `canonical` is also readlink -f's.
"""

import errno
import os
import stat
import sys
from collections import deque

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

__all__ = ["canonical"]

PROG = "realpath"
HELP = """Usage: realpath [OPTION]... FILE...
Print the resolved absolute file name;
all but the last component must exist

  -e, --canonicalize-existing  all components of the path must exist
  -m, --canonicalize-missing   no path components need exist or be a directory
  -L, --logical                resolve '..' components before symlinks
  -P, --physical               resolve symlinks as encountered (default)
  -q, --quiet                  suppress most error messages
      --relative-to=DIR        print the resolved path relative to DIR
      --relative-base=DIR      print absolute paths unless paths below DIR
  -s, --strip, --no-symlinks   don't expand symlinks
  -z, --zero                   end each output line with NUL, not newline
      --help        display this help and exit
"""
LONG = ["canonicalize-existing", "canonicalize-missing", "logical", "physical", "quiet",
        "relative-to=", "relative-base=", "strip", "no-symlinks", "zero", "help"]
MAX_LINKS = 40


def absolute(path: str) -> str:
    return path if path.startswith("/") else os.path.join(os.getcwd(), path)


def canonical(path: str, mode: str) -> str:
    """The absolute name of `path`; mode 'e': every component must exist, 'm': none need,
    '': all but the last. Raises OSError (ENOENT, ENOTDIR, ELOOP) as the system would."""
    if not path:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT))
    parts = deque(absolute(path).split("/"))
    result, links, missing = "/", 0, False
    while parts:
        part = parts.popleft()
        if part in ("", "."):
            continue
        if part == "..":
            result = os.path.dirname(result)
            continue
        name = os.path.join(result, part)
        if missing:
            result = name
            continue
        try:
            st = os.lstat(name)
        except FileNotFoundError:
            if mode == "m" or (mode == "" and not any(p not in ("", ".") for p in parts)):
                result, missing = name, True
                continue
            raise
        except NotADirectoryError:
            if mode == "m":
                result, missing = name, True
                continue
            raise
        if stat.S_ISLNK(st.st_mode):
            links += 1
            if links > MAX_LINKS:
                raise OSError(errno.ELOOP, os.strerror(errno.ELOOP))
            target = os.readlink(name)
            parts.extendleft(reversed(target.split("/")))
            if target.startswith("/"):
                result = "/"
            continue
        if not stat.S_ISDIR(st.st_mode) and parts and mode != "m":
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
        result = name
    return result


def lexical(path: str, mode: str) -> str:
    """-s's absolute name: no link followed, '..' taken off the name; as GNU's, a component
    that is missing or not a directory is an error only before '..' or (with -e) anywhere."""
    if not path:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT))
    parts = absolute(path).split("/")
    result, missing = "/", False
    for i, part in enumerate(parts):
        if part in ("", "."):
            continue
        if part == "..":
            if missing and mode != "m":
                raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT))
            result = os.path.dirname(result)
            continue
        result = os.path.join(result, part)
        if mode == "m" or missing:
            continue
        try:
            st = os.stat(result)
        except FileNotFoundError:
            if mode == "e":
                raise
            missing = True
            continue
        if not stat.S_ISDIR(st.st_mode) and i < len(parts) - 1:
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
    return result


def under(path: str, base: str) -> bool:
    return base == "/" or path == base or path.startswith(base + "/")


def command(argv: list[str]) -> int:
    opts, args = options(argv, "emLPqsz", LONG)
    mode, logical, follow, quiet, end = "", False, True, False, "\n"
    relative_to: str | None = None
    relative_base: str | None = None
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in ("-e", "--canonicalize-existing"):
            mode = "e"
        elif o in ("-m", "--canonicalize-missing"):
            mode = "m"
        elif o in ("-L", "--logical"):
            logical = True
        elif o in ("-P", "--physical"):
            logical, follow = False, True
        elif o in ("-q", "--quiet"):
            quiet = True
        elif o in ("-s", "--strip", "--no-symlinks"):
            follow = False
        elif o in ("-z", "--zero"):
            end = "\0"
        elif o == "--relative-to":
            relative_to = v
        else:
            relative_base = v
    if not args:
        raise UsageError("missing operand")

    def resolve(name: str) -> str:
        if not follow:
            return lexical(name, mode)
        return canonical(lexical(name, mode) if logical else name, mode)

    try:
        to = resolve(relative_to) if relative_to is not None else None
        base = resolve(relative_base) if relative_base is not None else None
    except OSError as e:
        sys.stderr.write(f"{PROG}: {relative_to if relative_to else relative_base}: "
                         f"{strerror(e)}\n")
        return 1
    if base is not None and to is not None and not under(to, base):
        to = base = None
    ok = True
    for name in args:
        try:
            path = resolve(name)
        except OSError as e:
            if not quiet:
                sys.stderr.write(f"{PROG}: {name}: {strerror(e)}\n")
            ok = False
            continue
        start = to if to is not None else base
        if start is not None and (base is None or under(path, base)):
            path = os.path.relpath(path, start)
        sys.stdout.write(path + end)
    sys.stdout.flush()
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return _usage_error(PROG, str(e))
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
