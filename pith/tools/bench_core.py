"""`pith bench core`: the kernel core alone, against a host IPC round trip.

Measures, in one run and as medians of repeated rounds:
- the cost of one call + reply_recv pair through the pure core (client calls,
  server answers and waits again), and so the core's events per second;
- one SOCK_SEQPACKET round trip between two host processes (the floor of any
  IPC Pith does on Linux).
The core must stay well under the round trip (target: under a third), or it
would be the bottleneck of every IPC.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pith.kernel.core import Kernel
from pith.kernel.core import syscalls as sc
from pith.kernel.core.actions import Created, Resume, StartProcess

__all__ = ["core_pair_seconds", "main", "seqpacket_rtt_seconds"]

ROUNDS = 7
TARGET = 1 / 3


def _started(actions: list[object]) -> int:
    return next(a.tid for a in actions if isinstance(a, StartProcess))


def core_pair_seconds(pairs: int) -> float:
    """Seconds per call + reply_recv pair through the core (32-byte messages)."""
    k = Kernel()
    info, _ = k.boot()
    created = k.syscall(info.tid, sc.EndpointCreate())[0]
    assert isinstance(created, Resume) and isinstance(created.result, Created)
    ep = created.result.slot
    assert ep is not None
    server = _started(list(k.syscall(info.tid, sc.ProcessCreate(0, "server", (ep,)))))
    client = _started(list(k.syscall(info.tid, sc.ProcessCreate(0, "client", (ep,)))))
    k.syscall(server, sc.Recv(0))
    call, answer = sc.Call(0, b"q" * 32), sc.ReplyRecv(1, 0, b"a" * 32)
    syscall = k.syscall
    start = time.perf_counter()
    for _ in range(pairs):
        syscall(client, call)
        syscall(server, answer)
    return (time.perf_counter() - start) / pairs


def seqpacket_rtt_seconds(trips: int) -> float:
    """Seconds per 32-byte SOCK_SEQPACKET round trip to an echoing child process."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:  # the echo process
        ours.close()
        while msg := theirs.recv(65536):
            theirs.send(msg)
        os._exit(0)
    theirs.close()
    msg = b"q" * 32
    try:
        start = time.perf_counter()
        for _ in range(trips):
            ours.send(msg)
            ours.recv(65536)
        return (time.perf_counter() - start) / trips
    finally:
        ours.close()
        os.waitpid(pid, 0)


def measure(rounds: int = ROUNDS, pairs: int = 20_000, trips: int = 5_000) -> dict[str, float]:
    """Median timings (seconds) of interleaved rounds of both measurements."""
    core, rtt = [], []
    for _ in range(rounds):
        core.append(core_pair_seconds(pairs))
        rtt.append(seqpacket_rtt_seconds(trips))
    pair, trip = statistics.median(core), statistics.median(rtt)
    return {
        "core_call_reply_us": pair * 1e6,
        "core_events_per_s": 2 / pair,
        "seqpacket_rtt_us": trip * 1e6,
        "ratio": pair / trip,
        "target_ratio": TARGET,
    }


def main(json_path: Path | None = None) -> int:
    result = measure()
    table = Table(title=f"Pith kernel core (medians of {ROUNDS} rounds)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("core: call + reply_recv pair", f"{result['core_call_reply_us']:.2f} µs")
    table.add_row("core: events per second", f"{result['core_events_per_s']:,.0f}")
    table.add_row("host: SOCK_SEQPACKET round trip", f"{result['seqpacket_rtt_us']:.2f} µs")
    verdict = "within" if result["ratio"] < TARGET else "OVER"
    table.add_row("core pair / round trip", f"{result['ratio']:.2f} ({verdict} target < 0.33)")
    Console().print(table)
    if json_path is not None:
        json_path.write_text(json.dumps(result, indent=2) + "\n")
    return 0
