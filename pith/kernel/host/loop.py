"""The kernel host: the only code that talks to Linux. It runs the core.

An epoll loop over every thread's gate (a SOCK_SEQPACKET socket), a pidfd per
isolated process (deaths are events), device fds (interrupts) and the core's
next deadline (timeouts). Each ready fd becomes a core event; each action the
core returns is carried out here: write a result to a gate (passing an fd for
Memory, Device and new-thread results), start or stop a host process through
the zygote, make or free a memfd, watch a device, apply a priority.

Frames from a gate are decoded against `SyscallRequest` with msgspec's
validation; garbage, wrong types or oversized frames get an INVALID_ARGUMENT
error back and never reach the core. fds sent by processes are closed unread.
A read-only Memory or Device grant is an fd reopened O_RDONLY through
/proc/self/fd, which the receiver cannot map or write writable.

Collocated servers (the monolithic mode) run in this process: their thread
has no gate; its results go to the server's runner, which answers with its
next syscall (a call it makes to an isolated process runs this loop until the
answer comes). An exception in one is a kernel panic, which is the point.
"""

from __future__ import annotations

import array
import contextlib
import ctypes
import functools
import os
import resource
import select
import signal
import socket
import sys
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

import msgspec
import setproctitle

from pith.kernel.core import Kernel
from pith.kernel.core import actions as act
from pith.kernel.core.errors import ErrorCode
from pith.kernel.core.events import DeviceReady, Event, ProcessExited, ThreadExited, Tick
from pith.kernel.core.syscalls import SyscallRequest
from pith.kernel.host.zygote import Zygote
from pith.lib.syscall import Gate

__all__ = ["Host", "Runner"]

FRAME = 65536 + 8192
_decode = msgspec.msgpack.Decoder(SyscallRequest).decode
_encode = msgspec.msgpack.Encoder().encode
_WITH_FDS = (act.Handle, act.Created)  # results an fd may go with
_NO_FDS: tuple[list[int], list[int]] = ([], [])  # (never changed)
PR_SET_CHILD_SUBREAPER = 36
UID_BASE = 60000  # as root, Pith process N runs as host uid UID_BASE + N (if mapped)
UIDS = 5536  # (so UID_BASE .. 65535)


class Runner(Protocol):
    """A collocated server: its first syscall, then the next one for each result."""

    def first(self) -> SyscallRequest: ...

    def step(self, result: act.Result) -> SyscallRequest: ...


