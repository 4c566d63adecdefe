"""service: the operator's handle on Pith's servers (through rs's `rs` endpoint).

    service list                 name, pid, mode, state, restarts, last failure
    service restart|stop|start NAME
    service update NAME [--code PROGRAM]
                                 live update: NAME hands its state over (through ds)
                                 to PROGRAM ("module:Class", or a file on the host
                                 "/path/file.py:Class"), or to its own code on disk;
                                 queued requests go to the new code; if it fails to
                                 start, rs rolls back to the old one (exit status 1)
    service debug NAME [--next]  pdb inside the running server, on the host terminal:
                                 `self` is the server, stopped; `c` lets it go on
                                 (--next: pdb from the first line of the next request
                                 it handles, until that request is answered)

A Pith command, so it uses Pith's own library: the caps table of this process
(pm gives every process an `rs` cap) and the rs protocol. It does not run on the host.
"""

from __future__ import annotations

import sys

USAGE = ("Usage: service list | service restart|stop|start NAME"
         " | service update NAME [--code PROGRAM] | service debug NAME [--next]")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--help"]:
        print(USAGE)
        return 0
    try:
        from pith.lib.posix.services import services
        from pith.lib.server import Client, ServiceError
        from pith.protocols import rs
        caps = services().caps
    except (ImportError, RuntimeError):
        print("service: only runs inside Pith", file=sys.stderr)
        return 1
    actions = {"restart": rs.Restart, "stop": rs.StopService, "start": rs.StartService}
    if argv in ([], ["list"]):
        request: object = rs.Services()
    elif len(argv) == 2 and argv[0] in actions:
        request = actions[argv[0]](argv[1])
    elif argv[:1] == ["update"] and len(argv) in (2, 4) and argv[2:3] in ([], ["--code"]):
        request = rs.Update(argv[1], argv[3] if len(argv) == 4 else None)
    elif argv[:1] == ["debug"] and len(argv) in (2, 3) and argv[2:3] in ([], ["--next"]):
        request = rs.DebugService(argv[1], len(argv) == 3)
    else:
        print(f"service: bad arguments: {' '.join(argv)}\n{USAGE}", file=sys.stderr)
        return 2
    if "rs" not in caps:
        print("service: this process has no rs cap", file=sys.stderr)
        return 1
    try:
        table = Client(caps["rs"], rs.RsReply).call(request)  # type: ignore[arg-type]
    except ServiceError as e:
        print(f"service: {e.message}", file=sys.stderr)
        return 1
    if isinstance(request, rs.DebugService):
        return 0
    print(f"{'NAME':<10} {'PID':>5} {'MODE':<10} {'STATE':<8} {'RESTARTS':>8}  LAST FAILURE")
    for r in table.rows:
        print(f"{r.name:<10} {r.pid:>5} {r.mode:<10} {r.state:<8} {r.restarts:>8}  "
              f"{r.last_failure or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
