"""The kernel core: a pure state machine. Events in, actions out.

Rules this module keeps (h11's style):
- No I/O: no sockets, clocks, processes, threads, randomness or logging.
  Time is what the last Tick said; ids come from a counter.
- Entry points: `boot` once, then `handle(event)` or, on the hot path,
  `syscall(tid, call)`. Each returns the actions the host must carry out, in
  order. `next_deadline()` tells the host when to send the next Tick.
- Every syscall handler is split seL4-style: a decode part that checks
  everything and may raise a KernelError, then an invoke part that changes
  state and cannot fail. The one place errors become results is `syscall`,
  so a refused syscall has changed nothing.
- Every syscall ends in exactly one Resume for its thread: now, or later
  from a rendezvous, a timeout, a death or a destroyed object; or never, if
  the thread itself dies first.

Tables: `objects` (every live kernel object by id, dead-but-named processes
included, Replies excepted: see reply.py), `threads` (live threads by id).
Ids are never reused.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pith.kernel.core import (
    control,
    cspace,
    device,
    endpoint,
    memory,
    notification,
    process,
    reply,
    thread,
)
from pith.kernel.core import syscalls as sc
from pith.kernel.core.actions import (
    Action,
    Error,
    Result,
    Resume,
    StartProcess,
    StartThread,
    TraceRecord,
)
from pith.kernel.core.control import SchedControl, SpawnControl, TraceControl
from pith.kernel.core.cspace import Cap, descendants, unlink
from pith.kernel.core.device import Device
from pith.kernel.core.endpoint import Endpoint
from pith.kernel.core.errors import (
    ErrorCode,
    InvalidArgument,
    InvalidSlot,
    KernelError,
    MissingRight,
    ThreadBusy,
    WrongType,
)
from pith.kernel.core.events import DeviceReady, Event, ProcessExited, Syscall, ThreadExited, Tick
from pith.kernel.core.kobject import KernelObject
from pith.kernel.core.notification import Notification
from pith.kernel.core.process import Process
from pith.kernel.core.reply import Reply
from pith.kernel.core.rights import ALL, TRACE_BUFFER
from pith.kernel.core.syscalls import SyscallRequest
from pith.kernel.core.thread import State, Thread

__all__ = ["BootInfo", "Kernel"]

IDLE = State.IDLE
Obj = TypeVar("Obj", bound=KernelObject)
Handler = Callable[["Kernel", Thread, Any], None]

HANDLERS: dict[type, Handler] = {
    sc.Call: endpoint.do_call,
    sc.Send: endpoint.do_send,
    sc.Recv: endpoint.do_recv,
    sc.Reply: reply.do_reply,
    sc.ReplyRecv: endpoint.do_reply_recv,
    sc.Signal: notification.do_signal,
    sc.Wait: notification.do_wait,
    sc.Poll: notification.do_poll,
    sc.Bind: notification.do_bind,
    sc.Unbind: notification.do_unbind,
    sc.CapCopy: cspace.do_cap_copy,
    sc.CapMint: cspace.do_cap_mint,
    sc.CapMove: cspace.do_cap_move,
    sc.CapDelete: cspace.do_cap_delete,
    sc.CapRevoke: cspace.do_cap_revoke,
    sc.CapInfo: cspace.do_cap_info,
    sc.EndpointCreate: endpoint.do_endpoint_create,
    sc.NotificationCreate: notification.do_notification_create,
    sc.MemoryCreate: memory.do_memory_create,
    sc.MemoryMap: memory.do_memory_map,
    sc.DeviceOpen: device.do_device_open,
    sc.DeviceIrq: device.do_device_irq,
    sc.ThreadCreate: thread.do_thread_create,
    sc.ProcessCreate: process.do_process_create,
    sc.ProcessKill: process.do_process_kill,
    sc.ProcessSignal: process.do_process_signal,
    sc.ProcessWatch: process.do_process_watch,
    sc.ProcessStatus: process.do_process_status,
    sc.SetPriority: process.do_set_priority,
    sc.TraceEnable: control.do_trace_enable,
    sc.TraceRead: control.do_trace_read,
}


@dataclass(frozen=True)
class BootInfo:
    """The root process and where its original caps are: slot by name
    ("spawn", "sched", "trace", then "device:NAME" for each device)."""

    pid: int
    tid: int
    slots: dict[str, int]


class Kernel:
    """The kernel's tables and the primitives the syscall handlers share."""

    def __init__(self, cspace_size: int = 1024) -> None:
        self.cspace_size = cspace_size
        self.objects: dict[int, KernelObject] = {}
        self.threads: dict[int, Thread] = {}
        self.now = 0.0
        self.out: list[Action] = []
        self.tracing = False
        self.trace_buffer: deque[TraceRecord] = deque()
        self.trace_dropped = 0
        self.counts = dict.fromkeys(("call", "send", "reply", "signal"), 0)  # IPC since boot
        self.memories, self.memory_bytes = 0, 0  # Memory objects alive, their bytes
        self._trace_seq = 0
        self._next_id = 1
        self._timers: list[tuple[float, int, int]] = []  # (deadline, tid, token), lazy
        self._booted = False

    # --- entry points ---------------------------------------------------------

    def boot(
        self, name: str = "root", devices: Sequence[str] = (), program: str = "",
        args: tuple[str, ...] = (),
    ) -> tuple[BootInfo, list[Action]]:
        """Create the root process holding the original control and device caps."""
        if self._booted:
            raise RuntimeError("the kernel has already booted")
        self._booted = True
        root = self.new_process(name)
        first = self.new_thread(root)
        originals: list[tuple[str, KernelObject]] = [
            ("spawn", SpawnControl(self.new_id())),
            ("sched", SchedControl(self.new_id())),
            ("trace", TraceControl(self.new_id())),
        ]
        originals += [(f"device:{d}", Device(self.new_id(), d)) for d in devices]
        slots = {}
        for slot, (key, obj) in enumerate(originals):
            self.objects[obj.oid] = obj
            root.cspace.put(Cap(obj, ALL, 0, None), slot)
            slots[key] = slot
        start = StartProcess(root.oid, first.tid, name, program, args)
        return BootInfo(root.oid, first.tid, slots), [start]

    def handle(self, event: Event) -> list[Action]:
        """Feed one event; return the actions it causes."""
        if isinstance(event, Syscall):
            return self.syscall(event.tid, event.call)
        self.out = []
        if isinstance(event, Tick):
            self._tick(event.now)
        elif isinstance(event, ProcessExited):
            p = self.objects.get(event.pid)
            if isinstance(p, Process):
                process.kill(self, p, event.status)
        elif isinstance(event, ThreadExited):
            t = self.threads.get(event.tid)
            if t is not None:
                self._thread_exited(t)
        elif isinstance(event, DeviceReady):
            device.device_ready(self, event.device)
        return self.out

    def syscall(self, tid: int, call: SyscallRequest) -> list[Action]:
        """Thread `tid` made `call`. A thread that no longer exists is ignored."""
        out = self.out = []
        t = self.threads.get(tid)
        if t is None:
            return out
        try:
            if t.state is not IDLE:
                raise ThreadBusy(f"thread {tid} already has a syscall in progress")
            handler = HANDLERS.get(type(call))
            if handler is None:
                raise InvalidArgument(f"{type(call).__name__} is not a syscall")
            handler(self, t, call)
        except KernelError as e:
            out.append(Resume(tid, Error(e.code, str(e))))
        return out

    def next_deadline(self) -> float | None:
        """The earliest pending timeout, for the host's timer; None if none."""
        timers = self._timers
        while timers and not self._live_timer(timers[0]):
            heapq.heappop(timers)
        return timers[0][0] if timers else None

    # --- primitives for handlers --------------------------------------------

    def new_id(self) -> int:
        oid = self._next_id
        self._next_id += 1
        return oid

    def new_process(self, name: str) -> Process:
        p = Process(self.new_id(), name, self.cspace_size)
        self.objects[p.oid] = p
        return p

    def new_thread(self, p: Process) -> Thread:
        t = Thread(self.new_id(), p)
        p.threads[t.tid] = t
        self.threads[t.tid] = t
        return t

    def create(self, t: Thread, make: Callable[[int], Obj]) -> tuple[Obj, int]:
        """A new object whose first cap (all rights) goes to `t`'s lowest free slot."""
        cspace = t.process.cspace
        slot = cspace.first_free()
        obj = make(self.new_id())
        self.objects[obj.oid] = obj
        cspace.put(Cap(obj, ALL, 0, None), slot)
        return obj, slot

    def lookup(self, t: Thread, slot: int, kind: type[KernelObject] | None = None,
               need: int = 0) -> Cap:
        """The cap in `t`'s slot, checked for type and rights; raises if not allowed."""
        cap = t.process.cspace.slots.get(slot)
        if cap is None:
            raise InvalidSlot(f"slot {slot} is empty")
        if kind is not None and type(cap.obj) is not kind:
            raise WrongType(f"slot {slot} holds a {cap.obj.kind}, not a {kind.kind}")
        if need & ~cap.rights:
            raise MissingRight(f"slot {slot} has rights {cap.rights}, needs {need}")
        return cap

    def resume(self, t: Thread, result: Result) -> None:
        """End `t`'s syscall with `result`; `t` must already be out of any queue."""
        t.state, t.on, t.deadline = IDLE, None, None
        t.token += 1
        self.out.append(Resume(t.tid, result))

    def block(self, t: Thread, state: State, on: KernelObject, timeout: float | None) -> None:
        """Put `t` to sleep in `state` on `on` (already queued there by the caller)."""
        t.state, t.on = state, on
        if timeout is not None and not math.isinf(timeout):
            t.deadline = self.now + timeout
            timers = self._timers
            heapq.heappush(timers, (t.deadline, t.tid, t.token))
            if len(timers) > 1024 and len(timers) > 4 * len(self.threads):
                self._timers = [e for e in timers if self._live_timer(e)]
                heapq.heapify(self._timers)

    def withdraw(self, t: Thread) -> None:
        """Cancel `t`'s pending syscall without an answer (timeout, death, destroy)."""
        on = t.on
        if isinstance(on, Endpoint):
            queue = on.receivers if t.state is State.RECV else on.senders
            del queue[t]
        elif isinstance(on, Notification):
            del on.waiters[t]
        elif isinstance(on, Reply) and on.cap is not None:
            on.caller = None
            self.delete_cap(on.cap)
        self._reset(t)

    def delete_cap(self, cap: Cap) -> None:
        """Delete one cap; destroy its object if that was the last cap to it."""
        cs = cap.cspace
        assert cs is not None
        cs.take(cap)
        unlink(cap)
        if cap.obj.kind != "reply":
            self._cancel_in_flight(cs.owner, cap)
        if cap.obj.ncaps == 0:
            self.destroy(cap.obj)

    def revoke(self, cap: Cap) -> None:
        """Delete every cap derived from `cap`, and nothing else."""
        for d in descendants(cap):
            if d.cspace is not None:
                self.delete_cap(d)

    def destroy(self, obj: KernelObject) -> None:
        """The last cap to `obj` is gone."""
        obj.destroy(self)
        if not isinstance(obj, Process):
            self.objects.pop(obj.oid, None)  # (Replies are not in the table)

    def record(self, kind: str, src: int, dst: int, badge: int, size: int) -> None:
        """Append a trace record (only called while tracing is on)."""
        if len(self.trace_buffer) >= TRACE_BUFFER:
            self.trace_buffer.popleft()
            self.trace_dropped += 1
        self._trace_seq += 1
        self.trace_buffer.append(TraceRecord(self._trace_seq, kind, src, dst, badge, size))

    def start_thread(self, t: Thread) -> None:
        self.out.append(StartThread(t.process.oid, t.tid))

    # --- state checks ---------------------------------------------------------

    def snapshot(self) -> tuple[object, ...]:
        """Everything that defines the state, as a comparable value (for tests)."""
        objs = tuple(o.describe() for _, o in sorted(self.objects.items()))
        trace = (self.tracing, len(self.trace_buffer), self.trace_dropped, self._trace_seq,
                 tuple(self.counts.values()))
        return (self.now, self._next_id, trace, objs, tuple(sorted(self.threads)))

    # --- internals ------------------------------------------------------------

    def _reset(self, t: Thread) -> None:
        t.state, t.on, t.deadline = IDLE, None, None
        t.token += 1
        t.out_msg, t.out_caps, t.out_badge, t.out_grant = b"", (), 0, False

    def _live_timer(self, entry: tuple[float, int, int]) -> bool:
        t = self.threads.get(entry[1])
        return t is not None and t.token == entry[2] and t.deadline is not None

    def _tick(self, now: float) -> None:
        if now > self.now:
            self.now = now
        timers = self._timers
        while timers and timers[0][0] <= self.now:
            entry = heapq.heappop(timers)
            if self._live_timer(entry):
                t = self.threads[entry[1]]
                self.withdraw(t)
                self.resume(t, Error(ErrorCode.TIMEOUT, "the timeout passed"))

    def _cancel_in_flight(self, owner: Process, cap: Cap) -> None:
        """A cap being sent by one of `owner`'s threads was deleted: fail that send."""
        for t in owner.threads.values():
            if (t.state is State.SEND or t.state is State.CALL) and cap in t.out_caps:
                self.withdraw(t)
                self.resume(t, Error(ErrorCode.OBJECT_GONE, "a capability being sent was deleted"))

    def _thread_exited(self, t: Thread) -> None:
        p = t.process
        if len(p.threads) == 1:
            process.kill(self, p, 0)
            return
        self.withdraw(t)
        if t.bound is not None:
            t.bound.bound = None
            t.bound = None
        del p.threads[t.tid]
        del self.threads[t.tid]
