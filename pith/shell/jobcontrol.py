"""The builtins about jobs and signals: wait, jobs, fg, bg, kill and trap.

Touches the job table (sh.jobs), sends signals, and installs the shell's signal handlers
for trap (they only note the signal; the action runs later). Entry points: the handlers
below, registered into builtins.BUILTINS as this is imported.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING

from pith.shell import limits
from pith.shell.builtins import builtin, out, quote
from pith.shell.errors import ShellError

if TYPE_CHECKING:
    from pith.shell.run import Shell

__all__ = ["b_fg", "b_jobs", "b_kill", "b_trap", "b_wait"]


@builtin("wait")
def b_wait(sh: Shell, argv: list[str]) -> int:
    if len(argv) == 1:
        return sh.jobs.wait_all()
    status = 0
    for arg in argv[1:]:
        if arg.startswith("%"):
            job = sh.jobs.find(arg)
            if job is None:
                sh.error(f"wait: No such job: {arg}")
                return 2
            status = sh.jobs.wait_job(job)
        elif arg.isdigit():
            status = sh.jobs.wait_pid(int(arg))
        else:
            sh.error(f"wait: Illegal number: {arg}")
            return 2
    return status


@builtin("jobs")
def b_jobs(sh: Shell, argv: list[str]) -> int:
    sh.jobs.reap_quiet()
    for job in sh.jobs.table:
        state = "Stopped" if job.stopped else ("Done" if job.done else "Running")
        out(f"[{job.id}] + {state}   {job.text}\n")
    return 0


@builtin("fg", "bg")
def b_fg(sh: Shell, argv: list[str]) -> int:
    job = sh.jobs.find(argv[1] if len(argv) > 1 else "")
    if job is None:
        sh.error(f"{argv[0]}: No current job")
        return 2
    sh.error_raw(job.text + "\n") if argv[0] == "fg" else sh.error_raw(f"[{job.id}] {job.text}\n")
    return sh.jobs.continue_job(job, foreground=argv[0] == "fg")


def _signal_number(name: str) -> int | None:
    name = name.upper().removeprefix("SIG")
    if name.isdigit():
        return int(name)
    if name == "EXIT":
        return 0
    sig = getattr(signal, "SIG" + name, None)
    return int(sig) if sig is not None else None


@builtin("kill")
def b_kill(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    sig = int(signal.SIGTERM)
    if args and args[0] == "-l":
        return limits.kill_list(sh, args[1:])
    if not args:
        sh.error("kill: Usage: kill [-s sigspec | -signum | -sigspec] [pid | job]... or\n"
                 "kill -l [exitstatus]")
        return 2
    if args and args[0] == "-s" and len(args) > 1:
        n = _signal_number(args[1])
        args = args[2:]
        if n is None:
            sh.error("kill: bad signal")
            return 2
        sig = n
    elif (args and args[0].startswith("-") and len(args[0]) > 1 and not args[0][1:].isdigit()) \
            or (args and args[0][:1] == "-" and args[0][1:].isdigit() and len(args) > 1):
        n = _signal_number(args[0][1:])
        if n is None:
            sh.error(f"kill: invalid signal {args[0]}")
            return 2
        sig = n
        args = args[1:]
    status = 0
    for a in args:
        try:
            if a.startswith("%"):
                job = sh.jobs.find(a)
                if job is None:
                    raise ProcessLookupError
                os.killpg(job.pgid, sig) if sh.jobs.jc else os.kill(job.pids[-1], sig)
            else:
                os.kill(int(a), sig)
        except (OSError, ValueError):
            sh.error("kill: No such process")
            status = 1
    return status


def _trap_number(name: str) -> int | None:
    """dash's decode_signal: a number below NSIG, or a name without SIG in any case."""
    if name.isdigit():
        return int(name) if int(name) < signal.NSIG else None
    if name.upper() == "EXIT":
        return 0
    sig = getattr(signal, "SIG" + name.upper(), None) if name.isalnum() else None
    return int(sig) if isinstance(sig, signal.Signals) else None


def _trap_key(n: int) -> str:
    if n == 0:
        return "EXIT"
    try:
        return signal.Signals(n).name[3:]
    except ValueError:
        return str(n)


@builtin("trap")
def b_trap(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    elif args and args[0].startswith("-") and args[0] != "-":
        raise ShellError(f"trap: Illegal option {args[0][:2]}")
    if not args:
        order = {_trap_key(n): n for n in range(signal.NSIG)}
        for sig, action in sorted(sh.st.traps.items(), key=lambda kv: order.get(kv[0], 999)):
            out(f"trap -- {quote(action)} {sig}\n")
        return 0
    if len(args) == 1 or _trap_number(args[0]) is not None:
        action, sigs = "-", args
    else:
        action, sigs = args[0], args[1:]
    status = 0
    for name in sigs:
        n = _trap_number(name)
        if n is None:
            sh.error_raw(f"trap: {name}: bad trap\n")
            status = 1
            continue
        key = _trap_key(n)
        if action == "-":
            sh.st.traps.pop(key, None)
        else:
            sh.st.traps[key] = action
        if n:
            _install_trap(sh, n, action)
    return status


def _install_trap(sh: Shell, n: int, action: str) -> None:
    if action == "-":
        handler: signal.Handlers | Callable[[int, object], None] = signal.SIG_DFL
        sh.sigdef.discard(n)
    elif action == "":
        handler = signal.SIG_IGN
    else:
        def handler(signo: int, frame: object) -> None:
            # only noted here; the action runs when the current command is done (as in
            # dash), never in the middle of whatever system call the signal interrupted
            sh.pending_signals.append(signo)
        sh.sigdef.add(n)
    with contextlib.suppress(OSError, ValueError):
        signal.signal(n, handler)
