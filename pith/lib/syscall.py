"""Syscall stubs: how a Pith thread talks to the kernel.

Every thread owns a gate. A syscall is one frame on it (a MessagePack-encoded
`pith.kernel.core.syscalls` record); the answer is one frame back (a `Result`),
with an fd attached when the result hands one over (a Memory or Device
`Handle`, or the gate of a new thread). An `Error` result is raised as the
matching `KernelError` subclass (`InvalidSlot`, `Timeout`, `ServerDied` …).

Entry points: `gate()` (this thread's gate), and the `Gate` methods, one per
syscall. A collocated server (running inside the kernel process) gets a
`Gate` whose `invoke` calls the kernel directly instead of a socket.

Owed results. A Python signal handler that raises (KeyboardInterrupt) while a
thread waits for its result leaves that result owed: the kernel still sends it.
A `SocketGate` counts what it owes and its next `invoke` settles first: it drops
the owed results that have arrived; one still to come is either waited for, or,
when a `renew` source of fresh gates is set (the posix layer sets one), the
gate's socket is swapped for a fresh kernel thread's and the old one closed (the
kernel ends that thread, and its pending call with it). So a gate never
answers one call with another's result.

Lazy gates. `set_gate_factory(f)` makes `gate()` give a thread that has none
the gate `f()` makes (the posix layer: new Python threads get kernel threads
on their first syscall).
"""

from __future__ import annotations

import array
import mmap
import socket
import threading
from collections.abc import Callable
from typing import TypeVar

import msgspec

from pith.kernel.core import syscalls as sc
from pith.kernel.core.actions import (
    CapDescription,
    Created,
    Done,
    Error,
    Handle,
    ProcessState,
    Received,
    Replied,
    Result,
    Signalled,
    TraceRecords,
)
from pith.kernel.core.errors import KernelError, MessageTooLarge, error_for
from pith.kernel.core.rights import MAX_MESSAGE

__all__ = ["FRAME", "Gate", "SocketGate", "gate", "set_gate", "set_gate_factory"]

FRAME = MAX_MESSAGE + 8192  # the largest frame on a gate, message plus its record
_encode = msgspec.msgpack.Encoder().encode
_decode_result = msgspec.msgpack.Decoder(Result).decode
R = TypeVar("R")
_HANDING_FDS = (sc.MemoryMap, sc.DeviceOpen, sc.ThreadCreate)  # answers that carry an fd
HOST_SOCKET = socket.socket  # (the host's class: the posix layer puts its own in socket.socket)


