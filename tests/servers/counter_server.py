"""A counter server for the ds and live-update tests: it counts its starts in its ds
stash, publishes an endpoint of its own in ds at every start, says why it started
(start_reason), and hands its count over in a live update (save/restore).
CounterV2 is the "new code"; Broken fails to start (an update to it rolls back)."""

from __future__ import annotations

import os

import msgspec

from pith.lib.server import Caller, Server
from pith.protocols.ds import Ds


class Bump(msgspec.Struct, frozen=True, tag=True):
    pass


class Stats(msgspec.Struct, frozen=True, tag=True):
    pass


class Crash(msgspec.Struct, frozen=True, tag=True):
    pass


class Count(msgspec.Struct, frozen=True, tag=True):
    count: int
    version: str
    start_reason: str
    starts: int


class CounterServer(Server):
    requests = Bump | Stats | Crash
    endpoint = "counter"
    version = "v1"

    def setup(self) -> None:
        self.ds = Ds(self.caps["ds"], self.gate_of)
        self.starts = int(self.ds.fetch("starts") or b"0") + 1
        self.ds.stash("starts", str(self.starts).encode())
        self.count = 0
        self.mine = self.gate_of().endpoint_create()  # revoked in ds when this process dies
        self.ds.publish("counter.mine", self.mine)

    def save(self) -> bytes:
        return str(self.count).encode()

    def restore(self, state: bytes) -> None:
        self.count = int(state)

    def _count(self) -> Count:
        return Count(self.count, self.version, self.start_reason, self.starts)

    def do_bump(self, request: Bump, caller: Caller) -> Count:
        self.count += 1
        return self._count()

    def do_stats(self, request: Stats, caller: Caller) -> Count:
        return self._count()

    def do_crash(self, request: Crash, caller: Caller) -> Count:
        os._exit(70)


class CounterV2(CounterServer):
    version = "v2"


class Broken(CounterServer):
    def setup(self) -> None:
        raise RuntimeError("this new code is broken on purpose")
