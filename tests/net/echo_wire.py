"""A stand-in for inet in the eth tests: every frame eth delivers goes straight back out
through eth, source and destination swapped (a wire that echoes), so a host peer on the
TAP sees each frame it sent come back."""

from __future__ import annotations

from pith.lib.server import Caller, Client, Server
from pith.protocols.eth import Frames, Sent, Taken, Transmit


class EchoWire(Server):
    requests = Frames
    endpoint = "inet"

    def setup(self) -> None:
        self.eth = Client(self.caps["eth"], Sent)

    def do_frames(self, request: Frames, caller: Caller) -> Taken:
        self.eth.call(Transmit([f[6:12] + f[:6] + f[12:] for f in request.frames]))
        return Taken(len(request.frames))