class Gate:
    """One thread's door to the kernel; `invoke` is the only way through."""

    def invoke(self, call: sc.SyscallRequest) -> tuple[Result, list[int]]:
        """Make `call`; return its result and the fds that came with it."""
        raise NotImplementedError

    def _do(self, call: sc.SyscallRequest, kind: type[R]) -> R:
        result, fds = self.invoke(call)
        for fd in fds:  # only Handle and ThreadCreate results carry fds
            socket.close(fd)
        if type(result) is kind:  # (the common case, without a call)
            return result
        return _expect(result, kind)

    # --- IPC -------------------------------------------------------------------

    def call(self, slot: int, msg: bytes = b"", caps: tuple[int, ...] = (),
             timeout: float | None = None) -> Replied:
        return self._do(sc.Call(slot, msg, caps, timeout), Replied)

    def send(self, slot: int, msg: bytes = b"", caps: tuple[int, ...] = (),
             timeout: float | None = None) -> None:
        self._do(sc.Send(slot, msg, caps, timeout), Done)

    def recv(self, slot: int, timeout: float | None = None) -> Received | Signalled:
        return _message(self._do(sc.Recv(slot, timeout), msgspec.Struct))

    def reply(self, reply: int, msg: bytes = b"", caps: tuple[int, ...] = ()) -> None:
        self._do(sc.Reply(reply, msg, caps), Done)

    def reply_recv(self, reply: int, slot: int, msg: bytes = b"", caps: tuple[int, ...] = (),
                   timeout: float | None = None) -> Received | Signalled:
        call = sc.ReplyRecv(reply, slot, msg, caps, timeout)
        return _message(self._do(call, msgspec.Struct))

    def signal(self, slot: int, bits: int = 0) -> None:
        self._do(sc.Signal(slot, bits), Done)

    def wait(self, slot: int, timeout: float | None = None) -> int:
        return self._do(sc.Wait(slot, timeout), Signalled).bits

    def poll(self, slot: int) -> int:
        return self._do(sc.Poll(slot), Signalled).bits

    def bind(self, slot: int) -> None:
        self._do(sc.Bind(slot), Done)

    def unbind(self) -> None:
        self._do(sc.Unbind(), Done)

    # --- capabilities and objects ---------------------------------------------------

    def cap_copy(self, slot: int, rights: int, dest: int | None = None) -> int:
        return _slot(self._do(sc.CapCopy(slot, rights, dest), Created))

    def cap_mint(self, slot: int, rights: int, badge: int, dest: int | None = None) -> int:
        return _slot(self._do(sc.CapMint(slot, rights, badge, dest), Created))

    def cap_move(self, slot: int, dest: int) -> None:
        self._do(sc.CapMove(slot, dest), Done)

    def cap_delete(self, slot: int) -> None:
        self._do(sc.CapDelete(slot), Done)

    def cap_delete_if(self, slot: int, obj: int) -> None:
        """Delete the cap in `slot` if it still names object `obj`: a slot whose cap was
        revoked (its holder's source died) may hold another cap since."""
        try:
            info = self.cap_info(slot)
        except KernelError:
            return
        if info.object == obj:
            self.cap_delete(slot)

    def cap_revoke(self, slot: int) -> None:
        self._do(sc.CapRevoke(slot), Done)

    def cap_info(self, slot: int) -> CapDescription:
        return self._do(sc.CapInfo(slot), CapDescription)

    def endpoint_create(self) -> int:
        return _slot(self._do(sc.EndpointCreate(), Created))

    def notification_create(self) -> int:
        return _slot(self._do(sc.NotificationCreate(), Created))

    def memory_create(self, size: int) -> int:
        return _slot(self._do(sc.MemoryCreate(size), Created))

    def memory_map(self, slot: int, writable: bool = False) -> mmap.mmap:
        """Map Memory `slot` into this address space (read-only unless `writable`)."""
        result, fds = self.invoke(sc.MemoryMap(slot, writable))
        handle: Handle = _expect(result, Handle)
        try:
            prot = mmap.PROT_READ | (mmap.PROT_WRITE if writable else 0)
            return mmap.mmap(fds[0], handle.size, mmap.MAP_SHARED, prot)
        finally:
            for fd in fds:
                socket.close(fd)

    def device_open(self, slot: int, writable: bool = False) -> int:
        """The host fd of Device `slot`; the caller owns (and closes) it."""
        result, fds = self.invoke(sc.DeviceOpen(slot, writable))
        _expect(result, Handle)
        return fds[0]

    def device_irq(self, slot: int, notification: int | None, bits: int = 1) -> None:
        self._do(sc.DeviceIrq(slot, notification, bits), Done)

    # --- processes, threads, control -------------------------------------------------

    def thread_create(self) -> Gate:
        """A new thread's gate (run the thread with `set_gate` on it)."""
        result, fds = self.invoke(sc.ThreadCreate())
        _expect(result, Created)
        return SocketGate(HOST_SOCKET(fileno=fds[0]))

    def process_create(self, spawn: int, name: str, program: str, args: tuple[str, ...] = (),
                       caps: tuple[int, ...] = (), collocated: bool = False) -> Created:
        call = sc.ProcessCreate(spawn, name, caps, program, args, collocated)
        return self._do(call, Created)

    def process_kill(self, slot: int, status: int = -9) -> None:
        self._do(sc.ProcessKill(slot, status), Done)

    def process_signal(self, slot: int, signo: int) -> None:
        """Send host signal `signo` to the process in `slot` (its handlers run)."""
        self._do(sc.ProcessSignal(slot, signo), Done)

    def process_watch(self, slot: int, notification: int, bits: int = 1) -> None:
        self._do(sc.ProcessWatch(slot, notification, bits), Done)

    def process_status(self, slot: int) -> ProcessState:
        return self._do(sc.ProcessStatus(slot), ProcessState)

    def set_priority(self, sched: int, process: int, priority: int) -> None:
        self._do(sc.SetPriority(sched, process, priority), Done)

    def trace_enable(self, trace: int, on: bool) -> None:
        self._do(sc.TraceEnable(trace, on), Done)

    def trace_read(self, trace: int, limit: int = 1024) -> TraceRecords:
        return self._do(sc.TraceRead(trace, limit), TraceRecords)


