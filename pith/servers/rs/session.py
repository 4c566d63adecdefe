"""rs's session: the command, or pm's init, run to its end while the supervisor tends.

`run_command` runs a program with caps badged COMMAND_BADGE (a system without pm);
`run_init` has pm start init, and starts a new session when pm or vfs dies.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from pathlib import Path

from pith.kernel.core.errors import KernelError
from pith.kernel.core.rights import GRANT, WRITE
from pith.lib.server import Client, ServiceError
from pith.lib.syscall import Gate, gate, with_gate
from pith.protocols.pm import PmReply, RunInit
from pith.protocols.rs import COMMAND_BADGE
from pith.servers.rs.spawn import spawn_process
from pith.servers.rs.supervisor import COMMAND_BIT, Supervisor

__all__ = ["run_command", "run_init"]


def run_command(g: Gate, spawn: int, words: tuple[str, ...], endpoints: dict[str, int],
                badge: int = COMMAND_BADGE, supervisor: Supervisor | None = None) -> int:
    """Run one command to its end; its exit status (127: no such program). Its caps
    carry `badge`, so servers know who calls and the command cannot pose as another."""
    name, program = words[0], f"pith.programs.{words[0]}:main"
    if name.endswith(".py"):  # a program file (made absolute by `pith boot`)
        return _run(g, spawn, Path(name).stem, f"{name}:main", words[1:], endpoints, badge,
                    supervisor)
    if not name.isidentifier():
        print(f"pith: {name}: not found", file=sys.stderr)
        return 127
    try:
        __import__(f"pith.programs.{name}")
    except ImportError:
        print(f"pith: {name}: not found", file=sys.stderr)
        return 127
    return _run(g, spawn, name, program, words[1:], endpoints, badge, supervisor)


def _run(g: Gate, spawn: int, name: str, program: str, args: tuple[str, ...],
         endpoints: dict[str, int], badge: int, supervisor: Supervisor | None = None) -> int:
    grants = {e: (slot, WRITE | GRANT) for e, slot in endpoints.items()}
    proc, pid = spawn_process(g, spawn, name, program, args, grants, badge=badge)
    if supervisor is not None:
        supervisor.command = (name, pid)
    death = supervisor.death if supervisor else g.notification_create()
    g.process_watch(proc, death, COMMAND_BIT)
    while g.process_status(proc).alive:
        if supervisor is not None:
            supervisor.tend(g)
        else:
            g.wait(death)
    status = g.process_status(proc).status
    g.cap_delete(proc)
    if supervisor is None:
        g.cap_delete(death)
    return 0 if status is None else status


INIT = "/boot/bin/init.py"  # the first user process, from the boot file system


SESSION_SERVERS = ("pm", "vfs")  # their death takes every user process's state with it
MAX_SESSIONS = 5  # new sessions after such deaths, before rs gives up and shuts down


def run_init(g: Gate, pm: int, words: tuple[str, ...], supervisor: Supervisor) -> int:
    """Have pm start init (with `words` as its arguments: the command line, if any),
    supervising the services meanwhile; init's exit status (a signal s: 128 + s).

    pm and vfs hold every user process's state (its process, its descriptors), so when
    one of them dies the session dies with it. rs restarts the server, as any other,
    and then starts a new session on the console (an interactive boot), or ends the
    boot with status 1 and says why (a `--command` line is not run twice)."""
    for _ in range(MAX_SESSIONS):
        before = supervisor.restarts_of(SESSION_SERVERS)
        status, lost = _session(g, pm, words, supervisor)
        if not lost and supervisor.restarts_of(SESSION_SERVERS) == before:
            return status
        if words or supervisor.given_up(SESSION_SERVERS):
            print("pith: rs: the command's processes were lost when pm or vfs died",
                  file=sys.stderr)
            return 1
        print("pith: rs: pm or vfs died, and every user process with it; starting a new "
              "session", file=sys.stderr)
    return 1


def _session(g: Gate, pm: int, words: tuple[str, ...],
             supervisor: Supervisor) -> tuple[int, bool]:
    """One session: init's exit status, and whether pm lost it (died first)."""
    result: list[tuple[int, bool]] = []
    asker = g.thread_create()  # pm answers when init has exited: wait on another thread

    def ask() -> None:
        try:
            waited = Client(pm, PmReply).call(RunInit(INIT, ["init", *words], {}))
            code = os.waitstatus_to_exitcode(waited.status)
            result.append((code if code >= 0 else 128 - code, False))
        except (KernelError, ServiceError) as e:
            print(f"pith: rs: init ended with pm: {e}", file=sys.stderr)
            result.append((1, True))
        with contextlib.suppress(KernelError):
            gate().signal(supervisor.death, COMMAND_BIT)

    threading.Thread(target=with_gate(asker, ask), daemon=True).start()
    while not result and not supervisor.given_up(["pm"]):
        supervisor.tend(g)
    return result[0] if result else (1, True)
