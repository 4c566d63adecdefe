"""echo ARGS…: print the arguments, through the echo server when one runs.

With the echo server's endpoint in its caps, the text makes the round trip
client → kernel → echo server → kernel → client before it is printed.
"""

from __future__ import annotations

import sys

from pith.lib.server import Client, ServiceError
from pith.lib.start import Context
from pith.protocols.echo import Echo, Echoed

__all__ = ["main"]


def main(ctx: Context) -> int:
    if ctx.args[:1] == ("--help",):
        print("usage: echo [TEXT]...  print TEXT, through the echo server when it runs")
        return 0
    text = " ".join(ctx.args)
    if "echo" in ctx.caps:
        try:
            text = Client(ctx.caps["echo"], Echoed).call(Echo(text)).text
        except ServiceError as e:
            print(f"echo: {e.message}", file=sys.stderr)
            return 1
    print(text)
    return 0
