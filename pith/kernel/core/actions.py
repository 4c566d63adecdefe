"""Actions: what the core asks the host to do, and the results threads get.

Every syscall ends in exactly one `Resume(tid, result)`: at once, or later when
a partner, a timeout or a death ends the wait. Results are tagged msgspec
Structs, so the host writes them to the gate as they are. The other actions
are the host's housekeeping: start and stop host processes, make and free
memfds, watch device fds, apply a priority.
"""

from __future__ import annotations

import msgspec

__all__ = [
    "Action", "ApplyPriority", "CapDescription", "CreateMemory", "Created", "Done", "Error",
    "FreeMemory", "Handle", "ProcessState", "Received", "ReleaseDevice", "Replied", "Result",
    "Resume", "SignalProcess", "Signalled", "StartProcess", "StartThread", "StopProcess",
    "TraceRecord", "TraceRecords", "WatchDevice"
]


class _Result(msgspec.Struct, frozen=True, tag=True):
    """Base of every syscall result."""


class Done(_Result, frozen=True):
    """The syscall succeeded and has nothing to return."""


class Error(_Result, frozen=True):
    """The syscall failed with `code` (an `ErrorCode`); `detail` says what."""

    code: int
    detail: str


class Created(_Result, frozen=True):
    """A new object (`slot` holds its first capability) or thread (`slot` None)."""

    slot: int | None
    id: int


class Received(_Result, frozen=True):
    """A message: the sender's `badge`, the slots of the transferred caps, and
    for a call the slot of the one-shot Reply capability."""

    msg: bytes
    badge: int
    caps: tuple[int, ...]
    reply: int | None


class Replied(_Result, frozen=True):
    """The answer to a call, with the slots of the caps it carried."""

    msg: bytes
    caps: tuple[int, ...]


class Signalled(_Result, frozen=True):
    """The notification bits that were set (now cleared); 0 from an empty poll."""

    bits: int


class Handle(_Result, frozen=True):
    """The host will pass the fd of Memory or Device `id` with this result."""

    kind: str
    id: int
    writable: bool
    size: int


class CapDescription(_Result, frozen=True):
    """What a slot holds."""

    kind: str
    object: int
    rights: int
    badge: int


class ProcessState(_Result, frozen=True):
    """Whether a process is alive, and its exit status once dead."""

    pid: int
    alive: bool
    status: int | None


class TraceRecord(msgspec.Struct, frozen=True, array_like=True):
    """One IPC event: `kind` in call/send/reply/signal, from pid to pid."""

    seq: int
    kind: str
    src: int
    dst: int
    badge: int
    size: int


class TraceRecords(_Result, frozen=True):
    """The oldest trace records, how many were dropped before them, and the IPC
    counts since boot (kept whether tracing is on or not)."""

    records: tuple[TraceRecord, ...]
    dropped: int
    counts: dict[str, int]


Result = (
    Done | Error | Created | Received | Replied | Signalled | Handle | CapDescription |
    ProcessState | TraceRecords
)


class Resume(msgspec.Struct, frozen=True):
    """Thread `tid`'s syscall has ended with `result`; write it to its gate."""

    tid: int
    result: Result


class StartProcess(msgspec.Struct, frozen=True):
    """Start `program` with `args` as process `pid`, first thread `tid`, named `name`;
    in the kernel process itself if `collocated`."""

    pid: int
    tid: int
    name: str
    program: str = ""
    args: tuple[str, ...] = ()
    collocated: bool = False


class StartThread(msgspec.Struct, frozen=True):
    """Give process `pid` a new thread `tid` (a new gate)."""

    pid: int
    tid: int


class StopProcess(msgspec.Struct, frozen=True):
    """Process `pid` is dead in the kernel: end the host process, close its gates."""

    pid: int


class CreateMemory(msgspec.Struct, frozen=True):
    """Make a memfd of `size` bytes for Memory `memory`."""

    memory: int
    size: int


class FreeMemory(msgspec.Struct, frozen=True):
    """Memory `memory` is destroyed: close its memfd."""

    memory: int


class WatchDevice(msgspec.Struct, frozen=True):
    """Start (`on`) or stop watching Device `device`'s fd for readiness."""

    device: int
    on: bool


class ReleaseDevice(msgspec.Struct, frozen=True):
    """Device `device` is destroyed: close its fd."""

    device: int


class ApplyPriority(msgspec.Struct, frozen=True):
    """Set the host priority (nice) of process `pid`."""

    pid: int
    priority: int


class SignalProcess(msgspec.Struct, frozen=True):
    """Send host signal `signo` to process `pid`."""

    pid: int
    signo: int


Action = (
    Resume | StartProcess | StartThread | StopProcess | CreateMemory | FreeMemory | WatchDevice |
    ReleaseDevice | ApplyPriority | SignalProcess
)
