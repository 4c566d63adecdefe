"""kvstore: a key-value store server in fifty lines — the README's "write your own server".

Run it (the manifest kvstore.toml starts the server; the command is this
file's `main`, a client that runs the operations named on its command line):

    pith boot --manifest examples/kvstore.toml \
              --command "examples/kvstore.py put color blue get color keys"

Its data survives a crash and a live update (`service update kv`): with a `ds`
cap it stashes every Put in ds before answering it, and takes the stash back when
it starts (its `save()` hands nothing over); ds allows 256 keys (a Put more: ENOSPC).
"""

from __future__ import annotations

import msgspec

from pith.lib.server import Caller, Client, Server, ServiceError
from pith.lib.start import Context
from pith.protocols.ds import Ds


class Put(msgspec.Struct, tag=True):
    key: str
    value: str


class Get(msgspec.Struct, tag=True):
    key: str


class Keys(msgspec.Struct, tag=True):
    pass


class Value(msgspec.Struct, tag=True):
    value: str | list[str] | None


class KVServer(Server):
    requests = Put | Get | Keys
    endpoint = "kv"  # the manifest's `provides` name

    def setup(self) -> None:
        self.ds = Ds(self.caps["ds"], self.gate_of) if "ds" in self.caps else None
        self.data: dict[str, str] = {}
        if self.ds:  # after a crash or an update, the data comes back from ds
            self.data = {k: (self.ds.fetch(k) or b"").decode() for k in self.ds.stashed()}

    def save(self) -> None:  # a live update: the data is in ds already
        return None

    def do_put(self, request: Put, caller: Caller) -> Value:
        if self.ds:  # first in ds, so what is acknowledged survives a crash
            self.ds.stash(request.key, request.value.encode())
        old, self.data[request.key] = self.data.get(request.key), request.value
        return Value(old)

    def do_get(self, request: Get, caller: Caller) -> Value:
        if request.key not in self.data:
            raise ServiceError("ENOENT", f"no key {request.key!r}")
        return Value(self.data[request.key])

    def do_keys(self, request: Keys, caller: Caller) -> Value:
        return Value(sorted(self.data))


def main(ctx: Context) -> int:
    """The client: `put K V`, `get K` and `keys`, in order, one result per line."""
    kv, words, status = Client(ctx.caps["kv"], Value), list(ctx.args), 0
    while words:
        op = words.pop(0)
        request = {"put": lambda: Put(words.pop(0), words.pop(0)),
                   "get": lambda: Get(words.pop(0)), "keys": Keys}[op]()
        try:
            print(op, kv.call(request).value)
        except ServiceError as e:
            print(op, e.error, e.message)
            status = 1
    return status
