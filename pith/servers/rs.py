"""rs, the reincarnation server: the root process that starts the system.

For now (issue 4) it does the boot part of rs's job: it creates one endpoint
per name the manifest's servers provide (it keeps the originals, so the
endpoints outlive the servers), starts the servers in dependency order,
giving each only the caps the manifest names (READ on what it provides,
WRITE|GRANT on what it uses, its devices), runs the command, waits for it to
die, stops the servers in reverse order (a `Stop` request on the first endpoint
each provides, so file systems flush; then kill) and exits with the command's
status. Restart policies, heartbeats
and live update come with issue 7.

Arguments: its caps table (from the kernel), the manifest (checked, as JSON), then the
command's words. A command word NAME runs the program `pith.bin.NAME:main`.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from pith.kernel.core.errors import KernelError, ProcessDead
from pith.kernel.core.rights import GRANT, READ, WRITE
from pith.lib.manifest import Manifest, ManifestError
from pith.lib.server import Client, ServiceError, Stop, Stopped
from pith.lib.start import Context, caps_arg
from pith.lib.syscall import Gate

__all__ = ["COMMAND_BADGE", "main", "run_command"]

COMMAND_BADGE = 1000  # the badge on the caps of the command rs runs


def _spawn(g: Gate, spawn: int, name: str, program: str, args: tuple[str, ...],
           grants: dict[str, tuple[int, int]], collocated: bool = False, badge: int = 0) -> int:
    """Start `program` with derived copies of `grants` (name -> (slot, rights)), minted
    with `badge` if not 0; the slot of the new process."""
    if badge:
        copies = [g.cap_mint(slot, rights, badge) for slot, rights in grants.values()]
    else:
        copies = [g.cap_copy(slot, rights) for slot, rights in grants.values()]
    table = caps_arg({name: i for i, name in enumerate(grants)})
    try:
        created = g.process_create(spawn, name, program, (table, *args), tuple(copies), collocated)
    finally:
        for slot in copies:
            g.cap_delete(slot)
    assert created.slot is not None
    return created.slot


def run_command(g: Gate, spawn: int, words: tuple[str, ...], endpoints: dict[str, int],
                badge: int = COMMAND_BADGE) -> int:
    """Run one command to its end; its exit status (127: no such program). Its caps
    carry `badge`, so servers know who calls and the command cannot pose as another."""
    name, program = words[0], f"pith.bin.{words[0]}:main"
    if name.endswith(".py"):  # a program file (made absolute by `pith boot`)
        return _run(g, spawn, Path(name).stem, f"{name}:main", words[1:], endpoints, badge)
    if not name.isidentifier():
        print(f"pith: {name}: not found", file=sys.stderr)
        return 127
    try:
        __import__(f"pith.bin.{name}")
    except ImportError:
        print(f"pith: {name}: not found", file=sys.stderr)
        return 127
    return _run(g, spawn, name, program, words[1:], endpoints, badge)


def _run(g: Gate, spawn: int, name: str, program: str, args: tuple[str, ...],
         endpoints: dict[str, int], badge: int) -> int:
    grants = {e: (slot, WRITE | GRANT) for e, slot in endpoints.items()}
    proc = _spawn(g, spawn, name, program, args, grants, badge=badge)
    death = g.notification_create()
    g.process_watch(proc, death)
    g.wait(death)
    status = g.process_status(proc).status
    g.cap_delete(proc)
    g.cap_delete(death)
    return 0 if status is None else status


def main(ctx: Context) -> int:
    g, spawn = ctx.gate, ctx.caps["spawn"]
    try:
        manifest = Manifest.from_json(ctx.args[0])
    except (IndexError, ManifestError) as e:
        print(f"pith: {e}", file=sys.stderr)
        return 2
    endpoints = {name: g.endpoint_create() for name in manifest.endpoints()}
    servers = []
    for name in manifest.order():
        s = manifest.servers[name]
        grants = {e: (endpoints[e], READ) for e in s.provides}
        grants |= {e: (endpoints[e], WRITE | GRANT) for e in s.uses}
        missing = [d for d in s.devices if d not in ctx.caps]
        if missing:
            print(f"pith: server {name} needs device {missing[0]}, which this boot lacks"
                  " (pith boot --image IMAGE gives the disk)", file=sys.stderr)
            return 2
        grants |= {d: (ctx.caps[d], READ | WRITE) for d in s.devices}
        collocated = s.mode == "collocated"
        servers.append((name, _spawn(g, spawn, name, s.program, tuple(s.args), grants,
                                     collocated)))
    status = run_command(g, spawn, ctx.args[1:], endpoints) if len(ctx.args) > 1 else 0
    for name, proc in reversed(servers):
        stop(g, proc, [endpoints[e] for e in manifest.servers[name].provides[:1]])
    return status


def stop(g: Gate, proc: int, endpoints: list[int], grace: float = 5.0) -> None:
    """Ask a server to finish up (Stop on the endpoint it serves), then end it for sure."""
    if not g.process_status(proc).alive:
        return
    for slot in endpoints:
        with contextlib.suppress(KernelError, ServiceError):  # not answering: killed below
            Client(slot, Stopped).call(Stop(), timeout=grace)
    with contextlib.suppress(ProcessDead):  # (it may end by itself, having answered Stop)
        g.process_kill(proc, 0)