class SocketGate(Gate):
    """A gate that is a SOCK_SEQPACKET socket to the kernel (isolated processes)."""

    def __init__(self, sock: socket.socket,
                 renew: Callable[[], socket.socket] | None = None) -> None:
        self.sock = sock
        self.frame = bytearray(FRAME)
        self.view = memoryview(self.frame)  # (made once: the decoder reads slices of it)
        self.owed = 0  # results the kernel will send for calls whose caller gave up
        self.renew = renew  # a fresh kernel thread's socket, to replace a gate still owed

    def invoke(self, call: sc.SyscallRequest) -> tuple[Result, list[int]]:
        if self.owed:
            self._settle()
        data = _encode(call)
        if len(data) > FRAME:  # (the kernel would end this process for a frame so long)
            raise MessageTooLarge(f"a {type(call).__name__} of {len(data)} bytes: a frame "
                                  f"holds at most {FRAME}")
        self.owed += 1  # counted first: an interrupt after the send leaves it owed
        try:
            self.sock.send(data)
        except OSError:
            self.owed -= 1  # (not sent: the gate is broken)
            raise
        size, fds = self._receive(type(call) in _HANDING_FDS, block=True)
        return _decode_result(self.view[:size]), fds

    def _receive(self, handing: bool, block: bool) -> tuple[int, list[int]]:
        """The next result frame into `self.frame`: its size and fds (size 0: none yet).

        A marker byte that no result starts with tells, if an exception interrupts,
        whether the frame was taken after all, so `owed` stays exact."""
        flags = 0 if block else socket.MSG_DONTWAIT
        frame = self.frame
        frame[0] = _MARK
        try:
            if handing:
                size, ancillary, _, _ = self.sock.recvmsg_into([frame], _ANCILLARY, flags)
            else:  # (no fd comes with this result: a plain receive, no room for any)
                size, ancillary = self.sock.recv_into(frame, 0, flags), []
        except BlockingIOError:
            return 0, []
        except BaseException:
            if frame[0] != _MARK:
                self.owed -= 1
            raise
        self.owed -= 1
        if not size:
            raise ConnectionError("the kernel closed this thread's gate")
        fds: list[int] = []
        if not ancillary:
            return size, fds
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds += array.array("i", payload[: len(payload) - len(payload) % 4])
        return size, fds

    def _settle(self) -> None:
        """Drop the owed results; swap the socket for a fresh one if some are still to come."""
        while self.owed:
            size, fds = self._receive(True, block=self.renew is None)
            for fd in fds:
                socket.close(fd)
            if not size and self.renew is not None:
                fresh = self.renew()
                self.sock.close()  # the kernel ends the old thread, and its pending call
                self.sock, self.owed = fresh, 0


_MARK = 0xC1  # never the first byte of a MessagePack value
_ANCILLARY = socket.CMSG_SPACE(4 * 4)  # room for the fds a result may carry


def _expect(result: Result, kind: type[R]) -> R:
    """`result`, checked to be of `kind`; an Error result is raised as its exception."""
    if isinstance(result, Error):
        raise error_for(result.code, result.detail)
    if not isinstance(result, kind):
        raise ConnectionError(f"the kernel answered {result!r}")
    return result


def _message(result: msgspec.Struct) -> Received | Signalled:
    assert isinstance(result, Received | Signalled)
    return result


def _slot(created: Created) -> int:
    assert created.slot is not None
    return created.slot


_local = threading.local()


_factory: list[Callable[[], Gate]] = []  # makes a gate for a thread that has none


def gate() -> Gate:
    """This thread's gate (made by the gate factory, if one is set, on first use)."""
    g: Gate | None = getattr(_local, "gate", None)
    if g is None:
        if not _factory:
            raise RuntimeError("this thread has no Pith gate (not running inside Pith?)")
        g = _local.gate = _factory[0]()
    return g


def set_gate_factory(factory: Callable[[], Gate] | None) -> None:
    """Give threads without a gate the one `factory()` makes (None: raise instead)."""
    _factory[:] = [factory] if factory is not None else []


def set_gate(g: Gate) -> None:
    """Make `g` this thread's gate (done once by the process start-up, and for new threads)."""
    _local.gate = g


def with_gate(g: Gate, fn: Callable[[], R]) -> Callable[[], R]:
    """Wrap `fn` to run with gate `g` (for threading.Thread targets)."""

    def run() -> R:
        set_gate(g)
        return fn()

    return run
