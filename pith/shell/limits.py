"""The shell's builtins about the process itself, as dash has them: umask (octal and
symbolic, -S), ulimit, times, and the signal names `kill -l` lists.

Entry points: TABLE (name -> builtin function (shell, argv) -> status, merged into
builtins.BUILTINS), signal_name(n), signal_names().
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pith.shell.run import Shell

__all__ = ["TABLE", "signal_name", "signal_names"]

Builtin = Callable[["Shell", list[str]], int]
TABLE: dict[str, Builtin] = {}
RTMIN, RTMAX = 34, 64


def _out(text: str) -> None:
    from pith.shell.run import write_fd

    write_fd(1, text)


def _register(name: str) -> Callable[[Builtin], Builtin]:
    def register(fn: Builtin) -> Builtin:
        TABLE[name] = fn
        return fn
    return register


# --- signals ----------------------------------------------------------------------------------

def signal_name(n: int) -> str:
    """dash's name for signal n (1..64): HUP, ..., RTMIN+3, RTMAX-2, or the number."""
    if n == RTMIN:
        return "RTMIN"
    if n == RTMAX:
        return "RTMAX"
    if RTMIN < n <= (RTMIN + RTMAX) // 2:
        return f"RTMIN+{n - RTMIN}"
    if (RTMIN + RTMAX) // 2 < n < RTMAX:
        return f"RTMAX-{RTMAX - n}"
    try:
        name = signal.Signals(n).name[3:]
    except ValueError:
        return str(n)
    return str(n) if name == "STKFLT" else name


def signal_names() -> list[str]:
    return ["0", *(signal_name(n) for n in range(1, RTMAX + 1))]


def kill_list(sh: Shell, args: list[str]) -> int:
    """`kill -l [exitstatus]`."""
    if not args:
        _out("\n".join(signal_names()) + "\n")
        return 0
    if not args[0].isdigit():
        sh.error(f"kill: Illegal number: {args[0]}")
        return 2
    n = int(args[0])
    if n > 128:
        n -= 128
    if not 0 < n <= RTMAX:
        sh.error(f"kill: invalid signal number or exit status: {args[0]}")
        return 2
    _out(signal_name(n) + "\n")
    return 0


# --- umask ------------------------------------------------------------------------------------

WHO = {"u": 0o700, "g": 0o070, "o": 0o007}


def _current_umask() -> int:
    try:
        old = os.umask(0)
        os.umask(old)
    except (AttributeError, OSError):
        old = 0o22
    return old


def _symbolic(mask: int) -> str:
    allowed = ~mask & 0o777
    parts = []
    for who, shift in (("u", 6), ("g", 3), ("o", 0)):
        bits = allowed >> shift & 7
        parts.append(who + "=" + "".join(c for c, b in (("r", 4), ("w", 2), ("x", 1)) if bits & b))
    return ",".join(parts)


def _parse_symbolic(text: str, mask: int) -> int | None:
    """A new umask from a chmod-style mode (u=rwx,g+w,o-x) applied to the allowed bits."""
    allowed = ~mask & 0o777
    for clause in text.split(","):
        i = 0
        who = 0
        while i < len(clause) and clause[i] in "ugoa":
            who |= 0o777 if clause[i] == "a" else WHO[clause[i]]
            i += 1
        who = who or 0o777
        if i >= len(clause) or clause[i] not in "=+-":
            return None
        op = clause[i]
        perms = clause[i + 1:]
        if any(c not in "rwx" for c in perms):
            return None
        bits = sum({"r": 0o444, "w": 0o222, "x": 0o111}[c] for c in set(perms)) & who
        if op == "=":
            allowed = (allowed & ~who) | bits
        elif op == "+":
            allowed |= bits
        else:
            allowed &= ~bits
    return ~allowed & 0o777


