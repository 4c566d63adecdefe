"""rs's entry point: create the endpoints, start the services in order, run the session,
stop the services in reverse order, exit with the command's status.

Arguments: its caps table (from the kernel), the manifest (checked, as JSON), then the
command's words. A command word NAME runs the program `pith.programs.NAME:main`.
"""

from __future__ import annotations

import sys
import threading

from pith.kernel.core.rights import GRANT, READ, WRITE
from pith.lib.manifest import Manifest, ManifestError
from pith.lib.server import serve
from pith.lib.start import Context
from pith.lib.syscall import with_gate
from pith.servers.rs.commands import Queries
from pith.servers.rs.session import run_command, run_init
from pith.servers.rs.spawn import stop
from pith.servers.rs.supervisor import Child, Supervisor

__all__ = ["main"]


def main(ctx: Context) -> int:
    g, spawn = ctx.gate, ctx.caps["spawn"]
    try:
        manifest = Manifest.from_json(ctx.args[0])
    except (IndexError, ManifestError) as e:
        print(f"pith: {e}", file=sys.stderr)
        return 2
    endpoints = {name: g.endpoint_create() for name in [*manifest.endpoints(), "rs"]}
    supervisor = Supervisor(g, spawn, endpoints, manifest.strategy)
    queries = Queries(ctx.caps, (), supervisor, ctx.caps["trace"])
    server = g.thread_create()  # a second thread answers questions about the system
    threading.Thread(target=with_gate(server, lambda: serve(queries, endpoints["rs"])),
                     daemon=True).start()
    absent = {e for s in manifest.servers.values() if s.optional
              and any(d not in ctx.caps for d in s.devices) for e in s.provides}
    for bit, name in enumerate(manifest.order()):
        s = manifest.servers[name]
        if absent.intersection(s.provides):
            continue  # (an optional server without its devices: eth on a boot without --net)
        grants = {e: (endpoints[e], READ) for e in s.provides}  # (provides and uses: both)
        grants |= {e: (endpoints[e], WRITE | GRANT | grants.get(e, (0, 0))[1])
                   for e in s.uses if e not in absent}
        wanted = (("device", s.devices), ("kernel cap", s.kernel))
        missing = [f"{kind} {d}" for kind, names in wanted for d in names if d not in ctx.caps]
        if missing:
            print(f"pith: server {name} needs {missing[0]}, which this boot lacks"
                  " (pith boot --image IMAGE gives the disk)", file=sys.stderr)
            return 2
        grants |= {d: (ctx.caps[d], READ | WRITE) for d in [*s.devices, *s.kernel]}
        child = Child(name, s, grants, 1 << bit, badge=1 + bit)
        supervisor.children.append(child)
        supervisor.start(child)
    status = 0
    if "pm" in endpoints:  # a system with a process manager: pm runs init, init the command
        status = run_init(g, endpoints["pm"], ctx.args[1:], supervisor)
    elif len(ctx.args) > 1:
        status = run_command(g, spawn, ctx.args[1:], endpoints, supervisor=supervisor)
    for child in reversed(supervisor.children):
        if child.proc >= 0 and not (child.failed or child.stopped):
            stop(g, child.proc, [endpoints[e] for e in child.spec.provides[:1]])
    return status
