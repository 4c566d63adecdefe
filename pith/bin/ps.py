"""ps: report processes from /proc (each numeric directory's status and cmdline; stat when
there is one, as on Linux, for the terminal and CPU time).

Formats (procps-ng's): the default `PID TTY TIME CMD` (processes of this user and terminal,
or all when /proc has no stat files, as on Pith), -e/-A for every process, -f for the full
`UID PID PPID C STIME TTY TIME CMD`, and BSD `ax`/`aux` as `PID TTY STAT TIME COMMAND`.
"""

import os
import sys
import time

PROG = "ps"
HELP = """
Usage:
 ps [options]

Basic options:
 -A, -e               all processes
 a                    all with tty, including other users
 x                    processes without controlling ttys
 -f                   full-format listing

 --help               display this help and exit
"""


class Process:
    """What /proc says of one process."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.fields: dict[str, str] = {}
        self.cmdline: list[str] = []
        self.tty_nr, self.ticks, self.start = 0, 0, 0
        self.stat_line = False

    @property
    def name(self) -> str:
        return self.fields.get("Name", "?")

    @property
    def uid(self) -> int:
        value = self.fields.get("Uid", "0").split()
        return int(value[1] if len(value) > 1 else value[0])


def read_text(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return None


def load(pid: int) -> Process | None:
    status = read_text(f"/proc/{pid}/status")
    if status is None:
        return None
    p = Process(pid)
    for line in status.splitlines():
        key, _, value = line.partition(":")
        p.fields[key.strip()] = value.strip()
    cmdline = read_text(f"/proc/{pid}/cmdline") or ""
    p.cmdline = [a for a in cmdline.split("\0") if a]
    stat = read_text(f"/proc/{pid}/stat")
    if stat and ")" in stat:
        rest = stat[stat.rindex(")") + 2:].split()
        p.stat_line = True
        p.tty_nr = int(rest[4])
        p.ticks = int(rest[11]) + int(rest[12])
        p.start = int(rest[19])
    return p


def processes() -> list[Process]:
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    found = [load(int(n)) for n in names if n.isdigit()]
    return sorted((p for p in found if p is not None), key=lambda p: p.pid)


def tty_name(nr: int) -> str:
    major, minor = (nr >> 8) & 0xFFF, (nr & 0xFF) | ((nr >> 12) & 0xFFF00)
    if nr == 0:
        return "?"
    if major == 4:
        return f"tty{minor}" if minor < 64 else f"ttyS{minor - 64}"
    if 136 <= major <= 143:
        return f"pts/{(major - 136) * 256 + minor}"
    return "?"


def clock_ticks() -> int:
    try:
        return os.sysconf("SC_CLK_TCK")
    except (AttributeError, ValueError, OSError):
        return 100


def cputime(p: Process, bsd: bool) -> str:
    seconds = p.ticks // clock_ticks()
    if bsd:
        return f"{seconds // 60}:{seconds % 60:02d}"
    days, rest = divmod(seconds, 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return f"{days}-{text}" if days else text


def pid_width() -> int:
    text = read_text("/proc/sys/kernel/pid_max")
    return max(len(text.strip()), 3) if text and text.strip().isdigit() else 7


def printable(text: str) -> str:
    """As procps shows a command: a newline as a space, other control characters as '?'."""
    text = text.replace("\n", " ")
    return "".join("?" if ord(c) < 32 or ord(c) == 127 else c for c in text)


def command_line(p: Process) -> str:
    return printable(" ".join(p.cmdline) if p.cmdline else f"[{p.name}]")


def bsd_state(p: Process) -> str:
    return (p.fields.get("State", "?") or "?")[0]


def user_names() -> dict[int, str]:
    names: dict[int, str] = {}
    for line in (read_text("/etc/passwd") or "").splitlines():
        parts = line.split(":")
        if len(parts) > 2 and parts[2].isdigit():
            names.setdefault(int(parts[2]), parts[0])
    return names


def start_time(p: Process) -> str:
    boot = next((line.split()[1] for line in (read_text("/proc/stat") or "").splitlines()
                 if line.startswith("btime ")), None)
    if boot is None or not p.stat_line:
        return "00:00"
    t = time.localtime(int(boot) + p.start // clock_ticks())
    return f"{t.tm_hour:02d}:{t.tm_min:02d}"


def main(argv: list[str]) -> int:
    everyone, full, bsd = False, False, False
    for arg in argv:
        if arg in ("--help", "-h", "--usage"):
            sys.stdout.write(HELP)
            return 0
        if arg in ("-e", "-A", "-ef", "-fe", "-eF", "-Af"):
            everyone, full = True, full or "f" in arg.lower()
        elif arg == "-f":
            full = True
        elif arg and set(arg) <= set("aux"):
            everyone, bsd = True, True
        else:
            sys.stderr.write(f"{PROG}: error: unsupported option {arg!r}\n\n"
                             f"Usage:\n {PROG} [options]\n\n Try '{PROG} --help'\n")
            return 1
    procs = processes()
    me = next((p for p in procs if p.pid == os.getpid()), None)
    if not everyone and me is not None and me.stat_line:
        procs = [p for p in procs if p.uid == me.uid and p.tty_nr == me.tty_nr]
    w = pid_width()
    lines = []
    if bsd:
        lines.append(f"{'PID':>{w}} TTY      STAT   TIME COMMAND")
        lines += [f"{p.pid:>{w}} {tty_name(p.tty_nr):<8} {bsd_state(p):<4} "
                  f"{cputime(p, True):>6} {command_line(p)}" for p in procs]
    elif full:
        users = user_names()
        lines.append(f"{'UID':<8} {'PID':>{w}} {'PPID':>{w}}  C STIME TTY          TIME CMD")
        lines += [f"{users.get(p.uid, str(p.uid)):<8} {p.pid:>{w}} "
                  f"{int(p.fields.get('PPid', '0')):>{w}}  0 {start_time(p)} "
                  f"{tty_name(p.tty_nr):<8} {cputime(p, False):>8} {command_line(p)}"
                  for p in procs]
    else:
        lines.append(f"{'PID':>{w}} TTY          TIME CMD")
        lines += [f"{p.pid:>{w}} {tty_name(p.tty_nr):<8} {cputime(p, False):>8} {printable(p.name)}"
                  for p in procs]
    try:
        sys.stdout.write("".join(line + "\n" for line in lines))
        sys.stdout.flush()
    except BrokenPipeError:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
        return 141
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