@_register("umask")
def b_umask(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    show_symbolic = bool(args) and args[0] == "-S"
    if show_symbolic:
        args = args[1:]
    mask = _current_umask()
    if not args:
        _out(_symbolic(mask) + "\n" if show_symbolic else f"{mask:04o}\n")
        return 0
    mode = args[0]
    if mode.isdigit():
        new = int(mode, 8) if all(c in "01234567" for c in mode) else None
    else:
        new = _parse_symbolic(mode, mask)
    if new is None or new > 0o777:
        sh.error(f"umask: Illegal mode: {mode}" if mode.isdigit() else "umask: Illegal mode")
        return 2
    with contextlib.suppress(AttributeError, OSError):
        os.umask(new)
    return 0


# --- ulimit -----------------------------------------------------------------------------------

# option -> (resource name, unit it is shown in, description for -a)
LIMITS = {
    "t": ("RLIMIT_CPU", 1, "time(seconds)"),
    "f": ("RLIMIT_FSIZE", 512, "file(blocks)"),
    "d": ("RLIMIT_DATA", 1024, "data(kbytes)"),
    "s": ("RLIMIT_STACK", 1024, "stack(kbytes)"),
    "c": ("RLIMIT_CORE", 512, "coredump(blocks)"),
    "m": ("RLIMIT_RSS", 1024, "memory(kbytes)"),
    "l": ("RLIMIT_MEMLOCK", 1024, "locked memory(kbytes)"),
    "p": ("RLIMIT_NPROC", 1, "process"),
    "n": ("RLIMIT_NOFILE", 1, "nofiles"),
    "v": ("RLIMIT_AS", 1024, "vmemory(kbytes)"),
    "w": ("RLIMIT_LOCKS", 1, "locks"),
    "r": ("RLIMIT_RTPRIO", 1, "rtprio"),
}


def _get_limit(opt: str, hard: bool) -> str:
    try:
        import resource

        soft_v, hard_v = resource.getrlimit(getattr(resource, LIMITS[opt][0]))
    except (ImportError, AttributeError, OSError, ValueError):
        return "unlimited"
    v = hard_v if hard else soft_v
    return "unlimited" if v < 0 else str(v // LIMITS[opt][1])


def _set_limit(sh: Shell, opt: str, value: str, which: str) -> int:
    try:
        import resource

        res = getattr(resource, LIMITS[opt][0])
        soft_v, hard_v = resource.getrlimit(res)
        if value == "unlimited":
            n = resource.RLIM_INFINITY
        elif value.isdigit():
            n = int(value) * LIMITS[opt][1]
            if n >= 1 << 63:  # (strtoumax's clamping, as dash reads it: no limit)
                n = resource.RLIM_INFINITY
        else:
            sh.error(f"ulimit: bad number: {value}")
            return 2
        resource.setrlimit(res, (n if "S" in which else soft_v, n if "H" in which else hard_v))
    except (ImportError, AttributeError, OSError, ValueError, OverflowError) as e:
        sh.error(f"ulimit: error setting limit ({getattr(e, 'strerror', None) or e})")
        return 2
    return 0


@_register("ulimit")
def b_ulimit(sh: Shell, argv: list[str]) -> int:
    which, opt, show_all = "", "f", False
    args = argv[1:]
    while args and args[0].startswith("-") and len(args[0]) > 1:
        for c in args.pop(0)[1:]:
            if c in "HS":
                which += c
            elif c == "a":
                show_all = True
            elif c in LIMITS:
                opt = c
            else:
                sh.error(f"ulimit: Illegal option -{c}")
                return 2
    if show_all:
        for c, (_, _, text) in LIMITS.items():
            _out(f"{text:<20} {_get_limit(c, which == 'H')}\n")
        return 0
    if args:
        return _set_limit(sh, opt, args[0], which or "HS")
    _out(_get_limit(opt, which == "H") + "\n")
    return 0


# --- times ------------------------------------------------------------------------------------

def _minutes(seconds: float) -> str:
    m, s = divmod(seconds, 60)
    return f"{int(m)}m{s:.6f}s"


@_register("times")
def b_times(sh: Shell, argv: list[str]) -> int:
    try:
        t = os.times()
        own, children = (t.user, t.system), (t.children_user, t.children_system)
    except (AttributeError, OSError):
        own = children = (0.0, 0.0)
    _out(f"{_minutes(own[0])} {_minutes(own[1])}\n"
         f"{_minutes(children[0])} {_minutes(children[1])}\n")
    return 0
