"""An IPC log (pith/tools/ipc_log.py) as Perfetto / Chrome trace-event JSON.

The document is the classic JSON trace format, which ui.perfetto.dev and chrome://tracing
open as it is: `{"traceEvents": [...], "displayTimeUnit": "ns"}`, times in microseconds
from the first event of the log. Each Pith process is a process track (`process_name`
metadata: its name, which for a server is its name in the manifest), each of its threads
a thread track. On them:
- a call is a slice on the caller's thread ("Read → vfs", from the syscall to the reply)
  and one on the server's thread ("Read ← cat", from receipt to reply); the args say the
  request and reply types, sizes, caps moved, the badge the server saw, and the error
  that ended the call instead of a reply (a dead server, a timeout);
- flows (`s`/`f` events) join the message leaving the caller to the server's slice
  ("call"), and the server's slice to the reply arriving ("reply"). The caller's slice
  holds two short marks for them ("send Read", "reply Data"): Perfetto draws a flow from
  the end of one slice to the start of the next, so the arrows run forwards in time;
- a deferred reply (the server went back to waiting for messages before it answered,
  or another of its threads answered) is an async slice on the server process
  ("Wait ← sh (deferred)") with a mark where it came in and one where the answer left,
  joined by the flows;
- sends, notification signals and interrupts, starts, restarts, deaths, timeouts, faults
  and the other syscalls are instant events on the thread they concern.

Every flow point lies strictly inside the slice it binds to (a few ns from its edges),
and a flow's end comes after its start in time too, so the binding does not depend on how
a reader orders events of equal time.
Entry points: `document(log)`, `write(log, path)`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pith.tools.ipc_log import Call, IpcLog, Mark, Send

__all__ = ["document", "write"]

Event = dict[str, Any]
MARK = 1000  # ns: the longest a flow's mark on the caller's thread is


class _Writer:
    """The events of one document, with the log's names and time origin."""

    def __init__(self, log: IpcLog) -> None:
        self.log = log
        self.t0 = log.first
        self.events: list[Event] = []

    def name(self, pid: int) -> str:
        p = self.log.procs.get(pid)
        return f"pid {pid}" if p is None else p.name

    def us(self, ns: int) -> float:
        return round((ns - self.t0) / 1000, 3)

    def add(self, ph: str, name: str, pid: int, tid: int, ns: int, **more: Any) -> None:
        self.events.append({"ph": ph, "name": name, "cat": more.pop("cat", "ipc"),
                            "pid": pid, "tid": tid, "ts": self.us(ns), **more})

    def slice(self, name: str, pid: int, tid: int, start: int, end: int, **more: Any) -> None:
        self.add("X", name, pid, tid, start, dur=round((end - start) / 1000, 3), **more)

    def flow(self, ph: str, kind: str, pid: int, tid: int, ns: int, ident: int) -> None:
        extra = {"bp": "e"} if ph == "f" else {}
        self.add(ph, kind, pid, tid, ns, cat="flow", id=ident, **extra)


def _deferred(log: IpcLog) -> set[int]:
    """The ids of the calls answered late: the server thread went back to waiting for
    messages before it replied, or another of its threads replied."""
    return {c.id for c in log.calls
            if c.deferred or (c.replier and c.replier != c.dst_tid)}


def _args(w: _Writer, c: Call, deferred: bool) -> dict[str, Any]:
    args: dict[str, Any] = {"request": c.request, "bytes": c.size, "caps": c.caps,
                            "server": w.name(c.dst) if c.dst else None, "badge": c.badge,
                            "event": c.id}
    if c.error:
        args["error"] = c.error
    elif c.ended is not None:
        args |= {"reply": c.reply, "reply_bytes": c.reply_size, "reply_caps": c.reply_caps}
    if deferred:
        args["deferred"] = True
    return args


