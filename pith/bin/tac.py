"""tac: write each file's lines (records) last first, as GNU tac does.

Options: -s SEP (the record separator, a string; newline by default), -b (the separator
goes before each record rather than after). A last record without its separator stays
without it, so "a\\nb" comes out as "ba\\n", as GNU's does. Each file is reversed on its own.
"""

import sys

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "tac"
HELP = """Usage: tac [OPTION]... [FILE]...
Write each FILE to standard output, last line first.

With no FILE, or when FILE is -, read standard input.

Mandatory arguments to long options are mandatory for short options too.
  -b, --before             attach the separator before instead of after
  -s, --separator=STRING   use STRING as the separator instead of newline
      --help        display this help and exit
"""
LONG = ["before", "separator=", "help"]


def records(data: bytes, sep: bytes, before: bool) -> list[bytes]:
    """The records of data, each with its separator (after it, or before it with -b)."""
    if not sep:  # as GNU's: an empty separator leaves the input as it is
        return [data]
    parts = data.split(sep)
    if before:
        out = [sep + p for p in parts[1:]]
        return ([parts[0]] if parts[0] else []) + out
    out = [p + sep for p in parts[:-1]]
    return out + ([parts[-1]] if parts[-1] else [])


def command(argv: list[str]) -> int:
    opts, args = options(argv, "bs:", LONG)
    sep, before = b"\n", False
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in ("-b", "--before"):
            before = True
        else:
            sep = v.encode("utf-8", "surrogateescape")
    ok = True
    for name in args or ["-"]:
        try:
            if name == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(name, "rb") as f:
                    data = f.read()
        except OSError as e:
            verb = "read" if isinstance(e, IsADirectoryError) else "open"
            what = f"{name}: read error" if verb == "read" else \
                f"failed to open '{name}' for reading"
            sys.stderr.write(f"{PROG}: {what}: {strerror(e)}\n")
            ok = False
            continue
        sys.stdout.buffer.write(b"".join(reversed(records(data, sep, before))))
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
