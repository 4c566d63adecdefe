"""The eth protocol: the Ethernet driver's endpoint ("eth") and what it sends its stack.

The wire is a Linux TAP device the kernel opened at boot (`pith boot --net`), handed as
the Device cap `net` to the eth driver only. Frames are whole Ethernet frames
(destination, source, EtherType, payload; no preamble, no FCS), at most `MAX_FRAME` bytes.

- stack (inet) → eth: `Transmit(frames)`, answered `Sent(count)` once every frame is
  written to the TAP (a frame the wire refuses, or one the test-only fault knob drops, still
  counts: a wire loses frames, and TCP's retransmission is the answer). `LinkInfo()`,
  answered `Link` (MAC address, MTU, link state, counters).
- eth → stack: `Frames(frames)`, answered `Taken(count)`: the frames read from the TAP
  since the last delivery, in order. eth sends them on the endpoint its `inet` cap names,
  from a thread of its own, so a stack that is restarting only delays them.
- a test → eth: `SetFaults(loss, dup, reorder, seed)`: from now on each frame, in either
  direction, is dropped with probability `loss`, sent twice with `dup`, held back behind
  the next one with `reorder` (the machines here have no `tc netem`). All 0: a clean wire.

Errors: a frame shorter than an Ethernet header or longer than MAX_FRAME is EINVAL and
nothing of that Transmit is sent; a probability outside [0, 1] is EINVAL.
"""

from __future__ import annotations

import msgspec

__all__ = [
    "ETHER_HEADER",
    "MAX_FRAME",
    "MAX_FRAMES",
    "EthReply",
    "EthRequest",
    "Frames",
    "Link",
    "LinkInfo",
    "Sent",
    "SetFaults",
    "Taken",
    "Transmit",
]

ETHER_HEADER = 14  # destination, source, EtherType
MAX_FRAME = 1514  # an MTU of 1500 plus the header
MAX_FRAMES = 32  # frames in one Transmit or Frames message (32 * 1514 < 64 KiB)


class Transmit(msgspec.Struct, frozen=True, tag=True):
    frames: list[bytes]


class Sent(msgspec.Struct, frozen=True, tag=True):
    count: int


class LinkInfo(msgspec.Struct, frozen=True, tag=True):
    pass


class Link(msgspec.Struct, frozen=True, tag=True):
    mac: bytes  # 6 bytes: the address eth's frames carry (the stack's own)
    mtu: int
    up: bool
    rx_frames: int = 0
    rx_bytes: int = 0
    tx_frames: int = 0
    tx_bytes: int = 0
    dropped: int = 0  # by the fault knob or refused by the wire


class SetFaults(msgspec.Struct, frozen=True, tag=True):
    loss: float = 0.0
    dup: float = 0.0
    reorder: float = 0.0
    seed: int = 0


class Frames(msgspec.Struct, frozen=True, tag=True):
    frames: list[bytes]


class Taken(msgspec.Struct, frozen=True, tag=True):
    count: int


EthRequest = Transmit | LinkInfo | SetFaults
EthReply = Sent | Link
