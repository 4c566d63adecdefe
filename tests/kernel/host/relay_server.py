"""A server that calls another: forwards every Echo to the echo server (for tests).

It runs isolated or collocated like any server; collocated with a collocated echo
server, its call becomes a direct call inside the kernel.
"""

from __future__ import annotations

from pith.lib.server import Caller, Client, Server
from pith.protocols.echo import Echo, Echoed


class RelayServer(Server):
    requests = Echo
    endpoint = "relay"

    def do_echo(self, request: Echo, caller: Caller) -> Echoed:
        upstream = Client(self.caps["echo"], Echoed, self.gate_of)
        answer: Echoed = upstream.call(Echo(request.text.upper()))
        return answer
