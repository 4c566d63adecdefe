"""basename: strip directory and, optionally, a suffix from file names (-a, -s SUFFIX, -z)."""

import sys

from pith.lib.gnu import UsageError, broken_pipe, options
from pith.lib.gnu import usage_error as _usage_error

PROG = "basename"
HELP = """Usage: basename NAME [SUFFIX]
  or:  basename OPTION... NAME...
Print NAME with any leading directory components removed.
If specified, also remove a trailing SUFFIX.

  -a, --multiple       support multiple arguments and treat each as a NAME
  -s, --suffix=SUFFIX  remove a trailing SUFFIX; implies -a
  -z, --zero           end each output line with NUL, not newline
      --help     display this help and exit
"""


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def base(name: str, suffix: str) -> str:
    stripped = name.rstrip("/")
    if not stripped:
        return "/" if name else ""
    last = stripped.rsplit("/", 1)[-1]
    if suffix and last != suffix and last.endswith(suffix):
        last = last[: -len(suffix)]
    return last


def command(argv: list[str]) -> int:
    opts, args = options(argv, "as:z", ["multiple", "suffix=", "zero", "help"])
    multiple, suffix, end = False, "", "\n"
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in ("-s", "--suffix"):
            multiple, suffix = True, v
        elif o in ("-a", "--multiple"):
            multiple = True
        else:
            end = "\0"
    if not args:
        raise UsageError("missing operand")
    if not multiple:
        if len(args) > 2:
            raise UsageError(f"extra operand '{args[2]}'")
        args, suffix = args[:1], (args[1] if len(args) == 2 else "")
    sys.stdout.write("".join(base(name, suffix) + end for name in args))
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
