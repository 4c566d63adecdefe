"""What a recording says happened, in a person's terms: messages between processes.

A recording (pith/tools/record.py) holds the core's inputs and actions; `read` replays
it into a fresh core (checking every action, as `pith replay` does) and reads off, from
each event, the actions it caused and the core's state just after: who called whom with
which request (the type name of the MessagePack message, its size, the caps it moved,
the badge the receiver saw), the reply and when it came (or the error that ended the
call: the server died, a timeout), sends, notification signals and device interrupts,
process starts, deaths and restarts, and every other syscall by name. `window` narrows a
log to the life of one process (`pith trace`: the shell that runs the traced line).
Entry point: `read(path)`; pith/tools/trace_json.py and pith/tools/trace_chart.py draw
the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import msgspec

from pith.kernel.core import Kernel
from pith.kernel.core import actions as act
from pith.kernel.core import syscalls as sc
from pith.kernel.core.errors import ErrorCode
from pith.kernel.core.events import DeviceReady, ProcessExited, Syscall
from pith.kernel.core.reply import Reply
from pith.tools.record import RecordError, apply, decode_event, entries, out_of

__all__ = ["Call", "IpcLog", "Mark", "Proc", "Send", "find_shell", "message_type", "read",
           "window"]

_raw = msgspec.msgpack.Decoder()
# The syscalls about messages: the log has them as calls, replies, sends and signals.
_IPC = (sc.Call, sc.Send, sc.Recv, sc.Reply, sc.ReplyRecv, sc.Signal, sc.Wait, sc.Poll)


class Proc(msgspec.Struct):
    """A Pith process: its name, its threads, when it started and ended (ns)."""

    pid: int
    name: str
    start: int
    threads: list[int]
    end: int | None = None
    status: int | None = None


class Call(msgspec.Struct):
    """One call: issued by `src` (thread `src_tid`), received by `dst`, answered."""

    id: int
    src: int
    src_tid: int
    issued: int  # ns
    request: str
    size: int
    caps: int
    dst: int = 0  # 0: never received
    dst_tid: int = 0
    received: int | None = None
    badge: int = 0  # the badge of the caller's endpoint cap, as the receiver saw it
    replier: int = 0  # the thread that answered (0: none, the call ended otherwise)
    ended: int | None = None
    reply: str = ""
    reply_size: int = 0
    reply_caps: int = 0
    error: str = ""  # the ErrorCode name that ended the call instead of a reply
    deferred: bool = False  # the server went back to waiting for messages before it replied


class Send(msgspec.Struct):
    """A one-way message (`kind` "send"), notification signal ("signal") or interrupt
    ("irq": `src` 0), delivered at `ns`."""

    kind: str
    src: int
    src_tid: int
    dst: int
    dst_tid: int
    ns: int
    what: str
    size: int = 0
    caps: int = 0
    badge: int = 0


class Mark(msgspec.Struct):
    """Something that happened to one process at `ns`: "start", "restart" (rs started a
    server of a name it had started before; the old one may not be dead yet), "death",
    "timeout", "fault" (a syscall refused), "syscall" (one not about messages: its name
    and arguments), with `detail`."""

    kind: str
    pid: int
    tid: int
    ns: int
    detail: str


class IpcLog(msgspec.Struct):
    """Everything `read` found, in time order, and the span it covers (ns)."""

    procs: dict[int, Proc]
    calls: list[Call]
    sends: list[Send]
    marks: list[Mark]
    events: int
    first: int
    last: int


def message_type(msg: bytes) -> str:
    """The type name of a Pith message (a tagged Struct: its "type"), else a description."""
    if not msg:
        return "(empty)"
    try:
        value = _raw.decode(msg)
    except msgspec.DecodeError:
        return f"({len(msg)} bytes)"
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return str(value["type"])
    return f"({type(value).__name__})"


def _describe(call: object) -> str:
    """A syscall that is not IPC, as `Name(field=value, ...)` (bytes as their length)."""
    fields = msgspec.to_builtins(call, enc_hook=repr)
    words = [f"{k}={len(v) if isinstance(v, bytes) else v!r}" for k, v in fields.items()
             if k != "type"] if isinstance(fields, dict) else []
    text = f"{type(call).__name__}({', '.join(words)})"
    return text if len(text) <= 120 else text[:117] + "..."


def _code(code: int) -> str:
    try:
        return ErrorCode(code).name
    except ValueError:
        return str(code)


class _Reader:
    """The state of one pass over a recording."""

    def __init__(self) -> None:
        self.k = Kernel()
        self.procs: dict[int, Proc] = {}
        self.owner: dict[int, int] = {}  # tid -> pid
        self.calls: list[Call] = []
        self.open: dict[int, Call] = {}  # caller tid -> its call in progress
        self.sends: list[Send] = []
        self.marks: list[Mark] = []
        self.served: set[str] = set()  # names of the servers rs started (again: a restart)
        self.rs = 0  # the booted process, rs: the one that starts the servers
        self.held: dict[int, list[Call]] = {}  # server tid -> calls it took, maybe unanswered

    def event(self, n: int, ns: int, event: object, out: list[act.Action]) -> None:
        tid = event.tid if isinstance(event, Syscall) else 0
        call = event.call if isinstance(event, Syscall) else None
        if isinstance(call, sc.Call) and tid in self.owner:
            c = Call(n, self.owner[tid], tid, ns, message_type(call.msg), len(call.msg),
                     len(call.caps))
            self.open[tid] = c
            self.calls.append(c)
        elif call is not None and not isinstance(call, _IPC) and tid in self.owner:
            self.marks.append(Mark("syscall", self.owner[tid], tid, ns, _describe(call)))
        waits = isinstance(call, (sc.Recv, sc.ReplyRecv, sc.Wait, sc.Poll))
        owed = [c for c in self.held.pop(tid, []) if c.ended is None] if waits else []
        previous: act.Action | None = None
        for a in out:
            self.action(ns, a, tid, call, previous, event)
            previous = a
        for c in owed:  # (still unanswered after this syscall's own reply: deferred)
            c.deferred = c.deferred or c.ended is None
        if isinstance(event, ProcessExited) and event.pid in self.procs:
            p = self.procs[event.pid]
            p.end, p.status = ns, event.status
            self.marks.append(Mark("death", p.pid, p.threads[0], ns, f"status {event.status}"))
            for t in p.threads:
                self.open.pop(t, None)

    def action(self, ns: int, a: act.Action, tid: int, call: object,
               previous: act.Action | None, event: object) -> None:
        if isinstance(a, act.StartProcess):
            self.rs = self.rs or a.pid
            by_rs = self.owner.get(tid) == self.rs
            restart = by_rs and a.name in self.served
            if by_rs:
                self.served.add(a.name)
            self.procs[a.pid] = Proc(a.pid, a.name, ns, [a.tid])
            self.owner[a.tid] = a.pid
            self.marks.append(Mark("restart" if restart else "start", a.pid, a.tid, ns, a.name))
            return
        if isinstance(a, act.StartThread):
            self.owner[a.tid] = a.pid
            if a.pid in self.procs:
                self.procs[a.pid].threads.append(a.tid)
            return
        if not isinstance(a, act.Resume):
            return
        r, result, pid = a.tid, a.result, self.owner.get(a.tid, 0)
        if isinstance(result, act.Received):
            self.received(ns, r, pid, result, tid, call, previous)
        elif isinstance(result, act.Replied) and r in self.open:
            c = self.open.pop(r)
            c.ended, c.reply, c.reply_size = ns, message_type(result.msg), len(result.msg)
            c.replier, c.reply_caps = tid, len(result.caps)
        elif isinstance(result, act.Error) and r in self.open:
            c = self.open.pop(r)
            c.ended, c.error = ns, _code(result.code)
            if result.code == ErrorCode.TIMEOUT:
                self.marks.append(Mark("timeout", pid, r, ns, f"{c.request}: {result.detail}"))
        elif isinstance(result, act.Error) and result.code == ErrorCode.TIMEOUT:
            self.marks.append(Mark("timeout", pid, r, ns, result.detail))
        elif isinstance(result, act.Error) and r == tid:
            name = type(call).__name__
            self.marks.append(Mark("fault", pid, r, ns, f"{name}: {_code(result.code)}: "
                                                        f"{result.detail}"))
        elif isinstance(result, act.Signalled):
            if isinstance(event, DeviceReady):
                self.sends.append(Send("irq", 0, 0, pid, r, ns, f"irq {event.device}"))
            elif isinstance(call, sc.Signal) and tid in self.owner:
                self.sends.append(Send("signal", self.owner[tid], tid, pid, r, ns,
                                       f"signal {result.bits:#x}"))

    def received(self, ns: int, r: int, pid: int, result: act.Received, tid: int,
                 call: object, previous: act.Action | None) -> None:
        if result.reply is not None:
            cap = self.k.threads[r].process.cspace.slots.get(result.reply)
            reply = None if cap is None else cap.obj
            if isinstance(reply, Reply) and reply.caller is not None:
                c = self.open.get(reply.caller.tid)
                if c is not None:
                    c.dst, c.dst_tid, c.received, c.badge = pid, r, ns, result.badge
                    self.held.setdefault(r, []).append(c)
            return
        sender = tid if isinstance(call, sc.Send) else 0
        if (isinstance(previous, act.Resume) and isinstance(previous.result, act.Done)
                and previous.tid != r):
            sender = previous.tid
        self.sends.append(Send("send", self.owner.get(sender, 0), sender, pid, r, ns,
                               message_type(result.msg), len(result.msg), len(result.caps),
                               result.badge))


def read(path: Path) -> IpcLog:
    """The IPC log of the recording at `path`; RecordError if it does not replay."""
    reader = _Reader()
    first = last = count = 0
    for entry in entries(path):
        event = decode_event(entry)
        out = apply(reader.k, event)
        if out_of(out) != entry.out:
            raise RecordError(f"{path}: event {entry.n} does not replay as recorded "
                              f"(pith replay {path} says more)")
        first = first or entry.ns
        last, count = entry.ns, entry.n
        reader.event(entry.n, entry.ns, event, out)
    return IpcLog(reader.procs, reader.calls, reader.sends, reader.marks, count, first, last)


def window(log: IpcLog, pid: int) -> IpcLog:
    """`log` cut to the lifetime of process `pid`: what happened while it lived."""
    p = log.procs[pid]
    start, end = p.start, log.last if p.end is None else p.end
    calls = [c for c in log.calls if start <= c.issued <= end]
    sends = [s for s in log.sends if start <= s.ns <= end]
    marks = [m for m in log.marks if start <= m.ns <= end]
    seen = {pid} | {c.src for c in calls} | {c.dst for c in calls if c.dst} | \
        {s.src for s in sends if s.src} | {s.dst for s in sends} | {m.pid for m in marks}
    procs = {q: log.procs[q] for q in sorted(seen) if q in log.procs}
    return IpcLog(procs, calls, sends, marks, log.events, start, end)


def find_shell(log: IpcLog, names: Sequence[str] = ("sh",)) -> int | None:
    """The first process named one of `names` (the shell running the traced line)."""
    return next((p.pid for p in log.procs.values() if p.name in names), None)
