"""Two (or more) Stack engines joined by a simulated Ethernet wire, no processes, no clock.

`Net` holds the stacks and the frames in flight, each with its delivery time; `step()`
advances simulated time to the next event (a frame due, or a stack's next_deadline) and
runs it; `run_until(pred)` steps until pred() holds or the time limit passes. A `fate`
function decides each frame's fate: deliver after a delay, drop, or duplicate.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface

from pith.servers.inet.stack import Config, Stack
from pith.servers.inet.tcp import TcpConfig

MAC_A = b"\x02\x00\x00\x00\x00\x0a"
MAC_B = b"\x02\x00\x00\x00\x00\x0b"
IP_A, IP_B = "10.0.0.1", "10.0.0.2"

# fate(frame) -> list of delays: [] drops it, [d] delivers once, [d1, d2] duplicates
Fate = Callable[[bytes], list[float]]


def perfect(frame: bytes) -> list[float]:
    return [0.001]


def pair(tcp: TcpConfig | None = None, **kw: object) -> tuple[Stack, Stack]:
    tcp = tcp or TcpConfig()
    a = Stack(Config(mac=MAC_A, address=IPv4Interface(IP_A + "/24"), seed=1, tcp=tcp,
                     **kw))  # type: ignore[arg-type]
    b = Stack(Config(mac=MAC_B, address=IPv4Interface(IP_B + "/24"), seed=2, tcp=tcp,
                     **kw))  # type: ignore[arg-type]
    return a, b


@dataclass
class Net:
    stacks: list[Stack]
    fate: Fate = perfect
    now: float = 0.0
    frames: list[tuple[float, int, int, bytes]] = field(default_factory=list)
    delivered: int = 0
    _order: itertools.count[int] = field(default_factory=itertools.count)
    taps: list[tuple[int, bytes]] = field(default_factory=list)   # (sender, frame) seen

    def flush(self) -> None:
        """poll() every stack at the current time; put what they emit on the wire."""
        for i, stack in enumerate(self.stacks):
            for frame in stack.poll(self.now):
                self.taps.append((i, frame))
                for delay in self.fate(frame):
                    for j in range(len(self.stacks)):
                        if j != i:
                            heapq.heappush(self.frames,
                                           (self.now + delay, next(self._order), j, frame))

    def step(self) -> bool:
        """Advance to the next event and run it; False if nothing will ever happen."""
        self.flush()
        times = [t for s in self.stacks if (t := s.next_deadline()) is not None]
        if self.frames:
            times.append(self.frames[0][0])
        if not times:
            return False
        self.now = max(self.now, min(times))
        while self.frames and self.frames[0][0] <= self.now:
            _, _, j, frame = heapq.heappop(self.frames)
            self.stacks[j].receive_frame(self.now, frame)
            self.delivered += 1
        self.flush()
        return True

    def run_until(self, done: Callable[[], bool], limit: float = 3600.0,
                  steps: int = 50_000) -> bool:
        for _ in range(steps):
            if done():
                return True
            if self.now > limit or not self.step():
                return done()
        raise AssertionError(f"no progress after {steps} steps at t={self.now}: a hang")

    def run_for(self, seconds: float) -> None:
        end = self.now + seconds
        while True:
            self.flush()
            times = [t for s in self.stacks if (t := s.next_deadline()) is not None]
            if self.frames:
                times.append(self.frames[0][0])
            if not times or min(times) > end:
                self.now = end
                self.flush()
                return
            self.step()


def ip(s: str) -> IPv4Address:
    return IPv4Address(s)
