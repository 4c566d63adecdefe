"""The ds protocol (Pith's data store) and its client, `Ds`.

ds holds two things (the server is pith/servers/ds/):
- a registry of names to capabilities: `Publish(name)` with the cap sent in the
  call, `Lookup(name)` answered with a copy of it in the reply (the caller's ds
  cap needs GRANT), `Unpublish(name)`;
- a stash per service, keyed by the badge on the caller's ds cap (rs mints each
  service's ds cap with its own badge, the same across restarts): `Stash(key,
  data)`, `Fetch(key)`, `Drop(key)`, `StashKeys()`. It survives the service's
  restart and live update, so state comes back with it.

Subscriptions are a long poll: `Watch(names, seen)` is answered as soon as one
of `names` has a version newer than `seen` (versions are one counter, bumped by
every publish and unpublish; a publisher's death, which revokes the cap, counts
at the next lookup or publish), with `Changed(version, names)`; the subscriber
watches again with `seen = version`. A single-threaded server watches from a
second thread, or asks with `timeout`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from pith.lib.server import Client, Failure, ServiceError
from pith.lib.syscall import Gate, gate

__all__ = [
    "MAX_KEY", "MAX_KEYS", "MAX_STASH", "MAX_VALUE", "STATE_KEY", "Changed", "Data", "Drop",
    "Ds", "DsReply", "DsRequest", "Fetch", "Found", "Lookup", "Names", "Ok", "Publish",
    "Stash", "StashKeys", "Unpublish", "Version", "Watch",
]

MAX_KEY = 255  # characters in a name or a stash key
MAX_VALUE = 60_000  # bytes in one stashed value (a reply is at most 64 KiB)
MAX_STASH = 1 << 20  # bytes (keys and values) stashed per service
MAX_KEYS = 256  # keys stashed per service
STATE_KEY = "pith.state"  # the framework's key: what `save()` hands over in a live update


class Publish(msgspec.Struct, frozen=True, tag=True):
    """Register the one cap sent with this call under `name` (replacing yours)."""

    name: str


class Lookup(msgspec.Struct, frozen=True, tag=True):
    """Ask for a copy of the cap registered under `name` (in the reply's caps)."""

    name: str


class Unpublish(msgspec.Struct, frozen=True, tag=True):
    name: str


class Watch(msgspec.Struct, frozen=True, tag=True):
    """Answer when one of `names` has a version newer than `seen` (a long poll)."""

    names: list[str]
    seen: int = 0


class Stash(msgspec.Struct, frozen=True, tag=True):
    key: str
    data: bytes


class Fetch(msgspec.Struct, frozen=True, tag=True):
    key: str


class Drop(msgspec.Struct, frozen=True, tag=True):
    key: str


class StashKeys(msgspec.Struct, frozen=True, tag=True):
    """The keys the caller has stashed."""


DsRequest = Publish | Lookup | Unpublish | Watch | Stash | Fetch | Drop | StashKeys


class Version(msgspec.Struct, frozen=True, tag=True):
    version: int  # the registry's version after a publish or unpublish


class Found(msgspec.Struct, frozen=True, tag=True):
    version: int  # the cap is the reply's first cap


class Changed(msgspec.Struct, frozen=True, tag=True):
    version: int  # watch again with seen = this
    names: list[str]  # the watched names that changed


class Data(msgspec.Struct, frozen=True, tag=True):
    data: bytes


class Names(msgspec.Struct, frozen=True, tag=True):
    names: list[str]


class Ok(msgspec.Struct, frozen=True, tag=True):
    pass


DsReply = Version | Found | Changed | Data | Names | Ok


class Ds:
    """A client of ds on endpoint `slot`; refusals raise ServiceError (ENOENT, E2BIG …)."""

    def __init__(self, slot: int, gate_of: Callable[[], Gate] = gate,
                 call: Callable[..., Any] | None = None) -> None:
        self.slot, self.gate_of = slot, gate_of
        self.client = Client(slot, DsReply, gate_of)
        self.call = call or self.client.call  # (tests put a ds in the same process)

    def publish(self, name: str, cap: int) -> int:
        return int(self.client.call(Publish(name), caps=(cap,)).version)

    def lookup(self, name: str) -> int:
        """A slot with a copy of the cap registered under `name`."""
        replied = self.gate_of().call(self.slot, msgspec.msgpack.encode(Lookup(name)))
        reply = msgspec.msgpack.decode(replied.msg, type=DsReply | Failure)
        if isinstance(reply, Failure):
            raise ServiceError(reply.error, reply.message)
        return replied.caps[0]

    def unpublish(self, name: str) -> int:
        return int(self.call(Unpublish(name)).version)

    def watch(self, names: list[str], seen: int = 0, timeout: float | None = None) -> Changed:
        reply: Changed = self.call(Watch(names, seen), timeout=timeout)
        return reply

    def stash(self, key: str, data: bytes) -> None:
        self.call(Stash(key, data))

    def fetch(self, key: str) -> bytes | None:
        """The data stashed under `key`, or None if there is none."""
        try:
            return bytes(self.call(Fetch(key)).data)
        except ServiceError as e:
            if e.error == "ENOENT":
                return None
            raise

    def drop(self, key: str) -> None:
        self.call(Drop(key))

    def stashed(self) -> list[str]:
        """The keys stashed under this cap's badge."""
        return list(self.call(StashKeys()).names)

