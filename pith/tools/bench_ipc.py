"""`pith bench ipc`: Pith's IPC and spawn against the host's, in one run.

Inside Pith (a kernel booted with this module's `root` as its root program):
- a null call + reply from a client to a server in its own sandboxed process
  (client → kernel → server → kernel → client), and to the same server
  collocated in the kernel;
- spawning a process from the zygote until its death is seen.
On the host, in plain Python, the floors it is judged by:
- a SOCK_SEQPACKET round trip between two processes;
- a two-hop relay: client → relay process → server and back;
- fork() + exit + wait, and a fresh `python -c pass`.
Every figure is the median of several rounds.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import msgspec

from pith.lib.start import Context, caps_arg
from pith.protocols.null import Null

__all__ = ["main", "root"]

ROUNDS = 5
CALLS = 3000
SPAWNS = 40
ROOT = "'pith.tools.bench_ipc:root'"


def _calls(g: object, slot: int) -> float:
    from pith.lib.syscall import Gate

    assert isinstance(g, Gate)
    msg = msgspec.msgpack.encode(Null())
    for _ in range(100):
        g.call(slot, msg)
    start = time.perf_counter()
    for _ in range(CALLS):
        g.call(slot, msg)
    return (time.perf_counter() - start) / CALLS


def root(ctx: Context) -> int:
    """The benchmark's root program: measure inside Pith, print JSON."""
    g, spawn = ctx.gate, ctx.caps["spawn"]
    ep = g.endpoint_create()
    server_cap = g.cap_copy(ep, 1)
    results: dict[str, list[float]] = {"isolated": [], "collocated": [], "spawn": []}
    for mode in ("isolated", "collocated"):
        proc = g.process_create(spawn, "null", "pith.servers.null.server:NullServer",
                                (caps_arg({"null": 0}),), (server_cap,), mode == "collocated")
        assert proc.slot is not None
        results[mode] = [_calls(g, ep) for _ in range(ROUNDS)]
        g.process_kill(proc.slot, 0)
        g.cap_delete(proc.slot)
    death = g.notification_create()
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(SPAWNS):
            proc = g.process_create(spawn, "nothing", "pith.servers.null.server:nothing")
            assert proc.slot is not None
            g.process_watch(proc.slot, death)
            g.wait(death)
            g.cap_delete(proc.slot)
        results["spawn"].append((time.perf_counter() - start) / SPAWNS)
    print(json.dumps({k: statistics.median(v) for k, v in results.items()}))
    return 0


def _echo(sock: socket.socket) -> None:
    while msg := sock.recv(65536):
        sock.send(msg)


def _relay(inner: socket.socket, outer: socket.socket) -> None:
    while msg := outer.recv(65536):
        inner.send(msg)
        outer.send(inner.recv(65536))


def _round_trips(hops: int, trips: int = 5000) -> float:
    """Seconds per round trip through `hops` - 1 relay processes to an echo process."""
    near, far = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    children, ends = [], [far]
    for _ in range(hops - 1):
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        ends += [a, b]
    for i in range(hops):
        pid = os.fork()
        if pid == 0:
            mine = ends[2 * i: 2 * i + 2]
            for s in [near, *ends]:
                if s not in mine:
                    s.close()
            _echo(mine[0]) if len(mine) == 1 else _relay(mine[1], mine[0])
            os._exit(0)
        children.append(pid)
    for s in ends:
        s.close()
    try:
        start = time.perf_counter()
        for _ in range(trips):
            near.send(b"q" * 32)
            near.recv(65536)
        return (time.perf_counter() - start) / trips
    finally:
        near.close()
        for pid in children:
            os.waitpid(pid, 0)


def _fork_exit(n: int = 200) -> float:
    start = time.perf_counter()
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
    return (time.perf_counter() - start) / n


def _python_pass(n: int = 5) -> float:
    start = time.perf_counter()
    for _ in range(n):
        subprocess.run([sys.executable, "-c", "pass"], check=True)
    return (time.perf_counter() - start) / n


def measure() -> dict[str, float]:
    """Every figure, in seconds (medians)."""
    code = f"from pith.kernel.host import boot; raise SystemExit(boot({ROOT}, ()))"
    inside = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=600)
    pith = json.loads(inside.stdout.strip().splitlines()[-1])
    return {
        "pith_call_isolated": pith["isolated"],
        "pith_call_collocated": pith["collocated"],
        "seqpacket_round_trip": statistics.median(_round_trips(1) for _ in range(ROUNDS)),
        "two_hop_relay": statistics.median(_round_trips(2) for _ in range(ROUNDS)),
        "pith_spawn": pith["spawn"],
        "host_fork_exit": statistics.median(_fork_exit() for _ in range(ROUNDS)),
        "host_python_pass": statistics.median(_python_pass() for _ in range(3)),
    }


def main(json_path: Path | None = None) -> int:
    from rich.console import Console
    from rich.table import Table

    r = measure()
    table = Table(title=f"Pith IPC and spawn (medians of {ROUNDS} rounds)")
    for column in ("measure", "µs", "ratio", "target"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    iso = r["pith_call_isolated"] / r["two_hop_relay"]
    colo = r["pith_call_collocated"] / r["seqpacket_round_trip"]
    us = {k: f"{v * 1e6:,.1f}" for k, v in r.items()}
    table.add_row("Pith null call, server isolated", us["pith_call_isolated"],
                  f"{iso:.2f}× relay", "≤ 1.5×")
    table.add_row("Pith null call, server collocated", us["pith_call_collocated"],
                  f"{colo:.2f}× round trip", "≤ 1.5×")
    table.add_row("host SOCK_SEQPACKET round trip", us["seqpacket_round_trip"], "1", "")
    table.add_row("host two-hop relay", us["two_hop_relay"], "1", "")
    table.add_row("Pith spawn (zygote) to death", us["pith_spawn"],
                  f"{r['pith_spawn'] / r['host_fork_exit']:.1f}× fork", "")
    table.add_row("host fork + exit + wait", us["host_fork_exit"], "1", "")
    table.add_row("host fresh python -c pass", us["host_python_pass"],
                  f"{r['host_python_pass'] / r['host_fork_exit']:.1f}× fork", "")
    Console().print(table)
    if json_path is not None:
        json_path.write_text(json.dumps(r | {"isolated_vs_relay": iso,
                                             "collocated_vs_round_trip": colo}, indent=2) + "\n")
    return 0
