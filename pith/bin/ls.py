"""ls: list directory contents, as GNU ls does in the C locale.

Options: -a -A -l -n -g -o -1 -C -x -d -R -h -r -t -S -U -F -p -w COLS. Output goes in
columns (GNU's layout: as many as fit, filled down, tab-padded) when stdout is a terminal or
with -C, one name per line otherwise. -l prints GNU's long format; owner and group names come
from /etc/passwd and /etc/group read through open() (so on Pith, Pith's own), numeric when
missing. Names are sorted by their bytes. Exit status: 1 when a subdirectory cannot be read,
2 when an operand cannot be.
"""

import os
import stat
import sys
import time

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "ls"
HELP = """Usage: ls [OPTION]... [FILE]...
List information about the FILEs (the current directory by default).
Sort entries alphabetically if none of -tSU is specified.

  -a, --all                  do not ignore entries starting with .
  -A, --almost-all           do not list implied . and ..
  -C                         list entries by columns
  -d, --directory            list directories themselves, not their contents
  -F, --classify             append indicator (one of */=>@|) to entries
  -g                         like -l, but do not list owner
  -h, --human-readable       with -l, print sizes like 1K 234M 2G etc.
  -l                         use a long listing format
  -n, --numeric-uid-gid      like -l, but list numeric user and group IDs
  -o                         like -l, but do not list group information
  -p                         append / indicator to directories
  -r, --reverse              reverse order while sorting
  -R, --recursive            list subdirectories recursively
  -S                         sort by file size, largest first
  -t                         sort by time, newest first
  -U                         do not sort; list entries in directory order
  -w, --width=COLS           set output width to COLS.  0 means no limit
  -x                         list entries by lines instead of by columns
  -1                         list one file per line
      --help     display this help and exit

Exit status:
 0  if OK,
 1  if minor problems (e.g., cannot access subdirectory),
 2  if serious trouble (e.g., cannot access command-line argument).
"""
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
SIX_MONTHS = 31556952 // 2
SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+.,/:%@^=")
LONG = {"--all": "-a", "--almost-all": "-A", "--directory": "-d", "--classify": "-F",
        "--human-readable": "-h", "--numeric-uid-gid": "-n", "--reverse": "-r",
        "--recursive": "-R", "--width": "-w"}


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


class Entry:
    """One name to list, with its lstat (and stat, for a link's target)."""

    def __init__(self, name: str, path: str, st: os.stat_result) -> None:
        self.name, self.path, self.st = name, path, st
        self.key = os.fsencode(name)


def id_names(path: str) -> dict[int, str]:
    names: dict[int, str] = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.split(":")
                if len(parts) > 2 and parts[2].isdigit():
                    names.setdefault(int(parts[2]), parts[0])
    except OSError:
        pass
    return names


def mode_string(mode: int) -> str:
    kind = ("d" if stat.S_ISDIR(mode) else "l" if stat.S_ISLNK(mode) else
            "c" if stat.S_ISCHR(mode) else "b" if stat.S_ISBLK(mode) else
            "p" if stat.S_ISFIFO(mode) else "s" if stat.S_ISSOCK(mode) else "-")
    out = kind
    for shift, special, letter in ((6, stat.S_ISUID, "s"), (3, stat.S_ISGID, "s"),
                                   (0, stat.S_ISVTX, "t")):
        bits = (mode >> shift) & 7
        x = "x" if bits & 1 else "-"
        if mode & special:
            x = letter if bits & 1 else letter.upper()
        out += ("r" if bits & 4 else "-") + ("w" if bits & 2 else "-") + x
    return out


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


def date_string(mtime: float, now: float) -> str:
    t = time.localtime(mtime)
    recent = now - SIX_MONTHS < mtime <= now + 1
    tail = f"{t.tm_hour:02d}:{t.tm_min:02d}" if recent else f" {t.tm_year}"
    return f"{MONTHS[t.tm_mon - 1]} {t.tm_mday:2d} {tail}"


