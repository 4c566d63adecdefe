"""What Pith's commands (pith/bin) share: GNU-style option parsing and GNU's messages.

A command is a plain Python file; it imports this module (part of the Pith package,
which every Pith process may read, and which the host's venv has), so the GNU wording
of a bad option, the quiet end on a broken pipe and the error strings are written once.
"""

from __future__ import annotations

import getopt
import importlib
import os
import sys
from types import ModuleType

__all__ = ["UsageError", "broken_pipe", "options", "stdlib", "strerror", "usage_error"]


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


def usage_error(prog: str, message: str, status: int = 1) -> int:
    """`prog: message` and GNU's pointer to --help, on stderr; `status`."""
    sys.stderr.write(f"{prog}: {message}\nTry '{prog} --help' for more information.\n")
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


def stdlib(name: str) -> ModuleType:
    """The standard library's module `name`, even where a command of that name shadows it:
    Python puts a script's directory first on sys.path, so in pith/bin (and Pith's /bin)
    `import gzip` would find the gzip command. That directory leaves sys.path meanwhile."""
    if name in sys.modules:
        return sys.modules[name]
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    here = os.path.dirname(os.path.abspath(main)) if main else None
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    try:
        return importlib.import_module(name)
    finally:
        sys.path[:] = saved