class Host:
    """One booted kernel: the core, and the host resources behind its objects."""

    def __init__(self, program: str, args: tuple[str, ...], devices: dict[str, int],
                 prewarm: tuple[str, ...] = (),
                 hook: Callable[[Host], None] | None = None) -> None:
        self.k = Kernel()
        self.epoll = select.epoll()
        self.queue: deque[act.Action] = deque()
        self.draining = False
        self.gates: dict[int, socket.socket] = {}  # tid -> kernel end of its gate
        self.on_ready: dict[int, Callable[[], None]] = {}  # epoll fd -> what its event means
        self.owner: dict[int, int] = {}  # tid -> pid
        self.pidfds: dict[int, int] = {}  # pid -> pidfd
        self.host_pids: dict[int, int] = {}  # pid -> host pid
        self.new_gates: dict[int, socket.socket] = {}  # new thread's end, until handed over
        self.memfds: dict[int, int] = {}  # Memory id -> memfd
        self.devices: dict[int, int] = {}  # Device id -> fd
        self.colo: dict[int, Runner] = {}  # collocated tid -> its runner
        self.parked: dict[int, act.Result | None] = {}  # collocated tid in a call -> its result
        self.frame = bytearray(FRAME + 1)  # one frame read from a gate (+1: too long)
        self.view = memoryview(self.frame)  # (made once: slicing it is the decoder's input)
        self.status: int | None = None  # the root's exit status, once it is dead
        self.own_uids = os.geteuid() == 0 and _mapped(UID_BASE, UIDS)  # (not `unshare -r`)
        ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # (fds: a memfd per Memory
        soft = max(soft, min(hard, 1 << 16))  # and a gate per thread, for all processes)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        setproctitle.setproctitle("pith:kernel")
        self.zygote = Zygote(prewarm)
        if hook is not None:  # (pith/tools: a recording core, the status socket; before boot)
            hook(self)
        self._feed(Tick(time.monotonic()))
        caps = ",".join(f"{n}={i}" for i, n in enumerate(["spawn", "sched", "trace", *devices]))
        info, actions = self.k.boot("root", list(devices), program, (caps, *args))
        self.root = info.pid
        for name, fd in devices.items():
            cap = self.k.objects[info.pid].cspace.slots[info.slots[f"device:{name}"]]  # type: ignore[attr-defined]
            self.devices[cap.obj.oid] = fd
        self._run(actions)

    # --- the loop -----------------------------------------------------------------

    def run(self) -> int:
        """Serve until the root process dies; shut down; return its exit status."""
        try:
            while self.status is None:
                self._poll()
        except KeyboardInterrupt:
            self.status = 130
        finally:
            self.shutdown()
        return self.status

    def _poll(self) -> None:
        """Wait for the next events (or the core's next deadline) and handle them."""
        deadline = self.k.next_deadline()
        left = None if deadline is None else deadline - time.monotonic()
        wait = -1.0 if left is None else min(3600.0, max(0.0, left))  # (epoll's int ms)
        ready = self.epoll.poll(wait, 64)  # (the rest, if more are ready, at the next round)
        if deadline is not None:  # (the core's clock matters only to timed waits)
            self._feed(Tick(time.monotonic()))
        for fd, _ in ready:
            then = self.on_ready.get(fd)  # (None: an earlier event closed it)
            if then is not None:
                then()

    def _gate(self, tid: int) -> None:
        try:  # (no room for ancillary data: fds a process sends are closed by Linux, unread)
            size = self.gates[tid].recv_into(self.frame)
        except OSError:
            size = 0
        if not size:  # a thread ended; the last one's end is its process's, told by the pidfd
            self._close_gate(tid)
            pid = self.owner.pop(tid)
            if pid in self.owner.values():
                self._feed(ThreadExited(tid))
            return
        try:
            if size > FRAME:
                raise msgspec.DecodeError(f"frame over {FRAME} bytes")
            call = _decode(self.view[:size])
            if getattr(call, "timeout", None) is not None:  # its deadline counts from now
                self._feed(Tick(time.monotonic()))
        except msgspec.MsgspecError as e:
            self._send(tid, act.Error(ErrorCode.INVALID_ARGUMENT, f"bad syscall frame: {e}"))
            return
        self._run(self.k.syscall(tid, call))

    def _exited(self, pid: int) -> None:
        pidfd = self.pidfds.pop(pid)
        del self.host_pids[pid], self.on_ready[pidfd]
        self.epoll.unregister(pidfd)
        info = os.waitid(os.P_PIDFD, pidfd, os.WEXITED)
        os.close(pidfd)
        assert info is not None
        status = info.si_status if info.si_code == os.CLD_EXITED else -info.si_status
        for tid in [t for t, p in self.owner.items() if p == pid]:
            self._close_gate(tid)
            del self.owner[tid]
        self._feed(ProcessExited(pid, status))
        if pid == self.root:
            self.status = status if status >= 0 else 128 - status

    # --- carrying out actions -------------------------------------------------------

    def _feed(self, event: Event) -> None:
        self._run(self.k.handle(event))

    def _run(self, actions: list[act.Action]) -> None:
        """Carry out `actions` in order (and what they cause, after them)."""
        self.queue.extend(actions)  # (one queue: a collocated server's wait drains it in order)
        if self.draining:  # (an action being carried out caused these: they wait their turn)
            return
        self.draining = True
        try:
            while self.queue:
                self._do(self.queue.popleft())
        finally:
            self.draining = False

    def _do(self, a: act.Action) -> None:
        if type(a) is act.Resume:
            if a.tid in self.parked:  # (its runner is in a call, on the stack: it takes it)
                self.parked[a.tid] = a.result
            elif a.tid in self.colo:
                self._collocated(a.tid, a.result)
            else:
                self._send(a.tid, a.result)
        elif isinstance(a, act.StartProcess):
            self._start(a)
        elif isinstance(a, act.StartThread):
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            self._add_gate(a.pid, a.tid, ours)
            self.new_gates[a.tid] = theirs
        elif isinstance(a, act.StopProcess):
            self._stop(a.pid)
        elif isinstance(a, act.CreateMemory):
            self.memfds[a.memory] = fd = os.memfd_create(f"pith-memory-{a.memory}")
            os.ftruncate(fd, a.size)
        elif isinstance(a, act.FreeMemory):
            os.close(self.memfds.pop(a.memory))
        elif isinstance(a, act.WatchDevice):
            self._watch(a.device, a.on)
        elif isinstance(a, act.ReleaseDevice):
            self._watch(a.device, False)
            os.close(self.devices.pop(a.device))
        elif isinstance(a, act.ApplyPriority) and a.pid in self.host_pids:
            os.setpriority(os.PRIO_PROCESS, self.host_pids[a.pid], a.priority)  # (not reaped)
        elif isinstance(a, act.SignalProcess) and a.pid in self.pidfds:
            with contextlib.suppress(ProcessLookupError):  # (exited, its pidfd not yet read)
                signal.pidfd_send_signal(self.pidfds[a.pid], a.signo)

    def _send(self, tid: int, result: act.Result) -> None:
        sock = self.gates.get(tid)
        if sock is None:
            return
        fds, temporary = self._fds_for(result) if type(result) in _WITH_FDS else _NO_FDS
        try:  # (a plain send, no ancillary data, unless an fd goes along)
            if fds:
                rights = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))]
                sock.sendmsg([_encode(result)], rights)
            else:
                sock.send(_encode(result))
        except OSError:
            pass  # the process is gone: its pidfd will say so
        finally:
            for fd in temporary:
                os.close(fd)

    def _fds_for(self, result: act.Result) -> tuple[list[int], list[int]]:
        """The fds that go with `result`, and which of them to close once sent."""
        if isinstance(result, act.Handle):
            table = self.memfds if result.kind == "memory" else self.devices
            fd = table[result.id]
            if result.writable:
                return [fd], []
            ro = os.open(f"/proc/self/fd/{fd}", os.O_RDONLY | os.O_CLOEXEC)
            return [ro], [ro]
        if isinstance(result, act.Created) and result.id in self.new_gates:
            peer = self.new_gates.pop(result.id)
            fd = peer.detach()
            return [fd], [fd]
        return [], []

    def _start(self, a: act.StartProcess) -> None:
        if a.collocated:
            from pith.lib.start import collocate

            self.owner[a.tid] = a.pid
            runner = collocate(a.program, a.args, _LocalGate(self, a.tid))
            self.colo[a.tid] = runner
            self._run(self.k.syscall(a.tid, runner.first()))
            return
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._add_gate(a.pid, a.tid, ours)
        uid = UID_BASE + a.pid if self.own_uids and a.pid < UIDS else None
        host_pid = self.zygote.spawn(theirs, a.name, a.program, a.args, uid)
        theirs.close()
        self.pidfds[a.pid] = pidfd = os.pidfd_open(host_pid)
        self.host_pids[a.pid] = host_pid
        self._listen(pidfd, lambda: self._exited(a.pid))

    def _stop(self, pid: int) -> None:
        for tid in [t for t, p in self.owner.items() if p == pid]:
            self._close_gate(tid)
            self.colo.pop(tid, None)
            peer = self.new_gates.pop(tid, None)
            if peer is not None:
                peer.close()
        if pid in self.pidfds:
            signal.pidfd_send_signal(self.pidfds[pid], signal.SIGKILL)

    def _collocated(self, tid: int, result: act.Result) -> None:
        try:
            call = self.colo[tid].step(result)
        except Exception as e:
            name = type(getattr(self.colo[tid], "server", None)).__name__  # (its class)
            print(f"pith: kernel panic: collocated server {name} (thread {tid}) crashed: {e!r}",
                  file=sys.stderr)
            self.status = 70
            return
        self._run(self.k.syscall(tid, call))

    # --- resources ------------------------------------------------------------------

    def _add_gate(self, pid: int, tid: int, sock: socket.socket) -> None:
        self.gates[tid] = sock
        self.owner[tid] = pid
        self._listen(sock.fileno(), functools.partial(self._gate, tid))

    def _listen(self, fd: int, then: Callable[[], None], events: int = select.EPOLLIN) -> None:
        self.on_ready[fd] = then
        self.epoll.register(fd, events)

    def _close_gate(self, tid: int) -> None:
        sock = self.gates.pop(tid, None)
        if sock is not None:
            del self.on_ready[sock.fileno()]
            self.epoll.unregister(sock.fileno())
            sock.close()

    def _watch(self, device: int, on: bool) -> None:
        """Arm (one-shot: the driver re-arms to acknowledge) or disarm a device's interrupt.
        A device epoll refuses (a regular file, /dev/null) is always ready: it fires at once."""
        fd = self.devices[device]
        if self.on_ready.pop(fd, None) is not None:
            self.epoll.unregister(fd)
        if not on:
            return
        try:
            self.epoll.register(fd, select.EPOLLIN | select.EPOLLONESHOT)
        except PermissionError:
            self._feed(DeviceReady(device))
            return
        self.on_ready[fd] = lambda: self._feed(DeviceReady(device))

    def shutdown(self) -> None:
        """Kill and reap every process, close every fd: leave nothing behind."""
        for pid, pidfd in list(self.pidfds.items()):
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            os.waitid(os.P_PIDFD, pidfd, os.WEXITED)
            os.close(pidfd)
            del self.pidfds[pid]
        for tid in list(self.gates):
            self._close_gate(tid)
        for sock in self.new_gates.values():
            sock.close()
        for fd in [*self.memfds.values(), *self.devices.values()]:
            os.close(fd)
        self.new_gates, self.memfds, self.devices, self.colo = {}, {}, {}, {}
        self.epoll.close()
        self.zygote.close()


