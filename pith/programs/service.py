"""service list | restart NAME | stop NAME | start NAME | update NAME [--code PROGRAM]:
the operator's handle on servers (the same as pith/bin/service.py, for the small systems).

Asks rs (through its `rs` endpoint) and prints the service table:
name, pid, mode, state (running, stopped, failed, dead), restarts, last failure.
"""

from __future__ import annotations

import sys

from pith.lib.server import Client, ServiceError
from pith.lib.start import Context
from pith.protocols.rs import (
    Restart,
    RsReply,
    Services,
    ServiceTable,
    StartService,
    StopService,
    Update,
)

__all__ = ["main"]

USAGE = ("usage: service list | service restart|stop|start NAME"
         " | service update NAME [--code PROGRAM]")


def main(ctx: Context) -> int:
    args = list(ctx.args)
    if args[:1] == ["--help"]:
        print(USAGE)
        return 0
    actions: dict[str, type[Restart] | type[StopService] | type[StartService]] = {
        "restart": Restart, "stop": StopService, "start": StartService}
    request: Services | Restart | StopService | StartService | Update
    if args == ["list"] or not args:
        request = Services()
    elif len(args) == 2 and args[0] in actions:
        request = actions[args[0]](args[1])
    elif args[:1] == ["update"] and len(args) in (2, 4) and args[2:3] in ([], ["--code"]):
        request = Update(args[1], args[3] if len(args) == 4 else None)
    else:
        print(f"service: bad arguments: {' '.join(args)}\n{USAGE}", file=sys.stderr)
        return 2
    if "rs" not in ctx.caps:
        print("service: no rs endpoint in this process's caps", file=sys.stderr)
        return 1
    try:
        table: ServiceTable = Client(ctx.caps["rs"], RsReply).call(request)
    except ServiceError as e:
        print(f"service: {e.message}", file=sys.stderr)
        return 1
    print(f"{'NAME':<10} {'PID':>5} {'MODE':<10} {'STATE':<8} {'RESTARTS':>8}  LAST FAILURE")
    for r in table.rows:
        print(f"{r.name:<10} {r.pid:>5} {r.mode:<10} {r.state:<8} {r.restarts:>8}  "
              f"{r.last_failure or '-'}")
    return 0
