"""rs's supervisor: the restart policy (OTP's one_for_one and rest_for_one), back-off,
heartbeats. Each service's death is a bit of one notification; a dead service is started
again on the same endpoints, unless it died more than `intensity` times in `period`
seconds (docs/design.md, "rs"). Runs on rs's main thread; the command handlers
(commands.py) share its children under `lock`.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from dataclasses import dataclass, field

from pith.kernel.core.errors import ProcessDead, ServerDied, Timeout
from pith.lib.manifest import Service
from pith.lib.server import BadReply, Client, Ping, Pong
from pith.lib.syscall import Gate, gate
from pith.servers.rs.spawn import end, spawn_process

__all__ = ["COMMAND_BIT", "Child", "Supervisor"]

COMMAND_BIT = 1 << 63  # the command's bit in the death notification (services: 1 << n)
STARTUP_GRACE = 1.0  # seconds before a (re)started service's first heartbeat is due
BACKOFF, BACKOFF_MAX = 0.01, 2.0  # seconds before a repeated restart: doubling, capped


@dataclass
class Child:
    """A service rs supervises: how to start it, and its restart history."""

    name: str
    spec: Service
    grants: dict[str, tuple[int, int]]
    bit: int  # its death-notification bit
    badge: int = 0  # the badge on its ds cap (its identity in ds)
    proc: int = -1  # the slot of its process cap
    pid: int = 0
    restarts: list[float] = field(default_factory=list)  # times of recent restarts
    restarted: int = 0  # restarts in all
    last_failure: str = ""
    next_ping: float = 0.0  # when its next heartbeat is due (monotonic seconds)
    stopped: bool = False  # stopped by the operator (`service stop`): not restarted
    by_operator: bool = False  # being restarted by `service restart` (not a failure)
    restart_at: float | None = None  # a restart waiting out its back-off
    failed: bool = False  # the policy gave up on it
    debugged: bool = False  # stopped in pdb (`service debug`): no heartbeats meanwhile


class Supervisor:
    """Starts services, notices their deaths and restarts them, OTP style (one_for_one)."""

    def __init__(self, g: Gate, spawn: int, endpoints: dict[str, int],
                 strategy: str = "one_for_one") -> None:
        self.strategy = strategy
        self.spawn, self.endpoints = spawn, endpoints  # (calls go through the calling
        # thread's own gate: rs's main thread supervises, its second serves `service`)
        self.death = g.notification_create()
        self.children: list[Child] = []
        # Held while either thread reads or changes the children: rs's main thread (deaths,
        # restarts, heartbeats) and the one serving "rs" (service, procfs).
        self.lock = threading.RLock()
        self.command: tuple[str, int] | None = None  # the command running: name, pid

    def start(self, child: Child, reason: str = "fresh") -> None:
        """Start `child`, telling it why (fresh, restart, update: its start_reason)."""
        s = child.spec
        child.proc, child.pid = spawn_process(gate(), self.spawn, child.name, s.program,
                                       (*s.args, f"start={reason}"), child.grants,
                                       s.mode == "collocated",
                                       minted={} if "ds" in s.provides else {"ds": child.badge})
        gate().process_watch(child.proc, self.death, child.bit)
        child.next_ping = time.monotonic() + max(s.heartbeat, STARTUP_GRACE)  # (let it start)

    def next_ping(self) -> float | None:
        """When the next heartbeat is due; None if no service has one."""
        due = [c.next_ping for c in self.children if c.spec.heartbeat and not c.failed]
        return min(due, default=None)

    def heartbeats(self) -> None:
        """Ping every service whose heartbeat is due; one that does not answer in time
        is hung: kill it (its death then restarts it, by policy)."""
        now = time.monotonic()
        for child in self.children:
            with self.lock:
                s, proc = child.spec, child.proc
                skip = (child.failed or child.stopped or proc < 0 or child.next_ping > now
                        or not s.provides or child.by_operator or child.debugged)
                if not s.heartbeat or skip:
                    continue
                child.next_ping = now + s.heartbeat
            try:  # (without the lock: the server may be asking rs something meanwhile)
                ping = Client(self.endpoints[s.provides[0]], Pong)
                ping.call(Ping(), timeout=s.heartbeat_timeout or s.heartbeat)
            except (Timeout, ServerDied, BadReply) as e:
                what = "garbled" if isinstance(e, BadReply) else "missed"
                with self.lock:
                    if child.proc != proc or child.by_operator:
                        continue  # (restarted or being handled meanwhile)
                    print(f"pith: rs: service {child.name} {what} its heartbeat; killing it",
                          file=sys.stderr)
                    child.last_failure = f"{what} its heartbeat"
                    with contextlib.suppress(ProcessDead):
                        gate().process_kill(child.proc, -9)

    def deaths(self, bits: int) -> None:
        """The death notification fired with `bits`: restart whoever died, by policy."""
        for child in self.children:
            busy = child.failed or child.stopped or child.by_operator or child.proc < 0
            if bits & child.bit and not busy:
                status = gate().process_status(child.proc)
                if not status.alive:
                    self.restart(child, status.status or 0)

    def restart(self, child: Child, status: int) -> None:
        gate().cap_delete(child.proc)
        child.proc = -1  # no process until it is started again
        if not child.last_failure.endswith("its heartbeat"):
            child.last_failure = f"exit status {status}"
        policy = child.spec.restart
        if policy == "temporary" or (policy == "transient" and status == 0):
            child.failed = True
            return
        now, spec = time.monotonic(), child.spec
        child.restarts = [t for t in child.restarts if now - t < spec.period] + [now]
        if len(child.restarts) > spec.intensity:
            print(f"pith: rs: service {child.name} died {len(child.restarts)} times in "
                  f"{spec.period:g} s (last status {status}); not restarting it",
                  file=sys.stderr)
            child.failed = True
            return
        print(f"pith: rs: service {child.name} died (status {status}); restarting it",
              file=sys.stderr)
        child.restarted += 1
        repeat = len(child.restarts) - 1  # the first restart is at once, then back off
        child.restart_at = now + (min(BACKOFF * 2 ** (repeat - 1), BACKOFF_MAX) if repeat else 0)
        if self.strategy == "rest_for_one":
            self.stop_rest(child)
        self.restart_due()

    def stop_rest(self, child: Child) -> None:
        """rest_for_one: end every running server started after `child`; each starts again,
        in order, right after it (`restart_due` goes through the children in order)."""
        g = gate()
        for later in self.children[self.children.index(child) + 1:]:
            if later.proc < 0 or later.failed or later.stopped:
                continue
            later.by_operator = True  # (this death is ours, not a failure)
            end(g, later.proc)
            later.proc, later.by_operator = -1, False
            later.restart_at, later.restarted = child.restart_at, later.restarted + 1
            print(f"pith: rs: restarting {later.name} after {child.name} (rest_for_one)",
                  file=sys.stderr)

    def restart_due(self) -> None:
        """Start the children whose back-off is over."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None and child.restart_at <= now:
                child.restart_at = None
                self.start(child, "restart")

    def restarts_of(self, names: tuple[str, ...] | list[str]) -> int:
        return sum(c.restarted for c in self.children if c.name in names)

    def given_up(self, names: tuple[str, ...] | list[str]) -> bool:
        return any(c.failed for c in self.children if c.name in names)

    def tend(self, g: Gate) -> None:
        """Wait for a death or until rs must act (a heartbeat, a restart due); act."""
        due = self.next_event()
        try:
            bits = g.wait(self.death, None if due is None else max(0.0, due - time.monotonic()))
        except Timeout:
            bits = 0
        with self.lock:
            self.deaths(bits)
            self.restart_due()
        self.heartbeats()

    def next_event(self) -> float | None:
        """When rs must act next though nothing happens: a heartbeat or a restart due."""
        due = [c.restart_at for c in self.children if c.restart_at is not None]
        ping = self.next_ping()
        return min([*due, *([ping] if ping is not None else [])], default=None)
