"""The syscalls: what a thread may ask of the kernel.

Each syscall is a tagged msgspec Struct, so the same record is the event the
core handles and the frame a thread writes on its gate (MessagePack, decoded
against `SyscallRequest` with type validation by the host). Slots are integers
in the caller's CSpace. `timeout` is in seconds: None waits for ever, 0 never
blocks (it fails with TIMEOUT where it would have to wait).

Payloads (`msg`) are opaque bytes to the kernel: user space encodes its typed
messages itself. The kernel checks only their size.
"""

from __future__ import annotations

import msgspec

__all__ = [
    "Bind", "Call", "CapCopy", "CapDelete", "CapInfo", "CapMint", "CapMove", "CapRevoke",
    "DeviceIrq", "DeviceOpen", "EndpointCreate", "MemoryCreate", "MemoryMap", "NotificationCreate",
    "Poll", "ProcessCreate", "ProcessKill", "ProcessSignal", "ProcessStatus", "ProcessWatch",
    "Recv", "Reply", "ReplyRecv", "Send", "SetPriority", "Signal", "SyscallRequest",
    "ThreadCreate", "TraceEnable", "TraceRead", "Unbind", "Wait"
]


class _Syscall(msgspec.Struct, frozen=True, tag=True):
    """Base of every syscall record."""


# --- IPC on endpoints -------------------------------------------------------


class Call(_Syscall, frozen=True):
    """Send `msg` (and `caps`, with GRANT) on endpoint `slot`, wait for the reply."""

    slot: int
    msg: bytes = b""
    caps: tuple[int, ...] = ()
    timeout: float | None = None


class Send(_Syscall, frozen=True):
    """Send `msg` on endpoint `slot`; returns once a receiver has taken it."""

    slot: int
    msg: bytes = b""
    caps: tuple[int, ...] = ()
    timeout: float | None = None


class Recv(_Syscall, frozen=True):
    """Receive from endpoint `slot` (or the bits of the bound notification)."""

    slot: int
    timeout: float | None = None


class Reply(_Syscall, frozen=True):
    """Answer the call whose Reply capability is in slot `reply`; consumes it."""

    reply: int
    msg: bytes = b""
    caps: tuple[int, ...] = ()


class ReplyRecv(_Syscall, frozen=True):
    """Reply on `reply`, then receive on `slot`, as one syscall."""

    reply: int
    slot: int
    msg: bytes = b""
    caps: tuple[int, ...] = ()
    timeout: float | None = None


# --- notifications ----------------------------------------------------------


class Signal(_Syscall, frozen=True):
    """OR `bits` (and the capability's badge) into notification `slot`."""

    slot: int
    bits: int = 0


class Wait(_Syscall, frozen=True):
    """Wait until notification `slot` has bits set; return them and clear."""

    slot: int
    timeout: float | None = None


class Poll(_Syscall, frozen=True):
    """Return the bits of notification `slot` (maybe 0) and clear; never blocks."""

    slot: int


class Bind(_Syscall, frozen=True):
    """Bind notification `slot` to the calling thread: its `recv` sees the bits."""

    slot: int


class Unbind(_Syscall, frozen=True):
    """Unbind the calling thread's notification."""


# --- capabilities -----------------------------------------------------------


class CapCopy(_Syscall, frozen=True):
    """Derive a copy of `slot` with `rights` (a subset) into `dest` or the lowest free slot."""

    slot: int
    rights: int
    dest: int | None = None


class CapMint(_Syscall, frozen=True):
    """Like CapCopy, and set `badge` on the copy; the source must be unbadged."""

    slot: int
    rights: int
    badge: int
    dest: int | None = None


class CapMove(_Syscall, frozen=True):
    """Move the capability in `slot` to the empty slot `dest`."""

    slot: int
    dest: int


class CapDelete(_Syscall, frozen=True):
    """Delete the capability in `slot`; what was derived from it stays."""

    slot: int


class CapRevoke(_Syscall, frozen=True):
    """Delete every capability derived from `slot`, transitively; keep `slot`."""

    slot: int


class CapInfo(_Syscall, frozen=True):
    """Describe the capability in `slot`: object type, rights, badge."""

    slot: int


# --- objects ----------------------------------------------------------------


class EndpointCreate(_Syscall, frozen=True):
    """Create an endpoint; its first capability (all rights) goes to a free slot."""


class NotificationCreate(_Syscall, frozen=True):
    """Create a notification; its first capability goes to a free slot."""


class MemoryCreate(_Syscall, frozen=True):
    """Create a shared Memory object of `size` bytes."""

    size: int


class MemoryMap(_Syscall, frozen=True):
    """Ask for the host handle of Memory `slot`, read-only or writable."""

    slot: int
    writable: bool = False


class DeviceOpen(_Syscall, frozen=True):
    """Ask for the host handle of Device `slot`, read-only or writable."""

    slot: int
    writable: bool = False


class DeviceIrq(_Syscall, frozen=True):
    """Signal `bits` on notification `notification` whenever Device `slot` is ready.

    `notification=None` stops the delivery."""

    slot: int
    notification: int | None = None
    bits: int = 1


# --- processes, threads and control -----------------------------------------


class ThreadCreate(_Syscall, frozen=True):
    """Create another thread in the calling process."""


class ProcessCreate(_Syscall, frozen=True):
    """Create a process named `name` running `program` (needs the spawn cap in `spawn`).

    The capabilities in `caps` are derived into the new process's slots
    0..len(caps)-1; the caller gets a capability to the new process.
    `program` ("package.module:callable") and `args` are opaque to the kernel:
    the host loads them into the new address space, as exec loads an image.
    `collocated` asks for the program to run inside the kernel process."""

    spawn: int
    name: str
    caps: tuple[int, ...] = ()
    program: str = ""
    args: tuple[str, ...] = ()
    collocated: bool = False


class ProcessKill(_Syscall, frozen=True):
    """Kill the process named by `slot` (needs WRITE), with exit `status`."""

    slot: int
    status: int = -9


class ProcessSignal(_Syscall, frozen=True):
    """Send host signal `signo` (1..64, not SIGKILL or SIGSTOP) to the process in `slot`
    (needs WRITE), so its own handlers run: MINIX's sys_kill."""

    slot: int
    signo: int


class ProcessWatch(_Syscall, frozen=True):
    """Signal `bits` on `notification` when the process in `slot` dies."""

    slot: int
    notification: int
    bits: int = 1


class ProcessStatus(_Syscall, frozen=True):
    """Whether the process in `slot` is alive, and its exit status if not."""

    slot: int


class SetPriority(_Syscall, frozen=True):
    """Set the host priority (nice, -20..19) of `process` (needs the sched cap)."""

    sched: int
    process: int
    priority: int


class TraceEnable(_Syscall, frozen=True):
    """Turn recording of IPC trace records on or off (needs the trace cap)."""

    trace: int
    on: bool


class TraceRead(_Syscall, frozen=True):
    """Take up to `limit` of the oldest trace records (needs the trace cap)."""

    trace: int
    limit: int = 1024


SyscallRequest = (
    Call | Send | Recv | Reply | ReplyRecv | Signal | Wait | Poll | Bind | Unbind | CapCopy |
    CapMint | CapMove | CapDelete | CapRevoke | CapInfo | EndpointCreate | NotificationCreate |
    MemoryCreate | MemoryMap | DeviceOpen | DeviceIrq | ThreadCreate | ProcessCreate | ProcessKill
    | ProcessSignal | ProcessWatch | ProcessStatus | SetPriority | TraceEnable | TraceRead
)
