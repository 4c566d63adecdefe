"""rs, the reincarnation server: the root process that starts the system.

It creates one endpoint
per name the manifest's servers provide (it keeps the originals, so the
endpoints outlive the servers), starts the servers in dependency order,
giving each only the caps the manifest names (READ on what it provides,
WRITE|GRANT on what it uses, its devices), runs the command, waits for it to
die, stops the servers in reverse order (a `Stop` request on the first endpoint
each provides, so file systems flush; then kill) and exits with the command's
status.

Meanwhile it supervises: every service's death is a bit of one notification;
a service that dies is restarted on the same endpoints (clients keep their
caps), as its manifest `restart` policy says (OTP's permanent, transient,
temporary; one_for_one), unless it died more than `intensity` times in
`period` seconds (OTP's defaults: 1 in 5 s), when rs gives up on it and says
so on the console. The first restart in a period is at once; a repeated one
waits a back-off, doubling from 10 ms up to 2 s, as MINIX 3's rs does. A
service with a `heartbeat` period is pinged that often; one that does not
answer within its `heartbeat_timeout` is hung, and is killed (and so restarted).
With `strategy = "rest_for_one"` the servers started after the one that died are
restarted with it, in order.
Every service starts with a last argument `start=fresh|restart|update` (the
framework's `start_reason`), and its `ds` cap, if it uses ds, is minted with its
own badge, 1 + its index in the manifest, the same across restarts: ds keys the
service's stash by it. `service update NAME [--code PROGRAM]` (`Update`) is a live
update: rs asks the server to `Prepare` (save its state into ds, flush, stop
receiving: requests that arrive wait in the endpoint's queue), ends it, starts the
new program (or the same one, the code on disk) on the same endpoints with start
reason "update", and waits for it to answer a Ping within PROBATION seconds; if it
does not, rs ends it and starts the old program again (reason "update": it restores
the same saved state) and the update fails with ENOEXEC. On success the new
program replaces the manifest's in rs's table.
`InjectFault(name, kind)` on "rs", from the command rs runs (badge COMMAND_BADGE) only,
is `pith inject`'s way into a server: rs forwards `Inject(kind)` on the service's endpoint
with a cap it mints with INJECT_BADGE, the one badge servers take a fault from.

Arguments: its caps table (from the kernel), the manifest (checked, as JSON), then the
command's words. A command word NAME runs the program `pith.programs.NAME:main`.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from pith.kernel.core.errors import KernelError, ProcessDead, ServerDied, Timeout
from pith.kernel.core.rights import GRANT, READ, WRITE
from pith.lib.debug import Debug, Debugged
from pith.lib.manifest import Manifest, ManifestError, Service
from pith.lib.server import (
    INJECT_BADGE,
    BadReply,
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
    Stop,
    Stopped,
    serve,
)
from pith.lib.start import Context, caps_arg
from pith.lib.syscall import Gate, gate, with_gate
from pith.protocols.pm import PmReply, RunInit
from pith.protocols.tty import Done, Lend

__all__ = ["COMMAND_BADGE", "Update", "main", "run_command"]

COMMAND_BADGE = 1000  # the badge on the caps of the command rs runs
COMMAND_BIT = 1 << 63  # the command's bit in the death notification (services: 1 << n)
STARTUP_GRACE = 1.0  # seconds before a (re)started service's first heartbeat is due
BACKOFF, BACKOFF_MAX = 0.01, 2.0  # seconds before a repeated restart: doubling, capped
PREPARE_GRACE = 10.0  # seconds a server has to answer Prepare (save, flush) in an update
PROBATION = 5.0  # seconds the new code of a live update has to answer a Ping


def _spawn(g: Gate, spawn: int, name: str, program: str, args: tuple[str, ...],
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
    proc, pid = _spawn(g, spawn, name, program, args, grants, badge=badge)
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
        child.proc, child.pid = _spawn(gate(), self.spawn, child.name, s.program,
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
    for bit, name in enumerate(manifest.order()):
        s = manifest.servers[name]
        grants = {e: (endpoints[e], READ) for e in s.provides}  # (provides and uses: both)
        grants |= {e: (endpoints[e], WRITE | GRANT | grants.get(e, (0, 0))[1]) for e in s.uses}
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


class Services(msgspec.Struct, frozen=True, tag=True):
    """The services rs supervises."""


class Processes(msgspec.Struct, frozen=True, tag=True):
    """The processes rs started that are running."""


class IpcCounts(msgspec.Struct, frozen=True, tag=True):
    """The kernel's IPC counts since boot."""


class Restart(msgspec.Struct, frozen=True, tag=True):
    """`service restart NAME`: stop it now and start it again."""

    name: str


class StopService(msgspec.Struct, frozen=True, tag=True):
    """`service stop NAME`: stop it (Stop, then kill) and do not restart it."""

    name: str


class StartService(msgspec.Struct, frozen=True, tag=True):
    """`service start NAME`: start a stopped (or given-up) service again."""

    name: str


class DebugService(msgspec.Struct, frozen=True, tag=True):
    """`service debug NAME [--next]`: pdb in the server, on the host terminal
    (pith/lib/debug.py); answered when the session is over."""

    name: str
    next: bool = False


class InjectFault(msgspec.Struct, frozen=True, tag=True):
    """`pith inject`: have service `name` commit fault `kind` (pith/lib/fault.py)."""

    name: str
    kind: str


class Update(msgspec.Struct, frozen=True, tag=True):
    """`service update NAME [--code PROGRAM]`: a live update, to PROGRAM ("module:Class"
    or "/host/file.py:Class") or to the same program's code on disk."""

    name: str
    program: str | None = None


class ServiceRow(msgspec.Struct, frozen=True):
    name: str
    pid: int
    mode: str
    state: str  # running, dead, failed (rs gave up)
    restarts: int
    last_failure: str


class ServiceTable(msgspec.Struct, frozen=True, tag=True):
    rows: list[ServiceRow]


class ProcessTable(msgspec.Struct, frozen=True, tag=True):
    rows: list[tuple[int, str, str]]  # pid, name, kind (service or command)


class Counts(msgspec.Struct, frozen=True, tag=True):
    counts: dict[str, int]


RsReply = ServiceTable | ProcessTable | Counts | Injected


class Queries(Server):
    """rs's own endpoint ("rs"), served by its second thread: what procfs shows."""

    requests = (Services | Processes | IpcCounts | Restart | StopService | StartService | Update
                | InjectFault | DebugService)
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
