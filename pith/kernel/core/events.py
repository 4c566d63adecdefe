"""Events: what the host tells the core has happened.

The core changes state only in answer to one of these. The host is the only
source: it decodes syscalls from gates, notices host-process deaths (pidfd),
reads the clock and watches device fds.
"""

from __future__ import annotations

import msgspec

from pith.kernel.core.syscalls import SyscallRequest

__all__ = ["DeviceReady", "Event", "ProcessExited", "Syscall", "ThreadExited", "Tick"]


class Syscall(msgspec.Struct, frozen=True):
    """Thread `tid` made syscall `call` on its gate."""

    tid: int
    call: SyscallRequest


class ProcessExited(msgspec.Struct, frozen=True):
    """The host process behind Pith process `pid` ended with `status`."""

    pid: int
    status: int


class ThreadExited(msgspec.Struct, frozen=True):
    """Thread `tid`'s gate closed: the thread is gone."""

    tid: int


class Tick(msgspec.Struct, frozen=True):
    """The monotonic clock reads `now` seconds. Time never goes back."""

    now: float


class DeviceReady(msgspec.Struct, frozen=True):
    """Device `device`'s host fd is ready (its interrupt)."""

    device: int


Event = Syscall | ProcessExited | ThreadExited | Tick | DeviceReady
