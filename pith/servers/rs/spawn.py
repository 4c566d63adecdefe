"""rs's hands on processes: start one with derived copies of its caps, end one, stop a server.

Used by the supervisor, the session and the command handlers; touches only the
kernel through the calling thread's gate.
"""

from __future__ import annotations

import contextlib

from pith.kernel.core.errors import KernelError, ProcessDead
from pith.lib.server import Client, ServiceError, Stop, Stopped
from pith.lib.start import caps_arg
from pith.lib.syscall import Gate

__all__ = ["end", "spawn_process", "stop"]


def spawn_process(g: Gate, spawn: int, name: str, program: str, args: tuple[str, ...],
           grants: dict[str, tuple[int, int]], collocated: bool = False,
           badge: int = 0, minted: dict[str, int] | None = None) -> tuple[int, int]:
    """Start `program` with derived copies of `grants` (name -> (slot, rights)), minted
    with `badge` if not 0, or with `minted[name]` for the names there (a service's ds
    cap); the slot of the new process's cap, and its pid."""
    badges = {name: badge or (minted or {}).get(name, 0) for name in grants}
    copies = [g.cap_mint(slot, rights, badges[name]) if badges[name]
              else g.cap_copy(slot, rights) for name, (slot, rights) in grants.items()]
    table = caps_arg({name: i for i, name in enumerate(grants)})
    try:
        created = g.process_create(spawn, name, program, (table, *args), tuple(copies), collocated)
    finally:
        for slot in copies:
            g.cap_delete(slot)
    assert created.slot is not None
    return created.slot, created.id


def end(g: Gate, proc: int) -> None:
    """Kill the process in slot `proc`, wait until it is dead, and delete the cap."""
    dead = g.notification_create()
    try:
        g.process_watch(proc, dead)
        with contextlib.suppress(ProcessDead):
            g.process_kill(proc, -15)
        g.wait(dead)
    finally:
        g.cap_delete(dead)
    g.cap_delete(proc)


def stop(g: Gate, proc: int, endpoints: list[int], grace: float = 5.0) -> None:
    """Ask a server to finish up (Stop on the endpoint it serves), then end it for sure."""
    if not g.process_status(proc).alive:
        return
    for slot in endpoints:
        with contextlib.suppress(KernelError, ServiceError):  # not answering: killed below
            Client(slot, Stopped).call(Stop(), timeout=grace)
    with contextlib.suppress(ProcessDead):  # (it may end by itself, having answered Stop)
        g.process_kill(proc, 0)
