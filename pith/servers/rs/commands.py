"""rs's command handlers: its own endpoint ("rs"), served by its second thread.

What procfs shows (services, processes, IPC counts), the `service` command's
restart, stop, start, debug and live update, and `pith inject`'s faults. Every
handler runs holding the supervisor's lock (but a debug session, which lets go).
"""

from __future__ import annotations

import contextlib
import sys
import time

import msgspec

from pith.kernel.core.errors import KernelError, ServerDied, Timeout
from pith.kernel.core.rights import WRITE
from pith.lib.debug import Debug, Debugged
from pith.lib.manifest import Service
from pith.lib.server import (
    INJECT_BADGE,
    Caller,
    Client,
    Inject,
    Injected,
    Ping,
    Pong,
    Prepare,
    Prepared,
    Server,
    ServiceError,
)
from pith.lib.syscall import gate
from pith.protocols.rs import (
    COMMAND_BADGE,
    Counts,
    DebugService,
    InjectFault,
    IpcCounts,
    Processes,
    ProcessTable,
    Restart,
    RsRequest,
    ServiceRow,
    Services,
    ServiceTable,
    StartService,
    StopService,
    Update,
)
from pith.protocols.tty import Done, Lend
from pith.servers.rs.spawn import end, stop
from pith.servers.rs.supervisor import Child, Supervisor

__all__ = ["Queries"]

PREPARE_GRACE = 10.0  # seconds a server has to answer Prepare (save, flush) in an update
PROBATION = 5.0  # seconds the new code of a live update has to answer a Ping


