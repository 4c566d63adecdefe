"""df: report file system space with os.statvfs, for the mounts in /proc/mounts (or just '/'
where there is none, as on Pith) or those holding the FILEs given; -h human sizes, -k 1K
blocks, -a all (else pseudo file systems with no blocks are skipped, as GNU does), -T type."""

import os
import sys

from pith.lib.gnu import UsageError, broken_pipe, options
from pith.lib.gnu import usage_error as _usage_error

PROG = "df"
HELP = """Usage: df [OPTION]... [FILE]...
Show information about the file system on which each FILE resides,
or all file systems by default.

  -a, --all             include pseudo, duplicate, inaccessible file systems
  -h, --human-readable  print sizes in powers of 1024 (e.g., 1023M)
  -k                    like --block-size=1K
  -T, --print-type      print file system type
      --help     display this help and exit
"""

MINIMUM = [14, 4, 5, 5, 5, 4, 0]  # GNU's least column widths: Filesystem, Type, sizes, Use%


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def human(n: int) -> str:
    """GNU's -h: rounded up, one decimal below 10, powers of 1024."""
    if n < 1024:
        return str(n)
    unit, scale = 0, 1024
    while True:
        tenths = -(-n * 10 // scale)
        if tenths < 100:
            return f"{tenths // 10}.{tenths % 10}{'KMGTPEZY'[unit]}"
        whole = -(-n // scale)
        if whole < 1024 or unit == 7:
            return f"{whole}{'KMGTPEZY'[unit]}"
        unit, scale = unit + 1, scale * 1024


def mounts() -> list[tuple[str, str, str]]:
    """(device, mount point, type) of each mount, in /proc/mounts order."""
    try:
        with open("/proc/mounts", encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return [("-", "/", "-")]
    found = []
    for line in lines:
        parts = line.split()
        if len(parts) >= 3:
            found.append(tuple(p.replace("\\040", " ") for p in parts[:3]))
    return found or [("-", "/", "-")]  # type: ignore[return-value]


def holder(path: str, table: list[tuple[str, str, str]]) -> tuple[str, str, str]:
    real = os.path.realpath(path).rstrip("/") + "/"
    best = None
    for m in table:
        if real.startswith(m[1].rstrip("/") + "/") and (best is None or
                                                        len(m[1]) >= len(best[1])):
            best = m
    return best or ("-", "/", "-")


def row(m: tuple[str, str, str], human_sizes: bool) -> list[str] | None:
    try:
        v = os.statvfs(m[1])
    except OSError:
        return None
    size = v.f_frsize or v.f_bsize
    total, free, avail = v.f_blocks * size, v.f_bfree * size, v.f_bavail * size
    used = total - free
    base = used + avail
    pct = f"{-(-used * 100 // base)}%" if base else "-"
    if human_sizes:
        nums = [human(total), human(used), human(avail)]
    else:
        nums = [str(-(-x // 1024)) for x in (total, used, avail)]
    return [m[0], m[2], *nums, pct, m[1]]


def command(argv: list[str]) -> int:
    opts, args = options(argv, "ahkTPl", ["all", "human-readable", "print-type", "portability",
                                          "local", "help"])
    flags = {o for o, _ in opts}
    if "--help" in flags:
        sys.stdout.write(HELP)
        return 0
    human_sizes = bool(flags & {"-h", "--human-readable"})
    typed = bool(flags & {"-T", "--print-type"})
    table = mounts()
    ok = True
    if args:
        chosen = []
        for name in args:
            if not os.path.exists(name):
                sys.stderr.write(f"{PROG}: {name}: No such file or directory\n")
                ok = False
                continue
            chosen.append(holder(name, table))
    else:
        chosen, seen = [], set()
        for m in table:
            if m[1] in seen and not flags & {"-a", "--all"}:
                continue
            seen.add(m[1])
            chosen.append(m)
    rows = []
    for m in chosen:
        r = row(m, human_sizes)
        if r is None:
            continue
        if not args and not flags & {"-a", "--all"} and r[2] in ("0", "0K"):
            continue
        rows.append(r)
    header = ["Filesystem", "Type", "Size" if human_sizes else "1K-blocks", "Used",
              "Avail" if human_sizes else "Available", "Use%", "Mounted on"]
    keep = [0, 1, 2, 3, 4, 5, 6] if typed else [0, 2, 3, 4, 5, 6]
    table_rows = [[r[i] for i in keep] for r in [header, *rows]]
    if table_rows[1:] or ok:
        minimum = [MINIMUM[i] for i in keep]
        widths = [max(minimum[i], *(len(r[i]) for r in table_rows)) for i in range(len(keep))]
        left = {0, 1} if typed else {0}
        out = []
        for r in table_rows:
            cells = [c.ljust(widths[i]) if i in left else c.rjust(widths[i])
                     for i, c in enumerate(r[:-1])]
            out.append(" ".join([*cells, r[-1]]) + "\n")
        sys.stdout.write("".join(out))
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
