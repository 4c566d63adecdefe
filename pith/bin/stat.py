"""stat: display file status, GNU's default layout or a -c/--printf FORMAT (-L follows links,
-t terse). Birth time is not available through os.stat, so %w is '-' and %W is 0."""

import os
import re
import stat
import sys
import time

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "stat"
HELP = """Usage: stat [OPTION]... FILE...
Display file or file system status.

  -L, --dereference     follow links
  -c  --format=FORMAT   use the specified FORMAT instead of the default;
                          output a newline after each use of FORMAT
      --printf=FORMAT   like --format, but interpret backslash escapes,
                          and do not output a mandatory trailing newline
  -t, --terse           print the information in terse form
      --help     display this help and exit

The valid format sequences for files:
  %a   permission bits in octal         %A   permission bits, human-readable
  %b   number of blocks allocated       %B   the size in bytes of each block
  %d   device number in decimal         %D   device number in hex
  %f   raw mode in hex                  %F   file type
  %g   group ID of owner                %G   group name of owner
  %h   number of hard links             %i   inode number
  %n   file name                        %N   quoted file name, with link target
  %o   optimal I/O transfer size hint   %s   total size, in bytes
  %t   major device type in hex         %T   minor device type in hex
  %u   user ID of owner                 %U   user name of owner
  %x %y %z %w   time of last access, modification, change, birth
  %X %Y %Z %W   the same as seconds since the Epoch
  %Hd %Ld %Hr %Lr   major and minor of the device, and of the device type
"""
DIRECTIVE = re.compile(r"%([-#0 +']*)(\d*)(?:\.(\d*))?([HL]?[a-zA-Z%])")
TERSE = "%n %s %b %f %u %g %D %i %h %t %T %X %Y %Z %W %o"
ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
           "v": "\v", "\\": "\\", '"': '"'}


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


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


