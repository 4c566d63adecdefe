"""The eth driver's fault knob: a bad wire, for tests (the machines here have no `tc netem`).

`Faults(loss, dup, reorder, seed)` turns the frames going one way into the frames that go
out: each is dropped with probability `loss`, else sent twice with `dup`, else held back
with `reorder` until the next frame has gone (then it follows it). Deterministic: the same
seed and the same frames give the same result. Touches nothing but its own state.
"""

from __future__ import annotations

import random

__all__ = ["Faults"]


class Faults:
    def __init__(self, loss: float = 0.0, dup: float = 0.0, reorder: float = 0.0,
                 seed: int = 0) -> None:
        for name, p in (("loss", loss), ("dup", dup), ("reorder", reorder)):
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"{name}={p}: a probability is between 0 and 1")
        self.loss, self.dup, self.reorder = loss, dup, reorder
        self.random = random.Random(seed)
        self.held: bytes | None = None  # a frame held back behind the next one
        self.dropped = 0

    @property
    def clean(self) -> bool:
        return self.loss == self.dup == self.reorder == 0.0 and self.held is None

    def apply(self, frames: list[bytes]) -> list[bytes]:
        """The frames to send, in order, for `frames` (and any frame held back before)."""
        if self.clean:
            return frames
        out: list[bytes] = []
        for frame in frames:
            roll = self.random.random()
            if roll < self.loss:
                self.dropped += 1
                continue
            if roll < self.loss + (1 - self.loss) * self.dup:
                out += [frame, frame]
            elif self.held is None and self.random.random() < self.reorder:
                self.held = frame
                continue
            else:
                out.append(frame)
            if self.held is not None:
                out.append(self.held)
                self.held = None
        return out
