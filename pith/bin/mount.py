"""mount: list mounted file systems from /proc/mounts as `DEV on DIR type TYPE (OPTS)`
(-t TYPE filters). Mounting new ones is not supported: Pith's mounts come from its manifest."""

import getopt
import os
import sys

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
