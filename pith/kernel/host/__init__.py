"""The kernel host: the only code that talks to Linux (event loop, sandbox, zygote, fd passing).

Entry point: `boot(program, args, devices, prewarm)` runs a kernel whose root process
runs `program`, until the root dies; it returns the root's exit status. `prewarm`
names modules the zygote imports before its first fork (the boot's servers), so a
(re)started server costs a fork, not its imports. `hook(host)`, if given, runs before
the core boots: host-side tools (pith/tools) swap in a recording core or listen on fds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pith.kernel.host.loop import Host

__all__ = ["boot"]


def boot(program: str, args: tuple[str, ...], devices: dict[str, int] | None = None,
         prewarm: tuple[str, ...] = (), hook: Callable[[Host], None] | None = None) -> int:
    from pith.kernel.host.loop import Host

    return Host(program, args, devices or {}, prewarm, hook).run()