def _call(w: _Writer, c: Call, deferred: bool) -> None:
    """The caller's slice and marks, the server's slice, the two flows."""
    end = w.log.last if c.ended is None else c.ended
    args = _args(w, c, deferred)
    src = w.name(c.src)
    to = f"{c.request} → {w.name(c.dst)}" if c.dst else f"{c.request} → (not received)"
    w.slice(to, c.src, c.src_tid, c.issued, end, args=args)
    if c.received is None:
        return
    took = f"{c.request} ← {src}"
    if end - c.issued < 16 or (not deferred and end - c.received < 8):
        if not deferred:  # (too short to draw the flows in: the slices alone)
            w.slice(took, c.dst, c.dst_tid, c.received, end, args=args)
        return
    mark = min(MARK, (end - c.issued) // 4)
    w.slice(f"send {c.request}", c.src, c.src_tid, c.issued + 1, c.issued + 1 + mark)
    w.flow("s", "call", c.src, c.src_tid, c.issued + 2, c.id)
    arrives = max(c.received + 1, c.issued + 3)  # (after the flow's start, in time too)
    if not deferred:
        w.slice(took, c.dst, c.dst_tid, c.received, end, args=args)
        w.flow("f", "call", c.dst, c.dst_tid, arrives, c.id)
        if c.ended is not None and not c.error:
            w.flow("s", "reply", c.dst, c.dst_tid, end - 2, c.id)
    else:
        _deferred_call(w, c, took + " (deferred)", end, arrives, args)
    if c.ended is not None and not c.error:
        w.slice(f"reply {c.reply}", c.src, c.src_tid, end - mark, end)
        w.flow("f", "reply", c.src, c.src_tid, end - 1, c.id)


def _deferred_call(w: _Writer, c: Call, name: str, end: int, arrives: int,
                   args: dict[str, Any]) -> None:
    """An async slice on the server for the time the answer was owed, and a mark on the
    thread that took the call and on the one that answered, for the flows."""
    assert c.received is not None
    w.add("b", name, c.dst, c.dst_tid, c.received, cat="deferred", id=c.id, args=args)
    w.add("e", name, c.dst, c.dst_tid, end, cat="deferred", id=c.id)
    w.slice(f"took {name}", c.dst, c.dst_tid, c.received, c.received + 4)
    w.flow("f", "call", c.dst, c.dst_tid, arrives, c.id)
    if c.ended is not None and c.replier and not c.error:
        pid = next((p.pid for p in w.log.procs.values() if c.replier in p.threads), c.dst)
        w.slice(f"answer {c.reply} → {w.name(c.src)}", pid, c.replier, end - 4, end)
        w.flow("s", "reply", pid, c.replier, end - 2, c.id)


def _send(w: _Writer, s: Send) -> None:
    args = {"kind": s.kind, "bytes": s.size, "caps": s.caps, "badge": s.badge}
    source = "irq" if s.kind == "irq" else w.name(s.src)
    w.add("i", f"{s.what} ← {source}", s.dst, s.dst_tid, s.ns, s="t", cat=s.kind, args=args)
    if s.src and s.src_tid:
        w.add("i", f"{s.what} → {w.name(s.dst)}", s.src, s.src_tid, s.ns, s="t", cat=s.kind,
              args=args)


def _mark(w: _Writer, m: Mark) -> None:
    name = m.detail if m.kind == "syscall" else f"{m.kind}: {m.detail}"
    w.add("i", name, m.pid, m.tid, m.ns, s="t", cat=m.kind, args={"detail": m.detail})


def _names(w: _Writer) -> list[Event]:
    """The metadata: each process's and thread's name, in order of pid."""
    out: list[Event] = []
    for index, p in enumerate(w.log.procs.values()):
        out.append({"ph": "M", "name": "process_name", "pid": p.pid, "tid": p.threads[0],
                    "args": {"name": p.name}})
        out.append({"ph": "M", "name": "process_sort_index", "pid": p.pid,
                    "tid": p.threads[0], "args": {"sort_index": index}})
        for n, tid in enumerate(p.threads):
            label = p.name if n == 0 else f"{p.name} thread {n + 1}"
            out.append({"ph": "M", "name": "thread_name", "pid": p.pid, "tid": tid,
                        "args": {"name": f"{label} (tid {tid})"}})
    return out


def document(log: IpcLog) -> dict[str, Any]:
    """The trace-event document of `log`."""
    w = _Writer(log)
    late = _deferred(log)
    for c in log.calls:
        _call(w, c, c.id in late)
    for s in log.sends:
        _send(w, s)
    for m in log.marks:
        _mark(w, m)
    known = {t for p in log.procs.values() for t in p.threads}
    events = [e for e in w.events if e["tid"] in known]
    events.sort(key=lambda e: e["ts"])  # (stable: a slice stays before its marks)
    return {"traceEvents": _names(w) + events, "displayTimeUnit": "ns",
            "otherData": {"source": "pith trace", "events": log.events,
                          "calls": len(log.calls), "sends": len(log.sends)}}


def write(log: IpcLog, path: Path) -> None:
    """Write the document of `log` to `path`."""
    path.write_text(json.dumps(document(log), ensure_ascii=False) + "\n")
