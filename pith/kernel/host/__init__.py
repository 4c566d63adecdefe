"""The kernel host: the only code that talks to Linux (event loop, sandbox, zygote, fd passing).

Entry point: `boot(program, args, devices)` runs a kernel whose root process
runs `program`, until the root dies; it returns the root's exit status.
"""

from __future__ import annotations

__all__ = ["boot"]


def boot(program: str, args: tuple[str, ...], devices: dict[str, int] | None = None) -> int:
    from pith.kernel.host.loop import Host

    return Host(program, args, devices or {}).run()
