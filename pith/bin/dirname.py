"""dirname: strip the last component from file names (-z ends lines with NUL)."""

import sys

from pith.lib.gnu import UsageError, broken_pipe, options
from pith.lib.gnu import usage_error as _usage_error

PROG = "dirname"
HELP = """Usage: dirname [OPTION] NAME...
Output each NAME with its last non-slash component and trailing slashes
removed; if NAME contains no /'s, output '.' (meaning the current directory).

  -z, --zero     end each output line with NUL, not newline
      --help     display this help and exit
"""


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def parent(name: str) -> str:
    stripped = name.rstrip("/")
    if not stripped:
        return "/" if name else "."
    cut = stripped.rfind("/")
    if cut < 0:
        return "."
    return stripped[:cut].rstrip("/") or "/"


def command(argv: list[str]) -> int:
    opts, args = options(argv, "z", ["zero", "help"])
    end = "\n"
    for o, _ in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        end = "\0"
    if not args:
        raise UsageError("missing operand")
    sys.stdout.write("".join(parent(name) + end for name in args))
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
