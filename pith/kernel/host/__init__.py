"""The kernel host: the only code that talks to Linux (event loop, sandbox, zygote, fd passing).

Entry point: `boot(program, args, devices, prewarm)` runs a kernel whose root process
runs `program`, until the root dies; it returns the root's exit status. `prewarm`
names modules the zygote imports before its first fork (the boot's servers), so a
(re)started server costs a fork, not its imports.
"""

from __future__ import annotations

__all__ = ["boot"]


def boot(program: str, args: tuple[str, ...], devices: dict[str, int] | None = None,
         prewarm: tuple[str, ...] = ()) -> int:
    from pith.kernel.host.loop import Host

    return Host(program, args, devices or {}, prewarm).run()