class Queries(Server):
    """rs's own endpoint ("rs"), served by its second thread: what procfs shows."""

    requests = RsRequest
    endpoint = "rs"

    def __init__(self, caps: dict[str, int], args: tuple[str, ...], supervisor: Supervisor,
                 trace: int) -> None:
        self.supervisor, self.trace = supervisor, trace
        super().__init__(caps, args)

    def dispatch(self, msg: bytes, caller: Caller) -> bytes | None:
        with self.supervisor.lock:
            return super().dispatch(msg, caller)

    def do_services(self, request: Services, caller: Caller) -> ServiceTable:
        rows = []
        for child in self.supervisor.children:
            try:
                alive = child.proc >= 0 and self.gate_of().process_status(child.proc).alive
            except KernelError:  # (the main thread deleted the cap of one that just died)
                alive = False
            state = ("stopped" if child.stopped else "failed" if child.failed
                     else "running" if alive else "dead")
            rows.append(ServiceRow(child.name, child.pid, child.spec.mode, state,
                                   child.restarted, child.last_failure))
        return ServiceTable(rows)

    def do_processes(self, request: Processes, caller: Caller) -> ProcessTable:
        rows = [(c.pid, c.name, "service") for c in self.supervisor.children if not c.failed]
        if self.supervisor.command is not None:
            name, pid = self.supervisor.command
            rows.append((pid, name, "command"))
        return ProcessTable(sorted(rows))

    def do_ipc_counts(self, request: IpcCounts, caller: Caller) -> Counts:
        return Counts(self.gate_of().trace_read(self.trace, 1).counts)

    def _child(self, name: str) -> Child:
        for child in self.supervisor.children:
            if child.name == name:
                return child
        raise ServiceError("ENOENT", f"no service {name!r}")

    def do_restart(self, request: Restart, caller: Caller) -> ServiceTable:
        child = self._child(request.name)
        if child.failed or child.stopped or child.proc < 0:
            raise ServiceError("EINVAL", f"{request.name} is not running: start it")
        g = self.gate_of()
        child.by_operator = True  # (rs's main thread leaves this death to us)
        end(g, child.proc)
        self.supervisor.start(child, "restart")
        child.restarted += 1
        child.by_operator = False
        return self.do_services(Services(), caller)

    def do_stop_service(self, request: StopService, caller: Caller) -> ServiceTable:
        child = self._child(request.name)
        child.restart_at = None  # (a restart waiting out its back-off is called off)
        if child.proc < 0:
            child.stopped = True
        elif not (child.failed or child.stopped):
            child.stopped = True
            provides = child.spec.provides[:1]
            stop(self.gate_of(), child.proc, [self.supervisor.endpoints[e] for e in provides])
        return self.do_services(Services(), caller)

    def do_inject_fault(self, request: InjectFault, caller: Caller) -> Injected:
        if caller.badge != COMMAND_BADGE:
            raise ServiceError("EPERM", "only the command rs runs may inject faults")
        child = self._child(request.name)
        if child.failed or child.stopped or child.proc < 0 or not child.spec.provides:
            raise ServiceError("EAGAIN", f"{request.name} is not running")
        endpoint = self.supervisor.endpoints[child.spec.provides[0]]
        g = self.gate_of()
        slot = g.cap_mint(endpoint, WRITE, INJECT_BADGE)
        try:
            done: Injected = Client(slot, Injected).call(Inject(request.kind), timeout=2.0)
            return done
        except (Timeout, ServerDied) as e:
            raise ServiceError("EAGAIN", f"{request.name} did not take the fault: {e}") from None
        finally:
            g.cap_delete(slot)

    def do_debug_service(self, request: DebugService, caller: Caller) -> ServiceTable:
        """Lend the host terminal to pdb in the server (tty gives it up meanwhile); the
        supervisor goes on without waiting for the session (the lock is let go)."""
        child = self._child(request.name)
        if child.failed or child.stopped or child.proc < 0 or not child.spec.provides:
            raise ServiceError("EINVAL", f"{request.name} is not running")
        if child.spec.mode == "collocated":
            raise ServiceError("EINVAL", f"{request.name} runs in the kernel: pdb there would "
                               "stop the kernel")
        endpoints, g = self.supervisor.endpoints, self.gate_of()
        tty = Client(endpoints["tty"], Done) if "tty" in endpoints and request.name != "tty" \
            else None
        slot = g.cap_mint(endpoints[child.spec.provides[0]], WRITE, INJECT_BADGE)
        child.debugged = True
        lock = self.supervisor.lock
        lock.release()  # (held once, by dispatch: deaths and restarts go on meanwhile)
        try:
            if tty is not None:
                tty.call(Lend(True))
            Client(slot, Debugged).call(Debug(request.next))
        except (KernelError, ServiceError) as e:
            raise ServiceError("EIO", f"debugging {request.name}: {e}") from None
        finally:
            if tty is not None:
                with contextlib.suppress(KernelError, ServiceError):
                    tty.call(Lend(False))
            lock.acquire()
            child.debugged = False
            child.next_ping = time.monotonic() + child.spec.heartbeat
            g.cap_delete(slot)
        return self.do_services(Services(), caller)

    def do_start_service(self, request: StartService, caller: Caller) -> ServiceTable:
        child = self._child(request.name)
        if child.failed or child.stopped:
            if child.proc >= 0:
                gate().cap_delete(child.proc)  # (a stopped child's dead process cap)
                child.proc = -1
            child.failed = child.stopped = False
            child.restarts = []
            self.supervisor.start(child)
        return self.do_services(Services(), caller)

    def do_update(self, request: Update, caller: Caller) -> ServiceTable:
        child = self._child(request.name)
        program = request.program or ""
        if caller.badge > COMMAND_BADGE and program and not program.startswith("pith."):
            # (a user process — pm's badges are above rs's command badge — may not have a
            # server, with its caps and devices, run a host file of its choosing)
            raise ServiceError("EPERM", "from a Pith process, new code must be one of Pith's "
                               f"own modules (pith.…), not {program!r}")
        if child.failed or child.stopped or child.proc < 0 or child.by_operator:
            raise ServiceError("EINVAL", f"{request.name} is not running")
        if not child.spec.provides:
            raise ServiceError("EINVAL", f"{request.name} serves no endpoint to quiesce")
        old = child.spec
        new = msgspec.structs.replace(old, program=request.program or old.program)
        child.by_operator = True  # (rs's main thread leaves its deaths to us meanwhile)
        try:
            self._quiesce(child)
            why = self._swap(child, new)
            if why:
                print(f"pith: rs: update of {child.name} failed: the new code {why}; "
                      "rolling back", file=sys.stderr)
                child.last_failure = f"update failed: {why}"
                again = self._swap(child, old)
                if again:
                    print(f"pith: rs: {child.name} rolled back {again} too", file=sys.stderr)
                raise ServiceError("ENOEXEC", f"{child.name}: the new code {why}; "
                                   f"rolled back to {old.program}")
        finally:
            child.by_operator = False
            if child.proc < 0:  # (nothing runs: the policy decides, on rs's main thread)
                child.restart_at = time.monotonic()
            if child.proc < 0 or not gate().process_status(child.proc).alive:
                gate().signal(self.supervisor.death, child.bit)
        print(f"pith: rs: service {child.name} updated to {new.program}", file=sys.stderr)
        return self.do_services(Services(), caller)

    def _quiesce(self, child: Child) -> None:
        """Have the server save its state and stop receiving (`Prepare`); end it."""
        endpoint = self.supervisor.endpoints[child.spec.provides[0]]
        try:
            Client(endpoint, Prepared).call(Prepare(), timeout=PREPARE_GRACE)
        except ServiceError as e:
            raise ServiceError(e.error, f"{child.name} cannot hand over: {e.message}") from None
        except (Timeout, ServerDied) as e:
            raise ServiceError("EBUSY", f"{child.name} did not prepare: {e}") from None
        end(gate(), child.proc)
        child.proc = -1

    def _swap(self, child: Child, spec: Service) -> str:
        """Start `spec` for `child` (reason update); "" if it answers a Ping within
        PROBATION seconds, else why not (it is ended then)."""
        g, child.spec = gate(), spec
        try:
            self.supervisor.start(child, "update")
        except KernelError as e:
            return f"could not start ({e})"
        ping = Client(self.supervisor.endpoints[spec.provides[0]], Pong)
        deadline = time.monotonic() + PROBATION
        while time.monotonic() < deadline:
            state = g.process_status(child.proc)
            if not state.alive:
                end(g, child.proc)
                child.proc = -1
                return f"exited with status {state.status}"
            with contextlib.suppress(Timeout, ServerDied):
                ping.call(Ping(), timeout=0.2)
                return ""
        end(g, child.proc)
        child.proc = -1
        return f"did not answer a ping in {PROBATION:g} s"
