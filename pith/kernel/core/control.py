"""Control capabilities: the privileges to spawn, to set scheduling policy, to trace.

Each is a singleton object made at boot; the root process holds the
originals and hands copies to the servers whose job needs them (pm spawns,
sched sets priorities, the tracer reads the IPC event stream). Process
creation and SetPriority are in process.py; this file has the trace syscalls.
Trace records are kept only while tracing is on, in a bounded buffer; when
it is full the oldest are dropped and counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pith.kernel.core.actions import Done, TraceRecords
from pith.kernel.core.errors import InvalidArgument
from pith.kernel.core.kobject import KernelObject
from pith.kernel.core.rights import READ, TRACE_BUFFER, WRITE
from pith.kernel.core.syscalls import TraceEnable, TraceRead

if TYPE_CHECKING:
    from pith.kernel.core.kernel import Kernel
    from pith.kernel.core.thread import Thread

__all__ = ["SchedControl", "SpawnControl", "TraceControl", "do_trace_enable", "do_trace_read"]


class _Control(KernelObject):
    __slots__ = ()

    def destroy(self, k: Kernel) -> None:
        pass

    def describe(self) -> tuple[object, ...]:
        return (self.oid, self.kind, self.ncaps)


class SpawnControl(_Control):
    __slots__ = ()
    kind = "spawn"


class SchedControl(_Control):
    __slots__ = ()
    kind = "sched"


class TraceControl(_Control):
    __slots__ = ()
    kind = "trace"


def do_trace_enable(k: Kernel, t: Thread, c: TraceEnable) -> None:
    k.lookup(t, c.trace, TraceControl, WRITE)
    k.tracing = bool(c.on)
    k.resume(t, Done())


def do_trace_read(k: Kernel, t: Thread, c: TraceRead) -> None:
    k.lookup(t, c.trace, TraceControl, READ)
    if not 0 < c.limit <= TRACE_BUFFER:
        raise InvalidArgument(f"limit must be 1..{TRACE_BUFFER}, not {c.limit}")
    buf = k.trace_buffer
    records = tuple(buf.popleft() for _ in range(min(c.limit, len(buf))))
    dropped, k.trace_dropped = k.trace_dropped, 0
    k.resume(t, TraceRecords(records, dropped, dict(k.counts)))
