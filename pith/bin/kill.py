"""kill: send a signal to processes (kill [-SIG | -s SIG | -n NUM] PID|-PGID..., kill -l [SIG],
kill -L), worded as procps-ng's kill. A negative id signals that process group."""

import os
import signal
import sys

PROG = "kill"
HELP = """
Usage:
 kill [options] <pid> [...]

Options:
 <pid> [...]            send signal to every <pid> listed
 -<signal>, -s, --signal <signal>
                        specify the <signal> to be sent
 -l, --list=[<signal>]  list all signal names, or convert one to a name
 -L, --table            list all signal names in a nice table

 -h, --help     display this help and exit
"""
NAMES = ["HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
         "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
         "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "POLL", "PWR", "SYS"]
ALIASES = {"IOT": 6, "CLD": 17, "IO": 29, "SIGRTMIN": 34}


def signal_number(text: str) -> int | None:
    if text.isdigit():
        n = int(text)
        return n if 0 <= n < 65 else None
    name = text.upper().removeprefix("SIG")
    if name in NAMES:
        return NAMES.index(name) + 1
    return ALIASES.get(name)


def list_signals(args: list[str]) -> int:
    if not args:
        sys.stdout.write(" ".join(NAMES[:16]) + "\n" + " ".join(NAMES[16:]) + "\n")
        return 0
    status = 0
    for arg in args:
        n = int(arg) - (128 if int(arg) > 128 else 0) if arg.isdigit() else signal_number(arg)
        if n is None or n == 0:
            sys.stderr.write(f"{PROG}: unknown signal name {arg}\n")
            status = 1
        elif arg.isdigit():
            sys.stdout.write(f"{NAMES[(n & 127) - 1] if 0 < (n & 127) <= 31 else n}\n")
        else:
            sys.stdout.write(f"{n}\n")
    return status


def table() -> int:
    out = ""
    for i, name in enumerate(NAMES, 1):
        out += f"{i:2d} {name}\n" if i % 7 == 0 else f"{i:2d} {name:<8}"
    sys.stdout.write(out + "\n")
    return 0


def send(signo: int, targets: list[str]) -> int:
    status = 0
    for target in targets:
        try:
            pid = int(target)
        except ValueError:
            sys.stderr.write(f"{PROG}: failed to parse argument: '{target}'\n")
            status = 1
            continue
        try:
            if pid < -1:
                os.killpg(-pid, signo)
            else:
                os.kill(pid, signo)
        except OSError as e:
            sys.stderr.write(f"{PROG}: ({pid}) - {os.strerror(e.errno or 0)}\n")
            status = 1
    return status


def is_option(arg: str, left: int) -> bool:
    """-SIG, -s, -l...; a bare -NUM is a signal only when a pid follows it."""
    if not arg.startswith("-") or arg == "-":
        return False
    return not arg[1:].isdigit() or left > 1


def main(argv: list[str]) -> int:
    signo = signal.SIGTERM
    args = list(argv)
    while args and is_option(args[0], len(args)):
        opt = args.pop(0)
        if opt == "--":
            break
        if opt in ("-h", "--help"):
            sys.stdout.write(HELP)
            return 0
        if opt in ("-l", "--list") or opt.startswith("--list="):
            return list_signals(args if "=" not in opt else [opt.split("=", 1)[1]])
        if opt in ("-L", "--table"):
            return table()
        if opt in ("-s", "--signal", "-n"):
            if not args:
                sys.stderr.write(f"{PROG}: option requires an argument\n")
                return 1
            opt = "-" + args.pop(0)
        n = signal_number(opt[1:])
        if n is None:
            sys.stderr.write(f"{PROG}: unknown signal name {opt[1:]}\n" if not
                             opt[1:].isdigit() else f"{PROG}: invalid signal number\n")
            return 1
        signo = n
    if not args:
        sys.stderr.write(HELP)
        return 1
    return send(signo, args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
