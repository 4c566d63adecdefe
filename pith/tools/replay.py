"""`pith replay FILE [--until N]`: run a recording through a fresh core and check it.

Every recorded input (pith/tools/record.py) is fed to a new `Kernel` in order and the
actions that come out are compared with the recorded ones; the first that differ are
reported (event number, the event, expected and got) and the status is 1. With
`--until N` the replay stops after event N and prints the kernel's state at that
moment: its clock, every object (processes with their threads and caps, endpoints with
their queues, notifications with their words), a debugger that needs no running system.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import msgspec

from pith.kernel.core import Kernel
from pith.kernel.core.endpoint import Endpoint
from pith.kernel.core.notification import Notification
from pith.kernel.core.process import Process
from pith.tools.record import RecordError, apply, decode_event, describe_out, entries, out_of

__all__ = ["Divergence", "Report", "dump", "main", "replay"]


class Divergence(msgspec.Struct, frozen=True):
    """The first event whose actions differ from the recording's."""

    n: int
    event: Any
    expected: list[Any]
    got: list[Any]


class Report(msgspec.Struct, frozen=True):
    """What a replay found: events replayed, and the divergence if any."""

    file: str
    events: int
    divergence: Divergence | None
    state: list[str] | None = None  # with --until: the kernel's state (dump), by line


def replay(path: Path, until: int | None = None, k: Kernel | None = None) -> Report:
    """Replay `path` into `k` (a fresh core by default), up to event `until`."""
    k = Kernel() if k is None else k
    count = 0
    for entry in entries(path):
        if until is not None and entry.n > until:
            break
        event = decode_event(entry)
        got = out_of(apply(k, event))
        count += 1
        if got != entry.out:
            return Report(str(path), count, Divergence(
                entry.n, [entry.kind, msgspec.to_builtins(event)], describe_out(entry.out),
                describe_out(got)))
    return Report(str(path), count, None)


def _rights(r: int) -> str:
    return "".join(c if r & bit else "-" for c, bit in (("r", 1), ("w", 2), ("g", 4)))


def dump(k: Kernel) -> str:
    """The kernel's state, readable: clock, processes (threads, caps), other objects."""
    lines = [f"now {k.now:.6f}  next id {k._next_id}  tracing {k.tracing}  "
             f"ipc {dict(k.counts)}"]
    for oid, obj in sorted(k.objects.items()):
        if isinstance(obj, Process):
            state = "alive" if obj.alive else f"dead (status {obj.status})"
            lines.append(f"process {oid} {obj.name!r} {state}, {obj.ncaps} caps to it")
            for t in obj.threads.values():
                on = "" if t.on is None else f" on {t.on.kind} {t.on.oid}"
                deadline = "" if t.deadline is None else f" until {t.deadline:.6f}"
                lines.append(f"  thread {t.tid} {t.state.value}{on}{deadline}")
            for slot, cap in sorted(obj.cspace.slots.items()):
                badge = f" badge {cap.badge}" if cap.badge else ""
                lines.append(f"  slot {slot:4} {cap.obj.kind} {cap.obj.oid} "
                             f"{_rights(cap.rights)}{badge}")
        elif isinstance(obj, Endpoint):
            senders = [t.tid for t in obj.senders]
            receivers = [t.tid for t in obj.receivers]
            lines.append(f"endpoint {oid}: {obj.ncaps} caps, senders {senders}, "
                         f"receivers {receivers}")
        elif isinstance(obj, Notification):
            waiters = [t.tid for t in obj.waiters]
            bound = obj.bound and obj.bound.tid
            lines.append(f"notification {oid}: word {obj.word:#x}, waiters {waiters}, "
                         f"bound to thread {bound}")
        else:
            lines.append(f"{obj.kind} {oid}: {obj.ncaps} caps")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pith replay", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="a recording (pith boot/trace --record)")
    parser.add_argument("--until", type=int, default=None,
                        help="stop after event N and print the kernel's state")
    parser.add_argument("--json", type=Path, default=None, help="also write the report here")
    args = parser.parse_args(argv)
    if args.until is not None and args.until < 0:
        parser.error(f"--until: {args.until}: not an event number (0 or more)")
    k = Kernel()
    try:
        report = replay(args.file, args.until, k)
    except RecordError as e:
        print(f"pith: replay: {e}", file=sys.stderr)
        return 2
    if args.until is not None and report.divergence is None:
        report = msgspec.structs.replace(report, state=dump(k).splitlines())
    if args.json is not None:
        args.json.write_bytes(msgspec.json.format(msgspec.json.encode(report)))
    d = report.divergence
    if d is not None:
        print(f"pith: replay: {args.file}: diverges at event {d.n}: {d.event}\n"
              f"  expected: {d.expected}\n  got:      {d.got}")
        return 1
    if report.state is not None:
        print(f"after event {report.events}:")
        print("\n".join(report.state))
    else:
        print(f"{args.file}: {report.events} events replayed, every action the same")
    return 0


if __name__ == "__main__":
    sys.exit(main())
