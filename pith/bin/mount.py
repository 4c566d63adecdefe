"""mount: list mounted file systems from /proc/mounts as `DEV on DIR type TYPE (OPTS)`
(-t TYPE filters). Mounting new ones is not supported: Pith's mounts come from its manifest."""

import sys

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "mount"
HELP = """
Usage:
 mount [-l] [-t <type>]

List the mounted filesystems (from /proc/mounts).
Mounting is not supported: file systems are mounted from the boot manifest.

Options:
 -l, --show-labels       (accepted; no labels are shown)
 -t, --types <list>      limit the set of filesystem types

 -h, --help              display this help
"""


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def unmangle(field: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash as \\NNN octal."""
    out, i = "", 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1:i + 4].isdigit():
            out += chr(int(field[i + 1:i + 4], 8))
            i += 4
        else:
            out += field[i]
            i += 1
    return out


def command(argv: list[str]) -> int:
    opts, args = options(argv, "lt:hav", ["show-labels", "types=", "help", "all", "verbose"])
    types: set[str] | None = None
    for o, v in opts:
        if o in ("-h", "--help"):
            sys.stdout.write(HELP)
            return 0
        if o in ("-t", "--types"):
            types = set(v.split(","))
    if args or any(o in ("-a", "--all") for o, _ in opts):
        sys.stderr.write(f"{PROG}: mounting is not supported (mounts come from the boot "
                         "manifest)\n")
        return 32
    try:
        with open("/proc/mounts", encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as e:
        sys.stderr.write(f"{PROG}: /proc/mounts: {strerror(e)}\n")
        return 32
    out = []
    for line in lines:
        parts = line.split()
        if len(parts) < 4 or (types is not None and parts[2] not in types):
            continue
        dev, where, kind, opts_text = (unmangle(p) for p in parts[:4])
        out.append(f"{dev} on {where} type {kind} ({opts_text})\n")
    sys.stdout.write("".join(out))
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
