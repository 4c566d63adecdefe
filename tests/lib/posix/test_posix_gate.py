"""A gate left owing a result (a signal handler raised while it waited) never desynchronises.

The test plays the kernel on the other end of a socketpair: it reads each syscall
frame and answers with a result frame when told to.
"""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Iterator

import msgspec
import pytest

from pith.kernel.core import syscalls as sc
from pith.kernel.core.actions import Done, Signalled
from pith.lib.syscall import SocketGate, gate, set_gate_factory

encode = msgspec.msgpack.Encoder().encode
decode = msgspec.msgpack.Decoder(sc.SyscallRequest).decode


class Interrupted(Exception):
    """What the test's SIGUSR1 handler raises (KeyboardInterrupt's stand-in)."""


@pytest.fixture
def interrupting() -> Iterator[None]:
    def raise_it(signo: int, frame: object) -> None:
        raise Interrupted

    old = signal.signal(signal.SIGUSR1, raise_it)
    yield
    signal.signal(signal.SIGUSR1, old)


def interrupt_when_sent(kernel: socket.socket, frames: list[sc.SyscallRequest]) -> threading.Thread:
    """A thread that reads the next frame, then interrupts the main thread (waiting for it)."""
    def run() -> None:
        frames.append(decode(kernel.recv(4096)))
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGUSR1)

    t = threading.Thread(target=run)
    t.start()
    return t


def test_an_owed_result_is_dropped_before_the_next_call(interrupting: None) -> None:
    mine, kernel = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    g, frames = SocketGate(mine), []
    t = interrupt_when_sent(kernel, frames)
    with pytest.raises(Interrupted):
        g.wait(5)  # interrupted while waiting: its result is owed
    t.join(10)
    assert g.owed == 1 and frames == [sc.Wait(5, None)]
    kernel.send(encode(Signalled(7)))  # the owed result comes late
    answer = threading.Thread(target=lambda: (frames.append(decode(kernel.recv(4096))),
                                              kernel.send(encode(Signalled(9)))))
    answer.start()
    assert g.poll(6) == 9  # not 7: that one was dropped
    answer.join(10)
    assert g.owed == 0 and frames[-1] == sc.Poll(6)
    mine.close()
    kernel.close()


def test_a_gate_still_owed_is_renewed_with_a_fresh_kernel_thread(interrupting: None) -> None:
    mine, kernel = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    fresh, fresh_kernel = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    g, frames = SocketGate(mine, renew=lambda: fresh), []
    t = interrupt_when_sent(kernel, frames)
    with pytest.raises(Interrupted):
        g.wait(5)
    t.join(10)
    answer = threading.Thread(target=lambda: fresh_kernel.send(
        encode(Done()) if decode(fresh_kernel.recv(4096)) == sc.Signal(3, 1) else b"?"))
    answer.start()
    g.signal(3, 1)  # the old result never comes: the next call goes on a fresh thread
    answer.join(10)
    assert g.sock is fresh and g.owed == 0
    assert kernel.recv(4096) == b""  # the old gate was closed: the kernel ends that thread
    for s in (kernel, fresh, fresh_kernel):
        s.close()


def test_a_thread_without_a_gate_gets_one_from_the_factory() -> None:
    made: list[SocketGate] = []

    def factory() -> SocketGate:
        mine, _ = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        made.append(SocketGate(mine))
        return made[-1]

    seen: list[object] = []
    set_gate_factory(factory)
    try:
        t = threading.Thread(target=lambda: seen.extend([gate(), gate()]))
        t.start()
        t.join(10)
    finally:
        set_gate_factory(None)
    assert seen == [made[0], made[0]] and len(made) == 1  # one, made on first use
    def no_gate() -> None:
        try:
            gate()
        except RuntimeError:
            seen.append("no gate")

    t = threading.Thread(target=no_gate)
    t.start()
    t.join(10)
    assert seen[-1] == "no gate"  # without a factory: as before
    made[0].sock.close()
