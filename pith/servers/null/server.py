"""null's server: answers every request with nothing; and a program that does nothing.

The measuring sticks of `pith bench`: a null call (pith/protocols/null.py) costs
only the IPC path and the framework; `nothing` costs only a spawn and an exit.
"""

from __future__ import annotations

from pith.lib.server import Caller, Server
from pith.lib.start import Context
from pith.protocols.null import Null

__all__ = ["NullServer", "nothing"]


class NullServer(Server):
    requests = Null
    endpoint = "null"

    def do_null(self, request: Null, caller: Caller) -> Null:
        return request


def nothing(ctx: Context) -> int:
    """A program that exits at once."""
    return 0