def file_type(mode: int, size: int) -> str:
    if stat.S_ISREG(mode):
        return "regular file" if size else "regular empty file"
    for test, name in ((stat.S_ISDIR, "directory"), (stat.S_ISLNK, "symbolic link"),
                       (stat.S_ISCHR, "character special file"),
                       (stat.S_ISBLK, "block special file"), (stat.S_ISFIFO, "fifo"),
                       (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "weird file"


def when(ns: int) -> str:
    seconds, nanos = divmod(ns, 10**9)
    t = time.localtime(seconds)
    return time.strftime("%Y-%m-%d %H:%M:%S", t) + f".{nanos:09d} " + time.strftime("%z", t)


def quote(name: str) -> str:
    if "'" in name and '"' not in name and "\\" not in name and "$" not in name:
        return f'"{name}"'
    return "'" + name.replace("'", "'\\''") + "'"


class Stat:
    """The values of one file's directives."""

    def __init__(self, name: str, st: os.stat_result, owners: "Owners") -> None:
        self.name, self.st, self.owners = name, st, owners

    def quoted(self, always: bool) -> str:
        text = quote(self.name) if always else self.name
        if stat.S_ISLNK(self.st.st_mode):
            try:
                target = os.readlink(self.name)
                text += " -> " + (quote(target) if always else target)
            except OSError:
                pass
        return text

    def value(self, d: str, precision: str | None) -> tuple[str | int, str]:
        """(value, conversion) for directive d: 'd', 'o', 'x' or 's'."""
        st = self.st
        dev, rdev = st.st_dev, getattr(st, "st_rdev", 0)
        times = {"X": st.st_atime_ns, "Y": st.st_mtime_ns, "Z": st.st_ctime_ns}
        if d in times:
            if precision is None:
                return times[d] // 10**9, "d"
            digits = int(precision or 9)
            seconds, nanos = divmod(times[d], 10**9)
            return f"{seconds}." + f"{nanos:09d}"[:digits] if digits else str(seconds), "s"
        table: dict[str, tuple[str | int, str]] = {
            "a": (stat.S_IMODE(st.st_mode), "o"), "A": (stat.filemode(st.st_mode), "s"),
            "b": (getattr(st, "st_blocks", (st.st_size + 511) // 512), "d"), "B": (512, "d"),
            "d": (dev, "d"), "D": (dev, "x"), "f": (st.st_mode, "x"),
            "F": (file_type(st.st_mode, st.st_size), "s"), "g": (st.st_gid, "d"),
            "G": (self.owners.group(st.st_gid), "s"), "h": (st.st_nlink, "d"),
            "i": (st.st_ino, "d"), "n": (self.name, "s"), "N": (self.quoted(True), "s"),
            "o": (getattr(st, "st_blksize", 4096), "d"), "s": (st.st_size, "d"),
            "t": (os.major(rdev), "x"), "T": (os.minor(rdev), "x"), "u": (st.st_uid, "d"),
            "U": (self.owners.user(st.st_uid), "s"), "x": (when(st.st_atime_ns), "s"),
            "y": (when(st.st_mtime_ns), "s"), "z": (when(st.st_ctime_ns), "s"),
            "w": ("-", "s"), "W": (0, "d"), "Hd": (os.major(dev), "d"),
            "Ld": (os.minor(dev), "d"), "Hr": (os.major(rdev), "d"), "Lr": (os.minor(rdev), "d"),
            "m": ("?", "s"),
        }
        if d not in table:
            raise KeyError(d)
        return table[d]


class Owners:
    def __init__(self) -> None:
        self.users: dict[int, str] | None = None
        self.groups: dict[int, str] | None = None

    def user(self, uid: int) -> str:
        if self.users is None:
            self.users = id_names("/etc/passwd")
        return self.users.get(uid, "UNKNOWN")

    def group(self, gid: int) -> str:
        if self.groups is None:
            self.groups = id_names("/etc/group")
        return self.groups.get(gid, "UNKNOWN")


def render(fmt: str, info: Stat) -> str:
    def one(m: re.Match[str]) -> str:
        flags, width, precision, d = m.groups()
        if d == "%":
            return "%"
        try:
            value, conv = info.value(d, precision)
        except KeyError:
            return m.group(0)
        spec = "%" + flags.replace("'", "") + width
        if conv == "s":
            return (spec + ("." + precision if precision and d not in "XYZ" else "") + "s") % (
                value,)
        if conv == "o" and "#" in flags:  # C's %#o: a leading 0, not Python's 0o
            text = "0" + format(int(value), "o") if value else "0"
            pad = int(width or 0)
            return text.ljust(pad) if "-" in flags else text.rjust(pad, "0" if "0" in flags
                                                                   else " ")
        return (spec + conv) % value
    return DIRECTIVE.sub(one, fmt)


def default_format(st: os.stat_result) -> str:
    device = stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
    return ("  File: %%N\n  Size: %-10s\tBlocks: %-10b IO Block: %-6o %F\n"
            "Device: %Hd,%Ld\tInode: %-10i  Links: " +
            ("%-5h Device type: %Hr,%Lr\n" if device else "%h\n") +
            "Access: (%04a/%10.10A)  Uid: (%5u/%8U)   Gid: (%5g/%8G)\n"
            "Access: %x\nModify: %y\nChange: %z\n Birth: %w\n")


def unescape(fmt: str) -> str:
    def one(m: re.Match[str]) -> str:
        text = m.group(1)
        if text[0] in ESCAPES:
            return ESCAPES[text[0]] + text[1:]
        if text[0] == "x":
            return chr(int(text[1:], 16)) if len(text) > 1 else "\\x"
        return chr(int(text, 8) & 0xFF)
    return re.sub(r"\\([0-7]{1,3}|x[0-9a-fA-F]{0,2}|.)", one, fmt)


def command(argv: list[str]) -> int:
    opts, args = options(argv, "Lc:tf", ["dereference", "format=", "printf=", "terse",
                                         "file-system", "help"])
    follow, fmt, newline = False, None, "\n"
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in ("-L", "--dereference"):
            follow = True
        elif o in ("-c", "--format"):
            fmt, newline = v, "\n"
        elif o == "--printf":
            fmt, newline = unescape(v), ""
        elif o in ("-t", "--terse"):
            fmt, newline = fmt or TERSE, "\n"
        else:
            raise UsageError("--file-system is not supported")
    if not args:
        raise UsageError("missing operand")
    owners, ok = Owners(), True
    for name in args:
        try:
            st = os.stat(name) if follow else os.lstat(name)
        except OSError as e:
            sys.stderr.write(f"{PROG}: cannot stat '{name}': {strerror(e)}\n")
            ok = False
            continue
        info = Stat(name, st, owners)
        if fmt is None:
            text = render(default_format(st), info).replace("%N", info.quoted(False), 1)
        else:
            text = render(fmt, info) + newline
        sys.stdout.write(text)
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