def _mapped(first: int, count: int) -> bool:
    """Whether uids `first`.. `first + count - 1` exist in this user namespace (root's own
    do; `unshare -r`'s maps uid 0 alone: there each process keeps the one uid, caps dropped)."""
    with open("/proc/self/uid_map") as f:
        ranges = [tuple(map(int, line.split())) for line in f]
    return any(a <= first and first + count <= a + n for a, _, n in ranges)


class _LocalGate(Gate):
    """The gate of a collocated server's thread: syscalls go straight to the core."""

    def __init__(self, host: Host, tid: int) -> None:
        self.host, self.tid = host, tid

    def invoke(self, call: SyscallRequest) -> tuple[act.Result, list[int]]:
        """Run `call` to its answer. A call to another collocated server is carried out on
        the spot (its handler runs, as a function call in a monolithic kernel); one that
        must wait for an isolated process runs the kernel's loop until its answer comes
        (waits nest: an inner one ends first, an outer answer is kept until then)."""
        host, tid = self.host, self.tid
        host.parked[tid] = None
        try:
            pending = deque(host.k.syscall(tid, call))
            while pending:
                a = pending.popleft()
                if type(a) is act.Resume and a.tid == tid:
                    host.parked[tid] = a.result
                    break
                if type(a) is act.Resume and a.tid in host.colo and a.tid not in host.parked:
                    pending.extend(host.k.syscall(a.tid, host.colo[a.tid].step(a.result)))
                else:
                    host._do(a)
            host.queue.extend(pending)  # (the rest, in its turn)
            while (result := host.parked[tid]) is None:
                if host.queue:
                    host._do(host.queue.popleft())
                elif host.status is not None:  # (the root died: the kernel is stopping)
                    return act.Error(ErrorCode.OBJECT_GONE, "the kernel is shutting down"), []
                else:
                    host._poll()
        finally:
            del host.parked[tid]
        fds, _ = host._fds_for(result)
        return result, [os.dup(fd) for fd in fds]