def blocks(st: os.stat_result) -> int:
    return getattr(st, "st_blocks", (st.st_size + 511) // 512)


class Lister:
    def __init__(self, flags: set[str], width: int, tty: bool) -> None:
        self.f = flags
        self.long = bool(flags & set("lngo"))
        self.columns = ("C" in flags or "x" in flags or tty) and not self.long and "1" not in flags
        self.width, self.tty = width, tty
        self.status = 0
        self.now = time.time()
        self.users: dict[int, str] | None = None
        self.groups: dict[int, str] | None = None
        self.out: list[str] = []

    # -- what to list -----------------------------------------------------------------
    def stat(self, path: str, follow: bool) -> os.stat_result:
        st = os.lstat(path)
        if follow and stat.S_ISLNK(st.st_mode):
            try:
                return os.stat(path)
            except OSError:
                return st
        return st

    def entries(self, path: str) -> list[Entry]:
        names = os.listdir(path)
        if "a" in self.f:
            names += [".", ".."]
        elif "A" not in self.f:
            names = [n for n in names if not n.startswith(".")]
        found = []
        for name in names:
            full = name if path == "." and "R" not in self.f else (
                path.rstrip("/") + "/" + name if path != "/" else "/" + name)
            try:
                found.append(Entry(name, full, os.lstat(full)))
            except OSError as e:
                self.warn(f"cannot access '{full}': {strerror(e)}", 1)
        return self.sort(found)

    def sort(self, entries: list[Entry]) -> list[Entry]:
        if "U" in self.f:
            return entries
        entries.sort(key=lambda e: e.key)
        if "t" in self.f:
            entries.sort(key=lambda e: e.st.st_mtime_ns, reverse=True)
        elif "S" in self.f:
            entries.sort(key=lambda e: e.st.st_size, reverse=True)
        if "r" in self.f:
            entries.reverse()
        return entries

    def warn(self, message: str, status: int) -> None:
        self.flush()
        sys.stderr.write(f"{PROG}: {message}\n")
        self.status = max(self.status, status)

    # -- formatting -------------------------------------------------------------------
    def shown(self, e: Entry) -> str:
        name = e.name
        if self.tty:
            name = "".join(c if c.isprintable() else "?" for c in name)
            if not set(name) <= SAFE:
                name = "'" + name.replace("'", "'\\''") + "'"
        return name + self.indicator(e.st.st_mode)

    def target_indicator(self, path: str) -> str:
        try:
            return self.indicator(os.stat(path).st_mode)
        except OSError:
            return ""

    def indicator(self, mode: int) -> str:
        """-F's and -p's type suffix for a file of this mode."""
        if "F" in self.f:
            for test, mark in ((stat.S_ISDIR, "/"), (stat.S_ISFIFO, "|"), (stat.S_ISSOCK, "=")):
                if test(mode):
                    return mark
            if stat.S_ISLNK(mode) and not self.long:
                return "@"
            return "*" if stat.S_ISREG(mode) and mode & 0o111 else ""
        return "/" if "p" in self.f and stat.S_ISDIR(mode) else ""

    def owner(self, uid: int) -> str:
        if "n" in self.f:
            return str(uid)
        if self.users is None:
            self.users = id_names("/etc/passwd")
        return self.users.get(uid, str(uid))

    def group(self, gid: int) -> str:
        if "n" in self.f:
            return str(gid)
        if self.groups is None:
            self.groups = id_names("/etc/group")
        return self.groups.get(gid, str(gid))

    def size(self, st: os.stat_result) -> str | tuple[str, str]:
        if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
            rdev = getattr(st, "st_rdev", 0)
            return str(os.major(rdev)), str(os.minor(rdev))
        return human(st.st_size) if "h" in self.f else str(st.st_size)

    @staticmethod
    def device_sizes(sizes: list[str | tuple[str, str]]) -> list[str]:
        """Devices' 'major, minor' with both parts aligned across the listing, as GNU does."""
        devices = [s for s in sizes if isinstance(s, tuple)]
        if not devices:
            return [s for s in sizes if isinstance(s, str)]
        major = max(len(d[0]) for d in devices)
        minor = max(len(d[1]) for d in devices)
        return [f"{s[0]:>{major}}, {s[1]:>{minor}}" if isinstance(s, tuple) else s
                for s in sizes]

    def long_lines(self, entries: list[Entry]) -> list[str]:
        rows = []
        sizes = self.device_sizes([self.size(e.st) for e in entries])
        for e, size in zip(entries, sizes, strict=True):
            st = e.st
            name = self.shown(e)
            if stat.S_ISLNK(st.st_mode):
                name += " -> " + link_target(e.path)
                if "F" in self.f:
                    name += self.target_indicator(e.path)
            cells = [mode_string(st.st_mode), str(st.st_nlink)]
            if "g" not in self.f:
                cells.append(self.owner(st.st_uid))
            if "o" not in self.f:
                cells.append(self.group(st.st_gid))
            cells += [size, date_string(st.st_mtime, self.now), name]
            rows.append(cells)
        if not rows:
            return []
        n = len(rows[0])
        widths = [max(len(r[i]) for r in rows) for i in range(n)]
        right = {1, n - 3}
        return [" ".join(c.rjust(widths[i]) if i in right else
                         c if i >= n - 2 else c.ljust(widths[i]) for i, c in enumerate(r))
                for r in rows]

    def column_lines(self, names: list[str]) -> list[str]:
        if not names:
            return []
        if self.tty and any(n.startswith("'") for n in names):
            names = [n if n.startswith("'") else " " + n for n in names]
        lengths = [len(n) for n in names]
        count, across = len(names), "x" in self.f
        limit = self.width if self.width > 0 else 10**9
        cols = self.fit(lengths, limit, across)
        rows = -(-count // cols)
        widths = [0] * cols
        for i, length in enumerate(lengths):
            col = i % cols if across else i // rows
            widths[col] = max(widths[col], length + 2)
        lines = []
        for r in range(rows):
            line, pos = "", 0
            order = [r * cols + c for c in range(cols)] if across else \
                [r + c * rows for c in range(cols)]
            order = [i for i in order if i < count]
            for k, i in enumerate(order):
                line += names[i]
                if k == len(order) - 1:
                    break
                col = i % cols if across else i // rows
                line += pad(pos + lengths[i], pos + widths[col])
                pos += widths[col]
            lines.append(line)
        return lines

    @staticmethod
    def fit(lengths: list[int], limit: int, across: bool) -> int:
        """GNU's calculate_columns: the most columns whose line stays under the width."""
        count = len(lengths)
        max_cols = max(1, min(limit // 3, count))
        best = 1
        for cols in range(max_cols, 0, -1):
            rows = -(-count // cols)
            widths = [0] * cols
            for i, length in enumerate(lengths):
                col = i % cols if across else i // rows
                widths[col] = max(widths[col], length + (0 if col == cols - 1 else 2), 3)
            if sum(max(w, 3) for w in widths) < limit:
                best = cols
                break
        return best

    def emit(self, entries: list[Entry]) -> None:
        if self.long:
            self.out += self.long_lines(entries)
        elif self.columns:
            self.out += self.column_lines([self.shown(e) for e in entries])
        else:
            self.out += [self.shown(e) for e in entries]

    def flush(self) -> None:
        if self.out:
            sys.stdout.write("".join(line + "\n" for line in self.out))
            self.out = []
        sys.stdout.flush()

    # -- listing ----------------------------------------------------------------------
    def directory(self, path: str, header: bool, first: bool, top: bool) -> None:
        try:
            entries = self.entries(path)
        except OSError as e:
            self.warn(f"cannot open directory '{path}': {strerror(e)}", 2 if top else 1)
            return
        if not first:
            self.out.append("")
        if header:
            self.out.append(f"{path}:")
        if self.long:
            total = sum(blocks(e.st) for e in entries) * 512
            self.out.append(f"total {human(total) if 'h' in self.f else -(-total // 1024)}")
        self.emit(entries)
        if "R" in self.f:
            for e in entries:
                if stat.S_ISDIR(e.st.st_mode) and e.name not in (".", ".."):
                    self.directory(e.path, True, False, False)

    def run(self, operands: list[str]) -> int:
        follow = not (self.long or self.f & set("dF"))
        files, dirs = [], []
        for path in operands:
            try:
                st = self.stat(path, follow)
            except OSError as e:
                self.warn(f"cannot access '{path}': {strerror(e)}", 2)
                continue
            entry = Entry(path, path, st)
            (dirs if stat.S_ISDIR(st.st_mode) and "d" not in self.f else files).append(entry)
        self.emit(self.sort(files))
        header = len(operands) > 1 or "R" in self.f
        for i, d in enumerate(self.sort(dirs)):
            self.directory(d.path, header, not files and i == 0, True)
        self.flush()
        return self.status


def link_target(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def pad(start: int, end: int) -> str:
    """GNU's indent: tabs to each tab stop of 8 that fits, then spaces."""
    out = ""
    while start < end:
        if end // 8 > (start + 1) // 8:
            out += "\t"
            start += 8 - start % 8
        else:
            out += " "
            start += 1
    return out


def terminal_width() -> int:
    value = os.environ.get("COLUMNS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns or 80
    except (OSError, ValueError, AttributeError):
        return 80


def command(argv: list[str]) -> int:
    argv = [a for a in argv if a != "--color" and not a.startswith("--color=")]
    opts, args = options(argv, "aAdFghlnoprRStUw:x1C", [n[2:] + ("=" if n == "--width" else "")
                                                         for n in LONG] + ["help"])
    flags: set[str] = set()
    width = None
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        o = LONG.get(o, o)
        if o == "-w":
            if not v.isdigit():
                sys.stderr.write(f"{PROG}: invalid line width: '{v}'\n")
                return 2
            width = int(v)
        elif o in ("-1", "-C", "-x", "-l"):
            flags -= {"1", "C", "x", "l"}
        elif o in ("-t", "-S", "-U"):
            flags -= {"t", "S", "U"}
        flags.add(o[1])
    try:
        tty = os.isatty(sys.stdout.fileno())
    except (OSError, ValueError):
        tty = False
    lister = Lister(flags, terminal_width() if width is None else width, tty)
    return lister.run(args or ["."])


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e), 2)
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
