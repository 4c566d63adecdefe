"""A booted kernel and short helpers for the example-based tests of the kernel core.

`World` plays the host: it boots a `Kernel` with a "disk" device and lets a test
make syscalls as any thread and feed events. The root thread is `w.root`; its
boot caps are in `w.slots` ("spawn", "sched", "trace", "device:disk").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pith.kernel.core import Kernel
from pith.kernel.core import syscalls as sc
from pith.kernel.core.actions import Action, Created, Error, Result, Resume, StartProcess
from pith.kernel.core.errors import ErrorCode
from pith.kernel.core.events import Event, Tick
from pith.kernel.core.syscalls import SyscallRequest


def results(actions: Iterable[Action]) -> dict[int, Result]:
    """The Resume results in `actions` by tid (asserting at most one per thread)."""
    found: dict[int, Result] = {}
    for a in actions:
        if isinstance(a, Resume):
            assert a.tid not in found, f"two Resumes for thread {a.tid}: {actions}"
            found[a.tid] = a.result
    return found


def codes(actions: Iterable[Action]) -> dict[int, int]:
    """The error codes of the Error results in `actions`, by tid."""
    return {tid: r.code for tid, r in results(actions).items() if isinstance(r, Error)}


class World:
    """A booted kernel (root process, one "disk" device) and syscall helpers."""

    def __init__(self, cspace_size: int = 1024, devices: Sequence[str] = ("disk",)) -> None:
        self.kernel = Kernel(cspace_size)
        info, self.boot_actions = self.kernel.boot(devices=list(devices))
        self.root_pid, self.root, self.slots = info.pid, info.tid, info.slots
        self.pslot: dict[int, int] = {}  # pid -> root's slot holding a cap to it

    def sys(self, tid: int, call: SyscallRequest) -> list[Action]:
        return self.kernel.syscall(tid, call)

    def event(self, event: Event) -> list[Action]:
        return self.kernel.handle(event)

    def tick(self, now: float) -> list[Action]:
        return self.kernel.handle(Tick(now))

    def result(self, tid: int, call: SyscallRequest) -> Result:
        """The result of a syscall that completes at once (exactly one Resume for tid)."""
        actions = self.sys(tid, call)
        mine = [a for a in actions if isinstance(a, Resume) and a.tid == tid]
        assert len(mine) == 1, f"expected one Resume for {tid}, got {actions}"
        return mine[0].result

    def ok(self, tid: int, call: SyscallRequest) -> Result:
        r = self.result(tid, call)
        assert not isinstance(r, Error), r
        return r

    def err(self, tid: int, call: SyscallRequest, code: ErrorCode) -> Error:
        """Assert `call` is refused with `code` and changes nothing at all."""
        before = self.kernel.snapshot()
        actions = self.sys(tid, call)
        assert len(actions) == 1, actions
        r = results(actions)[tid]
        assert isinstance(r, Error) and r.code == code, r
        assert self.kernel.snapshot() == before, "a refused syscall changed the state"
        return r

    def blocks(self, tid: int, call: SyscallRequest) -> list[Action]:
        """Assert `call` does not complete now; return the actions it caused."""
        actions = self.sys(tid, call)
        assert tid not in results(actions), actions
        return actions

    def created(self, tid: int, call: SyscallRequest) -> int:
        """The slot of the new object's first cap."""
        r = self.ok(tid, call)
        assert isinstance(r, Created) and r.slot is not None, r
        return r.slot

    def endpoint(self, tid: int | None = None) -> int:
        return self.created(self.root if tid is None else tid, sc.EndpointCreate())

    def notification(self, tid: int | None = None) -> int:
        return self.created(self.root if tid is None else tid, sc.NotificationCreate())

    def thread(self, tid: int) -> int:
        """A new thread in `tid`'s process."""
        r = self.ok(tid, sc.ThreadCreate())
        assert isinstance(r, Created) and r.slot is None
        return r.id

    def spawn(self, name: str, caps: Sequence[int] = ()) -> tuple[int, int]:
        """Root spawns `name` with derived copies of its `caps`; returns (pid, tid)."""
        actions = self.sys(self.root, sc.ProcessCreate(self.slots["spawn"], name, tuple(caps)))
        r = results(actions)[self.root]
        assert isinstance(r, Created) and r.slot is not None, r
        start = [a for a in actions if isinstance(a, StartProcess)]
        assert len(start) == 1 and start[0] == StartProcess(r.id, start[0].tid, name), actions
        self.pslot[r.id] = r.slot
        return r.id, start[0].tid
