"""A client for a server in this same process: requests go through `dispatch`,
encoded and decoded as on the wire (tests use it to put a real tmpfs under vfs)."""

from __future__ import annotations

from typing import Any

import msgspec

from pith.lib.server import Caller, Failure, Server, ServiceError

__all__ = ["Local"]


class Local:
    def __init__(self, server: Server, responses: Any, badge: int = 1) -> None:
        self.server, self.caller = server, Caller(badge, 1)
        self._decoder = msgspec.msgpack.Decoder(responses | Failure)
        self.calls = 0  # requests sent so far

    def call(self, request: msgspec.Struct, timeout: float | None = None,
             caps: tuple[int, ...] = ()) -> Any:
        self.calls += 1
        caller = Caller(self.caller.badge, self.caller.reply, caps) if caps else self.caller
        replied = self.server.dispatch(msgspec.msgpack.encode(request), caller)
        assert replied is not None, "a file system never defers"
        reply = self._decoder.decode(replied)
        if isinstance(reply, Failure):
            raise ServiceError(reply.error, reply.message)
        return reply
