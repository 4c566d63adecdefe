"""eth: the Ethernet driver. Whole frames in and out of the TAP device the kernel opened.

It holds one Device, `net` (the TAP's fd, non-blocking; `pith boot --net`), and calls one
endpoint, its `inet` cap (the stack; without it, frames read are counted and dropped).
Its MAC address is fixed and locally administered, 52:54:00:12:34:56 (QEMU's), so a
restarted eth is the same station to every peer's ARP cache.

Two threads, as in tty, because inet calls eth (`Transmit`) while eth calls inet:
- the server thread serves the "eth" endpoint: `Transmit` (each frame written to the TAP;
  one the wire refuses is counted as dropped), `LinkInfo`, `SetFaults`;
- the input thread waits for the device's interrupt, reads every frame the TAP has, and
  hands them to inet as `Frames`, at most MAX_FRAMES a message. A call inet cannot answer
  (it died holding it) loses those frames, as a wire would; the next call waits for the
  restarted inet.
`lock` guards what both touch: the counters and the fault knob.

A restarted eth opens its Device again and starts afresh (counters at 0, a clean wire):
the TAP fd is the kernel's, so nothing of the wire is lost with the driver but the frames
in flight.
"""

from __future__ import annotations

import contextlib
import os
import threading

from pith.drivers.eth.faults import Faults
from pith.kernel.core.errors import KernelError
from pith.lib.server import Caller, Client, Server, ServiceError
from pith.lib.syscall import gate, with_gate
from pith.protocols.eth import (
    ETHER_HEADER,
    MAX_FRAME,
    MAX_FRAMES,
    EthRequest,
    Frames,
    Link,
    LinkInfo,
    Sent,
    SetFaults,
    Taken,
    Transmit,
)

__all__ = ["MAC", "MTU", "EthServer"]

MAC = bytes.fromhex("525400123456")
MTU = MAX_FRAME - ETHER_HEADER
READ_SIZE = 65536  # a read of the TAP gives one frame; more than any MTU


class EthServer(Server):
    requests = EthRequest
    endpoint = "eth"

    def setup(self) -> None:
        g = self.gate_of()
        self.fd = g.device_open(self.caps["net"], writable=True)
        os.set_blocking(self.fd, False)  # (boot opened it so; a restart makes sure)
        self.lock = threading.Lock()
        self.rx_frames = self.rx_bytes = self.tx_frames = self.tx_bytes = 0  # guarded by lock
        self.refused = 0  # frames the wire refused or that were not Ethernet (lock)
        self.tx_faults, self.rx_faults = Faults(), Faults()  # (lock)
        self.stopping = False
        worker = g.thread_create()
        threading.Thread(target=with_gate(worker, self.input_loop), daemon=True).start()

    def stop(self) -> None:
        self.stopping = True

    # -- the endpoint -------------------------------------------------------------

    def do_transmit(self, request: Transmit, caller: Caller) -> Sent:
        for frame in request.frames:
            if not ETHER_HEADER <= len(frame) <= MAX_FRAME:
                raise ServiceError("EINVAL", f"a {len(frame)}-byte frame: an Ethernet frame "
                                   f"is {ETHER_HEADER} to {MAX_FRAME} bytes")
        with self.lock:
            frames = self.tx_faults.apply(request.frames)
        sent = sent_bytes = refused = 0
        for frame in frames:
            try:
                os.write(self.fd, frame)
            except OSError:  # (EAGAIN: the host's queue is full; EIO: the link is down)
                refused += 1
                continue
            sent, sent_bytes = sent + 1, sent_bytes + len(frame)
        with self.lock:
            self.tx_frames += sent
            self.tx_bytes += sent_bytes
            self.refused += refused
        return Sent(len(request.frames))

    def do_link_info(self, request: LinkInfo, caller: Caller) -> Link:
        with self.lock:
            return Link(MAC, MTU, True, self.rx_frames, self.rx_bytes, self.tx_frames,
                        self.tx_bytes, self.dropped())

    def do_set_faults(self, request: SetFaults, caller: Caller) -> Sent:
        try:
            tx = Faults(request.loss, request.dup, request.reorder, request.seed)
            rx = Faults(request.loss, request.dup, request.reorder, request.seed + 1)
        except ValueError as e:
            raise ServiceError("EINVAL", str(e)) from None
        with self.lock:
            self.refused += self.tx_faults.dropped + self.rx_faults.dropped
            self.tx_faults, self.rx_faults = tx, rx
        return Sent(0)

    def dropped(self) -> int:
        """Frames lost here: refused, not Ethernet, or dropped by the knob (under lock)."""
        return self.refused + self.tx_faults.dropped + self.rx_faults.dropped

    # -- the input thread -----------------------------------------------------------

    def input_loop(self) -> None:
        """Wait for frames, read them all, hand them to inet; for ever."""
        g = gate()
        irq = g.notification_create()
        inet = Client(self.caps["inet"], Taken) if "inet" in self.caps else None
        try:
            while not self.stopping:
                g.device_irq(self.caps["net"], irq)
                g.wait(irq)
                while True:
                    frames, more = self.read_batch()
                    if frames and inet is not None:
                        deliver(inet, frames)
                    if not more:
                        break
        except ConnectionError:
            return  # the kernel closed the gate: this process is being stopped

    def read_batch(self) -> tuple[list[bytes], bool]:
        """Up to MAX_FRAMES frames from the TAP, after the fault knob; and whether there
        may be more to read."""
        frames: list[bytes] = []
        bad, more = 0, True
        while len(frames) < MAX_FRAMES:
            try:
                frame = os.read(self.fd, READ_SIZE)
            except OSError:  # (EAGAIN: no more; EIO, EBADFD: the TAP is going away)
                more = False
                break
            if not ETHER_HEADER <= len(frame) <= MAX_FRAME:
                bad += 1
                continue
            frames.append(frame)
        with self.lock:
            self.rx_frames += len(frames)
            self.rx_bytes += sum(len(f) for f in frames)
            self.refused += bad
            return self.rx_faults.apply(frames), more


def deliver(inet: Client, frames: list[bytes]) -> None:
    """`Frames` to inet, MAX_FRAMES a message (a duplicating knob may make more). An inet
    that dies holding the call, or refuses it, loses the frames: a wire loses frames."""
    for i in range(0, len(frames), MAX_FRAMES):
        with contextlib.suppress(ServiceError, KernelError):
            inet.call(Frames(frames[i:i + MAX_FRAMES]))
